
    
      
    

    create  table
      "warehouse"."marts"."fct_calls__dbt_tmp"
  
  (
    call_id varchar,
    source_system varchar,
    started_at timestamp with time zone,
    call_date date,
    caller_hash varchar,
    tracking_number varchar,
    answered boolean,
    wait_seconds integer,
    talk_seconds integer,
    is_unique boolean,
    is_target boolean,
    is_unique_target boolean,
    vendor_is_target boolean,
    operator_name varchar,
    call_center varchar,
    recording_url varchar,
    session_id varchar,
    client_id varchar,
    utm_source varchar,
    utm_medium varchar,
    utm_campaign varchar,
    utm_content varchar,
    utm_term varchar,
    campaign_id varchar,
    deal_id varchar,
    deal_status varchar,
    revenue decimal(18,2),
    history_complete boolean
    
    )
 ;
    
    
    insert into "warehouse"."marts"."fct_calls__dbt_tmp" 
  (
    
      
      
      call_id ,
    
      
      
      source_system ,
    
      
      
      started_at ,
    
      
      
      call_date ,
    
      
      
      caller_hash ,
    
      
      
      tracking_number ,
    
      
      
      answered ,
    
      
      
      wait_seconds ,
    
      
      
      talk_seconds ,
    
      
      
      is_unique ,
    
      
      
      is_target ,
    
      
      
      is_unique_target ,
    
      
      
      vendor_is_target ,
    
      
      
      operator_name ,
    
      
      
      call_center ,
    
      
      
      recording_url ,
    
      
      
      session_id ,
    
      
      
      client_id ,
    
      
      
      utm_source ,
    
      
      
      utm_medium ,
    
      
      
      utm_campaign ,
    
      
      
      utm_content ,
    
      
      
      utm_term ,
    
      
      
      campaign_id ,
    
      
      
      deal_id ,
    
      
      
      deal_status ,
    
      
      
      revenue ,
    
      
      
      history_complete 
    
  )
 (
      
    select call_id, source_system, started_at, call_date, caller_hash, tracking_number, answered, wait_seconds, talk_seconds, is_unique, is_target, is_unique_target, vendor_is_target, operator_name, call_center, recording_url, session_id, client_id, utm_source, utm_medium, utm_campaign, utm_content, utm_term, campaign_id, deal_id, deal_status, revenue, history_complete
    from (
        

with calls as (

    select * from "warehouse"."intermediate"."int_calls_flagged"
    where (1 = 1)

),

default_credits as (

    select * from "warehouse"."intermediate"."int_attribution_credits_allocated"
    where credit_last_non_direct > 0
        and (1 = 1)

),

default_attribution as (

    select
        default_credits.*,
        coalesce(
            default_credits.direct_campaign_id,
            campaign_by_id.campaign_id,
            campaign_by_name.campaign_id,
            campaign_by_override.campaign_id
        ) as campaign_id
    from default_credits
    left join "warehouse"."intermediate"."int_campaigns" as campaign_by_id
        on default_credits.utm_campaign = campaign_by_id.campaign_id
    left join (
        select campaign_name_key, min(campaign_id) as campaign_id
        from "warehouse"."intermediate"."int_campaigns"
        group by campaign_name_key
    ) as campaign_by_name
        on lower(trim(default_credits.utm_campaign)) = campaign_by_name.campaign_name_key
    left join (
        select
            lower(trim(utm_source)) as utm_source_key,
            lower(trim(utm_campaign)) as utm_campaign_key,
            min(campaign_id) as campaign_id
        from "warehouse"."seeds"."campaign_overrides"
        group by lower(trim(utm_source)), lower(trim(utm_campaign))
    ) as campaign_by_override
        on lower(trim(default_credits.utm_source)) = campaign_by_override.utm_source_key
        and lower(trim(default_credits.utm_campaign)) = campaign_by_override.utm_campaign_key

),

deals as (

    select * from "warehouse"."intermediate"."int_deals_linked"
    where is_linked

),

final as (

    select
        cast(calls.call_id as varchar) as call_id,
        cast(calls.source_system as varchar) as source_system,
        cast(calls.started_at as timestamp with time zone) as started_at,
        cast(calls.call_date as date) as call_date,
        cast(calls.caller_hash as varchar) as caller_hash,
        cast(calls.tracking_number as varchar) as tracking_number,
        cast(calls.answered as boolean) as answered,
        cast(calls.wait_seconds as integer) as wait_seconds,
        cast(calls.talk_seconds as integer) as talk_seconds,
        cast(calls.is_unique as boolean) as is_unique,
        cast(calls.is_target as boolean) as is_target,
        cast(calls.is_unique_target as boolean) as is_unique_target,
        cast(calls.vendor_is_target as boolean) as vendor_is_target,
        cast(calls.operator_name as varchar) as operator_name,
        cast(calls.call_center as varchar) as call_center,
        cast(calls.recording_url as varchar) as recording_url,
        cast(default_attribution.touch_session_id as varchar) as session_id,
        cast(calls.client_id as varchar) as client_id,
        cast(default_attribution.utm_source as varchar) as utm_source,
        cast(default_attribution.utm_medium as varchar) as utm_medium,
        cast(default_attribution.utm_campaign as varchar) as utm_campaign,
        cast(default_attribution.utm_content as varchar) as utm_content,
        cast(default_attribution.utm_term as varchar) as utm_term,
        cast(default_attribution.campaign_id as varchar) as campaign_id,
        cast(deals.deal_id as varchar) as deal_id,
        cast(deals.deal_status as varchar) as deal_status,
        cast(coalesce(deals.revenue, 0) as decimal(18, 2)) as revenue,
        cast(calls.history_complete as boolean) as history_complete
    from calls
    left join default_attribution
        on calls.call_id = default_attribution.call_id
    left join deals
        on calls.call_id = deals.call_id

)

select * from final
    ) as model_subq
    );
  
  