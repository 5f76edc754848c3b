"""Fixtures of the reliability tests, and the hook that writes docs/RELIABILITY.md after a full green run.

The fault-free reference run (`baseline`) is shared: fault, crash and idempotency tests compare
their landing files or published marts with it row for row.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_ROOT
from tests.reliability.pipeline import (DAYS, END, MAX_SECONDS, READ_TIMEOUT, SCALE, SEED, START, TIMEZONE,
                                        landing_snapshot, make_world, marts_snapshot, run_pipeline, sandbox)
from tests.reliability.report import Reliability

HERE = Path(__file__).resolve().parent
DOC = PROJECT_ROOT / "docs" / "RELIABILITY.md"

_collector = Reliability()
_state = {"selected": 0, "deselected": 0, "passed": 0, "bad": 0, "files": set()}
SESSION_STARTED = time.time()


def _mine(item_or_report) -> bool:
    path = getattr(item_or_report, "path", None) or Path(str(getattr(item_or_report, "fspath", "")))
    return HERE in Path(path).resolve().parents


def pytest_collection_finish(session):
    mine = [item for item in session.items if _mine(item)]
    _state["selected"] = len(mine)
    _state["files"] = {Path(str(item.path)).name for item in mine}


def pytest_deselected(items):
    _state["deselected"] += sum(1 for item in items if _mine(item))


def pytest_runtest_logreport(report):
    if not _mine(report) and HERE.name not in report.nodeid:
        return
    if report.failed or report.skipped:
        _state["bad"] += 1
    elif report.when == "call" and report.passed:
        _state["passed"] += 1


def pytest_terminal_summary(terminalreporter):
    if _collector.timings:
        terminalreporter.section("reliability: seconds per path")
        for name, seconds in sorted(_collector.timings.items(), key=lambda kv: -kv[1]):
            terminalreporter.write_line(f"{seconds:7.1f}  {name}")


def pytest_sessionfinish(session, exitstatus):
    every_file = _state["files"] == {p.name for p in HERE.glob("test_*.py")}
    complete = every_file and _state["selected"] and not _state["deselected"] and not _state["bad"] \
        and _state["passed"] == _state["selected"]
    if complete and _collector.rows:
        _collector.write(DOC, seed=SEED, scale=SCALE, days=DAYS, end=END, timezone=TIMEZONE, timeout=READ_TIMEOUT,
                         max_seconds=MAX_SECONDS)


@pytest.fixture(scope="session")
def reliability() -> Reliability:
    return _collector


@pytest.fixture(scope="session")
def homes() -> list[Path]:
    """Every ATTRIBUTION_HOME the reliability tests ran the pipeline in (scanned for secrets at the end)."""
    return []


@pytest.fixture(scope="session")
def messages() -> list[str]:
    """Every error message a failed run showed (scanned for secrets at the end)."""
    return []


class LogTap(logging.Handler):
    """Keeps every log line emitted while the reliability tests run (scanned for secrets)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(record.getMessage())
        except Exception:  # noqa: BLE001 - a broken record must not break a test
            self.lines.append(str(record.msg))


@pytest.fixture(scope="session")
def log_tap() -> Iterator[LogTap]:
    tap = LogTap()
    loggers = [logging.getLogger(), logging.getLogger("connectors"), logging.getLogger("dagster")]
    saved = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(tap)
    logging.getLogger("connectors").setLevel(logging.DEBUG)
    yield tap
    for lg, level in zip(loggers, saved):
        lg.removeHandler(tap)
        lg.setLevel(level)


@dataclass
class Baseline:
    home: Path
    world: object
    url: str
    landing: dict
    marts: dict
    seconds: float


@pytest.fixture(scope="session")
def world():
    return make_world()


@pytest.fixture(scope="session")
def clean_server(world):
    """The fault-free sandbox of the shared world, with the recognisable secrets."""
    with sandbox(world) as server:
        yield server


@pytest.fixture(scope="session")
def baseline(tmp_path_factory, world, clean_server, log_tap, homes) -> Baseline:
    """A fault-free, uninterrupted run over the whole window: the reference of every comparison."""
    home = tmp_path_factory.mktemp("baseline")
    homes.append(home)
    started = time.monotonic()
    run_pipeline(home, clean_server.url, START, END)
    seconds = time.monotonic() - started
    _collector.timed("fault-free reference run (land, build, publish)", seconds)
    return Baseline(home, world, clean_server.url, landing_snapshot(home), marts_snapshot(home / "marts.duckdb"),
                    seconds)
