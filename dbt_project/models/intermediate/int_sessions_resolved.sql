{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': 'visit_date'}},
    pre_hook="{{ delete_incremental_window('visit_date', visit_window_start(none)) }}",
) }}
{#-
    Web sessions with the direct-touch flag, the numeric id that breaks ties between sessions, and
    the inputs of campaign resolution (direct_campaign_id, utm_source, utm_campaign). The campaign
    itself is resolved where it is reported (marts), so a renamed campaign or a new override seed row
    never leaves stale rows in this incremental table. Incremental by visit_date (macros/incremental.sql).
-#}
{%- set window_start = visit_window_start(none) %}

with visits as (

    select * from {{ ref('stg_yandex_metrika__visits') }}
    {{ in_incremental_window('visit_date', window_start) }}

),

sessions as (

    select
        visit_id as session_id,
        {{ numeric_id('visit_id') }} as session_sort_key,
        client_id,
        started_at,
        visit_date,
        traffic_source,
        coalesce(traffic_source in ('direct', 'internal'), false) and utm_source is null as is_direct,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        direct_campaign_id
    from visits

)

select * from sessions
