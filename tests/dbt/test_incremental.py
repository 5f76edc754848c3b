"""Incremental daily runs give the same marts as a full rebuild.

A small generated world (benchmarks/world.py): the warehouse is built on the first days, then one
day at a time is landed and built with the run's window, as the daily schedule does (the window
in the environment, as orchestration passes it); then an older day is re-landed with a late call
(which changes the uniqueness of a later call) and without a call the vendor no longer serves, a
deal linked to an old call closes late, and a visit landed late weeks ago is landed again, changed
(the new copy wins, the old one becomes a duplicate), a campaign is renamed (its latest name goes on every row), and a deal's newer version
is landed, then its day landed again without it (the older version is kept again), a deal without a
call is won, then deleted, while another is won (roi_daily's '(no call)' rows of weeks before), the last day
is landed again without a call of two days before that it alone held (dropped downstream too), and
the marts lack an older day (as after a build that failed once the intermediate models had it) and the
sessions counted lack an early day, then their first day. The first
daily run starts from credits built without call_date, base tables that keep the texts read from
the landed payload and a data_quality without the state it is recounted from, as versions before it
built them. Every
landed row's quarantine verdict and every mart must equal, row for row, a full rebuild on the same
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
from orchestration.landing.schemas import (AMOCRM_LEADS, CALLTOUCH_CALLS, YANDEX_DIRECT_CAMPAIGN_STATS,
                                           YANDEX_METRIKA_VISITS)
from orchestration.landing.writer import partition_path, write_partition
from orchestration.warehouse.publish import DAY_OF_ROW, _signatures_sql

pytestmark = pytest.mark.slow

END = date(2026, 10, 31)
DAYS = 40
MARTS = ("fct_calls", "attribution_credits", "roi_daily", "operator_performance", "call_review_queue", "data_quality")
VARS = {"as_of_date": "2026-11-01"}
BUILD = ("build", "--resource-type", "seed", "--resource-type", "model")  # no tests: other suites run them


def _window(day: date) -> dict[str, str]:
    """The run window as orchestration passes it: in the environment, not as dbt vars."""
    return {"ATTRIBUTION_RUN_START_DATE": day.isoformat(), "ATTRIBUTION_RUN_END_DATE": day.isoformat()}


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


def _stray_call(landing: Path, own_day: date, landed_day: date) -> str:
    """Land on ``landed_day`` only a call of ``own_day`` (one the vendor served a day late)."""
    call = pq.read_table(partition_path(landing, CALLTOUCH_CALLS, own_day)).slice(0, 1).to_pylist()[0]
    call.update(call_id="999000002", _partition_date=landed_day)
    _append(landing, CALLTOUCH_CALLS, landed_day, [call])
    return call["call_id"]


def _append(landing: Path, stream, day: date, rows: list[dict]) -> None:
    original = pq.read_table(partition_path(landing, stream, day))
    write_partition(landing, stream, day, pa.concat_tables([original, pa.Table.from_pylist(rows, schema=stream.schema)]))


def _late_visit(landing: Path, own_day: date, landed_day: date, campaign: str) -> str:
    """Land on ``landed_day`` a visit of ``own_day`` (a late visit), tagged with ``campaign``."""
    visit = pq.read_table(partition_path(landing, YANDEX_METRIKA_VISITS, own_day)).slice(0, 1).to_pylist()[0]
    visit.update(visit_id="777000000000000001", utm_source="late", utm_medium="cpc", utm_campaign=campaign,
                 direct_campaign_id=None, traffic_source="ad", _partition_date=landed_day)
    _append(landing, YANDEX_METRIKA_VISITS, landed_day, [visit])
    return visit["visit_id"]


def _late_won_deal(landing: Path, warehouse: Path, landed_day: date) -> str:
    """Land again, on ``landed_day``, a deal already linked to a call, now won."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        deal_id, = con.execute("select deal_id from marts.fct_calls where deal_id is not null "
                               "and deal_status <> 'won' order by call_date, deal_id limit 1").fetchone()
    for path in sorted((landing / "amocrm" / "leads").glob("*.parquet")):
        leads = pq.read_table(path)
        found = leads.filter(pc.equal(leads["lead_id"], deal_id)).to_pylist()
        if found:
            lead = found[-1]
            break
    lead.update(status_id=142, price=lead["price"] or 1000, _partition_date=landed_day,
                updated_at=lead["updated_at"].replace(year=landed_day.year, month=landed_day.month, day=landed_day.day),
                closed_at=lead["updated_at"].replace(year=landed_day.year, month=landed_day.month, day=landed_day.day))
    _append(landing, AMOCRM_LEADS, landed_day, [lead])
    return deal_id


