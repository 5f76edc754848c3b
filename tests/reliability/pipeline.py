"""Helpers of the reliability tests: one tiny world, recognisable secrets, fast retry settings,
pipeline runs (in-process and as a CLI subprocess), and row-for-row snapshots of landing and marts."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from connectors.sandbox import SandboxCredentials, SandboxServer, World, sandbox_env
from orchestration.settings import PROJECT_ROOT
from tests.support import environment

# The world every fault, crash, idempotency and input test runs: 4 days, small enough for CI, with the
# sandbox's hostile corpus added to every day, in a zone whose daylight-saving change (2026-10-25)
# falls inside the window.
SEED = 7
SCALE = 0.25
END = date(2026, 10, 26)
DAYS = 3
START = END - timedelta(days=DAYS - 1)
TIMEZONE = "Europe/Berlin"

# Recognisable secrets: tests prove none of them is written anywhere.
SECRETS = SandboxCredentials(
    calltouch_token="ct-SECRET-4f1d9a7c2e5b",
    direct_token="dir-SECRET-8b3e61d0f5a4",
    metrika_token="ym-SECRET-2c7a94e1b8d3",
    amocrm_token="amo-SECRET-6e0d3b9f4a71",
    pii_salt="salt-SECRET-9d2f7c5a1e08",
)
SECRET_VALUES = (SECRETS.calltouch_token, SECRETS.direct_token, SECRETS.metrika_token, SECRETS.amocrm_token,
                 SECRETS.pii_salt)

# Retry settings that make a fault cost milliseconds (a slow answer: the 1 s read timeout).
READ_TIMEOUT = 1.0
MAX_SECONDS = 20.0
FAST_ENV = {
    "ATTRIBUTION_HTTP_TIMEOUT": str(READ_TIMEOUT),
    "ATTRIBUTION_HTTP_MAX_ATTEMPTS": "8",
    "ATTRIBUTION_HTTP_MAX_SECONDS": str(MAX_SECONDS),
    "ATTRIBUTION_HTTP_BACKOFF_MAX": "0.05",
    "ATTRIBUTION_HTTP_MAX_WAIT_HINT": "0.05",
}
SLOW_SECONDS = 1.6  # a "slow" fault answers after this: past the read timeout

STREAMS = ("calltouch/calls", "yandex_direct/campaign_stats", "yandex_metrika/visits", "amocrm/leads",
           "amocrm/contacts")
_HOST = re.compile(r"http://127\.0\.0\.1:\d+")


def make_world(end: date = END, days: int = DAYS, *, hostile: bool = True, timezone: str = TIMEZONE) -> World:
    world = World(seed=SEED, end_date=end, days=days, scale=SCALE, timezone=timezone, hostile=hostile)
    world.ground_truth()  # every day generated before serving: no first request pays for it
    return world


def sandbox(world: World, credentials: SandboxCredentials = SECRETS, **kwargs) -> SandboxServer:
    kwargs.setdefault("slow_seconds", SLOW_SECONDS)
    return SandboxServer(world, port=0, credentials=credentials, **kwargs)


def run_env(server_url: str, home: Path, *, timezone: str = TIMEZONE, credentials: SandboxCredentials = SECRETS,
            **extra: str) -> dict[str, str]:
    env = sandbox_env(server_url, credentials, timezone)
    env.update(FAST_ENV)
    env["ATTRIBUTION_HOME"] = str(home)
    env.update(extra)
    return env


def run_pipeline(home: Path, server_url: str, start: date = START, end: date = END, *, build: bool = True,
                 sources: list[str] | None = None, timezone: str = TIMEZONE, **extra_env: str):
    """One `call-attribution run` in this process (a Dagster run), against the sandbox at `server_url`."""
    from orchestration.runner import run_range

    with environment(run_env(server_url, home, timezone=timezone, **extra_env), unset=("DAGSTER_HOME",)):
        return run_range(start, end, sources=sources, build=build)


def cli_command(*args: str) -> list[str]:
    """`call-attribution <args>` as a subprocess of this interpreter (the project's own code)."""
    return [sys.executable, "-m", "orchestration.cli", *args]


def subprocess_env(env: dict[str, str]) -> dict[str, str]:
    full = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    full.update(env)
    full["PYTHONPATH"] = str(PROJECT_ROOT)
    full.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return full


def copy_home(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".run.lock"))
    return target


# ---- snapshots ----------------------------------------------------------------------------------
def _neutral(value):
    if isinstance(value, str):
        return _HOST.sub("http://sandbox", value)
    if isinstance(value, float):
        return round(value, 9)  # doubles summed in another order may differ in the last bits
    if isinstance(value, list):
        return tuple(_neutral(v) for v in value)
    return value


def landing_snapshot(home: Path, days: list[date] | None = None) -> dict[str, list[tuple]]:
    """Every landed row per `source/stream/day`, in file order, without `_landed_at`, sandbox host masked."""
    out: dict[str, list[tuple]] = {}
    root = home / "landing"
    for path in sorted(root.glob("*/*/*.parquet")):
        day = date.fromisoformat(path.stem)
        if days is not None and day not in days:
            continue
        table = pq.read_table(path).drop(["_landed_at"])
        out[f"{path.parent.parent.name}/{path.parent.name}/{day}"] = [
            tuple(_neutral(v) for v in row.values()) for row in table.to_pylist()]
    return out


def marts_snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every published mart, all rows sorted, sandbox host masked, doubles to 9 decimals."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' order by 1").fetchall()]
        return {t: sorted((tuple(_neutral(v) for v in row) for row in con.execute(f'select * from "{t}"').fetchall()),
                          key=repr)
                for t in tables}
    finally:
        con.close()


@dataclass
class Difference:
    lost: int  # rows of the reference missing from the result (with multiplicity)
    extra: int  # rows of the result not in the reference
    detail: str

    @property
    def equal(self) -> bool:
        return self.lost == 0 and self.extra == 0


def compare(reference: dict[str, list[tuple]], got: dict[str, list[tuple]], *, ordered: bool = False) -> Difference:
    """Row-for-row comparison of two snapshots (ordered: also the row order within each key)."""
    lost = extra = 0
    notes = []
    for key in sorted(set(reference) | set(got)):
        ref, res = reference.get(key, []), got.get(key, [])
        if ref == res:
            continue
        missing, added = Counter(ref) - Counter(res), Counter(res) - Counter(ref)
        lost += sum(missing.values())
        extra += sum(added.values())
        if not missing and not added and ordered:
            notes.append(f"{key}: same rows in another order")
            extra += 1
        elif missing or added:
            sample = (next(iter(missing), None), next(iter(added), None))
            notes.append(f"{key}: {sum(missing.values())} rows lost, {sum(added.values())} extra; e.g. "
                         f"lost {sample[0]!r} / extra {sample[1]!r}")
    return Difference(lost, extra, "\n".join(notes[:8]))


def total_rows(snapshot: dict[str, list[tuple]]) -> int:
    return sum(len(rows) for rows in snapshot.values())
