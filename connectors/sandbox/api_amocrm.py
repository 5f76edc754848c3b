"""amoCRM API v4 leads and contacts (CONTRACTS section 1).

Assumed vendor behaviour: ``Authorization: Bearer <token>`` (401 otherwise,
402 when the account is not paid), HAL pages with ``_links.next`` while more
rows remain, HTTP 204 with no body for an empty result, ``limit`` capped at 250
(default 50), ``with=contacts`` adds ``_embedded.contacts`` to each lead.
Throttling (429 above 7 req/s) is not simulated except as an injected fault.
"""

from __future__ import annotations

from .credentials import SandboxCredentials
from .hostile import AMOCRM_PAGE_CAP
from .messages import RenderCache, Request, Response, json_response
from .world import World

MAX_LIMIT = 250


def _problem(status: int, title: str, detail: str) -> Response:
    return json_response(status, {"title": title, "type": f"https://httpstatus.es/{status}", "status": status,
                                  "detail": detail})


def _int_arg(req: Request, name: str) -> int | None:
    value = req.arg(name)
    return int(value) if value not in (None, "") else None


class AmoCRMAPI:
    def __init__(self, world: World, credentials: SandboxCredentials):
        self.world, self.creds = world, credentials
        self._rendered = RenderCache()

    def handle(self, req: Request) -> Response | None:
        if req.path not in ("/api/v4/leads", "/api/v4/contacts"):
            return None
        if req.header("Authorization", "") != f"Bearer {self.creds.amocrm_token}":
            return _problem(401, "Unauthorized", "Invalid or expired access token")
        if not self.creds.amocrm_paid:
            return _problem(402, "Payment Required", "Account is not paid")
        if req.method != "GET":
            return _problem(405, "Method Not Allowed", "Use GET")
        # The answer depends on the path, the query (its order too: it is echoed in the links) and the host.
        key = (req.path, tuple((k, tuple(v)) for k, v in req.query.items()), req.base_url)
        return self._rendered.get(key, lambda: self._answer(req), lambda r: len(r.body) + 1)

    def _answer(self, req: Request) -> Response:
        try:
            page = int(req.arg("page", "1"))
            limit = min(MAX_LIMIT, int(req.arg("limit", "50")))
            if page < 1 or limit < 1:
                raise ValueError
            if self.world.hostile:
                limit = min(limit, AMOCRM_PAGE_CAP)  # pages smaller than asked for: duplicates cross pages
            if req.path == "/api/v4/leads":
                rows, key = self._leads(req), "leads"
            else:
                rows, key = self._contacts(req), "contacts"
        except ValueError:
            return _problem(400, "Bad Request", "Invalid page, limit or filter value")
        chunk = rows[(page - 1) * limit: page * limit]
        if not chunk:
            return Response(204, b"", "")
        links = {"self": {"href": req.url_with(page=str(page), limit=str(limit))}}
        if page * limit < len(rows):
            links["next"] = {"href": req.url_with(page=str(page + 1), limit=str(limit))}
        return json_response(200, {"_page": page, "_links": links, "_embedded": {key: chunk}})

    def _leads(self, req: Request) -> list[dict]:
        lo = _int_arg(req, "filter[updated_at][from]")
        hi = _int_arg(req, "filter[updated_at][to]")
        if req.arg("filter[updated_at]") is not None:
            lo = hi = int(req.arg("filter[updated_at]"))
        rows = self.world.amocrm_leads(lo if lo is not None else 0, hi if hi is not None else 2**62,
                                       base_url=req.base_url)
        created_lo, created_hi = _int_arg(req, "filter[created_at][from]"), _int_arg(req, "filter[created_at][to]")
        ids = {int(i) for i in req.query.get("filter[id][]", []) + req.query.get("filter[id]", [])}
        rows = [r for r in rows if (created_lo is None or r["created_at"] >= created_lo)
                and (created_hi is None or r["created_at"] <= created_hi) and (not ids or r["id"] in ids)]
        with_contacts = "contacts" in (req.arg("with", "") or "").split(",")
        if not with_contacts:
            for r in rows:
                r["_embedded"] = {k: v for k, v in r["_embedded"].items() if k != "contacts"}
        for field in ("updated_at", "created_at", "id"):
            direction = req.arg(f"order[{field}]")
            if direction in ("asc", "desc"):
                rows.sort(key=lambda r: (r[field], r["id"]), reverse=direction == "desc")
                break
        else:
            rows.sort(key=lambda r: r["id"])
        if self.world.hostile and not ids and created_lo is None and created_hi is None:
            before, after = self.world.hostile_leads(lo if lo is not None else 0, hi if hi is not None else 2**62,
                                                     base_url=req.base_url)
            rows = before + rows + after
        return rows

    def _contacts(self, req: Request) -> list[dict]:
        ids = req.query.get("filter[id][]", []) + req.query.get("filter[id]", [])
        if ids:
            return self.world.amocrm_contacts([int(i) for i in ids], base_url=req.base_url)
        return self.world.amocrm_contacts(self.world.amocrm_contact_ids(), base_url=req.base_url)
