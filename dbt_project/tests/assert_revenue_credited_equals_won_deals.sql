-- Per attribution model, the revenue credited equals the revenue of linked won deals
-- (up to half a cent of rounding per credited row).
with credits as (

    select * from {{ ref('attribution_credits') }}

),

deals as (

    select * from {{ ref('int_deals_linked') }}
    where is_linked and deal_status = 'won'

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
