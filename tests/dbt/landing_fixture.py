"""A small hand-made landing zone (docs/CONTRACTS.md section 3) for the dbt build tests.

Account time zone Europe/Moscow (UTC+3). One day, 2025-03-10:

- call 1001 (caller h1, answered, 120 s, client cl1) has two touches: visit 18446744073709551000
  (yandex / cpc / utm_campaign '555' = a Direct campaign id) the day before, and a direct visit 5
  an hour before the call. Deal 501 (contact ct1 = h1, won, price 10000) was created after it.
- call 1002 (caller h2, 20 s, no client id) dialled the static billboard number; its copy is
  landed twice (one is quarantined as duplicate_id).
- call 1004 has a negative talk time (quarantined as impossible_duration).
- call 1005 has no parseable caller (NULL hash) and talks exactly 30 s.
- Direct spend: campaign 555 'Brand MSK' 1500.123456, campaign 777 'Generic' 300 (no conversions).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

DAY = dt.date(2025, 3, 10)
LANDED_AT = dt.datetime(2025, 3, 11, 1, 0, tzinfo=dt.timezone.utc)
UTC = dt.timezone.utc

_TAIL = [
    ("_payload", pa.string()),
    ("_partition_date", pa.date32()),
    ("_landed_at", pa.timestamp("us", tz="UTC")),
]

SCHEMAS: dict[tuple[str, str], list[tuple[str, pa.DataType]]] = {
    ("calltouch", "calls"): [
        ("call_id", pa.string()),
        ("started_at_local", pa.timestamp("us")),
        ("caller_number", pa.string()),
        ("tracking_number", pa.string()),
        ("redirect_number", pa.string()),
        ("answered", pa.bool_()),
        ("wait_seconds", pa.int64()),
        ("talk_seconds", pa.int64()),
        ("vendor_is_unique", pa.bool_()),
        ("vendor_is_target", pa.bool_()),
        ("vendor_is_unique_target", pa.bool_()),
        ("operator_name", pa.string()),
        ("session_id", pa.string()),
        ("client_id", pa.string()),
        ("source", pa.string()),
        ("medium", pa.string()),
        ("utm_source", pa.string()),
        ("utm_medium", pa.string()),
        ("utm_campaign", pa.string()),
        ("utm_content", pa.string()),
        ("utm_term", pa.string()),
        ("direct_campaign_id", pa.string()),
        ("recording_url", pa.string()),
        ("caller_e164", pa.string()),
        ("caller_hash", pa.string()),
        *_TAIL,
    ],
    ("yandex_direct", "campaign_stats"): [
        ("date", pa.date32()),
        ("campaign_id", pa.string()),
        ("campaign_name", pa.string()),
        ("impressions", pa.int64()),
        ("clicks", pa.int64()),
        ("cost", pa.decimal128(18, 6)),
        *_TAIL,
    ],
    ("yandex_metrika", "visits"): [
        ("visit_id", pa.string()),
        ("client_id", pa.string()),
        ("started_at_local", pa.timestamp("us")),
        ("traffic_source", pa.string()),
        ("adv_engine", pa.string()),
        ("utm_source", pa.string()),
        ("utm_medium", pa.string()),
        ("utm_campaign", pa.string()),
        ("utm_content", pa.string()),
        ("utm_term", pa.string()),
        ("direct_campaign_id", pa.string()),
        ("start_url", pa.string()),
        *_TAIL,
    ],
    ("amocrm", "leads"): [
        ("lead_id", pa.string()),
        ("name", pa.string()),
        ("price", pa.decimal128(18, 6)),
        ("status_id", pa.int64()),
        ("pipeline_id", pa.int64()),
        ("responsible_user_id", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("updated_at", pa.timestamp("us", tz="UTC")),
        ("closed_at", pa.timestamp("us", tz="UTC")),
        ("is_deleted", pa.bool_()),
        ("contact_ids", pa.list_(pa.string())),
        ("main_contact_id", pa.string()),
        *_TAIL,
    ],
    ("amocrm", "contacts"): [
        ("contact_id", pa.string()),
        ("name", pa.string()),
        ("updated_at", pa.timestamp("us", tz="UTC")),
        ("phone_index", pa.int64()),
        ("phone_raw", pa.string()),
        ("caller_e164", pa.string()),
        ("caller_hash", pa.string()),
        *_TAIL,
    ],
}


def _call(call_id, started, caller_hash, talk, **extra):
    record = {
        "call_id": call_id,
        "started_at_local": started,
        "caller_number": "79160000000",
        "tracking_number": "74950000002",
        "redirect_number": "74951112233",
        "answered": talk is not None and talk > 0,
        "wait_seconds": 5,
        "talk_seconds": talk,
        "operator_name": "Anna",
        "caller_e164": "+79160000000",
        "caller_hash": caller_hash,
    }
    record.update(extra)
    return record


RECORDS: dict[tuple[str, str], list[dict]] = {
    ("calltouch", "calls"): [
        _call("1001", dt.datetime(2025, 3, 10, 12, 0), "h1", 120, client_id="cl1",
              recording_url="https://example.test/rec/1001"),
        _call("1002", dt.datetime(2025, 3, 10, 13, 0), "h2", 20, tracking_number="74950000001"),
        _call("1002", dt.datetime(2025, 3, 10, 13, 0), "h2", 20, tracking_number="74950000001"),
        _call("1004", dt.datetime(2025, 3, 10, 14, 0), "h4", -5),
        _call("1005", dt.datetime(2025, 3, 10, 15, 0), None, 30, redirect_number="78123334455",
              operator_name="Boris"),
    ],
    ("yandex_direct", "campaign_stats"): [
        {"date": DAY, "campaign_id": "555", "campaign_name": "Brand MSK", "impressions": 1000,
         "clicks": 50, "cost": Decimal("1500.123456")},
        {"date": DAY, "campaign_id": "777", "campaign_name": "Generic", "impressions": 500,
         "clicks": 10, "cost": Decimal("300")},
    ],
    ("yandex_metrika", "visits"): [
        {"visit_id": "18446744073709551000", "client_id": "cl1",
         "started_at_local": dt.datetime(2025, 3, 9, 10, 0), "traffic_source": "ad",
         "utm_source": "yandex", "utm_medium": "cpc", "utm_campaign": "555"},
        {"visit_id": "5", "client_id": "cl1", "started_at_local": dt.datetime(2025, 3, 10, 11, 0),
         "traffic_source": "direct"},
        {"visit_id": "6", "client_id": "cl9", "started_at_local": dt.datetime(2025, 3, 10, 9, 0),
         "traffic_source": "organic"},
    ],
    ("amocrm", "leads"): [
        {"lead_id": "501", "name": "Deal", "price": Decimal("10000"), "status_id": 142,
         "created_at": dt.datetime(2025, 3, 10, 12, 0, tzinfo=UTC),
         "updated_at": dt.datetime(2025, 3, 10, 16, 0, tzinfo=UTC), "is_deleted": False,
         "contact_ids": ["ct1"], "main_contact_id": "ct1"},
    ],
    ("amocrm", "contacts"): [
        {"contact_id": "ct1", "name": "Ivan", "updated_at": dt.datetime(2025, 3, 10, 11, 0, tzinfo=UTC),
         "phone_index": 0, "phone_raw": "8 916 000-00-00", "caller_e164": "+79160000000",
         "caller_hash": "h1"},
    ],
}


def write_landing(home: Path) -> None:
    """Write one Parquet file per stream for DAY under home/landing, as landing does."""
    for (source, stream), schema in SCHEMAS.items():
        arrow_schema = pa.schema(schema)
        rows = []
        for record in RECORDS[(source, stream)]:
            row = {name: record.get(name) for name, _ in schema}
            row["_payload"] = "{}"
            row["_partition_date"] = DAY
            row["_landed_at"] = LANDED_AT
            rows.append(row)
        folder = home / "landing" / source / stream
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(rows, schema=arrow_schema)
        pq.write_table(table, folder / f"{DAY.isoformat()}.parquet")
