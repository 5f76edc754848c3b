"""The command line: expected mistakes end in one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLI = [str(Path(sys.executable).parent / "call-attribution")]


def _run(args: list[str], tmp_path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALLTOUCH_", "YANDEX_", "AMOCRM_", "DAGSTER_"))}
    env.update({"ATTRIBUTION_HOME": str(tmp_path), **(extra_env or {})})
    return subprocess.run(CLI + args, capture_output=True, text=True, env=env, timeout=120)


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_an_end_date_before_the_start_is_refused_in_one_line(tmp_path):
    line = _one_line_error(_run(["run", "--start", "2026-10-05", "--end", "2026-10-01"], tmp_path))
    assert "before the start date" in line


def test_a_malformed_date_is_refused_in_one_line(tmp_path):
    line = _one_line_error(_run(["run", "--start", "01.10.2026", "--end", "2026-10-01"], tmp_path))
    assert "YYYY-MM-DD" in line


def test_a_run_with_no_source_configured_says_what_to_set(tmp_path):
    line = _one_line_error(_run(["run", "--start", "2026-10-01", "--end", "2026-10-01"], tmp_path))
    assert "no source is configured" in line and ".env.example" in line


def test_land_only_with_build_only_is_refused_in_one_line(tmp_path):
    line = _one_line_error(_run(["run", "--start", "2026-10-01", "--end", "2026-10-01", "--land-only", "--build-only"],
                                tmp_path))
    assert "--land-only builds nothing" in line


def test_calls_without_a_pii_salt_are_refused(tmp_path):
    env = {"CALLTOUCH_SITE_ID": "1", "CALLTOUCH_API_TOKEN": "x", "ATTRIBUTION_PII_SALT": ""}
    line = _one_line_error(_run(["run", "--start", "2026-10-01", "--end", "2026-10-01"], tmp_path, env))
    assert "ATTRIBUTION_PII_SALT" in line
    assert not (tmp_path / "landing").exists()


def test_sandbox_env_only_prints_evaluable_exports_including_the_salt(tmp_path):
    result = _run(["sandbox", "--port", "8799", "--env-only"], tmp_path)
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert all(line.startswith("export ") for line in lines)
    names = {line.split()[1].split("=")[0] for line in lines}
    assert {"CALLTOUCH_API_URL", "CALLTOUCH_API_TOKEN", "YANDEX_DIRECT_TOKEN", "YANDEX_METRIKA_COUNTER_ID",
            "AMOCRM_API_URL", "ATTRIBUTION_PII_SALT"} <= names
    evaluated = subprocess.run(["bash", "-c", result.stdout + "\necho $CALLTOUCH_API_URL"], capture_output=True, text=True)
    assert evaluated.stdout.strip().endswith("http://127.0.0.1:8799")


def test_the_installed_command_starts_through_main():
    """`call-attribution` (the console script) enters through cli.main, which keeps dbt-core out of
    the CLI process and spares the collector's passes at exit; `app` alone would skip both."""
    from importlib.metadata import entry_points

    (script,) = [ep for ep in entry_points(group="console_scripts") if ep.name == "call-attribution"]
    assert script.value == "orchestration.cli:main"
    from orchestration import cli

    assert script.load() is cli.main


def test_a_run_spares_the_collector_then_leaves_it_as_it_was():
    """Objects loaded before the run are frozen for its duration only: a process that runs on (tests,
    a notebook) frees them as usual afterwards."""
    import gc

    from orchestration.runner import _collector_spared

    before_threshold, before_frozen = gc.get_threshold(), gc.get_freeze_count()
    with _collector_spared():
        assert gc.get_freeze_count() > before_frozen
        assert gc.get_threshold()[0] == 50_000
    assert gc.get_threshold() == before_threshold
    assert gc.get_freeze_count() == before_frozen
