"""Pseudonymising callers at landing (DESIGN §2).

A phone number as people type it ("8 (495) 123-45-67", "+7 916 123 45 67 доб. 12")
becomes E.164 via the `phonenumbers` library, then `caller_hash` =
HMAC-SHA256(ATTRIBUTION_PII_SALT, E.164). dbt joins on the hash only.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

import phonenumbers

# Numbers Calltouch reports without "+" ("79210297055") parse as national numbers
# in RU unless we notice they already carry the country code.
_MIN_DIGITS = 5


@lru_cache(maxsize=200_000)
def to_e164(raw: str | None, region: str = "RU") -> str | None:
    """The number in E.164, or None when it is empty, anonymous or not a possible number."""
    if raw is None:
        return None
    text = raw.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < _MIN_DIGITS:
        return None
    candidates = [text]
    if not text.startswith("+") and not text.startswith("8") and len(digits) == 11 and digits[0] == "7":
        candidates.insert(0, "+" + text)  # "79210297055": country code written without the plus
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def caller_hash(e164: str | None, salt: str) -> str | None:
    if e164 is None:
        return None
    return hmac.new(salt.encode("utf-8"), e164.encode("utf-8"), hashlib.sha256).hexdigest()
