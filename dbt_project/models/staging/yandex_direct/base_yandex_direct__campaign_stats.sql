{{ config(materialized='table') }}
{#-
    Every landed Direct stats row with its _quarantine_reason (NULL = valid); the stream's validity
    rule. The connector lands "--" as 0 and a number it cannot read as NULL. Copies of one
    (date, campaign): macros/copies.sql.
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

final as (

    {{ ranked_copies('checked', ['date', 'campaign_id'], 'date') }}

)

select * from final
