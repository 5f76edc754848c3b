"""dbt models as Dagster assets (downstream of the landing assets), dbt tests as asset checks,
and the publish step that hands the marts to BI tools."""


import os
from collections.abc import Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets, get_asset_key_for_model
from dagster_dbt.dbt_manifest import validate_manifest

from .. import settings
from ..jobs import FULL_REFRESH_TAG
from ..partitions import daily_partitions, partition_days
from . import warm_dbt
from .project import WarehouseDbtResource, dbt_environment, dbt_project, dbt_threads, prune_run_targets
from .publish import publish_marts
from .seeds import unchanged_seed_nodes

WAREHOUSE_POOL = "warehouse"  # only one run builds or publishes the warehouse at a time
MART_MODELS = (
    "fct_calls",
    "attribution_credits",
    "roi_daily",
    "operator_performance",
    "call_review_queue",
    "data_quality",
)


class WarehouseTranslator(DagsterDbtTranslator):
    """Models keyed by their layer (`staging/...`, `marts/...`); sources keep the landing keys."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest.get("nodes", {}).get(unique_id)
        if node is None or node.get("resource_type") not in {"model", "seed", "snapshot"}:
            return spec
        fqn = node.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else node["resource_type"] + "s"
        return spec.replace_attributes(key=dg.AssetKey([layer, node["name"]]), group_name="warehouse")


def dbt_resource() -> DbtCliResource:
    """The dbt installed beside this Python, through warm_dbt.py: in a CLI run, the dbt process the
    CLI started ahead, which has imported dbt by the time the build needs it; else dbt in that
    module's process. Either way dbt starts ready nodes longest chain first (dbt_order.py)."""
    executable, *leading = warm_dbt.command()
    return WarehouseDbtResource(project_dir=dbt_project(), dbt_executable=executable, global_config_flags=leading)


def run_window_env(context: dg.AssetExecutionContext) -> dict[str, str]:
    """The run's window and date for dbt, in the environment (dbt_project/macros/incremental.sql):
    dbt reads them only while models run, so a new day keeps dbt's partial parse (--vars would not)."""
    days = partition_days(context)
    return {
        "ATTRIBUTION_RUN_START_DATE": days[0].isoformat(),
        "ATTRIBUTION_RUN_END_DATE": days[-1].isoformat(),
        "ATTRIBUTION_AS_OF_DATE": settings.local_today().isoformat(),
    }


@contextmanager
def environment(values: dict[str, str]):
    """Set environment variables for the duration of the block, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@cache
def warehouse_assets() -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=WarehouseTranslator(),
        partitions_def=daily_partitions(),
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
    )
    def warehouse(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        dbt_environment()  # this run's ATTRIBUTION_HOME and time zone, absolute
        # dbt unit tests check the SQL, not the data: they run in the test suite, not in every refresh.
        # No manifest.json / run_results.json in the run's folder (0.5 s of every run): the manifest is
        # the home's, each node's result is in the Dagster run and the run's dbt.log.
        exclude = ["resource_type:unit_test"]
        full_refresh = context.run.tags.get(FULL_REFRESH_TAG) == "true"
        if not full_refresh:  # seeds whose table already holds what their CSV says (seeds.py)
            exclude += unchanged_seed_nodes(validate_manifest(project.manifest_path), settings.warehouse_path())
        args = ["build", "--exclude", " ".join(exclude), "--no-write-json"]
        if full_refresh:
            args.append("--full-refresh")
        threads = dbt_threads(len(partition_days(context)), full_refresh)
        if threads:
            args += ["--threads", str(threads)]
        with environment(run_window_env(context)):  # the dbt subprocess inherits it
            yield from dbt.cli(args, context=context).stream()
        prune_run_targets()

    return warehouse


@cache
def published_marts_asset() -> dg.AssetsDefinition:
    marts = [get_asset_key_for_model([warehouse_assets()], name) for name in MART_MODELS]

    @dg.asset(
        key=dg.AssetKey(["published", "marts"]),
        deps=marts,
        group_name="marts_published",
        kinds={"duckdb"},
        partitions_def=daily_partitions(),
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
        description="marts.duckdb: a read-only copy of the marts for BI tools, replaced atomically after each build.",
    )
    def published_marts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        result = publish_marts(settings.warehouse_path(), settings.published_marts_path())
        context.log.info(f"published {len(result.tables)} marts to {result.path}")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "rows_per_table": dg.MetadataValue.json(result.tables),
            }
        )

    return published_marts


def warehouse_keys() -> list[dg.AssetKey]:
    return [*warehouse_assets().keys, published_marts_asset().key]
