"""The dbt project as Dagster sees it: one cached `DbtProject`, prepared by the project itself.

A fresh home has no `dbt/target/manifest.json`; `dagster dev` prepares it through
`prepare_if_dev()`, and the CLI calls `ensure_manifest()` before it loads the
definitions, so no user ever runs `dbt parse` by hand.
"""

from __future__ import annotations

import os
import shutil
import sys
from functools import cache
from pathlib import Path

from dagster_dbt import DbtProject

from .. import settings


# A run that adds a few days to a built warehouse is many small statements, each mostly dbt's own
# Python around a short DuckDB query: four at once overlap those waits (a day on a year of history:
# dbt's 17.7 s with one thread, 12.8 s with four, 16 s with eight). A build from nothing, a
# --full-refresh or a long backfill keeps one: big models side by side share the memory limit and spill.
INCREMENTAL_DBT_THREADS = 4
INCREMENTAL_MAX_DAYS = 31


def dbt_threads(window_days: int, full_refresh: bool) -> int | None:
    """dbt's thread count for a run (None: the profile's, ATTRIBUTION_DBT_THREADS or one); the
    user's ATTRIBUTION_DBT_THREADS always wins."""
    if os.environ.get("ATTRIBUTION_DBT_THREADS") or full_refresh or window_days > INCREMENTAL_MAX_DAYS:
        return None
    if not settings.warehouse_path().exists():
        return None
    return INCREMENTAL_DBT_THREADS


def dbt_target_path() -> Path:
    """dbt's target folder (manifest, partial-parse state, each run's artifacts), one per home: its
    partial-parse state is only valid for the profile it was parsed with, and the profile names the
    home's warehouse, so two homes sharing one folder would make every run re-parse the project."""
    return settings.attribution_home() / "dbt" / "target"


def dbt_environment() -> None:
    """dbt reads paths from the environment: make them absolute before any dbt command."""
    os.environ["ATTRIBUTION_HOME"] = str(settings.attribution_home())
    os.environ["DBT_TARGET_PATH"] = str(dbt_target_path())  # dagster-dbt puts each run's folder inside
    os.environ["ATTRIBUTION_TIMEZONE"] = settings.timezone_name()
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")  # no network, ever
    os.environ.setdefault("ATTRIBUTION_DUCKDB_THREADS", str(os.cpu_count() or 2))  # profiles.yml reads it
    bin_dir = str(Path(sys.executable).parent)  # the `dbt` installed beside this Python, venv activated or not
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


@cache
def dbt_project() -> DbtProject:
    dbt_environment()
    project = DbtProject(
        project_dir=settings.DBT_PROJECT_DIR,
        profiles_dir=settings.DBT_PROJECT_DIR,
        target_path=dbt_target_path(),
    )
    project.prepare_if_dev()
    return project


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing or older than the project files."""
    project = dbt_project()
    manifest = project.manifest_path
    newest_source = max(
        (p.stat().st_mtime for p in settings.DBT_PROJECT_DIR.rglob("*") if p.suffix in {".sql", ".yml", ".csv"}
         and "target" not in p.parts),
        default=0.0,
    )
    if not manifest.exists() or manifest.stat().st_mtime < newest_source:
        project.preparer.prepare(project)


def prune_run_targets(keep: int = 5) -> None:
    """dagster-dbt writes each run's artifacts to a folder of its own in the target folder: keep the newest."""
    root = dbt_target_path()
    runs = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime) if root.exists() else []
    for old in runs[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
