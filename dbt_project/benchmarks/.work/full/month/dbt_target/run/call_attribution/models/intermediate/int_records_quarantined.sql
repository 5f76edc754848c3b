
  
  create view "warehouse"."intermediate"."int_records_quarantined__dbt_tmp" as (
    with


base_calltouch__calls as (

    select
        'calltouch' as source,
        'calls' as stream,
        cast(call_id as varchar) as record_id,
        _partition_date,
        _landed_at,
        _quarantine_reason as quarantine_reason
    from "warehouse"."staging"."base_calltouch__calls"
    where _quarantine_reason is not null

),

base_yandex_direct__campaign_stats as (

    select
        'yandex_direct' as source,
        'campaign_stats' as stream,
        cast(cast(date as varchar) || ':' || campaign_id as varchar) as record_id,
        _partition_date,
        _landed_at,
        _quarantine_reason as quarantine_reason
    from "warehouse"."staging"."base_yandex_direct__campaign_stats"
    where _quarantine_reason is not null

),

base_yandex_metrika__visits as (

    select
        'yandex_metrika' as source,
        'visits' as stream,
        cast(visit_id as varchar) as record_id,
        _partition_date,
        _landed_at,
        _quarantine_reason as quarantine_reason
    from "warehouse"."staging"."base_yandex_metrika__visits"
    where _quarantine_reason is not null

),

base_amocrm__leads as (

    select
        'amocrm' as source,
        'leads' as stream,
        cast(lead_id as varchar) as record_id,
        _partition_date,
        _landed_at,
        _quarantine_reason as quarantine_reason
    from "warehouse"."staging"."base_amocrm__leads"
    where _quarantine_reason is not null

),

base_amocrm__contacts as (

    select
        'amocrm' as source,
        'contacts' as stream,
        cast(contact_id || ':' || cast(phone_index as varchar) as varchar) as record_id,
        _partition_date,
        _landed_at,
        _quarantine_reason as quarantine_reason
    from "warehouse"."staging"."base_amocrm__contacts"
    where _quarantine_reason is not null

),


final as (
    select * from base_calltouch__calls
    union all
    select * from base_yandex_direct__campaign_stats
    union all
    select * from base_yandex_metrika__visits
    union all
    select * from base_amocrm__leads
    union all
    select * from base_amocrm__contacts

)

select * from final
  );
