

with landed as (

    select * from 
    (
        select
            cast("contact_id" as varchar) as "contact_id",
            cast("updated_at" as timestamp with time zone) as "updated_at",
            cast("phone_index" as bigint) as "phone_index",
            cast("caller_hash" as varchar) as "caller_hash",
            cast("_partition_date" as date) as "_partition_date",
            cast("_landed_at" as timestamp with time zone) as "_landed_at",
            cast(file_row_number as bigint) as _file_row,
            case when json_valid(_payload) then json_extract_string(_payload, '$._malformed') end as _malformed
        from read_parquet('benchmarks/.work/full/year/landing/amocrm/contacts/*.parquet', union_by_name = true, hive_partitioning = false, file_row_number = true)
    ) as landed_contacts

),

checked as (

    select
        * exclude (_malformed),
        case
            when _malformed is not null then _malformed
            when contact_id is null or trim(contact_id) = '' then 'missing_id'
        end as _defect,
        cast('2026-12-07 17:35:58.814955' as timestamp) as _built_at
    from landed

),

final as (

    select
        *,
        coalesce(
            _defect,
            case
                when _version_rank > 1 and updated_at is distinct from _latest_updated_at then 'superseded_version'
                when _version_rank > 1 or _copy_rank > 1 then 'duplicate_id'
            end
        ) as _quarantine_reason
    from (
        select
            *,
            dense_rank() over versions as _version_rank,
            first_value(updated_at) over versions as _latest_updated_at,
            row_number() over (
                partition by contact_id, updated_at, _partition_date, phone_index
                order by _file_row desc
            ) as _copy_rank
        from checked as landed_versions
        window versions as (
            partition by contact_id
            order by case when _defect is null then 0 else 1 end, updated_at desc nulls last, _partition_date desc
        )
    ) as ranked

)

select * from final