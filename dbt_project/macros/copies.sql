{#-
    Copies of one landed record (the same id landed on several days, or twice in one file), one rule
    for every stream keyed by an id: the kept copy is a valid one, then the one landed on the record's
    own day, then the latest landed day, then the last in its file - never "the one landed last", so
    the result does not depend on which days were landed (or re-landed) in which order. The other
    copies are quarantined as 'duplicate_id'.

    The large base models (visits, calls) write their rows unranked and rank the keys that have
    several copies in place afterwards (`rank_copies`); a daily run reads only the landed days of its
    window, and the models built from them rebuild from the earliest day a changed row belongs to
    (`changed_copies_start`). The small base models (Direct; amoCRM's versions: macros/amocrm.sql)
    rank the rows they read with a window (`ranked_copies`), then, after a daily run, every copy of
    the keys it wrote or replaced again (`rerank_copies`).
-#}

{#- The order of copies within one key, best first. `own_day` is the record's own date expression. -#}
{% macro copy_order(own_day) -%}
    case when _defect is null then 0 else 1 end,
    case when {{ own_day }} = _partition_date then 0 else 1 end,
    _partition_date desc,
    _file_row desc
{%- endmacro %}

{#- The quarantine reason of a ranked copy: its own defect, else duplicate_id unless it is the kept copy. -#}
{% macro copy_quarantine_reason(prefix='') -%}
    coalesce({{ prefix }}_defect, case when {{ prefix }}_copy_rank > 1 then 'duplicate_id' end)
{%- endmacro %}

{#- A checked relation (with _defect) ranked and given its _quarantine_reason. Almost every record
    lands once: only the keys that occur more than once are ranked (a window over a year of visits
    would sort all of them), the rest are the kept copy by definition. -#}
{% macro ranked_copies(relation, key_columns, own_day) -%}
    {%- set same_key -%}
        {%- for key in key_columns %}{{ 'and ' if not loop.first }}repeated.{{ key }} = copies.{{ key }} {% endfor -%}
    {%- endset -%}
    select
        *,
        {{ copy_quarantine_reason() }} as _quarantine_reason
    from (
        select copies.*, cast(1 as bigint) as _copy_rank
        from {{ relation }} as copies
        where not exists (
            select 1 from ({{ repeated_keys(relation, key_columns) }}) as repeated where {{ same_key }}
        )
        union all
        select
            copies.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by {{ copy_order(own_day) }}
            ) as _copy_rank
        from {{ relation }} as copies
        where exists (
            select 1 from ({{ repeated_keys(relation, key_columns) }}) as repeated where {{ same_key }}
        )
    ) as ranked
{%- endmacro %}

{% macro repeated_keys(relation, key_columns) -%}
    select {{ key_columns | join(', ') }}
    from {{ relation }}
    group by {{ key_columns | join(', ') }}
    having count(*) > 1
{%- endmacro %}

{#- When this dbt invocation started: incremental base models stamp the rows they write with it
    (_built_at), so a hook or a model downstream knows which landed rows this run read again. -#}
{% macro this_run_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#- An incremental base model's rows as first written: each one the kept copy of its key unless it
    has a defect; `rank_copies` (its post_hook) then ranks the keys that have several copies. The
    key's hash (_key_hash) is stored with it: finding a few keys' copies among twenty million rows
    reads that number column instead of the strings (0.5 s -> 0.08 s for a year of visits). -#}
{% macro unranked_copies(relation, key_column) -%}
    select
        *,
        hash({{ key_column }}) as _key_hash,
        cast(1 as bigint) as _copy_rank,
        _defect as _quarantine_reason
    from {{ relation }}
{%- endmacro %}

{#- post_hook of an incremental base model: rank every copy of the keys that may have several - after
    a full build, every key landed more than once; after an incremental one, the keys of the rows this
    run wrote or replaced (`remember_replaced_keys`), wherever their other copies are (so an older copy
    that lost to a new one becomes 'duplicate_id', and the other way round; and a copy that won over
    one the re-landed day no longer holds is kept again). A row whose rank changes is stamped with this run too.
    Sorting only these keys is what keeps a year of visits cheap: a window over every row would sort
    twenty million of them to find the few repeated ones. After an incremental run the landed days
    holding a copy of those keys are found first, by the key hashes alone; the copies are then read,
    and updated, on those days only, named as literals, so that every other day's row groups are
    skipped (reading every column of a year of visits to rank a day's keys, and matching the update
    against all of its rows, took 0.27 s of a one-thread daily run, against 0.05 s with a month; now
    0.14-0.18 s, most of it probing the year's key hashes). -#}
{% macro rank_copies(key_column, own_day) -%}
    {%- if execute -%}
        {%- set incremental = incremental_run_start() is not none -%}
        {%- set keys -%}
            {#- every copy of the keys by their hash (_key_hash): a collision only adds a key that the
                window then ranks alone -#}
            {%- if incremental %}
                {#- rows without a key have no copies; their one shared hash would bring back every day
                    holding such a row -#}
                select _key_hash from {{ this }} where _built_at = {{ this_run_at() }} and {{ key_column }} is not null
                union all
                select hash({{ key_column }}) from {{ replaced_keys_relation() }} where {{ key_column }} is not null
            {%- else %}
                {#- keys whose hash repeats: grouping twenty million numbers, not strings (3.9 s -> 2.2 s) -#}
                select _key_hash from {{ this }} where {{ key_column }} is not null
                group by 1 having count(*) > 1
            {%- endif %}
        {%- endset -%}
        {%- set days = none -%}
        {%- if incremental -%}
            {%- set found -%}
                select distinct cast(_partition_date as varchar) from {{ this }}
                where _key_hash in ({{ keys }}) order by 1
            {%- endset -%}
            {%- set days = date_literals(run_query(found).columns[0].values() | reject('none') | list) -%}
            {%- if days == '()' -%}
                {{ return('') }}  {#- no row written or replaced: nothing to rank (dbt skips an empty hook) -#}
            {%- endif -%}
        {%- endif -%}
        update {{ this }} as landed
        set
            _copy_rank = reranked._copy_rank,
            _quarantine_reason = {{ copy_quarantine_reason('reranked.') }},
            _built_at = {{ this_run_at() }}
        from (
            select
                _partition_date,
                _file_row,
                _defect,
                row_number() over (partition by {{ key_column }} order by {{ copy_order(own_day) }}) as _copy_rank
            from {{ this }}
            where {% if days %}_partition_date in {{ days }} and {% endif %}{{ key_column }} is not null
                and _key_hash in ({{ keys }})
        ) as reranked
        where {% if days %}landed._partition_date in {{ days }} and {% endif %}landed._partition_date = reranked._partition_date
            and landed._file_row = reranked._file_row
            and landed._copy_rank <> reranked._copy_rank
    {%- endif -%}
{%- endmacro %}

{#- The own day of a landed visit or call (the base models that rank copies with `rank_copies`): the
    local day it started. A row landed on another day is a late copy; the windows below reach back to it. -#}
{% macro started_day() -%}
    {{ return('cast(started_at_local as date)') }}
{%- endmacro %}

{#- 'YYYY-MM-DD': the earliest own day (`started_day`) of a row this run wrote, re-ranked or replaced
    in the base model `base_model` (so the models built from it rebuild from there), or none without a window.
    A replaced row counts even when its landed day comes back without it: a day landed again may no
    longer hold a row of an earlier day that it alone held, and that day must lose it downstream too.
    Called by incremental models downstream of the base model (is_incremental() is theirs). -#}
{% macro changed_copies_start(base_model) -%}
    {%- if incremental_run_start() is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set replaced = replaced_days_relation(base_model) -%}
    {%- set kept = adapter.get_relation(database=replaced.database, schema=replaced.schema, identifier=replaced.identifier) -%}
    {%- set sql -%}
        select cast(min(day) as varchar) from (
            select min({{ started_day() }}) as day from {{ upstream_relation(base_model) }} where _built_at = {{ this_run_at() }}
            {%- if kept is not none %}
            union all
            select day from {{ replaced }}
            {%- endif %}
        ) as changed
    {%- endset -%}
    {{ return(run_query(sql).columns[0].values()[0]) }}
{%- endmacro %}

{#- The table beside the base model `model_name` that keeps the earliest own day of the rows its
    last incremental run replaced (`remember_replaced_days`). -#}
{% macro replaced_days_relation(model_name) -%}
    {%- set node = window_model_node(model_name) -%}
    {{ return(api.Relation.create(database=node.database, schema=node.schema,
                                  identifier=(node.alias or node.name) ~ '__replaced_days')) }}
{%- endmacro %}

{#- 'YYYY-MM-DD' of the first landed day an incremental base model rebuilds: the run's start date, or
    an earlier landed day the table has not seen yet; none = every landed day. -#}
{% macro landing_window_start(source_name, table_name) -%}
    {%- set start = incremental_run_start() -%}
    {%- if start is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set memo = window_memo('landing_window_start:' ~ source_name ~ '.' ~ table_name) -%}
    {%- if memo is not none -%}
        {{ return(memo.start) }}
    {%- endif -%}
    {%- set built_sql -%}
        {#- the distinct dates, then text: not twenty million dates turned into text first -#}
        select cast(day as varchar) from (
            select distinct _partition_date as day from {{ this }}
            where _partition_date < cast('{{ start }}' as date)
        ) as built
    {%- endset -%}
    {%- set built = run_query(built_sql).columns[0].values() -%}
    {%- set missing = [] -%}
    {%- for day in landed_days(source_name, table_name) -%}
        {%- if day < start and day not in built -%}
            {%- do missing.append(day) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set missing = landed_days_with_rows(source_name, table_name, missing) -%}
    {{ return(remember_window('landing_window_start:' ~ source_name ~ '.' ~ table_name,
                              earlier_day(missing | min if missing else none, start))) }}
{%- endmacro %}

{#- pre_hook of every incremental base model: drop the landed days the run reads again, after
    remembering, for the post_hook that ranks copies again, the keys of the rows it drops (a re-landed
    day may no longer hold a copy that won over another) and, given the rows' `own_day`, the earliest
    own day among them (for the models downstream); and the payload columns an earlier version kept
    (macros/landing.sql). -#}
{% macro replace_landed_window(source_name, table_name, key_columns, own_day=none) -%}
    {%- set window_start = landing_window_start(source_name, table_name) -%}
    {{ drop_payload_columns() }}
    {{ remember_replaced_keys(key_columns, window_start) }}
    {{ remember_replaced_days(own_day, window_start) }}
    {{ delete_incremental_window('_partition_date', window_start) }}
{%- endmacro %}

{#- A statement of its own (ending with `;`), or nothing when the run replaces no landed day. -#}
{% macro remember_replaced_keys(key_columns, window_start) -%}
    {%- if execute and is_incremental() and window_start is not none -%}
        create or replace temp table {{ replaced_keys_relation() }} as
        select distinct {{ key_columns | join(', ') }} from {{ this }}
        where _partition_date >= cast('{{ window_start }}' as date);
    {%- endif -%}
{%- endmacro %}

{#- A statement of its own, for a base model whose rows have an own day (`own_day`, an expression):
    the earliest own day of the rows the run is about to replace, for `changed_copies_start`. -#}
{% macro remember_replaced_days(own_day, window_start) -%}
    {%- if execute and is_incremental() and own_day is not none -%}
        create or replace table {{ replaced_days_relation(this.identifier) }} as
        select min({{ own_day }}) as day from {{ this }}
        {%- if window_start is not none %} where _partition_date >= cast('{{ window_start }}' as date){% endif %};
    {%- endif -%}
{%- endmacro %}

{% macro replaced_keys_relation() -%}
    temp.main."replaced_keys__{{ this.identifier }}"
{%- endmacro %}

{#- The small base models (amoCRM, Direct) rank with a window like a full build, over the rows they
    read; incremental, a run reads only its window's landed days, so its post_hook ranks again, over
    the whole table, every copy of the keys it wrote or replaced (`rerank_copies`). `ranked` is the
    model's own ranking rendered over `copies_to_rerank(...)`; `columns`, the columns it decides. -#}
{% macro copies_to_rerank(key_columns, columns) -%}
    {%- set keys = key_columns | join(', ') -%}
    (
        select * exclude ({{ (columns + ['_built_at']) | join(', ') }})
        from {{ this }}
        where ({{ keys }}) in (
            select {{ keys }} from {{ this }} where _built_at = {{ this_run_at() }}
            union
            select {{ keys }} from {{ replaced_keys_relation() }}
        )
    )
{%- endmacro %}

{% macro rerank_copies(ranked, columns) -%}
    {%- if execute and incremental_run_start() is not none -%}
        update {{ this }} as landed
        set
            {%- for column in columns %}
            {{ column }} = reranked.{{ column }},
            {%- endfor %}
            _built_at = {{ this_run_at() }}
        from ({{ ranked }}) as reranked
        where landed._partition_date = reranked._partition_date
            and landed._file_row = reranked._file_row
            and (
            {%- for column in columns %}
                {{ 'or ' if not loop.first }}landed.{{ column }} is distinct from reranked.{{ column }}
            {%- endfor %}
            )
    {%- endif -%}
{%- endmacro %}
