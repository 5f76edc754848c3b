with stats as (

    select * from "warehouse"."staging"."stg_yandex_direct__campaign_stats"

),

latest_name as (

    select
        campaign_id,
        campaign_name,
        row_number() over (partition by campaign_id order by spend_date desc, _landed_at desc) as name_rank
    from stats

),

final as (

    select
        campaign_id,
        'yandex_direct' as ad_platform,
        campaign_name,
        lower(trim(campaign_name)) as campaign_name_key
    from latest_name
    where name_rank = 1

)

select * from final