"""The landing zone as a Dagster resource: where files go and how callers are pseudonymised."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from .. import settings


class LandingZone(dg.ConfigurableResource):
    """Landing zone root and the PII salt; the salt comes from `dg.EnvVar("ATTRIBUTION_PII_SALT")`."""

    pii_salt: str | None = None

    @property
    def root(self) -> Path:
        return settings.landing_root()

    @property
    def region(self) -> str:
        return settings.phone_region()

    def salt(self) -> str:
        if not self.pii_salt:
            raise settings.SettingsError(
                "ATTRIBUTION_PII_SALT is not set. Fix: set it to a long random secret before landing calls or contacts."
            )
        return self.pii_salt
