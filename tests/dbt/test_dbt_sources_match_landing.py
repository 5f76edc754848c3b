"""The seam between landing and dbt: the dbt sources declare exactly the columns and types
that orchestration/landing/schemas.py writes (docs/CONTRACTS.md section 3), in order, so a
source with no files is a typed empty table of the same shape as one with files."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
import yaml

STAGING = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "staging"


def _duckdb_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_string(arrow_type):
        return "varchar"
    if pa.types.is_int64(arrow_type):
        return "bigint"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_date32(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp with time zone" if arrow_type.tz else "timestamp"
    if pa.types.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision}, {arrow_type.scale})"
    if pa.types.is_list(arrow_type):
        return _duckdb_type(arrow_type.value_type) + "[]"
    raise AssertionError(f"no dbt type mapping for {arrow_type}")


def _declared_sources() -> dict[str, list[tuple[str, str]]]:
    declared = {}
    for path in STAGING.glob("*/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            for table in source["tables"]:
                declared[f"{source['name']}/{table['name']}"] = [
                    (column["name"], column["data_type"]) for column in table["columns"]
                ]
    return declared


def test_dbt_sources_declare_the_landing_schema():
    schemas = pytest.importorskip("orchestration.landing.schemas")
    declared = _declared_sources()
    assert sorted(declared) == sorted(schemas.STREAMS)
    for key, stream in schemas.STREAMS.items():
        expected = [(field.name, _duckdb_type(field.type)) for field in stream.schema]
        assert declared[key] == expected, key
