"""Publishing the marts for BI tools: a new file and atomic rename (DESIGN §2).

The marts are written from the build warehouse into a DuckDB file beside the published
one, checkpointed and fsynced, then renamed over it. A BI tool that
keeps the old file open keeps reading the old version; one that reconnects sees
the new one; nobody ever sees a half-built table, and a crash mid-publish leaves
the previous version in place.

A daily run changes a few days of a year: the new file then starts as an earlier version (the
spare, below, or a copy of the published file), and of the marts with a day (DAY_OF_ROW: fct_calls, attribution_credits, the
review queue and roi_daily) only the rows that differ are rewritten: each day's rows, in
PARTS_PER_DAY parts by a hash of the row's call, are compared by count and a sum of row hashes,
then the rows of the parts that differ by their hashes. The small marts are copied whole.

Neither side is hashed whole at every publish. The published side's signatures are kept beside the
file (.marts.duckdb.days-<size>-<mtime>.parquet, named after the exact version of the file they
describe); when none names the current file (a crash between the rename and writing them, a file
replaced by hand) the published file is hashed instead. The build keeps its own, updated by each
mart's post_hook for the parts it rebuilt (intermediate.mart_state__<mart>__signatures,
dbt_project/macros/signatures.sql); they are read when they account for every row of the mart,
else the build's mart is hashed.

The copy costs the file's size in writes at every publish (450 MB for a year of a large
advertiser: a third of a second to copy and as much to fsync). So the version the rename replaces is
kept beside it as a hard link, the spare (.marts.duckdb.spare), and the next publish moves the spare
aside and brings it up to date instead of copying the published file: only the rows that differ from
the build are written, those of the last two runs. A reader still holding that version holds DuckDB's
read lock on it (a read-only connection does), so opening it to write fails and the publish copies
the published file as before, leaving the reader its version whole (POSIX locks are per process: a
reader inside the publishing process would not keep it out, and the pipeline keeps none open across
publishes). A spare without signatures (a crash before they were written) is not used either:
hashing it would cost more than the copy.

Replaced rows leave free blocks in the file, which DuckDB reuses but never returns: once they
pass a quarter of it, the next publish writes the file anew from the build instead of copying it.

Opened as a file called marts.duckdb, the published tables read as `marts.<table>`,
the names of DESIGN §4.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import duckdb

MARTS_SCHEMA = "marts"
# BI drivers bundle their own (often older) DuckDB: write a file that DuckDB >= 1.1 can open.
STORAGE_COMPATIBILITY = "v1.1.0"
# A published file whose free space passes this share of it (and this size) is written anew instead
# of copied: one whole copy of the marts, then daily publishes copy a compact file again.
MAX_FREE_SHARE = 0.25
MIN_FREE_BYTES = 64 << 20


# A day of a mart is compared in parts, by a hash of each row's call: a late deal changes a row or
# two of a day of 40 k credit rows, and only its part (1/128 of the day) is then read row by row.
PARTS_PER_DAY = 128
# Where the build keeps each mart's signatures (mart_state__<mart>__signatures, macros/signatures.sql).
STATE_SCHEMA = "intermediate"


def _part_of(call_id: str) -> str:
    return f"hash({call_id}) % {PARTS_PER_DAY}"


class DayOfRow(NamedTuple):
    """How a large mart published by day tells each row's day and part (`t` is the mart)."""

    day: str  # the day, as a select list item
    part: str  # the part of the day, as a select list item
    rows_in_changed_parts: str  # select of the rowids of {relation}'s rows whose (day, part) is in temp table changed_parts
    needs: set[str]  # the columns all this reads, checked before publishing by day


def _own_day(column: str, call_id: str | None) -> DayOfRow:
    """A mart whose rows carry their day in `column` (and their call in `call_id`: none, one part a day)."""
    part = _part_of(f"t.{call_id}") if call_id else "0"
    # the changed days first: hashing a year of call ids to find the changed parts of a few days took twice as long
    return DayOfRow(f"t.{column}", part,
                    f"select t.rowid from {{relation}} as t semi join changed_parts as c on c.day = t.{column} "
                    f"and c.part = {part} where t.{column} in (select day from changed_parts)",
                    {column, *([call_id] if call_id else [])})


DAY_OF_ROW = {
    "fct_calls": _own_day("call_date", "call_id"),
    "attribution_credits": _own_day("call_date", "call_id"),  # call_date: the last column, added after DESIGN §4
    "call_review_queue": _own_day("call_date", "call_id"),
    "roi_daily": _own_day("date", None),
}


