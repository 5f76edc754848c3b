-- The fastest DuckDB SQL we write by hand for three results of the warehouse, straight from the
-- landing files: fct_calls' flags (is_unique, is_target, is_unique_target, deal, revenue), the
-- last_non_direct and linear credits of attribution_credits, and roi_daily for those two models.
-- Same definitions as the dbt models (DESIGN sections 1 and 4), same validity and de-duplication
-- rules as staging (of copies of one id: the one landed on its own day, then the latest day, then
-- the last in its file), written as one would for speed: only the columns needed, QUALIFY for the
-- kept copy, LAG for the previous call, one pass per window. Placeholders: {landing}, {seeds},
-- {tz}, {as_of_date}; settings are the dbt defaults (30 / 30 / 30 days, 30 s).

create or replace temp table ref_calls as
with landed as (
    select call_id, started_at_local, caller_hash, tracking_number, answered, talk_seconds,
           wait_seconds, client_id, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
           direct_campaign_id
    from read_parquet('{landing}/calltouch/calls/*.parquet', file_row_number = true)
    where call_id is not null and trim(call_id) <> '' and started_at_local is not null
      and coalesce(talk_seconds, 0) >= 0 and coalesce(wait_seconds, 0) >= 0
      and coalesce(talk_seconds, 0) + coalesce(wait_seconds, 0) <= 86400
    qualify row_number() over (
        partition by call_id
        order by cast(started_at_local as date) = _partition_date desc, _partition_date desc, file_row_number desc) = 1
),
shaped as (
    select
        'calltouch:' || call_id as call_id,
        timezone('{tz}', started_at_local) as started_at,
        cast(started_at_local as date) as call_date,
        caller_hash,
        case when nullif(regexp_replace(tracking_number, '[^0-9]', '', 'g'), '') is not null
             then '+' || regexp_replace(tracking_number, '[^0-9]', '', 'g') end as tracking_number,
        coalesce(answered, false) and coalesce(talk_seconds, 0) >= 30 as is_target,
        client_id, utm_source, utm_medium, utm_campaign, utm_content, utm_term, direct_campaign_id
    from landed
),
previous as (
    select
        *,
        lag(started_at) over (partition by caller_hash order by started_at, call_id) as previous_call_at,
        max(case when is_target then started_at end) over (
            partition by caller_hash order by started_at, call_id
            rows between unbounded preceding and 1 preceding) as previous_target_call_at
    from shaped
)
select
    * exclude (previous_call_at, previous_target_call_at),
    caller_hash is null or previous_call_at is null
        or previous_call_at < started_at - interval 720 hour as is_unique,
    is_target and (caller_hash is null or previous_target_call_at is null
        or previous_target_call_at < started_at - interval 720 hour) as is_unique_target
from previous;

create or replace temp table ref_sessions as
select
    visit_id as session_id,
    try_cast(visit_id as hugeint) as session_sort_key,
    nullif(client_id, '0') as client_id,
    timezone('{tz}', started_at_local) as started_at,
    cast(started_at_local as date) as visit_date,
    coalesce(traffic_source in ('direct', 'internal'), false) and utm_source is null as is_direct,
    utm_source, utm_medium, utm_campaign, utm_content, utm_term,
    nullif(direct_campaign_id, '0') as direct_campaign_id
from read_parquet('{landing}/yandex_metrika/visits/*.parquet', file_row_number = true)
where visit_id is not null and trim(visit_id) <> '' and started_at_local is not null
qualify row_number() over (
    partition by visit_id
    order by cast(started_at_local as date) = _partition_date desc, _partition_date desc, file_row_number desc) = 1;

create or replace temp table ref_campaigns as
with stats as (
    select date as spend_date, campaign_id, campaign_name, coalesce(impressions, 0) as impressions,
           coalesce(clicks, 0) as clicks, cast(coalesce(cost, 0) as decimal(18, 2)) as cost, _landed_at
    from read_parquet('{landing}/yandex_direct/campaign_stats/*.parquet', file_row_number = true)
    where campaign_id is not null and trim(campaign_id) <> '' and date is not null
      and not (cost < 0 or clicks < 0 or impressions < 0)
    qualify row_number() over (
        partition by date, campaign_id
        order by date = _partition_date desc, _partition_date desc, file_row_number desc) = 1
)
select * from stats;

