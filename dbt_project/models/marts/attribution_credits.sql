{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': 'call_date'}},
    pre_hook=["{{ add_missing_column('call_date', 'date') }}", "{{ delete_rebuilt_rows(rebuilt_call(mart_call_window_start('call_date'), 'call_id', 'call_date')) }}"],
    post_hook=["{{ remember_campaign_lookup() }}", "{{ forget_mart_state(['calls', 'call_days']) }}", "{{ remember_signatures(mart_call_window_start('call_date')) }}"],
) }}
{#-
    One row per (call, model, touch) for every call; credits per (call_id, model) sum to 1;
    revenue_credit = credit x the call's revenue; call_date is the call's (fct_calls), so the credits
    of a day are read by date - in a daily run, by the mart's own window and tests, roi_daily and
    publishing - instead of by looking up their calls among a year of credits. The credits are
    incremental upstream; the campaign (macro select_with_resolved_campaign) and revenue (a deal may
    close any day) are joined here, on every build, so they are always current. Incremental
    (macros/marts.sql), like fct_calls: a run rebuilds the calls from its window on and the calls
    whose deal outcome changed.

    call_date came after the columns of DESIGN section 4 and is the last column (docs/migrations.md): a
    table built by an earlier version lacks it; its first run then rebuilds every row
    (mart_call_window_start) after adding the column (add_missing_column), so any other change of
    shape still fails the build.
-#}
{%- set window_start = mart_call_window_start('call_date') %}

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

    select call_id, call_date, revenue from {{ ref('fct_calls') }}
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
        cast(credits.credit * coalesce(calls.revenue, 0) as decimal(18, 2)) as revenue_credit,
        cast(calls.call_date as date) as call_date
    from credits
    inner join calls
        on credits.call_id = calls.call_id

)

select * from final
