"""The dbt process a CLI run starts ahead: its client behaves exactly like `dbt`, used or not."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.warehouse import warm_dbt

pytestmark = pytest.mark.skipif(not warm_dbt.supported(), reason="needs Unix sockets with descriptor passing")

DBT = str(Path(sys.executable).parent / "dbt")
CLIENT = [sys.executable, "-m", "orchestration.warehouse.warm_dbt"]


def _run(cmd: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def _gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return True
        if "\nState:\tZ" in state:  # ended, not yet reaped by whoever adopted it
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def warm(monkeypatch):
    monkeypatch.delenv(warm_dbt.SOCKET_ENV, raising=False)
    process = warm_dbt.start()
    yield process
    warm_dbt.stop(process)
    monkeypatch.delenv(warm_dbt.SOCKET_ENV, raising=False)


def test_the_client_runs_dbt_in_the_waiting_process_then_runs_dbt_itself(warm, tmp_path):
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    assert warm_dbt.command() == CLIENT  # what dagster-dbt is given while a process waits
    first = _run([*CLIENT, "--version"], env, tmp_path)
    assert warm.wait(timeout=60) == 0  # the waiting process ran it and ended
    assert not Path(env[warm_dbt.SOCKET_ENV]).exists()

    second = _run([*CLIENT, "--version"], env, tmp_path)  # nothing waits any more: dbt in the client
    direct = _run([DBT, "--version"], env, tmp_path)
    assert first.returncode == second.returncode == direct.returncode == 0
    assert "Core:" in first.stdout and first.stdout == second.stdout == direct.stdout


def test_dbts_failure_reaches_the_caller_with_its_exit_code_and_output(warm, tmp_path):
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    args = ["ls", "--project-dir", str(tmp_path / "no-such-project")]
    through_warm = _run([*CLIENT, *args], env, tmp_path)
    direct = _run([DBT, *args], env, tmp_path)
    assert warm.wait(timeout=60) == direct.returncode != 0
    assert through_warm.returncode == direct.returncode
    assert "no-such-project" in through_warm.stdout + through_warm.stderr


def test_a_waiting_process_ends_with_the_cli_that_started_it(tmp_path):
    code = "from orchestration.warehouse import warm_dbt; print(warm_dbt.start().pid)"
    started = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert _gone(int(started.stdout), seconds=30)


def test_without_a_waiting_process_the_client_is_dbt(monkeypatch, tmp_path):
    monkeypatch.delenv(warm_dbt.SOCKET_ENV, raising=False)
    assert warm_dbt.command() == CLIENT  # the schedule's and the UI's runs: dbt runs in the client
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    args = ["ls", "--project-dir", str(tmp_path / "no-such-project")]
    client, direct = _run([*CLIENT, *args], env, tmp_path), _run([DBT, *args], env, tmp_path)
    assert client.returncode == direct.returncode != 0
    assert "no-such-project" in client.stdout + client.stderr
