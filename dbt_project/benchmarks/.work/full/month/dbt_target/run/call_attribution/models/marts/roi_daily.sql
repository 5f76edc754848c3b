
    
      
    

    create  table
      "warehouse"."marts"."roi_daily__dbt_tmp"
  
  (
    date date,
    attribution_model varchar,
    ad_platform varchar,
    campaign_id varchar,
    campaign_name varchar,
    utm_source varchar,
    utm_medium varchar,
    utm_campaign varchar,
    impressions bigint,
    clicks bigint,
    cost decimal(18,2),
    sessions bigint,
    calls double,
    target_calls double,
    unique_target_calls double,
    deals_won double,
    revenue decimal(18,2),
    cpc decimal(18,2),
    cost_per_target_call decimal(18,2),
    cpl decimal(18,2),
    cpa decimal(18,2),
    roi double,
    roas double,
    is_settled boolean
    
    )
 ;
    
    
    insert into "warehouse"."marts"."roi_daily__dbt_tmp" 
  (
    
      
      
      date ,
    
      
      
      attribution_model ,
    
      
      
      ad_platform ,
    
      
      
      campaign_id ,
    
      
      
      campaign_name ,
    
      
      
      utm_source ,
    
      
      
      utm_medium ,
    
      
      
      utm_campaign ,
    
      
      
      impressions ,
    
      
      
      clicks ,
    
      
      
      cost ,
    
      
      
      sessions ,
    
      
      
      calls ,
    
      
      
      target_calls ,
    
      
      
      unique_target_calls ,
    
      
      
      deals_won ,
    
      
      
      revenue ,
    
      
      
      cpc ,
    
      
      
      cost_per_target_call ,
    
      
      
      cpl ,
    
      
      
      cpa ,
    
      
      
      roi ,
    
      
      
      roas ,
    
      
      
      is_settled 
    
  )
 (
      
    select date, attribution_model, ad_platform, campaign_id, campaign_name, utm_source, utm_medium, utm_campaign, impressions, clicks, cost, sessions, calls, target_calls, unique_target_calls, deals_won, revenue, cpc, cost_per_target_call, cpl, cpa, roi, roas, is_settled
    from (
        

with credits as (

    select * from "warehouse"."marts"."attribution_credits"
    where (1 = 1)

),

calls as (

    select * from "warehouse"."marts"."fct_calls"
    where (1 = 1)

),

session_groups as (

    select * from "warehouse"."intermediate"."int_sessions_counted"
    where (1 = 1)

),

unlinked_won_deals as (

    select * from "warehouse"."intermediate"."int_deals_linked"
    where not is_linked and deal_status = 'won'
        and (1 = 1)

),

spend as (

    select * from "warehouse"."staging"."stg_yandex_direct__campaign_stats"
    where (1 = 1)

),

campaigns as (

    select * from "warehouse"."intermediate"."int_campaigns"

),

models as (

    select * from (
        select 'last_click' as attribution_model union all
        select 'last_non_direct' as attribution_model union all
        select 'first_click' as attribution_model union all
        select 'linear' as attribution_model union all
        select 'position_based' as attribution_model union all
        select 'time_decay' as attribution_model
    ) as attribution_models

),

call_conversions as (

    select
        calls.call_date as date,
        credits.attribution_model,
        credits.campaign_id,
        case when credits.campaign_id is null then credits.utm_source end as utm_source,
        case when credits.campaign_id is null then credits.utm_medium end as utm_medium,
        case when credits.campaign_id is null then credits.utm_campaign end as utm_campaign,
        cast(0 as bigint) as sessions,
        credits.credit as calls,
        case when calls.is_target then credits.credit else 0 end as target_calls,
        case when calls.is_unique_target then credits.credit else 0 end as unique_target_calls,
        case when calls.deal_status = 'won' then credits.credit else 0 end as deals_won,
        credits.revenue_credit as revenue
    from credits
    inner join calls
        on credits.call_id = calls.call_id

),

session_groups_resolved as (

    select
        session_groups.*,
        coalesce(
            session_groups.direct_campaign_id,
            campaign_by_id.campaign_id,
            campaign_by_name.campaign_id,
            campaign_by_override.campaign_id
        ) as campaign_id
    from session_groups
    left join "warehouse"."intermediate"."int_campaigns" as campaign_by_id
        on session_groups.utm_campaign = campaign_by_id.campaign_id
    left join (
        select campaign_name_key, min(campaign_id) as campaign_id
        from "warehouse"."intermediate"."int_campaigns"
        group by campaign_name_key
    ) as campaign_by_name
        on lower(trim(session_groups.utm_campaign)) = campaign_by_name.campaign_name_key
    left join (
        select
            lower(trim(utm_source)) as utm_source_key,
            lower(trim(utm_campaign)) as utm_campaign_key,
            min(campaign_id) as campaign_id
        from "warehouse"."seeds"."campaign_overrides"
        group by lower(trim(utm_source)), lower(trim(utm_campaign))
    ) as campaign_by_override
        on lower(trim(session_groups.utm_source)) = campaign_by_override.utm_source_key
        and lower(trim(session_groups.utm_campaign)) = campaign_by_override.utm_campaign_key

),

session_totals as (

    select
        visit_date as date,
        campaign_id,
        case when campaign_id is null then utm_source end as utm_source,
        case when campaign_id is null then utm_medium end as utm_medium,
        case when campaign_id is null then utm_campaign end as utm_campaign,
        sum(sessions) as sessions
    from session_groups_resolved
    group by
        visit_date,
        campaign_id,
        case when campaign_id is null then utm_source end,
        case when campaign_id is null then utm_medium end,
        case when campaign_id is null then utm_campaign end

),

session_counts as (

    select
        session_totals.date,
        models.attribution_model,
        session_totals.campaign_id,
        session_totals.utm_source,
        session_totals.utm_medium,
        session_totals.utm_campaign,
        cast(session_totals.sessions as bigint) as sessions,
        0 as calls,
        0 as target_calls,
        0 as unique_target_calls,
        0 as deals_won,
        cast(0 as decimal(18, 2)) as revenue
    from session_totals
    cross join models

),

deals_without_call as (

    select
        unlinked_won_deals.created_date as date,
        models.attribution_model,
        cast(null as varchar) as campaign_id,
        '(no call)' as utm_source,
        '(none)' as utm_medium,
        cast(null as varchar) as utm_campaign,
        cast(0 as bigint) as sessions,
        0 as calls,
        0 as target_calls,
        0 as unique_target_calls,
        1 as deals_won,
        unlinked_won_deals.revenue
    from unlinked_won_deals
    cross join models

),

activity_rows as (

    select * from call_conversions
    union all
    select * from session_counts
    union all
    select * from deals_without_call

),

activity as (

    select
        date,
        attribution_model,
        campaign_id,
        utm_source,
        utm_medium,
        utm_campaign,
        sum(sessions) as sessions,
        sum(calls) as calls,
        sum(target_calls) as target_calls,
        sum(unique_target_calls) as unique_target_calls,
        sum(deals_won) as deals_won,
        sum(revenue) as revenue
    from activity_rows
    group by date, attribution_model, campaign_id, utm_source, utm_medium, utm_campaign

),

daily_spend as (

    select
        spend.spend_date as date,
        models.attribution_model,
        spend.campaign_id,
        sum(spend.impressions) as impressions,
        sum(spend.clicks) as clicks,
        sum(spend.cost) as cost
    from spend
    cross join models
    group by spend.spend_date, models.attribution_model, spend.campaign_id

),

joined as (

    select
        coalesce(activity.date, daily_spend.date) as date,
        coalesce(activity.attribution_model, daily_spend.attribution_model) as attribution_model,
        coalesce(activity.campaign_id, daily_spend.campaign_id) as campaign_id,
        activity.utm_source,
        activity.utm_medium,
        activity.utm_campaign,
        coalesce(daily_spend.impressions, 0) as impressions,
        coalesce(daily_spend.clicks, 0) as clicks,
        coalesce(daily_spend.cost, 0) as cost,
        coalesce(activity.sessions, 0) as sessions,
        coalesce(activity.calls, 0) as calls,
        coalesce(activity.target_calls, 0) as target_calls,
        coalesce(activity.unique_target_calls, 0) as unique_target_calls,
        coalesce(activity.deals_won, 0) as deals_won,
        coalesce(activity.revenue, 0) as revenue
    from activity
    full outer join daily_spend
        on activity.date = daily_spend.date
        and activity.attribution_model = daily_spend.attribution_model
        and activity.campaign_id = daily_spend.campaign_id

),

final as (

    select
        cast(joined.date as date) as date,
        cast(joined.attribution_model as varchar) as attribution_model,
        cast(case when joined.campaign_id is not null then 'yandex_direct' end as varchar) as ad_platform,
        cast(joined.campaign_id as varchar) as campaign_id,
        cast(campaigns.campaign_name as varchar) as campaign_name,
        cast(joined.utm_source as varchar) as utm_source,
        cast(joined.utm_medium as varchar) as utm_medium,
        cast(joined.utm_campaign as varchar) as utm_campaign,
        cast(joined.impressions as bigint) as impressions,
        cast(joined.clicks as bigint) as clicks,
        cast(joined.cost as decimal(18, 2)) as cost,
        cast(joined.sessions as bigint) as sessions,
        cast(joined.calls as double) as calls,
        cast(joined.target_calls as double) as target_calls,
        cast(joined.unique_target_calls as double) as unique_target_calls,
        cast(joined.deals_won as double) as deals_won,
        cast(joined.revenue as decimal(18, 2)) as revenue,
        cast(case when joined.clicks is null or joined.clicks = 0 then null
         else joined.cost / joined.clicks end as decimal(18, 2)) as cpc,
        cast(case when joined.target_calls is null or joined.target_calls = 0 then null
         else joined.cost / joined.target_calls end as decimal(18, 2)) as cost_per_target_call,
        cast(case when joined.unique_target_calls is null or joined.unique_target_calls = 0 then null
         else joined.cost / joined.unique_target_calls end as decimal(18, 2)) as cpl,
        cast(case when joined.deals_won is null or joined.deals_won = 0 then null
         else joined.cost / joined.deals_won end as decimal(18, 2)) as cpa,
        cast(case when joined.cost is null or joined.cost = 0 then null
         else (joined.revenue - joined.cost) / joined.cost end as double) as roi,
        cast(case when joined.cost is null or joined.cost = 0 then null
         else joined.revenue / joined.cost end as double) as roas,
        cast(
            joined.date < 

    (cast('2026-11-01' as date) + cast(-3 as bigint) * interval 1 day)
            as boolean
        ) as is_settled
    from joined
    left join campaigns
        on joined.campaign_id = campaigns.campaign_id

)

select * from final
    ) as model_subq
    );
  
  