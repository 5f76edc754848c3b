{{ config(meta={'test_window': {'column': '_partition_date'}}) }}
{#-
    Valid Calltouch calls in the unified call shape (see int_calls_unioned): ids prefixed with the
    source system, wall-clock times localised, numbers in E.164, no raw caller number.
-#}

with base as (

    select * from {{ ref('base_calltouch__calls') }}
    where _quarantine_reason is null

),

renamed as (

    select
        'calltouch:' || call_id as call_id,
        'calltouch' as source_system,
        call_id as vendor_call_id,
        {{ localize_timestamp('started_at_local') }} as started_at,
        started_at_local,
        cast(started_at_local as date) as call_date,
        caller_hash,
        {{ e164_from_digits('tracking_number') }} as tracking_number,
        {{ e164_from_digits('redirect_number') }} as routed_number,
        coalesce(answered, false) as answered,
        cast(wait_seconds as integer) as wait_seconds,
        cast(coalesce(talk_seconds, 0) as integer) as talk_seconds,
        vendor_is_unique,
        vendor_is_target,
        vendor_is_unique_target,
        operator_name,
        session_id as vendor_session_id,
        client_id,
        source as vendor_source,
        medium as vendor_medium,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        direct_campaign_id,
        recording_url,
        _partition_date,
        _landed_at
    from base

)

select * from renamed
