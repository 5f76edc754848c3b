{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': 'date'}},
    pre_hook="{{ delete_recounted_days(quality_recounted_days()) }}",
    post_hook="{{ remember_quality_built_at() }}",
) }}
{#-
    Per (source, stream, landed day): rows landed, rows staged, rows quarantined and why
    ('duplicate_id: 2; missing_time: 1'). rows_landed = rows_staged + rows_quarantined.
    Incremental: a daily run recounts the landed days whose rows changed (macros/data_quality.sql).
-#}
{%- set days = quality_recounted_days() %}

with

{% for s in landed_streams() %}
{{ s.base }}_landed as (

    select _partition_date, count(*) as row_count
    from {{ ref(s.base) }}
    {{ in_recounted_days(s, days) }}
    group by _partition_date

),

{{ s.staged }}_staged as (

    select _partition_date, count(*) as row_count
    from {{ ref(s.staged) }}
    {{ in_recounted_days(s, days) }}
    group by _partition_date

),

{{ s.base }}_quarantined as (

    select source, stream, _partition_date, quarantine_reason
    from {{ ref('int_records_quarantined') }}
    where source = '{{ s.source }}' and stream = '{{ s.stream }}'
    {{ in_recounted_days(s, days, keyword='and') }}

),
{% endfor %}

landed as (

    {%- for s in landed_streams() %}
    select '{{ s.source }}' as source, '{{ s.stream }}' as stream, _partition_date, row_count
    from {{ s.base }}_landed
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

staged as (

    {%- for s in landed_streams() %}
    select '{{ s.source }}' as source, '{{ s.stream }}' as stream, _partition_date, row_count
    from {{ s.staged }}_staged
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

quarantined_records as (

    {%- for s in landed_streams() %}
    select * from {{ s.base }}_quarantined
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

reason_counts as (

    select
        source,
        stream,
        _partition_date,
        quarantine_reason,
        count(*) as row_count
    from quarantined_records
    group by source, stream, _partition_date, quarantine_reason

),

quarantined as (

    select
        source,
        stream,
        _partition_date,
        sum(row_count) as row_count,
        {{ dbt.listagg("quarantine_reason || ': ' || cast(row_count as varchar)", "'; '", "order by quarantine_reason") }} as quarantine_reasons
    from reason_counts
    group by source, stream, _partition_date

),

final as (

    select
        cast(landed.source as varchar) as source,
        cast(landed.stream as varchar) as stream,
        cast(landed._partition_date as date) as date,
        cast(landed.row_count as bigint) as rows_landed,
        cast(coalesce(staged.row_count, 0) as bigint) as rows_staged,
        cast(coalesce(quarantined.row_count, 0) as bigint) as rows_quarantined,
        cast(quarantined.quarantine_reasons as varchar) as quarantine_reasons
    from landed
    left join staged
        on landed.source = staged.source
        and landed.stream = staged.stream
        and landed._partition_date = staged._partition_date
    left join quarantined
        on landed.source = quarantined.source
        and landed.stream = quarantined.stream
        and landed._partition_date = quarantined._partition_date

)

select * from final
