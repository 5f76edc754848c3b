"""Fixtures: a small sandbox world served over loopback, and connector clients pointed at it."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from connectors.amocrm import AmocrmClient, AmocrmConfig
from connectors.calltouch import CalltouchClient, CalltouchConfig
from connectors.http import HttpSettings
from connectors.yandex_direct import YandexDirectClient, YandexDirectConfig
from connectors.yandex_metrika import YandexMetrikaClient, YandexMetrikaConfig

sandbox = pytest.importorskip("connectors.sandbox")
from connectors.sandbox import SandboxServer, World, sandbox_env  # noqa: E402

END_DATE = date(2026, 10, 3)
DAYS = 3
TIMEZONE = "Europe/Moscow"

# Tight settings so faults cost milliseconds: read timeout below the sandbox's slow answer,
# tiny backoff, and wait hints (Retry-After: 1, retryIn) capped low.
FAST = HttpSettings(connect_timeout=2.0, read_timeout=1.0, max_attempts=8, max_total_seconds=60.0,
                    backoff_base=0.01, backoff_max=0.05, max_wait_hint=0.05)


@pytest.fixture(scope="session")
def world():
    return World(seed=7, end_date=END_DATE, days=DAYS, scale=0.3, timezone=TIMEZONE)


@pytest.fixture(scope="session")
def days():
    return [END_DATE - timedelta(days=i) for i in reversed(range(DAYS))]


@pytest.fixture(scope="session")
def truth(world):
    return world.ground_truth()["counts"]


@pytest.fixture(scope="session")
def server(world):
    with SandboxServer(world, port=0) as srv:
        yield srv


class Clients:
    """The four connectors configured from the sandbox's environment variables."""

    def __init__(self, env: dict, settings: HttpSettings = FAST, **token_overrides):
        env = {**env, **token_overrides}
        self.calltouch = CalltouchClient(CalltouchConfig(
            site_id=env["CALLTOUCH_SITE_ID"], api_token=env["CALLTOUCH_API_TOKEN"],
            base_url=env["CALLTOUCH_API_URL"], timezone=TIMEZONE, requests_per_second=None), settings)
        self.direct = YandexDirectClient(YandexDirectConfig(
            token=env["YANDEX_DIRECT_TOKEN"], client_login=env.get("YANDEX_DIRECT_CLIENT_LOGIN") or None,
            base_url=env["YANDEX_DIRECT_API_URL"], timezone=TIMEZONE, poll_interval=0.05,
            max_poll_seconds=30, requests_per_second=None), settings)
        self.metrika = YandexMetrikaClient(YandexMetrikaConfig(
            counter_id=env["YANDEX_METRIKA_COUNTER_ID"], token=env["YANDEX_METRIKA_TOKEN"],
            base_url=env["YANDEX_METRIKA_API_URL"], timezone=TIMEZONE, poll_interval=0.05,
            max_poll_seconds=30, requests_per_second=None), settings)
        self.amocrm = AmocrmClient(AmocrmConfig(
            base_url=env["AMOCRM_API_URL"], token=env["AMOCRM_TOKEN"], timezone=TIMEZONE,
            requests_per_second=None), settings)

    def fetch_day(self, day: date) -> dict[str, list[dict]]:
        leads = list(self.amocrm.leads(day))
        return {
            "calltouch/calls": list(self.calltouch.calls(day)),
            "yandex_direct/campaign_stats": list(self.direct.campaign_stats(day)),
            "yandex_metrika/visits": list(self.metrika.visits(day)),
            "amocrm/leads": leads,
            "amocrm/contacts": list(self.amocrm.contacts_for_day(day, leads)),
        }


def env_of(server) -> dict:
    return dict(sandbox_env(server.url))


@pytest.fixture(scope="session")
def make_clients():
    """Factory: `make_clients(server_or_env, **env_overrides)` -> the four clients pointed at it."""
    return lambda target, **overrides: Clients(target if isinstance(target, dict) else env_of(target), **overrides)


@pytest.fixture(scope="session")
def sandbox_env_of():
    return env_of


@pytest.fixture(scope="session")
def end_date():
    return END_DATE


@pytest.fixture(scope="session")
def clients(server, make_clients):
    return make_clients(server)


@pytest.fixture(scope="session")
def fault_free(clients, days):
    return {day: clients.fetch_day(day) for day in days}


def settings_with(**changes) -> HttpSettings:
    return dataclasses.replace(FAST, **changes)
