"""Run history goes through PooledSqliteEventLogStorage: written, read back by a new instance, and
dagster.yaml upgraded only when it is the one an earlier release wrote."""

from __future__ import annotations

import dagster as dg

from orchestration import event_log
from orchestration.event_log import PooledSqliteEventLogStorage
from orchestration.runner import DAGSTER_YAML, EARLIER_DAGSTER_YAMLS, prepare_instance
from tests.support import environment


@dg.asset
def numbers() -> int:
    return 3


@dg.asset_check(asset=numbers)
def numbers_are_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_runs_and_their_events_are_stored_and_read_back(tmp_path, monkeypatch):
    monkeypatch.setattr(event_log, "OPEN_SHARDS", 2)  # more runs than open shards: older ones get closed
    with environment({"ATTRIBUTION_HOME": str(tmp_path)}, unset=("DAGSTER_HOME",)):
        home = prepare_instance()
        with dg.DagsterInstance.get() as instance:
            assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
            run_ids = [dg.materialize([numbers, numbers_are_positive], instance=instance).run_id for _ in range(3)]
        with dg.DagsterInstance.get() as fresh:  # a new process would see the same
            for run_id in run_ids:
                types = {e.dagster_event_type for e in fresh.all_logs(run_id) if e.dagster_event}
                assert {dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.ASSET_CHECK_EVALUATION,
                        dg.DagsterEventType.RUN_SUCCESS} <= types
            assert fresh.get_latest_materialization_event(numbers.key).run_id == run_ids[-1]
            check = fresh.event_log_storage.get_latest_asset_check_execution_by_key([numbers_are_positive.check_key])
            assert check[numbers_are_positive.check_key].run_id == run_ids[-1]
    assert (home / "history" / "runs" / f"{run_ids[0]}.db").exists()


def test_dagster_yaml_is_upgraded_only_when_it_is_an_earlier_releases_unchanged(tmp_path):
    with environment({"ATTRIBUTION_HOME": str(tmp_path)}, unset=("DAGSTER_HOME",)):
        config = prepare_instance() / "dagster.yaml"
        assert config.read_text() == DAGSTER_YAML
        config.write_text(EARLIER_DAGSTER_YAMLS[0])
        prepare_instance()
        assert config.read_text() == DAGSTER_YAML
        edited = EARLIER_DAGSTER_YAMLS[0] + "run_monitoring:\n  enabled: true\n"
        config.write_text(edited)
        prepare_instance()
        assert config.read_text() == edited
