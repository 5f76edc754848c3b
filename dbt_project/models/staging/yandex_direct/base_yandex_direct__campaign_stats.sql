{{ config(materialized='table') }}
{#- Every landed Direct stats row with its _quarantine_reason (NULL = valid); the stream's validity rule. -#}

with landed as (

    select * from {{ landing_relation('yandex_direct', 'campaign_stats') }} as landed_stats

),

checked as (

    select
        *,
        case
            when campaign_id is null or trim(campaign_id) = '' then 'missing_id'
            when date is null then 'missing_time'
            when cost < 0 or clicks < 0 or impressions < 0 then 'negative_value'
        end as _defect
    from landed

),

ranked as (

    select
        *,
        row_number() over (
            partition by date, campaign_id
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
