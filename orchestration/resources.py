"""Every resource of the deployment, built from the environment (DESIGN §3) via `dg.EnvVar`."""

from __future__ import annotations

import dagster as dg

from .amocrm.resources import amocrm_resource
from .calltouch.resources import calltouch_resource
from .landing.resources import LandingZone
from .yandex_direct.resources import yandex_direct_resource
from .yandex_metrika.resources import yandex_metrika_resource


def all_resources() -> dict[str, object]:
    return {
        "landing": LandingZone(pii_salt=dg.EnvVar("ATTRIBUTION_PII_SALT")),
        "calltouch": calltouch_resource(),
        "yandex_direct": yandex_direct_resource(),
        "yandex_metrika": yandex_metrika_resource(),
        "amocrm": amocrm_resource(),
    }
