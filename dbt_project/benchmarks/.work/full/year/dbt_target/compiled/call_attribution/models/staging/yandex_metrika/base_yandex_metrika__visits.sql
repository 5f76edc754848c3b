

with landed as (

    select * from 
    (
        select
            cast("visit_id" as varchar) as "visit_id",
            cast("client_id" as varchar) as "client_id",
            cast("started_at_local" as timestamp) as "started_at_local",
            cast("traffic_source" as varchar) as "traffic_source",
            cast("adv_engine" as varchar) as "adv_engine",
            cast("utm_source" as varchar) as "utm_source",
            cast("utm_medium" as varchar) as "utm_medium",
            cast("utm_campaign" as varchar) as "utm_campaign",
            cast("utm_content" as varchar) as "utm_content",
            cast("utm_term" as varchar) as "utm_term",
            cast("direct_campaign_id" as varchar) as "direct_campaign_id",
            cast("start_url" as varchar) as "start_url",
            cast("_partition_date" as date) as "_partition_date",
            cast("_landed_at" as timestamp with time zone) as "_landed_at",
            cast(file_row_number as bigint) as _file_row,
            case when json_valid(_payload) then json_extract_string(_payload, '$._malformed') end as _malformed,
            case when json_valid(_payload) then json_extract_string(_payload, '$."ym:s:dateTime"') end as _raw_date_time
        from read_parquet('benchmarks/.work/full/year/landing/yandex_metrika/visits/*.parquet', union_by_name = true, hive_partitioning = false, file_row_number = true)
    )
        as landed_visits

),

checked as (

    select
        * exclude (_malformed, _raw_date_time),
        case
            when _malformed is not null then _malformed
            when visit_id is null or trim(visit_id) = '' then 'missing_id'
            when started_at_local is null and nullif(trim(_raw_date_time), '') is not null then 'unparseable_time'
            when started_at_local is null then 'missing_time'
        end as _defect,
        cast('2026-12-07 17:35:58.814955' as timestamp) as _built_at
    from landed

),

final as (

    select
        *,
        hash(visit_id) as _key_hash,
        cast(1 as bigint) as _copy_rank,
        _defect as _quarantine_reason
    from checked

)

select * from final