{#-
    Incremental marts (fct_calls, attribution_credits, roi_daily, the review queue,
    operator_performance). A daily run rebuilds the rows of the calls (and dates) its window can
    change and keeps the rest:
      - every call from the call window on (macros/incremental.sql: the run's start date, days the
        mart has not seen, calls whose copies changed);
      - the calls whose deal outcome changed (int_outcomes_changed: a deal that closed late, a link
        that moved to a late call), wherever they are in time;
      - everything, in the marts whose rows carry campaigns, when the campaign lookup (Direct
        campaigns, their latest names, the override seed) differs from the one the mart was last
        built with - a renamed campaign or a new override can move any old row - and in every mart
        when the run has no window.
    The lookup a mart was built with is kept beside the intermediate models, in
    mart_state__<mart>__campaign_lookup (written by a post_hook of the mart); so are, for the marts
    without a row for every call day (the review queue: a few calls a day; operator_performance: a day
    with no answered call), the call days they were built for (mart_state__<mart>__call_days).
-#}

{% macro campaign_lookup_sql() -%}
    select 'campaign' as kind, campaign_id as lookup_key, campaign_name as lookup_value
    from {{ ref('int_campaigns') }}
    union all
    select 'override' as kind, lower(trim(utm_source)) || '|' || lower(trim(utm_campaign)) as lookup_key,
           campaign_id as lookup_value
    from {{ ref('campaign_overrides') }}
{%- endmacro %}

{#- A table beside the intermediate models where the mart being built keeps what it was built with:
    in int_campaigns' schema, found in the graph rather than by a ref, so a mart keeping state does not
    depend on that model for it. -#}
{% macro mart_state(what) -%}
    {%- set intermediate = window_model_node('int_campaigns') -%}
    {{ return(api.Relation.create(database=intermediate.database, schema=intermediate.schema,
                                  identifier='mart_state__' ~ this.identifier ~ '__' ~ what)) }}
{%- endmacro %}

{% macro campaign_lookup_state() -%}
    {{ return(mart_state('campaign_lookup')) }}
{%- endmacro %}

{#- post_hook of a call mart without a row for every call day: remember the call days (of fct_calls,
    built before it) it now holds - in the same transaction as its rows, so a build that fails leaves
    the days it did not finish out. -#}
{% macro remember_call_days(window_start) -%}
    {%- if execute -%}
        {%- set days = mart_state('call_days') -%}
        {%- set calls = ref('fct_calls') -%}
        {%- if window_start is none or not is_incremental() -%}
            create or replace table {{ days }} as
            select distinct call_date from {{ calls }} where call_date is not null
        {%- else -%}
            delete from {{ days }} where call_date >= cast('{{ window_start }}' as date);
            insert into {{ days }}
            select distinct call_date from {{ calls }} where call_date >= cast('{{ window_start }}' as date)
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- post_hook of a call mart: drop the states of `whats` (mart_state) that earlier versions kept and
    this one no longer does (attribution_credits kept its calls before it had call_date). -#}
{% macro forget_mart_state(whats) -%}
    {%- if execute -%}
        {%- for what in whats %}
        drop table if exists {{ mart_state(what) }};
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}

{#- Whether the table of the model being built has `column` (a table an earlier version built may not). -#}
{% macro has_column(column) -%}
    {{ return(column in adapter.get_columns_in_relation(this) | map(attribute='name') | list) }}
{%- endmacro %}

{#- pre_hook of an incremental mart: add `column` to a table an earlier version built without it (at
    the end, where the model has it); its window then rebuilds every row (mart_call_window_start). -#}
{% macro add_missing_column(column, data_type) -%}
    {%- if execute and is_incremental() and not has_column(column) -%}
        alter table {{ this }} add column {{ column }} {{ data_type }}
    {%- endif -%}
{%- endmacro %}

{#- post_hook of an incremental mart: remember the campaign lookup it was built with. -#}
{% macro remember_campaign_lookup() -%}
    {%- if execute -%}
        create or replace table {{ campaign_lookup_state() }} as {{ campaign_lookup_sql() }}
    {%- endif -%}
{%- endmacro %}

{% macro campaign_lookup_changed() -%}
    {%- set state = campaign_lookup_state() -%}
    {%- if adapter.get_relation(database=state.database, schema=state.schema, identifier=state.identifier) is none -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set sql -%}
        select count(*) from (
            (select * from ({{ campaign_lookup_sql() }}) as now_lookup
             except select * from {{ state }})
            union all
            (select * from {{ state }}
             except select * from ({{ campaign_lookup_sql() }}) as now_lookup)
        ) as differences
    {%- endset -%}
    {{ return(run_query(sql).columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- 'YYYY-MM-DD': the first call date a call mart rebuilds, or none to rebuild every row.
    `date_column`: the mart's own call date column (its days read from its signatures: signed_days;
    missing from a table an earlier version built: every row); a mart without one finds the days it
    has not been built for in the call days it keeps (`remember_call_days`; none kept yet: every row).
    `campaigns`: whether the mart's rows carry the campaign lookup (a change to it rebuilds every row). -#}
{% macro mart_call_window_start(date_column=none, campaigns=true) -%}
    {%- if incremental_run_start() is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set memo = window_memo('mart_call_window_start:' ~ date_column) -%}
    {%- if memo is not none -%}
        {{ return(memo.start) }}
    {%- endif -%}
    {%- set flagged = upstream_relation('int_calls_flagged') -%}
    {%- if campaigns and campaign_lookup_changed() -%}
        {{ log(this.identifier ~ ': the campaign lookup changed, rebuilding every row', info=true) }}
        {{ return(remember_window('mart_call_window_start:' ~ date_column, none)) }}
    {%- endif -%}
    {%- if date_column is not none -%}
        {%- if not has_column(date_column) -%}
            {{ log(this.identifier ~ ': built without column ' ~ date_column ~ ' (an earlier version), rebuilding every row', info=true) }}
            {{ return(remember_window('mart_call_window_start:' ~ date_column, none)) }}
        {%- endif -%}
        {%- set start = incremental_window_start(date_column, flagged, 'call_date', tracking=signed_days(date_column)) -%}
    {%- else -%}
        {%- set days = mart_state('call_days') -%}
        {%- if adapter.get_relation(database=days.database, schema=days.schema, identifier=days.identifier) is none -%}
            {{ return(remember_window('mart_call_window_start:' ~ date_column, none)) }}
        {%- endif -%}
        {%- set start = incremental_window_start('call_date', flagged, 'call_date', tracking=days) -%}
    {%- endif -%}
    {%- set start = earlier_day(start, changed_copies_start('base_calltouch__calls')) -%}
    {{ return(remember_window('mart_call_window_start:' ~ date_column, start)) }}
{%- endmacro %}

{#- A condition true for the calls a call mart rebuilds (window_start none: every call): the calls from
    the window on, and before it those whose deal outcome changed, looked up on their days only (a call
    that no longer exists has none: looked up everywhere). -#}
{% macro rebuilt_call(window_start, call_id_expr, call_date_expr) -%}
    {%- set changed = ref('int_outcomes_changed') -%}  {#- refs before any branch: dbt records them while parsing -#}
    {%- set changed_days = changed_outcome_dates(window_start, calls=true) -%}
    {%- set dated = changed_days | reject('none') | list -%}
    {%- if window_start is none -%}
        (1 = 1)
    {%- else -%}
        ({{ call_date_expr }} >= cast('{{ window_start }}' as date)
        {%- if dated %}
         or ({{ call_date_expr }} in {{ date_literals(dated) }}
             and {{ call_id_expr }} in (select call_id from {{ changed }} where call_id is not null))
        {%- endif %}
        {%- if dated | length < changed_days | length %}
         or {{ call_id_expr }} in (select call_id from {{ changed }} where call_id is not null and date is null)
        {%- endif %})
    {%- endif -%}
{%- endmacro %}

{#- The dates before `window_start` that int_outcomes_changed names - of every row (roi_daily's
    dates), or of its calls only (`calls`: their call dates, and none for a call that no longer
    exists) - as sorted 'YYYY-MM-DD' strings, read once per model. Marts write them into their SQL as
    literals: DuckDB filters every scan by them before anything else, where a subquery on
    int_outcomes_changed filters after a join (in a year's daily run: roi_daily's SQL 0.52 ->
    0.32-0.40 s, the credits' signature post_hook 0.80 -> 0.41 s). -#}
{% macro changed_outcome_dates(window_start, calls=false) -%}
    {%- set changed = ref('int_outcomes_changed') -%}
    {%- if not execute or window_start is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set key = 'changed_outcome_dates:' ~ window_start ~ ':' ~ calls -%}
    {%- set memo = window_memo(key) -%}
    {%- if memo is not none -%}
        {{ return(memo.start) }}
    {%- endif -%}
    {%- set sql -%}
        select distinct cast(date as varchar) from {{ changed }}
        {%- if calls %}
        where call_id is not null and (date < cast('{{ window_start }}' as date) or date is null)
        {%- else %}
        where date < cast('{{ window_start }}' as date)
        {%- endif %}
        order by 1
    {%- endset -%}
    {{ return(remember_window(key, run_query(sql).columns[0].values() | list)) }}
{%- endmacro %}

{#- SQL list of 'YYYY-MM-DD' strings as dates: (date '2026-01-02', ...). -#}
{% macro date_literals(days) -%}
    ({%- for day in days %}date '{{ day }}'{{ ', ' if not loop.last }}{%- endfor %})
{%- endmacro %}

{#- A condition true for the dates roi_daily rebuilds (window_start none: every date). -#}
{% macro rebuilt_date(window_start, date_expr) -%}
    {%- set changed_days = changed_outcome_dates(window_start) -%}
    {%- if window_start is none -%}
        (1 = 1)
    {%- else -%}
        ({{ date_expr }} >= cast('{{ window_start }}' as date)
        {%- if changed_days %} or {{ date_expr }} in {{ date_literals(changed_days) }}{% endif %})
    {%- endif -%}
{%- endmacro %}

{#- pre_hook of an incremental mart: delete the rows about to be rebuilt (all without a window). -#}
{% macro delete_rebuilt_rows(condition) -%}
    {%- if execute and is_incremental() -%}
        delete from {{ this }} where {{ condition }}
    {%- endif -%}
{%- endmacro %}

{#- roi_daily's window: its call window (by date), earlier for visits whose copies changed and for
    the dates it last built as not yet settled (is_settled moves with as_of_date). -#}
{% macro roi_window_start() -%}
    {%- set start = mart_call_window_start('date') -%}
    {%- if start is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set memo = window_memo('roi_window_start') -%}
    {%- if memo is not none -%}
        {{ return(memo.start) }}
    {%- endif -%}
    {%- set sessions = upstream_relation('int_sessions_counted') -%}
    {%- set start = earlier_day(start, incremental_window_start('date', sessions, 'visit_date')) -%}
    {%- set start = earlier_day(start, changed_copies_start('base_yandex_metrika__visits')) -%}
    {%- set unsettled = run_query('select cast(min(date) as varchar) from ' ~ this ~ ' where not is_settled') -%}
    {{ return(remember_window('roi_window_start', earlier_day(start, unsettled.columns[0].values()[0]))) }}
{%- endmacro %}

{#- A won deal of int_deals_linked linked to no call (`deal`: the relation's alias, or none). roi_daily
    reports such deals on rows of their own, and int_outcomes_changed compares them with those rows. -#}
{% macro is_won_without_call(deal=none) -%}
    {%- set p = deal ~ '.' if deal else '' -%}
    not {{ p }}is_linked and {{ p }}deal_status = 'won'
{%- endmacro %}

{#- The tags of those rows, one per date and model, in place of a campaign (none: NULL): roi_daily
    writes the rows with them (`no_call_columns`), int_outcomes_changed finds them by them (`is_no_call_row`). -#}
{% macro no_call_tags() -%}
    {{ return({'campaign_id': none, 'utm_source': '(no call)', 'utm_medium': '(none)', 'utm_campaign': none}) }}
{%- endmacro %}

{% macro no_call_columns() -%}
    {%- for column, value in no_call_tags().items() %}
        {{ 'cast(null as varchar)' if value is none else "'" ~ value ~ "'" }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro is_no_call_row() -%}
    {%- for column, value in no_call_tags().items() -%}
        {{ ' and ' if not loop.first }}{{ column }} {{ 'is null' if value is none else "= '" ~ value ~ "'" }}
    {%- endfor -%}
{%- endmacro %}
