{{ config(materialized='table') }}
{#-
    Every landed Direct stats row with its _quarantine_reason (NULL = valid); the stream's validity
    rule. The connector lands "--" as 0 and a number it cannot read as NULL. Of several copies of one
    (date, campaign) the kept one is a valid one, landed on its own day, the latest day, the last in
    its file (never "the one landed last": the result does not depend on landing order).
-#}

with landed as (

    select * from {{ landing_relation('yandex_direct', 'campaign_stats', payload_fields={'date': '$.Date'}) }} as landed_stats

),

checked as (

    select
        *,
        case
            when _malformed is not null then _malformed
            when campaign_id is null or trim(campaign_id) = '' then 'missing_id'
            when date is null and nullif(trim(_raw_date), '') is not null then 'unparseable_time'
            when date is null then 'missing_time'
            when impressions is null or clicks is null or cost is null then 'unparseable_value'
            when cost < 0 or clicks < 0 or impressions < 0 then 'negative_value'
        end as _defect
    from landed

),

ranked as (

    select
        *,
        row_number() over (
            partition by date, campaign_id
            order by
                case when _defect is null then 0 else 1 end,
                case when date = _partition_date then 0 else 1 end,
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
