
    

    create  table
      "warehouse"."intermediate"."int_sessions_counted__dbt_tmp"
  
    
    as (
      

with sessions as (

    select * from "warehouse"."intermediate"."int_sessions_resolved"

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
    );
    
  
  