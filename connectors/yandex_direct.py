"""Yandex Direct Reports API v5 -> `yandex_direct/campaign_stats` records (CONTRACTS §1, §2).

Endpoint: POST /json/v5/reports, `Authorization: Bearer`, optional `Client-Login`.
Page strategy: report polling - 201 (queued) / 202 (building) with a `retryIn` header
mean "send the SAME request again later" (same body, same deterministic ReportName) until 200.

Quirks handled here and only here:
- TSV with a title row, a header row, data rows and a `Total rows: N` summary; the
  summary is checked against the data rows (a mismatch = truncated body, fetched again).
- money is integer micros unless `returnMoneyInMicros: false` (then currency, 2 dp); "--" = none.
- error body `{"error": {"error_code", ...}}`: 53 = bad token (answered with HTTP 400 *(assumed)*),
  54 = no rights, 8800 = Client-Login not found *(assumed)*, 9000/"queue" = offline queue full (retry).
- never crashes on a row: a number or date that cannot be read becomes None (kept in `_payload`);
  a ragged row (more or fewer columns than the header) becomes a malformed record with reason
  `ragged_row` (its values cannot be assigned to columns safely), which staging quarantines.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterator

import requests

from .auth import HeaderTokenAuth
from .errors import ApiError, AuthError, ConfigError, ConnectorError, RetriableError, SourceUnavailableError
from .http import HttpClient, HttpSettings, default_classify, error_detail, parse_retry_after
from .pagination import ReportNotReady, ReportPoller
from .ratelimit import limiter_for
from .records import StreamSpec, int_or_none, malformed_record, money_or_none, payload_json, text_or_none

SOURCE = "yandex_direct"
CAMPAIGN_STATS = StreamSpec(
    source=SOURCE,
    name="campaign_stats",
    endpoint="/json/v5/reports",
    primary_key=("date", "campaign_id"),
    cursor_field="date",
)
STREAMS = (CAMPAIGN_STATS,)
REPORT_TYPE = "CAMPAIGN_PERFORMANCE_REPORT"
FIELD_NAMES = ("Date", "CampaignId", "CampaignName", "Impressions", "Clicks", "Cost")
SIX_DP = Decimal("0.000001")
_TOTAL_ROWS = re.compile(r"^Total rows:\s*(\d+)\s*$")


@dataclass(frozen=True)
class YandexDirectConfig:
    token: str = field(repr=False)
    client_login: str | None = None
    base_url: str = "https://api.direct.yandex.com"
    timezone: str = "Europe/Moscow"
    include_vat: bool = True
    money_in_micros: bool = True
    poll_interval: float = 5.0       # used when a 201/202 carries no retryIn
    max_poll_seconds: float = 1800.0  # offline reports normally finish within minutes
    requests_per_second: float | None = 2.0


class YandexDirectClient:
    source = SOURCE
    streams = STREAMS
    auth_kind = "Authorization: Bearer"

    def __init__(self, config: YandexDirectConfig, settings: HttpSettings | None = None, *, sleep=None):
        self.config = config
        self.http = HttpClient(
            SOURCE, config.base_url, settings,
            auth=HeaderTokenAuth(config.token, "Bearer"),
            limiter=limiter_for(SOURCE, config.client_login or "", config.requests_per_second),
            classify=self._classify,
            url_setting="YANDEX_DIRECT_API_URL",
            **({"sleep": sleep} if sleep else {}),
        )
        self.poller = ReportPoller(interval=config.poll_interval, max_interval=self.http.settings.max_wait_hint,
                                   max_seconds=config.max_poll_seconds, sleep=self.http.sleep)

    def report_name(self, day: date) -> str:
        """Deterministic per (client login, day, options): polling repeats the very same request."""
        key = "|".join([self.config.client_login or "", day.isoformat(), REPORT_TYPE, ",".join(FIELD_NAMES),
                        f"vat={self.config.include_vat}", f"micros={self.config.money_in_micros}"])
        return f"ca_campaign_stats_{day.isoformat()}_{hashlib.sha1(key.encode()).hexdigest()[:12]}"

    def campaign_stats(self, day: date) -> Iterator[dict]:
        """Per-campaign totals of one day, as `yandex_direct/campaign_stats` records."""
        body = {"params": {
            "SelectionCriteria": {"DateFrom": day.isoformat(), "DateTo": day.isoformat()},
            "FieldNames": list(FIELD_NAMES),
            "ReportName": self.report_name(day),
            "ReportType": REPORT_TYPE,
            "DateRangeType": "CUSTOM_DATE",
            "Format": "TSV",
            "IncludeVAT": "YES" if self.config.include_vat else "NO",
            "IncludeDiscount": "NO",
        }}
        headers = {
            "processingMode": "auto",
            "returnMoneyInMicros": "true" if self.config.money_in_micros else "false",
            "Accept-Language": "en",
        }
        if self.config.client_login:
            headers["Client-Login"] = self.config.client_login

        def step() -> list[dict]:
            return self.http.request("POST", CAMPAIGN_STATS.endpoint, json=body, headers=headers,
                                     expect=(200, 201, 202), parse=self._parse_response)

        def timeout(elapsed: float, polls: int) -> Exception:
            return SourceUnavailableError(SOURCE, f"report {body['params']['ReportName']} was not ready after "
                                          f"{polls} polls / {elapsed:.0f} seconds",
                                          "re-run later; Direct's offline queue may be busy")

        yield from self.poller.run(step, timeout)

    def _parse_response(self, response: requests.Response) -> list[dict]:
        if response.status_code in (201, 202):
            raise ReportNotReady(parse_retry_after(response.headers.get("retryIn")),
                                 f"HTTP {response.status_code}")
        response.encoding = "utf-8"
        return parse_report(response.text, self.config.money_in_micros)

    def _classify(self, response: requests.Response) -> ConnectorError:
        status = response.status_code
        error = {}
        try:
            error = (response.json() or {}).get("error") or {}
        except ValueError:
            pass
        code = str(error.get("error_code", ""))
        text = " ".join(str(error.get(k, "")) for k in ("error_string", "error_detail")).strip()
        if code == "53" or status == 401:
            return AuthError(SOURCE, f"the OAuth token was rejected (error {code or status}: {text})",
                             "set YANDEX_DIRECT_TOKEN to a valid OAuth token with Direct access", status=status)
        if code == "8800":
            return ConfigError(SOURCE, f"the client login {self.config.client_login!r} was not found ({text})",
                               "set YANDEX_DIRECT_CLIENT_LOGIN to an advertiser login of this agency, "
                               "or unset it for a direct account", status=status)
        if code == "54" or status == 403:
            return ConfigError(SOURCE, f"the token has no rights for this account (error {code or status}: {text})",
                               "grant the token's user access to the advertiser or set YANDEX_DIRECT_CLIENT_LOGIN",
                               status=status)
        if code in ("9000", "52", "1000") or "queue" in text.lower():
            return RetriableError(SOURCE, f"the report queue is busy (error {code}: {text})", status=status,
                                  wait_hint=parse_retry_after(response.headers.get("retryIn")))
        if error:
            return ApiError(SOURCE, f"the Reports API rejected the request (error {code}: {text})", status=status)
        if status == 400:
            return ApiError(SOURCE, f"the Reports API answered HTTP 400: {error_detail(response)}", status=status)
        return default_classify(SOURCE, response)


def _money(value: str | None, in_micros: bool) -> Decimal | None:
    """Cost in currency, 6 dp; "--" or empty = 0; None when not a number."""
    if value is None or value.strip() in ("", "--"):
        return Decimal(0).quantize(SIX_DP)
    return money_or_none(value, 1_000_000 if in_micros else 1)


def _count(value: str | None) -> int | None:
    """A count; "--" or empty = 0; None when not a number."""
    return 0 if value is None or value.strip() in ("", "--") else int_or_none(value)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None


def parse_report(text: str, money_in_micros: bool = True) -> list[dict]:
    """A Direct TSV report (title, header, rows, `Total rows: N`) -> records; RetriableError if cut off."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    match = _TOTAL_ROWS.match(lines[-1]) if lines else None
    if len(lines) < 3 or not match:
        raise RetriableError(SOURCE, "the report body is truncated (no 'Total rows' summary)")
    header = lines[1].split("\t")
    missing = [name for name in FIELD_NAMES if name not in header]
    if missing:
        raise ApiError(SOURCE, f"the report lacks columns {missing} (header: {header})")
    rows = lines[2:-1]
    if len(rows) != int(match.group(1)):
        raise RetriableError(SOURCE, f"the report body is truncated ({len(rows)} rows, summary says "
                                     f"{match.group(1)})")
    records = []
    for line in rows:
        values = line.split("\t")
        if len(values) != len(header):
            records.append(malformed_record("ragged_row", line, columns=len(values), expected=len(header)))
            continue
        row = dict(zip(header, values))
        campaign_id = text_or_none(row["CampaignId"])
        records.append({
            "date": _date(row["Date"]),
            "campaign_id": campaign_id.strip() if campaign_id else None,
            "campaign_name": text_or_none(row["CampaignName"]) or "",
            "impressions": _count(row["Impressions"]),
            "clicks": _count(row["Clicks"]),
            "cost": _money(row["Cost"], money_in_micros),
            "_payload": payload_json(row),
        })
    return records
