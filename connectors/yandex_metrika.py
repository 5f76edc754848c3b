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

A part is read column by column in Arrow (`parse_part_table`; the landing asset takes the day as one
table from `visits_table`), not row by row: a day of a large counter is tens of thousands of visits.

`_payload` (the row as JSON) is kept only for a row that needs it: a ragged row, or one with a value
that could not be read (a non-empty `dateTime` that is not a time, which staging reports as
`unparseable_time`; an empty one is `missing_time` and needs no payload). A readable visit is all in
its typed fields, so it lands with `_payload` NULL (CONTRACTS §2).
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import requests

from .auth import HeaderTokenAuth
from .errors import ApiError, AuthError, ConfigError, ConnectorError, RetriableError, SourceUnavailableError
from .http import HttpClient, HttpSettings, default_classify, error_detail, json_body
from .pagination import ReportNotReady, ReportPoller
from .ratelimit import limiter_for
from .records import (StreamSpec, id_or_none_array, local_datetime_or_none_array, malformed_record, patch_values,
                      payload_json, text_or_none_array)

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
        for part in self._parts(day, parse_part):
            yield from part

    def visits_table(self, day: date) -> pa.Table:
        """`visits(day)` as one Arrow table of `RECORD_SCHEMA` (read column by column: no dict per visit);
        a ragged row has only `_payload`, its typed columns NULL."""
        parts = self._parts(day, parse_part_table)
        return pa.concat_tables(parts) if parts else RECORD_SCHEMA.empty_table()

    def _parts(self, day: date, parse: Callable[[bytes], Any]) -> list:
        """Every part of the day's log request read by `parse`, in part order (then the request is cleaned)."""
        request = self._ensure_request(day)
        request = self._wait_processed(request)
        parts = [self._download_part(request["request_id"], int(part["part_number"]), parse)
                 for part in sorted(request.get("parts") or [], key=lambda p: int(p["part_number"]))]
        if self.config.clean_after_download:
            self._clean(request["request_id"])
        return parts

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

    def _download_part(self, request_id: Any, part: int, parse: Callable[[bytes], Any]) -> Any:
        # The body as bytes, read as UTF-8 (what the Logs API sends) by the parser.
        return self.http.request("GET", f"{self.prefix}/logrequest/{request_id}/part/{part}/download",
                                 parse=lambda response: parse(response.content))

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


# ---- parsing a part: vectorised, column by column in Arrow ---------------------------------------------------
RECORD_SCHEMA = pa.schema([
    pa.field("visit_id", pa.string()),
    pa.field("client_id", pa.string()),
    pa.field("started_at_local", pa.timestamp("us")),
    pa.field("traffic_source", pa.string()),
    pa.field("adv_engine", pa.string()),
    pa.field("utm_source", pa.string()),
    pa.field("utm_medium", pa.string()),
    pa.field("utm_campaign", pa.string()),
    pa.field("utm_content", pa.string()),
    pa.field("utm_term", pa.string()),
    pa.field("direct_campaign_id", pa.string()),
    pa.field("start_url", pa.string()),
    pa.field("_payload", pa.string()),
])  # the `yandex_metrika/visits` record of CONTRACTS §2 as Arrow; its typed fields come from FIELDS, in order
_READERS = (id_or_none_array, id_or_none_array, None, *[text_or_none_array] * 7, id_or_none_array, text_or_none_array)


def parse_part_table(body: bytes | str) -> pa.Table:
    """One downloaded part (TSV, first line = field names) -> its records as an Arrow table of `RECORD_SCHEMA`,
    in the order of its rows; RetriableError if cut off. No Python runs per row, except for the rare ones
    (a ragged row, a value with a backslash, a time that is not in the usual shape)."""
    return _read_part(body)[0]


def parse_part(text: bytes | str) -> list[dict]:
    """`parse_part_table` as dicts; a ragged row is a malformed record (only `_payload`, CONTRACTS §2)."""
    table, ragged = _read_part(text)
    records = table.to_pylist()
    for i in ragged:
        records[i] = {"_payload": records[i]["_payload"]}
    return records


def parse_visit(row: dict) -> dict:
    """One Logs API row (by field name) -> the `yandex_metrika/visits` record of CONTRACTS §2.

    `_payload` is the row as JSON only when a value in it could not be read (a `dateTime` that is not
    empty and not a time); otherwise None: every field of a readable row is in the typed columns.
    """
    values = [row.get(f) for f in FIELDS]
    columns = [pa.array([v if v is None or isinstance(v, str) else str(v)], pa.string()) for v in values]
    typed, unreadable = _visits(columns)
    payload = payload_json(row) if unreadable[0].as_py() else None
    return pa.Table.from_arrays([*typed, pa.array([payload], pa.string())], schema=RECORD_SCHEMA).to_pylist()[0]


