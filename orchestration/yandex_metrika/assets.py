from __future__ import annotations

from ..landing.assets import api_spec, landing_asset
from ..landing.schemas import YANDEX_METRIKA_VISITS

yandex_metrika_api = api_spec("yandex_metrika", "Yandex Metrica Logs API (web visits).")

visits = landing_asset(
    YANDEX_METRIKA_VISITS,
    api=yandex_metrika_api,
    resource_key="yandex_metrika",
    fetch=lambda resource, day, zone: resource.client().visits_table(day),
    description="Every Metrica visit of a local day with its own (`last`) traffic source and UTM tags.",
)

assets = [yandex_metrika_api, visits]
