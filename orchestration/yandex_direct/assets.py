from __future__ import annotations

from ..landing.assets import api_spec, landing_asset
from ..landing.schemas import YANDEX_DIRECT_CAMPAIGN_STATS

yandex_direct_api = api_spec("yandex_direct", "Yandex Direct Reports API v5 (ad spend).")

campaign_stats = landing_asset(
    YANDEX_DIRECT_CAMPAIGN_STATS,
    api=yandex_direct_api,
    resource_key="yandex_direct",
    fetch=lambda resource, day, zone: resource.client().campaign_stats(day),
    description="Direct impressions, clicks and cost per campaign for a local day (settles within ~3 days).",
)

assets = [yandex_direct_api, campaign_stats]
