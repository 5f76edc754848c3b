"""Publishing swaps the BI file atomically: open readers keep the old version, new ones see the new."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.warehouse.publish import publish_marts


def _build(path, revenue: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create schema if not exists staging")
    con.execute(f"create or replace table marts.roi_daily as select 'brand' as campaign, {revenue}::decimal(18,2) as revenue")
    con.execute("create or replace table staging.secret_stuff as select 1 as x")
    con.close()


def test_a_reader_holding_the_published_file_keeps_reading_while_a_new_version_is_published(tmp_path):
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build(build, 100)
    publish_marts(build, target)
    reader = duckdb.connect(str(target), read_only=True)
    assert reader.execute("select revenue from marts.roi_daily").fetchone()[0] == 100

    _build(build, 250)
    result = publish_marts(build, target)  # the reader is still connected

    assert result.tables == {"roi_daily": 1}
    assert reader.execute("select revenue from marts.roi_daily").fetchone()[0] == 100  # old version, whole
    reader.close()
    fresh = duckdb.connect(str(target), read_only=True)
    assert fresh.execute("select revenue from marts.roi_daily").fetchone()[0] == 250
    tables = fresh.execute("select table_name from information_schema.tables").fetchall()
    assert tables == [("roi_daily",)]  # only the marts are published
    fresh.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["marts.duckdb", "warehouse.duckdb"]


def test_publishing_an_unbuilt_warehouse_fails_and_keeps_the_previous_version(tmp_path):
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build(build, 100)
    publish_marts(build, target)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="build it first"):
        publish_marts(empty, target)
    con = duckdb.connect(str(target), read_only=True)
    assert con.execute("select revenue from marts.roi_daily").fetchone()[0] == 100
    con.close()
    assert not list(tmp_path.glob(".marts.duckdb.tmp-*"))
