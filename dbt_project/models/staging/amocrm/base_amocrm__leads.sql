{{ config(materialized='table') }}
{#-
    Every landed amoCRM deal version with its _quarantine_reason (NULL = valid); the stream's
    validity rule. A deal lands again each day it changes: the latest version (latest updated_at)
    is kept, earlier versions are 'superseded_version', another copy of the kept version
    'duplicate_id'. Copies of one version are ranked by landed day, then position in the file,
    never by landing time, so re-landing days in any order keeps the same row.
-#}

with landed as (

    select * from {{ landing_relation('amocrm', 'leads', payload_fields={
        'created_at': '$.created_at', 'price': '$.price', 'status_id': '$.status_id',
    }) }} as landed_leads

),

checked as (

    select
        *,
        case
            when _malformed is not null then _malformed
            when lead_id is null or trim(lead_id) = '' then 'missing_id'
            when created_at is null and nullif(nullif(trim(_raw_created_at), ''), '0') is not null then 'unparseable_time'
            when created_at is null then 'missing_time'
            when (price is null and nullif(trim(_raw_price), '') is not null)
                or (status_id is null and nullif(trim(_raw_status_id), '') is not null)
                then 'unparseable_value'
        end as _defect
    from landed

),

ranked as (

    select
        *,
        row_number() over versions as _version_rank,
        first_value(updated_at) over versions as _latest_updated_at
    from checked
    window versions as (
        partition by lead_id
        order by case when _defect is null then 0 else 1 end, updated_at desc nulls last, _partition_date desc, _file_row desc
    )

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
    from ranked

)

select * from final
