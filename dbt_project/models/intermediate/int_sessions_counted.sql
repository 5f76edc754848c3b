{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': 'visit_date'}},
    pre_hook="{{ delete_incremental_window('visit_date', visit_window_start()) }}",
) }}
{#-
    Sessions per (visit_date, campaign-resolution inputs, utm tags): what roi_daily counts, so the
    mart groups thousands of rows instead of every session. Incremental by visit_date.
-#}
{%- set window_start = visit_window_start() %}

with sessions as (

    select * from {{ ref('int_sessions_resolved') }}
    {%- if window_start is not none %}
    where visit_date >= cast('{{ window_start }}' as date)
        {#- the same bound on the visits' own column (visit_date is its date): the scan then skips the
            blocks of a year of older visits instead of computing each one's date -#}
        and started_at_local >= cast(cast('{{ window_start }}' as date) as timestamp)
    {%- endif %}

),

final as (

    select
        visit_date,
        direct_campaign_id,
        utm_source,
        utm_medium,
        utm_campaign,
        count(*) as sessions
    from sessions
    group by visit_date, direct_campaign_id, utm_source, utm_medium, utm_campaign

)

select * from final
