"""The sandbox speaks each vendor's wire format, auth errors and faults (plain HTTP clients only)."""

import http.client
import json
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
import requests

from connectors.sandbox import SandboxCredentials, SandboxServer, World, sandbox_env
from connectors.sandbox.faults import FaultPlan
from connectors.sandbox.world import METRIKA_FIELDS

CT = "/calls-service/RestAPI/{site}/calls-diary/calls"
METRIKA = "/management/v1/counter/{counter}"
DIRECT_HEADERS = {"Authorization": "Bearer sandbox-direct-token", "Client-Login": "sandbox-client"}
AMO_HEADERS = {"Authorization": "Bearer sandbox-amocrm-token"}
METRIKA_HEADERS = {"Authorization": "OAuth sandbox-metrika-token"}


def ct_params(day, **extra):
    d = day.strftime("%d/%m/%Y")
    return {"clientApiId": "sandbox-calltouch-token", "dateFrom": d, "dateTo": d, "page": 1, "limit": 1000,
            "withYandexDirect": "true", **extra}


def direct_body(day, name="stats", to=None):
    return {"params": {"SelectionCriteria": {"DateFrom": day.isoformat(), "DateTo": (to or day).isoformat()},
                       "FieldNames": ["Date", "CampaignId", "CampaignName", "Impressions", "Clicks", "Cost"],
                       "ReportName": name, "ReportType": "CAMPAIGN_PERFORMANCE_REPORT",
                       "DateRangeType": "CUSTOM_DATE", "Format": "TSV", "IncludeVAT": "NO", "IncludeDiscount": "NO"}}


def direct_report(url, body, **headers):
    for _ in range(5):
        r = requests.post(url + "/json/v5/reports", json=body, headers={**DIRECT_HEADERS, **headers}, timeout=10)
        if r.status_code == 200:
            return r
        assert r.status_code in (201, 202) and r.headers["retryIn"] == "1"
    raise AssertionError("report never became ready")


def metrika_rows(url, day1, day2):
    base = url + METRIKA.format(counter="12345678")
    params = {"date1": day1.isoformat(), "date2": day2.isoformat(), "fields": ",".join(METRIKA_FIELDS),
              "source": "visits", "attribution": "LAST"}
    created = requests.post(base + "/logrequests", params=params, headers=METRIKA_HEADERS, timeout=10).json()
    rid = created["log_request"]["request_id"]
    assert created["log_request"]["status"] == "created"
    info = requests.get(f"{base}/logrequest/{rid}", headers=METRIKA_HEADERS, timeout=10).json()["log_request"]
    assert info["status"] == "processed"
    rows = []
    for part in info["parts"]:
        text = requests.get(f"{base}/logrequest/{rid}/part/{part['part_number']}/download",
                            headers=METRIKA_HEADERS, timeout=10).text
        lines = text.rstrip("\n").split("\n")
        assert lines[0].split("\t") == list(METRIKA_FIELDS)
        rows += lines[1:]
    cleaned = requests.post(f"{base}/logrequest/{rid}/clean", headers=METRIKA_HEADERS, timeout=10).json()
    assert cleaned["log_request"]["status"] == "cleaned_by_user"
    return rows, info


def amo_all(url, path, params):
    rows, next_url, params = [], url + path, dict(params)
    while next_url:
        r = requests.get(next_url, params=params, headers=AMO_HEADERS, timeout=10)
        if r.status_code == 204:
            break
        page = r.json()
        rows += page["_embedded"][path.rsplit("/", 1)[1]]
        next_url, params = page["_links"].get("next", {}).get("href"), None
    return rows


# ---- auth and errors -----------------------------------------------------------------
def test_calltouch_rejects_wrong_token_and_unknown_site(server, small_world):
    day = small_world.end_date
    r = requests.get(server.url + CT.format(site="54321"), params=ct_params(day, clientApiId="nope"))
    assert r.status_code == 401 and r.json()["message"] == "Invalid clientApiId"
    r = requests.get(server.url + CT.format(site="999"), params=ct_params(day))
    assert r.status_code == 404 and r.json()["error"] == "Not Found"


