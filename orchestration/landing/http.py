"""HTTP settings for every connector, from the deployment environment.

The retry budget of one request (README "Retries and time bounds"):
`ATTRIBUTION_HTTP_TIMEOUT` (read timeout, 60 s), `ATTRIBUTION_HTTP_MAX_ATTEMPTS` (8),
`ATTRIBUTION_HTTP_MAX_SECONDS` (300 s, timeouts and waits included: a source that stays
down fails its landing step within this time), `ATTRIBUTION_HTTP_BACKOFF_MAX` (30 s, the
longest pause between two attempts) and `ATTRIBUTION_HTTP_MAX_WAIT_HINT` (60 s, the longest
server-requested wait, `Retry-After` or Direct's `retryIn`, that is honoured).
"""

from __future__ import annotations

from connectors.http import HttpSettings

from .. import settings


def _number(name: str, default: float, *, integer: bool = False) -> float:
    raw = settings.env(name, str(default))
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number of seconds"
        raise settings.SettingsError(f"{name}={raw!r} is not {kind}. Fix: set it to {kind}, e.g. {default}.") from None
    if value <= 0:
        raise settings.SettingsError(f"{name} must be positive. Fix: set it to e.g. {default}.")
    return value


def http_settings() -> HttpSettings:
    read_timeout = settings.http_timeout_seconds()
    return HttpSettings(
        connect_timeout=min(10.0, read_timeout),
        read_timeout=read_timeout,
        max_attempts=int(_number("ATTRIBUTION_HTTP_MAX_ATTEMPTS", 8, integer=True)),
        max_total_seconds=_number("ATTRIBUTION_HTTP_MAX_SECONDS", 300),
        backoff_max=_number("ATTRIBUTION_HTTP_BACKOFF_MAX", 30),
        max_wait_hint=_number("ATTRIBUTION_HTTP_MAX_WAIT_HINT", 60),
    )
