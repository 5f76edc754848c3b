"""Running the refresh job in-process for the CLI, with progress and a one-line error on failure."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import settings

PHONE_SOURCES = ("calltouch", "amocrm")

DAGSTER_YAML = """\
# Written by call-attribution. Warehouse work (dbt build, publishing) runs one at a time.
# Run history is Dagster's SQLite event log with its connections kept open (orchestration/event_log.py).
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
event_log_storage:
  module: orchestration.event_log
  class: PooledSqliteEventLogStorage
"""
# What earlier releases wrote: replaced by the current text when found unchanged.
EARLIER_DAGSTER_YAMLS = (
    """\
# Written by call-attribution. Warehouse work (dbt build, publishing) runs one at a time.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
""",
)


class _RetryCounter(logging.Handler):
    """Counts the transient failures the connectors retried (their warnings go to the run log)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@contextlib.contextmanager
def _connector_log(log_path: Path):
    """Connector warnings (retries) go to the run log, not over the progress bar."""
    logger = logging.getLogger("connectors")
    file_handler = logging.FileHandler(log_path, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    counter = _RetryCounter()
    saved = (logger.propagate, logger.level)
    logger.addHandler(file_handler)
    logger.addHandler(counter)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        yield counter
    finally:
        logger.removeHandler(file_handler)
        logger.removeHandler(counter)
        logger.propagate, logger.level = saved
        file_handler.close()


@contextlib.contextmanager
def _collector_spared():
    """During the run, the cyclic collector skips what is loaded by then (Dagster, dbt's asset
    definitions: objects that live as long as the process) and runs less often: its passes over
    them were 0.75 s of a daily run's CPU, beside the dbt process. Afterwards both are as before,
    so a process that runs on (tests, a notebook) frees them as usual."""
    import gc

    from .warehouse.warm_dbt import GC_FIRST_THRESHOLD

    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_FIRST_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


class RunError(Exception):
    """A run failed for a reason the user can act on; the message is one line."""


@dataclass
class RunReport:
    start: date
    end: date
    sources: list[str]
    rows: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))  # stream -> day -> rows
    marts: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    log_path: Path | None = None
    seconds: float = 0.0
    landing_seconds: float = 0.0
    build_seconds: float = 0.0  # the dbt build step, as Dagster timed it (dbt's start, its nodes, closing the warehouse)
    publish_seconds: float = 0.0  # writing marts.duckdb (publish.py)


def prepare_instance() -> Path:
    """DAGSTER_HOME with its dagster.yaml, shared by CLI runs and `call-attribution ui`."""
    home = settings.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text() in EARLIER_DAGSTER_YAMLS:
        config.write_text(DAGSTER_YAML)
    return home


def check_environment(sources: list[str] | None) -> list[str]:
    """The sources to land; raises a one-line SettingsError naming what is missing."""
    settings.timezone_name()
    settings.http_timeout_seconds()
    if sources:
        unknown = [s for s in sources if s not in settings.SOURCE_CREDENTIALS]
        if unknown:
            raise settings.SettingsError(
                f"unknown source {unknown[0]!r}. Fix: use one of {', '.join(settings.SOURCE_CREDENTIALS)}."
            )
        for source in sources:
            status = settings.source_status(source)
            if not status.enabled:
                raise settings.SettingsError(
                    f"{source} is not configured: set {', '.join(status.missing)} (see .env.example)."
                )
        chosen = list(sources)
    else:
        chosen = settings.enabled_sources()
        if not chosen:
            raise settings.SettingsError(
                "no source is configured. Fix: set the credentials of at least one source (see .env.example), "
                "or try `call-attribution demo`."
            )
    if any(s in PHONE_SOURCES for s in chosen):
        settings.pii_salt()
    return chosen


def _user_error(exc: BaseException) -> str:
    """The one line to show for an exception raised inside a Dagster run."""
    from dagster_dbt.errors import DagsterDbtCliRuntimeError

    from connectors.errors import ConnectorError

    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, (ConnectorError, settings.SettingsError)):
            return str(current)
        if isinstance(current, DagsterDbtCliRuntimeError):
            line = f"dbt build failed: {_first_dbt_error(str(current))}"
            if "schemas on this incremental model are out of sync" in str(current):  # after an upgrade
                line += ". Its columns changed since the last build: run once with --full-refresh"
            return line
        stack.extend([getattr(current, "user_exception", None), current.__cause__, current.__context__])
    text = str(exc).strip().splitlines()
    return f"the run failed: {text[0] if text else type(exc).__name__}"


def _first_dbt_error(message: str) -> str:
    """The first error dbt logged (dagster-dbt lists them after 'Errors parsed from dbt logs:'), one line."""
    _, _, errors = message.partition("Errors parsed from dbt logs:")
    for line in errors.splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
        if line:
            return line
    return "see the run log"


def run_range(
    first: date,
    last: date,
    *,
    sources: list[str] | None = None,
    build: bool = True,
    land: bool = True,
    full_refresh: bool = False,
    console: Console | None = None,
) -> RunReport:
    """Land the chosen sources for [first, last] (unless `land` is false: build from what is landed),
    then (optionally) build and publish, as one Dagster run. `full_refresh` rebuilds the incremental
    models from every landed day instead of the window."""
    console = console or Console(stderr=True)
    days = settings.days_between(first, last)
    chosen = check_environment(sources) if land else []
    warm = None
    if build:
        from .warehouse import dbt_state, warm_dbt

        # dbt imports (and compiles the last build's macros) while this process imports Dagster
        warm = warm_dbt.start(dbt_state.path_in(settings.attribution_home(), dbt_state.MACROS_USED))
    try:
        return _run_range(first, last, days, chosen, build=build, land=land, full_refresh=full_refresh,
                          console=console)
    finally:
        if warm is not None:
            warm_dbt.stop(warm)


