{#-
    data_quality is incremental on the landed day (`date`). A daily run recounts, per stream, only
    the landed days whose rows changed since data_quality was last built - the days holding a base
    row whose _built_at (the run that wrote or re-ranked it) is later than that build, which the
    mart keeps in intermediate.mart_state__data_quality__built_at (written by its post_hook, in the
    same transaction as its rows) - and the days from the run's start date on; and it drops the
    days a stream no longer has. Recounting every day read a year of visits three times over in
    each daily run (landed, staged and quarantined rows). Without a window or without the state:
    every day; a stream with more than a month of days to recount: all of its days, without a list.
    The stamps are the start times of dbt invocations, which orchestration runs one at a time.
-#}

{#- {'<source>.<stream>': ['YYYY-MM-DD', ...] or none (every day)} - the landed days data_quality
    recounts - or none for every day of every stream. Computed once per model and invocation (window_memo). -#}
{% macro quality_recounted_days() -%}
    {%- set start = incremental_run_start() -%}
    {%- if start is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set memo = window_memo('quality_recounted_days') -%}
    {%- if memo is not none -%}
        {{ return(memo.start) }}
    {%- endif -%}
    {%- set state = mart_state('built_at') -%}
    {%- if adapter.get_relation(database=state.database, schema=state.schema, identifier=state.identifier) is none -%}
        {{ return(remember_window('quality_recounted_days', none)) }}
    {%- endif -%}
    {%- set built_at = run_query('select cast(max(built_at) as varchar) from ' ~ state).columns[0].values()[0] -%}
    {%- if built_at is none -%}
        {{ return(remember_window('quality_recounted_days', none)) }}
    {%- endif -%}
    {#- each condition on its own (an `or` of the two skips fewer row groups): the stamps written since
        data_quality was built, then the days of the window -#}
    {%- set sql -%}
        {%- for s in landed_streams() %}
        {{ 'union' if not loop.first }}
        select '{{ quality_stream_key(s) }}' as stream, cast(_partition_date as varchar) as day
        from (select distinct _partition_date from {{ upstream_relation(s.base) }}
              where _built_at > cast('{{ built_at }}' as timestamp) and _partition_date is not null) as stamped
        union
        select '{{ quality_stream_key(s) }}', cast(_partition_date as varchar)
        from (select distinct _partition_date from {{ upstream_relation(s.base) }}
              where _partition_date >= cast('{{ start }}' as date)) as in_window
        {%- endfor %}
    {%- endset -%}
    {%- set days = {} -%}
    {%- for s in landed_streams() -%}
        {%- do days.update({quality_stream_key(s): []}) -%}
    {%- endfor -%}
    {%- for row in run_query(sql).rows -%}
        {%- do days[row[0]].append(row[1]) -%}
    {%- endfor -%}
    {%- for stream, listed in days.items() -%}
        {%- if listed | length > 31 -%}  {#- (a build of the base models alone since) -#}
            {%- do days.update({stream: none}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(remember_window('quality_recounted_days', days)) }}
{%- endmacro %}

{#- The key of stream `s` (a landed_streams() entry) in quality_recounted_days(): '<source>.<stream>'. -#}
{% macro quality_stream_key(s) -%}
    {{ return(s.source ~ '.' ~ s.stream) }}
{%- endmacro %}

{#- `where`/`and` clause: the rows of stream `s` (a landed_streams() entry) on the days recounted
    (`days`: quality_recounted_days(); none: every day). -#}
{% macro in_recounted_days(s, days, keyword='where') -%}
    {%- set listed = none if days is none else days[quality_stream_key(s)] -%}
    {%- if listed is not none -%}
        {{ keyword }} {% if listed %}_partition_date in {{ date_literals(listed | sort) }}{% else %}false{% endif %}
    {%- endif -%}
{%- endmacro %}

{#- pre_hook of data_quality: drop the rows of the days it recounts, of the days a stream no longer
    has (a landed day replaced by an empty file), and of a stream no longer landed. A base model drops
    rows only from the first landed day it reads again, and stamps every day from there that still
    has rows (or the run's start date is its first): so a day it no longer has is at or after the
    first day recounted, and only the base model's days from there are read (its row groups hold
    few landed days each). -#}
{% macro delete_recounted_days(days) -%}
    {%- if execute and is_incremental() -%}
        delete from {{ this }}
        {%- if days is not none %}
        where (source, stream) not in (
            {%- for s in landed_streams() %}('{{ s.source }}', '{{ s.stream }}'){{ ', ' if not loop.last }}{% endfor -%}
        )
        {%- for s in landed_streams() %}
            {%- set listed = days[quality_stream_key(s)] %}
            or (source = '{{ s.source }}' and stream = '{{ s.stream }}'
            {%- if listed is not none %} and (
                {%- if listed %}
                date in {{ date_literals(listed | sort) }} or
                {%- endif %}
                {%- set first_day = (listed + [incremental_run_start()]) | min %}
                (date >= cast('{{ first_day }}' as date) and date not in (
                    select distinct _partition_date from {{ ref(s.base) }}
                    where _partition_date >= cast('{{ first_day }}' as date))))
            {%- endif %})
        {%- endfor %}
        {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- post_hook of data_quality: it now counts every base row stamped up to this run. -#}
{% macro remember_quality_built_at() -%}
    {%- if execute -%}
        create or replace table {{ mart_state('built_at') }} as select {{ this_run_at() }} as built_at
    {%- endif -%}
{%- endmacro %}
