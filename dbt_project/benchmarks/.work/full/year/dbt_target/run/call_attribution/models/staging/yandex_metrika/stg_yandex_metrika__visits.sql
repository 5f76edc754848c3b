
  
  create view "warehouse"."staging"."stg_yandex_metrika__visits__dbt_tmp" as (
    with base as (

    select * from "warehouse"."staging"."base_yandex_metrika__visits"
    where _quarantine_reason is null

),

renamed as (

    select
        visit_id,
        nullif(client_id, '0') as client_id,
        timezone('Europe/Moscow', cast(started_at_local as timestamp)) as started_at,
        started_at_local,
        cast(started_at_local as date) as visit_date,
        traffic_source,
        adv_engine,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        nullif(direct_campaign_id, '0') as direct_campaign_id,
        start_url,
        _partition_date,
        _landed_at
    from base

)

select * from renamed
  );
