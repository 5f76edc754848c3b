{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': '_partition_date'}},
    pre_hook="{{ replace_landed_window('calltouch', 'calls', ['call_id'], own_day=started_day()) }}",
    post_hook="{{ rank_copies('call_id', started_day()) }}",
) }}
{#-
    Every landed Calltouch call with its _quarantine_reason (NULL = valid). The validity rule
    for this stream lives here only: stg_calltouch__calls keeps the NULLs, int_records_quarantined
    the rest. Copies of one call id: macros/copies.sql. Incremental on the landed day: a run reads
    the landed days of its window again and keeps the rest (macros/incremental.sql).
-#}
{%- set payload_fields = {
    'date': '$.date', 'duration': '$.duration', 'waiting': '$.waitingConnect', 'successful': '$.successful',
} %}
{%- set window_start = landing_window_start('calltouch', 'calls') %}

with landed as (

    select * from {{ landing_relation('calltouch', 'calls', payload_fields=payload_fields, from_day=window_start) }}
        as landed_calls

),

checked as (

    select
        {{ landed_columns(payload_fields) }},
        case
            when _malformed is not null then _malformed
            when call_id is null or trim(call_id) = '' then 'missing_id'
            when started_at_local is null and nullif(trim(_raw_date), '') is not null then 'unparseable_time'
            when started_at_local is null then 'missing_time'
            when talk_seconds < 0 or wait_seconds < 0
                or coalesce(talk_seconds, 0) + coalesce(wait_seconds, 0) > 86400
                then 'impossible_duration'
            when (talk_seconds is null and nullif(trim(_raw_duration), '') is not null)
                or (wait_seconds is null and nullif(trim(_raw_waiting), '') is not null)
                or (answered is null and nullif(trim(_raw_successful), '') is not null)
                then 'unparseable_value'
        end as _defect,
        {{ this_run_at() }} as _built_at
    from landed

),

final as (

    {{ unranked_copies('checked', 'call_id') }}

)

select * from final
