"""The one retry policy every connector uses (tenacity-based).

Only `RetriableError` is retried. Waits are exponential with full jitter, or the
server's wait hint (`Retry-After`, Direct's `retryIn`) capped at `max_wait_hint`.
Both the number of attempts and the total time are bounded; when they run out the
caller gets a `SourceUnavailableError` (fatal) that says so.
"""

from __future__ import annotations

import logging
import time
from typing import Callable, TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)

from .errors import RetriableError, SourceUnavailableError

log = logging.getLogger("connectors")
T = TypeVar("T")


class RetryPolicy:
    """Retry `fn` on `RetriableError` within the limits of `settings` (an `HttpSettings`)."""

    def __init__(self, source: str, settings, sleep: Callable[[float], None] = time.sleep):
        self.source = source
        self.settings = settings
        self._sleep = sleep
        self._jitter = wait_random_exponential(multiplier=settings.backoff_base, max=settings.backoff_max)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hint = getattr(exc, "wait_hint", None)
        if hint is not None and hint >= 0:
            return min(float(hint), self.settings.max_wait_hint)
        return self._jitter(state)

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s: attempt %d/%d failed (%s); retrying in %.2f s",
            self.source, state.attempt_number, self.settings.max_attempts,
            getattr(exc, "message", type(exc).__name__), wait,
        )

    def _give_up(self, state: RetryCallState):
        exc = state.outcome.exception() if state.outcome else None
        elapsed = state.seconds_since_start or 0.0
        last = getattr(exc, "message", str(exc))
        raise SourceUnavailableError(
            self.source,
            f"the API stayed unavailable after {state.attempt_number} attempts / {elapsed:.0f} seconds"
            f" (last error: {last})",
            "check the API URL and network access, or re-run later",
            status=getattr(exc, "status", None),
        ) from exc

    def call(self, fn: Callable[..., T], *args, **kwargs) -> T:
        retrying = Retrying(
            retry=retry_if_exception_type(RetriableError),
            stop=stop_after_attempt(self.settings.max_attempts) | stop_before_delay(self.settings.max_total_seconds),
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=self._before_sleep,
            retry_error_callback=self._give_up,
            reraise=False,
        )
        return retrying(fn, *args, **kwargs)
