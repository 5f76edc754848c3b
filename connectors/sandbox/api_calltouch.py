"""Calltouch calls diary (CONTRACTS section 1).

Assumed vendor behaviour: token in ``clientApiId``; one day per request
(``dateFrom == dateTo``, as the official page says is the default); the paged
envelope when ``page``/``limit`` are sent (else a bare array, as the official
page shows); ``limit`` at most 1000; unknown site 404, bad token 401, bad
parameters 400, all with ``{"error", "message"}`` bodies.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from .credentials import SandboxCredentials
from .hostile import CALLTOUCH_PAGE_CAP
from .messages import RenderCache, Request, Response, json_response
from .world import World

CALLS = re.compile(r"^/calls-service/RestAPI/([^/]+)/calls-diary/calls$")
RECORDING = re.compile(r"^/calls-service/RestAPI/([^/]+)/calls-diary/calls/(\d+)/download$")
MAX_LIMIT = 1000


def _error(status: int, error: str, message: str) -> Response:
    return json_response(status, {"error": error, "message": message})


class CalltouchAPI:
    def __init__(self, world: World, credentials: SandboxCredentials):
        self.world, self.creds = world, credentials
        self._rendered = RenderCache()

    def handle(self, req: Request) -> Response | None:
        calls, recording = CALLS.match(req.path), RECORDING.match(req.path)
        match = calls or recording
        if match is None:
            return None
        if req.method != "GET":
            return _error(405, "Method Not Allowed", "Use GET")
        if match.group(1) != self.creds.calltouch_site_id:
            return _error(404, "Not Found", "Site not found")
        if req.arg("clientApiId") != self.creds.calltouch_token:
            return _error(401, "Unauthorized", "Invalid clientApiId")
        if recording:
            return Response(200, b"ID3\x03\x00\x00\x00sandbox-recording-" + recording.group(2).encode(), "audio/mpeg")
        return self._calls(req)

    def _calls(self, req: Request) -> Response:
        try:
            day_from = datetime.strptime(req.arg("dateFrom", ""), "%d/%m/%Y").date()
            day_to = datetime.strptime(req.arg("dateTo", ""), "%d/%m/%Y").date()
        except ValueError:
            return _error(400, "Bad Request", "dateFrom and dateTo are required, format dd/mm/yyyy")
        if day_from != day_to:
            return _error(400, "Bad Request", "dateFrom must be equal to dateTo")
        paged = "page" in req.query or "limit" in req.query
        try:
            page = int(req.arg("page", "1"))
            limit = int(req.arg("limit", str(MAX_LIMIT)))
        except ValueError:
            return _error(400, "Bad Request", "page and limit must be integers")
        if page < 1 or not 1 <= limit <= MAX_LIMIT:
            return _error(400, "Bad Request", f"page must be >= 1 and limit within 1..{MAX_LIMIT}")
        if self.world.hostile:
            limit = min(limit, CALLTOUCH_PAGE_CAP)  # pages smaller than asked for: duplicates cross pages
        with_yd = req.arg("withYandexDirect", "false").lower() == "true"
        key = (day_from, req.base_url, with_yd, paged, page, limit)
        return self._rendered.get(key, lambda: self._page(day_from, req.base_url, with_yd, paged, page, limit),
                                  lambda r: len(r.body))

    def _page(self, day, base_url: str, with_yd: bool, paged: bool, page: int, limit: int) -> Response:
        records = self.world.calltouch_calls(
            day, base_url=base_url, site_id=self.creds.calltouch_site_id, token=self.creds.calltouch_token,
            with_yandex_direct=with_yd)
        if not paged:
            return json_response(200, records)
        chunk = records[(page - 1) * limit: page * limit]
        return json_response(200, {"page": page, "pageTotal": math.ceil(len(records) / limit), "pageSize": limit,
                                   "recordsTotal": len(records), "records": chunk})
