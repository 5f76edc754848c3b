"""The four connectors against the real sandbox over loopback: counts, faults, auth, secrets."""

from __future__ import annotations

import dataclasses
import json
import logging
from decimal import Decimal

import pytest

from connectors.errors import AuthError, ConfigError, ConnectorError

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
            if stream == "yandex_metrika/visits":  # a readable visit is all in its typed fields
                assert record["_payload"] is None
            else:
                assert isinstance(json.loads(record["_payload"]), dict)
            assert all(value != "" for value in record.values()), "empty strings must become None"
    call = fault_free[day]["calltouch/calls"][0]
    assert call["started_at_local"].tzinfo is None and call["started_at_local"].date() == day
    lead = fault_free[day]["amocrm/leads"][0]
    assert lead["updated_at"].utcoffset().total_seconds() == 0


def test_calltouch_recording_url_and_payload_never_keep_the_token(fault_free, server, sandbox_env_of, days):
    token = sandbox_env_of(server)["CALLTOUCH_API_TOKEN"]
    calls = [c for day in days for c in fault_free[day]["calltouch/calls"]]
    assert any(c["recording_url"] for c in calls), "some sandbox calls should have a recording"
    for call in calls:
        assert token not in (call["recording_url"] or "") and "clientApiId" not in (call["recording_url"] or "")
        assert token not in call["_payload"] and "clientApiId" not in call["_payload"]


def _metrika_log_requests(clients) -> list[dict]:
    """The counter's log requests, listed through the connector's own (retrying) HTTP client."""
    http = clients.metrika.http
    return http.request("GET", f"{clients.metrika.prefix}/logrequests", parse=lambda r: r.json())["requests"]


def _host_neutral(records: list[dict], url: str) -> list[dict]:
    """Records with the server's own address (it differs per server: recording/self links) masked."""
    return [{k: v.replace(url, "<sandbox>") if isinstance(v, str) else v for k, v in r.items()} for r in records]


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_each_fault_kind_at_high_rate_yields_the_same_records(world, server, fault_free, end_date, make_clients,
                                                              sandbox_env_of, kind, caplog):
    with caplog.at_level(logging.WARNING, logger="connectors"), \
            SandboxServer(world, port=0, fault_rate=0.6, fault_kinds=[kind], fault_seed=3,
                          slow_seconds=1.5) as faulty:
        env = sandbox_env_of(faulty)
        clients = make_clients(env)
        got = clients.fetch_day(end_date)
        log_requests = _metrika_log_requests(clients)
        faults = faulty.stats["faults"]
    for stream in STREAMS:
        assert _host_neutral(got[stream], faulty.url) == _host_neutral(fault_free[end_date][stream], server.url), \
            stream
    assert faults.get(kind, 0) > 0
    assert [(r["date1"], r["status"]) for r in log_requests] == [(end_date.isoformat(), "cleaned_by_user")], \
        "a retried create must not leave a second log request behind"
    assert any("retrying" in r.getMessage() for r in caplog.records), "faults should have been retried"
    secrets = [env[k] for k in env if k.endswith("TOKEN")]
    for record in caplog.records:
        assert not any(s in record.getMessage() for s in secrets)


@pytest.mark.parametrize("source,stream", [("calltouch", "calls"), ("direct", "campaign_stats"),
                                           ("metrika", "visits"), ("amocrm", "leads")])
def test_bad_token_raises_auth_error_naming_source_without_retry_or_token(server, make_clients, end_date,
                                                                          source, stream):
    bad = "bad-token-XYZ987"
    clients = make_clients(server, CALLTOUCH_API_TOKEN=bad, YANDEX_DIRECT_TOKEN=bad,
                           YANDEX_METRIKA_TOKEN=bad, AMOCRM_TOKEN=bad)
    client = getattr(clients, source)
    with pytest.raises(AuthError) as info:
        list(getattr(client, stream)(end_date))
    err = info.value
    assert str(err).startswith(f"{client.source}: ") and "Fix: set " in str(err)
    assert "\n" not in str(err) and bad not in str(err) and bad not in repr(err.args)
    assert client.http.requests_sent == 1, "an auth error must not be retried"


def test_unknown_calltouch_site_is_a_config_error(server, make_clients, end_date):
    clients = make_clients(server, CALLTOUCH_SITE_ID="999999999")
    with pytest.raises(ConfigError, match="CALLTOUCH_SITE_ID"):
        list(clients.calltouch.calls(end_date))


