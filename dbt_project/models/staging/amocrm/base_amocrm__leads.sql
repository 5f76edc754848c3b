{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': '_partition_date'}},
    pre_hook="{{ replace_landed_window('amocrm', 'leads', ['lead_id']) }}",
    post_hook="{{ rerank_copies(amocrm_lead_versions(copies_to_rerank(['lead_id'], amocrm_lead_version_columns())),
                                amocrm_lead_version_columns()) }}",
) }}
{#-
    Every landed amoCRM deal version with its _quarantine_reason (NULL = valid); the stream's
    validity rule. Which version is kept: macros/amocrm.sql. Incremental on the landed day: a run
    reads the landed days of its window and ranks every version of the deals it wrote again.
-#}
{%- set payload_fields = {
    'created_at': '$.created_at', 'price': '$.price', 'status_id': '$.status_id',
} %}
{%- set window_start = landing_window_start('amocrm', 'leads') %}

with landed as (

    select * from {{ landing_relation('amocrm', 'leads', payload_fields=payload_fields, from_day=window_start) }}
        as landed_leads

),

checked as (

    select
        {{ landed_columns(payload_fields) }},
        case
            when _malformed is not null then _malformed
            when lead_id is null or trim(lead_id) = '' then 'missing_id'
            when created_at is null and nullif(nullif(trim(_raw_created_at), ''), '0') is not null then 'unparseable_time'
            when created_at is null then 'missing_time'
            when (price is null and nullif(trim(_raw_price), '') is not null)
                or (status_id is null and nullif(trim(_raw_status_id), '') is not null)
                then 'unparseable_value'
        end as _defect,
        {{ this_run_at() }} as _built_at
    from landed

),

final as (

    {{ amocrm_lead_versions('checked') }}

)

select * from final
