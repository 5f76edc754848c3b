{#-
    Every (not deleted) CRM deal with the call it belongs to (DESIGN section 1): the latest unique
    target call of a caller matching any phone of any contact of the deal, started before the deal
    was created and within sales_cycle_days x 24 h of it. A deal links to at most one call and a
    call to at most one deal - the first created (ties: the smaller numeric deal id). Deals that
    link to no call stay here with call_id NULL (won ones show in roi_daily as '(no call)').
    revenue = price when the deal's latest status is won (status 142), else 0.
-#}

with deals as (

    select * from {{ ref('stg_amocrm__leads') }}
    where not is_deleted

),

deal_phones as (

    select * from {{ ref('int_deal_phones_matched') }}

),

unique_target_calls as (

    select call_id, caller_hash, started_at
    from {{ ref('int_calls_flagged') }}
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
        and unique_target_calls.started_at >= {{ hours_before(var('sales_cycle_days'), 'deals.created_at') }}

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
            order by created_at, {{ numeric_id('deal_id') }}, deal_id
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
        {{ local_date('deals.created_at') }} as created_date,
        deals.closed_at,
        links.call_id is not null as is_linked
    from deals
    left join links
        on deals.deal_id = links.deal_id

)

select * from final
