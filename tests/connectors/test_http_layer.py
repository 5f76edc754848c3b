"""The shared HTTP layer on its own: redaction, error text, retry policy, pagination, parsers."""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from decimal import Decimal

import pytest

from connectors.errors import (
    AuthError, ConfigError, RetriableError, SourceUnavailableError, redact_text, redact_url, strip_secret_params,
)
from connectors.http import HttpSettings, parse_retry_after
from connectors.pagination import NextLinkPaginator, PageNumberPaginator, ReportNotReady, ReportPoller
from connectors.ratelimit import RateLimiter
from connectors.retry import RetryPolicy
from connectors.yandex_direct import parse_report
from connectors.records import local_datetime_or_none, payload_json
from connectors.yandex_metrika import FIELDS, parse_part, parse_visit


def test_redact_url_hides_client_api_id_value():
    url = "http://127.0.0.1:1/calls-service/RestAPI/1/calls-diary/calls?clientApiId=SECRET123&page=2"
    assert "SECRET123" not in redact_url(url)
    assert "page=2" in redact_url(url)


def test_strip_secret_params_removes_the_token_and_keeps_other_params():
    url = "https://h/calls/5/download?clientApiId=SECRET123&format=mp3"
    assert strip_secret_params(url) == "https://h/calls/5/download?format=mp3"
    assert strip_secret_params("https://h/calls/5/download?clientApiId=SECRET123") == "https://h/calls/5/download"


def test_redact_text_hides_tokens_in_requests_exception_text_and_auth_headers():
    text = ("HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: "
            "/x?clientApiId=SECRET123 (Caused by ...) Authorization: Bearer abcdefgh12345")
    out = redact_text(text, secrets=["abcdefgh12345"])
    assert "SECRET123" not in out and "abcdefgh12345" not in out


def test_error_text_is_one_line_naming_source_and_fix():
    err = AuthError("calltouch", "the API token was rejected (HTTP 401)\nsecond line",
                    "set CALLTOUCH_API_TOKEN to a valid clientApiId token")
    assert str(err) == ("calltouch: the API token was rejected (HTTP 401) second line. "
                        "Fix: set CALLTOUCH_API_TOKEN to a valid clientApiId token.")


def test_retry_after_accepts_seconds():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None


def _policy(**overrides):
    sleeps: list[float] = []
    settings = HttpSettings(**{"backoff_base": 0.01, "backoff_max": 0.05, **overrides})
    return RetryPolicy("demo", settings, sleep=sleeps.append), sleeps


def test_retry_policy_honours_wait_hint_capped_at_max_wait_hint():
    policy, sleeps = _policy(max_wait_hint=2.0)
    calls = iter([RetriableError("demo", "429", wait_hint=1.0), RetriableError("demo", "429", wait_hint=90.0), "ok"])

    def fn():
        item = next(calls)
        if isinstance(item, Exception):
            raise item
        return item

    assert policy.call(fn) == "ok"
    assert sleeps == [1.0, 2.0]


def test_retry_policy_does_not_retry_fatal_errors():
    policy, sleeps = _policy()
    attempts = []

    def fn():
        attempts.append(1)
        raise ConfigError("demo", "bad site id", "fix it")

    with pytest.raises(ConfigError):
        policy.call(fn)
    assert len(attempts) == 1 and sleeps == []


def test_retry_policy_gives_up_after_max_attempts_with_fatal_error():
    policy, sleeps = _policy(max_attempts=3)

    def fn():
        raise RetriableError("demo", "HTTP 503")

    with pytest.raises(SourceUnavailableError, match=r"demo: the API stayed unavailable after 3 attempts"):
        policy.call(fn)
    assert len(sleeps) == 2 and all(0 <= s <= 0.05 for s in sleeps)


def test_page_number_paginator_stops_at_page_total_and_on_empty_day():
    pages = {1: {"pageTotal": 2, "records": [1]}, 2: {"pageTotal": 2, "records": [2]}}
    assert [b["records"] for b in PageNumberPaginator().pages(lambda p: pages[p["page"]])] == [[1], [2]]
    assert len(list(PageNumberPaginator().pages(lambda p: {"pageTotal": 0, "records": []}))) == 1


def test_next_link_paginator_follows_path_of_links_and_stops_on_204():
    seen = []

    def fetch(link):
        seen.append(link)
        if link is None:
            return {"_links": {"next": {"href": "https://other.host/api/v4/leads?page=2"}}}
        return {"_links": {}}

    assert len(list(NextLinkPaginator().pages(fetch))) == 2
    assert seen == [None, "/api/v4/leads?page=2"]
    assert list(NextLinkPaginator().pages(lambda link: None)) == []


def test_report_poller_waits_server_hint_then_times_out():
    sleeps: list[float] = []
    steps = iter([ReportNotReady(0.5), ReportNotReady(None), "done"])

    def step():
        item = next(steps)
        if isinstance(item, Exception):
            raise item
        return item

    assert ReportPoller(interval=0.1, sleep=sleeps.append).run(step, lambda e, n: RuntimeError()) == "done"
    assert sleeps == [0.5, 0.1]

    def never():
        raise ReportNotReady(1.0)

    with pytest.raises(RuntimeError):
        ReportPoller(max_seconds=0.5, sleep=lambda s: None).run(never, lambda e, n: RuntimeError())


