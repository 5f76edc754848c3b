from __future__ import annotations

import dagster as dg

from connectors.calltouch import CalltouchClient, CalltouchConfig

from .. import settings
from ..landing.http import http_settings


class CalltouchResource(dg.ConfigurableResource):
    """Calltouch API access; `site_id` and `api_token` come from `dg.EnvVar`."""

    site_id: str
    api_token: str

    def client(self) -> CalltouchClient:
        config = CalltouchConfig(
            site_id=self.site_id,
            api_token=self.api_token,
            base_url=settings.env("CALLTOUCH_API_URL", settings.DEFAULT_API_URLS["calltouch"]),
            timezone=settings.timezone_name(),
        )
        return CalltouchClient(config, http_settings())


def calltouch_resource() -> CalltouchResource:
    return CalltouchResource(site_id=dg.EnvVar("CALLTOUCH_SITE_ID"), api_token=dg.EnvVar("CALLTOUCH_API_TOKEN"))
