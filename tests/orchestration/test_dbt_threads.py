"""How many dbt threads a run gets: four for a few days on a built warehouse, else the profile's."""

from __future__ import annotations

import pytest

from orchestration.warehouse.project import INCREMENTAL_DBT_THREADS, INCREMENTAL_MAX_DAYS, dbt_threads


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTRIBUTION_HOME", str(tmp_path))
    monkeypatch.delenv("ATTRIBUTION_DBT_THREADS", raising=False)
    return tmp_path


def test_a_few_days_on_a_built_warehouse_run_four_threads(home):
    (home / "warehouse.duckdb").touch()
    assert dbt_threads(3, full_refresh=False) == INCREMENTAL_DBT_THREADS
    assert dbt_threads(INCREMENTAL_MAX_DAYS, full_refresh=False) == INCREMENTAL_DBT_THREADS


def test_a_first_build_a_full_refresh_or_a_long_backfill_keep_the_profiles_threads(home):
    assert dbt_threads(1, full_refresh=False) is None  # nothing built yet: every model builds whole
    (home / "warehouse.duckdb").touch()
    assert dbt_threads(1, full_refresh=True) is None
    assert dbt_threads(INCREMENTAL_MAX_DAYS + 1, full_refresh=False) is None


def test_the_users_setting_wins(home, monkeypatch):
    (home / "warehouse.duckdb").touch()
    monkeypatch.setenv("ATTRIBUTION_DBT_THREADS", "2")
    assert dbt_threads(1, full_refresh=False) is None
