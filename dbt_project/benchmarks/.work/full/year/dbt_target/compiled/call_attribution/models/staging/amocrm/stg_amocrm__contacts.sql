with base as (

    select * from "warehouse"."staging"."base_amocrm__contacts"
    where _quarantine_reason is null

),

renamed as (

    select
        contact_id,
        cast(phone_index as integer) as phone_index,
        caller_hash,
        updated_at,
        _partition_date,
        _landed_at
    from base

)

select * from renamed