def _new_deal_version(landing: Path, landed_day: date) -> tuple[str, int]:
    """Land on ``landed_day`` a newer version of a deal landed ten days before it, lost; returns the deal and
    the status it had."""
    earlier = pq.read_table(partition_path(landing, AMOCRM_LEADS, landed_day - timedelta(days=10)))
    lead = earlier.filter(pc.is_valid(earlier["created_at"])).slice(0, 1).to_pylist()[0]
    status = lead["status_id"]
    moved = lead["updated_at"].replace(year=landed_day.year, month=landed_day.month, day=landed_day.day)
    lead.update(status_id=143, _partition_date=landed_day, updated_at=moved, closed_at=moved)
    _append(landing, AMOCRM_LEADS, landed_day, [lead])
    return lead["lead_id"], status


def _deal_without_call(landing: Path, deal_id: str, created_day: date, landed_day: date, updated_day: date | None = None,
                       **changes) -> None:
    """Land on ``landed_day`` a version of deal ``deal_id`` created on ``created_day`` and updated on ``updated_day``
    (default: the day it lands), with no contact (so no call) and ``changes``: a copy of the first deal landed
    that day, under the new id."""
    lead = pq.read_table(partition_path(landing, AMOCRM_LEADS, landed_day)).slice(0, 1).to_pylist()[0]
    at = lead["updated_at"]
    updated_day = updated_day or landed_day
    lead.update({"lead_id": deal_id, "contact_ids": [], "main_contact_id": None, "is_deleted": False,
                 "_partition_date": landed_day,
                 "created_at": at.replace(year=created_day.year, month=created_day.month, day=created_day.day),
                 "updated_at": at.replace(year=updated_day.year, month=updated_day.month, day=updated_day.day),
                 **changes})
    _append(landing, AMOCRM_LEADS, landed_day, [lead])


def _won_without_call(warehouse: Path, day: date) -> tuple:
    """roi_daily's won deals without a call on ``day`` (one model)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select deals_won, revenue from marts.roi_daily where date = ? and utm_source = '(no call)' "
                           "and attribution_model = 'linear'", [day]).fetchone()


def _drop(landing: Path, stream, day: date, column: str, value: str) -> None:
    """Land ``day`` again without the rows whose ``column`` is ``value`` (the vendor no longer serves them)."""
    table = pq.read_table(partition_path(landing, stream, day))
    write_partition(landing, stream, day, table.filter(pc.invert(pc.equal(table[column], value))))


def _rename_campaign(landing: Path, day: date, name: str) -> str:
    """The day's Direct stats call one campaign by a new name (every older row reports the latest name)."""
    path = partition_path(landing, YANDEX_DIRECT_CAMPAIGN_STATS, day)
    stats = pq.read_table(path)
    campaign_id = stats["campaign_id"][0].as_py()
    names = pc.if_else(pc.equal(stats["campaign_id"], campaign_id), name, stats["campaign_name"])
    stats = stats.set_column(stats.schema.get_field_index("campaign_name"), "campaign_name", names)
    write_partition(landing, YANDEX_DIRECT_CAMPAIGN_STATS, day, stats)
    return campaign_id


def _sessions(warehouse: Path, day: date) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select * from intermediate.int_sessions_counted where visit_date = ? order by all",
                           [day]).fetchall()


def _forget_sessions(warehouse: Path, day: date) -> list[tuple]:
    """int_sessions_counted without `day`, as after a build that failed before it rebuilt that day;
    returns the rows it had."""
    rows = _sessions(warehouse, day)
    assert rows
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from intermediate.int_sessions_counted where visit_date = ?", [day])
    return rows


def _rounded(value):
    # doubles summed in another order differ in the last bits; 10 significant digits is exact enough
    return float(f"{value:.10g}") if isinstance(value, float) else value


def _marts(warehouse: Path) -> dict[str, list[tuple]]:
    """The marts' rows, and the sessions counted (the only input of roi_daily's sessions)."""
    tables = [f"marts.{name}" for name in MARTS] + ["intermediate.int_sessions_counted"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table.split(".")[1]: sorted((tuple(_rounded(v) for v in row) for row in con.execute(f"select * from {table}").fetchall()),
                                        key=repr)
            for table in tables
        }


