"""A run's last line says where its time went (orchestration/runner.py)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from orchestration.runner import RunReport, _phases, _step_seconds


def _event(key: str | None, success: bool, ms: int = 0):
    return SimpleNamespace(step_key=key, is_step_success=success,
                           step_success_data=SimpleNamespace(duration_ms=ms) if success else None)


def test_step_durations_come_from_the_succeeded_steps():
    events = [_event("warehouse", False), _event("warehouse", True, 8123), _event("published__marts", True, 1040),
              _event(None, False)]
    assert _step_seconds(events) == {"warehouse": 8.123, "published__marts": 1.04}


def test_the_phases_name_only_what_the_run_did():
    report = RunReport(date(2026, 10, 1), date(2026, 10, 1), ["calltouch"])
    assert _phases(report) == ""
    report.build_seconds, report.publish_seconds = 8.123, 1.04
    assert _phases(report) == " (dbt build 8.1 s; publishing 1.0 s)"
    report.landing_seconds = 41.26
    assert _phases(report) == " (landing 41.3 s; dbt build 8.1 s; publishing 1.0 s)"
