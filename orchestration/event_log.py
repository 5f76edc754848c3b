"""Dagster's SQLite event log, with its connections kept open.

A warehouse build reports every dbt model and test to Dagster: some 330 events a daily run, each
written to the run's SQLite file and most mirrored into the index file. Dagster's own
`SqliteEventLogStorage` creates an engine, connects, commits with an fsync and disposes of the
engine for every one of them (a fifth of a daily run's Python time, ~20 ms an event, on the same two
cores dbt and DuckDB need). This storage keeps one open connection per recent shard instead, and
commits in SQLite's WAL mode with `synchronous=NORMAL`: a commit is durable at the next checkpoint
rather than at once, so a power cut can lose the last events of a run, never corrupt the file -
run history, not data. Everything else (schema, migrations, queries, watching) is Dagster's.

dagster.yaml (written by `call-attribution`, see orchestration/runner.py) names it as the event log
storage; the webserver and daemon load it from there too. It overrides `_connect`, a private method
of the pinned Dagster (1.13.27); every CLI and Dagster test writes its events through it.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as db
from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy.pool import StaticPool

# Shards kept open: the index and the few runs a process writes or reads at once (the webserver
# reads many runs over its life; older ones are closed as newer ones are opened).
OPEN_SHARDS = 8


def _sqlite_settings(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` that reuses one connection per shard (see the module's docstring)."""

    def __init__(self, base_dir: str | None = None, inst_data=None):
        if base_dir is None:  # dagster.yaml may leave it out: Dagster's own place under DAGSTER_HOME
            base_dir = os.path.join(os.environ["DAGSTER_HOME"], "history", "runs")
        self._engines: OrderedDict[str, db.engine.Engine] = OrderedDict()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def config_type(cls):
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> db.engine.Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = db.create_engine(
            self.conn_string_for_shard(shard),
            poolclass=StaticPool,  # one connection, reused; every use holds self._db_lock
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        db.event.listen(engine, "connect", _sqlite_settings)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > OPEN_SHARDS:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.engine.Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def upgrade(self) -> None:
        self._close_all()
        super().upgrade()

    def wipe(self) -> None:  # removes the run files: no connection may outlive them
        self._close_all()
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()

    def _close_all(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

