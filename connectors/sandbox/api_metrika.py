"""Yandex Metrica Logs API (CONTRACTS section 1).

Assumed vendor behaviour: ``Authorization: OAuth <token>`` (401 ``unauthorized``
otherwise); a counter the token cannot see is 403 ``access_denied``; a new log
request is ``created`` and becomes ``processed`` on the first GET that shows it;
parts hold at most 5000 rows each, TSV with a header line; ``date2`` must be
before "today" (the day after the world's end date); only ``source=visits``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import hostile
from .credentials import SandboxCredentials
from .messages import RenderCache, Request, Response, json_response
from .world import METRIKA_FIELDS, World

PREFIX = re.compile(r"^/management/v1/counter/([^/]+)/(.+)$")
PART_ROWS = 5000


def _error(status: int, error_type: str, message: str) -> Response:
    return json_response(status, {"errors": [{"error_type": error_type, "message": message}], "code": status,
                                   "message": message})


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _hostile_line(line: str | dict, fields: list[str]) -> str:
    """A served line of a hostile world: a world row or a hostile row plus the unrequested column;
    a ragged hostile line (already text) as it is."""
    if isinstance(line, dict):
        line = "\t".join(_escape(line.get(f, "")) for f in fields)
        return f"{line}\t{_escape('значение 🙂')}"
    if line.count("\t") == len(fields) - 1:
        return f"{line}\t{_escape('значение 🙂')}"
    return line


@dataclass
class LogRequest:
    request_id: int
    counter_id: int
    date1: date
    date2: date
    fields: list[str]
    attribution: str
    status: str = "created"
    parts: list[bytes] = field(default_factory=list)

    def as_json(self) -> dict:
        body = {"request_id": self.request_id, "counter_id": self.counter_id, "source": "visits",
                "date1": self.date1.isoformat(), "date2": self.date2.isoformat(), "fields": self.fields,
                "status": self.status, "attribution": self.attribution}
        if self.status in ("processed", "cleaned_by_user"):
            body["size"] = sum(len(p) for p in self.parts)
            body["parts"] = [{"part_number": i, "size": len(p)} for i, p in enumerate(self.parts)]
        return body


class MetrikaAPI:
    def __init__(self, world: World, credentials: SandboxCredentials):
        self.world, self.creds = world, credentials
        self.requests: dict[int, LogRequest] = {}
        self._next_id = 7_100_000
        self._lock = threading.Lock()
        self._rendered = RenderCache()

    def handle(self, req: Request) -> Response | None:
        match = PREFIX.match(req.path)
        if match is None:
            return None
        if req.header("Authorization", "") != f"OAuth {self.creds.metrika_token}":
            return _error(401, "unauthorized", "Invalid oauth_token")
        if match.group(1) != self.creds.metrika_counter_id:
            return _error(403, "access_denied", "Access is denied")
        rest = match.group(2)
        with self._lock:
            if rest == "logrequests" and req.method == "GET":
                for lr in self.requests.values():
                    self._process(lr)
                return json_response(200, {"requests": [lr.as_json() for lr in self.requests.values()]})
            if rest == "logrequests/evaluate" and req.method == "GET":
                problem = self._parse(req)
                if isinstance(problem, Response):
                    return problem
                return json_response(200, {"log_request_evaluation": {"possible": True,
                                                                      "max_possible_day_quantity": 365}})
            if rest == "logrequests" and req.method == "POST":
                return self._create(req)
            found = re.fullmatch(r"logrequest/(\d+)(/clean|/cancel|/part/(\d+)/download)?", rest)
            if found is None:
                return _error(404, "not_found", f"Unknown method {req.method} {rest}")
            lr = self.requests.get(int(found.group(1)))
            if lr is None:
                return _error(404, "not_found", "Log request not found")
            action = found.group(2) or ""
            if action == "" and req.method == "GET":
                self._process(lr)
                return json_response(200, {"log_request": lr.as_json()})
            if action == "/clean" and req.method == "POST":
                if lr.status != "processed":
                    return _error(400, "invalid_parameter", f"Log request in status {lr.status} cannot be cleaned")
                lr.status = "cleaned_by_user"
                return json_response(200, {"log_request": lr.as_json()})
            if action == "/cancel" and req.method == "POST":
                if lr.status != "created":
                    return _error(400, "invalid_parameter", f"Log request in status {lr.status} cannot be canceled")
                lr.status = "canceled"
                return json_response(200, {"log_request": lr.as_json()})
            if action.startswith("/part/") and req.method == "GET":
                if lr.status != "processed":
                    return _error(400, "invalid_parameter", f"Log request is {lr.status}, not processed")
                part = int(found.group(3))
                if part >= len(lr.parts):
                    return _error(404, "not_found", f"Part {part} does not exist")
                return Response(200, lr.parts[part], "text/tab-separated-values; charset=utf-8")
            return _error(405, "invalid_parameter", f"Method {req.method} not allowed here")

    def _parse(self, req: Request) -> tuple[date, date, list[str], str] | Response:
        try:
            date1, date2 = date.fromisoformat(req.arg("date1", "")), date.fromisoformat(req.arg("date2", ""))
        except ValueError:
            return _error(400, "invalid_parameter", "date1 and date2 are required, format YYYY-MM-DD")
        if date1 > date2:
            return _error(400, "invalid_parameter", "date1 must not be after date2")
        if date2 > self.world.end_date:
            return _error(400, "invalid_parameter", "date2 must be before today")
        if req.arg("source", "") != "visits":
            return _error(400, "invalid_parameter", "The sandbox serves source=visits only")
        fields = [f for f in (req.arg("fields", "") or "").split(",") if f]
        unknown = [f for f in fields if f not in METRIKA_FIELDS]
        if not fields or unknown:
            return _error(400, "invalid_parameter", f"Unknown fields: {unknown}; supported: {','.join(METRIKA_FIELDS)}")
        return date1, date2, fields, req.arg("attribution", "LASTSIGN") or "LASTSIGN"

    def _create(self, req: Request) -> Response:
        parsed = self._parse(req)
        if isinstance(parsed, Response):
            return parsed
        date1, date2, fields, attribution = parsed
        self._next_id += 1
        lr = LogRequest(self._next_id, int(self.creds.metrika_counter_id), date1, date2, fields, attribution)
        self.requests[lr.request_id] = lr
        return json_response(200, {"log_request": lr.as_json()})

    def _process(self, lr: LogRequest) -> None:
        if lr.status != "created":
            return
        key = (lr.date1, lr.date2, tuple(lr.fields))
        lr.parts = list(self._rendered.get(key, lambda: self._parts(lr), lambda parts: sum(len(p) for p in parts)))
        lr.status = "processed"

    def _parts(self, lr: LogRequest) -> list[bytes]:
        """The TSV parts of a log request: what it holds depends on its dates and fields only."""
        header = "\t".join(lr.fields)
        rows: list[str] = []
        day = lr.date1
        part_rows = PART_ROWS
        while day <= lr.date2:
            own = ["\t".join(_escape(v[f]) for f in lr.fields) for v in self.world.metrika_visits(day)]
            if self.world.hostile:  # hostile rows, an unrequested column, smaller parts
                cases = hostile.metrika_cases(self.world, day, lr.fields) if self.world.in_window(day) else []
                own = [_hostile_line(line, lr.fields) for line in hostile.merged(own, cases)]
                part_rows = hostile.METRIKA_PART_ROWS
            rows += own
            day += timedelta(days=1)
        if self.world.hostile:
            header += "\t" + hostile.METRIKA_EXTRA_FIELD
        chunks = [rows[i:i + part_rows] for i in range(0, len(rows), part_rows)] or [[]]
        return [("\n".join([header, *chunk]) + "\n").encode("utf-8") for chunk in chunks]
