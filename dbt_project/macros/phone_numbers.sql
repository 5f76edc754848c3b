{#-
    Vendor phone numbers that arrive as bare digits ("74951112233") -> E.164
    ("+74951112233"), for joins with the seeds. A Russian trunk-prefixed
    11-digit number ("84951112233") becomes +7...; anything without digits is NULL.
    Callers are never joined this way: they are joined by caller_hash, which landing computes.
-#}
{% macro e164_from_digits(expr) -%}
    case
        when nullif({{ digits_only(expr) }}, '') is null then null
        when length({{ digits_only(expr) }}) = 11 and {{ digits_only(expr) }} like '8%'
            then '+7' || substr({{ digits_only(expr) }}, 2)
        else '+' || {{ digits_only(expr) }}
    end
{%- endmacro %}
