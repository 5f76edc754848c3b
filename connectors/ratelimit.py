"""A small thread-safe rate limiter: requests to one source are spaced evenly."""

from __future__ import annotations

import threading
import time

# Documented vendor limits (requests per second), used when a config does not override them.
DEFAULT_RATES = {
    "amocrm": 7.0,
    "calltouch": 5.0,
    "yandex_metrika": 10.0,
    "yandex_direct": 2.0,
}


class RateLimiter:
    """At most `rate` acquisitions per second across all threads that share this object."""

    def __init__(self, rate: float | None):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        delay = start - now
        if delay > 0:
            time.sleep(delay)


_limiters: dict[tuple[str, str, float | None], RateLimiter] = {}
_registry_lock = threading.Lock()


def limiter_for(source: str, account: str = "", rate: float | None = None) -> RateLimiter:
    """The process-wide limiter for (source, account): clients of one account share a budget."""
    if rate is None:
        rate = DEFAULT_RATES.get(source)
    key = (source, account, rate)
    with _registry_lock:
        if key not in _limiters:
            _limiters[key] = RateLimiter(rate)
        return _limiters[key]
