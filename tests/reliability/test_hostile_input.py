"""Hostile but plausible input never crashes a run and never disappears: every record the sandbox's
hostile mode serves is either normalised into staging and the marts, or quarantined with the reason
the ground truth states, and marts.data_quality balances per source, stream and day.

The shared reliability world is hostile (tests/reliability/pipeline.py): Europe/Berlin over
2026-10-24..26, so local midnight and the hour the autumn daylight-saving change repeats
(2026-10-25 02:00-03:00) are in it. These tests read the fault-free reference run of that world.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from connectors.amocrm import parse_contact, parse_lead
from connectors.calltouch import parse_call
from connectors.sandbox.hostile import hostile_contact_id
from connectors.sandbox.journeys import day_index
from connectors.yandex_direct import parse_report
from connectors.yandex_metrika import FIELDS, parse_part
from orchestration.landing.pii import caller_hash
from orchestration.landing.schemas import STREAMS as LANDING_STREAMS
from orchestration.landing.writer import build_table
from tests.reliability.pipeline import SECRETS, START

pytestmark = pytest.mark.slow

CATEGORIES = (  # (case name prefix or name, what the doc calls it)
    ("phone_", "phone numbers in every shape people type (8, +7, spaces, brackets, dashes, extensions, letters, "
               "empty, two in one CRM field)"),
    ("two_numbers_in_one_field", "phone numbers in every shape people type (8, +7, spaces, brackets, dashes, "
                                 "extensions, letters, empty, two in one CRM field)"),
    ("no_phone_field", "phone numbers in every shape people type (8, +7, spaces, brackets, dashes, extensions, "
                       "letters, empty, two in one CRM field)"),
    ("time_local_midnight", "timestamps at local midnight and at the last second of a day"),
    ("time_last_second", "timestamps at local midnight and at the last second of a day"),
    ("updated_at_local_midnight", "timestamps at local midnight and at the last second of a day"),
    ("time_dst_hour", "wall-clock times in the hour a daylight-saving change repeats (Europe/Berlin)"),
    ("time_missing_field", "missing timestamps"),
    ("time_empty", "missing timestamps"),
    ("created_missing", "missing timestamps"),
    ("time_", "timestamps in another format or impossible (13th month, 25:61)"),
    ("created_words", "timestamps in another format or impossible (13th month, 25:61)"),
    ("date_unparseable", "timestamps in another format or impossible (13th month, 25:61)"),
    ("text_", "Cyrillic, emoji, quotes, backslashes, tabs, newlines, SQL and template fragments in names and UTM tags"),
    ("duration_words", "numbers and flags written as words"),
    ("answered_words", "numbers and flags written as words"),
    ("price_words", "numbers and flags written as words"),
    ("status_words", "numbers and flags written as words"),
    ("clicks_words", "numbers and flags written as words"),
    ("duration_", "negative or absurd durations"),
    ("wait_negative", "negative or absurd durations"),
    ("cost_negative", "negative spend"),
    ("dashes_for_zero", "\"--\" for zero in a Direct report"),
    ("null_fields", "nulls where values are expected"),
    ("id_", "missing or empty ids"),
    ("missing_fields", "missing fields"),
    ("extra_fields", "unknown extra fields (and a Metrica column nobody asked for)"),
    ("json_null_record", "a JSON null among the records"),
    ("ragged_", "ragged TSV rows (more or fewer columns than the header)"),
    ("duplicate_", "duplicate ids within a page and across pages"),
)


def category(case: str) -> str:
    return next(label for prefix, label in CATEGORIES if case == prefix or case.startswith(prefix))


@dataclass
class HostileRun:
    home: Path
    truth: dict

    def warehouse(self):
        return duckdb.connect(str(self.home / "warehouse.duckdb"), read_only=True)

    def marts(self):
        return duckdb.connect(str(self.home / "marts.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def hostile_run(baseline) -> HostileRun:
    return HostileRun(baseline.home, baseline.world.ground_truth())


def test_the_hostile_world_spans_a_daylight_saving_change(hostile_run):
    flags = {c["day"]: c["checks"].get("dst_change") for c in hostile_run.truth["hostile"]["cases"]
             if c["case"] == "time_dst_hour"}
    assert flags == {"2026-10-24": False, "2026-10-25": True, "2026-10-26": False}


def test_data_quality_balances_and_matches_the_expected_quarantine_per_source_stream_and_day(hostile_run, reliability):
    expected = hostile_run.truth["expected_quality"]
    with hostile_run.marts() as con:
        rows = con.execute("select source, stream, cast(date as varchar), rows_landed, rows_staged, rows_quarantined, "
                           "quarantine_reasons from marts.data_quality").fetchall()
    got = {(f"{s}/{st}", d): (landed, staged, quarantined, reasons)
           for s, st, d, landed, staged, quarantined, reasons in rows}
    want = {}
    for day, per_stream in expected.items():
        for stream, e in per_stream.items():
            reasons = "; ".join(f"{k}: {v}" for k, v in e["quarantined"].items()) or None
            want[(stream, day)] = (e["landed"], e["staged"], sum(e["quarantined"].values()), reasons)
    served = sum(v[0] for v in want.values())
    unaccounted = sum(abs(g[0] - g[1] - g[2]) for g in got.values()) + abs(served - sum(g[0] for g in got.values()))
    reliability.record("input", "all records of the hostile world, per source, stream and day",
                       f"{served} records served ({len(want)} source/stream/days)",
                       "marts.data_quality: rows landed = staged + quarantined, each count and reason as the "
                       "ground truth expects" if got == want else "data_quality differs from the ground truth",
                       unaccounted)
    assert got == want
    assert all(landed == staged + quarantined for landed, staged, quarantined, _ in got.values())


def _staged_values(run: HostileRun) -> dict[tuple[str, str], dict]:
    """Staged (or published) rows of the hostile records, by (stream, record id)."""
    out: dict[tuple[str, str], dict] = {}

    def collect(con, stream, sql, key):
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        for row in cursor.fetchall():
            record = dict(zip(names, row))
            out[(stream, key(record))] = record

    with run.marts() as marts:
        collect(marts, "calltouch/calls", "select * from marts.fct_calls where call_id like 'calltouch:%'",
                lambda r: r["call_id"].split(":", 1)[1])
    with run.warehouse() as wh:
        collect(wh, "yandex_metrika/visits", "select * from staging.stg_yandex_metrika__visits", lambda r: r["visit_id"])
        collect(wh, "yandex_direct/campaign_stats", "select * from staging.stg_yandex_direct__campaign_stats",
                lambda r: f"{r['spend_date']}:{r['campaign_id']}")
        collect(wh, "amocrm/leads", "select * from staging.stg_amocrm__leads", lambda r: r["deal_id"])
        collect(wh, "amocrm/contacts", "select * from staging.stg_amocrm__contacts",
                lambda r: f"{r['contact_id']}:{r['phone_index']}")
    return out


def _check_staged(stream: str, checks: dict, row: dict) -> list[str]:
    problems = []
    for name, want in checks.items():
        if name == "dst_change":
            continue
        if name == "caller_e164":
            got, want = row.get("caller_hash"), caller_hash(want, SECRETS.pii_salt) if want else None
        elif name in ("call_date", "visit_date"):
            got = row[name].isoformat()
        elif name == "partition_date":
            got = row["_partition_date"].isoformat()
        elif name in ("price", "cost"):
            got = None if row[name] is None else f"{Decimal(row[name]):.2f}"
        else:
            got = row.get(name)
        if got != want:
            problems.append(f"{name}: {got!r} != {want!r}")
    return problems


def test_every_hostile_record_is_normalised_or_quarantined_with_its_reason(hostile_run, reliability):
    cases = hostile_run.truth["hostile"]["cases"]
    staged = _staged_values(hostile_run)
    with hostile_run.warehouse() as wh:
        quarantined = Counter(wh.execute(
            "select source || '/' || stream, cast(_partition_date as varchar), record_id, quarantine_reason "
            "from intermediate.int_records_quarantined").fetchall())
        reasons_by_day = Counter()
        for (stream, day, _, reason), n in quarantined.items():
            reasons_by_day[(stream, day, reason)] += n
    lost: dict[str, list[str]] = defaultdict(list)
    tried: Counter = Counter()
    outcomes: dict[str, Counter] = defaultdict(Counter)
    for case in cases:
        label = category(case["case"])
        tried[label] += 1
        outcomes[label]["normalised" if case["expect"] == "staged" else f"quarantined {case['expect']}"] += 1
        where = f"{case['stream']} {case['day']} {case['case']}"
        if case["expect"] == "staged":
            row = staged.get((case["stream"], case["record_id"]))
            if row is None:
                lost[label].append(f"{where}: not staged")
                continue
            problems = _check_staged(case["stream"], case["checks"], row)
            if problems:
                lost[label].append(f"{where}: {'; '.join(problems)}")
        elif case["record_id"] is not None:
            if not quarantined.get((case["stream"], case["day"], case["record_id"], case["expect"])):
                lost[label].append(f"{where}: not quarantined as {case['expect']}")
        elif not reasons_by_day.get((case["stream"], case["day"], case["expect"])):
            lost[label].append(f"{where}: no {case['expect']} quarantined that day")
    for label in tried:
        outcome = ", ".join(f"{what}: {n}" for what, n in sorted(outcomes[label].items()))
        reliability.record("input", label, f"{tried[label]} records", outcome, len(lost.get(label, [])))
    assert not lost, json.dumps(lost, ensure_ascii=False, indent=1)


def test_a_crm_phone_typed_differently_from_the_call_tracker_still_links_the_deal(hostile_run):
    base = day_index(START) * 100_000  # hostile ids: calls <day>90000+k, deals <day>95000+k
    with hostile_run.marts() as con:
        row = con.execute("select deal_id, deal_status, revenue from marts.fct_calls where call_id = ?",
                          [f"calltouch:{base + 90_001}"]).fetchone()
    assert row == (str(base + 95_001), "won", Decimal("150000.00"))


def test_raw_hostile_phone_numbers_stay_in_landing(hostile_run):
    contacts = pq.read_table(hostile_run.home / f"landing/amocrm/contacts/{START}.parquet").to_pylist()
    mine = [c for c in contacts if c["contact_id"] == str(hostile_contact_id(START, 1))]
    assert [c["phone_raw"] for c in mine][:4] == ["8 (916) 555-01-23", "+7 916 555 01 23 доб. 12", "нет телефона",
                                                  None]
    with hostile_run.warehouse() as wh:
        columns = wh.execute("select table_name, column_name from information_schema.columns").fetchall()
    assert not [c for c in columns if c[1] in ("phone_raw", "caller_number", "caller_e164")]
    assert {t for t, c in columns if c == "_payload"} <= {"base_yandex_direct__campaign_stats",
                                                         "base_yandex_metrika__visits"}, "payloads with phones stay"


# ---- the connectors and the landing writer on their own: values nobody should send ----------------
WEIRD_VALUES = [None, "", " ", "0", "-1", "1e400", "NaN", "inf", "12.5", "abc", "да", "может", True, False, 0, -5,
                10**30, 3.7, [], {}, [1, "x"], {"nested": {"deeper": [None]}}, "'; drop table x; --", "🙂" * 50,
                "\x00\x01", "31/02/2026 25:61:61", "2026-10-25T02:30:00+02:00", "\\N", "Infinity"]
CALL_FIELDS = ("callId", "date", "callerNumber", "duration", "waitingConnect", "successful", "uniqueCall", "manager",
               "sessionId", "yaClientId", "utmCampaign", "yandexDirect", "callRecordUrl")
LEAD_FIELDS = ("id", "name", "price", "status_id", "pipeline_id", "created_at", "updated_at", "closed_at",
               "is_deleted", "_embedded", "responsible_user_id")


def _land(stream: str, records: list[dict]) -> None:
    build_table(LANDING_STREAMS[stream], records, date(2026, 10, 25), salt="test-salt", region="RU")


def test_connectors_and_the_landing_writer_never_crash_on_any_value():
    calls, leads, contacts = [], [], []
    for value in WEIRD_VALUES:
        for name in CALL_FIELDS:
            calls.append(parse_call({"callId": 1, "date": "25/10/2026 02:30:00", name: value}))
        for name in LEAD_FIELDS:
            lead = {"id": 1, "created_at": 1_761_350_400, name: value}
            leads.append(parse_lead(lead))
            contacts += parse_contact({"id": 2, "custom_fields_values": [{"field_code": "PHONE", "values": [
                {"value": value}, value]}], name: value})
        calls.append(parse_call(value))
        leads.append(parse_lead(value))
        contacts += parse_contact(value)
    _land("calltouch/calls", calls)
    _land("amocrm/leads", leads)
    _land("amocrm/contacts", contacts)
    assert all("_payload" in r for r in calls + leads + contacts)
    assert sum(1 for r in calls if "_malformed" in r["_payload"]) >= 1


def test_ragged_tsv_rows_become_malformed_records_and_cut_off_bodies_are_refetched():
    from connectors.errors import RetriableError

    header = "\t".join(FIELDS)
    good = "\t".join(["1", "0", "2026-10-25 02:30:00", *["x"] * (len(FIELDS) - 3)])
    records = parse_part("\n".join([header, good, "\t".join(["2"] * 3), good + "\textra"]) + "\n")
    assert [r.get("visit_id") for r in records] == ["1", None, None]
    assert [json.loads(r["_payload"]).get("_malformed") if r["_payload"] else None for r in records] == [None, "ragged_row", "ragged_row"]
    _land("yandex_metrika/visits", records)
    with pytest.raises(RetriableError):
        parse_part(header + "\n" + good[: len(good) // 2])
    report = "\n".join(['"r (2026-10-25 - 2026-10-25)"', "Date\tCampaignId\tCampaignName\tImpressions\tClicks\tCost",
                        "2026-10-25\t1\tA\t10\t1\t1000000", "2026-10-25\t2\tB", "2026-10-25\t3\tC\tmany\t--\t-",
                        "Total rows: 3"])
    rows = parse_report(report)
    assert [r.get("campaign_id") for r in rows] == ["1", None, "3"]
    assert rows[2]["impressions"] is None and rows[2]["clicks"] == 0 and rows[2]["cost"] is None
    _land("yandex_direct/campaign_stats", rows)
    with pytest.raises(RetriableError):
        parse_report(report.replace("Total rows: 3", "Total rows: 4"))


def test_timestamps_keep_their_wall_clock_day_on_a_daylight_saving_change():
    call = parse_call({"callId": 1, "date": "25/10/2026 02:30:00"})
    assert call["started_at_local"] == datetime(2026, 10, 25, 2, 30)
    assert parse_call({"callId": 1, "date": "25/10/2026"})["started_at_local"] is None
