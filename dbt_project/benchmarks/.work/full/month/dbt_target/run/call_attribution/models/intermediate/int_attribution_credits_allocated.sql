
    

    create  table
      "warehouse"."intermediate"."int_attribution_credits_allocated__dbt_tmp"
  
    
    as (
      

with touches as (

    select * from "warehouse"."intermediate"."int_touches_joined"
    

),

calls as (

    select * from "warehouse"."intermediate"."int_calls_flagged"
    

),

tracking_number_channels as (

    select * from "warehouse"."seeds"."tracking_number_channels"

),

touch_weights as (

    select
        *,
        max(case when not is_direct then touch_index end) over (partition by call_id) as last_non_direct_index,
        power(2.0, -1.0 * touch_age_days / 7) as decay_weight
    from touches

),

touch_weight_totals as (

    select
        *,
        sum(decay_weight) over (partition by call_id) as decay_weight_total
    from touch_weights

),

touch_credits as (

    select
        call_id,
        call_date,
        touch_session_id,
        touch_at,
        touch_index,
        touch_count,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        direct_campaign_id,
        cast(case when touch_index = touch_count then 1.0 else 0.0 end as double) as credit_last_click,
        cast(case when touch_index = coalesce(last_non_direct_index, touch_count) then 1.0 else 0.0 end as double)
            as credit_last_non_direct,
        cast(case when touch_index = 1 then 1.0 else 0.0 end as double) as credit_first_click,
        cast(1.0 / touch_count as double) as credit_linear,
        cast(case
            when touch_count = 1 then 1.0
            when touch_count = 2 then 0.5
            when touch_index = 1 or touch_index = touch_count then 0.4
            else 0.2 / (touch_count - 2)
        end as double) as credit_position_based,
        cast(decay_weight / decay_weight_total as double) as credit_time_decay
    from touch_weight_totals

),

untouched_calls as (select calls.*
    from calls
    where not exists (
        select 1 from "warehouse"."intermediate"."int_touches_joined" as touches
        where touches.call_id = calls.call_id 
    )

),

untouched_channels as (

    select
        untouched_calls.call_id,
        untouched_calls.call_date,
        case
            when untouched_calls.utm_source is not null
                or untouched_calls.utm_campaign is not null
                or untouched_calls.direct_campaign_id is not null
                then 'vendor'
            when tracking_number_channels.tracking_number is not null then 'tracking_number'
            else 'none'
        end as channel_origin,
        untouched_calls.utm_source as vendor_utm_source,
        untouched_calls.utm_medium as vendor_utm_medium,
        untouched_calls.utm_campaign as vendor_utm_campaign,
        untouched_calls.utm_content as vendor_utm_content,
        untouched_calls.utm_term as vendor_utm_term,
        untouched_calls.direct_campaign_id as vendor_direct_campaign_id,
        tracking_number_channels.utm_source as line_utm_source,
        tracking_number_channels.utm_medium as line_utm_medium,
        tracking_number_channels.utm_campaign as line_utm_campaign
    from untouched_calls
    left join tracking_number_channels
        on untouched_calls.tracking_number = tracking_number_channels.tracking_number

),

untouched_fallback as (

    select
        call_id,
        call_date,
        case channel_origin
            when 'vendor' then vendor_utm_source
            when 'tracking_number' then line_utm_source
            else '(direct)'
        end as utm_source,
        case channel_origin
            when 'vendor' then vendor_utm_medium
            when 'tracking_number' then line_utm_medium
            else '(none)'
        end as utm_medium,
        case channel_origin
            when 'vendor' then vendor_utm_campaign
            when 'tracking_number' then line_utm_campaign
        end as utm_campaign,
        case when channel_origin = 'vendor' then vendor_utm_content end as utm_content,
        case when channel_origin = 'vendor' then vendor_utm_term end as utm_term,
        case when channel_origin = 'vendor' then vendor_direct_campaign_id end as direct_campaign_id
    from untouched_channels

),

untouched_credits as (

    select
        call_id,
        call_date,
        cast(null as varchar) as touch_session_id,
        cast(null as timestamp with time zone) as touch_at,
        0 as touch_index,
        0 as touch_count,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        direct_campaign_id,
        cast(1.0 as double) as credit_last_click,
        cast(1.0 as double) as credit_last_non_direct,
        cast(1.0 as double) as credit_first_click,
        cast(1.0 as double) as credit_linear,
        cast(1.0 as double) as credit_position_based,
        cast(1.0 as double) as credit_time_decay
    from untouched_fallback

),

final as (

    select * from touch_credits
    union all
    select * from untouched_credits

)select * from final
order by call_date
    );
    
  
  