{#-
    A loaded seed remembers what it was loaded from: its CSV's checksum and the settings that shape
    the table, as JSON in the table's comment, written in the same transaction as the rows. A daily
    run (orchestration/warehouse/seeds.py) loads again only the seeds whose CSV or settings differ
    from what their table remembers; a table without the comment (older builds, made by hand) is
    loaded again.
-#}
{% macro remember_seed_source() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set source = {
        'checksum': model['checksum']['checksum'],
        'column_types': config.get('column_types'),
        'delimiter': config.get('delimiter'),
        'quote_columns': config.get('quote_columns'),
    } -%}
    comment on table {{ this }} is '{{ tojson(source) | replace("'", "''") }}'
{%- endmacro %}
