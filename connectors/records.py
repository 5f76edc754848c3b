"""Small helpers for building the records of CONTRACTS §2 (shared by every connector).

Connectors never crash on data: a value that cannot be parsed becomes None (the original stays
in `_payload`, where staging finds it and quarantines the record with a reason), and a record
that cannot be read at all (a JSON null among records, a ragged TSV row) becomes a record with
only `_payload` = `{"_malformed": <reason>, "_raw": <what was sent>}`.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from .errors import SECRET_QUERY_PARAMS, has_secret_param, strip_secret_params


@dataclass(frozen=True)
class StreamSpec:
    """What a connector declares about one stream (Singer/dlt style)."""

    source: str
    name: str
    endpoint: str
    primary_key: tuple[str, ...]
    cursor_field: str | None
    records_path: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.source}/{self.name}"


def text_or_none(value: Any) -> str | None:
    """Vendor value as text; empty strings and null become None."""
    if value is None:
        return None
    text = value if type(value) is str else str(value)
    return text if text.strip() else None


def id_or_none(value: Any) -> str | None:
    """An id as text; None, "" and 0 ("no id" in Metrica/Calltouch) become None."""
    text = text_or_none(value)
    if text is None:
        return None
    text = text.strip()
    return None if text == "0" else text


def int_or_none(value: Any) -> int | None:
    """An integer (a decimal value is truncated), or None when empty or not a number."""
    number = decimal_or_none(value)
    if number is None or not -(2**63) <= number < 2**63:  # what a 64-bit column can hold
        return None
    return int(number)


def decimal_or_none(value: Any) -> Decimal | None:
    """A finite Decimal, or None when empty or not a number (booleans are not numbers)."""
    if isinstance(value, bool):
        return None
    text = text_or_none(value)
    if text is None:
        return None
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


SIX_DP = Decimal("0.000001")
MONEY_LIMIT = Decimal(10) ** 12  # decimal(18, 6) holds 12 integer digits


def money_or_none(value: Any, divisor: int = 1) -> Decimal | None:
    """An amount (divided by `divisor`, e.g. micros) at 6 dp; None when not a number or beyond decimal(18, 6)."""
    number = decimal_or_none(value)
    if number is None:
        return None
    number = number / divisor
    if abs(number) >= MONEY_LIMIT:
        return None
    return number.quantize(SIX_DP)


_TRUE = frozenset({"1", "true", "yes", "y", "t", "да"})
_FALSE = frozenset({"0", "false", "no", "n", "f", "нет"})


def bool_or_none(value: Any) -> bool | None:
    """true/false/1/0/yes/no as a bool; None when empty or anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


# The vendors' exact shapes, read without strptime (16 us a value): fields by position, ASCII digits only.
# A value in any other shape still goes through strptime, so the result is strptime's in every case.
_FAST_FORMATS = {
    "%Y-%m-%d %H:%M:%S": (re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})"),
                          (0, 1, 2, 3, 4, 5)),
    "%d/%m/%Y %H:%M:%S": (re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2})"),
                          (2, 1, 0, 3, 4, 5)),
}


def local_datetime_or_none(value: Any, fmt: str) -> datetime | None:
    """Vendor wall-clock text in `fmt` -> naive datetime; None when empty or in any other shape."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    fast = _FAST_FORMATS.get(fmt)
    if fast is not None:
        match = fast[0].fullmatch(text)
        if match is not None:
            parts = match.groups()
            try:
                return datetime(*(int(parts[i]) for i in fast[1]))
            except ValueError:
                return None
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        return None


def utc_from_unix(value: Any) -> datetime | None:
    """Unix seconds -> aware UTC datetime; None/0 or not a number -> None."""
    number = decimal_or_none(value)
    if number is None or number == 0:
        return None
    try:
        return datetime.fromtimestamp(int(number), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def malformed_record(reason: str, raw: Any, **detail: Any) -> dict:
    """A record that cannot be read at all: no typed fields, only `_payload` saying why (CONTRACTS §2)."""
    return {"_payload": payload_json({"_malformed": reason, "_raw": raw, **detail})}


def local_day_bounds(day: date, tz: str) -> tuple[int, int]:
    """Unix seconds of the first and the last second of the local day (both inclusive)."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return int(start.timestamp()), int(end.timestamp()) - 1


