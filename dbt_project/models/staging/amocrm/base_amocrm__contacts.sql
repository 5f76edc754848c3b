{{ config(materialized='table') }}
{#-
    Every landed amoCRM contact-phone row with its _quarantine_reason (NULL = valid); the stream's
    validity rule. A contact's latest version (latest updated_at, then latest _landed_at) is kept
    with all its phones; rows of earlier versions are 'superseded_version', a repeated phone row
    within the kept version 'duplicate_id'.
-#}

with landed as (

    select * from {{ landing_relation('amocrm', 'contacts') }} as landed_contacts

),

checked as (

    select
        *,
        case
            when contact_id is null or trim(contact_id) = '' then 'missing_id'
        end as _defect
    from landed

),

ranked as (

    select
        *,
        dense_rank() over (
            partition by contact_id
            order by case when _defect is null then 0 else 1 end, updated_at desc nulls last, _landed_at desc
        ) as _version_rank,
        row_number() over (
            partition by contact_id, updated_at, _landed_at, phone_index
            order by _partition_date desc
        ) as _copy_rank
    from checked

),

final as (

    select
        *,
        coalesce(
            _defect,
            case
                when _version_rank > 1 then 'superseded_version'
                when _copy_rank > 1 then 'duplicate_id'
            end
        ) as _quarantine_reason
    from ranked

)

select * from final
