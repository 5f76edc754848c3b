"""Shared fixtures: a small simulated world served over loopback, and a pipeline run against it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.support import environment

E2E_END = date(2026, 10, 31)
E2E_DAYS = 10
E2E_SCALE = 0.4


VENDOR_VARIABLES = (
    "CALLTOUCH_API_URL", "CALLTOUCH_SITE_ID", "CALLTOUCH_API_TOKEN",
    "YANDEX_DIRECT_API_URL", "YANDEX_DIRECT_TOKEN", "YANDEX_DIRECT_CLIENT_LOGIN",
    "YANDEX_METRIKA_API_URL", "YANDEX_METRIKA_TOKEN", "YANDEX_METRIKA_COUNTER_ID",
    "AMOCRM_API_URL", "AMOCRM_TOKEN", "ATTRIBUTION_PII_SALT", "DAGSTER_HOME",
)


@dataclass
class PipelineRun:
    home: Path
    world: object
    truth: dict
    report: object
    start: date
    end: date

    def landing(self, source: str, stream: str, day: date) -> Path:
        return self.home / "landing" / source / stream / f"{day.isoformat()}.parquet"


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory) -> Iterator[PipelineRun]:
    """One full `run` (land, build, publish) of a small world, shared by the end-to-end tests."""
    from connectors.sandbox import SandboxCredentials, SandboxServer, World, sandbox_env
    from orchestration.runner import run_range

    home = tmp_path_factory.mktemp("attribution_home")
    start = E2E_END - timedelta(days=E2E_DAYS - 1)
    world = World(seed=11, end_date=E2E_END, days=E2E_DAYS, scale=E2E_SCALE, timezone="Europe/Moscow")
    credentials = SandboxCredentials()
    with SandboxServer(world, port=0, credentials=credentials) as server:
        env = sandbox_env(server.url, credentials, "Europe/Moscow")
        env.update({"ATTRIBUTION_HOME": str(home), "ATTRIBUTION_HTTP_TIMEOUT": "5"})
        with environment(env, unset=("DAGSTER_HOME",)):
            report = run_range(start, E2E_END)
            yield PipelineRun(home, world, world.ground_truth(), report, start, E2E_END)
