
-- depends_on: "warehouse"."intermediate"."int_campaigns" "warehouse"."seeds"."campaign_overrides" (the campaign lookup its window compares)

with calls as (

    select * from "warehouse"."marts"."fct_calls"
    where answered and (1 = 1)

),

center_days as (select
        call_date,
        coalesce(call_center, '(unknown)') as call_center,
        sum(coalesce(talk_seconds, 0)) as talk_seconds_total,
        count(*) as answered_calls
    from "warehouse"."marts"."fct_calls"
    where answered
    group by call_date, coalesce(call_center, '(unknown)')

),

center_windows as (

    select
        center_days.call_date,
        center_days.call_center,
        1.0 * sum(window_days.talk_seconds_total) / sum(window_days.answered_calls) as center_avg_talk_seconds
    from center_days
    inner join center_days as window_days
        on center_days.call_center = window_days.call_center
        and window_days.call_date <= center_days.call_date
        and window_days.call_date > 

    (center_days.call_date + cast(-7 as bigint) * interval 1 day)
    group by center_days.call_date, center_days.call_center

),

scored as (

    select
        calls.*,
        center_windows.center_avg_talk_seconds,
        case when center_windows.center_avg_talk_seconds is null or center_windows.center_avg_talk_seconds = 0 then null
         else calls.talk_seconds / center_windows.center_avg_talk_seconds end as talk_ratio
    from calls
    inner join center_windows
        on calls.call_date = center_windows.call_date
        and coalesce(calls.call_center, '(unknown)') = center_windows.call_center

),

final as (

    select
        cast(call_id as varchar) as call_id,
        cast(started_at as timestamp with time zone) as started_at,
        cast(call_date as date) as call_date,
        cast(call_center as varchar) as call_center,
        cast(operator_name as varchar) as operator_name,
        cast(talk_seconds as integer) as talk_seconds,
        cast(center_avg_talk_seconds as double) as center_avg_talk_seconds,
        cast(talk_ratio as double) as talk_ratio,
        cast(recording_url as varchar) as recording_url,
        cast(is_target as boolean) as is_target,
        cast(is_unique_target as boolean) as is_unique_target,
        cast(deal_id as varchar) as deal_id,
        cast(deal_status as varchar) as deal_status,
        cast(revenue as decimal(18, 2)) as revenue,
        cast(utm_source as varchar) as utm_source,
        cast(utm_campaign as varchar) as utm_campaign,
        cast(campaign_id as varchar) as campaign_id
    from scored
    where talk_ratio >= 1.5

)

select * from final