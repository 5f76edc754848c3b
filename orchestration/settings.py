"""Deployment settings read from the environment (DESIGN §3), resolved lazily.

Nothing here runs at import time: call the functions when a run, a resource or the
CLI needs a value, so `dagster dev` and tests can change the environment freely.
Every path is made absolute (dbt runs inside dbt_project/, where a relative
`./data` would point elsewhere).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

DEFAULT_TIMEZONE = "Europe/Moscow"
DEFAULT_API_URLS = {
    "calltouch": "https://api.calltouch.ru",
    "yandex_direct": "https://api.direct.yandex.com",
    "yandex_metrika": "https://api-metrika.yandex.net",
}


class SettingsError(ValueError):
    """A deployment setting is missing or malformed; the message says which and how to fix it."""


def env(name: str, default: str | None = None) -> str | None:
    """An environment variable with surrounding blanks removed; empty counts as unset."""
    value = os.environ.get(name, "").strip()
    return value or default


def attribution_home() -> Path:
    return Path(env("ATTRIBUTION_HOME", "./data")).expanduser().resolve()


def dagster_home() -> Path:
    return Path(env("DAGSTER_HOME") or attribution_home() / "dagster").expanduser().resolve()


def landing_root() -> Path:
    return attribution_home() / "landing"


def warehouse_path() -> Path:
    """The DuckDB file dbt builds (only dbt writes it)."""
    return attribution_home() / "warehouse.duckdb"


def published_marts_path() -> Path:
    """The read-only copy BI tools open."""
    return attribution_home() / "marts.duckdb"


def timezone_name() -> str:
    name = env("ATTRIBUTION_TIMEZONE", DEFAULT_TIMEZONE)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"ATTRIBUTION_TIMEZONE={name!r} is not a known time zone. Fix: use an IANA name such as Europe/Moscow."
        ) from None
    return name


def timezone() -> ZoneInfo:
    return ZoneInfo(timezone_name())


def local_today() -> date:
    return datetime.now(timezone()).date()


def phone_region() -> str:
    return env("ATTRIBUTION_PHONE_REGION", "RU").upper()


def pii_salt() -> str:
    salt = env("ATTRIBUTION_PII_SALT")
    if not salt:
        raise SettingsError(
            "ATTRIBUTION_PII_SALT is not set. Fix: set it to a long random secret "
            "(it keys caller_hash; keep it stable, or every caller changes identity)."
        )
    return salt


def http_timeout_seconds() -> float:
    """Read timeout for vendor APIs; the sandbox exports a short one (loopback answers fast)."""
    raw = env("ATTRIBUTION_HTTP_TIMEOUT", "60")
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"ATTRIBUTION_HTTP_TIMEOUT={raw!r} is not a number of seconds.") from None
    if value <= 0:
        raise SettingsError("ATTRIBUTION_HTTP_TIMEOUT must be positive.")
    return value


@dataclass(frozen=True)
class SourceStatus:
    source: str
    enabled: bool
    missing: tuple[str, ...]


# Which variables switch each source on (DESIGN §3). Optional ones are not listed.
SOURCE_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "calltouch": ("CALLTOUCH_SITE_ID", "CALLTOUCH_API_TOKEN"),
    "yandex_direct": ("YANDEX_DIRECT_TOKEN",),
    "yandex_metrika": ("YANDEX_METRIKA_TOKEN", "YANDEX_METRIKA_COUNTER_ID"),
    "amocrm": ("AMOCRM_API_URL", "AMOCRM_TOKEN"),
}


def source_status(source: str) -> SourceStatus:
    required = SOURCE_CREDENTIALS[source]
    missing = tuple(name for name in required if not env(name))
    return SourceStatus(source, enabled=not missing, missing=missing)


def enabled_sources() -> list[str]:
    return [s for s in SOURCE_CREDENTIALS if source_status(s).enabled]


def parse_day(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SettingsError(f"{what} {text!r} is not a date. Fix: write it as YYYY-MM-DD.") from None


def days_between(start: date, end: date) -> list[date]:
    if end < start:
        raise SettingsError(f"the end date {end} is before the start date {start}. Fix: swap them.")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
