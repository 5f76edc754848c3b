"""Running dbt (and other commands) as a child process, timed, with the peak RSS of its process tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from orchestration.settings import DBT_PROJECT_DIR


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    returncode: int
    output: str = ""
    extra: dict = field(default_factory=dict)


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def measure(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 7200, poll: float = 0.05) -> Measured:
    """Run ``command``; wall time and the peak summed RSS of it and its children (sampled)."""
    out_path = Path(f"/tmp/.bench-{os.getpid()}-{time.monotonic_ns()}.log")
    with open(out_path, "w+", encoding="utf-8") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            try:
                root = psutil.Process(proc.pid)
            except psutil.Error:
                return
            while not done.is_set():
                try:
                    total = root.memory_info().rss
                    for child in root.children(recursive=True):
                        try:
                            total += child.memory_info().rss
                        except psutil.Error:
                            pass
                    peak = max(peak, total)
                except psutil.Error:
                    return
                done.wait(poll)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            returncode = proc.wait()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        out.seek(0)
        text = out.read()
    out_path.unlink(missing_ok=True)
    return Measured(seconds, peak / 2**20, returncode, text)


def dbt_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ, ATTRIBUTION_HOME=str(home), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    env.setdefault("ATTRIBUTION_TIMEZONE", "Europe/Moscow")
    env.pop("DBT_PROFILES_DIR", None)
    for name in ("ATTRIBUTION_RUN_START_DATE", "ATTRIBUTION_RUN_END_DATE", "ATTRIBUTION_AS_OF_DATE"):
        env.pop(name, None)  # a run window only when the caller gives one
    env.update(extra or {})
    return env


def dbt(home: Path, *args: str, vars: dict | None = None, target: Path | None = None,
        env: dict[str, str] | None = None, check: bool = True) -> Measured:
    """`dbt <args>` on the project against the warehouse in ``home``, with a private target and log path."""
    home = Path(home).resolve()  # dbt resolves a relative --target-path from the project folder, not from here
    target = Path(target).resolve() if target else home / "dbt_target"
    command = [
        dbt_executable(), *args,
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target), "--log-path", str(home / "dbt_logs"),
    ]
    if vars:
        command += ["--vars", json.dumps(vars)]
    result = measure(command, env=dbt_env(home, env))
    if check and result.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{result.output[-6000:]}")
    run_results = target / "run_results.json"
    if run_results.exists():
        data = json.loads(run_results.read_text())
        result.extra["elapsed"] = data.get("elapsed_time")
        result.extra["nodes"] = {
            r["unique_id"]: r.get("execution_time", 0.0) for r in data.get("results", [])
        }
    return result
