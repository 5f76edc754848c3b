"""Yandex Direct Reports API v5 (CONTRACTS section 1).

Assumed vendor behaviour: every error is HTTP 400 with ``{"error": {...}}``
(53 = invalid OAuth token, 8800 = unknown Client-Login, 8000 = malformed
request, 4000 = invalid parameters); ``processingMode: auto`` builds a
deterministic third of the reports offline: the first request answers 201,
the second 202 (``retryIn: 1``), later identical requests 200 with the TSV.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from datetime import date, timedelta

from . import hostile
from .credentials import SandboxCredentials
from .messages import Request, Response, json_response, text_response
from .seeding import stable_int
from .world import DIRECT_FIELDS, World

PATH = "/json/v5/reports"
ERRORS = {
    53: ("Authorization error", "Invalid OAuth token"),
    8800: ("Object not found", "Client-Login not found"),
    8000: ("Invalid request", "The request body is not valid JSON"),
    4000: ("Invalid request parameters", ""),
}


class DirectAPI:
    def __init__(self, world: World, credentials: SandboxCredentials):
        self.world, self.creds = world, credentials
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _error(self, code: int, request_id: str, detail: str | None = None) -> Response:
        string, default_detail = ERRORS[code]
        return json_response(400, {"error": {"request_id": request_id, "error_code": code, "error_string": string,
                                             "error_detail": detail or default_detail}},
                             headers=[("RequestId", request_id)])

    def handle(self, req: Request) -> Response | None:
        if req.path != PATH:
            return None
        request_id = str(stable_int("direct-request", req.body, bits=60))
        if req.method != "POST":
            return self._error(8000, request_id, "Use POST")
        auth = req.header("Authorization", "")
        if auth != f"Bearer {self.creds.direct_token}":
            return self._error(53, request_id)
        login = req.header("Client-Login")
        if login is not None and login != self.creds.direct_client_login:
            return self._error(8800, request_id)
        try:
            params = json.loads(req.body.decode("utf-8"))["params"]
        except (ValueError, KeyError, TypeError):
            return self._error(8000, request_id)
        problem, spec = _validate(params)
        if problem:
            return self._error(4000, request_id, problem)
        day_from, day_to, fields = spec
        mode = (req.header("processingMode") or "auto").lower()
        micros = (req.header("returnMoneyInMicros") or "true").lower() != "false"
        key = hashlib.sha256(req.body + str(micros).encode()).hexdigest()
        with self._lock:
            self._seen[key] += 1
            attempt = self._seen[key]
        offline = mode == "offline" or (mode == "auto" and stable_int("direct-offline", key) % 3 == 0)
        headers = [("RequestId", request_id), ("Units", "10/199990/200000"), ("Units-Used-Login", "sandbox-client")]
        if offline and attempt <= 2:
            return Response(201 if attempt == 1 else 202, b"", "text/plain",
                            headers + [("retryIn", "1"), ("reportsInQueue", "1")])
        return text_response(200, self._tsv(req, params, day_from, day_to, fields, micros),
                             "text/tab-separated-values; charset=utf-8", headers)

    def _tsv(self, req: Request, params: dict, day_from: date, day_to: date, fields: list[str], micros: bool) -> str:
        include_vat = params.get("IncludeVAT") == "YES"
        rows = []
        day = day_from
        while day <= day_to:
            own = []
            for row in self.world.direct_stats(day, include_vat=include_vat):
                if not micros:
                    row["Cost"] = f"{row['Cost'] / 1_000_000:.2f}"
                own.append("\t".join(str(row[f]) for f in fields))
            if self.world.hostile and self.world.in_window(day):
                own = [_hostile_line(wire, fields, micros)
                       for wire in hostile.merged(own, hostile.direct_cases(day, fields))]
            rows += own
            day += timedelta(days=1)
        lines = []
        if (req.header("skipReportHeader") or "").lower() != "true":
            lines.append(f'"{params["ReportName"]} ({day_from.isoformat()} - {day_to.isoformat()})"')
        if (req.header("skipColumnHeader") or "").lower() != "true":
            lines.append("\t".join(fields))
        lines += rows
        if (req.header("skipReportSummary") or "").lower() != "true":
            lines.append(f"Total rows: {len(rows)}")
        return "\n".join(lines) + "\n"


def _hostile_line(wire, fields: list[str], micros: bool) -> str:
    if isinstance(wire, str):
        return wire  # a world row, or a ragged hostile line, as it is
    values = dict(wire)
    if not micros and values["Cost"].lstrip("-").isdigit():
        values["Cost"] = f"{int(values['Cost']) / 1_000_000:.2f}"
    return "\t".join(str(values[f]) for f in fields)


def _validate(params: dict) -> tuple[str | None, tuple]:
    try:
        criteria = params["SelectionCriteria"]
        fields = list(params["FieldNames"])
        name = params["ReportName"]
    except (KeyError, TypeError):
        return "SelectionCriteria, FieldNames and ReportName are required", ()
    if params.get("ReportType") != "CAMPAIGN_PERFORMANCE_REPORT":
        return "The sandbox serves ReportType CAMPAIGN_PERFORMANCE_REPORT only", ()
    if params.get("DateRangeType") != "CUSTOM_DATE":
        return "The sandbox serves DateRangeType CUSTOM_DATE only", ()
    if params.get("Format") != "TSV":
        return "Format must be TSV", ()
    if params.get("IncludeVAT") not in ("YES", "NO"):
        return "IncludeVAT must be YES or NO", ()
    if not name or not isinstance(name, str):
        return "ReportName must be a non-empty string", ()
    unknown = [f for f in fields if f not in DIRECT_FIELDS]
    if unknown or not fields:
        return f"Unsupported FieldNames: {unknown}; supported: {', '.join(DIRECT_FIELDS)}", ()
    try:
        day_from, day_to = date.fromisoformat(criteria["DateFrom"]), date.fromisoformat(criteria["DateTo"])
    except (KeyError, TypeError, ValueError):
        return "SelectionCriteria.DateFrom and DateTo must be YYYY-MM-DD", ()
    if day_from > day_to:
        return "DateFrom must not be after DateTo", ()
    return None, (day_from, day_to, fields)