BASE_TABLES = ("base_calltouch__calls", "base_yandex_metrika__visits", "base_yandex_direct__campaign_stats",
               "base_amocrm__leads", "base_amocrm__contacts")


def _quarantine(warehouse: Path) -> dict[str, list[tuple]]:
    """Each landed row's verdict, by where it landed: the base tables' ranking of copies and versions."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {name: con.execute(f"select _partition_date, _file_row, _quarantine_reason from staging.{name} "
                                  "order by all").fetchall()
                for name in BASE_TABLES}


def _kept_signatures(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouse}' as build (read_only)")
        return {name: sorted(con.execute(f"select day, part, row_count, row_hash from "
                                         f"build.intermediate.mart_state__{name}__signatures").fetchall())
                for name in DAY_OF_ROW}


def _fresh_signatures(warehouse: Path) -> dict[str, list[tuple]]:
    """What publishing computes when it hashes a mart itself."""
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouse}' as build (read_only)")
        return {name: sorted(con.execute(_signatures_sql(name, f"build.marts.{name}")).fetchall()) for name in DAY_OF_ROW}


def test_daily_incremental_runs_equal_a_full_rebuild(tmp_path):
    world = _world()
    days = world.window()
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    world.generate(incremental / "landing", days=days[:-10])
    _late_visit(incremental / "landing", days[3], days[4], campaign="first-copy")
    dbt(incremental, *BUILD, vars=VARS)
    with duckdb.connect(str(incremental / "warehouse.duckdb")) as con:  # the credits as earlier versions built them
        con.execute("alter table marts.attribution_credits drop column call_date")
        con.execute("create table intermediate.mart_state__attribution_credits__calls as "
                    "select call_date, call_id from marts.fct_calls")
        con.execute("drop table intermediate.mart_state__data_quality__built_at")  # data_quality rebuilt whole
        for table, columns in (("base_yandex_metrika__visits", ("_payload", "_malformed", "_raw_date_time")),
                               ("base_calltouch__calls", ("_malformed", "_raw_date"))):  # and the base tables
            for column in columns:
                con.execute(f"alter table staging.{table} add column {column} varchar")

    # a land-only backfill of 8 days, then two daily runs: the first must build the backfill too (and
    # every credit again, with call_date: docs/migrations.md)
    world.generate(incremental / "landing", days=days[-10:-2])
    for day in days[-2:]:
        world.generate(incremental / "landing", days=[day])
        if day == days[-2]:
            dropped_deal, status = _new_deal_version(incremental / "landing", day)
            # a deal without a call is won: roi_daily reports it on its creation date, weeks back
            deleted, deleted_on = "999000101", days[1]
            _deal_without_call(incremental / "landing", deleted, deleted_on, day, status_id=142, price=700)
        if day == days[-1]:
            _late_visit(incremental / "landing", days[3], day, campaign="second-copy")
            won = _late_won_deal(incremental / "landing", incremental / "warehouse.duckdb", day)
            renamed = _rename_campaign(incremental / "landing", day, "Renamed campaign")
            stray = _stray_call(incremental / "landing", days[-3], day)
            # another deal without a call is won
            won_alone, won_on = "999000102", days[6]
            _deal_without_call(incremental / "landing", won_alone, won_on, day, status_id=142, price=900)
        dbt(incremental, *BUILD, vars=VARS, env=_window(day))
        if day == days[-2]:
            reported = _won_without_call(incremental / "warehouse.duckdb", deleted_on)
            assert reported is not None and reported[0] >= 1, reported

    # an older day re-landed with a late call that makes a call five days later a repeat, and without a
    # call the vendor no longer serves (its credits go with it); and the day the deal's newer version
    # landed on is re-landed without it: the older one is kept again
    late_day = days[-8]
    _late_call(incremental / "landing", late_day, late_day + timedelta(days=5))
    gone_call = pq.read_table(partition_path(incremental / "landing", CALLTOUCH_CALLS, late_day))["call_id"][0].as_py()
    _drop(incremental / "landing", CALLTOUCH_CALLS, late_day, "call_id", gone_call)
    _drop(incremental / "landing", AMOCRM_LEADS, days[-2], "lead_id", dropped_deal)
    # and the older day brings the deletion of the deal won without a call: its report, weeks before any
    # window, goes (this run's windows reach back to the late call, not to that deal's creation date)
    _deal_without_call(incremental / "landing", deleted, deleted_on, late_day, updated_day=days[-1], status_id=142,
                       price=700, is_deleted=True)
    # and the marts lack a day older than that run's window, as after a build that failed once the
    # intermediate models had it: the credits with their signatures (found missing from those), and
    # fct_calls without (its signatures no longer account for it: found missing from the mart)
    missing = days[-12]
    with duckdb.connect(str(incremental / "warehouse.duckdb")) as con:
        for table in ("marts.attribution_credits", "intermediate.mart_state__attribution_credits__signatures"):
            day = "call_date" if table.startswith("marts") else "day"
            assert con.execute(f"delete from {table} where {day} = ?", [missing]).fetchone()[0] > 0, table
        con.execute("delete from marts.fct_calls where call_date = ?", [missing])
    # and the sessions counted lack their third day: a hole, found from the visits of that day only
    # (before the day of the late visit, from which a run that reads its landed day again rebuilds)
    hole = _forget_sessions(incremental / "warehouse.duckdb", days[2])
    dbt(incremental, *BUILD, vars=VARS, env=_window(late_day))
    assert _sessions(incremental / "warehouse.duckdb", days[2]) == hole
    # the deleted deal's 700 left that date's report (other deals without a call of that date stay)
    left = None if reported == (1, 700) else (reported[0] - 1, reported[1] - 700)
    assert _won_without_call(incremental / "warehouse.duckdb", deleted_on) == left
    # the last day landed again without the call of two days before that it alone held: the run's
    # window (that day) must reach back to the day of the row it no longer has
    with duckdb.connect(str(incremental / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_calls where call_id = ?", [f"calltouch:{stray}"]).fetchone() == (1,)
    _drop(incremental / "landing", CALLTOUCH_CALLS, days[-1], "call_id", stray)
    _forget_sessions(incremental / "warehouse.duckdb", days[0])  # before the first day the model has
    dbt(incremental, *BUILD, vars=VARS, env=_window(days[-1]))

    shutil.copytree(incremental / "landing", full / "landing")
    dbt(full, *BUILD, vars=VARS)

    with duckdb.connect(str(incremental / "warehouse.duckdb"), read_only=True) as con:
        assert not con.execute("select * from information_schema.tables where table_name like "
                               "'mart_state__attribution_credits__call%'").fetchall()
        assert not con.execute("select table_name, column_name from information_schema.columns where "
                               "column_name in ('_payload', '_malformed') or column_name like '\\_raw\\_%' escape '\\'").fetchall()
    got, want = _quarantine(incremental / "warehouse.duckdb"), _quarantine(full / "warehouse.duckdb")
    for name in BASE_TABLES:
        assert got[name] == want[name], name
    got, want = _marts(incremental / "warehouse.duckdb"), _marts(full / "warehouse.duckdb")
    assert got["int_sessions_counted"] == want["int_sessions_counted"]
    for name in MARTS:
        assert len(got[name]) == len(want[name]), name
        assert got[name] == want[name], name
    for home in (incremental, full):  # the signatures each mart keeps for publishing describe it row for row
        assert _kept_signatures(home / "warehouse.duckdb") == _fresh_signatures(home / "warehouse.duckdb")
    late = [row for row in want["fct_calls"] if row[0] == "calltouch:999000001"]
    assert late, "the late call reached the marts"
    assert not [row for row in want["fct_calls"] if row[0] == f"calltouch:{gone_call}"]
    with duckdb.connect(str(full / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select deal_status from marts.fct_calls where deal_id = ?", [won]).fetchone() == ("won",)
        assert con.execute("select status_id from staging.stg_amocrm__leads where deal_id = ?",
                           [dropped_deal]).fetchone() == (status,)
        assert con.execute("select count(*) from intermediate.int_deals_linked where deal_id = ?", [deleted]).fetchone() == (0,)
        assert con.execute("select is_linked, revenue from intermediate.int_deals_linked where deal_id = ?",
                           [won_alone]).fetchone() == (False, 900)
        assert _won_without_call(full / "warehouse.duckdb", won_on)[0] >= 1
        assert con.execute("select sum(sessions) from marts.roi_daily where utm_campaign = 'second-copy' "
                           "and attribution_model = 'linear'").fetchone() == (1,)
        assert con.execute("select count(*) from marts.roi_daily where utm_campaign = 'first-copy'").fetchone() == (0,)
        assert con.execute("select distinct campaign_name from marts.roi_daily where campaign_id = ?",
                           [renamed]).fetchall() == [("Renamed campaign",)]
