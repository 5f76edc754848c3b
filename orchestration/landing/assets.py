"""One factory for every landing asset: fetch a local day through a connector, write it whole.

Each vendor's `orchestration/<source>/assets.py` calls `landing_asset` with its
stream and a fetch function; nothing about writing, pseudonymising or reporting is
repeated per vendor.
"""


from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

import warnings
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

import dagster as dg

from ..partitions import daily_partitions, partition_days
from . import progress
from .resources import LandingZone
from .schemas import Stream
from .writer import LandedPartition, build_table, write_partition

# Single-run backfills (one run lands a range of days) are "beta" in Dagster 1.13; we rely on them knowingly.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")

Fetch = Callable[[Any, date, LandingZone], "Iterable[dict] | pa.Table"]  # records, or a connector's Arrow table


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
    concurrency: int = 3,
) -> dg.AssetsDefinition:
    """A daily-partitioned asset landing `stream`; a range of days is fetched `concurrency` days at a time
    (the connectors' rate limiters keep the vendor's request budget whatever the concurrency)."""

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

        def land_day(day: date) -> LandedPartition:
            table = build_table(stream, fetch(client_resource, day, zone), day, salt=salt, region=zone.region)
            part = write_partition(zone.root, stream, day, table)
            progress.report(part)
            return part

        days = partition_days(context)
        with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(days))),
                                thread_name_prefix=f"land-{stream.source}") as pool:
            futures = [pool.submit(land_day, day) for day in days]
            done, pending = wait(futures, return_when=FIRST_EXCEPTION)
            for future in pending:
                future.cancel()
            for future in futures:
                if future.done() and not future.cancelled() and future.exception() is not None:
                    raise future.exception()
        landed = sorted((f.result() for f in futures), key=lambda p: p.day)
        for part in landed:
            context.log.info(f"landed {stream.key} {part.day}: {part.rows} rows -> {part.path}")
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
