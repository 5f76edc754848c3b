{#-
    What a daily run must rebuild in the call marts beyond its window (macros/marts.sql): the calls
    whose deal outcome (deal_id, deal_status, revenue) differs from the one marts.fct_calls holds -
    a deal that closed late, a link that moved to a late call or to another call after a flag
    changed - and the dates whose roi_daily rows they touch: the call's date and the creation date
    of its old and new deal, and the creation date of every deal landed in the window (a won deal
    with no call is reported on that date). Empty without a window or before fct_calls exists.
    Reads the published fct_calls as a relation, not a ref: it is built after this model.
-#}
{%- set published = none %}
{%- set start = run_start_date() if execute else none %}
{%- if start is not none %}
    {%- set published = adapter.get_relation(database=this.database, schema='marts', identifier='fct_calls') %}
{%- endif %}

with deals as (

    select * from {{ ref('int_deals_linked') }}

),

calls as (

    select call_id, call_date from {{ ref('int_calls_flagged') }}

),

landed_leads as (

    select * from {{ ref('base_amocrm__leads') }}

),

{%- if published is not none %}

published_outcomes as (

    select call_id, deal_id, deal_status, revenue
    from {{ published }}
    where deal_id is not null

),

current_outcomes as (

    select call_id, deal_id, deal_status, cast(coalesce(revenue, 0) as decimal(18, 2)) as revenue
    from deals
    where is_linked

),

changed_calls as (

    select
        coalesce(current_outcomes.call_id, published_outcomes.call_id) as call_id,
        current_outcomes.deal_id,
        published_outcomes.deal_id as published_deal_id
    from current_outcomes
    full outer join published_outcomes
        on current_outcomes.call_id = published_outcomes.call_id
    where current_outcomes.deal_id is distinct from published_outcomes.deal_id
        or current_outcomes.deal_status is distinct from published_outcomes.deal_status
        or current_outcomes.revenue is distinct from published_outcomes.revenue

),

landed_deals as (

    select distinct lead_id as deal_id
    from landed_leads
    where _partition_date >= cast('{{ start }}' as date)

),

final as (

    select changed_calls.call_id, calls.call_date as date
    from changed_calls
    left join calls
        on changed_calls.call_id = calls.call_id
    union all
    select cast(null as varchar) as call_id, deals.created_date as date
    from changed_calls
    inner join deals
        on deals.deal_id = changed_calls.deal_id or deals.deal_id = changed_calls.published_deal_id
    union all
    select cast(null as varchar) as call_id, deals.created_date as date
    from landed_deals
    inner join deals
        on landed_deals.deal_id = deals.deal_id

)

{%- else %}

final as (

    select cast(null as varchar) as call_id, cast(null as date) as date
    from calls
    cross join deals
    cross join landed_leads
    where 1 = 0

)

{%- endif %}

select * from final
