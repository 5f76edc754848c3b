from __future__ import annotations

from ..landing.assets import api_spec, landing_asset
from ..landing.schemas import CALLTOUCH_CALLS

calltouch_api = api_spec("calltouch", "Calltouch calls diary API (call tracking).")

calls = landing_asset(
    CALLTOUCH_CALLS,
    api=calltouch_api,
    resource_key="calltouch",
    fetch=lambda resource, day, zone: resource.client().calls(day),
    description="Every Calltouch call of a local day, with caller_hash added; raw numbers stay here.",
)

assets = [calltouch_api, calls]
