{{ config(materialized='table') }}
{#-
    Every landed amoCRM deal version with its _quarantine_reason (NULL = valid); the stream's
    validity rule. A deal lands again each day it changes: the latest version (latest updated_at,
    then latest _landed_at) is kept, earlier versions are 'superseded_version', a second copy of
    the same version 'duplicate_id'.
-#}

with landed as (

    select * from {{ landing_relation('amocrm', 'leads') }} as landed_leads

),

checked as (

    select
        *,
        case
            when lead_id is null or trim(lead_id) = '' then 'missing_id'
            when created_at is null then 'missing_time'
        end as _defect
    from landed

),

ranked as (

    select
        *,
        row_number() over (
            partition by lead_id
            order by case when _defect is null then 0 else 1 end, updated_at desc nulls last, _landed_at desc
        ) as _version_rank,
        first_value(updated_at) over (
            partition by lead_id
            order by case when _defect is null then 0 else 1 end, updated_at desc nulls last, _landed_at desc
        ) as _latest_updated_at
    from checked

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
