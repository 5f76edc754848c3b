{#-
    Incremental builds of the large facts (sessions, touches, credits), keyed on local days.

    Orchestration passes the run's partition window as vars start_date / end_date. An incremental
    model rebuilds every day from `incremental_window_start(...)` on (open-ended: a late visit or a
    re-landed older day also reaches the calls after it) and keeps the days before it:
      - no table yet, or --full-refresh           -> dbt builds the whole table (is_incremental() false);
      - the table exists but no start_date is set -> every row is rebuilt (the full path, in place);
      - otherwise: the earlier of start_date and the first landed day the table has not seen yet
        (a land-only backfill, or a build that failed half-way), so nothing landed is ever skipped.
    Things a new day can change in older rows are not stored in these tables: call flags (a late call
    changes uniqueness for unique_window_days) are in int_calls_flagged, rebuilt every run; revenue
    (a late deal) and campaign resolution (a renamed campaign, a new override) are joined in the marts.
-#}

{#- 'YYYY-MM-DD' of the first day to rebuild, or none for a rebuild of every row. -#}
{% macro incremental_window_start(date_column, upstream, upstream_date_column, tracking=none) -%}
    {%- if not execute or this is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set start = var('start_date', none) -%}
    {%- if start is none or (start | string | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set tracking = tracking if tracking is not none else this -%}
    {%- set sql -%}
        with landed as (
            select distinct {{ upstream_date_column }} as day from {{ upstream }}
            where {{ upstream_date_column }} < cast('{{ start }}' as date)
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
    {%- set gap = run_query(sql).columns[0].values()[0] -%}
    {{ return(gap if gap is not none and gap < (start | string) else (start | string)) }}
{%- endmacro %}

{#- The call window shared by int_touches_joined and int_attribution_credits_allocated: both track
    the days credits have seen (every call has credit rows; not every call has touches). -#}
{% macro call_window_start() -%}
    {%- if not execute or this is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set credits = adapter.get_relation(database=this.database, schema=this.schema,
                                           identifier='int_attribution_credits_allocated') -%}
    {%- if credits is none -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(incremental_window_start('call_date', ref('int_calls_flagged'), 'call_date', tracking=credits)) }}
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
