
    
      
    

    create  table
      "warehouse"."marts"."data_quality__dbt_tmp"
  
  (
    source varchar,
    stream varchar,
    date date,
    rows_landed bigint,
    rows_staged bigint,
    rows_quarantined bigint,
    quarantine_reasons varchar
    
    )
 ;
    
    
    insert into "warehouse"."marts"."data_quality__dbt_tmp" 
  (
    
      
      
      source ,
    
      
      
      stream ,
    
      
      
      date ,
    
      
      
      rows_landed ,
    
      
      
      rows_staged ,
    
      
      
      rows_quarantined ,
    
      
      
      quarantine_reasons 
    
  )
 (
      
    select source, stream, date, rows_landed, rows_staged, rows_quarantined, quarantine_reasons
    from (
        

with


base_calltouch__calls_landed as (

    select _partition_date, count(*) as row_count
    from "warehouse"."staging"."base_calltouch__calls"
    
    group by _partition_date

),

stg_calltouch__calls_staged as (

    select _partition_date, count(*) as row_count
    from "warehouse"."staging"."stg_calltouch__calls"
    
    group by _partition_date

),

base_calltouch__calls_quarantined as (

    select source, stream, _partition_date, quarantine_reason
    from "warehouse"."intermediate"."int_records_quarantined"
    where source = 'calltouch' and stream = 'calls'
    

),

base_yandex_direct__campaign_stats_landed as (

    select _partition_date, count(*) as row_count
    from "warehouse"."staging"."base_yandex_direct__campaign_stats"
    
    group by _partition_date

),

stg_yandex_direct__campaign_stats_staged as (

    select _partition_date, count(*) as row_count
    from "warehouse"."staging"."stg_yandex_direct__campaign_stats"
    
    group by _partition_date

),

base_yandex_direct__campaign_stats_quarantined as (

    select source, stream, _partition_date, quarantine_reason
    from "warehouse"."intermediate"."int_records_quarantined"
    where source = 'yandex_direct' and stream = 'campaign_stats'
    

),

base_yandex_metrika__visits_landed as (

    select _partition_date, count(*) as row_count
    from "warehouse"."staging"."base_yandex_metrika__visits"
    
    group by _partition_date

),

stg_yandex_metrika__visits_staged as (

    select _partition_date, count(*) as row_count
    from "warehouse"."staging"."stg_yandex_metrika__visits"
    
    group by _partition_date

),

base_yandex_metrika__visits_quarantined as (

    select source, stream, _partition_date, quarantine_reason
    from "warehouse"."intermediate"."int_records_quarantined"
    where source = 'yandex_metrika' and stream = 'visits'
    

),

base_amocrm__leads_landed as (

    select _partition_date, count(*) as row_count
    from "warehouse"."staging"."base_amocrm__leads"
    
    group by _partition_date

),

stg_amocrm__leads_staged as (

    select _partition_date, count(*) as row_count
    from "warehouse"."staging"."stg_amocrm__leads"
    
    group by _partition_date

),

base_amocrm__leads_quarantined as (

    select source, stream, _partition_date, quarantine_reason
    from "warehouse"."intermediate"."int_records_quarantined"
    where source = 'amocrm' and stream = 'leads'
    

),

base_amocrm__contacts_landed as (

    select _partition_date, count(*) as row_count
    from "warehouse"."staging"."base_amocrm__contacts"
    
    group by _partition_date

),

stg_amocrm__contacts_staged as (

    select _partition_date, count(*) as row_count
    from "warehouse"."staging"."stg_amocrm__contacts"
    
    group by _partition_date

),

base_amocrm__contacts_quarantined as (

    select source, stream, _partition_date, quarantine_reason
    from "warehouse"."intermediate"."int_records_quarantined"
    where source = 'amocrm' and stream = 'contacts'
    

),


landed as (
    select 'calltouch' as source, 'calls' as stream, _partition_date, row_count
    from base_calltouch__calls_landed
    union all
    select 'yandex_direct' as source, 'campaign_stats' as stream, _partition_date, row_count
    from base_yandex_direct__campaign_stats_landed
    union all
    select 'yandex_metrika' as source, 'visits' as stream, _partition_date, row_count
    from base_yandex_metrika__visits_landed
    union all
    select 'amocrm' as source, 'leads' as stream, _partition_date, row_count
    from base_amocrm__leads_landed
    union all
    select 'amocrm' as source, 'contacts' as stream, _partition_date, row_count
    from base_amocrm__contacts_landed

),

staged as (
    select 'calltouch' as source, 'calls' as stream, _partition_date, row_count
    from stg_calltouch__calls_staged
    union all
    select 'yandex_direct' as source, 'campaign_stats' as stream, _partition_date, row_count
    from stg_yandex_direct__campaign_stats_staged
    union all
    select 'yandex_metrika' as source, 'visits' as stream, _partition_date, row_count
    from stg_yandex_metrika__visits_staged
    union all
    select 'amocrm' as source, 'leads' as stream, _partition_date, row_count
    from stg_amocrm__leads_staged
    union all
    select 'amocrm' as source, 'contacts' as stream, _partition_date, row_count
    from stg_amocrm__contacts_staged

),

quarantined_records as (
    select * from base_calltouch__calls_quarantined
    union all
    select * from base_yandex_direct__campaign_stats_quarantined
    union all
    select * from base_yandex_metrika__visits_quarantined
    union all
    select * from base_amocrm__leads_quarantined
    union all
    select * from base_amocrm__contacts_quarantined

),

reason_counts as (

    select
        source,
        stream,
        _partition_date,
        quarantine_reason,
        count(*) as row_count
    from quarantined_records
    group by source, stream, _partition_date, quarantine_reason

),

quarantined as (

    select
        source,
        stream,
        _partition_date,
        sum(row_count) as row_count,
        
    string_agg(
        quarantine_reason || ': ' || cast(row_count as varchar),
        '; '
        order by quarantine_reason
        ) as quarantine_reasons
    from reason_counts
    group by source, stream, _partition_date

),

final as (

    select
        cast(landed.source as varchar) as source,
        cast(landed.stream as varchar) as stream,
        cast(landed._partition_date as date) as date,
        cast(landed.row_count as bigint) as rows_landed,
        cast(coalesce(staged.row_count, 0) as bigint) as rows_staged,
        cast(coalesce(quarantined.row_count, 0) as bigint) as rows_quarantined,
        cast(quarantined.quarantine_reasons as varchar) as quarantine_reasons
    from landed
    left join staged
        on landed.source = staged.source
        and landed.stream = staged.stream
        and landed._partition_date = staged._partition_date
    left join quarantined
        on landed.source = quarantined.source
        and landed.stream = quarantined.stream
        and landed._partition_date = quarantined._partition_date

)

select * from final
    ) as model_subq
    );
  
  