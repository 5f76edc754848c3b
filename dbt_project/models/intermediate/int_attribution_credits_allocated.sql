{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'test_window': {'column': 'call_date'}},
    pre_hook="{{ delete_incremental_window('call_date', call_window_start('int_attribution_credits_allocated')) }}",
) }}
{#-
    One row per (call, touch) for every call, with the credit each attribution model gives the touch
    (a column credit_<model> per model of macro attribution_models); each model's credits of a call
    sum to 1.
      last_click        the last touch
      last_non_direct   the last non-direct touch; the last touch when all are direct (default model)
      first_click       the first touch
      linear            1 / touch_count each
      position_based    1 touch: 1.0; 2: 0.5 / 0.5; more: 0.4 first, 0.4 last, 0.2 shared by the middle
      time_decay        2 ^ (-age_days / time_decay_half_life_days), normalised over the call's touches
    Single-touch models keep the uncredited touches with credit 0, so every model shows the path.
    A call with no touch gets one row: touch_index 0, touch_count 0, credit 1 in every model, and the
    call's own vendor-reported channel, else its static tracking number's channel (seed), else
    (direct) / (none). Rows carry the campaign-resolution inputs (direct_campaign_id, utm_source,
    utm_campaign); the marts resolve the campaign, join revenue and give each model its own row
    (macro credit_of_model), so neither a renamed campaign nor a late deal touches this table, and a
    year of touches is written once, not once per model. Incremental by call_date
    (macros/incremental.sql): a run rebuilds the credits of the calls from its window on.
-#}
{%- set window_start = call_window_start('int_attribution_credits_allocated') %}

with touches as (

    select * from {{ ref('int_touches_joined') }}
    {{ in_incremental_window('call_date', window_start) }}

),

calls as (

    select * from {{ ref('int_calls_flagged') }}
    {{ in_incremental_window('call_date', window_start) }}

),

tracking_number_channels as (

    select * from {{ ref('tracking_number_channels') }}

),

touch_weights as (

    select
        *,
        max(case when not is_direct then touch_index end) over (partition by call_id) as last_non_direct_index,
        {{ power_of_two('-1.0 * touch_age_days / ' ~ var('time_decay_half_life_days')) }} as decay_weight
    from touches

),

touch_weight_totals as (

    select
        *,
        sum(decay_weight) over (partition by call_id) as decay_weight_total
    from touch_weights

),

touch_credits as (

    select
        call_id,
        call_date,
        touch_session_id,
        touch_at,
        touch_index,
        touch_count,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        direct_campaign_id,
        cast(case when touch_index = touch_count then 1.0 else 0.0 end as double) as credit_last_click,
        cast(case when touch_index = coalesce(last_non_direct_index, touch_count) then 1.0 else 0.0 end as double)
            as credit_last_non_direct,
        cast(case when touch_index = 1 then 1.0 else 0.0 end as double) as credit_first_click,
        cast(1.0 / touch_count as double) as credit_linear,
        cast(case
            when touch_count = 1 then 1.0
            when touch_count = 2 then 0.5
            when touch_index = 1 or touch_index = touch_count then 0.4
            else 0.2 / (touch_count - 2)
        end as double) as credit_position_based,
        cast(decay_weight / decay_weight_total as double) as credit_time_decay
    from touch_weight_totals

),

untouched_calls as (

    {#- the touches read again, not through the touches CTE: a CTE used twice is materialized (every
        touch of the window, every column) -#}
    select calls.*
    from calls
    where not exists (
        select 1 from {{ ref('int_touches_joined') }} as touches
        where touches.call_id = calls.call_id {{ in_incremental_window('touches.call_date', window_start, keyword='and') }}
    )

),

untouched_channels as (

    select
        untouched_calls.call_id,
        untouched_calls.call_date,
        case
            when untouched_calls.utm_source is not null
                or untouched_calls.utm_campaign is not null
                or untouched_calls.direct_campaign_id is not null
                then 'vendor'
            when tracking_number_channels.tracking_number is not null then 'tracking_number'
            else 'none'
        end as channel_origin,
        untouched_calls.utm_source as vendor_utm_source,
        untouched_calls.utm_medium as vendor_utm_medium,
        untouched_calls.utm_campaign as vendor_utm_campaign,
        untouched_calls.utm_content as vendor_utm_content,
        untouched_calls.utm_term as vendor_utm_term,
        untouched_calls.direct_campaign_id as vendor_direct_campaign_id,
        tracking_number_channels.utm_source as line_utm_source,
        tracking_number_channels.utm_medium as line_utm_medium,
        tracking_number_channels.utm_campaign as line_utm_campaign
    from untouched_calls
    left join tracking_number_channels
        on untouched_calls.tracking_number = tracking_number_channels.tracking_number

),

untouched_fallback as (

    select
        call_id,
        call_date,
        case channel_origin
            when 'vendor' then vendor_utm_source
            when 'tracking_number' then line_utm_source
            else '(direct)'
        end as utm_source,
        case channel_origin
            when 'vendor' then vendor_utm_medium
            when 'tracking_number' then line_utm_medium
            else '(none)'
        end as utm_medium,
        case channel_origin
            when 'vendor' then vendor_utm_campaign
            when 'tracking_number' then line_utm_campaign
        end as utm_campaign,
        case when channel_origin = 'vendor' then vendor_utm_content end as utm_content,
        case when channel_origin = 'vendor' then vendor_utm_term end as utm_term,
        case when channel_origin = 'vendor' then vendor_direct_campaign_id end as direct_campaign_id
    from untouched_channels

),

untouched_credits as (

    select
        call_id,
        call_date,
        cast(null as varchar) as touch_session_id,
        cast(null as timestamp with time zone) as touch_at,
        0 as touch_index,
        0 as touch_count,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        direct_campaign_id,
        {%- for model in attribution_models() %}
        cast(1.0 as double) as credit_{{ model }}{{ ',' if not loop.last }}
        {%- endfor %}
    from untouched_fallback

),

final as (

    select * from touch_credits
    union all
    select * from untouched_credits

)

{#- in call_date order: the credits mart, built from these rows, comes out in it too (DuckDB's joins
    keep the order of this side in practice; only speed depends on it), so a daily run that rebuilds the calls of a few older days - whose deal
    outcome changed - reads, deletes and re-signs only those days' row groups of a year of credits,
    not rows spread over all of them. A full build pays nothing measurable for it (this model
    3.0-3.1 s either way, the credits 5.5-5.8 s; sorting the credits themselves cost 5 s) -#}
select * from final
order by call_date
