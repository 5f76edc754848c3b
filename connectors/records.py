"""Small helpers for building the records of CONTRACTS §2 (shared by every connector)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .errors import has_secret_param, strip_secret_params


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
    text = str(value)
    return text if text.strip() != "" else None


def id_or_none(value: Any) -> str | None:
    """An id as text; None, "" and 0 ("no id" in Metrica/Calltouch) become None."""
    text = text_or_none(value)
    return None if text is None or text.strip() == "0" else text.strip()


def int_or_none(value: Any) -> int | None:
    text = text_or_none(value)
    return None if text is None else int(float(text)) if "." in text else int(text)


def bool_or_none(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def utc_from_unix(value: Any) -> datetime | None:
    """Unix seconds -> aware UTC datetime; None/0 -> None."""
    if value in (None, "", 0, "0"):
        return None
    return datetime.fromtimestamp(int(value), tz=timezone.utc)


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


def payload_json(record: Any) -> str:
    """The original vendor record as JSON text (non-ASCII kept), secrets removed."""
    return json.dumps(scrub_payload(record), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
