"""Which seeds a daily build can leave as they are.

dbt build loads every seed again in each run: three small CSV files, but nine dbt nodes with their
tests, at the start of the build where the nodes of the longest chain wait for dbt's interpreter.
Each seed table keeps, in its comment, what it was loaded from (dbt_project/macros/seeds.sql): the
CSV's checksum and the settings that shape the table. A daily build excludes the seeds whose
manifest entry matches their table's comment, and the tests that read only those seeds (they passed
on the same rows when the seeds were loaded). A changed CSV, changed settings, a missing table or
comment, an unreadable warehouse, a CSV over 1 MiB (dbt then keeps its path, not a checksum of its
content): the seed is loaded as usual. A full refresh loads every seed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb


def _source(node: Mapping[str, Any]) -> dict[str, Any]:
    """What macros/seeds.sql records for a seed node, as the manifest describes it."""
    config = node.get("config", {})
    return {
        "checksum": node.get("checksum", {}).get("checksum"),
        "column_types": config.get("column_types"),
        "delimiter": config.get("delimiter"),
        "quote_columns": config.get("quote_columns"),
    }


def _loaded_sources(warehouse: Path, schemas: set[str]) -> dict[tuple[str, str], Any]:
    """(schema, table) -> the recorded source of each commented table in those schemas."""
    if not warehouse.exists() or not schemas:
        return {}
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(
                "select schema_name, table_name, comment from duckdb_tables() "
                f"where schema_name in ({', '.join('?' for _ in schemas)}) and comment is not null",
                sorted(schemas),
            ).fetchall()
    except duckdb.Error:  # busy or unreadable: dbt finds out, or loads the seeds as usual
        return {}
    loaded = {}
    for schema, table, comment in rows:
        try:
            loaded[(schema, table)] = json.loads(comment)
        except ValueError:
            continue
    return loaded


def unchanged_seed_nodes(manifest: Mapping[str, Any], warehouse: Path) -> list[str]:
    """Names of the seeds whose table holds what their CSV and settings say, and of the tests that
    read only those seeds: what a daily build can exclude."""
    nodes = manifest.get("nodes", {})
    seeds = {uid: node for uid, node in nodes.items() if node.get("resource_type") == "seed"}
    loaded = _loaded_sources(warehouse, {node["schema"] for node in seeds.values()})
    # dbt identifies a seed over 1 MiB by its path, not its content: such a seed is always loaded
    unchanged = {uid for uid, node in seeds.items()
                 if node.get("checksum", {}).get("name") == "sha256"
                 and loaded.get((node["schema"], node.get("alias") or node["name"])) == _source(node)}
    tests = [node["name"] for node in nodes.values()
             if node.get("resource_type") == "test"
             and set(node.get("depends_on", {}).get("nodes", [])) <= unchanged
             and node.get("depends_on", {}).get("nodes")]
    return sorted([seeds[uid]["name"] for uid in unchanged] + tests)
