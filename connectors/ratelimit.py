"""A small thread-safe rate limiter per source: a token bucket.

Vendors state limits over a window ("7 requests per second", Direct's "20 requests
per 10 s"), so short bursts up to the window's allowance go out at once and only a
sustained rate above the limit waits. Spacing every request evenly would add
needless sleeps to a client that makes a few quick calls per day (Metrica's
create/poll/download/clean).
"""

from __future__ import annotations

import threading
import time

# Documented vendor limits: (requests per second, burst = requests allowed within the window).
DEFAULT_LIMITS = {
    "amocrm": (7.0, 7),            # 7 requests/s
    "calltouch": (5.0, 5),         # 5 requests/s from one IP
    "yandex_metrika": (10.0, 10),  # Logs API: 10 requests/s per IP
    "yandex_direct": (2.0, 20),    # 20 requests per 10 s per user
}
DEFAULT_RATES = {source: rate for source, (rate, _) in DEFAULT_LIMITS.items()}


class RateLimiter:
    """At most `rate` acquisitions per second on average, bursts of up to `burst`, across threads."""

    def __init__(self, rate: float | None, burst: int | None = None):
        self.rate = rate if rate and rate > 0 else 0.0
        self.capacity = float(max(1, burst if burst is not None else int(self.rate) or 1))
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if not self.rate:
            return
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1.0
            delay = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if delay > 0:
            time.sleep(delay)


_limiters: dict[tuple[str, str, float | None], RateLimiter] = {}
_registry_lock = threading.Lock()


def limiter_for(source: str, account: str = "", rate: float | None = None) -> RateLimiter:
    """The process-wide limiter for (source, account): clients of one account share a budget."""
    default_rate, default_burst = DEFAULT_LIMITS.get(source, (None, None))
    burst = default_burst if rate is None or rate == default_rate else None
    if rate is None:
        rate = default_rate
    key = (source, account, rate)
    with _registry_lock:
        if key not in _limiters:
            _limiters[key] = RateLimiter(rate, burst)
        return _limiters[key]