def _read_part(body: bytes | str) -> tuple[pa.Table, list[int]]:
    """(the records of a part, the positions of its ragged rows)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    if not data.endswith(b"\n"):  # every TSV row, the last one too, ends with a newline
        raise RetriableError(SOURCE, "log part does not end with a newline: truncated response")
    end = data.find(b"\n")
    header = data[:end].decode("utf-8", "replace").rstrip("\r").split("\t")
    missing = [f for f in FIELDS if f not in header]
    if missing:
        raise ApiError(SOURCE, f"the log part lacks fields {missing}")
    width = len(header)
    position = {name: i for i, name in enumerate(header)}  # a repeated name: its last column, as a dict
    columns, ragged = _split_rows(data[end + 1:], width)
    chosen = [columns[position[f]] for f in FIELDS]
    if b"\\" in data:  # ClickHouse-style escapes, in the few values with a backslash
        chosen = [patch_values(c, c, pc.match_substring(c, "\\"), _unescape) for c in chosen]
    typed, unreadable = _visits(chosen)
    payload = pa.nulls(len(columns[0]), pa.string())
    if pc.any(unreadable).as_py():  # the row as it came, every column, for staging to show
        rows = pc.indices_nonzero(unreadable)
        kept = zip(*(column.take(rows).to_pylist() for column in columns))
        texts = [payload_json(dict(zip(header, [_unescape(v) for v in values]))) for values in kept]
        payload = pc.replace_with_mask(payload, unreadable, pa.array(texts, pa.string()))
    table = pa.Table.from_arrays([*typed, payload], schema=RECORD_SCHEMA)
    if not ragged:
        return table, []
    good, lines = table.num_rows, table.num_rows + len(ragged)
    bad = pa.Table.from_arrays(
        [*(pa.nulls(len(ragged), f.type) for f in RECORD_SCHEMA if f.name != "_payload"),
         pa.array([malformed_record("ragged_row", raw, columns=count, expected=width)["_payload"]
                   for _, raw, count in ragged], pa.string())],
        schema=RECORD_SCHEMA)
    at = np.array([i for i, _, _ in ragged], dtype=np.int64)
    is_ragged = np.zeros(lines, dtype=bool)
    is_ragged[at] = True
    order = np.empty(lines, dtype=np.int64)
    order[~is_ragged] = np.arange(good)
    order[at] = np.arange(good, lines)
    return pa.concat_tables([table, bad]).take(order), at.tolist()


def _split_rows(rows: bytes, width: int) -> tuple[list[pa.Array], list[tuple[int, str, int]]]:
    """The rows of a part (after its header) -> (`width` string columns of the complete rows,
    [(line index, raw line, column count)] of the ragged ones).

    Arrow reads the TSV with quoting off: in Metrica's escaping a tab or a newline inside a value is
    written as `\\t` / `\\n`, so every tab splits and every newline ends a row. Arrow also ends a row at
    a carriage return, reads an empty line as a row of empty values, drops a byte-order mark at the start
    and accepts UTF-8 only; a part with any of these (never seen in practice) is split line by line in
    Python instead, as `response.text` would be.
    """
    if not rows:
        return [pa.array([], pa.string()) for _ in range(width)], []
    if (b"\r" not in rows and b"\n\n" not in rows and not rows.startswith((b"\n", codecs.BOM_UTF8))
            and _is_utf8(rows)):
        ragged: list[tuple[int, str, int]] = []

        def invalid(row: pacsv.InvalidRow) -> str:
            ragged.append((row.number - 1, row.text, row.text.count("\t") + 1))
            return "skip"

        names = [str(i) for i in range(width)]
        try:
            table = pacsv.read_csv(
                pa.py_buffer(rows),
                read_options=pacsv.ReadOptions(column_names=names, use_threads=False),  # row numbers need one thread
                parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, double_quote=False,
                                                 escape_char=False, newlines_in_values=False,
                                                 ignore_empty_lines=False, invalid_row_handler=invalid),
                convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False),
            )
        except pa.ArrowInvalid:  # what Arrow cannot read, Python below can
            pass
        else:
            return [table.column(i).combine_chunks() for i in range(width)], ragged
    lines = rows.decode("utf-8", "replace")[:-1].split("\n")
    complete, ragged = [], []
    for i, line in enumerate(lines):
        values = line.rstrip("\r").split("\t")
        if len(values) == width:
            complete.append(values)
        else:
            ragged.append((i, line, len(values)))
    columns = list(zip(*complete)) if complete else [()] * width
    return [pa.array(column, pa.string()) for column in columns], ragged


def _is_utf8(data: bytes) -> bool:
    """Whether `data` is valid UTF-8 (checked by Arrow, without decoding it)."""
    offsets = pa.array([0, len(data)], pa.int64()).buffers()[1]
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _visits(columns: list[pa.Array]) -> tuple[list[pa.Array], pa.Array]:
    """(the typed columns of the record, without `_payload`; whether a row has a value that could not be read),
    from the string columns of FIELDS, in order. Only `dateTime` can fail: ids and texts are read as they are."""
    started = columns[2]
    started_at = local_datetime_or_none_array(started, DATETIME_FORMAT)
    unreadable = pc.fill_null(pc.and_(pc.is_null(started_at), pc.not_equal(started, "")), False)
    typed = [started_at if read is None else read(column) for read, column in zip(_READERS, columns)]
    return typed, unreadable
