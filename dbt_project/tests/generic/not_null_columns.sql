{#-
    None of `columns` is NULL: one row per column that has NULLs, with how many (so a failure names
    the column). One test for all of a model's required columns instead of a not_null per column:
    in a daily run each dbt test is a node whose own overhead far exceeds its query.
-#}
{% test not_null_columns(model, columns) %}

with counted as (

    select
        {%- for column in columns %}
        count(*) filter (where {{ column }} is null) as "{{ column }}"{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

per_column as (

    {%- for column in columns %}
    select '{{ column }}' as column_name, "{{ column }}" as null_rows from counted
    {{- ' union all' if not loop.last }}
    {%- endfor %}

)

select * from per_column
where null_rows > 0

{% endtest %}
