{#-
    amoCRM's versions: a deal or contact lands again each day it changes, so the kept copy is the
    latest version (latest updated_at), not only one of several copies (macros/copies.sql). Each
    macro ranks a checked relation (with _defect) - the landed rows a run read, or, in its post_hook,
    every copy of the keys it wrote (`copies_to_rerank`) - and gives each row its _quarantine_reason.
    Landing time never decides, so re-landing days in any order keeps the same rows.
-#}

{#- The columns the deal ranking decides. -#}
{% macro amocrm_lead_version_columns() -%}
    {{ return(['_version_rank', '_latest_updated_at', '_quarantine_reason']) }}
{%- endmacro %}

{#- Deals: the latest version is kept, earlier versions are 'superseded_version', another copy of
    the kept version 'duplicate_id'. Copies of one version are ranked by landed day, then position
    in the file. -#}
{% macro amocrm_lead_versions(relation) -%}
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
        from {{ relation }} as landed_versions
        window versions as (
            partition by lead_id
            order by case when _defect is null then 0 else 1 end, updated_at desc nulls last,
                     _partition_date desc, _file_row desc
        )
    ) as ranked
{%- endmacro %}

{#- The columns the contact ranking decides. -#}
{% macro amocrm_contact_version_columns() -%}
    {{ return(['_version_rank', '_latest_updated_at', '_copy_rank', '_quarantine_reason']) }}
{%- endmacro %}

{#- Contact-phone rows: the kept copy, with all its phones, is the latest version from the latest
    landed day. Rows of other copies are 'superseded_version' (an older updated_at) or
    'duplicate_id' (the same version landed on another day, or a phone row repeated within the
    kept copy). -#}
{% macro amocrm_contact_versions(relation) -%}
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
        from {{ relation }} as landed_versions
        window versions as (
            partition by contact_id
            order by case when _defect is null then 0 else 1 end, updated_at desc nulls last, _partition_date desc
        )
    ) as ranked
{%- endmacro %}
