"""dbt build on DuckDB: with no landing files at all, and on a small hand-made landing zone.

Each build runs seeds, models, data tests and unit tests (`dbt build`), in a temporary
ATTRIBUTION_HOME with its own target and log paths, so it never touches a real warehouse.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest


def _load_landing_fixture():
    # Loaded by path: a package named tests/dbt would shadow dbt-core on sys.path.
    spec = importlib.util.spec_from_file_location(
        "call_attribution_dbt_landing_fixture", Path(__file__).with_name("landing_fixture.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


landing_fixture = _load_landing_fixture()

pytestmark = pytest.mark.slow

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

# DESIGN.md section 4, verbatim: the columns BI tools bind to, in order.
MART_COLUMNS = {
    "fct_calls": [
        "call_id", "source_system", "started_at", "call_date", "caller_hash", "tracking_number",
        "answered", "wait_seconds", "talk_seconds", "is_unique", "is_target", "is_unique_target",
        "vendor_is_target", "operator_name", "call_center", "recording_url", "session_id",
        "client_id", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
        "campaign_id", "deal_id", "deal_status", "revenue", "history_complete",
    ],
    "attribution_credits": [
        "call_id", "attribution_model", "touch_session_id", "touch_at", "touch_index",
        "touch_count", "utm_source", "utm_medium", "utm_campaign", "campaign_id", "credit",
        "revenue_credit",
    ],
    "roi_daily": [
        "date", "attribution_model", "ad_platform", "campaign_id", "campaign_name", "utm_source",
        "utm_medium", "utm_campaign", "impressions", "clicks", "cost", "sessions", "calls",
        "target_calls", "unique_target_calls", "deals_won", "revenue", "cpc",
        "cost_per_target_call", "cpl", "cpa", "roi", "roas", "is_settled",
    ],
    "operator_performance": [
        "date", "call_center", "operator_name", "answered_calls", "talk_seconds_total",
        "avg_talk_seconds", "center_avg_talk_seconds", "target_calls", "deals_won", "revenue",
        "revenue_per_talk_minute", "talk_cost",
    ],
}
# Columns added after DESIGN section 4, after its columns (docs/migrations.md): the names above keep their places.
ADDED_COLUMNS = {"attribution_credits": ["call_date"]}
# Marts whose columns DESIGN section 4 describes but does not list: they must exist.
OTHER_MARTS = ["call_review_queue", "data_quality"]


def _dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_build(home: Path, *extra: str, command: str = "build", check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, ATTRIBUTION_HOME=str(home), ATTRIBUTION_TIMEZONE="Europe/Moscow")
    env.pop("DBT_PROFILES_DIR", None)
    command = [
        _dbt_executable(), command,
        "--project-dir", str(PROJECT_DIR),
        "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(home / "dbt_target"),
        "--log-path", str(home / "dbt_logs"),
        "--no-partial-parse",
        "--vars", "{as_of_date: '2025-03-20'}",
        *extra,
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return result


@pytest.fixture(scope="module")
def empty_warehouse(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("empty_home")
    dbt_build(home)
    return home / "warehouse.duckdb"


@pytest.fixture(scope="module")
def fixture_warehouse(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("fixture_home")
    landing_fixture.write_landing(home)
    # Unit tests already ran in the empty build; this build checks models and data tests on data.
    dbt_build(home, "--exclude", "test_type:unit")
    return home / "warehouse.duckdb"


def _query(warehouse: Path, sql: str, *params):
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql, list(params)).fetchall()


def _columns(warehouse: Path, table: str) -> list[str]:
    rows = _query(
        warehouse,
        "select column_name from information_schema.columns "
        "where table_schema = 'marts' and table_name = ? order by ordinal_position",
        table,
    )
    return [name for (name,) in rows]


def test_build_without_landing_files_creates_every_mart_with_contract_columns(empty_warehouse):
    for table, expected in MART_COLUMNS.items():
        assert _columns(empty_warehouse, table) == expected + ADDED_COLUMNS.get(table, []), table
    for table in OTHER_MARTS:
        assert _columns(empty_warehouse, table), table
    assert _query(empty_warehouse, "select count(*) from marts.fct_calls") == [(0,)]


def test_two_touch_call_gets_half_credit_per_touch_under_linear(fixture_warehouse):
    rows = _query(
        fixture_warehouse,
        "select touch_session_id, touch_index, touch_count, credit, revenue_credit "
        "from marts.attribution_credits where call_id = 'calltouch:1001' and attribution_model = 'linear' "
        "order by touch_index",
    )
    assert [(r[0], r[1], r[2], r[3], float(r[4])) for r in rows] == [
        ("18446744073709551000", 1, 2, 0.5, 5000.0),
        ("5", 2, 2, 0.5, 5000.0),
    ]


def test_last_non_direct_skips_the_later_direct_visit(fixture_warehouse):
    rows = _query(
        fixture_warehouse,
        "select touch_session_id, campaign_id from marts.attribution_credits "
        "where call_id = 'calltouch:1001' and attribution_model = 'last_non_direct' and credit = 1",
    )
    assert rows == [("18446744073709551000", "555")]


def test_won_deal_revenue_reaches_the_call_and_its_campaign(fixture_warehouse):
    assert _query(
        fixture_warehouse,
        "select deal_id, deal_status, cast(revenue as double), session_id, campaign_id "
        "from marts.fct_calls where call_id = 'calltouch:1001'",
    ) == [("501", "won", 10000.0, "18446744073709551000", "555")]
    rows = _query(
        fixture_warehouse,
        "select cast(cost as double), calls, deals_won, cast(revenue as double), roas "
        "from marts.roi_daily where date = date '2025-03-10' "
        "and attribution_model = 'last_non_direct' and campaign_id = '555'",
    )
    assert rows == [(1500.12, 1.0, 1.0, 10000.0, pytest.approx(10000 / 1500.12))]


def test_spend_without_conversions_still_shows(fixture_warehouse):
    assert _query(
        fixture_warehouse,
        "select cast(cost as double), calls, roi from marts.roi_daily "
        "where attribution_model = 'linear' and campaign_id = '777'",
    ) == [(300.0, 0.0, -1.0)]


def test_untouched_calls_fall_back_to_static_line_then_direct(fixture_warehouse):
    rows = _query(
        fixture_warehouse,
        "select call_id, utm_source, utm_medium, touch_index, touch_count, credit "
        "from marts.attribution_credits where attribution_model = 'time_decay' "
        "and call_id in ('calltouch:1002', 'calltouch:1005') order by call_id",
    )
    assert rows == [
        ("calltouch:1002", "billboard", "offline", 0, 0, 1.0),
        ("calltouch:1005", "(direct)", "(none)", 0, 0, 1.0),
    ]


def test_quarantined_calls_are_counted_not_dropped(fixture_warehouse):
    assert _query(
        fixture_warehouse,
        "select rows_landed, rows_staged, rows_quarantined, quarantine_reasons "
        "from marts.data_quality where source = 'calltouch' and stream = 'calls'",
    ) == [(5, 3, 2, "duplicate_id: 1; impossible_duration: 1")]


def test_raw_phone_numbers_never_reach_the_warehouse(fixture_warehouse):
    rows = _query(
        fixture_warehouse,
        "select table_schema || '.' || table_name || '.' || column_name "
        "from information_schema.columns "
        "where column_name in ('caller_e164', 'caller_number', 'phone_raw') "
        "or (column_name = '_payload' and (table_name like '%calltouch%' or table_name like '%amocrm%'))",
    )
    assert rows == []


def test_call_at_exactly_min_talk_seconds_is_target_and_null_hash_is_unique(fixture_warehouse):
    assert _query(
        fixture_warehouse,
        "select is_unique, is_target, is_unique_target, call_center from marts.fct_calls "
        "where call_id = 'calltouch:1005'",
    ) == [(True, True, True, "Санкт-Петербург")]


def test_a_null_in_a_required_column_fails_the_models_not_null_columns_test(fixture_warehouse, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy2(fixture_warehouse, home / "warehouse.duckdb")
    with duckdb.connect(str(home / "warehouse.duckdb")) as connection:
        connection.execute("update marts.fct_calls set revenue = null where call_id = (select min(call_id) from marts.fct_calls)")
    failed = dbt_build(home, "--select", "fct_calls,test_name:not_null_columns", command="test", check=False)
    assert failed.returncode == 1, failed.stdout[-3000:]
    assert "FAIL 1 not_null_columns_fct_calls" in failed.stdout  # one column has NULLs: one row
