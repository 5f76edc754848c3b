
    

    create  table
      "warehouse"."staging"."base_amocrm__leads__dbt_tmp"
  
    
    as (
      

with landed as (

    select * from 
    (
        select
            cast("lead_id" as varchar) as "lead_id",
            cast("name" as varchar) as "name",
            cast("price" as decimal(18, 6)) as "price",
            cast("status_id" as bigint) as "status_id",
            cast("pipeline_id" as bigint) as "pipeline_id",
            cast("responsible_user_id" as varchar) as "responsible_user_id",
            cast("created_at" as timestamp with time zone) as "created_at",
            cast("updated_at" as timestamp with time zone) as "updated_at",
            cast("closed_at" as timestamp with time zone) as "closed_at",
            cast("is_deleted" as boolean) as "is_deleted",
            cast("contact_ids" as varchar[]) as "contact_ids",
            cast("main_contact_id" as varchar) as "main_contact_id",
            cast("_partition_date" as date) as "_partition_date",
            cast("_landed_at" as timestamp with time zone) as "_landed_at",
            cast(file_row_number as bigint) as _file_row,
            case when json_valid(_payload) then json_extract_string(_payload, '$._malformed') end as _malformed,
            case when json_valid(_payload) then json_extract_string(_payload, '$.created_at') end as _raw_created_at,
            case when json_valid(_payload) then json_extract_string(_payload, '$.price') end as _raw_price,
            case when json_valid(_payload) then json_extract_string(_payload, '$.status_id') end as _raw_status_id
        from read_parquet('benchmarks/.work/full/month/landing/amocrm/leads/*.parquet', union_by_name = true, hive_partitioning = false, file_row_number = true)
    )
        as landed_leads

),

checked as (

    select
        * exclude (_malformed, _raw_created_at, _raw_price, _raw_status_id),
        case
            when _malformed is not null then _malformed
            when lead_id is null or trim(lead_id) = '' then 'missing_id'
            when created_at is null and nullif(nullif(trim(_raw_created_at), ''), '0') is not null then 'unparseable_time'
            when created_at is null then 'missing_time'
            when (price is null and nullif(trim(_raw_price), '') is not null)
                or (status_id is null and nullif(trim(_raw_status_id), '') is not null)
                then 'unparseable_value'
        end as _defect,
        cast('2026-12-07 17:36:53.455843' as timestamp) as _built_at
    from landed

),

final as (

    select
        *,
        coalesce(
            _defect,
            case
                when _version_rank = 1 then null
                when updated_at is not distinct from _latest_updated_at then 'duplicate_id'
                else 'superseded_version'
            end
        ) as _quarantine_reason
    from (
        select
            *,
            row_number() over versions as _version_rank,
            first_value(updated_at) over versions as _latest_updated_at
        from checked as landed_versions
        window versions as (
            partition by lead_id
            order by case when _defect is null then 0 else 1 end, updated_at desc nulls last,
                     _partition_date desc, _file_row desc
        )
    ) as ranked

)

select * from final
    );
    
  
  