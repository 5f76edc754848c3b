"""All landing assets by source, so the CLI and the schedule select the enabled ones."""

from __future__ import annotations

import dagster as dg

from ..amocrm.assets import assets as amocrm_assets
from ..calltouch.assets import assets as calltouch_assets
from ..yandex_direct.assets import assets as yandex_direct_assets
from ..yandex_metrika.assets import assets as yandex_metrika_assets

ASSETS_BY_SOURCE: dict[str, list] = {
    "calltouch": calltouch_assets,
    "yandex_direct": yandex_direct_assets,
    "yandex_metrika": yandex_metrika_assets,
    "amocrm": amocrm_assets,
}


def landing_assets(sources: list[str] | None = None) -> list[dg.AssetsDefinition]:
    """The materializable landing assets of the given sources (all when None)."""
    chosen = ASSETS_BY_SOURCE if sources is None else {s: ASSETS_BY_SOURCE[s] for s in sources}
    return [a for group in chosen.values() for a in group if isinstance(a, dg.AssetsDefinition)]


def api_specs() -> list[dg.AssetSpec]:
    return [a for group in ASSETS_BY_SOURCE.values() for a in group if isinstance(a, dg.AssetSpec)]


def landing_keys(sources: list[str] | None = None) -> list[dg.AssetKey]:
    return [a.key for a in landing_assets(sources)]