def scrub_payload(value: Any) -> Any:
    """A copy of a vendor record with credential query parameters removed from every URL in it."""
    if isinstance(value, dict):
        return {k: scrub_payload(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_payload(v) for v in value]
    if isinstance(value, str) and "=" in value and has_secret_param(value):
        return strip_secret_params(value)
    return value


_SECRET_NAMES = tuple(SECRET_QUERY_PARAMS)
_SECRET_NAME_MAX = max(len(name) for name in SECRET_QUERY_PARAMS)


def _may_hold_secret(text: str) -> bool:
    """Whether `text` may hold a credential parameter `name=`: False is certain, True may be a false alarm.

    Every "=" is checked against the characters before it: ASCII ones that end with a parameter
    name, or any non-ASCII one among them (case-insensitive matching knows look-alikes such as the
    Kelvin sign for "k"), say "maybe".
    """
    at = text.find("=")
    while at != -1:
        before = text[max(0, at - _SECRET_NAME_MAX):at]
        if not before.isascii() or before.lower().endswith(_SECRET_NAMES):
            return True
        at = text.find("=", at + 1)
    return False


def payload_json(record: Any) -> str:
    """The original vendor record as JSON text (non-ASCII kept), secrets removed.

    JSON writes a parameter name and its "=" as they are, so a record whose JSON text has no
    `name=` has nothing for `scrub_payload` to remove and is written as it is (walking every value
    is most of the cost).
    """
    text = json.dumps(record, ensure_ascii=False, default=_json_default)
    if not _may_hold_secret(text):
        return text
    return json.dumps(scrub_payload(record), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# ---- the same readings over Arrow columns ----------------------------------------------------------------
# A day of a high-volume stream is read column by column in Arrow (C++), not value by value in Python. Each
# function below equals its scalar twin above on every value (tests/connectors/test_vectorised_parsing.py);
# where Arrow cannot decide a value exactly (a time in an unusual shape) the scalar function reads it.

@functools.cache
def _strip_chars() -> str:
    """Every character `str.strip()` removes (`str.isspace`), for `pc.utf8_trim`."""
    return "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


def patch_values(result: pa.Array, values: pa.Array, mask: pa.Array, read: Callable[[Any], Any]) -> pa.Array:
    """`result` with the positions where `mask` is true replaced by `read(value)` (Python, per value: for
    the rare values a vectorised reading leaves to a scalar function)."""
    mask = pc.fill_null(mask, False)
    rare = values.filter(mask)
    if len(rare) == 0:
        return result
    fixed = pa.array([read(v) for v in rare.to_pylist()], result.type)
    return pc.replace_with_mask(result, mask, fixed)


def text_or_none_array(values: pa.Array) -> pa.Array:
    """`text_or_none` of every value of a string array (a value is kept as it is, unless it is all blank)."""
    blank = pc.equal(pc.utf8_trim(values, characters=_strip_chars()), "")
    return pc.if_else(pc.fill_null(blank, True), pa.scalar(None, pa.string()), values)


def id_or_none_array(values: pa.Array) -> pa.Array:
    """`id_or_none` of every value of a string array (stripped; blank and "0" are None)."""
    stripped = pc.utf8_trim(values, characters=_strip_chars())
    none = pc.is_in(stripped, value_set=pa.array(["", "0"]))
    return pc.if_else(pc.fill_null(none, True), pa.scalar(None, pa.string()), stripped)


def local_datetime_or_none_array(values: pa.Array, fmt: str) -> pa.Array:
    """`local_datetime_or_none(value, fmt)` of every value of a string array, as timestamp[us].

    A value in the vendor's exact shape is read by Arrow and kept when the time read has the value's own
    year, month, day, hour, minute and second (so Arrow never accepts what `datetime` rejects, e.g.
    30 February, second 60 or year 0); every other non-empty value is read by the scalar function.
    """
    pattern, order = _FAST_FORMATS[fmt]
    parsed = pc.strptime(values, format=fmt, unit="us", error_is_null=True)
    parts = pc.extract_regex(values, _named_groups(pattern.pattern))
    exact = pc.is_valid(parsed)
    for read, group in zip((pc.year, pc.month, pc.day, pc.hour, pc.minute, pc.second), order):
        exact = pc.and_(exact, pc.equal(read(parsed), pc.struct_field(parts, f"g{group}").cast(pa.int64())))
    exact = pc.fill_null(pc.and_(exact, pc.greater_equal(pc.year(parsed), 1)), False)  # datetime has no year 0
    result = pc.if_else(exact, parsed, pa.scalar(None, pa.timestamp("us")))
    rare = pc.and_(pc.invert(exact), pc.not_equal(values, ""))
    return patch_values(result, values, rare, lambda v: local_datetime_or_none(v, fmt))


def _named_groups(pattern: str) -> str:
    """`pattern` anchored at both ends, its groups named g0, g1, ... (what `pc.extract_regex` needs)."""
    pieces = pattern.split("(")
    return "^" + pieces[0] + "".join(f"(?P<g{k}>{piece}" for k, piece in enumerate(pieces[1:])) + "$"
