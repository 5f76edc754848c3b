from datetime import date

import pytest

from connectors.sandbox import SandboxServer, World

END = date(2026, 3, 31)


@pytest.fixture(scope="session")
def small_world() -> World:
    return World(seed=7, end_date=END, days=6, scale=0.3)


@pytest.fixture(scope="session")
def server(small_world):
    with SandboxServer(small_world) as srv:
        yield srv
