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
