{{ config(materialized='table') }}
{#-
    Every landed Calltouch call with its _quarantine_reason (NULL = valid). The validity rule
    for this stream lives here only: stg_calltouch__calls keeps the NULLs, int_records_quarantined
    the rest. Materialised as a table so the Parquet files are read once per build.
-#}

with landed as (

    select * from {{ landing_relation('calltouch', 'calls') }} as landed_calls

),

checked as (

    select
        *,
        case
            when call_id is null or trim(call_id) = '' then 'missing_id'
            when started_at_local is null then 'missing_time'
            when talk_seconds < 0 or wait_seconds < 0
                or coalesce(talk_seconds, 0) + coalesce(wait_seconds, 0) > 86400
                then 'impossible_duration'
        end as _defect
    from landed

),

ranked as (

    select
        *,
        row_number() over (
            partition by call_id
            order by case when _defect is null then 0 else 1 end, _landed_at desc, _partition_date desc
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
