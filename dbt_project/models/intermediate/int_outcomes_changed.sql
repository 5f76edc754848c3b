{#-
    What a daily run must rebuild in the call marts beyond its window (macros/marts.sql): the calls
    whose deal outcome (deal_id, deal_status, revenue) differs from the one marts.fct_calls holds -
    a deal that closed late, a link that moved to a late call or to another call after a flag
    changed - with their call dates, and the roi_daily dates whose won deals without a call differ
    from the '(no call)' rows roi_daily holds: a deal without a call that was won, changed, deleted
    or lost its call, or one that found a call. Comparing the totals with roi_daily's own rows
    finds exactly the dates that changed, whatever changed them, where the creation date of every
    deal landed in the window (most of them linked, or not won) rebuilt some twenty dates a day.
    Empty without a window or before fct_calls exists. Reads the marts as relations, not refs: they
    are built after this model.
-#}
{%- set published = none %}
{%- set roi = none %}
{%- set start = run_start_date() if execute else none %}
{%- if start is not none %}
    {%- set published = adapter.get_relation(database=this.database, schema='marts', identifier='fct_calls') %}
    {%- set roi = adapter.get_relation(database=this.database, schema='marts', identifier='roi_daily') %}
{%- endif %}

with deals as (

    select * from {{ ref('int_deals_linked') }}

),

calls as (

    select call_id, call_date from {{ ref('int_calls_flagged') }}

),

models as (

    select * from {{ attribution_models_relation() }} as attribution_models

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

    select coalesce(current_outcomes.call_id, published_outcomes.call_id) as call_id
    from current_outcomes
    full outer join published_outcomes
        on current_outcomes.call_id = published_outcomes.call_id
    where current_outcomes.deal_id is distinct from published_outcomes.deal_id
        or current_outcomes.deal_status is distinct from published_outcomes.deal_status
        or current_outcomes.revenue is distinct from published_outcomes.revenue

),

{%- if roi is not none %}

{#- roi_daily's deals_without_call rows, as it sums them: a row per date and model -#}
deals_without_call as (

    select
        deals.created_date as date,
        models.attribution_model,
        cast(count(*) as double) as deals_won,
        cast(sum(deals.revenue) as decimal(18, 2)) as revenue
    from deals
    cross join models
    where {{ is_won_without_call('deals') }}
    group by deals.created_date, models.attribution_model

),

{#- a row whose calls or sessions are not 0 also holds credits or sessions tagged '(no call)' by
    their UTM tags: its totals cannot be told apart, so its date is always rebuilt -#}
reported_without_call as (

    select date, attribution_model, deals_won, revenue, calls, sessions
    from {{ roi }}
    where {{ is_no_call_row() }}

),

changed_dates_without_call as (

    select coalesce(deals_without_call.date, reported_without_call.date) as date
    from deals_without_call
    full outer join reported_without_call
        on deals_without_call.date = reported_without_call.date
        and deals_without_call.attribution_model = reported_without_call.attribution_model
    where deals_without_call.deals_won is distinct from reported_without_call.deals_won
        or deals_without_call.revenue is distinct from reported_without_call.revenue
        or reported_without_call.calls <> 0
        or reported_without_call.sessions <> 0

),

{%- endif %}

final as (

    select changed_calls.call_id, calls.call_date as date
    from changed_calls
    left join calls
        on changed_calls.call_id = calls.call_id
    {%- if roi is not none %}
    union all
    select distinct cast(null as varchar) as call_id, date
    from changed_dates_without_call
    {%- endif %}

)

{%- else %}

final as (

    select cast(null as varchar) as call_id, cast(null as date) as date
    from calls
    cross join deals
    cross join models
    where 1 = 0

)

{%- endif %}

select * from final
