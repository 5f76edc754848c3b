"""Pagination strategies, one small object per API style.

Each strategy drives a `fetch` callable supplied by the connector (which owns the
URL, auth and parsing) and yields one parsed page at a time:

- `PageNumberPaginator`: `page=1..pageTotal` (Calltouch).
- `NextLinkPaginator`: follow a HAL `_links.next.href`; a `None` page (HTTP 204) ends it (amoCRM, Bitrix24-style).
- `OffsetPaginator`: `offset`/`limit` until a short page or `total` (CoMagic, GA4).
- `ReportPoller`: repeat/poll until the report is ready (Direct 201/202, Metrica log requests).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit


def dig(body: Any, path: tuple[str, ...]) -> Any:
    """`body[path[0]][path[1]]...`, or None when any step is missing."""
    for key in path:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


@dataclass(frozen=True)
class PageNumberPaginator:
    page_param: str = "page"
    total_pages_path: tuple[str, ...] = ("pageTotal",)
    first_page: int = 1
    max_pages: int = 100_000

    def pages(self, fetch: Callable[[dict], Any]) -> Iterator[Any]:
        page = self.first_page
        while page < self.first_page + self.max_pages:
            body = fetch({self.page_param: page})
            yield body
            total = dig(body, self.total_pages_path) or 0
            if page >= int(total):
                return
            page += 1


@dataclass(frozen=True)
class NextLinkPaginator:
    """Follows next links. Only the path and query of a link are used, joined to the client's
    base URL, so a proxy or test server in front of the vendor keeps working."""

    next_path: tuple[str, ...] = ("_links", "next", "href")
    max_pages: int = 100_000

    def pages(self, fetch: Callable[[str | None], Any]) -> Iterator[Any]:
        link: str | None = None
        for _ in range(self.max_pages):
            body = fetch(link)
            if body is None:  # e.g. amoCRM's 204 No Content for an empty result
                return
            yield body
            href = dig(body, self.next_path)
            if not href:
                return
            parts = urlsplit(href)
            link = parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class OffsetPaginator:
    limit: int = 1000
    offset_param: str = "offset"
    limit_param: str = "limit"
    records_path: tuple[str, ...] = ("records",)
    total_path: tuple[str, ...] | None = None
    max_pages: int = 100_000

    def pages(self, fetch: Callable[[dict], Any]) -> Iterator[Any]:
        offset = 0
        for _ in range(self.max_pages):
            body = fetch({self.offset_param: offset, self.limit_param: self.limit})
            yield body
            got = len(dig(body, self.records_path) or [])
            offset += got
            total = dig(body, self.total_path) if self.total_path else None
            if got < self.limit or (total is not None and offset >= int(total)):
                return


class ReportNotReady(Exception):
    """Raised by a poll step: the report is still being built; `wait` = server's hint in seconds."""

    def __init__(self, wait: float | None = None, status: str = ""):
        super().__init__(status)
        self.wait = wait
        self.status = status


@dataclass
class ReportPoller:
    """Calls `step()` until it returns instead of raising `ReportNotReady`.

    Waits the server's hint (capped at `max_interval`) or `interval`; gives up with
    `on_timeout()` after `max_seconds`.
    """

    interval: float = 2.0
    max_interval: float = 60.0
    max_seconds: float = 1800.0
    sleep: Callable[[float], None] = time.sleep

    def run(self, step: Callable[[], Any], on_timeout: Callable[[float, int], Exception]) -> Any:
        started = time.monotonic()
        polls = 0
        while True:
            polls += 1
            try:
                return step()
            except ReportNotReady as not_ready:
                wait = not_ready.wait if not_ready.wait is not None else self.interval
                wait = min(max(wait, 0.0), self.max_interval)
                elapsed = time.monotonic() - started
                if elapsed + wait > self.max_seconds:
                    raise on_timeout(elapsed, polls) from None
                self.sleep(wait)
