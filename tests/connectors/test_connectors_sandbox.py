"""The four connectors against the real sandbox over loopback: counts, faults, auth, secrets."""

from __future__ import annotations

import dataclasses
import json
import logging

import pytest
import requests
from decimal import Decimal

from connectors.errors import AuthError, ConfigError, ConnectorError

from .conftest import Clients, END_DATE, env_of

pytest.importorskip("connectors.sandbox")
from connectors.sandbox import SandboxCredentials, SandboxServer  # noqa: E402

STREAMS = ("calltouch/calls", "yandex_direct/campaign_stats", "yandex_metrika/visits",
           "amocrm/leads", "amocrm/contacts")
FAULT_KINDS = ("429", "500", "502", "503", "drop", "slow", "truncate")


@pytest.mark.parametrize("stream", STREAMS)
def test_records_per_day_equal_ground_truth_counts(fault_free, truth, days, stream):
    got = {day.isoformat(): len(fault_free[day][stream]) for day in days}
    expected = {day.isoformat(): truth[day.isoformat()][stream] for day in days}
    assert got == expected
    assert sum(got.values()) > 0, "the small world should have data for every stream"


def test_records_carry_typed_fields_and_json_payload(fault_free, days):
    day = days[-1]
    for stream in STREAMS:
        for record in fault_free[day][stream][:20]:
            assert isinstance(json.loads(record["_payload"]), dict)
            assert all(value != "" for value in record.values()), "empty strings must become None"
    call = fault_free[day]["calltouch/calls"][0]
    assert call["started_at_local"].tzinfo is None and call["started_at_local"].date() == day
    lead = fault_free[day]["amocrm/leads"][0]
    assert lead["updated_at"].utcoffset().total_seconds() == 0


def test_calltouch_recording_url_and_payload_never_keep_the_token(fault_free, server, days):
    token = env_of(server)["CALLTOUCH_API_TOKEN"]
    calls = [c for day in days for c in fault_free[day]["calltouch/calls"]]
    recorded = [c for c in calls if c["recording_url"]]
    assert recorded, "some sandbox calls should have a recording"
    for call in calls:
        assert token not in (call["recording_url"] or "") and "clientApiId" not in (call["recording_url"] or "")
        assert token not in call["_payload"] and "clientApiId" not in call["_payload"]


def _metrika_log_requests(env: dict) -> list[dict]:
    url = f"{env['YANDEX_METRIKA_API_URL']}/management/v1/counter/{env['YANDEX_METRIKA_COUNTER_ID']}/logrequests"
    response = requests.get(url, headers={"Authorization": f"OAuth {env['YANDEX_METRIKA_TOKEN']}"}, timeout=5)
    return response.json()["requests"]


def _host_neutral(records: list[dict], url: str) -> list[dict]:
    """Records with the server's own address (it differs per server: recording/self links) masked."""
    return [{k: v.replace(url, "<sandbox>") if isinstance(v, str) else v for k, v in r.items()} for r in records]


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_each_fault_kind_at_high_rate_yields_the_same_records(world, server, fault_free, kind, caplog):
    day = END_DATE
    with caplog.at_level(logging.WARNING, logger="connectors"), \
            SandboxServer(world, port=0, fault_rate=0.6, fault_kinds=[kind], fault_seed=3,
                          slow_seconds=1.5) as faulty:
        env = env_of(faulty)
        got = Clients(env).fetch_day(day)
    for stream in STREAMS:
        assert _host_neutral(got[stream], faulty.url) == _host_neutral(fault_free[day][stream], server.url), stream
    assert faulty.stats["faults"].get(kind, 0) > 0
    log_requests = _metrika_log_requests(env)
    assert [(r["date1"], r["status"]) for r in log_requests] == [(day.isoformat(), "cleaned_by_user")], \
        "a retried create must not leave a second log request behind"
    assert any("retrying" in r.getMessage() for r in caplog.records), "faults should have been retried"
    secrets = [env[k] for k in env if k.endswith("TOKEN")]
    for record in caplog.records:
        assert not any(s in record.getMessage() for s in secrets)


@pytest.mark.parametrize("source", ["calltouch", "direct", "metrika", "amocrm"])
def test_bad_token_raises_auth_error_naming_source_without_retry_or_token(server, source):
    bad = "bad-token-XYZ987"
    clients = Clients(env_of(server), CALLTOUCH_API_TOKEN=bad, YANDEX_DIRECT_TOKEN=bad,
                      YANDEX_METRIKA_TOKEN=bad, AMOCRM_TOKEN=bad)
    client = getattr(clients, source)
    stream = {"calltouch": client.calls if source == "calltouch" else None,
              "direct": getattr(client, "campaign_stats", None),
              "metrika": getattr(client, "visits", None),
              "amocrm": getattr(client, "leads", None)}[source]
    with pytest.raises(AuthError) as info:
        list(stream(END_DATE))
    err = info.value
    assert str(err).startswith(f"{client.source}: ") and "Fix: set " in str(err)
    assert "\n" not in str(err) and bad not in str(err) and bad not in repr(err.args)
    assert client.http.requests_sent == 1, "an auth error must not be retried"


def test_unknown_calltouch_site_is_a_config_error(server):
    clients = Clients(env_of(server), CALLTOUCH_SITE_ID="999999999")
    with pytest.raises(ConfigError, match="CALLTOUCH_SITE_ID"):
        list(clients.calltouch.calls(END_DATE))


def test_unknown_metrika_counter_is_a_config_error(server):
    clients = Clients(env_of(server), YANDEX_METRIKA_COUNTER_ID="1")
    with pytest.raises(ConfigError, match="YANDEX_METRIKA_COUNTER_ID"):
        list(clients.metrika.visits(END_DATE))


def test_unreachable_source_error_redacts_the_calltouch_token(server):
    env = env_of(server)
    clients = Clients({**env, "CALLTOUCH_API_URL": "http://127.0.0.1:9"})
    with pytest.raises(ConnectorError) as info:
        list(clients.calltouch.calls(END_DATE))
    assert env["CALLTOUCH_API_TOKEN"] not in str(info.value)
    assert info.value.__context__ is None or env["CALLTOUCH_API_TOKEN"] not in str(info.value.__context__)


def test_direct_money_in_currency_equals_micros_converted(server, fault_free):
    env = env_of(server)
    micros = fault_free[END_DATE]["yandex_direct/campaign_stats"]
    clients = Clients(env)
    clients.direct.config = dataclasses.replace(clients.direct.config, money_in_micros=False)
    currency = list(clients.direct.campaign_stats(END_DATE))
    assert [r["cost"] for r in currency] == [r["cost"] for r in micros]
    assert all(r["cost"] == r["cost"].quantize(Decimal("0.01")) for r in currency)


def test_direct_unknown_client_login_is_a_config_error(server):
    clients = Clients(env_of(server), YANDEX_DIRECT_CLIENT_LOGIN="nobody")
    with pytest.raises(ConfigError, match="YANDEX_DIRECT_CLIENT_LOGIN"):
        list(clients.direct.campaign_stats(END_DATE))


def test_amocrm_unpaid_account_is_a_config_error(world):
    with SandboxServer(world, port=0, credentials=SandboxCredentials(amocrm_paid=False)) as unpaid:
        clients = Clients(env_of(unpaid))
        with pytest.raises(ConfigError, match="not paid"):
            list(clients.amocrm.leads(END_DATE))
