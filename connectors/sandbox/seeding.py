"""Stable randomness: every random draw of the world is keyed by (seed, ..., purpose).

Python's ``hash()`` is salted per process, so keys are hashed with BLAKE2b instead:
the same key gives the same stream in every process and on every machine.
"""

from __future__ import annotations

import hashlib
import random


def stable_int(*parts: object, bits: int = 64) -> int:
    """A reproducible non-negative integer of ``bits`` bits derived from ``parts``."""
    digest = hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).digest()
    return int.from_bytes(digest, "big") >> (128 - bits)


def stable_rng(*parts: object) -> random.Random:
    """A ``random.Random`` whose stream depends only on ``parts``."""
    return random.Random(stable_int(*parts, bits=64))


def stable_unit(*parts: object) -> float:
    """A reproducible float in [0, 1)."""
    return stable_int(*parts, bits=53) / float(1 << 53)
