"""Secrets and personal data stay in their place.

Every run of the reliability tests used recognisable tokens and a recognisable PII salt; none of
them appears in a log line, the Dagster storage (run and event metadata), a dbt artifact (manifest,
compiled SQL, run results, logs), an error message, a landing file, the warehouse or the published
marts. Raw caller numbers never reach the warehouse or the marts (only caller_hash does), and the
connection BI tools are told to use is read-only.

This module runs last in the folder, so it scans what every other reliability test left behind.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from connectors.sandbox import sandbox_env
from connectors.sandbox.hostile import HOSTILE_E164, PHONE_SHAPES
from orchestration.settings import DBT_PROJECT_DIR, PROJECT_ROOT
from tests.reliability.conftest import SESSION_STARTED
from tests.reliability.pipeline import SECRET_VALUES, SECRETS, run_pipeline
from tests.reliability.test_permanent_faults import WRONG

pytestmark = pytest.mark.slow


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)


def _duckdb_hits(path: Path, pattern: str) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        hits = []
        columns = con.execute("select table_catalog, table_schema, table_name, column_name from "
                              "information_schema.columns where table_catalog = current_database()").fetchall()
        for catalog, schema, table, column in columns:
            found = con.execute(f'select count(*) from "{catalog}"."{schema}"."{table}" '
                                f'where regexp_matches(cast("{column}" as varchar), ?)', [pattern]).fetchone()[0]
            if found:
                hits.append(f"{path.name}: {schema}.{table}.{column} ({found} rows)")
        return hits
    finally:
        con.close()


def _sqlite_hits(path: Path, needles: Iterable[str]) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        hits = []
        tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table'")]
        for table in tables:
            for row in con.execute(f'select * from "{table}"'):
                text = " ".join(_strings(list(row)))
                hits += [f"{path.name}: {table}" for n in needles if n in text]
        return hits
    finally:
        con.close()


def scan(paths: Iterable[Path], needles: list[str]) -> tuple[int, list[str]]:
    """Files scanned and where any needle was found: values of Parquet, DuckDB and SQLite files, bytes of others."""
    pattern = "|".join(re.escape(n) for n in needles)
    scanned, hits = 0, []
    for path in paths:
        if not path.is_file() or path.name.endswith((".lock", ".tmp")):
            continue
        scanned += 1
        suffix = path.suffix
        if suffix == ".parquet":
            table = pq.read_table(path)
            text = "\n".join(s for column in table.columns for s in _strings(column.to_pylist()))
            hits += [f"{path}" for n in needles if n in text]
        elif suffix == ".duckdb":
            hits += [f"{path}: {h}" for h in _duckdb_hits(path, pattern)]
        elif suffix in (".db", ".sqlite"):
            hits += [f"{path}: {h}" for h in _sqlite_hits(path, needles)]
        else:
            data = path.read_bytes()
            hits += [f"{path}" for n in needles if n.encode() in data]
    return scanned, hits


def _dbt_artifacts() -> list[Path]:
    """dbt's target and log files written while these tests ran (manifest, compiled SQL, run results, logs)."""
    roots = [DBT_PROJECT_DIR / "target", DBT_PROJECT_DIR / "logs"]
    return [p for root in roots if root.exists() for p in root.rglob("*")
            if p.is_file() and p.stat().st_mtime >= SESSION_STARTED - 1]


def test_recognisable_secrets_appear_nowhere_the_pipeline_writes(homes, messages, log_tap, reliability):
    needles = [*SECRET_VALUES, WRONG]
    files = [p for home in homes for p in home.rglob("*")] + _dbt_artifacts()
    scanned, hits = scan(files, needles)
    text_hits = [line for line in [*log_tap.lines, *messages] if any(n in line for n in needles)]
    reliability.record("secrets", "recognisable API tokens (4 vendors, wrong ones too) and PII salt",
                       f"{scanned} files of {len(homes)} runs' homes and dbt artifacts; {len(log_tap.lines)} log "
                       f"lines; {len(messages)} error messages",
                       "found nowhere: landing, warehouse, marts, Dagster run and event storage, dbt manifest / "
                       "compiled SQL / run results / logs, run logs, CLI output, error messages"
                       if not hits and not text_hits else f"found in {hits[:3]} {text_hits[:3]}",
                       "-")
    assert homes and scanned > 50
    assert any("dagster" in str(p) for p in files) and any(p.name == "manifest.json" for p in files)
    assert not hits, hits[:20]
    assert not text_hits, text_hits[:5]


def test_recording_links_are_stored_without_the_token(baseline):
    landed = [r for p in sorted((baseline.home / "landing/calltouch/calls").glob("*.parquet"))
              for r in pq.read_table(p, columns=["recording_url", "_payload"]).to_pylist()]
    with duckdb.connect(str(baseline.home / "marts.duckdb"), read_only=True) as con:
        published = [r[0] for r in con.execute("select recording_url from marts.fct_calls "
                                               "where recording_url is not null").fetchall()]
    assert published and any(r["recording_url"] for r in landed)
    for url in [*published, *(r["recording_url"] or "" for r in landed), *(r["_payload"] for r in landed)]:
        assert "clientApiId" not in url and SECRETS.calltouch_token not in url
    assert all(url.endswith("/download") for url in published)


