with base as (

    select * from "warehouse"."staging"."base_amocrm__leads"
    where _quarantine_reason is null

),

renamed as (

    select
        lead_id as deal_id,
        name as deal_name,
        cast(price as decimal(18, 2)) as price,
        status_id,
        case status_id when 142 then 'won' when 143 then 'lost' else 'open' end as deal_status,
        pipeline_id,
        responsible_user_id,
        created_at,
        updated_at,
        closed_at,
        coalesce(is_deleted, false) as is_deleted,
        contact_ids,
        main_contact_id,
        _partition_date,
        _landed_at
    from base

)

select * from renamed