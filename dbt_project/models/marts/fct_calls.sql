{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': 'call_date'}},
    pre_hook="{{ delete_rebuilt_rows(rebuilt_call(mart_call_window_start('call_date'), 'call_id', 'call_date')) }}",
    post_hook=["{{ remember_campaign_lookup() }}", "{{ remember_signatures(mart_call_window_start('call_date')) }}"],
) }}
{#-
    One row per call, all vendors. session_id / utm_* / campaign_id are the call's attribution under
    the default model (last_non_direct): the credited touch, or the no-touch fallback channel.
    Incremental (macros/marts.sql): a run rebuilds the calls from its window on and the calls whose
    deal outcome changed.
-#}
{%- set window_start = mart_call_window_start('call_date') %}

with calls as (

    select * from {{ ref('int_calls_flagged') }}
    where {{ rebuilt_call(window_start, 'call_id', 'call_date') }}

),

default_credits as (

    select * from {{ ref('int_attribution_credits_allocated') }}
    where credit_{{ default_attribution_model() }} > 0
        and {{ rebuilt_call(window_start, 'call_id', 'call_date') }}

),

default_attribution as (

    {{ select_with_resolved_campaign('default_credits') }}

),

deals as (

    select * from {{ ref('int_deals_linked') }}
    where is_linked

),

final as (

    select
        cast(calls.call_id as varchar) as call_id,
        cast(calls.source_system as varchar) as source_system,
        cast(calls.started_at as timestamp with time zone) as started_at,
        cast(calls.call_date as date) as call_date,
        cast(calls.caller_hash as varchar) as caller_hash,
        cast(calls.tracking_number as varchar) as tracking_number,
        cast(calls.answered as boolean) as answered,
        cast(calls.wait_seconds as integer) as wait_seconds,
        cast(calls.talk_seconds as integer) as talk_seconds,
        cast(calls.is_unique as boolean) as is_unique,
        cast(calls.is_target as boolean) as is_target,
        cast(calls.is_unique_target as boolean) as is_unique_target,
        cast(calls.vendor_is_target as boolean) as vendor_is_target,
        cast(calls.operator_name as varchar) as operator_name,
        cast(calls.call_center as varchar) as call_center,
        cast(calls.recording_url as varchar) as recording_url,
        cast(default_attribution.touch_session_id as varchar) as session_id,
        cast(calls.client_id as varchar) as client_id,
        cast(default_attribution.utm_source as varchar) as utm_source,
        cast(default_attribution.utm_medium as varchar) as utm_medium,
        cast(default_attribution.utm_campaign as varchar) as utm_campaign,
        cast(default_attribution.utm_content as varchar) as utm_content,
        cast(default_attribution.utm_term as varchar) as utm_term,
        cast(default_attribution.campaign_id as varchar) as campaign_id,
        cast(deals.deal_id as varchar) as deal_id,
        cast(deals.deal_status as varchar) as deal_status,
        cast(coalesce(deals.revenue, 0) as decimal(18, 2)) as revenue,
        cast(calls.history_complete as boolean) as history_complete
    from calls
    left join default_attribution
        on calls.call_id = default_attribution.call_id
    left join deals
        on calls.call_id = deals.call_id

)

select * from final
