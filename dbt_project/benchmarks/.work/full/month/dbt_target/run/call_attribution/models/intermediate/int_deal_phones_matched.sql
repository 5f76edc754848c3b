
    

    create  table
      "warehouse"."intermediate"."int_deal_phones_matched__dbt_tmp"
  
    
    as (
      with deals as (

    select * from "warehouse"."staging"."stg_amocrm__leads"

),

contacts as (

    select * from "warehouse"."staging"."stg_amocrm__contacts"
    where caller_hash is not null

),

deal_contacts as (

    select deal_id, unnest(contact_ids) as contact_id
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
    );
    
  