def test_rate_limiter_allows_a_burst_then_holds_the_sustained_rate():
    limiter = RateLimiter(50.0, burst=5)
    started = time.monotonic()
    for _ in range(5):
        limiter.acquire()
    assert time.monotonic() - started < 0.05  # the burst goes out at once
    for _ in range(10):
        limiter.acquire()
    assert time.monotonic() - started >= 10 / 50 - 0.02  # then 50 per second


def test_direct_report_in_micros_becomes_currency_and_summary_is_checked():
    text = ('"r (2026-01-01 - 2026-01-01)"\nDate\tCampaignId\tCampaignName\tImpressions\tClicks\tCost\n'
            "2026-01-01\t123\tbrand\t1520\t64\t2310000000\nTotal rows: 1\n")
    [record] = parse_report(text, money_in_micros=True)
    assert record["cost"] == Decimal("2310.000000") and record["campaign_id"] == "123"
    assert record["date"] == date(2026, 1, 1) and record["clicks"] == 64
    with pytest.raises(RetriableError):
        parse_report(text.replace("Total rows: 1", "Total rows: 2"))
    with pytest.raises(RetriableError):
        parse_report(text[: len(text) // 2])


def test_direct_report_in_currency():
    text = ('"r (2026-01-01 - 2026-01-01)"\nDate\tCampaignId\tCampaignName\tImpressions\tClicks\tCost\n'
            "2026-01-01\t123\tbrand\t1520\t64\t2310.5\nTotal rows: 1")
    assert parse_report(text, money_in_micros=False)[0]["cost"] == Decimal("2310.500000")


def test_metrika_part_is_read_by_column_name_and_zero_ids_become_none():
    header = list(reversed(FIELDS))
    row = {f: "" for f in FIELDS}
    row.update({"ym:s:visitID": "7301234567890123456", "ym:s:clientID": "0", "ym:s:dateTime": "2026-01-01 10:05:31",
                "ym:s:lastDirectClickOrder": "0", "ym:s:lastTrafficSource": "direct"})
    text = "\t".join(header) + "\n" + "\t".join(row[f] for f in header) + "\n"
    [visit] = parse_part(text)
    assert visit["visit_id"] == "7301234567890123456"
    assert visit["client_id"] is None and visit["direct_campaign_id"] is None
    assert visit["traffic_source"] == "direct" and visit["utm_source"] is None
    with pytest.raises(RetriableError):
        parse_part(text[: len(text) - 12])


def _metrika_text(*rows: dict, header=FIELDS) -> str:
    lines = ["\t".join(header)] + ["\t".join(row.get(f, "") for f in header) for row in rows]
    return "\n".join(lines) + "\n"


def test_metrika_payload_is_kept_only_for_a_visit_with_an_unreadable_value():
    good = {"ym:s:visitID": "1", "ym:s:dateTime": "2026-01-01 10:05:31", "ym:s:startURL": "https://x.ru/?a=1"}
    missing = {"ym:s:visitID": "2", "ym:s:dateTime": ""}
    unreadable = {"ym:s:visitID": "3", "ym:s:dateTime": "2026-13-01 25:00:00", "ym:s:lastUTMTerm": "tab\\there"}
    visits = parse_part(_metrika_text(good, missing, unreadable))
    assert [v["_payload"] for v in visits[:2]] == [None, None]  # missing time: staging needs no payload
    assert visits[1]["started_at_local"] is None
    kept = json.loads(visits[2]["_payload"])  # the raw row, unescaped, for staging's unparseable_time
    assert kept["ym:s:dateTime"] == "2026-13-01 25:00:00" and kept["ym:s:lastUTMTerm"] == "tab\there"
    assert set(kept) == set(FIELDS)
    assert parse_visit({"ym:s:visitID": "4", "ym:s:dateTime": "yesterday"})["_payload"] is not None
    assert parse_visit({"ym:s:visitID": "4", "ym:s:dateTime": "2026-01-01 10:05:31"})["_payload"] is None


def test_metrika_values_are_unescaped_only_where_the_row_has_backslashes():
    row = {"ym:s:visitID": "5", "ym:s:dateTime": "2026-01-01 10:05:31", "ym:s:startURL": "a\\tb\\\\c\\nd"}
    [visit] = parse_part(_metrika_text(row))
    assert visit["start_url"] == "a\tb\\c\nd"


def test_vendor_timestamps_read_fast_equal_strptime_in_every_shape():
    for text, fmt in [("2026-01-01 10:05:31", "%Y-%m-%d %H:%M:%S"), ("31/01/2026 23:59:59", "%d/%m/%Y %H:%M:%S"),
                      ("2026-1-1 1:5:3", "%Y-%m-%d %H:%M:%S"), ("29/02/2024 00:00:00", "%d/%m/%Y %H:%M:%S")]:
        assert local_datetime_or_none(text, fmt) == datetime.strptime(text, fmt)
    for text in ("2026-02-30 10:05:31", "2026-01-01 24:00:00", "2026-01-01T10:05:31", "2026-01-01", "", " "):
        assert local_datetime_or_none(text, "%Y-%m-%d %H:%M:%S") is None


def test_payload_json_strips_credentials_wherever_they_hide():
    record = {"url": "https://h/x?a=1&ClientApiId=SECRET&b=2", "nested": [{"u": "https://h/?api_key=K"}],
              "plain": "a=b", "n": 1}
    text = payload_json(record)
    assert "SECRET" not in text and "api_key" not in text and '"plain": "a=b"' in text
    assert payload_json({"a": "no parameters here", "b": None}) == '{"a": "no parameters here", "b": null}'
