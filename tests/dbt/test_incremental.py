"""Incremental daily runs give the same marts as a full rebuild.

A small generated world (benchmarks/world.py): the warehouse is built on the first days, then one
day at a time is landed and built with the run's window (vars start_date / end_date), as the daily
schedule does; then an older day is re-landed with a late call (which changes the uniqueness of a
later call) and a deal closes late. Every mart must equal, row for row, a full rebuild on the same
landing zone.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from benchmarks.dbt_runner import dbt
from benchmarks.world import Scale, ScaleWorld
from orchestration.landing.schemas import CALLTOUCH_CALLS
from orchestration.landing.writer import partition_path, write_partition

pytestmark = pytest.mark.slow

END = date(2026, 10, 31)
DAYS = 40
MARTS = ("fct_calls", "attribution_credits", "roi_daily", "operator_performance", "call_review_queue", "data_quality")
VARS = {"as_of_date": "2026-11-01"}
BUILD = ("build", "--resource-type", "seed", "--resource-type", "model")  # no tests: other suites run them


def _world() -> ScaleWorld:
    return ScaleWorld(end_date=END, days=DAYS, scale=Scale.fraction(0.002, min_campaigns=12), seed=5)


def _late_call(landing: Path, late_day: date, later_day: date) -> None:
    """Re-land ``late_day`` with one more call: the caller of a call on ``later_day``, an hour before it."""
    later = pq.read_table(partition_path(landing, CALLTOUCH_CALLS, later_day))
    row = later.filter(pc.is_valid(later["caller_hash"])).slice(0, 1).to_pylist()[0]
    row["call_id"] = "999000001"
    row["started_at_local"] = row["started_at_local"].replace(
        year=late_day.year, month=late_day.month, day=late_day.day)
    row["_partition_date"] = late_day
    original = pq.read_table(partition_path(landing, CALLTOUCH_CALLS, late_day))
    table = pa.concat_tables([original, pa.Table.from_pylist([row], schema=CALLTOUCH_CALLS.schema)])
    write_partition(landing, CALLTOUCH_CALLS, late_day, table)


def _rounded(value):
    # doubles summed in another order differ in the last bits; 10 significant digits is exact enough
    return float(f"{value:.10g}") if isinstance(value, float) else value


def _marts(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            name: sorted((tuple(_rounded(v) for v in row) for row in con.execute(f"select * from marts.{name}").fetchall()),
                         key=repr)
            for name in MARTS
        }


def test_daily_incremental_runs_equal_a_full_rebuild(tmp_path):
    world = _world()
    days = world.window()
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    world.generate(incremental / "landing", days=days[:-10])
    dbt(incremental, *BUILD, vars=VARS)

    # a land-only backfill of 8 days, then two daily runs: the first must build the backfill too
    world.generate(incremental / "landing", days=days[-10:-2])
    for day in days[-2:]:
        world.generate(incremental / "landing", days=[day])
        dbt(incremental, *BUILD, vars={**VARS, "start_date": day.isoformat(), "end_date": day.isoformat()})

    # an older day re-landed with a late call that makes a call five days later a repeat
    late_day = days[-8]
    _late_call(incremental / "landing", late_day, late_day + timedelta(days=5))
    dbt(incremental, *BUILD, vars={**VARS, "start_date": late_day.isoformat(), "end_date": late_day.isoformat()})

    shutil.copytree(incremental / "landing", full / "landing")
    dbt(full, *BUILD, vars=VARS)

    got, want = _marts(incremental / "warehouse.duckdb"), _marts(full / "warehouse.duckdb")
    for name in MARTS:
        assert len(got[name]) == len(want[name]), name
        assert got[name] == want[name], name
    late = [row for row in want["fct_calls"] if row[0] == "calltouch:999000001"]
    assert late, "the late call reached the marts"
