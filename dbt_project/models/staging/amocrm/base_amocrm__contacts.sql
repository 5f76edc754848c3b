{{ config(materialized='table') }}
{#-
    Every landed amoCRM contact-phone row with its _quarantine_reason (NULL = valid); the stream's
    validity rule. A contact lands with the deals of each day it is linked to; the copy kept, with
    all its phones, is the latest version (latest updated_at) from the latest landed day. Rows of
    other copies are 'superseded_version' (an older updated_at) or 'duplicate_id' (the same version
    landed on another day, or a phone row repeated within the kept copy). Landing time never
    decides, so re-landing days in any order keeps the same rows.
-#}

with landed as (

    select * from {{ landing_relation('amocrm', 'contacts') }} as landed_contacts

),

checked as (

    select
        *,
        case
            when _malformed is not null then _malformed
            when contact_id is null or trim(contact_id) = '' then 'missing_id'
        end as _defect
    from landed

),

ranked as (

    select
        *,
        dense_rank() over versions as _version_rank,
        first_value(updated_at) over versions as _latest_updated_at,
        row_number() over (
            partition by contact_id, updated_at, _partition_date, phone_index
            order by _file_row desc
        ) as _copy_rank
    from checked
    window versions as (
        partition by contact_id
        order by case when _defect is null then 0 else 1 end, updated_at desc nulls last, _partition_date desc
    )

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
    from ranked

)

select * from final
