
    

    create  table
      "warehouse"."staging"."base_calltouch__calls__dbt_tmp"
  
    
    as (
      

with landed as (

    select * from 
    (
        select
            cast("call_id" as varchar) as "call_id",
            cast("started_at_local" as timestamp) as "started_at_local",
            cast("tracking_number" as varchar) as "tracking_number",
            cast("redirect_number" as varchar) as "redirect_number",
            cast("answered" as boolean) as "answered",
            cast("wait_seconds" as bigint) as "wait_seconds",
            cast("talk_seconds" as bigint) as "talk_seconds",
            cast("vendor_is_unique" as boolean) as "vendor_is_unique",
            cast("vendor_is_target" as boolean) as "vendor_is_target",
            cast("vendor_is_unique_target" as boolean) as "vendor_is_unique_target",
            cast("operator_name" as varchar) as "operator_name",
            cast("session_id" as varchar) as "session_id",
            cast("client_id" as varchar) as "client_id",
            cast("source" as varchar) as "source",
            cast("medium" as varchar) as "medium",
            cast("utm_source" as varchar) as "utm_source",
            cast("utm_medium" as varchar) as "utm_medium",
            cast("utm_campaign" as varchar) as "utm_campaign",
            cast("utm_content" as varchar) as "utm_content",
            cast("utm_term" as varchar) as "utm_term",
            cast("direct_campaign_id" as varchar) as "direct_campaign_id",
            cast("recording_url" as varchar) as "recording_url",
            cast("caller_hash" as varchar) as "caller_hash",
            cast("_partition_date" as date) as "_partition_date",
            cast("_landed_at" as timestamp with time zone) as "_landed_at",
            cast(file_row_number as bigint) as _file_row,
            case when json_valid(_payload) then json_extract_string(_payload, '$._malformed') end as _malformed,
            case when json_valid(_payload) then json_extract_string(_payload, '$.date') end as _raw_date,
            case when json_valid(_payload) then json_extract_string(_payload, '$.duration') end as _raw_duration,
            case when json_valid(_payload) then json_extract_string(_payload, '$.waitingConnect') end as _raw_waiting,
            case when json_valid(_payload) then json_extract_string(_payload, '$.successful') end as _raw_successful
        from read_parquet('benchmarks/.work/full/month/landing/calltouch/calls/*.parquet', union_by_name = true, hive_partitioning = false, file_row_number = true)
    )
        as landed_calls

),

checked as (

    select
        * exclude (_malformed, _raw_date, _raw_duration, _raw_waiting, _raw_successful),
        case
            when _malformed is not null then _malformed
            when call_id is null or trim(call_id) = '' then 'missing_id'
            when started_at_local is null and nullif(trim(_raw_date), '') is not null then 'unparseable_time'
            when started_at_local is null then 'missing_time'
            when talk_seconds < 0 or wait_seconds < 0
                or coalesce(talk_seconds, 0) + coalesce(wait_seconds, 0) > 86400
                then 'impossible_duration'
            when (talk_seconds is null and nullif(trim(_raw_duration), '') is not null)
                or (wait_seconds is null and nullif(trim(_raw_waiting), '') is not null)
                or (answered is null and nullif(trim(_raw_successful), '') is not null)
                then 'unparseable_value'
        end as _defect,
        cast('2026-12-07 17:36:53.455843' as timestamp) as _built_at
    from landed

),

final as (

    select
        *,
        hash(call_id) as _key_hash,
        cast(1 as bigint) as _copy_rank,
        _defect as _quarantine_reason
    from checked

)

select * from final
    );
    
  
  