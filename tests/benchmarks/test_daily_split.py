"""The benchmark reads where a daily run's time went from the run's last line (benchmarks/__main__.py)."""

from __future__ import annotations

from benchmarks.__main__ import daily_split, median_run_parts


def test_the_last_line_gives_the_steps_and_the_rest():
    output = ("building warehouse (dbt build) and publishing ━━━━ 0/? 0:00:13\n"
              "an earlier line: publishing 9.9 s\n"
              "done in 13.1 s (dbt build 10.6 s; publishing\n0.8 s); DAGSTER_HOME=/x (see it with `call-attribution ui`)\n")
    assert daily_split(output, 15.04) == {"build_step_s": 10.6, "publish_s": 0.8, "other_s": 3.6}


def test_a_line_without_the_steps_gives_nothing():
    assert daily_split("done in 13.1 s (landing 4.0 s); DAGSTER_HOME=/x\n", 15.0) == {}
    assert daily_split("", 15.0) == {}


def test_the_parts_reported_are_the_median_runs():
    parts = [{"build_step_s": b} for b in (5.0, 9.0, 7.0, 6.0)]
    assert median_run_parts([11.0, 19.0, 13.0], parts[:3]) == {"build_step_s": 7.0}  # 13.0 of 11, 19, 13
    assert median_run_parts([11.0, 19.0, 13.0, 12.0], parts) == {"build_step_s": 7.0}  # the upper middle of four
