"""One factory for every landing asset: fetch a local day through a connector, write it whole.

Each vendor's `orchestration/<source>/assets.py` calls `landing_asset` with its
stream and a fetch function; nothing about writing, pseudonymising or reporting is
repeated per vendor.
"""


from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

import warnings

import dagster as dg

from ..partitions import daily_partitions, partition_days
from . import progress
from .resources import LandingZone
from .schemas import Stream
from .writer import LandedPartition, build_table, write_partition

# Single-run backfills (one run lands a range of days) are "beta" in Dagster 1.13; we rely on them knowingly.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")

Fetch = Callable[[Any, date, LandingZone], Iterable[dict]]


def api_spec(source: str, description: str) -> dg.AssetSpec:
    """The vendor API as an external asset: the first node of the lineage API -> landing -> dbt."""
    return dg.AssetSpec(
        key=dg.AssetKey(["api", source]),
        description=description,
        group_name="vendor_apis",
        kinds={"api"},
    )


def landing_asset(
    stream: Stream,
    *,
    api: dg.AssetSpec,
    resource_key: str,
    fetch: Fetch,
    description: str,
    extra_deps: Sequence[dg.AssetKey] = (),
) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey([stream.source, stream.name]),
        description=description,
        group_name="landing",
        kinds={"python", "parquet"},
        partitions_def=daily_partitions(),
        backfill_policy=dg.BackfillPolicy.single_run(),
        deps=[api.key, *extra_deps],
        required_resource_keys={"landing", resource_key},
        metadata={"path_pattern": f"landing/{stream.source}/{stream.name}/<YYYY-MM-DD>.parquet"},
        tags={"source": stream.source},
    )
    def _land(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        zone: LandingZone = context.resources.landing
        client_resource = getattr(context.resources, resource_key)
        salt = zone.salt() if stream.phone_field else None
        landed: list[LandedPartition] = []
        for day in partition_days(context):
            table = build_table(stream, fetch(client_resource, day, zone), day, salt=salt, region=zone.region)
            part = write_partition(zone.root, stream, day, table)
            landed.append(part)
            progress.report(part)
            context.log.info(f"landed {stream.key} {day}: {part.rows} rows -> {part.path}")
        return dg.MaterializeResult(metadata=_metadata(landed))

    return _land


def _metadata(landed: list[LandedPartition]) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "dagster/row_count": sum(p.rows for p in landed),
        "days": len(landed),
        "rows_per_day": dg.MetadataValue.json({p.day.isoformat(): p.rows for p in landed}),
    }
    if len(landed) == 1:
        meta["path"] = dg.MetadataValue.path(str(landed[0].path))
    else:
        meta["paths"] = dg.MetadataValue.json([str(p.path) for p in landed])
    return meta
