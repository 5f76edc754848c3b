{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': 'call_id', 'via': 'fct_calls', 'via_date': 'call_date'}},
    pre_hook="{{ delete_rebuilt_rows(rebuilt_call_id(mart_call_window_start(tracking='calls'), 'call_id', held=mart_state('calls'))) }}",
    post_hook=["{{ remember_campaign_lookup() }}", "{{ remember_calls(mart_call_window_start(tracking='calls')) }}", "{{ remember_signatures(mart_call_window_start(tracking='calls'), day_from_calls=true) }}"],
) }}
{#-
    One row per (call, model, touch) for every call; credits per (call_id, model) sum to 1;
    revenue_credit = credit x the call's revenue. The credits are incremental upstream; the campaign
    (macro select_with_resolved_campaign) and revenue (a deal may close any day) are joined here, on
    every build, so they are always current. Incremental (macros/marts.sql): a run rebuilds the
    calls from its window on and the calls whose deal outcome changed, and deletes the rows of the
    calls it holds from the window on that fct_calls no longer has.
-#}
{%- set window_start = mart_call_window_start(tracking='calls') %}

with allocated as (

    select * from {{ ref('int_attribution_credits_allocated') }}
    where {{ rebuilt_call(window_start, 'call_id', 'call_date') }}

),

resolved as (

    {{ select_with_resolved_campaign('allocated') }}

),

credits as (

    {#- a row per model: the campaign is resolved once per touch, before the touches are repeated -#}
    select
        resolved.*,
        models.attribution_model,
        {{ credit_of_model('models.attribution_model', 'resolved') }} as credit
    from resolved
    cross join {{ attribution_models_relation() }} as models

),

calls as (

    select call_id, revenue from {{ ref('fct_calls') }}
    where {{ rebuilt_call(window_start, 'call_id', 'call_date') }}

),

final as (

    select
        cast(credits.call_id as varchar) as call_id,
        cast(credits.attribution_model as varchar) as attribution_model,
        cast(credits.touch_session_id as varchar) as touch_session_id,
        cast(credits.touch_at as timestamp with time zone) as touch_at,
        cast(credits.touch_index as integer) as touch_index,
        cast(credits.touch_count as integer) as touch_count,
        cast(credits.utm_source as varchar) as utm_source,
        cast(credits.utm_medium as varchar) as utm_medium,
        cast(credits.utm_campaign as varchar) as utm_campaign,
        cast(credits.campaign_id as varchar) as campaign_id,
        cast(credits.credit as double) as credit,
        cast(credits.credit * coalesce(calls.revenue, 0) as decimal(18, 2)) as revenue_credit
    from credits
    inner join calls
        on credits.call_id = calls.call_id

)

select * from final
