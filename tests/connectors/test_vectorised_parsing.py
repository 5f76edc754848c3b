"""Metrica parts are read column by column in Arrow; the result must equal reading them row by row."""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime

import pyarrow as pa
import pytest

from connectors.errors import ApiError, RetriableError
from connectors.records import (id_or_none, id_or_none_array, local_datetime_or_none, local_datetime_or_none_array,
                                malformed_record, payload_json, text_or_none, text_or_none_array)
from connectors.yandex_metrika import FIELDS, RECORD_SCHEMA, _unescape, parse_part, parse_part_table

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
TEXTS = ["", " ", "0", " 0 ", "00", "abc", " abc ", "кухни на заказ", "\u3000x\u3000", "\x1cx", "x\x1f", "\u200bx",
         "\ufeffx", "🙂", "\x00", *SPACES, "".join(SPACES)]
TIMES = ["2026-10-29 10:05:31", "2024-02-29 00:00:00", "2023-02-29 00:00:00", "2026-02-30 10:00:00",
         "2026-13-45 25:61:00", "2026-01-01 24:00:00", "2026-01-01 23:59:60", "0000-01-01 00:00:00",
         "0001-01-01 00:00:00", "9999-12-31 23:59:59", "2026-1-1 1:5:3", " 2026-10-29 10:05:31", "2026-10-29 10:05:31 ",
         "2026-10-29T10:05:31", "2026-10-29", "yesterday", "２０２６-10-29 10:05:31", "", " "]


def test_vectorised_readings_equal_the_scalar_readings_on_every_shape():
    values = pa.array([*TEXTS, *TIMES, None], pa.string())
    plain = values.to_pylist()
    assert text_or_none_array(values).to_pylist() == [text_or_none(v) for v in plain]
    assert id_or_none_array(values).to_pylist() == [id_or_none(v) for v in plain]
    fmt = "%Y-%m-%d %H:%M:%S"
    assert local_datetime_or_none_array(values, fmt).to_pylist() == [local_datetime_or_none(v, fmt) for v in plain]
    calltouch = ["31/01/2026 23:59:59", "29/02/2024 00:00:00", "30/02/2024 00:00:00", "01/01/0000 00:00:00",
                 "1/1/2026 1:1:1", ""]
    fmt = "%d/%m/%Y %H:%M:%S"
    assert (local_datetime_or_none_array(pa.array(calltouch), fmt).to_pylist()
            == [local_datetime_or_none(v, fmt) for v in calltouch])


def _row_by_row(text: str) -> list[dict]:
    """The reference: a part read one row at a time with the scalar helpers (CONTRACTS §2)."""
    lines = text[:-1].split("\n")
    header = lines[0].rstrip("\r").split("\t")
    position = {name: i for i, name in enumerate(header)}
    records = []
    for line in lines[1:]:
        values = line.rstrip("\r").split("\t")
        if len(values) != len(header):
            records.append(malformed_record("ragged_row", line, columns=len(values), expected=len(header)))
            continue
        values = [_unescape(v) for v in values]
        v = [values[position[f]] for f in FIELDS]
        started = local_datetime_or_none(v[2], "%Y-%m-%d %H:%M:%S")
        records.append({
            "visit_id": id_or_none(v[0]), "client_id": id_or_none(v[1]), "started_at_local": started,
            **{name: text_or_none(value) for name, value in zip(RECORD_SCHEMA.names[3:10], v[3:10])},
            "direct_campaign_id": id_or_none(v[10]), "start_url": text_or_none(v[11]),
            "_payload": payload_json(dict(zip(header, values))) if started is None and v[2] != "" else None,
        })
    return records


def _random_part(rnd: random.Random) -> str:
    header = list(FIELDS)
    rnd.shuffle(header)
    header += rnd.choice([[], ["ym:s:extra"], [rnd.choice(FIELDS)]])  # an unrequested or a repeated column
    pool = [*TEXTS[:14], *TIMES, "a\\tb", "x\\\\", "trail\\", "\\n", "\\q", "https://x.ru/?a=1&token=SECRET"]
    lines = []
    for _ in range(rnd.randint(0, 30)):
        values = [rnd.choice(pool).replace("\t", " ").replace("\n", " ").replace("\r", " ") for _ in header]
        cut = rnd.random()
        values = values[:-2] if cut < 0.1 else values + ["лишнее"] if cut < 0.2 else values
        lines.append("\t".join(values))
    return "\n".join(["\t".join(header), *lines]) + "\n"


