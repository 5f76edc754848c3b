{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': '_partition_date'}},
    pre_hook="{{ replace_landed_window('yandex_direct', 'campaign_stats', ['date', 'campaign_id']) }}",
    post_hook="{{ rerank_copies(ranked_copies(copies_to_rerank(['date', 'campaign_id'], ['_copy_rank', '_quarantine_reason']),
                                               ['date', 'campaign_id'], 'date'), ['_copy_rank', '_quarantine_reason']) }}",
) }}
{#-
    Every landed Direct stats row with its _quarantine_reason (NULL = valid); the stream's validity
    rule. The connector lands "--" as 0 and a number it cannot read as NULL. Copies of one
    (date, campaign): macros/copies.sql. Incremental on the landed day: a run reads the landed days
    of its window and ranks the copies of the keys it wrote again over the whole table.
-#}
{%- set payload_fields = {'date': '$.Date'} %}
{%- set window_start = landing_window_start('yandex_direct', 'campaign_stats') %}

with landed as (

    select * from {{ landing_relation('yandex_direct', 'campaign_stats', payload_fields=payload_fields, from_day=window_start) }}
        as landed_stats

),

checked as (

    select
        {{ landed_columns(payload_fields) }},
        case
            when _malformed is not null then _malformed
            when campaign_id is null or trim(campaign_id) = '' then 'missing_id'
            when date is null and nullif(trim(_raw_date), '') is not null then 'unparseable_time'
            when date is null then 'missing_time'
            when impressions is null or clicks is null or cost is null then 'unparseable_value'
            when cost < 0 or clicks < 0 or impressions < 0 then 'negative_value'
        end as _defect,
        {{ this_run_at() }} as _built_at
    from landed

),

final as (

    {{ ranked_copies('checked', ['date', 'campaign_id'], 'date') }}

)

select * from final
