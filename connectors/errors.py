"""Error classes shared by every connector, and the redaction of secrets from text.

Errors are classified once, here: a `RetriableError` is transient (throttling, 5xx,
dropped connection, timeout, truncated body) and the retry policy may try again;
every other `ConnectorError` is fatal and says, in one line, what the user must fix.
"""

from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import urlsplit, urlunsplit

# Query parameters that carry credentials in some vendor's URLs
# (Calltouch `clientApiId`, CoMagic `access_token`, Bitrix24 `auth`, ...).
SECRET_QUERY_PARAMS = frozenset(
    {"clientapiid", "access_token", "token", "api_key", "apikey", "auth", "key", "password", "secret"}
)
_REDACTED = "***"
_SECRET_PARAM_RE = re.compile(
    r"(?i)\b(" + "|".join(sorted(SECRET_QUERY_PARAMS, key=len, reverse=True)) + r")=([^&\s'\"<>)]+)"
)
_AUTH_HEADER_RE = re.compile(r"(?i)\b(Bearer|OAuth)\s+[A-Za-z0-9._~+/=-]{8,}")


def redact_url(url: str | None) -> str | None:
    """`url` with the values of credential query parameters replaced by ***."""
    if not url:
        return url
    return _SECRET_PARAM_RE.sub(lambda m: f"{m.group(1)}={_REDACTED}", url)


def strip_secret_params(url: str | None) -> str | None:
    """`url` with credential query parameters removed entirely (for URLs we store)."""
    if not url:
        return url
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [pair for pair in parts.query.split("&") if pair.split("=", 1)[0].lower() not in SECRET_QUERY_PARAMS]
    return urlunsplit(parts._replace(query="&".join(kept)))


def has_secret_param(text: str) -> bool:
    return bool(_SECRET_PARAM_RE.search(text))


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove secrets from free text (exception messages that embed a URL, bodies we quote)."""
    text = redact_url(text) or ""
    text = _AUTH_HEADER_RE.sub(lambda m: f"{m.group(1)} {_REDACTED}", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, _REDACTED)
    return text


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class ConnectorError(Exception):
    """Base of every connector error: names the source, what happened and what to fix."""

    retriable = False

    def __init__(self, source: str, message: str, remedy: str | None = None, *, status: int | None = None):
        self.source = source
        self.message = _one_line(redact_text(message))
        self.remedy = _one_line(redact_text(remedy)) if remedy else None
        self.status = status
        super().__init__(str(self))

    def scrubbed(self, secrets: Iterable[str]) -> "ConnectorError":
        """This error with the given secret values removed from its text (returns self)."""
        self.message = redact_text(self.message, secrets)
        self.remedy = redact_text(self.remedy, secrets) if self.remedy else None
        self.args = (str(self),)
        return self

    def __reduce__(self):  # picklable across process boundaries (executors, multiprocessing)
        state = {k: v for k, v in self.__dict__.items() if k not in ("source", "message", "remedy")}
        return (_rebuild, (type(self), self.source, self.message, self.remedy, state))

    def __str__(self) -> str:
        text = f"{self.source}: {self.message.rstrip('.')}."
        if self.remedy:
            text += f" Fix: {self.remedy.rstrip('.')}."
        return text


class RetriableError(ConnectorError):
    """Transient failure; `wait_hint` is the server's suggested delay in seconds, if it gave one."""

    retriable = True

    def __init__(self, source: str, message: str, remedy: str | None = None, *, status: int | None = None,
                 wait_hint: float | None = None):
        super().__init__(source, message, remedy, status=status)
        self.wait_hint = wait_hint


class AuthError(ConnectorError):
    """The credentials were rejected (bad, expired or revoked token)."""


class ConfigError(ConnectorError):
    """A setting is wrong: site/counter id, client login, URL, account state (unpaid)."""


class ApiError(ConnectorError):
    """Any other error the vendor reported; not retried."""


class SourceUnavailableError(ConnectorError):
    """Transient errors did not stop within the retry budget."""


def _rebuild(cls, source, message, remedy, state):
    err = cls.__new__(cls)
    ConnectorError.__init__(err, source, message, remedy, status=state.get("status"))
    err.__dict__.update(state)
    return err
