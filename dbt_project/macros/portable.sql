{#-
    The only place with adapter-specific SQL (DESIGN section 7). Each macro dispatches,
    so another warehouse supplies `<adapter>__<name>` without touching the models.
-#}

{#- Vendor wall-clock text in the account time zone (naive timestamp) -> timestamptz. -#}
{% macro localize_timestamp(naive_ts) -%}
    {{ return(adapter.dispatch('localize_timestamp', 'call_attribution')(naive_ts)) }}
{%- endmacro %}
{% macro default__localize_timestamp(naive_ts) -%}
    ({{ naive_ts }} at time zone '{{ account_timezone() }}')
{%- endmacro %}
{% macro duckdb__localize_timestamp(naive_ts) -%}
    timezone('{{ account_timezone() }}', cast({{ naive_ts }} as timestamp))
{%- endmacro %}

{#- timestamptz -> the local date in the account time zone. -#}
{% macro local_date(ts) -%}
    {{ return(adapter.dispatch('local_date', 'call_attribution')(ts)) }}
{%- endmacro %}
{% macro default__local_date(ts) -%}
    cast(({{ ts }} at time zone '{{ account_timezone() }}') as date)
{%- endmacro %}
{% macro duckdb__local_date(ts) -%}
    cast(timezone('{{ account_timezone() }}', {{ ts }}) as date)
{%- endmacro %}

{#- A local date -> the timestamptz of its local midnight. -#}
{% macro local_midnight(date_expr) -%}
    {{ localize_timestamp('cast(' ~ date_expr ~ ' as timestamp)') }}
{%- endmacro %}

{#- Today's date in the account time zone. -#}
{% macro local_today() -%}
    {{ return(adapter.dispatch('local_today', 'call_attribution')()) }}
{%- endmacro %}
{% macro default__local_today() -%}
    {{ local_date(dbt.current_timestamp()) }}
{%- endmacro %}
{% macro duckdb__local_today() -%}
    cast(timezone('{{ account_timezone() }}', now()) as date)
{%- endmacro %}

{#- (end - start) in fractional days, for two timestamptz values. -#}
{% macro fractional_days_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('fractional_days_between', 'call_attribution')(start_ts, end_ts)) }}
{%- endmacro %}
{% macro default__fractional_days_between(start_ts, end_ts) -%}
    ({{ dbt.datediff(start_ts, end_ts, 'second') }} / 86400.0)
{%- endmacro %}
{% macro duckdb__fractional_days_between(start_ts, end_ts) -%}
    ((epoch({{ end_ts }}) - epoch({{ start_ts }})) / 86400.0)
{%- endmacro %}

{#- The numeric value of a vendor id held as text (Metrica ids exceed BIGINT). NULL if not numeric. -#}
{% macro numeric_id(id_expr) -%}
    {{ return(adapter.dispatch('numeric_id', 'call_attribution')(id_expr)) }}
{%- endmacro %}
{% macro default__numeric_id(id_expr) -%}
    cast({{ id_expr }} as decimal(20, 0))
{%- endmacro %}
{% macro duckdb__numeric_id(id_expr) -%}
    try_cast({{ id_expr }} as hugeint)
{%- endmacro %}

{#- Keep only the digits of a text value. -#}
{% macro digits_only(expr) -%}
    {{ return(adapter.dispatch('digits_only', 'call_attribution')(expr)) }}
{%- endmacro %}
{% macro default__digits_only(expr) -%}
    regexp_replace({{ expr }}, '[^0-9]', '')
{%- endmacro %}
{% macro duckdb__digits_only(expr) -%}
    regexp_replace({{ expr }}, '[^0-9]', '', 'g')
{%- endmacro %}

{#- One output row per element of a list column (used in a select list). -#}
{% macro explode_list(list_expr) -%}
    {{ return(adapter.dispatch('explode_list', 'call_attribution')(list_expr)) }}
{%- endmacro %}
{% macro default__explode_list(list_expr) -%}
    unnest({{ list_expr }})
{%- endmacro %}

{#- 2 ^ x as a double. -#}
{% macro power_of_two(exponent) -%}
    {{ return(adapter.dispatch('power_of_two', 'call_attribution')(exponent)) }}
{%- endmacro %}
{% macro default__power_of_two(exponent) -%}
    power(2.0, {{ exponent }})
{%- endmacro %}