@dataclass(frozen=True)
class Published:
    path: Path
    tables: dict[str, int]
    days_replaced: dict[str, int | None] = field(default_factory=dict)  # days with rows replaced; None: copied whole
    rows_written: dict[str, int] = field(default_factory=dict)  # rows inserted into each mart
    signatures_reused: tuple[str, ...] = ()  # marts whose published side was not hashed again
    rows_compared: dict[str, int] = field(default_factory=dict)  # published rows of changed parts read row by row
    build_signatures_kept: tuple[str, ...] = ()  # marts whose build side was signed by the build itself
    started_from: str = "anew"  # what the new file started as: "spare", "copy" (of the published file) or "anew"


def publish_marts(build_path: Path, target: Path) -> Published:
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.tmp-*"):
        stale.unlink(missing_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    spare = spare_path(target)
    signatures = target.parent / f"{tmp.name}.days"  # written beside the new file, renamed after it
    tables: dict[str, int] = {}
    days_replaced: dict[str, int | None] = {}
    rows_written: dict[str, int] = {}
    reused: list[str] = []
    compared: dict[str, int] = {}
    kept_by_build: list[str] = []
    try:
        con, previous, stored, started_from = _start(target, spare, tmp)
        try:
            # no progress bar: a whole copy takes seconds, and the bar would be drawn into the run's output
            con.execute("set enable_progress_bar = false")
            con.execute("ATTACH ? AS build (READ_ONLY)", [str(build_path)])
            # The file is marts.duckdb, so DuckDB names its catalog `marts`; tables in its `main`
            # schema make `select * from marts.roi_daily` work for every reader, exactly as in the
            # warehouse (a `marts` schema inside a `marts` catalog would make that name ambiguous).
            catalog = con.execute("select current_database()").fetchone()[0]
            here = f'"{catalog}".main'
            stored_marts = _load_signatures(con, stored) if stored is not None and stored.exists() else set()
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
            built = _columns(con, "build", MARTS_SCHEMA)
            for stale in set(previous or {}) - set(names):
                con.execute(f'drop table {here}."{stale}"')
            for name in names:
                same_shape = previous is not None and previous.get(name) == built.get(name)
                if same_shape and _has_days(built, name):
                    days_replaced[name], rows_written[name], compared[name] = _replace_changed_days(
                        con, here, name, name in stored_marts, kept_by_build)
                    if name in stored_marts:
                        reused.append(name)
                else:
                    if previous is not None and name in previous and not same_shape:
                        _drop_for_reuse(con, here, name)  # a new shape (an upgrade): not a second copy's blocks
                    con.execute(f'create or replace table {here}."{name}" as select * from build.{MARTS_SCHEMA}."{name}"')
                    days_replaced[name] = None
                    if _has_days(built, name):  # so that the next publish hashes only the build
                        _build_signatures(con, name, kept_by_build)
                tables[name] = con.execute(f'select count(*) from {here}."{name}"').fetchone()[0]
                rows_written.setdefault(name, tables[name])
            _write_signatures(con, [name for name in names if _has_days(built, name)], signatures)
            con.execute("detach build")
            con.execute("checkpoint")
        finally:
            con.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        version = _identity(tmp)  # the rename keeps it
        replaced = _keep_as_spare(target, spare)
        os.replace(tmp, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        for old in kept_signatures(target):
            if replaced is None or old != _signatures_path(target, replaced):  # the spare's are kept
                old.unlink(missing_ok=True)
        if signatures.exists():
            os.replace(signatures, _signatures_path(target, version))
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        signatures.unlink(missing_ok=True)
    return Published(target, tables, days_replaced, rows_written, tuple(reused), compared, tuple(kept_by_build),
                     started_from)


def _start(target: Path, spare: Path, tmp: Path) -> tuple[duckdb.DuckDBPyConnection, dict | None, Path | None, str]:
    """Open `tmp`, the new file: the spare moved there, else a copy of the published file, else an empty
    file. Returns the connection, the tables and columns it starts with (None: empty), the signatures
    that describe it (None: none) and which it is (Published.started_from)."""
    if spare.exists() and target.exists() and os.path.samefile(spare, target):
        spare.unlink()  # a publish died between linking the spare and the rename: that is the published file
    for started_from, source in (("spare", spare), ("copy", target)):
        if not source.exists():
            continue
        shapes = _columns_of(source)
        if not shapes or _free_share(source) > MAX_FREE_SHARE:
            continue  # unreadable, or written anew, compact, rather than copied with its free space
        stored = _signatures_path(target, _identity(source))
        if started_from == "spare":
            if not stored.exists():
                continue
            os.replace(spare, tmp)
        else:
            shutil.copyfile(target, tmp)
        try:
            return _connect(tmp), shapes, stored, started_from
        except duckdb.IOException:  # a reader still holds the spare: it keeps it, the publish copies
            tmp.unlink()
    return _connect(tmp), None, None, "anew"


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_COMPATIBILITY})


