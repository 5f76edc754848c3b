-- Every (call, attribution model) distributes exactly one unit of credit; every call has all six models.
-- A daily run checks the calls of its window (macros/test_window.sql), a full build every call.
{%- set start = run_start_date() if execute else none %}
with calls as (

    select * from {{ ref('fct_calls') }}
    {%- if start is not none %}
    where call_date >= cast('{{ start }}' as date)
    {%- endif %}

),

credits as (

    select * from {{ ref('attribution_credits') }}
    {%- if start is not none %}
    where call_date >= cast('{{ start }}' as date)
    {%- endif %}

),

per_call_model as (

    select call_id, attribution_model, sum(credit) as credit_total
    from credits
    group by call_id, attribution_model

),

models_per_call as (

    select calls.call_id, count(per_call_model.attribution_model) as model_count
    from calls
    left join per_call_model
        on calls.call_id = per_call_model.call_id
    group by calls.call_id

)

select call_id, attribution_model, credit_total, null as model_count
from per_call_model
where abs(credit_total - 1.0) > 1e-9

union all

select call_id, null, null, model_count
from models_per_call
where model_count <> {{ attribution_models() | length }}
