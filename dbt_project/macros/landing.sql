{#-
    Reading the landing zone: $ATTRIBUTION_HOME/landing/<source>/<stream>/<YYYY-MM-DD>.parquet.

    `landing_relation(source, table)` is called by the base staging models only. It calls
    `source()` (so lineage - and Dagster's asset graph - sees the landed stream), then, at run
    time, looks for files. With files it reads them all; with none it builds a typed empty
    relation from the column data types declared in the sources YAML, so a deployment without
    a CRM (or before its first landing) still builds. Either way the relation has exactly the
    declared columns, in the declared order, with the declared types - minus the columns marked
    meta.stays_in_landing (raw phone numbers, payloads carrying them), which never reach the warehouse.
-#}

{% macro landing_glob(source_name, table_name) -%}
    {%- set home = env_var('ATTRIBUTION_HOME') | replace('\\', '/') -%}
    {{ return(home.rstrip('/') ~ '/landing/' ~ source_name ~ '/' ~ table_name ~ '/*.parquet') }}
{%- endmacro %}

{% macro landing_has_files(pattern) -%}
    {{ return(adapter.dispatch('landing_has_files', 'call_attribution')(pattern)) }}
{%- endmacro %}
{% macro duckdb__landing_has_files(pattern) -%}
    {%- set result = run_query("select count(*) from glob('" ~ (pattern | replace("'", "''")) ~ "')") -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- The landed days ('YYYY-MM-DD', sorted) of a stream: the names of its files. -#}
{% macro landed_days(source_name, table_name) -%}
    {{ return(adapter.dispatch('landed_days', 'call_attribution')(landing_glob(source_name, table_name))) }}
{%- endmacro %}
{% macro duckdb__landed_days(pattern) -%}
    {%- set sql -%}
        select distinct regexp_extract(file, '(\d{4}-\d{2}-\d{2})\.parquet$', 1) as day
        from glob('{{ pattern | replace("'", "''") }}')
        where regexp_extract(file, '(\d{4}-\d{2}-\d{2})\.parquet$', 1) <> ''
        order by 1
    {%- endset -%}
    {{ return(run_query(sql).columns[0].values() | list) }}
{%- endmacro %}

{#- Of these landed days of a stream, the ones whose file holds at least one row (a day with no
    calls lands an empty file, which no table ever shows). -#}
{% macro landed_days_with_rows(source_name, table_name, days) -%}
    {%- if not days -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set root = landing_glob(source_name, table_name)[:-('*.parquet' | length)] -%}
    {%- set files = [] -%}
    {%- for day in days -%}{%- do files.append(root ~ day ~ '.parquet') -%}{%- endfor -%}
    {{ return(adapter.dispatch('landed_days_with_rows', 'call_attribution')(files)) }}
{%- endmacro %}
{% macro duckdb__landed_days_with_rows(files) -%}
    {%- set parts = [] -%}
    {%- for f in files -%}{%- do parts.append("'" ~ (f | replace("'", "''")) ~ "'") -%}{%- endfor -%}
    {%- set sql -%}
        select regexp_extract(file_name, '(\d{4}-\d{2}-\d{2})\.parquet$', 1) as day
        from parquet_file_metadata([{{ parts | join(', ') }}])
        where num_rows > 0
        order by 1
    {%- endset -%}
    {{ return(run_query(sql).columns[0].values() | list) }}
{%- endmacro %}

{#- `files`: a glob pattern, or a list of file paths. -#}
{% macro read_landing_files(files) -%}
    {{ return(adapter.dispatch('read_landing_files', 'call_attribution')(files)) }}
{%- endmacro %}
{% macro duckdb__read_landing_files(files) -%}
    {%- if files is string -%}
        {%- set quoted = "'" ~ (files | replace("'", "''")) ~ "'" -%}
    {%- else -%}
        {%- set parts = [] -%}
        {%- for f in files -%}{%- do parts.append("'" ~ (f | replace("'", "''")) ~ "'") -%}{%- endfor -%}
        {%- set quoted = '[' ~ (parts | join(', ')) ~ ']' -%}
    {%- endif -%}
    read_parquet({{ quoted }}, union_by_name = true, hive_partitioning = false, file_row_number = true)
{%- endmacro %}

{#- The row's position in its landed file (a column of read_landing_files). -#}
{% macro landing_file_row() -%}
    {{ return(adapter.dispatch('landing_file_row', 'call_attribution')()) }}
{%- endmacro %}
{% macro duckdb__landing_file_row() -%}
    file_row_number
{%- endmacro %}

{#- One value of a JSON text column, as text (NULL when absent, JSON null, or the text is not JSON). -#}
{% macro json_text(json_expr, path) -%}
    {{ return(adapter.dispatch('json_text', 'call_attribution')(json_expr, path)) }}
{%- endmacro %}
{% macro duckdb__json_text(json_expr, path) -%}
    case when json_valid({{ json_expr }}) then json_extract_string({{ json_expr }}, '{{ path | replace("'", "''") }}') end
{%- endmacro %}

{#- The declared columns that enter the warehouse (meta.stays_in_landing ones do not). -#}
{% macro landing_columns(source_name, table_name) -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == source_name and node.name == table_name -%}
            {%- set kept = [] -%}
            {%- for column in node.columns.values() -%}
                {%- set meta = column.get('meta') or {} -%}
                {%- set config_meta = (column.get('config') or {}).get('meta') or {} -%}
                {%- if not (meta.get('stays_in_landing') or config_meta.get('stays_in_landing')) -%}
                    {%- do kept.append(column) -%}
                {%- endif -%}
            {%- endfor -%}
            {{ return(kept) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('landing source ' ~ source_name ~ '.' ~ table_name ~ ' is not declared') }}
{%- endmacro %}

{#- from_day ('YYYY-MM-DD' or none): read only the files of that landed day and later. -#}
{% macro landing_relation(source_name, table_name, payload_fields={}, from_day=none) -%}
    {%- set declared = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return('(select 1 as placeholder)') }}
    {%- endif -%}
    {%- set columns = landing_columns(source_name, table_name) -%}
    {%- if columns | length == 0 -%}
        {{ exceptions.raise_compiler_error('declare the columns (with data_type) of source ' ~ source_name ~ '.' ~ table_name) }}
    {%- endif -%}
    {%- set pattern = landing_glob(source_name, table_name) -%}
    {%- if from_day is none -%}
        {%- set files = pattern if landing_has_files(pattern) else none -%}
    {%- else -%}
        {%- set root = pattern[:-('*.parquet' | length)] -%}
        {%- set files = [] -%}
        {%- for day in landed_days(source_name, table_name) if day >= from_day -%}
            {%- do files.append(root ~ day ~ '.parquet') -%}
        {%- endfor -%}
        {%- set files = files if files else none -%}
    {%- endif -%}
    {%- if files is not none %}
    (
        select
        {%- for column in columns %}
            cast({{ adapter.quote(column['name']) }} as {{ column['data_type'] }}) as {{ adapter.quote(column['name']) }},
        {%- endfor %}
            cast({{ landing_file_row() }} as bigint) as _file_row,
            {{ json_text('_payload', '$._malformed') }} as _malformed
        {%- for name, path in payload_fields.items() %},
            {{ json_text('_payload', path) }} as _raw_{{ name }}
        {%- endfor %}
        from {{ read_landing_files(files) }}
    )
    {%- else %}
    (
        -- no landed files yet for {{ source_name }}.{{ table_name }}: a typed empty relation
        select
        {%- for column in columns %}
            cast(null as {{ column['data_type'] }}) as {{ adapter.quote(column['name']) }},
        {%- endfor %}
            cast(null as bigint) as _file_row,
            cast(null as varchar) as _malformed
        {%- for name, path in payload_fields.items() %},
            cast(null as varchar) as _raw_{{ name }}
        {%- endfor %}
        where 1 = 0
    )
    {%- endif -%}
{%- endmacro %}

{#- The select list of a base model's `checked` CTE over landing_relation(...): every landed column
    but the texts read from the payload (_malformed, _raw_<field>), which only decide the row's
    _defect; the payload itself stays in the landing zone, where the row can be read again. Writing
    them kept three columns of NULLs for nearly every visit (about 1 s of a year's build). -#}
{% macro landed_columns(payload_fields={}) -%}
    * exclude (_malformed{% for name in payload_fields %}, _raw_{{ name }}{% endfor %})
{%- endmacro %}

{#- Statements (each ending with `;`) for the pre_hook of an incremental base model: drop the columns
    that earlier versions kept from the landed payload (_payload, _malformed, _raw_<field>) from a
    table they built, so it has the model's columns again. -#}
{% macro drop_payload_columns() -%}
    {%- if execute and is_incremental() -%}
        {%- for column in adapter.get_columns_in_relation(this) -%}
            {%- if column.name in ('_payload', '_malformed') or column.name.startswith('_raw_') %}
        alter table {{ this }} drop column {{ adapter.quote(column.name) }};
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