def _keep_as_spare(target: Path, spare: Path) -> str | None:
    """Link the published file, about to be replaced, as the spare; returns its version (None: none kept)."""
    spare.unlink(missing_ok=True)  # one that was not used (read, or without signatures): its readers keep it
    if not target.exists():
        return None
    try:
        os.link(target, spare)
    except OSError:  # a file system without hard links: every publish copies
        return None
    return _identity(target)


def spare_path(target: Path) -> Path:
    """The version before the published one, kept to be brought up to date by the next publish."""
    return target.parent / f".{target.name}.spare"


def _has_days(shapes: dict[str, list[tuple[str, str]]], name: str) -> bool:
    """Whether `name` is a large mart published by day, with the columns that tell a row's day."""
    return name in DAY_OF_ROW and DAY_OF_ROW[name].needs <= {column for column, _ in shapes.get(name, [])}


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


def _free_share(published: Path) -> float:
    """The share of the file's blocks that are free (0 below MIN_FREE_BYTES): rows replaced by earlier
    publishes leave their blocks behind, which DuckDB reuses but never gives back, and every publish
    copies them."""
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            block, total, free = con.execute(
                "select block_size, total_blocks, free_blocks from pragma_database_size()").fetchone()
    except duckdb.Error:
        return 0.0
    return free / total if total and free * block >= MIN_FREE_BYTES else 0.0


def _columns_of(published: Path) -> dict[str, list[tuple[str, str]]] | None:
    """The tables and columns of the published file, or None when it cannot be read (then it is rebuilt)."""
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            return _columns(con, con.execute("select current_database()").fetchone()[0], "main")
    except duckdb.Error:
        return None


def _replace_changed_days(con: duckdb.DuckDBPyConnection, here: str, name: str, stored: bool,
                          kept_by_build: list[str]) -> tuple[int, int, int]:
    """Replace, in the copy, the rows of `name` that differ from the build's in the parts of days
    whose signatures differ; returns (days changed, rows written, published rows compared).
    `stored`: the published side's signatures are in `stored_days` (else the copy is hashed)."""
    _build_signatures(con, name, kept_by_build)
    was = (f"select day, part, row_count, cast(row_hash as hugeint) as row_hash from stored_days where mart = '{name}'"
           if stored else _signatures_sql(name, f'{here}."{name}"'))
    con.execute(f"""
        create or replace temp table changed_parts as
        select coalesce(now.day, was.day) as day, coalesce(now.part, was.part) as part
        from "now_days__{name}" as now
        full outer join ({was}) as was
            on now.day is not distinct from was.day and now.part = was.part
        where now.row_count is distinct from was.row_count or now.row_hash is distinct from was.row_hash
    """)
    changed, with_null = con.execute(
        "select count(distinct day) + (count(*) > count(day))::int, count(*) - count(day) from changed_parts").fetchone()
    if not changed:
        return 0, 0, 0
    if with_null:  # rows without a day: copy the table whole
        _drop_for_reuse(con, here, name)
        con.execute(f'create table {here}."{name}" as select * from build.{MARTS_SCHEMA}."{name}"')
        return changed, con.execute(f'select count(*) from {here}."{name}"').fetchone()[0], 0
    # A changed part usually differs in a few rows (a deal linked to one call of a month ago): compare
    # the changed parts' rows by their hashes and rewrite only the rows whose hash is not on both sides
    # as often (writing a row costs far more than hashing it). Rows are compared whole: no key needed.
    for rows, relation in (("was_rows", f'{here}."{name}"'), ("now_rows", f'build.{MARTS_SCHEMA}."{name}"')):
        # the rows are found by their narrow day and key columns first, then read whole by rowid (reading every
        # column of a year of credits to hash the few that are asked for takes 0.5 s)
        found = DAY_OF_ROW[name].rows_in_changed_parts.format(relation=relation)
        con.execute(f"create or replace temp table {rows} as "
                    f"select t.rowid as row_id, hash(t) as row_hash from {relation} as t where t.rowid in ({found})")
    con.execute("""
        create or replace temp table differing_rows as
        select row_hash
        from (select row_hash, count(*) as copies from was_rows group by all) as was
        full outer join (select row_hash, count(*) as copies from now_rows group by all) as now using (row_hash)
        where was.copies is distinct from now.copies
    """)
    con.execute(f'delete from {here}."{name}" where rowid in '
                f'(select row_id from was_rows semi join differing_rows using (row_hash))')
    written = con.execute(f'insert into {here}."{name}" select * from build.{MARTS_SCHEMA}."{name}" where rowid in '
                          f'(select row_id from now_rows semi join differing_rows using (row_hash))').fetchone()[0]
    return changed, written, con.execute("select count(*) from was_rows").fetchone()[0]


