{{ config(materialized='table') }}
{#-
    Every landed Metrica visit with its _quarantine_reason (NULL = valid); the stream's validity rule.
    Of several copies of one visit id the kept one is a valid one, landed on the visit's own day, the
    latest day, the last in its file (never "the one landed last": landing order does not matter).
-#}

with landed as (

    select * from {{ landing_relation('yandex_metrika', 'visits', payload_fields={'date_time': '$."ym:s:dateTime"'}) }} as landed_visits

),

checked as (

    select
        *,
        case
            when _malformed is not null then _malformed
            when visit_id is null or trim(visit_id) = '' then 'missing_id'
            when started_at_local is null and nullif(trim(_raw_date_time), '') is not null then 'unparseable_time'
            when started_at_local is null then 'missing_time'
        end as _defect
    from landed

),

ranked as (

    select
        *,
        row_number() over (
            partition by visit_id
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
