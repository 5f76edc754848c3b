"""The benchmark keeps working: `python -m benchmarks` at a tiny scale, every measurement but the
30-day daily run, with results checked for shape and for the fairness checks (the hand-written
reference and the pandas version give the marts' rows)."""

from __future__ import annotations

import json

import duckdb
import pytest

from benchmarks.__main__ import NEW_DAY, main

pytestmark = pytest.mark.slow


def test_tiny_benchmark_writes_results_and_report(tmp_path):
    out = tmp_path / "out"
    main(["--scale", "tiny", "--history-days", "35", "--repeat", "1", "--daily-repeat", "1", "--skip", "daily30",
          "--ingest-scale", "0.2", "--ingest-days", "1", "--work-dir", str(tmp_path / "work"), "--out", str(out)])
    results = json.loads((out / "results.json").read_text())["tiny"]
    assert results["reference_equals_marts"], results["reference_comparison"]
    assert results["pandas_equals_marts"]
    for key in ("full_build_s", "core_run_s", "tests_s", "reference_sql_s", "pandas_s", "daily_run_s",
                "ingest_records_per_s", "peak_rss_mb_build", "peak_rss_mb_landing"):
        assert results[key] > 0, key
    assert results["rows"]["yandex_metrika/visits"] > 0
    # the daily run's time in parts, from the run's own last line: they add up to the run reported, and
    # the dbt build step holds dbt's own elapsed time, which dbt's log gives independently
    parts = results["daily_run_parts"]
    assert parts["build_step_s"] > 0 and parts["publish_s"] >= 0 and parts["other_s"] > 0, parts  # tenths of a second
    assert parts["build_step_s"] + parts["publish_s"] + parts["other_s"] == pytest.approx(results["daily_run_s"], abs=0.06)
    assert parts["build_step_s"] >= results["daily_run_phases"]["dbt_elapsed_s"], (parts, results["daily_run_phases"])
    assert results["daily_run_parts_per_repeat"] == [parts]
    report = (out / "BENCHMARKS.md").read_text()
    assert "ratio_vs_reference" in report and "tiny" in report
    assert f"| {parts['build_step_s']} / - |" in report  # no 30-day run: its part is '-'
    # the year's home is left as the daily runs started from it: its history built, without the new day
    year = tmp_path / "work" / "tiny" / "year"
    assert not list(year.glob(f"landing/*/*/{NEW_DAY}.parquet"))
    with duckdb.connect(str(year / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_calls where call_date >= ?", [NEW_DAY]).fetchone() == (0,)
        assert con.execute("select count(*) from marts.fct_calls").fetchone()[0] > 0