create or replace temp table ref_campaign_names as
select campaign_id, campaign_name, lower(trim(campaign_name)) as campaign_name_key
from ref_campaigns
qualify row_number() over (partition by campaign_id order by spend_date desc, _landed_at desc) = 1;

create or replace temp table ref_resolver as
select 'id' as rule, campaign_id as utm_campaign_key, null as utm_source_key, campaign_id from ref_campaign_names
union all
select 'name', campaign_name_key, null, min(campaign_id) from ref_campaign_names group by campaign_name_key
union all
select 'override', lower(trim(utm_campaign)), lower(trim(utm_source)), min(cast(campaign_id as varchar))
from read_csv('{seeds}/campaign_overrides.csv', all_varchar = true)
group by lower(trim(utm_source)), lower(trim(utm_campaign));

-- touches of every call with a client id, numbered, and the two models' credits
create or replace temp table ref_touch_credits as
with touches as (
    select
        c.call_id, s.session_id, s.session_sort_key, s.started_at as touch_at, s.is_direct,
        s.utm_source, s.utm_medium, s.utm_campaign, s.direct_campaign_id
    from ref_calls c
    join ref_sessions s
      on c.client_id = s.client_id
     and s.started_at <= c.started_at
     and s.started_at >= c.started_at - interval 720 hour
    where c.client_id is not null and s.client_id is not null
),
numbered as (
    select
        *,
        row_number() over (partition by call_id order by touch_at, session_sort_key, session_id) as touch_index,
        count(*) over (partition by call_id) as touch_count
    from touches
),
flagged as (
    select *, max(case when not is_direct then touch_index end) over (partition by call_id) as last_non_direct_index
    from numbered
)
select call_id, session_id as touch_session_id, touch_at, touch_index, touch_count, utm_source, utm_medium,
       utm_campaign, direct_campaign_id,
       1.0 / touch_count as linear_credit,
       case when touch_index = coalesce(last_non_direct_index, touch_count) then 1.0 else 0.0 end as lnd_credit
from flagged;

create or replace temp table ref_credits as
with untouched as (
    select c.call_id, c.tracking_number, c.utm_source, c.utm_medium, c.utm_campaign, c.direct_campaign_id
    from ref_calls c
    anti join (select distinct call_id from ref_touch_credits) t on c.call_id = t.call_id
),
lines as (
    select '+' || regexp_replace(tracking_number, '[^0-9]', '', 'g') as tracking_number, utm_source, utm_medium, utm_campaign
    from read_csv('{seeds}/tracking_number_channels.csv', all_varchar = true)
),
fallback as (
    select
        u.call_id,
        case when u.utm_source is not null or u.utm_campaign is not null or u.direct_campaign_id is not null then 'vendor'
             when l.tracking_number is not null then 'line' else 'none' end as origin,
        u.utm_source as v_source, u.utm_medium as v_medium, u.utm_campaign as v_campaign,
        u.direct_campaign_id as v_direct, l.utm_source as l_source, l.utm_medium as l_medium, l.utm_campaign as l_campaign
    from untouched u left join lines l on u.tracking_number = l.tracking_number
),
rows_ as (
    select call_id, m.model as attribution_model, touch_session_id, touch_index, touch_count,
           utm_source, utm_medium, utm_campaign, direct_campaign_id,
           case m.model when 'linear' then linear_credit else lnd_credit end as credit
    from ref_touch_credits cross join (values ('last_non_direct'), ('linear')) m(model)
    union all
    select call_id, m.model, null, 0, 0,
           case origin when 'vendor' then v_source when 'line' then l_source else '(direct)' end,
           case origin when 'vendor' then v_medium when 'line' then l_medium else '(none)' end,
           case origin when 'vendor' then v_campaign when 'line' then l_campaign end,
           case when origin = 'vendor' then v_direct end,
           1.0
    from fallback cross join (values ('last_non_direct'), ('linear')) m(model)
)
select
    r.* exclude (direct_campaign_id),
    coalesce(r.direct_campaign_id, by_id.campaign_id, by_name.campaign_id, by_override.campaign_id) as campaign_id
from rows_ r
left join ref_resolver by_id on by_id.rule = 'id' and r.utm_campaign = by_id.utm_campaign_key
left join ref_resolver by_name on by_name.rule = 'name' and lower(trim(r.utm_campaign)) = by_name.utm_campaign_key
left join ref_resolver by_override on by_override.rule = 'override'
     and lower(trim(r.utm_campaign)) = by_override.utm_campaign_key and lower(trim(r.utm_source)) = by_override.utm_source_key;

