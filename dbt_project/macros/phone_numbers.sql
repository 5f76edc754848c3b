{#-
    Vendor phone numbers that arrive as international digits ("74951112233", possibly with
    spaces or punctuation) -> E.164 ("+74951112233"), for joins with the seeds. Anything without
    digits is NULL. Callers are never joined this way: they are joined by caller_hash, which
    landing computes with a phone-number library.
-#}
{% macro e164_from_digits(expr) -%}
    case
        when nullif({{ digits_only(expr) }}, '') is null then null
        else '+' || {{ digits_only(expr) }}
    end
{%- endmacro %}
