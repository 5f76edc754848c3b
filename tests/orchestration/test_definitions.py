"""The Dagster definitions load from a fresh clone and hold the whole lineage API -> landing -> marts."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

import dagster as dg
import pytest

from orchestration.warehouse.assets import published_marts_asset, warehouse_assets
from orchestration.warehouse.project import dbt_project, ensure_manifest


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def defs(home):
    from tests.support import environment

    # Built here, under the defaults: an earlier test module may have run the pipeline in this process
    # (which exports its time zone and dbt target folder: project.dbt_environment) and loaded the
    # definitions under its own environment (the reliability world's Europe/Berlin; the schedule keeps
    # the zone it was built with). The project, whose target folder is in the home, and the assets
    # built from it are kept per process.
    cached = (dbt_project, warehouse_assets, published_marts_asset)
    with environment({"ATTRIBUTION_HOME": str(home)}, unset=("ATTRIBUTION_TIMEZONE", "DBT_TARGET_PATH")):
        for function in cached:
            function.cache_clear()
        ensure_manifest()
        import orchestration.definitions

        yield importlib.reload(orchestration.definitions).defs
    for function in cached:  # later modules build their own, in their own home
        function.cache_clear()


def _graph(defs) -> dict:
    """What a run relies on: every asset with its parents and checks, the job's assets."""
    graph = defs.resolve_asset_graph()
    return {
        "assets": {key.to_user_string(): sorted(parent.to_user_string() for parent in graph.get(key).parent_keys)
                   for key in graph.get_all_asset_keys()},
        "checks": sorted(f"{check.asset_key.to_user_string()}:{check.name}" for check in graph.asset_check_keys),
        "job": sorted(key.to_user_string() for key in defs.resolve_job_def("refresh").asset_layer.executable_asset_keys),
    }


def test_the_cli_process_without_dbt_core_sees_the_same_assets_and_checks(defs, home):
    """The CLI keeps dbt-core out of its process (warm_dbt.keep_dbt_out): dagster-dbt then reads the
    manifest alone, and must find exactly what it finds with dbt-core imported."""
    script = (
        "import json, sys\n"
        "from orchestration.warehouse import warm_dbt\n"
        "warm_dbt.keep_dbt_out()\n"
        "from orchestration.definitions import defs\n"
        "from tests.orchestration.test_definitions import _graph\n"
        "assert sys.modules['dbt'] is None and not any(m.startswith('dbt.') for m in sys.modules), 'dbt imported'\n"
        "print(json.dumps(_graph(defs)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "ATTRIBUTION_HOME": str(home)})
    assert result.returncode == 0, result.stderr[-3000:]
    without_dbt = json.loads(result.stdout.strip().splitlines()[-1])
    assert without_dbt == _graph(defs)
    assert len(without_dbt["checks"]) > 50  # the dbt tests are there, as checks


def test_definitions_load_with_the_full_lineage(defs):
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for expected in ["api/calltouch", "calltouch/calls", "yandex_direct/campaign_stats", "yandex_metrika/visits",
                     "amocrm/leads", "amocrm/contacts", "marts/fct_calls", "marts/roi_daily",
                     "marts/attribution_credits", "marts/operator_performance", "published/marts"]:
        assert expected in keys, expected
    # staging reads landing: the dbt source maps onto the landing asset
    staging = dg.AssetKey(["staging", "base_calltouch__calls"])
    assert dg.AssetKey(["calltouch", "calls"]) in graph.get(staging).parent_keys


def test_dbt_tests_are_asset_checks(defs):
    checks = defs.resolve_asset_graph().asset_check_keys
    assert any(check.asset_key == dg.AssetKey(["marts", "fct_calls"]) for check in checks)


def test_the_daily_schedule_is_on_by_default_and_covers_three_days(defs):
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.execution_timezone == "Europe/Moscow"


def test_the_daily_run_lands_yesterday_and_re_lands_the_two_days_before(defs):
    from datetime import datetime, timezone

    from tests.support import environment

    schedule = defs.resolve_schedule_def("daily_refresh")
    moment = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)  # 06:00 in Moscow
    with environment({"CALLTOUCH_SITE_ID": "1", "CALLTOUCH_API_TOKEN": "t", "ATTRIBUTION_PII_SALT": "s"},
                     unset=("YANDEX_DIRECT_TOKEN", "YANDEX_METRIKA_TOKEN", "AMOCRM_TOKEN")):
        result = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=moment))
    [request] = result.run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "2026-11-24"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-11-26"
    selected = {key.to_user_string() for key in request.asset_selection}
    assert "calltouch/calls" in selected and "marts/roi_daily" in selected and "published/marts" in selected
    assert "amocrm/leads" not in selected  # not configured, not run


def test_with_no_source_configured_the_schedule_skips_with_a_reason(defs):
    from datetime import datetime, timezone

    from tests.support import environment

    schedule = defs.resolve_schedule_def("daily_refresh")
    names = ("CALLTOUCH_API_TOKEN", "YANDEX_DIRECT_TOKEN", "YANDEX_METRIKA_TOKEN", "AMOCRM_TOKEN")
    with environment({}, unset=names):
        result = schedule.evaluate_tick(
            dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 27, 3, tzinfo=timezone.utc))
        )
    assert not result.run_requests and "no source is configured" in result.skip_message
