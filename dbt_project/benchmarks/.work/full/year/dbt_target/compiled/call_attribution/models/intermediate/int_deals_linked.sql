with deals as (

    select * from "warehouse"."staging"."stg_amocrm__leads"
    where not is_deleted

),

deal_phones as (

    select * from "warehouse"."intermediate"."int_deal_phones_matched"

),

unique_target_calls as (

    select call_id, caller_hash, started_at
    from "warehouse"."intermediate"."int_calls_flagged"
    where is_unique_target and caller_hash is not null

),

candidates as (

    select
        deals.deal_id,
        deals.created_at,
        unique_target_calls.call_id,
        unique_target_calls.started_at
    from deals
    inner join deal_phones
        on deals.deal_id = deal_phones.deal_id
    inner join unique_target_calls
        on deal_phones.caller_hash = unique_target_calls.caller_hash
        and unique_target_calls.started_at < deals.created_at
        and unique_target_calls.started_at >= 

    (deals.created_at + cast(-24 * (30) as bigint) * interval 1 hour)

),

latest_call_per_deal as (

    select
        *,
        row_number() over (
            partition by deal_id
            order by started_at desc, call_id desc
        ) as call_rank
    from candidates

),

first_deal_per_call as (

    select
        deal_id,
        call_id,
        row_number() over (
            partition by call_id
            order by created_at, try_cast(deal_id as hugeint), deal_id
        ) as deal_rank
    from latest_call_per_deal
    where call_rank = 1

),

links as (

    select deal_id, call_id
    from first_deal_per_call
    where deal_rank = 1

),

final as (

    select
        deals.deal_id,
        links.call_id,
        deals.deal_status,
        deals.status_id,
        deals.price,
        case when deals.deal_status = 'won' then coalesce(deals.price, 0) else 0 end as revenue,
        deals.created_at,
        cast(timezone('Europe/Moscow', deals.created_at) as date) as created_date,
        deals.closed_at,
        links.call_id is not null as is_linked
    from deals
    left join links
        on deals.deal_id = links.deal_id

)

select * from final