"""Publishing the marts for BI tools: copy and atomic rename (DESIGN §2).

The marts are copied from the build warehouse into a new DuckDB file beside the
published one, checkpointed and fsynced, then renamed over it. A BI tool that
keeps the old file open keeps reading the old version; one that reconnects sees
the new one; nobody ever sees a half-built table, and a crash mid-publish leaves
the previous version in place.

Opened as a file called marts.duckdb, the published tables read as `marts.<table>`,
the names of DESIGN §4.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

MARTS_SCHEMA = "marts"
# BI drivers bundle their own (often older) DuckDB: write a file that DuckDB >= 1.1 can open.
STORAGE_COMPATIBILITY = "v1.1.0"


@dataclass(frozen=True)
class Published:
    path: Path
    tables: dict[str, int]


def publish_marts(build_path: Path, target: Path) -> Published:
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.tmp-*"):
        stale.unlink(missing_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    tables: dict[str, int] = {}
    try:
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
            for name in names:
                con.execute(f'create table {here}."{name}" as select * from build.{MARTS_SCHEMA}."{name}"')
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
    return Published(target, tables)
