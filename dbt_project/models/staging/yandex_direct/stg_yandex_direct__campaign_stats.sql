{#- Valid Direct spend per (spend_date, campaign); cost in decimal(18,2) on the VAT basis the marts report. -#}

with base as (

    select * from {{ ref('base_yandex_direct__campaign_stats') }}
    where _quarantine_reason is null

),

renamed as (

    select
        date as spend_date,
        campaign_id,
        campaign_name,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks,
        cast({{ cost_in_reporting_basis('coalesce(cost, 0)') }} as decimal(18, 2)) as cost,
        _partition_date,
        _landed_at
    from base

)

select * from renamed