-- deals: latest version of each, their phones, the link to a call
create or replace temp table ref_deals as
with leads as (
    select lead_id as deal_id, cast(price as decimal(18, 2)) as price, status_id, created_at,
           contact_ids, main_contact_id
    from read_parquet('{landing}/amocrm/leads/*.parquet', file_row_number = true)
    where lead_id is not null and trim(lead_id) <> '' and created_at is not null
    qualify row_number() over (
        partition by lead_id order by updated_at desc nulls last, _partition_date desc, file_row_number desc) = 1
        and not coalesce(is_deleted, false)
),
contacts as (
    select contact_id, caller_hash
    from read_parquet('{landing}/amocrm/contacts/*.parquet')
    where contact_id is not null and trim(contact_id) <> ''
    qualify dense_rank() over (partition by contact_id order by updated_at desc nulls last, _partition_date desc) = 1
),
deal_contacts as (
    select deal_id, unnest(contact_ids) as contact_id from leads
    union
    select deal_id, main_contact_id from leads where main_contact_id is not null
),
phones as (
    select distinct dc.deal_id, c.caller_hash
    from deal_contacts dc join contacts c on dc.contact_id = c.contact_id
    where c.caller_hash is not null
),
candidates as (
    select l.deal_id, l.created_at, c.call_id
    from leads l
    join phones p on l.deal_id = p.deal_id
    join ref_calls c on c.caller_hash = p.caller_hash and c.is_unique_target
     and c.started_at < l.created_at and c.started_at >= l.created_at - interval 720 hour
    qualify row_number() over (partition by l.deal_id order by c.started_at desc, c.call_id desc) = 1
),
links as (
    select deal_id, call_id from candidates
    qualify row_number() over (partition by call_id order by created_at, try_cast(deal_id as hugeint), deal_id) = 1
)
select
    l.deal_id, k.call_id,
    case l.status_id when 142 then 'won' when 143 then 'lost' else 'open' end as deal_status,
    case when l.status_id = 142 then coalesce(l.price, 0) else 0 end as revenue,
    cast(timezone('{tz}', l.created_at) as date) as created_date
from leads l left join links k on l.deal_id = k.deal_id;

-- result 1: fct_calls' flags and outcome
create or replace temp table ref_fct_calls as
select c.call_id, c.call_date, c.is_unique, c.is_target, c.is_unique_target, d.deal_id, d.deal_status,
       cast(coalesce(d.revenue, 0) as decimal(18, 2)) as revenue
from ref_calls c left join ref_deals d on d.call_id = c.call_id;

-- result 2: attribution_credits of the two models
create or replace temp table ref_attribution_credits as
select r.call_id, r.attribution_model, r.touch_session_id, r.touch_index, r.touch_count, r.utm_source,
       r.utm_medium, r.utm_campaign, r.campaign_id, r.credit,
       cast(r.credit * f.revenue as decimal(18, 2)) as revenue_credit
from ref_credits r join ref_fct_calls f on r.call_id = f.call_id;