def test_direct_rejects_wrong_token_and_unknown_client_login(server, small_world):
    body = direct_body(small_world.end_date)
    r = requests.post(server.url + "/json/v5/reports", json=body, headers={"Authorization": "Bearer bad"})
    assert r.status_code == 400 and r.json()["error"]["error_code"] == 53
    r = requests.post(server.url + "/json/v5/reports", json=body, headers={**DIRECT_HEADERS, "Client-Login": "x"})
    assert r.status_code == 400 and r.json()["error"]["error_code"] == 8800


def test_metrika_rejects_wrong_token_and_foreign_counter(server):
    r = requests.get(server.url + METRIKA.format(counter="12345678") + "/logrequests",
                     headers={"Authorization": "OAuth bad"})
    assert r.status_code == 401 and r.json()["errors"][0]["error_type"] == "unauthorized"
    r = requests.get(server.url + METRIKA.format(counter="1") + "/logrequests", headers=METRIKA_HEADERS)
    assert r.status_code == 403 and r.json()["errors"][0]["error_type"] == "access_denied"


def test_amocrm_rejects_wrong_token_and_unpaid_account(server, small_world):
    r = requests.get(server.url + "/api/v4/leads", headers={"Authorization": "Bearer bad"})
    assert r.status_code == 401 and r.json()["title"] == "Unauthorized"
    unpaid = SandboxCredentials(amocrm_paid=False)
    with SandboxServer(small_world, credentials=unpaid) as srv:
        assert requests.get(srv.url + "/api/v4/leads", headers=AMO_HEADERS).status_code == 402


# ---- flows -----------------------------------------------------------------------------
def test_direct_auto_mode_builds_some_reports_offline(server, small_world):
    day = small_world.end_date
    seen = []
    for i in range(9):
        r = requests.post(server.url + "/json/v5/reports", json=direct_body(day, f"offline-{i}"),
                          headers={**DIRECT_HEADERS, "processingMode": "auto"})
        seen.append(r.status_code)
        if r.status_code == 201:
            r2 = requests.post(server.url + "/json/v5/reports", json=direct_body(day, f"offline-{i}"),
                               headers={**DIRECT_HEADERS, "processingMode": "auto"})
            assert r2.status_code == 202 and r2.headers["retryIn"] == "1"
            assert direct_report(server.url, direct_body(day, f"offline-{i}")).status_code == 200
    assert 201 in seen and 200 in seen


def test_direct_tsv_has_title_header_rows_and_total_in_micros_or_currency(server, small_world):
    day = small_world.end_date
    lines = direct_report(server.url, direct_body(day, "fmt")).text.rstrip("\n").split("\n")
    assert lines[0] == f'"fmt ({day} - {day})"'
    assert lines[1] == "Date\tCampaignId\tCampaignName\tImpressions\tClicks\tCost"
    assert lines[-1] == f"Total rows: {len(lines) - 3}"
    micros = [int(line.split("\t")[5]) for line in lines[2:-1]]
    money = direct_report(server.url, direct_body(day, "fmt"), returnMoneyInMicros="false").text
    currency = [line.split("\t")[5] for line in money.rstrip("\n").split("\n")[2:-1]]
    assert currency == [f"{m / 1_000_000:.2f}" for m in micros]


def test_metrika_log_request_workflow_splits_big_days_into_parts():
    world = World(seed=7, end_date=datetime(2026, 3, 31).date(), days=3)
    with SandboxServer(world) as srv:
        rows, info = metrika_rows(srv.url, world.start_date, world.end_date)
    assert len(info["parts"]) >= 2
    assert len(rows) == sum(len(world.metrika_visits(d)) for d in world.window_days())


def test_amocrm_empty_result_is_204_without_body(server):
    r = requests.get(server.url + "/api/v4/leads", params={"filter[updated_at][from]": 1, "filter[updated_at][to]": 2},
                     headers=AMO_HEADERS)
    assert r.status_code == 204 and r.content == b""


def test_amocrm_pages_follow_next_links_to_the_end(server):
    rows = amo_all(server.url, "/api/v4/leads", {"with": "contacts", "limit": 7, "order[updated_at]": "asc"})
    assert len(rows) == len({r["id"] for r in rows}) > 7
    assert all("contacts" in r["_embedded"] for r in rows)


