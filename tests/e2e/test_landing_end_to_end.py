"""A real `call-attribution run` against the sandbox lands exactly what the world contains."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.slow

STREAMS = [
    ("calltouch", "calls"),
    ("yandex_direct", "campaign_stats"),
    ("yandex_metrika", "visits"),
    ("amocrm", "leads"),
    ("amocrm", "contacts"),
]


def test_every_stream_lands_the_ground_truth_count_for_every_day(pipeline_run):
    day = pipeline_run.start
    compared = 0
    while day <= pipeline_run.end:
        expected = pipeline_run.truth["counts"][day.isoformat()]
        for source, stream in STREAMS:
            path = pipeline_run.landing(source, stream, day)
            assert path.exists(), path
            assert pq.read_metadata(path).num_rows == expected[f"{source}/{stream}"], (source, stream, day)
            compared += 1
        day += timedelta(days=1)
    assert compared == len(STREAMS) * 10
    assert sum(pipeline_run.report.rows["calltouch/calls"].values()) > 0
    # the run's report found its steps' durations by their step keys (its last line says where the time went)
    report = pipeline_run.report
    assert report.landing_seconds > 0 and report.build_seconds > 0 and report.publish_seconds > 0, report
    assert report.build_seconds + report.publish_seconds < report.seconds


def test_raw_numbers_stay_in_landing_and_callers_are_hashed(pipeline_run):
    calls = pq.read_table(pipeline_run.landing("calltouch", "calls", pipeline_run.end)).to_pylist()
    parsed = [c for c in calls if c["caller_e164"]]
    assert parsed and all(len(c["caller_hash"]) == 64 for c in parsed)
    assert any(c["caller_e164"] is None and c["caller_hash"] is None for c in calls) or len(calls) < 20


def test_the_run_is_recorded_in_dagster_with_row_counts_and_paths(pipeline_run):
    from dagster._core.instance.ref import InstanceRef

    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(pipeline_run.home / "dagster"))) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["calltouch", "calls"]))
        assert event is not None
        metadata = event.asset_materialization.metadata
        assert metadata["dagster/row_count"].value == sum(pipeline_run.report.rows["calltouch/calls"].values())
        assert "paths" in metadata or "path" in metadata


def test_the_build_leaves_the_warehouse_checkpointed(pipeline_run):
    """The dbt process a run starts ahead closes the warehouse (a checkpoint) before it reports
    dbt's exit code and ends: nothing is left in DuckDB's log for the next reader to replay."""
    assert (pipeline_run.home / "warehouse.duckdb").exists()
    assert not (pipeline_run.home / "warehouse.duckdb.wal").exists()


def test_the_build_keeps_each_nodes_time_for_the_next_builds_order(pipeline_run):
    """dbt starts ready nodes by how long the chain waiting on them took last time (dbt_order.py)."""
    import json

    seconds = json.loads((pipeline_run.home / "dbt" / "node_seconds.json").read_text())
    assert seconds["model.call_attribution.base_yandex_metrika__visits"] > 0
    assert any(node.startswith("test.call_attribution.") for node in seconds)


def test_the_build_keeps_the_macros_it_used_for_the_next_process_to_compile_ahead(pipeline_run):
    """The waiting dbt process of the next run compiles these while the CLI loads Dagster (dbt_templates.py)."""
    import json

    texts = json.loads((pipeline_run.home / "dbt" / "macros_used.json").read_text())
    assert any("materialization incremental" in text for text in texts)  # dbt's, or dbt-duckdb's
    assert any("macro remember_signatures" in text for text in texts)  # this project's


def test_the_next_daily_build_leaves_the_loaded_seeds_alone(pipeline_run):
    """Each seed table remembers the CSV and settings it was loaded from (macros/seeds.sql), in the
    form seeds.py compares with the manifest: the next daily build excludes all three seeds and the
    tests that read only them. (Skipping them leaves the marts as they were: tests/reliability.)"""
    import json

    from orchestration.warehouse.seeds import unchanged_seed_nodes

    manifest = json.loads((pipeline_run.home / "dbt" / "target" / "manifest.json").read_text())
    left = unchanged_seed_nodes(manifest, pipeline_run.home / "warehouse.duckdb")
    seeds = sorted(node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "seed")
    assert len(seeds) == 3 and set(seeds) <= set(left)
    assert "unique_call_centers_routed_number" in left
    assert not any(name.startswith(("stg_", "fct_", "int_")) for name in left)
