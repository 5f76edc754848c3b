"""Yandex Metrica Logs API (visits) -> `yandex_metrika/visits` records (CONTRACTS §1, §2).

Endpoint prefix: /management/v1/counter/{counterId}, `Authorization: OAuth`.
Page strategy: report polling over a log request -
  list existing requests (reuse a matching one) -> evaluate -> create -> poll until
  `processed` -> download every part -> clean.
A create is retried through the shared policy, and every attempt first looks for a
request the previous attempt may have created, so a retry never leaves a second one.

Attribution: the source fields use the `last` prefix (and `attribution=LAST`), not the
API default `lastsign`. `last` is the visit's own traffic source; `lastsign` ("last
significant") replaces a direct/internal visit's source by the previous significant one,
which would already be an attribution model. The project applies its attribution models
(last_non_direct, first_click, ...) itself over the raw touches, so it needs raw sources.

Quirks handled here and only here: TSV parts with a header row (read by column name),
ClickHouse-style backslash escapes, `clientID` 0 = no client id, `lastDirectClickOrder`
0 = not a Direct visit, `dateTime` in the counter's time zone (naive local datetime).
A body that does not end with a newline is cut off (fetched again); a ragged row inside a
complete body (more or fewer columns than the header) becomes a malformed record with reason
`ragged_row`, which staging quarantines; a value that cannot be read becomes None.

`_payload` (the row as JSON) is kept only for a row that needs it: a ragged row, or one with a value
that could not be read (a non-empty `dateTime` that is not a time, which staging reports as
`unparseable_time`; an empty one is `missing_time` and needs no payload). A readable visit is all in
its typed fields, so it lands with `_payload` NULL (CONTRACTS §2).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterator

import requests

from .auth import HeaderTokenAuth
from .errors import ApiError, AuthError, ConfigError, ConnectorError, RetriableError, SourceUnavailableError
from .http import HttpClient, HttpSettings, default_classify, error_detail, json_body
from .pagination import ReportNotReady, ReportPoller
from .ratelimit import limiter_for
from .records import StreamSpec, id_or_none, local_datetime_or_none, malformed_record, payload_json, text_or_none

log = logging.getLogger("connectors")

SOURCE = "yandex_metrika"
VISITS = StreamSpec(
    source=SOURCE,
    name="visits",
    endpoint="/management/v1/counter/{counter_id}",
    primary_key=("visit_id",),
    cursor_field="started_at_local",
)
STREAMS = (VISITS,)
LOG_SOURCE = "visits"
ATTRIBUTION = "LAST"
FIELDS = (
    "ym:s:visitID", "ym:s:clientID", "ym:s:dateTime", "ym:s:lastTrafficSource", "ym:s:lastAdvEngine",
    "ym:s:lastUTMSource", "ym:s:lastUTMMedium", "ym:s:lastUTMCampaign", "ym:s:lastUTMContent",
    "ym:s:lastUTMTerm", "ym:s:lastDirectClickOrder", "ym:s:startURL",
)
DEAD_STATUSES = {"canceled", "processing_failed", "cleaned_by_user", "cleaned_automatically_as_too_old"}
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"', "b": "\b", "f": "\f"}


@dataclass(frozen=True)
class YandexMetrikaConfig:
    counter_id: str
    token: str = field(repr=False)
    base_url: str = "https://api-metrika.yandex.net"
    timezone: str = "Europe/Moscow"
    poll_interval: float = 10.0
    max_poll_seconds: float = 3600.0
    clean_after_download: bool = True
    requests_per_second: float | None = 10.0


class YandexMetrikaClient:
    source = SOURCE
    streams = STREAMS
    auth_kind = "Authorization: OAuth"

    def __init__(self, config: YandexMetrikaConfig, settings: HttpSettings | None = None, *, sleep=None):
        self.config = config
        self.http = HttpClient(
            SOURCE, config.base_url, settings,
            auth=HeaderTokenAuth(config.token, "OAuth"),
            limiter=limiter_for(SOURCE, str(config.counter_id), config.requests_per_second),
            classify=self._classify,
            url_setting="YANDEX_METRIKA_API_URL",
            **({"sleep": sleep} if sleep else {}),
        )
        self.prefix = VISITS.endpoint.format(counter_id=config.counter_id)
        self.poller = ReportPoller(interval=config.poll_interval, max_interval=self.http.settings.max_wait_hint,
                                   max_seconds=config.max_poll_seconds, sleep=self.http.sleep)

    # -- the stream ---------------------------------------------------------------------------
    def visits(self, day: date) -> Iterator[dict]:
        """Every visit of one local day (counter time zone), as `yandex_metrika/visits` records."""
        request = self._ensure_request(day)
        request = self._wait_processed(request)
        records: list[dict] = []
        for part in sorted(request.get("parts") or [], key=lambda p: int(p["part_number"])):
            records.extend(self._download_part(request["request_id"], int(part["part_number"])))
        if self.config.clean_after_download:
            self._clean(request["request_id"])
        yield from records

    # -- workflow steps -----------------------------------------------------------------------
    def _params(self, day: date) -> dict:
        return {"date1": day.isoformat(), "date2": day.isoformat(), "fields": ",".join(FIELDS),
                "source": LOG_SOURCE, "attribution": ATTRIBUTION}

    def _find_existing(self, day: date) -> dict | None:
        body = self.http.request("GET", f"{self.prefix}/logrequests", parse=lambda r: json_body(SOURCE, r))
        candidates = [r for r in (body or {}).get("requests") or [] if _matches(r, day)]
        # Prefer one that is ready, then the newest.
        candidates.sort(key=lambda r: (r.get("status") == "processed", int(r.get("request_id") or 0)))
        return candidates[-1] if candidates else None

    def _ensure_request(self, day: date) -> dict:
        existing = self._find_existing(day)
        if existing:
            log.info("%s: reusing log request %s for %s", SOURCE, existing.get("request_id"), day)
            return existing
        evaluation = self.http.request("GET", f"{self.prefix}/logrequests/evaluate",
                                       params={k: v for k, v in self._params(day).items() if k != "attribution"},
                                       parse=lambda r: json_body(SOURCE, r))
        if not ((evaluation or {}).get("log_request_evaluation") or {}).get("possible", True):
            raise ApiError(SOURCE, f"the Logs API cannot prepare visits of {day} for counter "
                                   f"{self.config.counter_id} now (size quota)",
                           "clean old log requests of this counter or retry later")

        attempts = 0

        def attempt() -> dict:
            # A previous attempt may have created it (its answer lost), so every attempt after the first
            # looks again; the first needs not, the look-up above has just found nothing. The look-up is
            # retried on its own, so one attempt fails only when its create fails (a flaky GET must not
            # use up the create's attempts).
            nonlocal attempts
            attempts += 1
            found = self._find_existing(day) if attempts > 1 else None
            if found:
                return found
            body = self.http.send_once("POST", f"{self.prefix}/logrequests", params=self._params(day),
                                       parse=lambda r: json_body(SOURCE, r))
            return body["log_request"]

        return self.http.policy.call(attempt)

    def _wait_processed(self, request: dict) -> dict:
        request_id = request["request_id"]

        def step() -> dict:
            body = self.http.request("GET", f"{self.prefix}/logrequest/{request_id}",
                                     parse=lambda r: json_body(SOURCE, r))
            current = body["log_request"]
            status = current.get("status")
            if status == "processed":
                return current
            if status in DEAD_STATUSES:
                raise ApiError(SOURCE, f"log request {request_id} ended with status {status}",
                               "re-run the day; a new log request will be created")
            raise ReportNotReady(None, status or "")

        def timeout(elapsed: float, polls: int) -> Exception:
            return SourceUnavailableError(SOURCE, f"log request {request_id} was not processed after {polls} "
                                                  f"polls / {elapsed:.0f} seconds",
                                          "re-run later; the running request will be reused")

        if request.get("status") == "processed":
            return request
        return self.poller.run(step, timeout)

    def _download_part(self, request_id: Any, part: int) -> list[dict]:
        def parse(response: requests.Response) -> list[dict]:
            response.encoding = "utf-8"
            return parse_part(response.text)

        return self.http.request("GET", f"{self.prefix}/logrequest/{request_id}/part/{part}/download",
                                 parse=parse)

    def _clean(self, request_id: Any) -> None:
        try:
            self.http.request("POST", f"{self.prefix}/logrequest/{request_id}/clean",
                              parse=lambda r: json_body(SOURCE, r))
        except SourceUnavailableError:
            raise  # the API is down: fail now (the next run reuses the processed request) rather than later
        except ConnectorError as exc:  # the data is already in hand; a leftover request is reused next run
            log.warning("%s: could not clean log request %s: %s", SOURCE, request_id, exc.message)

    def _classify(self, response: requests.Response) -> ConnectorError:
        status = response.status_code
        types: list[str] = []
        message = ""
        try:
            body = response.json() or {}
            types = [str(e.get("error_type", "")) for e in body.get("errors") or []]
            message = str(body.get("message") or "")
        except ValueError:
            message = error_detail(response)
        if status == 401 or "invalid_token" in types or "unauthorized" in types:
            return AuthError(SOURCE, f"the OAuth token was rejected (HTTP {status}: {message})",
                             "set YANDEX_METRIKA_TOKEN to a valid OAuth token with Metrica read access",
                             status=status)
        if status in (403, 404) or "access_denied" in types:
            return ConfigError(SOURCE, f"counter {self.config.counter_id} is not accessible with this token "
                                       f"(HTTP {status}: {message})",
                               "set YANDEX_METRIKA_COUNTER_ID to a counter the token's user can read", status=status)
        if any(t.startswith("quota") for t in types) or status in (503, 504):
            return RetriableError(SOURCE, f"quota or backend error (HTTP {status}: {message})", status=status)
        if status == 400:
            return ApiError(SOURCE, f"the Logs API rejected the request (HTTP 400: {message})", status=status)
        return default_classify(SOURCE, response)


def _field_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [f.strip() for f in value.split(",") if f.strip()]
    return [str(f) for f in value or []]


def _matches(request: dict, day: date) -> bool:
    attribution = request.get("attribution")
    return (
        str(request.get("date1")) == day.isoformat()
        and str(request.get("date2")) == day.isoformat()
        and request.get("source") == LOG_SOURCE
        and sorted(_field_list(request.get("fields"))) == sorted(FIELDS)
        and (attribution is None or str(attribution).upper() == ATTRIBUTION)
        and request.get("status") not in DEAD_STATUSES
    )


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            out.append(_ESCAPES.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def parse_part(text: str) -> list[dict]:
    """One downloaded part (TSV, first line = field names) -> records; RetriableError if cut off."""
    if not text.endswith("\n"):  # every TSV row, the last one too, ends with a newline
        raise RetriableError(SOURCE, "log part does not end with a newline: truncated response")
    lines = text[:-1].split("\n")
    header = lines[0].rstrip("\r").split("\t")
    missing = [f for f in FIELDS if f not in header]
    if missing:
        raise ApiError(SOURCE, f"the log part lacks fields {missing}")
    width = len(header)
    position = {name: i for i, name in enumerate(header)}  # a repeated name: its last column, as a dict
    columns = [position[f] for f in FIELDS]
    records = []
    append = records.append
    for line in lines[1:]:
        values = line.rstrip("\r").split("\t")
        if len(values) != width:
            append(malformed_record("ragged_row", line, columns=len(values), expected=width))
            continue
        if "\\" in line:
            values = [_unescape(value) for value in values]
        record, unreadable = _visit([values[i] for i in columns])
        if unreadable:  # the row as it came, every column, for staging to show
            record["_payload"] = payload_json(dict(zip(header, values)))
        append(record)
    return records


def parse_visit(row: dict) -> dict:
    """One Logs API row (by field name) -> the `yandex_metrika/visits` record of CONTRACTS §2.

    `_payload` is the row as JSON only when a value in it could not be read (a `dateTime` that is not
    empty and not a time); otherwise None: every field of a readable row is in the typed columns.
    """
    record, unreadable = _visit([row.get(f) for f in FIELDS])
    if unreadable:
        record["_payload"] = payload_json(row)
    return record


def _visit(values: list) -> tuple[dict, bool]:
    """(the typed record of one row with `_payload` None, whether a value could not be read);
    `values` in FIELDS order. Only `dateTime` can fail: ids and texts are read as they are."""
    (visit_id, client_id, started, traffic_source, adv_engine, utm_source, utm_medium, utm_campaign,
     utm_content, utm_term, direct_campaign, start_url) = values
    started_at = local_datetime_or_none(started, DATETIME_FORMAT)
    unreadable = started_at is None and started is not None and started != ""
    record = {
        "visit_id": id_or_none(visit_id),
        "client_id": id_or_none(client_id),
        "started_at_local": started_at,
        "traffic_source": text_or_none(traffic_source),
        "adv_engine": text_or_none(adv_engine),
        "utm_source": text_or_none(utm_source),
        "utm_medium": text_or_none(utm_medium),
        "utm_campaign": text_or_none(utm_campaign),
        "utm_content": text_or_none(utm_content),
        "utm_term": text_or_none(utm_term),
        "direct_campaign_id": id_or_none(direct_campaign),
        "start_url": text_or_none(start_url),
        "_payload": None,
    }
    return record, unreadable
