"""Writing one landed partition: whole or absent, never half (DESIGN §2).

Records go to `.<day>.parquet.tmp-<pid>` beside the target and are renamed into
place (`os.replace` is atomic on one filesystem), so a crash leaves at most a
stray temp file that the next landing of that day removes, and re-landing a
day replaces the file instead of appending to it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .pii import caller_hash, to_e164
from .schemas import Stream


@dataclass(frozen=True)
class LandedPartition:
    stream: Stream
    day: date
    path: Path
    rows: int


def partition_path(root: Path, stream: Stream, day: date) -> Path:
    return root / stream.source / stream.name / f"{day.isoformat()}.parquet"


def build_table(stream: Stream, records: Iterable[dict] | pa.Table, day: date, *, salt: str | None,
                region: str) -> pa.Table:
    """Arrow table of the stream's schema; adds caller_e164/caller_hash where the stream has a phone.

    `records` are the connector's records as dicts, or already as an Arrow table with the stream's record
    fields and `_payload` (a connector that reads its source column by column, e.g. Metrica's
    `visits_table`); a missing record field is NULL, extra columns are ignored. Vectorised: Arrow
    converts dicts in C++ (`from_pylist`), and phone numbers are parsed and hashed once per distinct
    number, not per row (a day has far fewer callers than calls).
    """
    landed_at = datetime.now(timezone.utc)
    record_schema = pa.schema([*stream.fields, pa.field("_payload", pa.string())])
    if isinstance(records, pa.Table):
        records_table = _conformed(records, record_schema)
    else:
        rows = records if isinstance(records, list) else list(records)
        records_table = pa.Table.from_pylist(rows, schema=record_schema)
    n = records_table.num_rows
    arrays = [records_table.column(f.name) for f in stream.fields]
    if stream.phone_field:
        if salt is None:
            raise ValueError("a PII salt is required to land a stream with phone numbers")
        e164, hashed = _pseudonymise(records_table.column(stream.phone_field), salt, region)
        arrays += [e164, hashed]
    arrays += [
        records_table.column("_payload"),
        pa.repeat(pa.scalar(day, pa.date32()), n),
        pa.repeat(pa.scalar(landed_at, pa.timestamp("us", tz="UTC")), n),
    ]
    return pa.Table.from_arrays(arrays, schema=stream.schema)


def _conformed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with exactly the columns of `schema`, in its order and types (what `from_pylist` makes of dicts)."""
    columns = [table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
               for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def _pseudonymise(raw: pa.ChunkedArray, salt: str, region: str) -> tuple[pa.Array, pa.Array]:
    """(caller_e164, caller_hash) for a column of numbers as typed: parsed and hashed per distinct value."""
    raw = raw.combine_chunks()
    distinct = pc.unique(raw.drop_null())
    e164 = [to_e164(value, region) for value in distinct.to_pylist()]
    hashed = [caller_hash(number, salt) for number in e164]
    positions = pc.index_in(raw, value_set=distinct)
    return (pc.take(pa.array(e164, pa.string()), positions), pc.take(pa.array(hashed, pa.string()), positions))


def write_partition(root: Path, stream: Stream, day: date, table: pa.Table) -> LandedPartition:
    target = partition_path(root, stream, day)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.tmp-*"):
        stale.unlink(missing_ok=True)  # left by a landing that was killed
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    try:
        pq.write_table(table, tmp, compression="zstd")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return LandedPartition(stream, day, target, table.num_rows)


def read_partition(root: Path, stream: Stream, day: date) -> pa.Table | None:
    path = partition_path(root, stream, day)
    return pq.read_table(path) if path.exists() else None