-- result 3: roi_daily of the two models
create or replace temp table ref_roi_daily as
with activity_rows as (
    select f.call_date as date, a.attribution_model, a.campaign_id,
           case when a.campaign_id is null then a.utm_source end as utm_source,
           case when a.campaign_id is null then a.utm_medium end as utm_medium,
           case when a.campaign_id is null then a.utm_campaign end as utm_campaign,
           0 as sessions, a.credit as calls,
           case when f.is_target then a.credit else 0 end as target_calls,
           case when f.is_unique_target then a.credit else 0 end as unique_target_calls,
           case when f.deal_status = 'won' then a.credit else 0 end as deals_won,
           a.revenue_credit as revenue
    from ref_attribution_credits a join ref_fct_calls f on a.call_id = f.call_id
    union all
    select s.date, m.model, s.campaign_id, s.utm_source, s.utm_medium, s.utm_campaign, s.sessions,
           0, 0, 0, 0, 0
    from (
        select visit_date as date, campaign_id,
               case when campaign_id is null then utm_source end as utm_source,
               case when campaign_id is null then utm_medium end as utm_medium,
               case when campaign_id is null then utm_campaign end as utm_campaign,
               sum(n) as sessions
        from (
            select g.visit_date, g.utm_source, g.utm_medium, g.utm_campaign, g.n,
                   coalesce(g.direct_campaign_id, by_id.campaign_id, by_name.campaign_id, by_override.campaign_id) as campaign_id
            from (select visit_date, direct_campaign_id, utm_source, utm_medium, utm_campaign, count(*) as n
                  from ref_sessions group by all) g
            left join ref_resolver by_id on by_id.rule = 'id' and g.utm_campaign = by_id.utm_campaign_key
            left join ref_resolver by_name on by_name.rule = 'name' and lower(trim(g.utm_campaign)) = by_name.utm_campaign_key
            left join ref_resolver by_override on by_override.rule = 'override'
                 and lower(trim(g.utm_campaign)) = by_override.utm_campaign_key and lower(trim(g.utm_source)) = by_override.utm_source_key
        )
        group by all
    ) s cross join (values ('last_non_direct'), ('linear')) m(model)
    union all
    select d.created_date, m.model, null, '(no call)', '(none)', null, 0, 0, 0, 0, 1, d.revenue
    from ref_deals d cross join (values ('last_non_direct'), ('linear')) m(model)
    where d.call_id is null and d.deal_status = 'won'
),
activity as (
    select date, attribution_model, campaign_id, utm_source, utm_medium, utm_campaign,
           sum(sessions) as sessions, sum(calls) as calls, sum(target_calls) as target_calls,
           sum(unique_target_calls) as unique_target_calls, sum(deals_won) as deals_won, sum(revenue) as revenue
    from activity_rows group by all
),
spend as (
    select spend_date as date, m.model as attribution_model, campaign_id, sum(impressions) as impressions,
           sum(clicks) as clicks, sum(cost) as cost
    from ref_campaigns cross join (values ('last_non_direct'), ('linear')) m(model)
    group by all
),
joined as (
    select
        coalesce(a.date, s.date) as date, coalesce(a.attribution_model, s.attribution_model) as attribution_model,
        coalesce(a.campaign_id, s.campaign_id) as campaign_id, a.utm_source, a.utm_medium, a.utm_campaign,
        coalesce(s.impressions, 0) as impressions, coalesce(s.clicks, 0) as clicks, coalesce(s.cost, 0) as cost,
        coalesce(a.sessions, 0) as sessions, coalesce(a.calls, 0) as calls, coalesce(a.target_calls, 0) as target_calls,
        coalesce(a.unique_target_calls, 0) as unique_target_calls, coalesce(a.deals_won, 0) as deals_won,
        coalesce(a.revenue, 0) as revenue
    from activity a full join spend s
      on a.date = s.date and a.attribution_model = s.attribution_model and a.campaign_id = s.campaign_id
)
select
    j.date, j.attribution_model,
    case when j.campaign_id is not null then 'yandex_direct' end as ad_platform,
    j.campaign_id, n.campaign_name, j.utm_source, j.utm_medium, j.utm_campaign,
    cast(j.impressions as bigint) as impressions, cast(j.clicks as bigint) as clicks,
    cast(j.cost as decimal(18, 2)) as cost, cast(j.sessions as bigint) as sessions,
    cast(j.calls as double) as calls, cast(j.target_calls as double) as target_calls,
    cast(j.unique_target_calls as double) as unique_target_calls, cast(j.deals_won as double) as deals_won,
    cast(j.revenue as decimal(18, 2)) as revenue,
    cast(case when j.clicks = 0 then null else j.cost / j.clicks end as decimal(18, 2)) as cpc,
    cast(case when j.target_calls = 0 then null else j.cost / j.target_calls end as decimal(18, 2)) as cost_per_target_call,
    cast(case when j.unique_target_calls = 0 then null else j.cost / j.unique_target_calls end as decimal(18, 2)) as cpl,
    cast(case when j.deals_won = 0 then null else j.cost / j.deals_won end as decimal(18, 2)) as cpa,
    cast(case when j.cost = 0 then null else (j.revenue - j.cost) / j.cost end as double) as roi,
    cast(case when j.cost = 0 then null else j.revenue / j.cost end as double) as roas,
    j.date < cast('{as_of_date}' as date) - 3 as is_settled
from joined j left join ref_campaign_names n on j.campaign_id = n.campaign_id;
