{#-
    Data tests in a daily run check the rows the run rebuilt, not a year of history again.

    A model opts in with `config: meta: test_window: {column: <date column>}`. With a run window set
    (macros/incremental.sql) each generic data test on the model reads only the rows from the run's
    start date on; without one (a full build, the test suite) it reads every row. A relationship
    test on a day (tests/generic/relationships_on_day.sql) reads the parent from the tested rows'
    first day on. Singular tests read everything, but for the per-call identities checked on the
    window's calls: assert_credits_sum_to_one and assert_revenue_credited_equals_won_deals.
-#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set conditions = [where] if where else [] -%}
    {%- set window = call_attribution.test_window_condition(relation) if execute else '' -%}
    {%- if window -%}
        {%- do conditions.append(window) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{% macro test_window_condition(relation) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set start = run_start_date() -%}
    {%- if start is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set model = window_model_node(relation.identifier, relation.schema) -%}
    {%- set window = ((model.config.meta or {}).get('test_window') if model is not none else none) -%}
    {%- if not window -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(window['column'] ~ " >= cast('" ~ start ~ "' as date)") }}
{%- endmacro %}

{#- The model node named `identifier` (in `schema`, when given), or none. -#}
{% macro window_model_node(identifier, schema=none) -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and (node.alias or node.name) == identifier
              and (schema is none or node.schema == schema) -%}
            {{ return(node) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
