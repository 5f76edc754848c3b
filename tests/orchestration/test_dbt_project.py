"""The dbt project's parse state: prepared once per home, reused by every run without re-parsing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration import settings
from orchestration.warehouse.project import dbt_project, dbt_target_path, ensure_manifest, parsed_project_dir
from tests.support import environment


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A home whose dbt project has been prepared (dbt_project() is cached per process, one home per
    process in production: cleared around this module's)."""
    home = tmp_path_factory.mktemp("home")
    dbt_project.cache_clear()
    with environment({"ATTRIBUTION_HOME": str(home)}):
        ensure_manifest()
        yield home
    dbt_project.cache_clear()


def _partial_parse_line(home: Path) -> str:
    """What dbt says about its partial parse when it starts from the home's saved parse state."""
    env = dict(os.environ, ATTRIBUTION_HOME=str(home), DBT_TARGET_PATH=str(home / "dbt" / "target"),
               DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    out = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "ls", "--resource-type", "seed", "--log-format", "json", "--debug",
         "--profiles-dir", str(settings.DBT_PROJECT_DIR)],
        cwd=settings.DBT_PROJECT_DIR, env=env, capture_output=True, text=True, check=True,
    ).stdout
    codes = [json.loads(line)["info"] for line in out.splitlines() if line.startswith("{")]
    return next(info["msg"] for info in codes if info["code"] in {"I040", "I017"})


def test_a_run_starts_from_the_saved_parse_without_re_parsing_the_seeds(home):
    assert _partial_parse_line(home) == "Partial parsing enabled: 0 files deleted, 0 files added, 0 files changed."


def test_a_manifest_parsed_from_another_checkout_is_parsed_again(home):
    manifest = dbt_target_path() / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for node in data["nodes"].values():
        node["root_path"] = str(home / "old-checkout" / "dbt_project")
    manifest.write_text(json.dumps(data), encoding="utf-8")  # newer than every project file
    assert parsed_project_dir(manifest) == (home / "old-checkout" / "dbt_project").resolve()

    ensure_manifest()

    assert parsed_project_dir(manifest) == settings.DBT_PROJECT_DIR.resolve()


def test_a_project_file_newer_than_the_manifest_is_parsed_again_and_what_dbt_writes_is_not(home):
    manifest = dbt_target_path() / "manifest.json"
    ensure_manifest()
    parsed_at = manifest.stat().st_mtime_ns
    written = settings.DBT_PROJECT_DIR / "logs" / "written-by-a-dbt-run.sql"  # dbt's own output folder
    written.parent.mkdir(exist_ok=True)
    written.write_text("select 1")
    later = manifest.stat().st_mtime + 60
    try:
        os.utime(written, (later, later))
        ensure_manifest()
        assert manifest.stat().st_mtime_ns == parsed_at  # not parsed again

        model = next((settings.DBT_PROJECT_DIR / "models" / "marts").glob("*.sql"))
        saved = model.stat()
        os.utime(model, (later, later))
        try:
            ensure_manifest()
        finally:
            os.utime(model, ns=(saved.st_atime_ns, saved.st_mtime_ns))
        assert manifest.stat().st_mtime_ns != parsed_at  # parsed again
    finally:
        written.unlink()
