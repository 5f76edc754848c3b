"""How a connector presents its credentials: a header or a query parameter.

Each auth object knows its secret, so the HTTP layer can scrub it from any text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HeaderTokenAuth:
    """`Authorization: <scheme> <token>` (Bearer for Direct/amoCRM, OAuth for Metrica)."""

    token: str = field(repr=False)
    scheme: str = "Bearer"
    header: str = "Authorization"

    def apply(self, headers: dict, params: dict) -> None:
        headers[self.header] = f"{self.scheme} {self.token}" if self.scheme else self.token

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.token,)


@dataclass(frozen=True)
class QueryTokenAuth:
    """Token as a query parameter (Calltouch `clientApiId`); URLs must be redacted when shown."""

    token: str = field(repr=False)
    param: str = "clientApiId"

    def apply(self, headers: dict, params: dict) -> None:
        params[self.param] = self.token

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.token,)
