from __future__ import annotations

from datetime import date

from ..landing.assets import api_spec, landing_asset
from ..landing.resources import LandingZone
from ..landing.schemas import AMOCRM_CONTACTS, AMOCRM_LEADS
from ..landing.writer import read_partition

amocrm_api = api_spec("amocrm", "amoCRM API v4 (deals and their contacts).")

leads = landing_asset(
    AMOCRM_LEADS,
    api=amocrm_api,
    resource_key="amocrm",
    fetch=lambda resource, day, zone: resource.client().leads(day),
    description="Deals whose latest change fell on a local day (a deal that changes later lands again).",
)


def _contacts_of_leads(resource, day: date, zone: LandingZone):
    landed = read_partition(zone.root, AMOCRM_LEADS, day)
    if landed is None:
        return []
    ids = sorted({cid for row in landed.column("contact_ids").to_pylist() for cid in (row or [])}, key=lambda cid: (len(cid), cid))
    return resource.client().contacts(ids) if ids else []


contacts = landing_asset(
    AMOCRM_CONTACTS,
    api=amocrm_api,
    resource_key="amocrm",
    fetch=_contacts_of_leads,
    extra_deps=[leads.key],
    description="The contacts of that day's deals, one row per phone, with caller_hash added.",
)

assets = [amocrm_api, leads, contacts]
