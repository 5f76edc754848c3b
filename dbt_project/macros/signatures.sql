{#-
    Row signatures of the marts published by day (orchestration/warehouse/publish.py). Publishing
    compares each day of fct_calls, call_review_queue, attribution_credits and roi_daily in parts -
    the part of a row is a hash of its call (`signature_part`; roi_daily: one part a day) - by row
    count and a sum of row hashes, and reads row by row only the parts that differ. Hashing a year of
    credits at every publish took a second, so each of these marts keeps its signatures beside the
    intermediate models (mart_state__<mart>__signatures), written by its post_hook in the same
    transaction as its rows: every part after a full build, after a daily one only the parts the run
    rebuilt - every part of the days from its window on and the parts of the calls (roi_daily: the
    dates) whose deal outcome changed. publish.py reads them when they account for every row of the
    mart, and hashes the mart itself otherwise.

    The part count is publish.py's PARTS_PER_DAY too; each signature row carries it, so a change on
    one side only makes publishing hash the mart again.
-#}

{% macro signature_parts_per_day() -%}
    128
{%- endmacro %}

{% macro signature_part(call_id) -%}
    hash({{ call_id }}) % {{ signature_parts_per_day() }}
{%- endmacro %}

{#- post_hook of a mart published by day. `day`: the day column of the mart (`t`); `by_call`: whether
    its rows are parted by their call_id (else one part a day); `window_start`: the mart's window
    (none: every part). -#}
{% macro remember_signatures(window_start, day='call_date', by_call=true) -%}
    {%- if execute -%}
        {%- set state = mart_state('signatures') -%}
        {%- set changed = ref('int_outcomes_changed') -%}
        {%- set part = signature_part('t.call_id') if by_call else '0' -%}
        {%- set signed -%}
            select
                t.{{ day }} as day,
                {{ part }} as part,
                count(*) as row_count,
                sum(hash(t)) as row_hash,
                {{ signature_parts_per_day() }} as parts_per_day
            from {{ this }} as t
        {%- endset -%}
        {%- set existing = adapter.get_relation(database=state.database, schema=state.schema, identifier=state.identifier) -%}
        {%- if window_start is none or not is_incremental() or existing is none -%}
            create or replace table {{ state }} as {{ signed }} group by all
        {%- else -%}
            {#- the parts rebuilt: every part of the days from the window on, and before it the parts
                of the calls (roi_daily: the dates) whose deal outcome changed - found by their days
                written as literals, which skip the row groups of other days -#}
            {%- set from_day = "cast('" ~ window_start ~ "' as date)" -%}
            {%- set changed_days = changed_outcome_dates(window_start, calls=by_call) | reject('none') | list -%}
            {%- set changed_parts -%}
                {%- if by_call -%}
                    (select date, {{ signature_part('call_id') }} from {{ changed }}
                     where call_id is not null and date in {{ date_literals(changed_days) }})
                {%- endif -%}
            {%- endset -%}
            delete from {{ state }} as kept
            where kept.day >= {{ from_day }}
            {%- if changed_days %}
                or (kept.day in {{ date_literals(changed_days) }}
                    {%- if by_call %} and (kept.day, kept.part) in {{ changed_parts }}{% endif %})
            {%- endif %};
            insert into {{ state }}
            {{ signed }}
            where t.{{ day }} >= {{ from_day }}
            group by all
            {%- if changed_days %};
            insert into {{ state }}
            {{ signed }}
            where t.{{ day }} in {{ date_literals(changed_days) }}
                {%- if by_call %} and (t.{{ day }}, {{ part }}) in {{ changed_parts }}{% endif %}
            group by all
            {%- endif %}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The days a mart published by day holds, as a relation with the mart's day column `day` for
    incremental_window_start: its signatures (a row per day and part: 47 k for a year of 14 M credits)
    when they account for every row of the mart, else the mart itself. -#}
{% macro signed_days(day) -%}
    {%- set state = mart_state('signatures') -%}
    {%- if adapter.get_relation(database=state.database, schema=state.schema, identifier=state.identifier) is not none -%}
        {%- set agree -%}
            select (select coalesce(sum(row_count), 0) from {{ state }}) = (select count(*) from {{ this }})
        {%- endset -%}
        {%- if run_query(agree).columns[0].values()[0] -%}
            {{ return('(select day as ' ~ day ~ ' from ' ~ state ~ ')') }}
        {%- endif -%}
    {%- endif -%}
    {{ return(this) }}
{%- endmacro %}
