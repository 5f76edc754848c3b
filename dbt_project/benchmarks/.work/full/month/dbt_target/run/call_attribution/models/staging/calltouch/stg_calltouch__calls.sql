
  
  create view "warehouse"."staging"."stg_calltouch__calls__dbt_tmp" as (
    with base as (

    select * from "warehouse"."staging"."base_calltouch__calls"
    where _quarantine_reason is null

),

renamed as (

    select
        'calltouch:' || call_id as call_id,
        'calltouch' as source_system,
        call_id as vendor_call_id,
        timezone('Europe/Moscow', cast(started_at_local as timestamp)) as started_at,
        started_at_local,
        cast(started_at_local as date) as call_date,
        caller_hash,
        case
        when nullif(regexp_replace(tracking_number, '[^0-9]', '', 'g'), '') is null then null
        else '+' || regexp_replace(tracking_number, '[^0-9]', '', 'g')
    end as tracking_number,
        case
        when nullif(regexp_replace(redirect_number, '[^0-9]', '', 'g'), '') is null then null
        else '+' || regexp_replace(redirect_number, '[^0-9]', '', 'g')
    end as routed_number,
        coalesce(answered, false) as answered,
        cast(wait_seconds as integer) as wait_seconds,
        cast(coalesce(talk_seconds, 0) as integer) as talk_seconds,
        vendor_is_unique,
        vendor_is_target,
        vendor_is_unique_target,
        operator_name,
        session_id as vendor_session_id,
        client_id,
        source as vendor_source,
        medium as vendor_medium,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        direct_campaign_id,
        recording_url,
        _partition_date,
        _landed_at
    from base

)

select * from renamed
  );
