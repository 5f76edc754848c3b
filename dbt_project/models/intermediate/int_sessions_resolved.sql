{#-
    Web sessions with their campaign resolved (macro select_with_resolved_campaign), the
    direct-touch flag and the numeric id that breaks ties between sessions. Sessions count in
    roi_daily by visit date; touches are drawn from here.
-#}

with visits as (

    select * from {{ ref('stg_yandex_metrika__visits') }}

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

),

resolved as (

    {{ select_with_resolved_campaign('sessions') }}

)

select * from resolved
