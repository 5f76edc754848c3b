{#- Every caller_hash a deal can be reached by: any phone of any contact linked to it (plus its main contact). -#}

with deals as (

    select * from {{ ref('stg_amocrm__leads') }}

),

contacts as (

    select * from {{ ref('stg_amocrm__contacts') }}
    where caller_hash is not null

),

deal_contacts as (

    select deal_id, {{ explode_list('contact_ids') }} as contact_id
    from deals

    union

    select deal_id, main_contact_id as contact_id
    from deals
    where main_contact_id is not null

),

final as (

    select distinct
        deal_contacts.deal_id,
        contacts.caller_hash
    from deal_contacts
    inner join contacts
        on deal_contacts.contact_id = contacts.contact_id

)

select * from final
