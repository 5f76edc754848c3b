{#- Business settings read in more than one model, resolved in one place. -#}

{% macro account_timezone() -%}
    {{ return(var('timezone', env_var('ATTRIBUTION_TIMEZONE', 'Europe/Moscow'))) }}
{%- endmacro %}

{#- The attribution models of DESIGN section 4; the first-listed default is last_non_direct. -#}
{% macro attribution_models() -%}
    {{ return(['last_click', 'last_non_direct', 'first_click', 'linear', 'position_based', 'time_decay']) }}
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

{#- A date var ('YYYY-MM-DD' or null) as a SQL date literal, else the fallback expression. -#}
{% macro date_var(name, fallback) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none or value == '' -%}
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
