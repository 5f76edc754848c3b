{#-
    Custom schemas are used as-is (marts land in `marts`, not `main_marts`), so the
    published file and BI tools see the names of DESIGN section 4.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
