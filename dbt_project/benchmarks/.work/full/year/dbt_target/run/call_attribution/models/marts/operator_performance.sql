
    
      
    

    create  table
      "warehouse"."marts"."operator_performance__dbt_tmp"
  
  (
    date date,
    call_center varchar,
    operator_name varchar,
    answered_calls bigint,
    talk_seconds_total bigint,
    avg_talk_seconds double,
    center_avg_talk_seconds double,
    target_calls bigint,
    deals_won bigint,
    revenue decimal(18,2),
    revenue_per_talk_minute decimal(18,2),
    talk_cost decimal(18,2)
    
    )
 ;
    
    
    insert into "warehouse"."marts"."operator_performance__dbt_tmp" 
  (
    
      
      
      date ,
    
      
      
      call_center ,
    
      
      
      operator_name ,
    
      
      
      answered_calls ,
    
      
      
      talk_seconds_total ,
    
      
      
      avg_talk_seconds ,
    
      
      
      center_avg_talk_seconds ,
    
      
      
      target_calls ,
    
      
      
      deals_won ,
    
      
      
      revenue ,
    
      
      
      revenue_per_talk_minute ,
    
      
      
      talk_cost 
    
  )
 (
      
    select date, call_center, operator_name, answered_calls, talk_seconds_total, avg_talk_seconds, center_avg_talk_seconds, target_calls, deals_won, revenue, revenue_per_talk_minute, talk_cost
    from (
        

with calls as (

    select * from "warehouse"."marts"."fct_calls"
    where answered and (1 = 1)

),

labelled as (

    select
        call_date as date,
        coalesce(call_center, '(unknown)') as call_center,
        coalesce(operator_name, '(unknown)') as operator_name,
        coalesce(talk_seconds, 0) as talk_seconds,
        is_target,
        deal_status,
        revenue
    from calls

),

per_operator as (

    select
        date,
        call_center,
        operator_name,
        count(*) as answered_calls,
        sum(talk_seconds) as talk_seconds_total,
        sum(case when is_target then 1 else 0 end) as target_calls,
        sum(case when deal_status = 'won' then 1 else 0 end) as deals_won,
        sum(revenue) as revenue
    from labelled
    group by date, call_center, operator_name

),

per_center as (select
        date,
        call_center,
        1.0 * sum(talk_seconds_total) / sum(answered_calls) as center_avg_talk_seconds
    from per_operator
    group by date, call_center

),

final as (

    select
        cast(per_operator.date as date) as date,
        cast(per_operator.call_center as varchar) as call_center,
        cast(per_operator.operator_name as varchar) as operator_name,
        cast(per_operator.answered_calls as bigint) as answered_calls,
        cast(per_operator.talk_seconds_total as bigint) as talk_seconds_total,
        cast(1.0 * per_operator.talk_seconds_total / per_operator.answered_calls as double) as avg_talk_seconds,
        cast(per_center.center_avg_talk_seconds as double) as center_avg_talk_seconds,
        cast(per_operator.target_calls as bigint) as target_calls,
        cast(per_operator.deals_won as bigint) as deals_won,
        cast(per_operator.revenue as decimal(18, 2)) as revenue,
        cast(
            case when (per_operator.talk_seconds_total / 60.0) is null or (per_operator.talk_seconds_total / 60.0) = 0 then null
         else per_operator.revenue / (per_operator.talk_seconds_total / 60.0) end
            as decimal(18, 2)
        ) as revenue_per_talk_minute,
        cast(
            per_operator.talk_seconds_total / 60.0 * 12.0
            as decimal(18, 2)
        ) as talk_cost
    from per_operator
    inner join per_center
        on per_operator.date = per_center.date
        and per_operator.call_center = per_center.call_center

)

select * from final
    ) as model_subq
    );
  
  