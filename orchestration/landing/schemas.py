"""The Arrow schema of every landed stream, declared once (docs/CONTRACTS.md §3).

An empty day still gets a file with the full typed schema, and dbt's sources
declare the same columns, so a source with no data is a typed empty table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

MONEY = pa.decimal128(18, 6)
LOCAL_TS = pa.timestamp("us")  # vendor wall-clock time in the account time zone
UTC_TS = pa.timestamp("us", tz="UTC")

UTM = [
    pa.field("utm_source", pa.string()),
    pa.field("utm_medium", pa.string()),
    pa.field("utm_campaign", pa.string()),
    pa.field("utm_content", pa.string()),
    pa.field("utm_term", pa.string()),
]

PII = [pa.field("caller_e164", pa.string()), pa.field("caller_hash", pa.string())]

META = [
    pa.field("_payload", pa.string()),
    pa.field("_partition_date", pa.date32()),
    pa.field("_landed_at", UTC_TS),
]


@dataclass(frozen=True)
class Stream:
    """One landed stream: where it lives, its record fields, and which field holds a phone."""

    source: str
    name: str
    fields: tuple[pa.Field, ...]
    phone_field: str | None = None

    @property
    def key(self) -> str:
        return f"{self.source}/{self.name}"

    @property
    def schema(self) -> pa.Schema:
        extra = PII if self.phone_field else []
        return pa.schema([*self.fields, *extra, *META])


CALLTOUCH_CALLS = Stream(
    "calltouch",
    "calls",
    (
        pa.field("call_id", pa.string()),
        pa.field("started_at_local", LOCAL_TS),
        pa.field("caller_number", pa.string()),
        pa.field("tracking_number", pa.string()),
        pa.field("redirect_number", pa.string()),
        pa.field("answered", pa.bool_()),
        pa.field("wait_seconds", pa.int64()),
        pa.field("talk_seconds", pa.int64()),
        pa.field("vendor_is_unique", pa.bool_()),
        pa.field("vendor_is_target", pa.bool_()),
        pa.field("vendor_is_unique_target", pa.bool_()),
        pa.field("operator_name", pa.string()),
        pa.field("session_id", pa.string()),
        pa.field("client_id", pa.string()),
        pa.field("source", pa.string()),
        pa.field("medium", pa.string()),
        *UTM,
        pa.field("direct_campaign_id", pa.string()),
        pa.field("recording_url", pa.string()),
    ),
    phone_field="caller_number",
)

YANDEX_DIRECT_CAMPAIGN_STATS = Stream(
    "yandex_direct",
    "campaign_stats",
    (
        pa.field("date", pa.date32()),
        pa.field("campaign_id", pa.string()),
        pa.field("campaign_name", pa.string()),
        pa.field("impressions", pa.int64()),
        pa.field("clicks", pa.int64()),
        pa.field("cost", MONEY),
    ),
)

YANDEX_METRIKA_VISITS = Stream(
    "yandex_metrika",
    "visits",
    (
        pa.field("visit_id", pa.string()),
        pa.field("client_id", pa.string()),
        pa.field("started_at_local", LOCAL_TS),
        pa.field("traffic_source", pa.string()),
        pa.field("adv_engine", pa.string()),
        *UTM,
        pa.field("direct_campaign_id", pa.string()),
        pa.field("start_url", pa.string()),
    ),
)

AMOCRM_LEADS = Stream(
    "amocrm",
    "leads",
    (
        pa.field("lead_id", pa.string()),
        pa.field("name", pa.string()),
        pa.field("price", MONEY),
        pa.field("status_id", pa.int64()),
        pa.field("pipeline_id", pa.int64()),
        pa.field("responsible_user_id", pa.string()),
        pa.field("created_at", UTC_TS),
        pa.field("updated_at", UTC_TS),
        pa.field("closed_at", UTC_TS),
        pa.field("is_deleted", pa.bool_()),
        pa.field("contact_ids", pa.list_(pa.string())),
        pa.field("main_contact_id", pa.string()),
    ),
)

AMOCRM_CONTACTS = Stream(
    "amocrm",
    "contacts",
    (
        pa.field("contact_id", pa.string()),
        pa.field("name", pa.string()),
        pa.field("updated_at", UTC_TS),
        pa.field("phone_index", pa.int64()),
        pa.field("phone_raw", pa.string()),
    ),
    phone_field="phone_raw",
)

STREAMS: dict[str, Stream] = {
    s.key: s
    for s in (CALLTOUCH_CALLS, YANDEX_DIRECT_CAMPAIGN_STATS, YANDEX_METRIKA_VISITS, AMOCRM_LEADS, AMOCRM_CONTACTS)
}
