"""Credentials the sandbox accepts, and the environment that points the pipeline at it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxCredentials:
    """What each simulated vendor accepts. ``amocrm_paid=False`` makes amoCRM answer 402."""

    calltouch_site_id: str = "54321"
    calltouch_token: str = "sandbox-calltouch-token"
    direct_token: str = "sandbox-direct-token"
    direct_client_login: str = "sandbox-client"
    metrika_token: str = "sandbox-metrika-token"
    metrika_counter_id: str = "12345678"
    amocrm_token: str = "sandbox-amocrm-token"
    amocrm_paid: bool = True
    pii_salt: str = "sandbox-pii-salt"


def sandbox_env(server_url: str, credentials: SandboxCredentials | None = None,
                timezone: str = "Europe/Moscow") -> dict[str, str]:
    """Environment variables (DESIGN section 3) that point every connector at the sandbox."""
    c = credentials or SandboxCredentials()
    url = server_url.rstrip("/")
    return {
        "CALLTOUCH_API_URL": url,
        "CALLTOUCH_SITE_ID": c.calltouch_site_id,
        "CALLTOUCH_API_TOKEN": c.calltouch_token,
        "YANDEX_DIRECT_API_URL": url,
        "YANDEX_DIRECT_TOKEN": c.direct_token,
        "YANDEX_DIRECT_CLIENT_LOGIN": c.direct_client_login,
        "YANDEX_METRIKA_API_URL": url,
        "YANDEX_METRIKA_TOKEN": c.metrika_token,
        "YANDEX_METRIKA_COUNTER_ID": c.metrika_counter_id,
        "AMOCRM_API_URL": url,
        "AMOCRM_TOKEN": c.amocrm_token,
        "ATTRIBUTION_PII_SALT": c.pii_salt,
        "ATTRIBUTION_TIMEZONE": timezone,
        "ATTRIBUTION_HTTP_TIMEOUT": "5",
    }
