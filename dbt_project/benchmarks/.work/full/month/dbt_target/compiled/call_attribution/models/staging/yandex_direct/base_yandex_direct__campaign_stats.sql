

with landed as (

    select * from 
    (
        select
            cast("date" as date) as "date",
            cast("campaign_id" as varchar) as "campaign_id",
            cast("campaign_name" as varchar) as "campaign_name",
            cast("impressions" as bigint) as "impressions",
            cast("clicks" as bigint) as "clicks",
            cast("cost" as decimal(18, 6)) as "cost",
            cast("_partition_date" as date) as "_partition_date",
            cast("_landed_at" as timestamp with time zone) as "_landed_at",
            cast(file_row_number as bigint) as _file_row,
            case when json_valid(_payload) then json_extract_string(_payload, '$._malformed') end as _malformed,
            case when json_valid(_payload) then json_extract_string(_payload, '$.Date') end as _raw_date
        from read_parquet('benchmarks/.work/full/month/landing/yandex_direct/campaign_stats/*.parquet', union_by_name = true, hive_partitioning = false, file_row_number = true)
    )
        as landed_stats

),

checked as (

    select
        * exclude (_malformed, _raw_date),
        case
            when _malformed is not null then _malformed
            when campaign_id is null or trim(campaign_id) = '' then 'missing_id'
            when date is null and nullif(trim(_raw_date), '') is not null then 'unparseable_time'
            when date is null then 'missing_time'
            when impressions is null or clicks is null or cost is null then 'unparseable_value'
            when cost < 0 or clicks < 0 or impressions < 0 then 'negative_value'
        end as _defect,
        cast('2026-12-07 17:36:53.455843' as timestamp) as _built_at
    from landed

),

final as (

    select
        *,
        coalesce(_defect, case when _copy_rank > 1 then 'duplicate_id' end) as _quarantine_reason
    from (
        select copies.*, cast(1 as bigint) as _copy_rank
        from checked as copies
        where not exists (
            select 1 from (select date, campaign_id
    from checked
    group by date, campaign_id
    having count(*) > 1) as repeated where repeated.date = copies.date and repeated.campaign_id = copies.campaign_id 
        )
        union all
        select
            copies.*,
            row_number() over (
                partition by date, campaign_id
                order by case when _defect is null then 0 else 1 end,
    case when date = _partition_date then 0 else 1 end,
    _partition_date desc,
    _file_row desc
            ) as _copy_rank
        from checked as copies
        where exists (
            select 1 from (select date, campaign_id
    from checked
    group by date, campaign_id
    having count(*) > 1) as repeated where repeated.date = copies.date and repeated.campaign_id = copies.campaign_id 
        )
    ) as ranked

)

select * from final