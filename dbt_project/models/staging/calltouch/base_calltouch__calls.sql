{{ config(materialized='table') }}
{#-
    Every landed Calltouch call with its _quarantine_reason (NULL = valid). The validity rule
    for this stream lives here only: stg_calltouch__calls keeps the NULLs, int_records_quarantined
    the rest. Materialised as a table so the Parquet files are read once per build.

    Of several copies of one call id the kept one is, in order: a valid one, the one landed on the
    call's own day, the latest day, the last in its file - never "the one landed last", so the
    result does not depend on which days were landed (or re-landed) in which order.
-#}

with landed as (

    select * from {{ landing_relation('calltouch', 'calls', payload_fields={
        'date': '$.date', 'duration': '$.duration', 'waiting': '$.waitingConnect', 'successful': '$.successful',
    }) }} as landed_calls

),

checked as (

    select
        *,
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
        end as _defect
    from landed

),

ranked as (

    select
        *,
        row_number() over (
            partition by call_id
            order by
                case when _defect is null then 0 else 1 end,
                case when cast(started_at_local as date) = _partition_date then 0 else 1 end,
                _partition_date desc,
                _file_row desc
        ) as _copy_rank
    from checked

),

final as (

    select
        *,
        coalesce(_defect, case when _copy_rank > 1 then 'duplicate_id' end) as _quarantine_reason
    from ranked

)

select * from final
