"""The daily schedule: land yesterday, re-land the two days before it, rebuild, publish.

Direct spend and Metrica visits settle within ~3 days, so every morning the last
three local days are fetched again; landing replaces a day's file, so nothing
is counted twice.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from . import settings
from .jobs import range_tags, refresh_job, refresh_selection

SETTLING_DAYS = 3


def daily_refresh_schedule() -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="daily_refresh",
        job=refresh_job,
        cron_schedule="0 6 * * *",
        execution_timezone=settings.timezone_name(),
        default_status=dg.DefaultScheduleStatus.RUNNING,
        execution_fn=_daily_refresh,
        description="06:00 in the account time zone: land the last 3 local days of every enabled source, "
        "rebuild, publish.",
    )


def _daily_refresh(context: dg.ScheduleEvaluationContext):
    today = context.scheduled_execution_time.astimezone(settings.timezone()).date()
    end = today - timedelta(days=1)
    start = end - timedelta(days=SETTLING_DAYS - 1)
    enabled = settings.enabled_sources()
    if not enabled:
        return dg.SkipReason("no source is configured: set the credentials of at least one source (see .env.example)")
    return dg.RunRequest(
        run_key=f"daily-{end.isoformat()}",
        asset_selection=refresh_selection(enabled),
        tags=range_tags(start, end),
    )