def _run_range(first: date, last: date, days: list[date], chosen: list[str], *, build: bool, land: bool,
               full_refresh: bool, console: Console) -> RunReport:
    prepare_instance()
    if build:
        from .warehouse.project import ensure_manifest

        ensure_manifest()

    import dagster as dg

    from .definitions import defs
    from .jobs import FULL_REFRESH_TAG, range_tags
    from .landing import progress
    from .landing.registry import landing_keys
    from .warehouse.assets import published_marts_asset, warehouse_assets, warehouse_keys

    from .recovery import cli_run_lock, cli_run_tags, reclaim_abandoned_runs

    report = RunReport(first, last, chosen)
    selection = landing_keys(chosen) + (warehouse_keys() if build else [])
    job = defs.resolve_job_def("refresh")
    started = time.monotonic()

    # one CLI run per home at a time (the lock dies with the process, however it dies)
    with cli_run_lock(settings.attribution_home()), _collector_spared(), Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=False,
    ) as bar:
        landing_task = bar.add_task(f"landing {len(chosen)} sources", total=len(days) * len(landing_keys(chosen)))
        if not land:
            bar.add_task("building warehouse (dbt build) and publishing", total=None)

        def on_landed(part) -> None:
            report.rows[part.stream.key][part.day.isoformat()] = part.rows
            bar.update(landing_task, advance=1, description=f"landed {part.stream.key} {part.day}")
            if bar.tasks[landing_task].completed >= bar.tasks[landing_task].total and build:
                report.landing_seconds = time.monotonic() - started
                bar.add_task("building warehouse (dbt build) and publishing", total=None)

        progress.add_listener(on_landed)
        # runs a killed CLI process left behind give back their warehouse slot
        instance = dg.DagsterInstance.get()
        reclaimed = reclaim_abandoned_runs(instance)
        if reclaimed:
            console.print(f"reclaimed {len(reclaimed)} run(s) left unfinished by a killed process", highlight=False)
        log_path = settings.attribution_home() / "logs" / f"run-{time.strftime('%Y%m%d-%H%M%S')}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        report.log_path = log_path
        try:
            # dbt's console output and connector retries go to the run log; the progress bar stays readable
            with _connector_log(log_path.with_suffix(".connectors.log")) as retries, \
                    open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
                result = job.execute_in_process(
                    instance=instance,
                    tags={**range_tags(first, last), **cli_run_tags(),
                          **({FULL_REFRESH_TAG: "true"} if full_refresh else {})},
                    asset_selection=selection,
                    # failures reach the user as one line (below); the UI keeps the full event log
                    run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
                    raise_on_error=True,
                )
                report.retries = retries.count
        except Exception as exc:  # noqa: BLE001 - turned into one line for the user
            raise RunError(f"{_user_error(exc)} (details: {log_path})") from None
        finally:
            progress.remove_listener(on_landed)
    report.seconds = time.monotonic() - started
    if land and not report.landing_seconds:
        report.landing_seconds = report.seconds
    if build:
        published = published_marts_asset().op.name
        mat = result.asset_materializations_for_node(published)
        if mat:
            report.marts = dict(mat[-1].metadata["rows_per_table"].value)
        steps = _step_seconds(result.all_events)
        report.build_seconds = steps.get(warehouse_assets().op.name, 0.0)
        report.publish_seconds = steps.get(published, 0.0)
    print_report(report, console)
    return report


def _step_seconds(events) -> dict[str, float]:
    """Each succeeded step's duration as Dagster recorded it, by step key (an asset's op name)."""
    return {event.step_key: event.step_success_data.duration_ms / 1000
            for event in events if event.is_step_success and event.step_key}


def _phases(report: RunReport) -> str:
    """Where a run's time went: '(landing 41.3 s; dbt build 8.1 s; publishing 1.2 s)', or '' for none. Landing is
    the time until the last partition landed; the build and publishing are Dagster's step durations."""
    parts = [(label, seconds) for label, seconds in (("landing", report.landing_seconds), ("dbt build", report.build_seconds),
                                                     ("publishing", report.publish_seconds)) if seconds]
    return " (" + "; ".join(f"{label} {seconds:.1f} s" for label, seconds in parts) + ")" if parts else ""


def print_report(report: RunReport, console: Console) -> None:
    table = Table(title=f"Rows landed {report.start} .. {report.end}")
    table.add_column("day")
    streams = sorted(report.rows)
    for stream in streams:
        table.add_column(stream.replace("/", "/\n"), justify="right")
    days = sorted({d for per_day in report.rows.values() for d in per_day})
    for day in days:
        table.add_row(day, *[str(report.rows[s].get(day, "")) for s in streams])
    table.add_row("total", *[str(sum(report.rows[s].values())) for s in streams], style="bold")
    console.print(table)
    if report.marts:
        marts = Table(title=f"Published marts: {settings.published_marts_path()}")
        marts.add_column("table")
        marts.add_column("rows", justify="right")
        for name, rows in report.marts.items():
            marts.add_row(name, str(rows))
        console.print(marts)
    if report.retries:
        console.print(f"{report.retries} transient API failures were retried (see {report.log_path.with_suffix('.connectors.log')})",
                      highlight=False)
    console.print(
        f"done in {report.seconds:.1f} s{_phases(report)}; "
        f"DAGSTER_HOME={settings.dagster_home()} (see it with `call-attribution ui`)",
        highlight=False,
    )
