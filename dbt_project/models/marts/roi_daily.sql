{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': 'date'}},
    pre_hook="{{ delete_rebuilt_rows(rebuilt_date(roi_window_start(), 'date')) }}",
    post_hook=["{{ remember_campaign_lookup() }}", "{{ remember_signatures(roi_window_start(), day='date', by_call=false) }}"],
) }}
{#-
    One row per (date, attribution_model, campaign). Credited touches (and sessions) resolved to a
    Direct campaign are grouped by campaign_id (utm_* NULL); the rest by (utm_source, utm_medium,
    utm_campaign) with campaign_id NULL. Direct spend per (date, campaign) is full-joined once per
    model, so spend without conversions and conversions without spend both show. Conversions are
    dated by call date, cost by spend date, sessions by visit date. calls .. revenue are sums of the
    model's credits; won deals linked to no call appear as utm_source '(no call)' rows, so revenue
    totals match the CRM. Ratios are NULL on a zero denominator; is_settled is false for
    date >= as_of_date - unsettled_days. Incremental by date (macros/marts.sql): a run rebuilds the
    dates from its window on, the dates its changed deal outcomes touch, and the unsettled ones.
-#}
{%- set window_start = roi_window_start() %}

with credits as (

    select * from {{ ref('attribution_credits') }}
    where {{ rebuilt_date(window_start, 'call_date') }}

),

calls as (

    select * from {{ ref('fct_calls') }}
    where {{ rebuilt_date(window_start, 'call_date') }}

),

session_groups as (

    select * from {{ ref('int_sessions_counted') }}
    where {{ rebuilt_date(window_start, 'visit_date') }}

),

unlinked_won_deals as (

    select * from {{ ref('int_deals_linked') }}
    where {{ is_won_without_call() }}
        and {{ rebuilt_date(window_start, 'created_date') }}

),

spend as (

    select * from {{ ref('stg_yandex_direct__campaign_stats') }}
    where {{ rebuilt_date(window_start, 'spend_date') }}

),

campaigns as (

    select * from {{ ref('int_campaigns') }}

),

models as (

    select * from {{ attribution_models_relation() }} as attribution_models

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

    {{ select_with_resolved_campaign('session_groups') }}

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
        {{- no_call_columns() }},
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
        cast({{ safe_divide('joined.cost', 'joined.clicks') }} as decimal(18, 2)) as cpc,
        cast({{ safe_divide('joined.cost', 'joined.target_calls') }} as decimal(18, 2)) as cost_per_target_call,
        cast({{ safe_divide('joined.cost', 'joined.unique_target_calls') }} as decimal(18, 2)) as cpl,
        cast({{ safe_divide('joined.cost', 'joined.deals_won') }} as decimal(18, 2)) as cpa,
        cast({{ safe_divide('(joined.revenue - joined.cost)', 'joined.cost') }} as double) as roi,
        cast({{ safe_divide('joined.revenue', 'joined.cost') }} as double) as roas,
        cast(
            joined.date < {{ dbt.dateadd('day', -1 * var('unsettled_days'), date_var('as_of_date', local_today())) }}
            as boolean
        ) as is_settled
    from joined
    left join campaigns
        on joined.campaign_id = campaigns.campaign_id

)

select * from final
