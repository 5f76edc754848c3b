from __future__ import annotations

import dagster as dg

from connectors.yandex_metrika import YandexMetrikaClient, YandexMetrikaConfig

from .. import settings
from ..landing.http import http_settings


class YandexMetrikaResource(dg.ConfigurableResource):
    """Yandex Metrica Logs API access; token and counter id come from `dg.EnvVar`."""

    token: str
    counter_id: str

    def client(self) -> YandexMetrikaClient:
        config = YandexMetrikaConfig(
            token=self.token,
            counter_id=self.counter_id,
            base_url=settings.env("YANDEX_METRIKA_API_URL", settings.DEFAULT_API_URLS["yandex_metrika"]),
            timezone=settings.timezone_name(),
        )
        return YandexMetrikaClient(config, http_settings())


def yandex_metrika_resource() -> YandexMetrikaResource:
    return YandexMetrikaResource(
        token=dg.EnvVar("YANDEX_METRIKA_TOKEN"), counter_id=dg.EnvVar("YANDEX_METRIKA_COUNTER_ID")
    )
