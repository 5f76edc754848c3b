
  
  create view "warehouse"."staging"."stg_yandex_direct__campaign_stats__dbt_tmp" as (
    with base as (

    select * from "warehouse"."staging"."base_yandex_direct__campaign_stats"
    where _quarantine_reason is null

),

renamed as (

    select
        date as spend_date,
        campaign_id,
        campaign_name,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks,
        cast((coalesce(cost, 0)) as decimal(18, 2)) as cost,
        _partition_date,
        _landed_at
    from base

)

select * from renamed
  );