def test_unknown_metrika_counter_is_a_config_error(server, make_clients, end_date):
    clients = make_clients(server, YANDEX_METRIKA_COUNTER_ID="1")
    with pytest.raises(ConfigError, match="YANDEX_METRIKA_COUNTER_ID"):
        list(clients.metrika.visits(end_date))


def test_unreachable_source_is_a_config_error_without_the_calltouch_token(server, make_clients, sandbox_env_of,
                                                                          end_date):
    env = sandbox_env_of(server)
    clients = make_clients(server, CALLTOUCH_API_URL="http://127.0.0.1:9")
    with pytest.raises(ConfigError, match="CALLTOUCH_API_URL") as info:
        list(clients.calltouch.calls(end_date))
    assert env["CALLTOUCH_API_TOKEN"] not in str(info.value)
    assert info.value.__context__ is None and info.value.__cause__ is None


def test_direct_money_in_currency_equals_micros_converted(server, make_clients, fault_free, end_date):
    micros = fault_free[end_date]["yandex_direct/campaign_stats"]
    clients = make_clients(server)
    clients.direct.config = dataclasses.replace(clients.direct.config, money_in_micros=False)
    currency = list(clients.direct.campaign_stats(end_date))
    assert [r["cost"] for r in currency] == [r["cost"] for r in micros]
    assert all(r["cost"] == r["cost"].quantize(Decimal("0.01")) for r in currency)


def test_direct_unknown_client_login_is_a_config_error(server, make_clients, end_date):
    clients = make_clients(server, YANDEX_DIRECT_CLIENT_LOGIN="nobody")
    with pytest.raises(ConfigError, match="YANDEX_DIRECT_CLIENT_LOGIN"):
        list(clients.direct.campaign_stats(end_date))


def test_amocrm_unpaid_account_is_a_config_error(world, make_clients, end_date):
    with SandboxServer(world, port=0, credentials=SandboxCredentials(amocrm_paid=False)) as unpaid:
        with pytest.raises(ConfigError, match="not paid"):
            list(make_clients(unpaid).amocrm.leads(end_date))


def test_connector_errors_are_one_line(server, make_clients, end_date):
    with pytest.raises(ConnectorError) as info:
        list(make_clients(server, AMOCRM_TOKEN="nope-nope").amocrm.leads(end_date))
    assert "\n" not in str(info.value)


def test_small_pages_and_contact_batches_yield_the_same_records(server, make_clients, fault_free, end_date):
    clients = make_clients(server)
    clients.calltouch.config = dataclasses.replace(clients.calltouch.config, page_limit=7)
    clients.amocrm.config = dataclasses.replace(clients.amocrm.config, page_limit=4)
    assert list(clients.calltouch.calls(end_date)) == fault_free[end_date]["calltouch/calls"]
    leads = list(clients.amocrm.leads(end_date))
    assert leads == fault_free[end_date]["amocrm/leads"]
    contacts = list(clients.amocrm.contacts_for_day(end_date, leads))
    assert sorted(contacts, key=lambda c: (c["contact_id"], c["phone_index"])) == \
        sorted(fault_free[end_date]["amocrm/contacts"], key=lambda c: (c["contact_id"], c["phone_index"]))
    assert clients.calltouch.http.requests_sent > 5 and clients.amocrm.http.requests_sent > 5


def test_a_day_without_data_yields_no_records(server, make_clients, end_date):
    from datetime import timedelta

    quiet = end_date - timedelta(days=30)  # before the small world's window: empty everywhere
    got = make_clients(server).fetch_day(quiet)
    assert {stream: len(records) for stream, records in got.items()} == {stream: 0 for stream in STREAMS}


def test_metrika_visits_as_one_arrow_table_equal_the_visits_as_records(server, make_clients, fault_free, end_date):
    from datetime import timedelta

    import pyarrow as pa

    from connectors.yandex_metrika import RECORD_SCHEMA

    metrika = make_clients(server).metrika
    table = metrika.visits_table(end_date)
    assert table.equals(pa.Table.from_pylist(fault_free[end_date]["yandex_metrika/visits"], schema=RECORD_SCHEMA))
    assert table.num_rows > 100
    assert metrika.visits_table(end_date - timedelta(days=30)).equals(RECORD_SCHEMA.empty_table())
