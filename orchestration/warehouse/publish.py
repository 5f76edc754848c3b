"""Publishing the marts for BI tools: copy and atomic rename (DESIGN §2).

The marts are copied from the build warehouse into a new DuckDB file beside the
published one, checkpointed and fsynced, then renamed over it. A BI tool that
keeps the old file open keeps reading the old version; one that reconnects sees
the new one; nobody ever sees a half-built table, and a crash mid-publish leaves
the previous version in place.

A daily run changes a few days of a year: the new file then starts as a copy of the
published one, and of the large marts only the days whose rows differ are replaced
(each day's rows compared by count and a sum of row hashes, both sides, so nothing
needs to know what the build changed). The small marts are copied whole.

Opened as a file called marts.duckdb, the published tables read as `marts.<table>`,
the names of DESIGN §4.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

MARTS_SCHEMA = "marts"
# BI drivers bundle their own (often older) DuckDB: write a file that DuckDB >= 1.1 can open.
STORAGE_COMPATIBILITY = "v1.1.0"


# Large marts published by day: the day of a row, as a select list item and an optional join
# (attribution_credits has no date column: its calls' dates come from fct_calls).
# The third item: the columns (per table) this needs, checked before publishing by day.
DAY_OF_ROW = {
    "fct_calls": ("t.call_date", "", {"fct_calls": {"call_date"}}),
    "roi_daily": ("t.date", "", {"roi_daily": {"date"}}),
    "attribution_credits": ("calls.call_date", "left join build.{schema}.fct_calls as calls on calls.call_id = t.call_id",
                            {"attribution_credits": {"call_id"}, "fct_calls": {"call_id", "call_date"}}),
}


@dataclass(frozen=True)
class Published:
    path: Path
    tables: dict[str, int]
    days_replaced: dict[str, int | None] = field(default_factory=dict)  # None: copied whole


def publish_marts(build_path: Path, target: Path) -> Published:
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.tmp-*"):
        stale.unlink(missing_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    tables: dict[str, int] = {}
    days_replaced: dict[str, int | None] = {}
    try:
        previous = _columns_of(target) if target.exists() else None
        if previous:
            shutil.copyfile(target, tmp)
        con = duckdb.connect(str(tmp), config={"storage_compatibility_version": STORAGE_COMPATIBILITY})
        try:
            con.execute("ATTACH ? AS build (READ_ONLY)", [str(build_path)])
            names = [
                row[0]
                for row in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_catalog = 'build' and table_schema = ? and table_type = 'BASE TABLE' order by 1",
                    [MARTS_SCHEMA],
                ).fetchall()
            ]
            if not names:
                raise RuntimeError(f"the warehouse {build_path} has no tables in schema {MARTS_SCHEMA}: build it first")
            # The file is marts.duckdb, so DuckDB names its catalog `marts`; tables in its `main`
            # schema make `select * from marts.roi_daily` work for every reader, exactly as in the
            # warehouse (a `marts` schema inside a `marts` catalog would make that name ambiguous).
            catalog = con.execute("select current_database()").fetchone()[0]
            here = f'"{catalog}".main'
            built = _columns(con, "build", MARTS_SCHEMA)
            for stale in set(previous or {}) - set(names):
                con.execute(f'drop table {here}."{stale}"')
            for name in names:
                same_shape = previous is not None and previous.get(name) == built.get(name)
                if same_shape and _has_days(built, name):
                    days_replaced[name] = _replace_changed_days(con, here, name)
                else:
                    con.execute(f'create or replace table {here}."{name}" as select * from build.{MARTS_SCHEMA}."{name}"')
                    days_replaced[name] = None
                tables[name] = con.execute(f'select count(*) from {here}."{name}"').fetchone()[0]
            con.execute("detach build")
            con.execute("checkpoint")
        finally:
            con.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    return Published(target, tables, days_replaced)


def _has_days(shapes: dict[str, list[tuple[str, str]]], name: str) -> bool:
    """Whether `name` is a large mart published by day, with the columns that tell a row's day."""
    if name not in DAY_OF_ROW:
        return False
    return all(needed <= {column for column, _ in shapes.get(table, [])} for table, needed in DAY_OF_ROW[name][2].items())


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = ? order by table_name, ordinal_position",
        [catalog, schema],
    ).fetchall()
    shapes: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        shapes.setdefault(table, []).append((column, data_type))
    return shapes


def _columns_of(published: Path) -> dict[str, list[tuple[str, str]]] | None:
    """The tables and columns of the published file, or None when it cannot be read (then it is rebuilt)."""
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            return _columns(con, con.execute("select current_database()").fetchone()[0], "main")
    except duckdb.Error:
        return None


def _replace_changed_days(con: duckdb.DuckDBPyConnection, here: str, name: str) -> int:
    """Replace, in the copy, the days of `name` whose rows differ from the build's; returns how many."""
    day, join, _ = DAY_OF_ROW[name]
    join = join.format(schema=MARTS_SCHEMA)

    def signatures(relation: str) -> str:
        return (f"select {day} as day, count(*) as row_count, sum(hash(t)) as row_hash "
                f"from {relation} as t {join} group by all")

    con.execute(f"""
        create or replace temp table changed_days as
        select coalesce(now.day, was.day) as day
        from ({signatures(f'build.{MARTS_SCHEMA}."{name}"')}) as now
        full outer join ({signatures(f'{here}."{name}"')}) as was
            on now.day is not distinct from was.day
        where now.row_count is distinct from was.row_count or now.row_hash is distinct from was.row_hash
    """)
    changed, with_null = con.execute("select count(*), count(*) - count(day) from changed_days").fetchone()
    if with_null:  # rows whose day cannot be told (a call gone from fct_calls): copy the table whole
        con.execute(f'create or replace table {here}."{name}" as select * from build.{MARTS_SCHEMA}."{name}"')
        return changed
    if changed:
        if join:
            con.execute(f'delete from {here}."{name}" as t using build.{MARTS_SCHEMA}.fct_calls as calls '
                        f'where calls.call_id = t.call_id and calls.call_date in (select day from changed_days)')
        else:
            con.execute(f'delete from {here}."{name}" as t where {day} in (select day from changed_days)')
        con.execute(f'insert into {here}."{name}" select t.* from build.{MARTS_SCHEMA}."{name}" as t {join} '
                    f'where {day} in (select day from changed_days)')
    return changed
