"""Plain request/response values passed between the HTTP server and the vendor APIs."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Hashable, TypeVar
from urllib.parse import urlencode

T = TypeVar("T")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    base_url: str  # http://host:port as the client addressed us

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def url_with(self, **changes: str) -> str:
        """This request's URL with some query parameters replaced (for HAL links)."""
        query = {k: list(v) for k, v in self.query.items()}
        for k, v in changes.items():
            query[k] = [v]
        return f"{self.base_url}{self.path}?{urlencode(query, doseq=True)}"


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def json_response(status: int, payload: object, headers: list[tuple[str, str]] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, body, headers=headers or [])


def text_response(status: int, text: str, content_type: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, text.encode("utf-8"), content_type, headers or [])


class RenderCache:
    """Answers rendered from the world, kept by what they depend on (least recently used go first).

    The world is fixed once built, so an answer for the same day and arguments is the same bytes every
    time; the sandbox renders it once instead of per request (it shares the machine with the client
    being measured). ``max_bytes`` bounds the memory held. Two threads missing the same key at once
    both render it, which is harmless.
    """

    def __init__(self, max_bytes: int = 64 << 20):
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], T], size: Callable[[T], int]) -> T:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found[0]  # type: ignore[return-value]
        value = render()
        nbytes = size(value)
        with self._lock:
            if key not in self._items and nbytes <= self.max_bytes:
                self._items[key] = (value, nbytes)
                self._bytes += nbytes
                while self._bytes > self.max_bytes:
                    _, (_, dropped) = self._items.popitem(last=False)
                    self._bytes -= dropped
        return value
