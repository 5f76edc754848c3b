{#-
    Per (source, stream, landed day): rows landed, rows staged, rows quarantined and why
    ('duplicate_id: 2; missing_time: 1'). rows_landed = rows_staged + rows_quarantined.
-#}

with

{% for s in landed_streams() %}
{{ s.base }}_landed as (

    select _partition_date, count(*) as row_count
    from {{ ref(s.base) }}
    group by _partition_date

),

{{ s.staged }}_staged as (

    select _partition_date, count(*) as row_count
    from {{ ref(s.staged) }}
    group by _partition_date

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

    select * from {{ ref('int_records_quarantined') }}

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
