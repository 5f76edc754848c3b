"""A crash never leaves half a result: `call-attribution run` killed with SIGKILL during landing or
during the dbt build, then re-run, publishes the marts of an uninterrupted run; marts.duckdb is
always the old or the new version, never a partial one.

The CLI runs as a subprocess (its own process group, killed whole: the dbt child dies too, as on
an out-of-memory kill or a power cut) against a sandbox served from this process. For the re-run
that finishes the job the sandbox fails 30% of requests (all fault kinds mixed), so it is also
"`call-attribution run` against a 30% faulty sandbox publishes the marts of a fault-free run".
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psutil
import pytest

from connectors.sandbox.faults import FaultPlan
from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse.publish import publish_marts
from tests.reliability.pipeline import (END, START, cli_command, compare, landing_snapshot, marts_snapshot, run_env,
                                        sandbox, subprocess_env, total_rows)

pytestmark = pytest.mark.slow

RUN_TIMEOUT = 240  # seconds for one complete CLI run; a run waiting for a dead run's warehouse slot hits it


@dataclass
class Kill:
    killed: bool
    seconds: float
    note: str = ""


@dataclass
class CrashChain:
    home: Path
    landing_kill: Kill
    landed_at_landing_kill: int
    landing_after_rerun: dict
    dbt_kill: Kill
    marts_after_dbt_kill: bool
    rerun_error: str
    rerun_seconds: float
    marts: dict = field(default_factory=dict)
    faults: dict = field(default_factory=dict)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run_until(cmd: list[str], env: dict, stderr: Path, condition, timeout: float = RUN_TIMEOUT) -> Kill:
    """Start the CLI in its own process group; SIGKILL the whole group as soon as `condition(proc)` holds."""
    started = time.monotonic()
    with open(stderr, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)
        try:
            ps = psutil.Process(proc.pid)
            while time.monotonic() - started < timeout:
                if proc.poll() is not None:
                    return Kill(False, time.monotonic() - started, f"the run ended (exit {proc.returncode}) first")
                note = condition(ps)
                if note:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=30)
                    return Kill(True, time.monotonic() - started, note)
                time.sleep(0.02)
            return Kill(False, timeout, "timed out waiting for the moment to kill")
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


def _landed_files(home: Path) -> list[Path]:
    return sorted((home / "landing").glob("*/*/*.parquet"))


def _dbt_build_children(ps: psutil.Process) -> list[psutil.Process]:
    found = []
    for child in ps.children(recursive=True):
        try:
            cmdline = " ".join(child.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if "dbt" in cmdline and " build" in cmdline:
            found.append(child)
    return found


@pytest.fixture(scope="module")
def crash_chain(tmp_path_factory, world, baseline, homes, reliability) -> CrashChain:
    """Kill during landing, re-run and kill during the dbt build, re-run to the end."""
    home = tmp_path_factory.mktemp("crash")
    homes.append(home)
    cmd = cli_command("run", "--start", START.isoformat(), "--end", END.isoformat())
    expected_files = len(baseline.landing)
    with sandbox(world, latency=0.03) as server:  # a slow network: landing lasts seconds
        env = subprocess_env(run_env(server.url, home))

        def some_landed(ps):
            landed = len(_landed_files(home))
            return f"{landed} of {expected_files} partitions landed" if landed else ""

        landing_kill = _run_until(cmd, env, home / "cli-1.err", some_landed)
        landed_at_kill = len(_landed_files(home))
        server.latency = 0.0

        dbt_seen: dict[str, float] = {}

        def mid_build(ps):
            children = _dbt_build_children(ps)
            if not children:
                return ""
            dbt_seen.setdefault("at", time.monotonic())
            if time.monotonic() - dbt_seen["at"] >= 2.0 and all(c.is_running() for c in children):
                return "dbt build running for 2 s"
            return ""

        dbt_kill = _run_until(cmd, env, home / "cli-2.err", mid_build)
        landing_after = landing_snapshot(home)
        marts_after_dbt_kill = (home / "marts.duckdb").exists()

        server.faults = FaultPlan(0.3, None, 31)  # the re-run: 30% of requests fail, every kind
        started = time.monotonic()
        try:
            rerun = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                                   timeout=RUN_TIMEOUT)
            error = "" if rerun.returncode == 0 else f"exit {rerun.returncode}: {rerun.stderr[-1500:]}"
            (home / "cli-3.err").write_text(rerun.stderr, encoding="utf-8")
        except subprocess.TimeoutExpired:
            error = f"no result within {RUN_TIMEOUT} s"
        rerun_seconds = time.monotonic() - started
        faults = server.stats["faults"]
    reliability.timed("CLI run killed during landing", landing_kill.seconds)
    reliability.timed("CLI re-run killed during the dbt build", dbt_kill.seconds)
    reliability.timed("CLI re-run to the end after two kills, 30% faults", rerun_seconds)
    marts = marts_snapshot(home / "marts.duckdb") if not error else {}
    return CrashChain(home, landing_kill, landed_at_kill, landing_after, dbt_kill, marts_after_dbt_kill, error,
                      rerun_seconds, marts, faults)


def test_killed_during_landing_then_rerun_lands_the_same_rows(crash_chain, baseline, reliability):
    kill = crash_chain.landing_kill
    assert kill.killed, f"the run was not killed during landing: {kill.note}"
    assert 0 < crash_chain.landed_at_landing_kill < len(baseline.landing), \
        "the kill should have come in the middle of landing"
    diff = compare(baseline.landing, crash_chain.landing_after_rerun, ordered=True)
    reliability.record("crash", "SIGKILL during landing, then re-run", "1 kill",
                       "killed with some partitions landed and others not; the re-run landed every partition "
                       f"equal to the uninterrupted run ({total_rows(baseline.landing)} rows)", diff.lost)
    assert diff.equal, diff.detail


def test_killed_during_dbt_build_then_rerun_publishes_the_same_marts(crash_chain, baseline, reliability):
    kill = crash_chain.dbt_kill
    assert kill.killed, f"the run was not killed during the dbt build: {kill.note}"
    assert not crash_chain.marts_after_dbt_kill, "a build killed before publishing must not publish anything"
    assert not crash_chain.rerun_error, (f"the re-run after the kills failed or hung (does a killed run still hold "
                                         f"the warehouse pool slot? orchestration/recovery.py): "
                                         f"{crash_chain.rerun_error}")
    diff = compare(baseline.marts, crash_chain.marts)
    reliability.record("crash", "SIGKILL during the dbt build, then re-run", "1 kill",
                       f"nothing published by the killed run; the re-run published every mart equal to the "
                       f"uninterrupted run ({total_rows(baseline.marts)} rows)", diff.lost)
    faults = crash_chain.faults
    reliability.record("faults", "all kinds mixed, 30% of requests: `call-attribution run` (CLI) finishing the job "
                                 "after two kills",
                       f"{sum(faults.values())} faults ({', '.join(f'{k}: {v}' for k, v in sorted(faults.items()))})",
                       "every mart equal to the fault-free run, row for row" if diff.equal else diff.detail,
                       diff.lost)
    assert len(faults) >= 5, faults
    assert diff.equal, diff.detail


def _new_version_of(warehouse: Path, into: Path) -> Path:
    """A copy of the build warehouse whose marts differ (a marker table, half of roi_daily)."""
    copy = into / "warehouse-next.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    con = duckdb.connect(str(copy))
    try:
        con.execute("create table marts.publish_marker as select 'next' as version")
        con.execute("delete from marts.roi_daily where attribution_model <> 'last_non_direct'")
        con.execute("checkpoint")
    finally:
        con.close()
    return copy


def test_killed_mid_publish_readers_see_the_old_marts_and_a_republish_the_new(crash_chain, tmp_path, reliability):
    assert not crash_chain.rerun_error, crash_chain.rerun_error
    target = crash_chain.home / "marts.duckdb"
    old_digest, old = _digest(target), marts_snapshot(target)
    following = _new_version_of(crash_chain.home / "warehouse.duckdb", tmp_path)
    script = Path(__file__).with_name("publish_slowly.py")
    env = subprocess_env({})
    kills = []
    for moment in ("copying", "before_rename"):
        marker = tmp_path / f"{moment}.ready"
        cmd = [sys.executable, str(script), str(following), str(target), str(marker), "30"]
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, start_new_session=True)
        try:
            while time.monotonic() - started < 60 and proc.poll() is None:
                temp_files = list(target.parent.glob(f".{target.name}.tmp-*"))
                if (moment == "copying" and temp_files) or marker.exists():
                    break
                time.sleep(0.005)
            assert proc.poll() is None, "the publish ended before it could be killed"
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        kills.append(moment)
        assert _digest(target) == old_digest, f"marts.duckdb changed although the publish was killed ({moment})"
        assert marts_snapshot(target) == old

    reader = duckdb.connect(str(target), read_only=True)  # a BI tool that stays connected
    try:
        with pytest.raises(duckdb.Error):
            reader.execute("create table marts.scribble as select 1 as x")
        before = reader.execute("select count(*) from marts.roi_daily").fetchone()[0]
        published = publish_marts(following, target)  # the uninterrupted re-run of the publish
        assert reader.execute("select count(*) from marts.roi_daily").fetchone()[0] == before
    finally:
        reader.close()
    new = marts_snapshot(target)
    assert "publish_marker" in published.tables and "publish_marker" in new and new != old
    assert not list(target.parent.glob(f".{target.name}.tmp-*")), "the re-run removes what the killed one left"
    publish_marts(crash_chain.home / "warehouse.duckdb", target)
    assert marts_snapshot(target) == old
    reliability.record("crash", "SIGKILL mid-publish (while copying; just before the atomic rename)",
                       f"{len(kills)} kills",
                       "marts.duckdb stayed the old version byte for byte, readable; a connected reader kept the "
                       "old version while the re-run published the new one", 0)
