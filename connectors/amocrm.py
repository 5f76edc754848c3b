"""amoCRM (Kommo) API v4 -> `amocrm/leads` and `amocrm/contacts` records (CONTRACTS §1, §2).

Endpoints: GET /api/v4/leads and /api/v4/contacts on the account's own host,
`Authorization: Bearer`. Page strategy: HAL next links (`_links.next.href`), limit 250.

Quirks handled here and only here:
- an empty result is HTTP 204 with no body (not an empty list);
- a day of deals = `filter[updated_at][from/to]`, the local day's first and last second as
  unix seconds (both inclusive), ordered by `updated_at` ascending;
- timestamps are unix seconds (UTC) -> aware UTC datetimes; `closed_at` null/0 -> None;
- prices are integers in the account currency -> Decimal;
- phones live in `custom_fields_values[field_code=PHONE].values[].value` as typed by managers:
  one contacts record per (contact, phone), `phone_index` -1 for a contact without phones.
- never crashes on a record: an unreadable value becomes None (kept in `_payload`), an entry
  that is not a JSON object becomes a malformed record (records.malformed_record).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Iterator

import requests

from .auth import HeaderTokenAuth
from .errors import AuthError, ConfigError, ConnectorError
from .http import HttpClient, HttpSettings, default_classify, error_detail, json_body
from .pagination import NextLinkPaginator
from .ratelimit import limiter_for
from .records import (StreamSpec, bool_or_none, id_or_none, int_or_none, local_day_bounds,
                      malformed_record, money_or_none, payload_json, text_or_none, utc_from_unix)

SOURCE = "amocrm"
LEADS = StreamSpec(
    source=SOURCE,
    name="leads",
    endpoint="/api/v4/leads",
    primary_key=("lead_id",),
    cursor_field="updated_at",
    records_path=("_embedded", "leads"),
)
CONTACTS = StreamSpec(
    source=SOURCE,
    name="contacts",
    endpoint="/api/v4/contacts",
    primary_key=("contact_id", "phone_index"),
    cursor_field="updated_at",
    records_path=("_embedded", "contacts"),
)
STREAMS = (LEADS, CONTACTS)
PAGINATOR = NextLinkPaginator(next_path=("_links", "next", "href"))
MAX_LIMIT = 250


@dataclass(frozen=True)
class AmocrmConfig:
    base_url: str  # the account's own host, e.g. https://acme.amocrm.ru
    token: str = field(repr=False)
    timezone: str = "Europe/Moscow"
    page_limit: int = MAX_LIMIT
    requests_per_second: float | None = 7.0


class AmocrmClient:
    source = SOURCE
    streams = STREAMS
    auth_kind = "Authorization: Bearer"

    def __init__(self, config: AmocrmConfig, settings: HttpSettings | None = None):
        self.config = config
        self.http = HttpClient(
            SOURCE, config.base_url, settings,
            auth=HeaderTokenAuth(config.token, "Bearer"),
            limiter=limiter_for(SOURCE, config.base_url, config.requests_per_second),
            classify=self._classify,
            url_setting="AMOCRM_API_URL",
        )

    def leads(self, day: date) -> Iterator[dict]:
        """Deals updated during one local day, as `amocrm/leads` records."""
        start, end = local_day_bounds(day, self.config.timezone)
        params = [
            ("with", "contacts"),
            ("page", 1),
            ("limit", min(self.config.page_limit, MAX_LIMIT)),
            ("filter[updated_at][from]", start),
            ("filter[updated_at][to]", end),
            ("order[updated_at]", "asc"),
        ]
        for raw in self._records(LEADS, params):
            yield parse_lead(raw)

    def contacts(self, ids: Iterable) -> Iterator[dict]:
        """The given contacts, one `amocrm/contacts` record per (contact, phone)."""
        unique = list(dict.fromkeys(str(i) for i in ids if i not in (None, "")))
        size = min(self.config.page_limit, MAX_LIMIT)
        for offset in range(0, len(unique), size):
            batch = unique[offset:offset + size]
            params = [("filter[id][]", i) for i in batch] + [("page", 1), ("limit", size)]
            for raw in self._records(CONTACTS, params):
                yield from parse_contact(raw)

    def contacts_for_day(self, day: date, leads: Iterable[dict] | None = None) -> Iterator[dict]:
        """Contacts linked to the deals of one local day (pass `leads` to avoid fetching them again)."""
        leads = self.leads(day) if leads is None else leads
        yield from self.contacts(cid for lead in leads for cid in lead.get("contact_ids") or [])

    def _records(self, stream: StreamSpec, params: list) -> Iterator[dict]:
        def fetch(link: str | None):
            if link is None:
                return self.http.request("GET", stream.endpoint, params=params, expect=(200, 204), parse=_page)
            return self.http.request("GET", link, expect=(200, 204), parse=_page)

        for body in PAGINATOR.pages(fetch):
            embedded = body.get(stream.records_path[0]) if isinstance(body, dict) else None
            found = embedded.get(stream.records_path[1]) if isinstance(embedded, dict) else None
            yield from found if isinstance(found, list) else []

    def _classify(self, response: requests.Response) -> ConnectorError:
        status = response.status_code
        detail = error_detail(response)
        if status == 401:
            return AuthError(SOURCE, f"the access token was rejected (HTTP 401: {detail})",
                             "set AMOCRM_TOKEN to a valid (long-lived) access token of this account", status=status)
        if status == 402:
            return ConfigError(SOURCE, "the account is not paid (HTTP 402 Payment Required)",
                               "renew the amoCRM subscription of this account", status=status)
        if status == 403:
            return AuthError(SOURCE, f"access denied (HTTP 403: {detail})",
                             "set AMOCRM_TOKEN to a token of a user allowed to read deals and contacts "
                             "(and check the account's IP is not blocked)", status=status)
        if status == 404:
            return ConfigError(SOURCE, f"the API was not found at this address (HTTP 404: {detail})",
                               "set AMOCRM_API_URL to the account's own URL, e.g. https://acme.amocrm.ru",
                               status=status)
        return default_classify(SOURCE, response)


def _page(response: requests.Response):
    if response.status_code == 204 or not response.content.strip():
        return None
    return json_body(SOURCE, response)


def _objects(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def parse_lead(raw: dict) -> dict:
    """One amoCRM lead -> the `amocrm/leads` record of CONTRACTS §2."""
    if not isinstance(raw, dict):
        return malformed_record("malformed_record", raw)
    embedded = raw.get("_embedded")
    contacts = _objects(embedded.get("contacts") if isinstance(embedded, dict) else None)
    main = next((c for c in contacts if c.get("is_main") and c.get("id") is not None), None)
    return {
        "lead_id": id_or_none(raw.get("id")),
        "name": text_or_none(raw.get("name")),
        "price": money_or_none(raw.get("price")),
        "status_id": int_or_none(raw.get("status_id")),
        "pipeline_id": int_or_none(raw.get("pipeline_id")),
        "responsible_user_id": id_or_none(raw.get("responsible_user_id")),
        "created_at": utc_from_unix(raw.get("created_at")),
        "updated_at": utc_from_unix(raw.get("updated_at")),
        "closed_at": utc_from_unix(raw.get("closed_at")),
        "is_deleted": bool_or_none(raw.get("is_deleted")) or False,
        "contact_ids": [str(c["id"]) for c in contacts if c.get("id") is not None],
        "main_contact_id": str(main["id"]) if main else None,
        "_payload": payload_json(raw),
    }


def contact_phones(raw: dict) -> list[str | None]:
    phones: list[str | None] = []
    for cf in _objects(raw.get("custom_fields_values")):
        if cf.get("field_code") == "PHONE":
            phones.extend(text_or_none(v.get("value")) for v in _objects(cf.get("values")))
    return phones


def parse_contact(raw: dict) -> list[dict]:
    """One amoCRM contact -> one `amocrm/contacts` record per phone (phone_index -1 when none)."""
    if not isinstance(raw, dict):
        return [malformed_record("malformed_record", raw)]
    base = {
        "contact_id": id_or_none(raw.get("id")),
        "name": text_or_none(raw.get("name")),
        "updated_at": utc_from_unix(raw.get("updated_at")),
    }
    payload = payload_json(raw)
    phones = contact_phones(raw)
    if not phones:
        return [{**base, "phone_index": -1, "phone_raw": None, "_payload": payload}]
    return [{**base, "phone_index": i, "phone_raw": phone, "_payload": payload} for i, phone in enumerate(phones)]
