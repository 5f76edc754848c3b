{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': 'call_date'}},
    pre_hook="{{ delete_rebuilt_rows(rebuilt_call(mart_call_window_start(), 'call_id', 'call_date')) }}",
    post_hook=["{{ remember_campaign_lookup() }}", "{{ remember_call_days(mart_call_window_start()) }}", "{{ remember_signatures(mart_call_window_start()) }}"],
) }}
{#-
    Calls worth listening to: answered calls whose talk time is at least review_talk_ratio (1.5) x
    their call center's average talk time of answered calls over the review_window_days (7) local
    days ending on the call's date - with the recording, the operator and the outcome. Incremental
    (macros/marts.sql): a run rebuilds the calls from its window on and the calls whose deal outcome
    changed; the centers' averages are read from every day.
-#}
{%- set window_start = mart_call_window_start() %}
-- depends_on: {{ ref('int_campaigns') }} {{ ref('campaign_overrides') }} (the campaign lookup its window compares)

with calls as (

    select * from {{ ref('fct_calls') }}
    where answered and {{ rebuilt_call(window_start, 'call_id', 'call_date') }}

),

center_days as (

    {#- from fct_calls again, not the calls CTE: a CTE used twice is materialized (every answered call) -#}
    select
        call_date,
        coalesce(call_center, '(unknown)') as call_center,
        sum(coalesce(talk_seconds, 0)) as talk_seconds_total,
        count(*) as answered_calls
    from {{ ref('fct_calls') }}
    where answered
    group by call_date, coalesce(call_center, '(unknown)')

),

center_windows as (

    select
        center_days.call_date,
        center_days.call_center,
        1.0 * sum(window_days.talk_seconds_total) / sum(window_days.answered_calls) as center_avg_talk_seconds
    from center_days
    inner join center_days as window_days
        on center_days.call_center = window_days.call_center
        and window_days.call_date <= center_days.call_date
        and window_days.call_date > {{ dbt.dateadd('day', -1 * var('review_window_days'), 'center_days.call_date') }}
    group by center_days.call_date, center_days.call_center

),

scored as (

    select
        calls.*,
        center_windows.center_avg_talk_seconds,
        {{ safe_divide('calls.talk_seconds', 'center_windows.center_avg_talk_seconds') }} as talk_ratio
    from calls
    inner join center_windows
        on calls.call_date = center_windows.call_date
        and coalesce(calls.call_center, '(unknown)') = center_windows.call_center

),

final as (

    select
        cast(call_id as varchar) as call_id,
        cast(started_at as timestamp with time zone) as started_at,
        cast(call_date as date) as call_date,
        cast(call_center as varchar) as call_center,
        cast(operator_name as varchar) as operator_name,
        cast(talk_seconds as integer) as talk_seconds,
        cast(center_avg_talk_seconds as double) as center_avg_talk_seconds,
        cast(talk_ratio as double) as talk_ratio,
        cast(recording_url as varchar) as recording_url,
        cast(is_target as boolean) as is_target,
        cast(is_unique_target as boolean) as is_unique_target,
        cast(deal_id as varchar) as deal_id,
        cast(deal_status as varchar) as deal_status,
        cast(revenue as decimal(18, 2)) as revenue,
        cast(utm_source as varchar) as utm_source,
        cast(utm_campaign as varchar) as utm_campaign,
        cast(campaign_id as varchar) as campaign_id
    from scored
    where talk_ratio >= {{ var('review_talk_ratio') }}

)

select * from final
