from __future__ import annotations

import dagster as dg

from connectors.amocrm import AmocrmClient, AmocrmConfig

from .. import settings
from ..landing.http import http_settings


class AmoCrmResource(dg.ConfigurableResource):
    """amoCRM API access; the account URL and token come from `dg.EnvVar`."""

    api_url: str
    token: str

    def client(self) -> AmocrmClient:
        config = AmocrmConfig(base_url=self.api_url, token=self.token, timezone=settings.timezone_name())
        return AmocrmClient(config, http_settings())


def amocrm_resource() -> AmoCrmResource:
    return AmoCrmResource(api_url=dg.EnvVar("AMOCRM_API_URL"), token=dg.EnvVar("AMOCRM_TOKEN"))
