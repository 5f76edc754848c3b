-- Per attribution model, the revenue credited equals the revenue of linked won deals
-- (up to half a cent of rounding per credited row). A daily run checks the calls of its window
-- (macros/test_window.sql) - the credits of those days and the deals linked to calls of those days
-- (dated by the call flags, upstream of both sides, so a call missing from the marts still counts) -
-- so it does not sum a year of credits again; a full build checks every call.
{%- set start = run_start_date() if execute else none %}
{%- set calls = ref('int_calls_flagged') %}  {#- outside the branch: dbt records refs while parsing #}
with credits as (

    select * from {{ ref('attribution_credits') }}
    {%- if start is not none %}
    where call_date >= cast('{{ start }}' as date)
    {%- endif %}

),

deals as (

    select * from {{ ref('int_deals_linked') }}
    where is_linked and deal_status = 'won'
    {%- if start is not none %}
        and call_id in (select call_id from {{ calls }} where call_date >= cast('{{ start }}' as date))
    {%- endif %}

),

linked_revenue as (

    select coalesce(sum(revenue), 0) as revenue from deals

),

credited as (

    select
        attribution_model,
        sum(revenue_credit) as revenue_credited,
        sum(case when revenue_credit <> 0 then 1 else 0 end) as credited_rows
    from credits
    group by attribution_model

)

select credited.attribution_model, credited.revenue_credited, linked_revenue.revenue
from credited
cross join linked_revenue
where abs(credited.revenue_credited - linked_revenue.revenue) > 0.005 * credited.credited_rows + 0.001
