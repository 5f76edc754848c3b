{#- Business settings read in more than one model, resolved in one place. -#}

{% macro account_timezone() -%}
    {{ return(var('timezone', env_var('ATTRIBUTION_TIMEZONE', 'Europe/Moscow'))) }}
{%- endmacro %}

{#- The attribution models of DESIGN section 4; the first-listed default is last_non_direct. -#}
{% macro attribution_models() -%}
    {{ return(['last_click', 'last_non_direct', 'first_click', 'linear', 'position_based', 'time_decay']) }}
{%- endmacro %}

{#- The credit a model gives a touch: int_attribution_credits_allocated has a column per model. -#}
{% macro credit_of_model(model_expr, relation) -%}
    case {{ model_expr }}
    {%- for m in attribution_models() %}
        when '{{ m }}' then {{ relation }}.credit_{{ m }}
    {%- endfor %}
    end
{%- endmacro %}

{% macro default_attribution_model() -%}
    {{ return('last_non_direct') }}
{%- endmacro %}

{#- One row per attribution model, as a subquery to cross join with. -#}
{% macro attribution_models_relation() -%}
    (
    {%- for m in attribution_models() %}
        select '{{ m }}' as attribution_model{% if not loop.last %} union all{% endif %}
    {%- endfor %}
    )
{%- endmacro %}

{#- n x 24 hours before a timestamptz (exact hours, so DST never shifts a window). -#}
{% macro hours_before(days_expr, timestamp_expr) -%}
    {{ dbt.dateadd('hour', '-24 * (' ~ days_expr ~ ')', timestamp_expr) }}
{%- endmacro %}

{#- A date run setting ('YYYY-MM-DD': the var, else ATTRIBUTION_<NAME> at execution; macros/incremental.sql)
    as a SQL date literal, else the fallback expression. -#}
{% macro date_var(name, fallback) -%}
    {%- set value = run_setting(name, 'ATTRIBUTION_' ~ (name | upper)) -%}
    {%- if value is none -%}
        {{ fallback }}
    {%- else -%}
        cast('{{ value }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- Cost as the marts report it: converted when the landed VAT treatment differs from the reported one. -#}
{% macro cost_in_reporting_basis(cost_expr) -%}
    {%- set landed_with = var('spend_includes_vat') | string | lower in ['true', '1', 'yes'] -%}
    {%- set report_with = var('report_cost_with_vat') | string | lower in ['true', '1', 'yes'] -%}
    {%- set rate = var('vat_rate') -%}
    {%- if landed_with and not report_with -%}
        ({{ cost_expr }}) / (1 + {{ rate }})
    {%- elif report_with and not landed_with -%}
        ({{ cost_expr }}) * (1 + {{ rate }})
    {%- else -%}
        ({{ cost_expr }})
    {%- endif -%}
{%- endmacro %}

{#- x / y, NULL when y is zero or NULL. -#}
{% macro safe_divide(numerator, denominator) -%}
    case when {{ denominator }} is null or {{ denominator }} = 0 then null
         else {{ numerator }} / {{ denominator }} end
{%- endmacro %}

{#-
    The landed streams: source, stream, base model (every landed row with _quarantine_reason),
    staging model (the valid rows) and the record key shown in quarantine. Adding a landed
    stream to data_quality and int_records_quarantined is one entry here.
-#}
{% macro landed_streams() -%}
    {{ return([
        {'source': 'calltouch', 'stream': 'calls', 'base': 'base_calltouch__calls', 'staged': 'stg_calltouch__calls', 'record_id': 'call_id'},
        {'source': 'yandex_direct', 'stream': 'campaign_stats', 'base': 'base_yandex_direct__campaign_stats', 'staged': 'stg_yandex_direct__campaign_stats', 'record_id': "cast(date as varchar) || ':' || campaign_id"},
        {'source': 'yandex_metrika', 'stream': 'visits', 'base': 'base_yandex_metrika__visits', 'staged': 'stg_yandex_metrika__visits', 'record_id': 'visit_id'},
        {'source': 'amocrm', 'stream': 'leads', 'base': 'base_amocrm__leads', 'staged': 'stg_amocrm__leads', 'record_id': 'lead_id'},
        {'source': 'amocrm', 'stream': 'contacts', 'base': 'base_amocrm__contacts', 'staged': 'stg_amocrm__contacts', 'record_id': "contact_id || ':' || cast(phone_index as varchar)"},
    ]) }}
{%- endmacro %}

{#- The unified call shape every vendor's staging model produces (see int_calls_unioned).
    started_at_local is the call's start on the account's wall clock (call_date is its date): a vendor
    that lands it, as Calltouch does, passes its own column through, so a bound on it skips the row
    groups of older calls (DuckDB does not push a bound on call_date, an expression of the staging
    view, into the scan below the view's own filter: it reads every call of the history). -#}
{% macro unified_call_columns() -%}
    {{ return([
        'call_id', 'source_system', 'vendor_call_id', 'started_at', 'started_at_local', 'call_date', 'caller_hash',
        'tracking_number', 'routed_number', 'answered', 'wait_seconds', 'talk_seconds',
        'vendor_is_unique', 'vendor_is_target', 'vendor_is_unique_target', 'operator_name',
        'vendor_session_id', 'client_id', 'vendor_source', 'vendor_medium',
        'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term',
        'direct_campaign_id', 'recording_url', '_partition_date', '_landed_at',
    ]) }}
{%- endmacro %}
