"""The one retry policy every connector uses (tenacity-based).

Only `RetriableError` is retried. Waits are exponential with full jitter, or the
server's wait hint (`Retry-After`, Direct's `retryIn`) capped at `max_wait_hint`.
Both the number of attempts and the total time are bounded; when they run out the
caller gets a `SourceUnavailableError` (fatal) that says so. The time bound is a
deadline: `remaining()` tells the HTTP layer how long the current attempt may still
wait for an answer, so a request (timeouts included) never outlives `max_total_seconds`.
"""

from __future__ import annotations

import logging
import threading
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
        self._local = threading.local()  # the deadline of the call running in this thread

    def remaining(self) -> float | None:
        """Seconds left of the current call's time budget (None outside a call)."""
        deadline = getattr(self._local, "deadline", None)
        return None if deadline is None else deadline - time.monotonic()

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
        outer = getattr(self._local, "deadline", None)
        deadline = time.monotonic() + self.settings.max_total_seconds
        self._local.deadline = deadline if outer is None else min(outer, deadline)
        try:
            return self._retrying()(fn, *args, **kwargs)
        finally:
            self._local.deadline = outer

    def _retrying(self) -> Retrying:
        return Retrying(
            retry=retry_if_exception_type(RetriableError),
            stop=stop_after_attempt(self.settings.max_attempts) | stop_before_delay(self.settings.max_total_seconds),
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=self._before_sleep,
            retry_error_callback=self._give_up,
            reraise=False,
        )
