"""HTTP settings for every connector, from the deployment environment."""

from __future__ import annotations

from connectors.http import HttpSettings

from .. import settings


def http_settings() -> HttpSettings:
    read_timeout = settings.http_timeout_seconds()
    return HttpSettings(connect_timeout=min(10.0, read_timeout), read_timeout=read_timeout)
