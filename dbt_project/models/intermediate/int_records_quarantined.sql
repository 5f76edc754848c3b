{{ config(materialized='view', meta={'test_window': {'column': '_partition_date'}}) }}
{#-
    Every landed record that could not be staged, with the reason its stream's base model gave
    (missing_id, missing_time, impossible_duration, negative_value, duplicate_id, superseded_version).
    Nothing is dropped silently: per (source, stream, day) landed = staged + quarantined (data_quality).
    A view: data_quality reads the landed days it recounts through it, and a table would be written
    again whole in every daily run.
-#}

with

{% for s in landed_streams() %}
{{ s.base }} as (

    select
        '{{ s.source }}' as source,
        '{{ s.stream }}' as stream,
        cast({{ s.record_id }} as varchar) as record_id,
        _partition_date,
        _landed_at,
        _quarantine_reason as quarantine_reason
    from {{ ref(s.base) }}
    where _quarantine_reason is not null

),
{% endfor %}

final as (

    {%- for s in landed_streams() %}
    select * from {{ s.base }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select * from final