@pytest.mark.parametrize("seed", range(40))
def test_a_part_read_by_columns_equals_the_part_read_row_by_row(seed):
    text = _random_part(random.Random(seed))
    expected = _row_by_row(text)
    assert parse_part(text) == expected
    assert parse_part_table(text.encode()).equals(pa.Table.from_pylist(expected, schema=RECORD_SCHEMA))


def _part(*rows: dict | str) -> str:
    lines = ["\t".join(FIELDS)] + [r if isinstance(r, str) else "\t".join(r.get(f, "") for f in FIELDS) for r in rows]
    return "\n".join(lines) + "\n"


def test_escapes_are_resolved_in_the_typed_columns_and_in_the_kept_row():
    escaped = {"ym:s:visitID": "1", "ym:s:dateTime": "2026-10-29 10:05:31", "ym:s:startURL": "a\\tb\\\\c\\nd\\"}
    unreadable = {"ym:s:visitID": "2", "ym:s:dateTime": "not a time", "ym:s:lastUTMTerm": "tab\\there"}
    first, second = parse_part_table(_part(escaped, unreadable).encode()).to_pylist()
    assert first["start_url"] == "a\tb\\c\nd\\" and first["_payload"] is None
    assert json.loads(second["_payload"])["ym:s:lastUTMTerm"] == "tab\there"


def test_ragged_rows_keep_their_place_as_malformed_records():
    good = {"ym:s:visitID": "1", "ym:s:dateTime": "2026-10-29 10:05:31"}
    short, long = "2\t3", "\t".join(["4"] * (len(FIELDS) + 1))
    table = parse_part_table(_part(short, good, long, good).encode())
    assert table.column("visit_id").to_pylist() == [None, "1", None, "1"]
    payloads = [json.loads(p) if p else None for p in table.column("_payload").to_pylist()]
    assert payloads[0] == {"_malformed": "ragged_row", "_raw": short, "columns": 2, "expected": len(FIELDS)}
    assert payloads[2]["columns"] == len(FIELDS) + 1 and payloads[1] is None and payloads[3] is None
    assert parse_part(_part(short, good))[0] == {"_payload": table.column("_payload")[0].as_py()}


def test_unparseable_times_are_null_with_the_raw_row_and_empty_times_need_no_payload():
    rows = [{"ym:s:visitID": str(i), "ym:s:dateTime": t} for i, t in enumerate(["2026-02-30 10:00:00", "", " "])]
    table = parse_part_table(_part(*rows).encode())
    assert table.column("started_at_local").to_pylist() == [None, None, None]
    kept = table.column("_payload").to_pylist()
    assert json.loads(kept[0])["ym:s:dateTime"] == "2026-02-30 10:00:00" and set(json.loads(kept[0])) == set(FIELDS)
    assert kept[1] is None and json.loads(kept[2])["ym:s:dateTime"] == " "


def test_a_part_with_no_rows_is_an_empty_typed_table_and_a_cut_off_part_is_fetched_again():
    empty = parse_part_table(_part().encode())
    assert empty.num_rows == 0 and empty.schema.equals(RECORD_SCHEMA)
    with pytest.raises(RetriableError):
        parse_part_table(_part({"ym:s:visitID": "1"}).encode()[:-3])
    with pytest.raises(ApiError):
        parse_part_table(b"ym:s:visitID\n1\n")


def test_parts_arrow_cannot_split_are_read_line_by_line_with_the_same_result():
    good = {"ym:s:visitID": "1", "ym:s:dateTime": "2026-10-29 10:05:31", "ym:s:startURL": "a\rb"}
    for text in (_part(good) + "\n", _part(good, good).replace("\n", "\r\n")):  # an empty line; CRLF / a lone CR
        assert parse_part(text) == _row_by_row(text)
    broken = _part(good).encode().replace(b"a\rb", b"a\xffb")  # not UTF-8: read as `response.text` decodes it
    assert parse_part(broken) == _row_by_row(broken.decode("utf-8", "replace"))
    assert parse_part(broken)[0]["start_url"] == "a\ufffdb"
    assert parse_part_table(broken).column("started_at_local").to_pylist() == [datetime(2026, 10, 29, 10, 5, 31)]
