{#- No row repeats the combination of `columns` (NULLs compare equal, as a grain key should). -#}
{% test unique_combination(model, columns) %}

with keyed as (

    select
        {%- for column in columns %}
        cast({{ column }} as varchar) is null as {{ column }}_is_null,
        coalesce(cast({{ column }} as varchar), '') as {{ column }}_key{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}

)

select
    count(*) as occurrences
from keyed
group by
    {%- for column in columns %}
    {{ column }}_is_null, {{ column }}_key{{ ',' if not loop.last }}
    {%- endfor %}
having count(*) > 1

{% endtest %}
