from __future__ import annotations

import dagster as dg

from connectors.yandex_direct import YandexDirectClient, YandexDirectConfig

from .. import settings
from ..landing.http import http_settings


class YandexDirectResource(dg.ConfigurableResource):
    """Yandex Direct Reports API access; the token comes from `dg.EnvVar`."""

    token: str
    include_vat: bool = True

    def client(self) -> YandexDirectClient:
        config = YandexDirectConfig(
            token=self.token,
            client_login=settings.env("YANDEX_DIRECT_CLIENT_LOGIN"),
            base_url=settings.env("YANDEX_DIRECT_API_URL", settings.DEFAULT_API_URLS["yandex_direct"]),
            timezone=settings.timezone_name(),
            include_vat=self.include_vat,
        )
        return YandexDirectClient(config, http_settings())


def yandex_direct_resource() -> YandexDirectResource:
    return YandexDirectResource(token=dg.EnvVar("YANDEX_DIRECT_TOKEN"))
