"""Calltouch calls diary -> `calltouch/calls` records (CONTRACTS §1, §2).

Endpoint: GET /calls-service/RestAPI/{siteId}/calls-diary/calls, token in the `clientApiId`
query parameter, one local day per request (dateFrom == dateTo, dd/mm/yyyy), pages
`page=1..pageTotal` with `limit` <= 1000.

Quirks handled here and only here:
- `date` is "dd/mm/yyyy HH:MM:SS" in the account's local time *(assumed)* -> naive datetime.
- `callRecordUrl` *(assumed field name)* embeds `clientApiId`: removed from `recording_url`
  and from `_payload`; any URL we log or raise is redacted.
- an empty day is `records: []`, `pageTotal: 0` *(assumed)*.
- 401/403 = bad token *(assumed)*, 404 = unknown site id *(assumed)*.
- never crashes on a record: an unreadable value becomes None (kept in `_payload`), a record
  that is not a JSON object becomes a malformed record (records.malformed_record).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterator

import requests

from .auth import QueryTokenAuth
from .errors import AuthError, ConfigError, ConnectorError, strip_secret_params
from .http import HttpClient, HttpSettings, default_classify, error_detail, json_body
from .pagination import PageNumberPaginator
from .ratelimit import limiter_for
from .records import (StreamSpec, bool_or_none, id_or_none, int_or_none, local_datetime_or_none, malformed_record,
                      payload_json, scrub_payload, text_or_none)

SOURCE = "calltouch"
CALLS = StreamSpec(
    source=SOURCE,
    name="calls",
    endpoint="/calls-service/RestAPI/{site_id}/calls-diary/calls",
    primary_key=("call_id",),
    cursor_field="started_at_local",
    records_path=("records",),
)
STREAMS = (CALLS,)
PAGINATOR = PageNumberPaginator(page_param="page", total_pages_path=("pageTotal",))
DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M:%S"


@dataclass(frozen=True)
class CalltouchConfig:
    site_id: str
    api_token: str = field(repr=False)
    base_url: str = "https://api.calltouch.ru"
    timezone: str = "Europe/Moscow"
    page_limit: int = 1000
    requests_per_second: float | None = 5.0


class CalltouchClient:
    source = SOURCE
    streams = STREAMS
    auth_kind = "query parameter clientApiId"

    def __init__(self, config: CalltouchConfig, settings: HttpSettings | None = None):
        self.config = config
        self.http = HttpClient(
            SOURCE, config.base_url, settings,
            auth=QueryTokenAuth(config.api_token, "clientApiId"),
            limiter=limiter_for(SOURCE, str(config.site_id), config.requests_per_second),
            classify=self._classify,
            url_setting="CALLTOUCH_API_URL",
        )

    def calls(self, day: date) -> Iterator[dict]:
        """Every call of one local day, as `calltouch/calls` records."""
        path = CALLS.endpoint.format(site_id=self.config.site_id)
        base = {
            "dateFrom": day.strftime(DATE_FORMAT),
            "dateTo": day.strftime(DATE_FORMAT),
            "limit": min(self.config.page_limit, 1000),
            "withYandexDirect": "true",
        }

        def fetch(page_params: dict) -> dict:
            return self.http.request("GET", path, params={**base, **page_params},
                                     parse=lambda r: self._page(r))

        for body in PAGINATOR.pages(fetch):
            records = body.get("records") or []
            for raw in records if isinstance(records, list) else [records]:
                yield parse_call(raw)

    def _page(self, response: requests.Response) -> dict:
        body = json_body(SOURCE, response)
        if isinstance(body, list):  # the unpaged form is a bare array
            return {"page": 1, "pageTotal": 1, "records": body}
        if not isinstance(body, dict) or "records" not in body:
            raise ConfigError(SOURCE, "unexpected response shape (no 'records')",
                              "check CALLTOUCH_API_URL points at the Calltouch API")
        return body

    def _classify(self, response: requests.Response) -> ConnectorError:
        status = response.status_code
        if status in (401, 403):
            return AuthError(SOURCE, f"the API token was rejected (HTTP {status})",
                             "set CALLTOUCH_API_TOKEN to a valid clientApiId token", status=status)
        if status == 404:
            return ConfigError(SOURCE, f"site {self.config.site_id} was not found (HTTP 404)",
                               "set CALLTOUCH_SITE_ID to the site id shown in Calltouch (Settings -> API)",
                               status=status)
        if status == 400:
            return ConfigError(SOURCE, f"the API rejected the request (HTTP 400: {error_detail(response)})",
                               "check CALLTOUCH_SITE_ID and the requested dates", status=status)
        return default_classify(SOURCE, response)


def parse_call(raw: dict) -> dict:
    """One Calltouch call record -> the `calltouch/calls` record of CONTRACTS §2."""
    if not isinstance(raw, dict):
        return malformed_record("malformed_record", raw)
    direct = raw.get("yandexDirect")
    recording = raw.get("callRecordUrl")
    original = raw
    if isinstance(recording, str):  # the one value known to carry the token: scrubbed here, so the payload
        scrubbed = scrub_payload(recording)  # is written once instead of walked and written again
        if scrubbed != recording:
            original = {**raw, "callRecordUrl": scrubbed}
    return {
        "call_id": id_or_none(raw.get("callId")),
        "started_at_local": local_datetime_or_none(raw.get("date"), DATETIME_FORMAT),
        "caller_number": text_or_none(raw.get("callerNumber")),
        "tracking_number": text_or_none(raw.get("phoneNumber")),
        "redirect_number": text_or_none(raw.get("redirectNumber")),
        "answered": bool_or_none(raw.get("successful")),
        "wait_seconds": int_or_none(raw.get("waitingConnect")),
        "talk_seconds": int_or_none(raw.get("duration")),
        "vendor_is_unique": bool_or_none(raw.get("uniqueCall")),
        "vendor_is_target": bool_or_none(raw.get("targetCall")),
        "vendor_is_unique_target": bool_or_none(raw.get("uniqTargetCall")),
        "operator_name": text_or_none(raw.get("manager")),
        "session_id": id_or_none(raw.get("sessionId")),
        "client_id": id_or_none(raw.get("yaClientId")),
        "source": text_or_none(raw.get("source")),
        "medium": text_or_none(raw.get("medium")),
        "utm_source": text_or_none(raw.get("utmSource")),
        "utm_medium": text_or_none(raw.get("utmMedium")),
        "utm_campaign": text_or_none(raw.get("utmCampaign")),
        "utm_content": text_or_none(raw.get("utmContent")),
        "utm_term": text_or_none(raw.get("utmTerm")),
        "direct_campaign_id": id_or_none(direct.get("campaignId")) if isinstance(direct, dict) else None,
        "recording_url": text_or_none(strip_secret_params(recording)) if isinstance(recording, str) else None,
        "_payload": payload_json(original),
    }
