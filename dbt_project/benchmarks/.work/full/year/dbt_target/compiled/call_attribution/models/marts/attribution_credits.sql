

with allocated as (

    select * from "warehouse"."intermediate"."int_attribution_credits_allocated"
    where (1 = 1)

),

resolved as (

    select
        allocated.*,
        coalesce(
            allocated.direct_campaign_id,
            campaign_by_id.campaign_id,
            campaign_by_name.campaign_id,
            campaign_by_override.campaign_id
        ) as campaign_id
    from allocated
    left join "warehouse"."intermediate"."int_campaigns" as campaign_by_id
        on allocated.utm_campaign = campaign_by_id.campaign_id
    left join (
        select campaign_name_key, min(campaign_id) as campaign_id
        from "warehouse"."intermediate"."int_campaigns"
        group by campaign_name_key
    ) as campaign_by_name
        on lower(trim(allocated.utm_campaign)) = campaign_by_name.campaign_name_key
    left join (
        select
            lower(trim(utm_source)) as utm_source_key,
            lower(trim(utm_campaign)) as utm_campaign_key,
            min(campaign_id) as campaign_id
        from "warehouse"."seeds"."campaign_overrides"
        group by lower(trim(utm_source)), lower(trim(utm_campaign))
    ) as campaign_by_override
        on lower(trim(allocated.utm_source)) = campaign_by_override.utm_source_key
        and lower(trim(allocated.utm_campaign)) = campaign_by_override.utm_campaign_key

),

credits as (select
        resolved.*,
        models.attribution_model,
        case models.attribution_model
        when 'last_click' then resolved.credit_last_click
        when 'last_non_direct' then resolved.credit_last_non_direct
        when 'first_click' then resolved.credit_first_click
        when 'linear' then resolved.credit_linear
        when 'position_based' then resolved.credit_position_based
        when 'time_decay' then resolved.credit_time_decay
    end as credit
    from resolved
    cross join (
        select 'last_click' as attribution_model union all
        select 'last_non_direct' as attribution_model union all
        select 'first_click' as attribution_model union all
        select 'linear' as attribution_model union all
        select 'position_based' as attribution_model union all
        select 'time_decay' as attribution_model
    ) as models

),

calls as (

    select call_id, call_date, revenue from "warehouse"."marts"."fct_calls"
    where (1 = 1)

),

final as (

    select
        cast(credits.call_id as varchar) as call_id,
        cast(credits.attribution_model as varchar) as attribution_model,
        cast(credits.touch_session_id as varchar) as touch_session_id,
        cast(credits.touch_at as timestamp with time zone) as touch_at,
        cast(credits.touch_index as integer) as touch_index,
        cast(credits.touch_count as integer) as touch_count,
        cast(credits.utm_source as varchar) as utm_source,
        cast(credits.utm_medium as varchar) as utm_medium,
        cast(credits.utm_campaign as varchar) as utm_campaign,
        cast(credits.campaign_id as varchar) as campaign_id,
        cast(credits.credit as double) as credit,
        cast(credits.credit * coalesce(calls.revenue, 0) as decimal(18, 2)) as revenue_credit,
        cast(calls.call_date as date) as call_date
    from credits
    inner join calls
        on credits.call_id = calls.call_id

)

select * from final