"""A daily build leaves alone the seeds whose table holds what their CSV and settings say (seeds.py)."""

from __future__ import annotations

import json

import duckdb

from orchestration.warehouse.seeds import unchanged_seed_nodes

SOURCE = {"checksum": "abc", "column_types": {"routed_number": "varchar"}, "delimiter": ",", "quote_columns": None}


def _seed(name: str, checksum: str = "abc", column_types=None) -> dict:
    return {"resource_type": "seed", "name": name, "schema": "seeds", "alias": name,
            "checksum": {"name": "sha256", "checksum": checksum},
            "config": {"column_types": column_types or {"routed_number": "varchar"}, "delimiter": ",",
                       "quote_columns": None}}


def _test(name: str, *parents: str) -> dict:
    return {"resource_type": "test", "name": name, "depends_on": {"nodes": list(parents)}}


def _manifest() -> dict:
    return {"nodes": {
        "seed.p.centers": _seed("centers"),
        "seed.p.channels": _seed("channels", checksum="new"),  # its CSV changed since it was loaded
        "seed.p.overrides": _seed("overrides", column_types={"routed_number": "bigint"}),  # its settings changed
        "seed.p.bare": _seed("bare"),  # loaded before tables remembered their source
        "seed.p.big": {**_seed("big"), "checksum": {"name": "path", "checksum": "abc"}},  # over 1 MiB: by path
        "model.p.calls": {"resource_type": "model", "name": "calls", "schema": "staging"},
        "test.p.unique_centers": _test("unique_centers", "seed.p.centers"),
        "test.p.unique_channels": _test("unique_channels", "seed.p.channels"),
        "test.p.calls_to_centers": _test("calls_to_centers", "model.p.calls", "seed.p.centers"),
    }}


def _warehouse(path, tables: dict[str, str | None]):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema seeds")
        for name, comment in tables.items():
            con.execute(f"create table seeds.{name} (routed_number varchar)")
            if comment is not None:
                con.execute(f"comment on table seeds.{name} is '{comment}'")


def test_only_seeds_loaded_from_the_same_csv_and_settings_are_left_with_their_own_tests(tmp_path):
    recorded = json.dumps(SOURCE)
    _warehouse(tmp_path / "warehouse.duckdb", {"centers": recorded, "channels": recorded, "overrides": recorded,
                                               "bare": None, "big": recorded})
    # a test that also reads a model runs: the model is rebuilt
    assert unchanged_seed_nodes(_manifest(), tmp_path / "warehouse.duckdb") == ["centers", "unique_centers"]


def test_without_a_readable_warehouse_every_seed_is_loaded(tmp_path):
    assert unchanged_seed_nodes(_manifest(), tmp_path / "missing.duckdb") == []
    (tmp_path / "broken.duckdb").write_bytes(b"not a database")
    assert unchanged_seed_nodes(_manifest(), tmp_path / "broken.duckdb") == []
    _warehouse(tmp_path / "odd.duckdb", {"centers": "not json"})
    assert unchanged_seed_nodes(_manifest(), tmp_path / "odd.duckdb") == []
