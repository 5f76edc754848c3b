"""Seeded transient faults (CONTRACTS section 1, "Faults").

Whether the n-th attempt of a request fails, and how, is a pure function of
(fault_seed, request key, n), so a run is reproducible whatever the thread
interleaving. The same request key never fails more than 3 times in a row.
"""

from __future__ import annotations

import threading
from collections import Counter

from .seeding import stable_int, stable_unit

FAULT_KINDS = ("429", "500", "502", "503", "drop", "slow", "truncate")
MAX_CONSECUTIVE = 3


class FaultPlan:
    def __init__(self, rate: float = 0.0, kinds: tuple[str, ...] | list[str] | None = None, seed: int = 0):
        kinds = tuple(kinds or FAULT_KINDS)
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {', '.join(FAULT_KINDS)}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault_rate must be within [0, 1]")
        self.rate, self.kinds, self.seed = rate, kinds, seed
        self._attempts: Counter[str] = Counter()
        self._streak: Counter[str] = Counter()
        self._lock = threading.Lock()

    def decide(self, key: str) -> str | None:
        """The fault to inject into this attempt of ``key``, or None to answer normally."""
        if self.rate <= 0:
            return None
        with self._lock:
            attempt = self._attempts[key]
            self._attempts[key] += 1
            if self._streak[key] >= MAX_CONSECUTIVE or stable_unit(self.seed, key, attempt) >= self.rate:
                self._streak[key] = 0
                return None
            self._streak[key] += 1
            return self.kinds[stable_int(self.seed, key, attempt, "kind") % len(self.kinds)]
