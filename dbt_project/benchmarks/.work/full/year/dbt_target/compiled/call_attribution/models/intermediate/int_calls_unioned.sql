with


stg_calltouch__calls as (

    select * from "warehouse"."staging"."stg_calltouch__calls"

),


call_centers as (

    select * from "warehouse"."seeds"."call_centers"

),

unioned as (
    select call_id, source_system, vendor_call_id, started_at, started_at_local, call_date, caller_hash, tracking_number, routed_number, answered, wait_seconds, talk_seconds, vendor_is_unique, vendor_is_target, vendor_is_unique_target, operator_name, vendor_session_id, client_id, vendor_source, vendor_medium, utm_source, utm_medium, utm_campaign, utm_content, utm_term, direct_campaign_id, recording_url, _partition_date, _landed_at from stg_calltouch__calls

),

final as (

    select
        unioned.*,
        call_centers.call_center
    from unioned
    left join call_centers
        on unioned.routed_number = call_centers.routed_number

)

select * from final