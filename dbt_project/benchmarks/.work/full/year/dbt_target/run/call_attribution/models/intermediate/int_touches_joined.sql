
    

    create  table
      "warehouse"."intermediate"."int_touches_joined__dbt_tmp"
  
    
    as (
      

with calls as (

    select * from "warehouse"."intermediate"."int_calls_flagged"
    where client_id is not null
    

),

sessions as (

    select * from "warehouse"."intermediate"."int_sessions_resolved"
    where client_id is not null

),

joined as (

    select
        calls.call_id,
        calls.call_date,
        calls.started_at as call_started_at,
        sessions.session_id as touch_session_id,
        sessions.session_sort_key,
        sessions.started_at as touch_at,
        sessions.is_direct,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.utm_content,
        sessions.utm_term,
        sessions.direct_campaign_id
    from calls
    inner join sessions
        on calls.client_id = sessions.client_id
        and sessions.started_at <= calls.started_at
        and sessions.started_at >= 

    (calls.started_at + cast(-24 * (30) as bigint) * interval 1 hour)

),

numbered as (

    select
        call_id,
        call_date,
        call_started_at,
        touch_session_id,
        touch_at,
        cast(row_number() over (
            partition by call_id
            order by touch_at, session_sort_key, touch_session_id
        ) as integer) as touch_index,
        cast(count(*) over (partition by call_id) as integer) as touch_count,
        ((epoch(call_started_at) - epoch(touch_at)) / 86400.0) as touch_age_days,
        is_direct,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        direct_campaign_id
    from joined

)

select * from numbered
    );
    
  
  