{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': '_partition_date'}},
    pre_hook="{{ replace_landed_window('amocrm', 'contacts', ['contact_id']) }}",
    post_hook="{{ rerank_copies(amocrm_contact_versions(copies_to_rerank(['contact_id'], amocrm_contact_version_columns())),
                                amocrm_contact_version_columns()) }}",
) }}
{#-
    Every landed amoCRM contact-phone row with its _quarantine_reason (NULL = valid); the stream's
    validity rule. A contact lands with the deals of each day it is linked to; which copy is kept:
    macros/amocrm.sql. Incremental on the landed day: a run reads the landed days of its window and
    ranks every copy of the contacts it wrote again.
-#}
{%- set window_start = landing_window_start('amocrm', 'contacts') %}

with landed as (

    select * from {{ landing_relation('amocrm', 'contacts', from_day=window_start) }} as landed_contacts

),

checked as (

    select
        {{ landed_columns() }},
        case
            when _malformed is not null then _malformed
            when contact_id is null or trim(contact_id) = '' then 'missing_id'
        end as _defect,
        {{ this_run_at() }} as _built_at
    from landed

),

final as (

    {{ amocrm_contact_versions('checked') }}

)

select * from final
