{{ config(materialized='table') }}
{#- Every landed Metrica visit with its _quarantine_reason (NULL = valid); the stream's validity rule. -#}

with landed as (

    select * from {{ landing_relation('yandex_metrika', 'visits') }} as landed_visits

),

checked as (

    select
        *,
        case
            when visit_id is null or trim(visit_id) = '' then 'missing_id'
            when started_at_local is null then 'missing_time'
        end as _defect
    from landed

),

ranked as (

    select
        *,
        row_number() over (
            partition by visit_id
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
