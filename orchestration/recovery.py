"""Recovering from a CLI run that was killed (SIGKILL, out of memory, power loss).

A run executed in-process by `call-attribution run` that dies stays STARTED in the Dagster
instance for ever, and keeps the slot it held in the `warehouse` pool (limit 1): every later
run would wait for that slot without end. So a CLI run

1. holds an OS lock on `$ATTRIBUTION_HOME/.run.lock` while it runs (`cli_run_lock`); the kernel
   releases it when the process dies, however it dies; a second CLI run on the same home is
   refused with one line instead of racing the first;
2. once it holds the lock, marks every run that an earlier CLI process started (tag
   `CLI_RUN_TAG`) and that is still queued or running as failed, and frees its concurrency
   slots (`reclaim_abandoned_runs`): with the lock free, no CLI process is running them.

Runs launched by `dagster dev` (the schedule, the UI) carry no such tag and are left alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import settings

CLI_RUN_TAG = "call-attribution/launched-by"
CLI_RUN_TAG_VALUE = "cli"
LOCK_NAME = ".run.lock"


@contextmanager
def cli_run_lock(home: Path) -> Iterator[None]:
    """Hold the home's run lock for the block; a SettingsError (one line) if another CLI run holds it."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / LOCK_NAME
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole block
    try:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks here; runs are not guarded against each other
            yield
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise settings.SettingsError(
                f"another `call-attribution run` is using ATTRIBUTION_HOME={home}. "
                "Fix: wait for it to finish (or stop it), then run again."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def cli_run_tags() -> dict[str, str]:
    return {CLI_RUN_TAG: CLI_RUN_TAG_VALUE}


def reclaim_abandoned_runs(instance) -> list[str]:
    """Fail the CLI runs a dead process left queued or running and free their pool slots; their ids.

    Call only while holding `cli_run_lock`: then no live CLI process is running any of them.
    """
    import dagster as dg

    unfinished = [
        dg.DagsterRunStatus.QUEUED,
        dg.DagsterRunStatus.NOT_STARTED,
        dg.DagsterRunStatus.STARTING,
        dg.DagsterRunStatus.STARTED,
        dg.DagsterRunStatus.CANCELING,
    ]
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=unfinished, tags={CLI_RUN_TAG: CLI_RUN_TAG_VALUE})
    )
    reclaimed = []
    for record in records:
        run = record.dagster_run
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        instance.report_run_failed(run, "the `call-attribution run` process running it ended before it finished "
                                        "(killed?); a later run reclaimed its warehouse slot")
        reclaimed.append(run.run_id)
    return reclaimed
