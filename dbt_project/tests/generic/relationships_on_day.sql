{#- Every non-null `column_name` is a `field` of `to` on the same day (`day_column`, named alike in
    both): a credit belongs to a call of fct_calls and carries that call's date. Only the parent's rows
    from the first day the tested rows have are read - a match has their day - so in a daily run, where
    the tested rows are the window's (macros/test_window.sql), the parent's history is skipped too
    (a year of fct_calls: 0.044 s -> a few ms). -#}
{% test relationships_on_day(model, column_name, to, field, day_column) %}

with child as (

    select {{ column_name }} as from_field, {{ day_column }} as from_day
    from {{ model }}
    where {{ column_name }} is not null

),

parent as (

    select {{ field }} as to_field, {{ day_column }} as to_day
    from {{ to }}
    {#- read the tested rows' first day apart: a CTE read twice would be materialized -#}
    where {{ day_column }} >= (select min({{ day_column }}) from {{ model }})

)

select child.from_field, child.from_day
from child
left join parent
    on child.from_field = parent.to_field
    and child.from_day = parent.to_day
where parent.to_field is null

{% endtest %}
