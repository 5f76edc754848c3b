{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': '_partition_date'}},
    pre_hook="{{ replace_landed_window('yandex_metrika', 'visits', ['visit_id'], own_day=started_day()) }}",
    post_hook="{{ rank_copies('visit_id', started_day()) }}",
) }}
{#-
    Every landed Metrica visit with its _quarantine_reason (NULL = valid); the stream's validity rule.
    Copies of one visit id: macros/copies.sql. Incremental on the landed day: a run reads the landed
    days of its window again and keeps the rest (macros/incremental.sql).
-#}
{%- set payload_fields = {'date_time': '$."ym:s:dateTime"'} %}
{%- set window_start = landing_window_start('yandex_metrika', 'visits') %}

with landed as (

    select * from {{ landing_relation('yandex_metrika', 'visits', payload_fields=payload_fields, from_day=window_start) }}
        as landed_visits

),

checked as (

    select
        {{ landed_columns(payload_fields) }},
        case
            when _malformed is not null then _malformed
            when visit_id is null or trim(visit_id) = '' then 'missing_id'
            when started_at_local is null and nullif(trim(_raw_date_time), '') is not null then 'unparseable_time'
            when started_at_local is null then 'missing_time'
        end as _defect,
        {{ this_run_at() }} as _built_at
    from landed

),

final as (

    {{ unranked_copies('checked', 'visit_id') }}

)

select * from final
