{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': 'call_date'}},
    pre_hook="{{ delete_incremental_window('call_date', call_window_start('int_attribution_credits_allocated')) }}",
) }}
{#-
    Touches: sessions of the call's client id that started within attribution_lookback_days x 24 h
    before the call and not after it, numbered 1..touch_count by start time, then the numeric
    session id (then the id text, should an id not be numeric). Incremental by call_date: a run
    rebuilds the touches of the calls from its window on (macros/incremental.sql).
-#}
{%- set window_start = call_window_start('int_attribution_credits_allocated') %}

with calls as (

    select * from {{ ref('int_calls_flagged') }}
    where client_id is not null
    {{ in_incremental_window('call_date', window_start, 'and') }}

),

sessions as (

    select * from {{ ref('int_sessions_resolved') }}
    where client_id is not null
    {%- if window_start is not none %}
        and started_at >= {{ hours_before(var('attribution_lookback_days') ~ ' + 1', local_midnight("cast('" ~ window_start ~ "' as date)")) }}
        {#- the same bound, a day wider, on the landed local time: it reaches the visits' own column,
            so the scan skips a year of older visits instead of computing each one's session first -#}
        and started_at_local >= cast({{ dbt.dateadd('day', -1 * (var('attribution_lookback_days') | int + 2), "cast('" ~ window_start ~ "' as date)") }} as timestamp)
    {%- endif %}

),

joined as (

    select
        calls.call_id,
        calls.call_date,
        calls.started_at as call_started_at,
        sessions.session_id as touch_session_id,
        sessions.session_sort_key,
        sessions.started_at as touch_at,
        sessions.is_direct,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.utm_content,
        sessions.utm_term,
        sessions.direct_campaign_id
    from calls
    inner join sessions
        on calls.client_id = sessions.client_id
        and sessions.started_at <= calls.started_at
        and sessions.started_at >= {{ hours_before(var('attribution_lookback_days'), 'calls.started_at') }}

),

numbered as (

    select
        call_id,
        call_date,
        call_started_at,
        touch_session_id,
        touch_at,
        cast(row_number() over (
            partition by call_id
            order by touch_at, session_sort_key, touch_session_id
        ) as integer) as touch_index,
        cast(count(*) over (partition by call_id) as integer) as touch_count,
        {{ fractional_days_between('touch_at', 'call_started_at') }} as touch_age_days,
        is_direct,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        direct_campaign_id
    from joined

)

select * from numbered
