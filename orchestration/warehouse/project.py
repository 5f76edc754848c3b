"""The dbt project as Dagster sees it: one cached `DbtProject`, prepared by the project itself.

A fresh home has no `dbt/target/manifest.json`; `dagster dev` prepares it through
`prepare_if_dev()`, and the CLI calls `ensure_manifest()` before it loads the
definitions, so no user ever runs `dbt parse` by hand.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import sys
from functools import cache, cached_property
from pathlib import Path

from dagster_dbt import DagsterDbtProjectPreparer, DbtCliResource, DbtProject
from packaging import version

from .. import settings
from . import dbt_state


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
    dbt_state.export(settings.attribution_home())  # node times and macros used, kept between commands
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")  # no network, ever
    # The run's dbt.log keeps dbt's info events (each node's start, result and timing), not the text of
    # every SQL statement: serialising those is about a second of dbt's time in each daily run. The
    # SQL each node ran is in the run's folder (compiled/, run/); DBT_LOG_LEVEL_FILE=debug logs it too.
    os.environ.setdefault("DBT_LOG_LEVEL_FILE", "info")
    os.environ.setdefault("ATTRIBUTION_DUCKDB_THREADS", str(os.cpu_count() or 2))  # profiles.yml reads it
    bin_dir = str(Path(sys.executable).parent)  # the `dbt` installed beside this Python, venv activated or not
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


class WarehouseDbtResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two start-up steps this project does not use, which
    cost seconds of every dbt command before dbt even starts:
    - asking the dbt executable for its version (`dbt --version`, a second Python start-up): it is
      the pinned dbt-core installed beside this Python, read from the package metadata instead;
    - loading a dbt adapter inside the Dagster process (importing dbt, reading the profile): only
      used to fetch table metadata after a build (`fetch_column_metadata`, row counts), never here.
      The CLI does not even import dbt-core (warm_dbt.keep_dbt_out).
    Both are private methods of the pinned dagster-dbt (0.29.27); tests/orchestration run a build
    through this resource, so an upgrade that changes them fails there, not in production."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - the signature of the method replaced
        return None


class InPlacePreparer(DagsterDbtProjectPreparer):
    """dagster-dbt's preparer (`dbt parse`), keeping the parse state it writes as dbt wrote it.

    dagster-dbt spoils the saved checksums of the seed files after parsing, so that a manifest
    parsed in one place (a CI image) and run in another re-reads the seeds' paths: every run then
    re-parses the seeds and writes a new manifest before it starts (about 1 s of each daily run).
    Here the manifest is parsed where it runs, in the home's target folder; `ensure_manifest`
    parses again when the project folder it was parsed in is not this one."""

    def _invalidate_seeds_in_partial_parse(self, project: DbtProject) -> None:  # noqa: ARG002 - replaced method
        return None

    def _prepare_manifest(self, project: DbtProject) -> None:  # dagster-dbt's, through the resource above
        WarehouseDbtResource(project_dir=project).cli(self._prepare_project_cli_args,
                                                      target_path=project.target_path).wait()


PREPARER = InPlacePreparer()


@cache
def dbt_project() -> DbtProject:
    dbt_environment()
    project = DbtProject(
        project_dir=settings.DBT_PROJECT_DIR,
        profiles_dir=settings.DBT_PROJECT_DIR,
        target_path=dbt_target_path(),
    )
    PREPARER.prepare_if_dev(project)  # under `dagster dev` only
    return project


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing, older than the project files, or was
    parsed from a project folder elsewhere (a moved checkout sharing the home)."""
    project = dbt_project()
    manifest = project.manifest_path
    newest_source = _newest_project_file()
    if (not manifest.exists() or manifest.stat().st_mtime < newest_source
            or parsed_project_dir(manifest) != settings.DBT_PROJECT_DIR.resolve()):
        PREPARER.prepare(project)


def _newest_project_file() -> float:
    """The modification time of the newest file dbt parses (not the folders dbt writes: a `dbt` run
    by hand in the project leaves thousands of files in its target/ and logs/)."""
    newest = 0.0
    for root, dirs, files in os.walk(settings.DBT_PROJECT_DIR):
        dirs[:] = [d for d in dirs if d not in {"target", "logs", "dbt_packages"}]
        for name in files:
            if name.endswith((".sql", ".yml", ".csv")):
                newest = max(newest, os.stat(os.path.join(root, name)).st_mtime)
    return newest


def parsed_project_dir(manifest: Path) -> Path | None:
    """The project folder a manifest was parsed from (its nodes' root path), None if unreadable."""
    try:
        nodes = json.loads(manifest.read_text(encoding="utf-8")).get("nodes", {})
    except (OSError, ValueError):
        return None
    root = next((node.get("root_path") for node in nodes.values() if node.get("root_path")), None)
    return Path(root).resolve() if root else None


def prune_run_targets(keep: int = 5) -> None:
    """dagster-dbt writes each run's artifacts to a folder of its own in the target folder: keep the newest."""
    root = dbt_target_path()
    runs = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime) if root.exists() else []
    for old in runs[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