def _drop_for_reuse(con: duckdb.DuckDBPyConnection, here: str, name: str) -> None:
    """Drop a table of the copy that is about to be copied whole from the build, and checkpoint, so that
    the new rows reuse the old rows' blocks instead of leaving the file a table larger (and the next
    publish writing it anew). The copy is private: no reader sees it without the table."""
    con.execute(f'drop table {here}."{name}"')
    con.execute("checkpoint")


def _signatures_sql(name: str, relation: str) -> str:
    """Each (day, part)'s row count and sum of row hashes of `relation` (a version of mart `name`)."""
    how = DAY_OF_ROW[name]
    return (f"select {how.day} as day, {how.part} as part, count(*) as row_count, sum(hash(t)) as row_hash "
            f"from {relation} as t group by all")


def _build_signatures(con: duckdb.DuckDBPyConnection, name: str, kept_by_build: list[str]) -> None:
    """The build's signatures of `name` as temp table now_days__<name>: the ones the build keeps
    (dbt_project/macros/signatures.sql; `name` is then added to `kept_by_build`) when they account
    for every row of the mart in as many parts, else hashed here."""
    kept = f'build.{STATE_SCHEMA}."mart_state__{name}__signatures"'
    try:
        signed, rows, parts = con.execute(
            f"select coalesce(sum(row_count), 0), (select count(*) from build.{MARTS_SCHEMA}.\"{name}\"), "
            f"coalesce(min(parts_per_day = {PARTS_PER_DAY}), true) from {kept} where day is not null").fetchone()
    except duckdb.Error:  # none kept (a build before this version, a mart without them)
        signed, rows, parts = -1, 0, False
    if signed == rows and parts:
        con.execute(f'create or replace temp table "now_days__{name}" as '
                    f"select day, part, row_count, row_hash from {kept} where day is not null")
        kept_by_build.append(name)
        return
    con.execute(f'create or replace temp table "now_days__{name}" as '
                f'{_signatures_sql(name, f"build.{MARTS_SCHEMA}.{name}")}')


def _identity(path: Path) -> str:
    """What tells one version of the published file from another: every publish writes a new file (a
    copy that keeps the time, such as a restored backup, is the same version)."""
    st = path.stat()
    return f"{st.st_size}-{st.st_mtime_ns}"


def _signatures_path(target: Path, version: str) -> Path:
    return target.parent / f".{target.name}.days-{version}.parquet"


def kept_signatures(target: Path) -> list[Path]:
    """The signature files beside the published file `target`: after a completed publish, its own and
    the spare's."""
    return sorted(target.parent.glob(f".{target.name}.days-*.parquet"))


def _write_signatures(con: duckdb.DuckDBPyConnection, marts: list[str], path: Path) -> None:
    """The by-day signatures of the marts published by day: the build's, which the new file now equals."""
    if not marts:
        return
    # the sums of hashes as decimal(38, 0): exact (a sum of 64-bit hashes over fewer than 10^18 rows), and a
    # number to Parquet (a year's 140 k signatures: 0.057 s to write and 0.017 s to read as text, 0.020 and
    # 0.008 s as decimals); signatures kept as text by earlier versions still read (_replace_changed_days)
    union = " union all ".join(
        f"select '{name}' as mart, day, part, row_count, cast(row_hash as decimal(38, 0)) as row_hash "
        f"from \"now_days__{name}\""
        for name in marts)
    con.execute(f"copy ({union}) to {_sql_text(path)} (format parquet)")


def _load_signatures(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    """Load the kept signatures as temp table stored_days; returns the marts they cover (none if unreadable,
    or kept by a version that signed whole days)."""
    try:
        con.execute(f"create temp table stored_days as select mart, day, part, row_count, row_hash "
                    f"from read_parquet({_sql_text(path)})")
    except duckdb.Error:
        return set()
    return {row[0] for row in con.execute("select distinct mart from stored_days").fetchall()}


def _sql_text(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
