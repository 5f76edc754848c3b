"""Phone numbers of the simulated world, and the ways people and vendors write them.

Numbers are kept internally as E.164 digits without the plus ("79161234567").
Calltouch sends callers as bare digits starting with 7 (assumed, as in its
examples); CRM managers type numbers by hand in many styles.
"""

from __future__ import annotations

import random

MOBILE_PREFIXES = ("916", "915", "925", "926", "903", "905", "909", "910", "911", "921", "977", "985", "999")
LANDLINE_PREFIXES = ("495", "499", "812")


def random_mobile(rng: random.Random) -> str:
    """A Russian mobile number as E.164 digits."""
    return "7" + rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def random_number(rng: random.Random, landline_share: float = 0.1) -> str:
    """A caller number: mostly mobile, sometimes a city landline."""
    if rng.random() < landline_share:
        return "7" + rng.choice(LANDLINE_PREFIXES) + f"{rng.randrange(1_000_000, 10**7):07d}"
    return random_mobile(rng)


def e164(digits: str) -> str:
    return "+" + digits


def _parts(digits: str) -> tuple[str, str, str, str, str]:
    code, rest = digits[1:4], digits[4:]
    return digits[0], code, rest[:3], rest[3:5], rest[5:7]


TYPED_STYLES = (
    "8 ({code}) {a}-{b}-{c}",
    "+7 {code} {a} {b} {c}",
    "8{code}{a}{b}{c}",
    "7-{code}-{a}-{b}-{c}",
    "+7({code}){a}{b}{c} доб. {ext}",
    "+7{code}{a}{b}{c}",
    "8-{code}-{a}-{b}{c}",
    "+7 ({code}) {a}-{b}-{c}",
    "{code} {a}-{b}-{c}",
    "8 {code} {a}{b}{c}",
)


def as_typed(digits: str, rng: random.Random) -> str:
    """The number as a CRM manager might type it (all styles parse to the same E.164)."""
    _, code, a, b, c = _parts(digits)
    style = rng.choice(TYPED_STYLES)
    return style.format(code=code, a=a, b=b, c=c, ext=rng.randrange(10, 99))
