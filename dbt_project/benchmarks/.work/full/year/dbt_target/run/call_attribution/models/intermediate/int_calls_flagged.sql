
    

    create  table
      "warehouse"."intermediate"."int_calls_flagged__dbt_tmp"
  
    
    as (
      with calls as (

    select * from "warehouse"."intermediate"."int_calls_unioned"

),

first_landed as (

    select source_system, min(_partition_date) as first_landed_date
    from "warehouse"."intermediate"."int_calls_unioned"
    group by source_system

),

targeted as (

    select
        *,
        coalesce(answered, false)
            and coalesce(talk_seconds, 0) >= 30 as is_target
    from calls

),

with_previous as (

    select
        *,
        max(started_at) over (
            partition by caller_hash
            order by started_at, call_id
            rows between unbounded preceding and 1 preceding
        ) as previous_call_at,
        max(case when is_target then started_at end) over (
            partition by caller_hash
            order by started_at, call_id
            rows between unbounded preceding and 1 preceding
        ) as previous_target_call_at
    from targeted

),

with_first_landed as (

    select
        with_previous.*,
        first_landed.first_landed_date
    from with_previous
    inner join first_landed
        on with_previous.source_system = first_landed.source_system

),

final as (

    select
        call_id,
        source_system,
        vendor_call_id,
        started_at,
        call_date,
        caller_hash,
        tracking_number,
        routed_number,
        answered,
        wait_seconds,
        talk_seconds,
        case
            when caller_hash is null or previous_call_at is null then true
            when previous_call_at < 

    (started_at + cast(-24 * (30) as bigint) * interval 1 hour) then true
            else false
        end as is_unique,
        is_target,
        case
            when not is_target then false
            when caller_hash is null or previous_target_call_at is null then true
            when previous_target_call_at < 

    (started_at + cast(-24 * (30) as bigint) * interval 1 hour) then true
            else false
        end as is_unique_target,
        vendor_is_unique,
        vendor_is_target,
        vendor_is_unique_target,
        operator_name,
        call_center,
        recording_url,
        vendor_session_id,
        client_id,
        vendor_source,
        vendor_medium,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        direct_campaign_id,
        coalesce(
            

    (started_at + cast(-24 * (30) as bigint) * interval 1 hour)
                >= timezone('Europe/Moscow', cast(cast(first_landed_date as timestamp) as timestamp)),
            false
        ) as history_complete,
        _partition_date,
        _landed_at
    from with_first_landed
    

)

select * from final
    );
    
  
  