{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': 'call_date'}},
    pre_hook="{{ delete_incremental_window('call_date', call_window_start('int_calls_flagged')) }}",
) }}
{#-
    The project's own call flags (DESIGN section 1), one definition for all vendors:
      is_unique         no earlier call (answered or not) of the same caller_hash started at or
                        after t - unique_window_days x 24 h and before t;
      is_target         answered and talk_seconds >= target_min_talk_seconds;
      is_unique_target  a target call with no earlier target call of the same caller started at
                        or after t - sales_cycle_days x 24 h;
      history_complete  t - unique_window_days x 24 h is not before the local midnight of the
                        first landed day of the call's source system.
    Equal start times are ordered by call_id (the smaller id is the earlier call). A call with
    no caller_hash (unparseable number) cannot be matched: it is unique and, if target, unique target.

    Incremental by call_date (macros/incremental.sql): a run rebuilds the calls from its window on,
    reading the calls of the longer of the two look-back windows before it for their predecessors
    (a call's flags depend only on earlier calls, so the calls before the window keep theirs).
-#}
{%- set window_start = call_window_start('int_calls_flagged') %}
{%- set lookback_days = [var('unique_window_days') | int, var('sales_cycle_days') | int] | max + 1 %}

{#- int_calls_unioned is read twice rather than through one CTE: a CTE used twice is materialized,
    which would compute every call of the history for the window's few. -#}
with calls as (

    select * from {{ ref('int_calls_unioned') }}
    {%- if window_start is not none %}
    {%- set first_day = dbt.dateadd('day', -1 * lookback_days, "cast('" ~ window_start ~ "' as date)") %}
    where call_date >= {{ first_day }}
        {#- the same bound on the calls' wall-clock start (call_date is its date): the scan then skips
            the row groups of a year of older calls (0.12 s of a daily run) instead of computing each
            one's date -#}
        and started_at_local >= cast({{ first_day }} as timestamp)
    {%- endif %}

),

first_landed as (

    select source_system, min(_partition_date) as first_landed_date
    from {{ ref('int_calls_unioned') }}
    group by source_system

),

targeted as (

    select
        *,
        coalesce(answered, false)
            and coalesce(talk_seconds, 0) >= {{ var('target_min_talk_seconds') }} as is_target
    from calls

),

with_previous as (

    select
        *,
        max(started_at) over (
            partition by caller_hash
            order by started_at, call_id
            rows between unbounded preceding and 1 preceding
        ) as previous_call_at,
        max(case when is_target then started_at end) over (
            partition by caller_hash
            order by started_at, call_id
            rows between unbounded preceding and 1 preceding
        ) as previous_target_call_at
    from targeted

),

with_first_landed as (

    select
        with_previous.*,
        first_landed.first_landed_date
    from with_previous
    inner join first_landed
        on with_previous.source_system = first_landed.source_system

),

final as (

    select
        call_id,
        source_system,
        vendor_call_id,
        started_at,
        call_date,
        caller_hash,
        tracking_number,
        routed_number,
        answered,
        wait_seconds,
        talk_seconds,
        case
            when caller_hash is null or previous_call_at is null then true
            when previous_call_at < {{ hours_before(var('unique_window_days'), 'started_at') }} then true
            else false
        end as is_unique,
        is_target,
        case
            when not is_target then false
            when caller_hash is null or previous_target_call_at is null then true
            when previous_target_call_at < {{ hours_before(var('sales_cycle_days'), 'started_at') }} then true
            else false
        end as is_unique_target,
        vendor_is_unique,
        vendor_is_target,
        vendor_is_unique_target,
        operator_name,
        call_center,
        recording_url,
        vendor_session_id,
        client_id,
        vendor_source,
        vendor_medium,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        direct_campaign_id,
        coalesce(
            {{ hours_before(var('unique_window_days'), 'started_at') }}
                >= {{ local_midnight('first_landed_date') }},
            false
        ) as history_complete,
        _partition_date,
        _landed_at
    from with_first_landed
    {{ in_incremental_window('call_date', window_start) }}

)

select * from final
