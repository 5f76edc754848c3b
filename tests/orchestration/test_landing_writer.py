"""The landing zone keeps a partition whole or absent, and re-landing replaces it."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from connectors.yandex_metrika import FIELDS, RECORD_SCHEMA, parse_part, parse_part_table
from orchestration.landing.pii import caller_hash, to_e164
from orchestration.landing.schemas import (AMOCRM_CONTACTS, CALLTOUCH_CALLS, STREAMS, YANDEX_DIRECT_CAMPAIGN_STATS,
                                          YANDEX_METRIKA_VISITS)
from orchestration.landing.writer import build_table, partition_path, write_partition

DAY = date(2026, 10, 1)
SALT = "test-salt-0123"


def _call(call_id: str, number: str) -> dict:
    return {
        "call_id": call_id,
        "started_at_local": datetime(2026, 10, 1, 12, 0, 5),
        "caller_number": number,
        "answered": True,
        "talk_seconds": 42,
        "_payload": '{"callId": %s}' % call_id,
    }


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("8 (495) 123-45-67", "+74951234567"),
        ("+7 916 123 45 67", "+79161234567"),
        ("79210297055", "+79210297055"),
        ("+7(916)1234567 доб. 12", "+79161234567"),
        ("7-916-123-45-67", "+79161234567"),
        ("anonymous", None),
        ("", None),
        (None, None),
    ],
)
def test_phone_numbers_as_people_type_them_normalise_to_e164(typed, expected):
    assert to_e164(typed, "RU") == expected


def test_caller_hash_is_keyed_by_the_salt():
    assert caller_hash("+74951234567", "a") != caller_hash("+74951234567", "b")
    assert caller_hash(None, "a") is None


def test_calls_gain_caller_e164_and_hash_and_keep_their_payload(tmp_path):
    table = build_table(CALLTOUCH_CALLS, [_call("1", "8 (495) 123-45-67"), _call("2", "")], DAY, salt=SALT, region="RU")
    rows = table.to_pylist()
    assert rows[0]["caller_e164"] == "+74951234567"
    assert rows[0]["caller_hash"] == caller_hash("+74951234567", SALT)
    assert rows[1]["caller_e164"] is None and rows[1]["caller_hash"] is None
    assert rows[0]["_payload"] == '{"callId": 1}'
    assert rows[0]["_partition_date"] == DAY
    assert SALT not in str(rows)


def test_an_empty_day_still_lands_the_full_typed_schema(tmp_path):
    for stream in STREAMS.values():
        part = write_partition(tmp_path, stream, DAY, build_table(stream, [], DAY, salt=SALT, region="RU"))
        assert part.rows == 0
        assert pq.read_schema(part.path).equals(stream.schema, check_metadata=False)


def test_a_connector_table_lands_exactly_as_the_same_records_as_dicts():
    part = "\t".join(FIELDS) + "\n" + "\n".join([
        "\t".join(["11", "0", "2026-10-01 09:00:00", "ad", "", "yandex", "cpc", "brand", "", "", "7001", "https://x.ru/"]),
        "\t".join(["12", "42", "2026-10-01 25:00:00", "organic", *[""] * 7, "0", ""]),
        "ragged\trow",
    ]) + "\n"
    as_table = build_table(YANDEX_METRIKA_VISITS, parse_part_table(part.encode()), DAY, salt=None, region="RU")
    as_dicts = build_table(YANDEX_METRIKA_VISITS, parse_part(part), DAY, salt=None, region="RU")
    assert RECORD_SCHEMA.names == [f.name for f in YANDEX_METRIKA_VISITS.fields] + ["_payload"]
    assert as_table.drop(["_landed_at"]).equals(as_dicts.drop(["_landed_at"]))
    assert as_table.column("_payload").null_count == 1 and as_table.schema.equals(YANDEX_METRIKA_VISITS.schema)


def test_a_table_missing_a_record_field_lands_it_as_null():
    calls = pa.table({"call_id": ["1"], "caller_number": ["8 (495) 123-45-67"], "_payload": ["{}"]})
    [row] = build_table(CALLTOUCH_CALLS, calls, DAY, salt=SALT, region="RU").to_pylist()
    assert row["started_at_local"] is None and row["caller_e164"] == "+74951234567"


def test_landing_a_day_twice_replaces_it_with_the_same_rows(tmp_path):
    records = [
        {"date": DAY, "campaign_id": "7001", "campaign_name": "Бренд | Москва", "impressions": 10, "clicks": 2,
         "cost": Decimal("123.45"), "_payload": "{}"},
    ]
    first = write_partition(tmp_path, YANDEX_DIRECT_CAMPAIGN_STATS, DAY,
                            build_table(YANDEX_DIRECT_CAMPAIGN_STATS, records, DAY, salt=None, region="RU"))
    rows_once = pq.read_table(first.path).drop(["_landed_at"]).to_pylist()
    second = write_partition(tmp_path, YANDEX_DIRECT_CAMPAIGN_STATS, DAY,
                             build_table(YANDEX_DIRECT_CAMPAIGN_STATS, records, DAY, salt=None, region="RU"))
    assert second.path == first.path
    assert pq.read_table(second.path).drop(["_landed_at"]).to_pylist() == rows_once
    assert list(first.path.parent.iterdir()) == [first.path]


def test_a_failing_fetch_leaves_no_partition_behind(tmp_path):
    def records():
        yield {"contact_id": "1", "phone_index": 0, "phone_raw": "89161234567", "_payload": "{}"}
        raise ConnectionError("vendor went away")

    with pytest.raises(ConnectionError):
        write_partition(tmp_path, AMOCRM_CONTACTS, DAY, build_table(AMOCRM_CONTACTS, records(), DAY, salt=SALT, region="RU"))
    assert not partition_path(tmp_path, AMOCRM_CONTACTS, DAY).exists()


def test_a_landing_killed_mid_write_leaves_no_partition_and_the_next_one_cleans_up(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys, time
        from datetime import date
        from pathlib import Path
        import pyarrow.parquet as pq
        from orchestration.landing import writer
        from orchestration.landing.schemas import YANDEX_DIRECT_CAMPAIGN_STATS as S
        real = pq.write_table
        def slow_write(table, where, **kw):
            real(table, where, **kw)
            print("temp written", flush=True)
            time.sleep(60)
        writer.pq.write_table = slow_write
        table = writer.build_table(S, [], date(2026, 10, 1), salt=None, region="RU")
        writer.write_partition(Path({str(tmp_path)!r}), S, date(2026, 10, 1), table)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "temp written"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    target = partition_path(tmp_path, YANDEX_DIRECT_CAMPAIGN_STATS, DAY)
    assert not target.exists()
    assert any(p.name.startswith(".") for p in target.parent.iterdir())  # the killed run's temp file
    write_partition(tmp_path, YANDEX_DIRECT_CAMPAIGN_STATS, DAY,
                    build_table(YANDEX_DIRECT_CAMPAIGN_STATS, [], DAY, salt=None, region="RU"))
    assert [p.name for p in target.parent.iterdir()] == [target.name]
