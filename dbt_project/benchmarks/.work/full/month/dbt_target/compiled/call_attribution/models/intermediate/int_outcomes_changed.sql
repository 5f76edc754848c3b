

with deals as (

    select * from "warehouse"."intermediate"."int_deals_linked"

),

calls as (

    select call_id, call_date from "warehouse"."intermediate"."int_calls_flagged"

),

models as (

    select * from (
        select 'last_click' as attribution_model union all
        select 'last_non_direct' as attribution_model union all
        select 'first_click' as attribution_model union all
        select 'linear' as attribution_model union all
        select 'position_based' as attribution_model union all
        select 'time_decay' as attribution_model
    ) as attribution_models

),

final as (

    select cast(null as varchar) as call_id, cast(null as date) as date
    from calls
    cross join deals
    cross join models
    where 1 = 0

)

select * from final