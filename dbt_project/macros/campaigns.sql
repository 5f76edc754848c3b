{#-
    Campaign resolution, written once (DESIGN section 4) and used for web sessions and for the
    vendor-reported channel of calls with no touch. `input_cte` must carry direct_campaign_id,
    utm_source and utm_campaign (and no campaign_id). Rules, first match wins:
      1. the Direct campaign id the record carries (Metrica lastDirectClickOrder / Calltouch yandexDirect);
      2. utm_campaign equal to a Direct campaign id;
      3. utm_campaign equal to a Direct campaign name (trimmed, case-insensitive);
      4. the campaign_overrides seed on (utm_source, utm_campaign), trimmed, case-insensitive.
-#}
{% macro select_with_resolved_campaign(input_cte) -%}
    select
        {{ input_cte }}.*,
        coalesce(
            {{ input_cte }}.direct_campaign_id,
            campaign_by_id.campaign_id,
            campaign_by_name.campaign_id,
            campaign_by_override.campaign_id
        ) as campaign_id
    from {{ input_cte }}
    left join {{ ref('int_campaigns') }} as campaign_by_id
        on {{ input_cte }}.utm_campaign = campaign_by_id.campaign_id
    left join (
        select campaign_name_key, min(campaign_id) as campaign_id
        from {{ ref('int_campaigns') }}
        group by campaign_name_key
    ) as campaign_by_name
        on lower(trim({{ input_cte }}.utm_campaign)) = campaign_by_name.campaign_name_key
    left join (
        select
            lower(trim(utm_source)) as utm_source_key,
            lower(trim(utm_campaign)) as utm_campaign_key,
            min(campaign_id) as campaign_id
        from {{ ref('campaign_overrides') }}
        group by lower(trim(utm_source)), lower(trim(utm_campaign))
    ) as campaign_by_override
        on lower(trim({{ input_cte }}.utm_source)) = campaign_by_override.utm_source_key
        and lower(trim({{ input_cte }}.utm_campaign)) = campaign_by_override.utm_campaign_key
{%- endmacro %}
