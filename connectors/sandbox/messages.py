"""Plain request/response values passed between the HTTP server and the vendor APIs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode


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
