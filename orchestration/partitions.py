"""Daily partitions in the account time zone: a partition is one local day (DESIGN §2).

The time zone has to be known when the definitions are built, so this is the one
setting read while loading them; `call-attribution` and `dagster dev` both load
them after the environment is set.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

import dagster as dg

from . import settings

# Direct keeps statistics for 3 years; history before this needs ATTRIBUTION_START_DATE.
DEFAULT_START_DATE = "2024-01-01"


@cache
def daily_partitions(timezone: str | None = None) -> dg.DailyPartitionsDefinition:
    return dg.DailyPartitionsDefinition(
        start_date=settings.env("ATTRIBUTION_START_DATE", DEFAULT_START_DATE),
        timezone=timezone or settings.timezone_name(),
    )


def partition_days(context: dg.AssetExecutionContext) -> list[date]:
    """The local days a run covers: one partition, or a range when a backfill is one run."""
    window = context.partition_time_window
    first = window.start.date()
    last = (window.end - timedelta(seconds=1)).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def day_key(day: date) -> str:
    return day.isoformat()


def parse_key(key: str) -> date:
    return datetime.strptime(key, "%Y-%m-%d").date()
