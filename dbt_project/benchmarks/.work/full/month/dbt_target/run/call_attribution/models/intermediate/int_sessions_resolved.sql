
  
  create view "warehouse"."intermediate"."int_sessions_resolved__dbt_tmp" as (
    with visits as (

    select * from "warehouse"."staging"."stg_yandex_metrika__visits"

),

sessions as (

    select
        visit_id as session_id,
        try_cast(visit_id as hugeint) as session_sort_key,
        client_id,
        started_at,
        started_at_local,
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
  );