def _phone_forms(world) -> set[str]:
    """Every way the world's callers' numbers reach a vendor: as Calltouch sends them, as managers typed
    them in the CRM, and their E.164 forms."""
    forms: set[str] = set()
    for day in world.window_days():
        for call in world.calls(day):
            if call.caller:
                forms |= {call.caller, "+" + call.caller, "8" + call.caller[1:]}
    for lead in world.leads():
        for contact in lead.contacts:
            for typed, digits in contact.phones:
                forms |= {typed, digits, "+" + digits, "8" + digits[1:]}
    if world.hostile:  # the hostile caller, in every shape the corpus types it
        digits = HOSTILE_E164[1:]
        forms |= {HOSTILE_E164, digits, "8" + digits[1:], *(typed for _, typed, e164 in PHONE_SHAPES if e164)}
    return {f for f in forms if len(re.sub(r"\D", "", f)) >= 10}


def _raw_number_hits(path: Path, forms: set[str]) -> tuple[int, list[str]]:
    """Values of every text column that contain a raw number (all-digit ids must equal one to count)."""
    digit_forms = {f for f in forms if f.isdigit()}
    pattern = re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))
    con = duckdb.connect(str(path), read_only=True)
    checked, hits = 0, []
    try:
        columns = con.execute("select table_schema, table_name, column_name from information_schema.columns "
                              "where data_type = 'VARCHAR'").fetchall()
        for schema, table, column in columns:
            values = [v for (v,) in con.execute(f'select distinct "{column}" from "{schema}"."{table}" '
                                                f'where "{column}" is not null').fetchall()]
            checked += len(values)
            for v in values:
                if v.isdigit():
                    if v in digit_forms:
                        hits.append(f"{schema}.{table}.{column}: {v}")
                elif pattern.search(v):
                    hits.append(f"{schema}.{table}.{column}: {v[:60]}")
    finally:
        con.close()
    return checked, hits


def test_no_raw_caller_number_reaches_the_warehouse_or_the_published_marts(baseline, world, reliability):
    forms = _phone_forms(world)
    assert len(forms) > 100
    checked = 0
    hits: list[str] = []
    for name in ("marts.duckdb", "warehouse.duckdb"):
        n, found = _raw_number_hits(baseline.home / name, forms)
        checked, hits = checked + n, hits + found
    reliability.record("secrets", "raw caller numbers (every caller and CRM phone of the world, as sent, "
                                  "as typed and in E.164)",
                       f"{len(forms)} number forms against {checked} distinct text values of every column of "
                       "the warehouse and the published marts",
                       "found in none: callers reach them only as caller_hash" if not hits else f"found: {hits[:3]}",
                       "-")
    assert not hits, hits[:10]
    with duckdb.connect(str(baseline.home / "marts.duckdb"), read_only=True) as con:
        hashes = con.execute("select count(*), count(caller_hash), min(length(caller_hash)) from marts.fct_calls"
                             ).fetchone()
    assert hashes[1] > 0.6 * hashes[0] and hashes[2] == 64


def test_the_pii_salt_is_required_for_real_runs_and_the_sandbox_exports_one(tmp_path):
    from orchestration.settings import SettingsError

    assert sandbox_env("http://127.0.0.1:1")["ATTRIBUTION_PII_SALT"]
    with pytest.raises(SettingsError, match="ATTRIBUTION_PII_SALT"):
        run_pipeline(tmp_path, "http://127.0.0.1:1", ATTRIBUTION_PII_SALT="")
    assert not (tmp_path / "landing").exists()


def test_the_bi_connections_the_readme_documents_are_read_only(baseline):
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    python = re.findall(r"duckdb\.connect\(([^)]*marts\.duckdb[^)]*)\)", readme)
    shell = re.findall(r"\bduckdb((?: +-\S+)*) +\S*marts\.duckdb", readme)
    uris = re.findall(r"duckdb:///\S*marts\.duckdb\S*", readme)
    jdbc = re.findall(r"jdbc:duckdb:\S*marts\.duckdb", readme)
    assert python and shell, "README should show how a BI tool or a notebook opens marts.duckdb"
    assert all("read_only=True" in args for args in python), python
    assert all("-readonly" in flags for flags in shell), shell
    assert all("access_mode=read_only" in uri for uri in uris), uris
    assert not jdbc or re.search(r"duckdb\.read_only`? *\|? *=? *`?true", readme), "JDBC: read_only property"
    for config in ({"access_mode": "read_only"}, None):  # what the URIs set, and read_only=True
        con = duckdb.connect(str(baseline.home / "marts.duckdb"), read_only=config is None, config=config or {})
        try:
            assert con.execute("select count(*) from marts.roi_daily").fetchone()[0] > 0
            for statement in ("create table marts.scribble as select 1 as x", "delete from marts.roi_daily",
                              "update marts.fct_calls set revenue = 0"):
                with pytest.raises(duckdb.Error, match="read-only"):
                    con.execute(statement)
        finally:
            con.close()