# ---- faults ----------------------------------------------------------------------------
def test_a_request_never_fails_more_than_three_times_in_a_row():
    plan = FaultPlan(rate=1.0, seed=5)
    outcomes = [plan.decide("GET|/x") for _ in range(8)]
    assert outcomes[3] is None and outcomes[7] is None and all(outcomes[:3]) and all(outcomes[4:7])
    again = FaultPlan(rate=0.4, seed=9)
    other = FaultPlan(rate=0.4, seed=9)
    assert [again.decide(f"k{i}") for i in range(50)] == [other.decide(f"k{i}") for i in range(50)]


def test_server_fault_streak_is_capped_and_429_carries_retry_after(small_world):
    with SandboxServer(small_world, fault_rate=1.0, fault_kinds=["429"]) as srv:
        url = srv.url + "/api/v4/leads"
        first = requests.get(url, headers=AMO_HEADERS)
        assert first.status_code == 429 and first.headers["Retry-After"] == "1"
        statuses = [first.status_code] + [requests.get(url, headers=AMO_HEADERS).status_code for _ in range(3)]
        assert statuses == [429, 429, 429, 200]
        assert srv.stats["faults"] == {"429": 3}


def test_truncated_body_breaks_the_read(small_world):
    with SandboxServer(small_world, fault_rate=1.0, fault_kinds=["truncate"]) as srv:
        host, port = urlsplit(srv.url).hostname, urlsplit(srv.url).port
        conn = http.client.HTTPConnection(host, port, timeout=5)
        conn.request("GET", "/api/v4/leads?limit=50", headers=AMO_HEADERS)
        resp = conn.getresponse()
        assert resp.status == 200 and int(resp.getheader("Content-Length")) > 0
        with pytest.raises(http.client.IncompleteRead):
            resp.read()
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            requests.get(srv.url + "/api/v4/leads?limit=50", headers=AMO_HEADERS).content  # noqa: B018


def test_dropped_connection_and_slow_answer_fail_the_client(small_world):
    with SandboxServer(small_world, fault_rate=1.0, fault_kinds=["drop"]) as srv:
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(srv.url + "/api/v4/leads", headers=AMO_HEADERS, timeout=5)
    with SandboxServer(small_world, fault_rate=1.0, fault_kinds=["slow"], slow_seconds=1.0) as srv:
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(srv.url + "/api/v4/leads", headers=AMO_HEADERS, timeout=0.3)


# ---- ground truth ------------------------------------------------------------------------
def test_ground_truth_counts_equal_what_the_server_returns_per_day(server, small_world):
    truth = small_world.ground_truth()
    tz = small_world.tz
    for day in small_world.window_days():
        expected = truth["counts"][day.isoformat()]
        calls = requests.get(server.url + CT.format(site="54321"), params=ct_params(day)).json()
        assert calls["recordsTotal"] == len(calls["records"]) == expected["calltouch/calls"]
        tsv = direct_report(server.url, direct_body(day, f"gt-{day}")).text.rstrip("\n").split("\n")
        assert len(tsv) - 3 == expected["yandex_direct/campaign_stats"]
        rows, _ = metrika_rows(server.url, day, day)
        assert len(rows) == expected["yandex_metrika/visits"]
        lo = int(datetime.combine(day, time(), tz).timestamp())
        hi = int(datetime.combine(day + timedelta(days=1), time(), tz).timestamp()) - 1
        leads = amo_all(server.url, "/api/v4/leads", {"with": "contacts", "limit": 250, "order[updated_at]": "asc",
                                                       "filter[updated_at][from]": lo, "filter[updated_at][to]": hi})
        assert len(leads) == expected["amocrm/leads"]
        ids = sorted({c["id"] for lead in leads for c in lead["_embedded"]["contacts"]})
        contacts = amo_all(server.url, "/api/v4/contacts", {"filter[id][]": ids, "limit": 250}) if ids else []
        records = sum(max(1, len((c["custom_fields_values"] or [{"values": []}])[0]["values"])) for c in contacts)
        assert records == expected["amocrm/contacts"]


def test_sandbox_env_points_every_source_at_the_server(server):
    env = sandbox_env(server.url, SandboxCredentials(), "Europe/Moscow")
    assert {env[k] for k in ("CALLTOUCH_API_URL", "YANDEX_DIRECT_API_URL", "YANDEX_METRIKA_API_URL",
                             "AMOCRM_API_URL")} == {server.url}
    assert env["ATTRIBUTION_HTTP_TIMEOUT"] == "5" and json.dumps(env)
