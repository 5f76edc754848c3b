{#-
    Incremental builds of the large tables, keyed on days (DESIGN section 7).

    The run's window. Orchestration passes the partition window and today's date in the
    environment (ATTRIBUTION_RUN_START_DATE, ATTRIBUTION_RUN_END_DATE, ATTRIBUTION_AS_OF_DATE), read
    only while models execute - never while dbt parses - so a new day does not invalidate dbt's
    partial parse. `--vars '{start_date: ..., end_date: ..., as_of_date: ...}'` overrides them (by hand,
    in tests), at the price of a full re-parse.

    An incremental model rebuilds every day from its window start on (open-ended: a late visit or a
    re-landed older day also reaches the calls after it) and keeps the days before it:
      - no table yet, or --full-refresh           -> dbt builds the whole table (is_incremental() false);
      - the table exists but no start date is set -> every row is rebuilt (the full path, in place);
      - otherwise: the earlier of the start date and the first landed day the table has not seen yet
        (a land-only backfill, or a build that failed half-way), so nothing landed is ever skipped -
        and earlier still when a record landed in the window is another copy of an older record
        (macros/copies.sql) or a deal link changed (marts).
    Things a new day can change in older rows are either rebuilt from the window on (call flags: a
    late call changes uniqueness only after it) or joined where they are reported (revenue, campaign).
-#}

{#- A run setting: the dbt var when given, else the environment at execution time, else none. -#}
{% macro run_setting(var_name, env_name) -%}
    {%- set value = var(var_name, none) -%}
    {%- if (value is none or (value | string | trim) == '') and execute -%}
        {%- set value = env_var(env_name, '') -%}
    {%- endif -%}
    {%- if value is none or (value | string | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(value | string | trim) }}
{%- endmacro %}

{% macro run_start_date() -%}
    {{ return(run_setting('start_date', 'ATTRIBUTION_RUN_START_DATE')) }}
{%- endmacro %}

{#- The run's start date when the model being built is incremental and has a table to add to; none
    otherwise (while parsing, a first or --full-refresh build, or a run without a window: every row
    is rebuilt). Every window macro below starts from it. -#}
{% macro incremental_run_start() -%}
    {%- if not execute or this is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(run_start_date()) }}
{%- endmacro %}

{#- A window start is asked for by a model's SQL and again by each of its hooks, and costs queries
    over large tables; within one dbt invocation the answer cannot change between them (the hooks
    run before the model writes). So each model computes it once: `window_memo(key)` gives
    {'start': ...} when this model already has, `remember_window(key, start)` keeps it. The memo lives
    in `graph`, the one dict dbt shares between all of an invocation's contexts. -#}
{% macro window_memo(key) -%}
    {{ return(graph.setdefault('call_attribution_window_memo', {}).get(this ~ '|' ~ key)) }}
{%- endmacro %}

{% macro remember_window(key, start) -%}
    {%- do graph.setdefault('call_attribution_window_memo', {}).update({this ~ '|' ~ key: {'start': start}}) -%}
    {{ return(start) }}
{%- endmacro %}

{#- The earlier of two 'YYYY-MM-DD' values (none = no bound). -#}
{% macro earlier_day(a, b) -%}
    {%- if a is none -%}{{ return(b) }}{%- endif -%}
    {%- if b is none -%}{{ return(a) }}{%- endif -%}
    {{ return(a if (a | string) < (b | string) else b) }}
{%- endmacro %}

{#- 'YYYY-MM-DD' of the first day to rebuild, or none for a rebuild of every row: the run's start
    date, or the first earlier day landed upstream (`upstream_date_column` of `upstream`) that the
    model (`tracking`, its `date_column`) has not been built for.
    `upstream_time_column` (visits: started_at_local) is a timestamp column of upstream whose local
    date upstream_date_column is, in row groups that cover a few days each: then the days the model
    has (a distinct over its date column) first give the day ranges it lacks - before its first day,
    and the holes after it - and only those ranges of upstream are read, each on its own (an `or` of
    them skips fewer row groups). A year of visits: 0.08 s -> a few ms. A model lacking many separate
    days (a sparse one) reads all of upstream's days instead. -#}
{% macro incremental_window_start(date_column, upstream, upstream_date_column, tracking=none, upstream_time_column=none) -%}
    {%- set start = incremental_run_start() -%}
    {%- if start is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set tracking = tracking if tracking is not none else this -%}
    {%- set bounds = [] -%}
    {%- if upstream_time_column is not none -%}
        {%- set built_sql -%}
            with built as (
                select distinct {{ date_column }} as day from {{ tracking }}
                where {{ date_column }} < cast('{{ start }}' as date)
            ),
            missing as (
                select cast(day as date) as day
                from range((select min(day) from built), cast('{{ start }}' as date), interval 1 day) as days(day)
                where cast(day as date) not in (select day from built)
            ),
            islands as (
                select min(day) as first_day, max(day) as last_day
                from (select day, day - cast(row_number() over (order by day) as integer) as island from missing) as numbered
                group by island
            )
            select
                (select cast(min(day) as varchar) from built) as first_built,
                (select count(*) from islands) as island_count,
                (select coalesce(string_agg(cast(first_day as varchar) || '/' || cast(last_day as varchar), ','
                                            order by first_day), '') from islands) as ranges
        {%- endset -%}
        {%- set built = run_query(built_sql).rows[0] -%}
        {%- if built[0] is not none and built[1] <= 31 -%}
            {%- set column = upstream_time_column -%}
            {%- do bounds.append(column ~ " < cast('" ~ built[0] ~ "' as timestamp)") -%}
            {%- for island in (built[2].split(',') if built[2] else []) -%}
                {%- set first_day, last_day = island.split('/') -%}
                {%- do bounds.append('(' ~ column ~ " >= cast('" ~ first_day ~ "' as timestamp) and "
                                     ~ column ~ " < cast(cast('" ~ last_day ~ "' as date) + 1 as timestamp))") -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- set sql -%}
        with landed as (
        {%- for bound in (bounds or ['true']) %}
            {{ 'union' if not loop.first }}
            select distinct {{ upstream_date_column }} as day from {{ upstream }}
            where {{ upstream_date_column }} < cast('{{ start }}' as date) and {{ bound }}
        {%- endfor %}
        ),
        built as (
            select distinct {{ date_column }} as day from {{ tracking }}
            where {{ date_column }} < cast('{{ start }}' as date)
        )
        select cast(min(landed.day) as varchar)
        from landed
        left join built on landed.day = built.day
        where built.day is null
    {%- endset -%}
    {{ return(earlier_day(run_query(sql).columns[0].values()[0], start)) }}
{%- endmacro %}

{#- The relation of a model, looked up in the graph (not a ref): for a model that is upstream of the
    caller anyway, read while it runs, so the caller's declared dependencies (and its unit tests'
    inputs) stay those of its SQL. -#}
{% macro upstream_relation(model_name) -%}
    {%- set node = window_model_node(model_name) if execute else none -%}
    {{ return(node.relation_name if node is not none else none) }}
{%- endmacro %}

{#- The call window shared by int_calls_flagged, int_touches_joined, int_attribution_credits_allocated
    and the call marts: the days `tracking` has not been rebuilt for, and the days of calls whose copies
    changed in the run's window. -#}
{% macro call_window_start(tracking_name) -%}
    {%- if incremental_run_start() is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set memo = window_memo('call_window_start:' ~ tracking_name) -%}
    {%- if memo is not none -%}
        {{ return(memo.start) }}
    {%- endif -%}
    {%- set upstream = upstream_relation('int_calls_unioned' if tracking_name == 'int_calls_flagged' else 'int_calls_flagged') -%}
    {%- set tracking = adapter.get_relation(database=this.database, schema=this.schema, identifier=tracking_name)
        if tracking_name != this.identifier else this -%}
    {%- if tracking is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set start = incremental_window_start('call_date', upstream, 'call_date', tracking=tracking) -%}
    {%- set start = earlier_day(start, changed_copies_start('base_calltouch__calls')) -%}
    {{ return(remember_window('call_window_start:' ~ tracking_name, start)) }}
{%- endmacro %}

{#- pre_hook of an incremental model: drop the days it is about to rebuild (all of them without a window). -#}
{% macro delete_incremental_window(date_column, window_start) -%}
    {%- if execute and is_incremental() -%}
        delete from {{ this }}
        {%- if window_start is not none %} where {{ date_column }} >= cast('{{ window_start }}' as date){% endif %}
    {%- endif -%}
{%- endmacro %}

{#- `where`/`and` clause restricting a date column to the window (nothing without one). -#}
{% macro in_incremental_window(date_column, window_start, keyword='where') -%}
    {%- if window_start is not none -%}
        {{ keyword }} {{ date_column }} >= cast('{{ window_start }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- The visit window of a model built from the valid visits (int_sessions_counted): the days it has
    not been rebuilt for, and the days of visits whose copies changed in this run. The valid visits'
    days come straight from the base table (what stg_yandex_metrika__visits computes per row, without
    computing the rest of its columns for a year of visits). -#}
{% macro visit_window_start() -%}
    {%- if incremental_run_start() is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set memo = window_memo('visit_window_start') -%}
    {%- if memo is not none -%}
        {{ return(memo.start) }}
    {%- endif -%}
    {%- set base = upstream_relation('base_yandex_metrika__visits') -%}
    {%- set upstream = '(select started_at_local, cast(started_at_local as date) as visit_date from ' ~ base
                       ~ ' where _quarantine_reason is null)' -%}
    {%- set start = incremental_window_start('visit_date', upstream, 'visit_date', upstream_time_column='started_at_local') -%}
    {%- set start = earlier_day(start, changed_copies_start('base_yandex_metrika__visits')) -%}
    {{ return(remember_window('visit_window_start', start)) }}
{%- endmacro %}
