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


def build_table(stream: Stream, records: Iterable[dict], day: date, *, salt: str | None, region: str) -> pa.Table:
    """Arrow table of the stream's schema; adds caller_e164/caller_hash where the stream has a phone."""
    rows = list(records)
    landed_at = datetime.now(timezone.utc)
    columns: dict[str, list] = {f.name: [r.get(f.name) for r in rows] for f in stream.fields}
    if stream.phone_field:
        if salt is None:
            raise ValueError("a PII salt is required to land a stream with phone numbers")
        e164 = [to_e164(raw, region) for raw in columns[stream.phone_field]]
        columns["caller_e164"] = e164
        columns["caller_hash"] = [caller_hash(n, salt) for n in e164]
    columns["_payload"] = [r.get("_payload") for r in rows]
    columns["_partition_date"] = [day] * len(rows)
    columns["_landed_at"] = [landed_at] * len(rows)
    return pa.Table.from_pydict(columns, schema=stream.schema)


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
