{{ config(materialized='view', meta={'test_window': {'column': '_partition_date'}}) }}
{#-
    Calls of every call-tracking vendor in one shape, with the call center of the routed number.
    Adding a vendor (Ringostat, CoMagic, CallRail) = a staging model producing
    unified_call_columns() and its name in the list below.
-#}
{%- set call_models = [
    'stg_calltouch__calls',
] -%}

with

{% for call_model in call_models %}
{{ call_model }} as (

    select * from {{ ref(call_model) }}

),
{% endfor %}

call_centers as (

    select * from {{ ref('call_centers') }}

),

unioned as (

    {%- for call_model in call_models %}
    select {{ unified_call_columns() | join(', ') }} from {{ call_model }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        unioned.*,
        call_centers.call_center
    from unioned
    left join call_centers
        on unioned.routed_number = call_centers.routed_number

)

select * from final
