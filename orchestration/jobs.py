"""The jobs: land enabled sources for a range of local days, then build and publish the warehouse."""

from __future__ import annotations

from datetime import date

import dagster as dg

from . import settings
from .landing.registry import landing_keys

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.groups("landing", "warehouse", "marts_published"),
    description="Land the enabled sources for a range of local days, build the dbt models, publish the marts.",
)


# A run with this tag set to "true" rebuilds the incremental dbt models from every landed day.
FULL_REFRESH_TAG = "call_attribution/full_refresh"


def range_tags(start: date, end: date) -> dict[str, str]:
    """A partition range as one run (the assets' backfill policy is single-run)."""
    return {RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()}


def refresh_selection(sources: list[str] | None = None) -> list[dg.AssetKey]:
    """Landing assets of the enabled sources plus everything downstream of landing."""
    from .warehouse.assets import warehouse_keys  # the dbt manifest is needed only when a run is planned

    enabled = settings.enabled_sources() if sources is None else sources
    return [*landing_keys(enabled), *warehouse_keys()]
