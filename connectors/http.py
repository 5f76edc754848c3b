"""The shared HTTP layer: settings, the session factory and `HttpClient`.

`HttpClient.request` sends one logical request through the source's rate limiter
and the retry policy. Transport failures, 429 and 5xx become `RetriableError`;
other statuses go to the connector's `classify` (its vendor error format), which
returns a typed fatal error. Response parsing runs inside the retried attempt, so
a truncated or unparseable body is fetched again.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import requests
from requests.adapters import HTTPAdapter

from .errors import ApiError, AuthError, ConfigError, ConnectorError, RetriableError, redact_text, redact_url
from .ratelimit import RateLimiter
from .retry import RetryPolicy

log = logging.getLogger("connectors")

USER_AGENT = "call-attribution/0.1 (+https://github.com/call-attribution/call-attribution)"


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_attempts: int = 8
    max_total_seconds: float = 300.0
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_wait_hint: float = 60.0

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)


class _TimeoutSession(requests.Session):
    """A session that always sends explicit (connect, read) timeouts."""

    def __init__(self, timeout: tuple[float, float]):
        super().__init__()
        self._timeout = timeout

    def request(self, method, url, **kwargs):  # noqa: D401 - requests' signature
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, **kwargs)


def make_session(source: str, settings: HttpSettings | None = None) -> requests.Session:
    """A session for one source: User-Agent, explicit timeouts, no hidden urllib3 retries."""
    settings = settings or HttpSettings()
    session = _TimeoutSession(settings.timeout)
    session.headers["User-Agent"] = f"{USER_AGENT} {source}"
    adapter = HTTPAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After`/`retryIn` header (delta-seconds or HTTP date)."""
    if value is None or not str(value).strip():
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def json_body(source: str, response: requests.Response) -> Any:
    """The JSON body, or `RetriableError` when it is cut off or not JSON (retry fetches it again)."""
    try:
        return response.json()
    except ValueError:
        raise RetriableError(source, f"unparseable JSON body (HTTP {response.status_code}, "
                                     f"{len(response.content)} bytes): truncated response",
                             status=response.status_code) from None


def error_detail(response: requests.Response, limit: int = 300) -> str:
    """A short one-line description of an error body, for messages."""
    text = response.text or ""
    try:
        text = json.dumps(response.json(), ensure_ascii=False)
    except ValueError:
        pass
    return " ".join(text.split())[:limit]


def default_classify(source: str, response: requests.Response) -> ConnectorError:
    status = response.status_code
    detail = error_detail(response)
    if status in (401, 403):
        return AuthError(source, f"the API token was rejected (HTTP {status}: {detail})",
                         "set a valid token for this source", status=status)
    if status == 404:
        return ConfigError(source, f"the resource was not found (HTTP 404: {detail})",
                           "check the account/site id and the API URL", status=status)
    return ApiError(source, f"the API answered HTTP {status}: {detail}", status=status)


class HttpClient:
    """One source's HTTP access: session, auth, rate limit, retry policy and error mapping."""

    def __init__(
        self,
        source: str,
        base_url: str,
        settings: HttpSettings | None = None,
        *,
        auth=None,
        limiter: RateLimiter | None = None,
        classify: Callable[[requests.Response], ConnectorError] | None = None,
        url_setting: str | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.settings = settings or HttpSettings()
        self.auth = auth
        self.limiter = limiter or RateLimiter(None)
        self.classify = classify or (lambda response: default_classify(source, response))
        self.url_setting = url_setting
        self.session = session or make_session(source, self.settings)
        self.policy = RetryPolicy(source, self.settings, sleep=sleep)
        self.sleep = sleep
        self.requests_sent = 0
        self._answered = False

    @property
    def secrets(self) -> Iterable[str]:
        return getattr(self.auth, "secrets", ())

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | list | None = None,
        headers: dict | None = None,
        json: Any = None,
        expect: Iterable[int] = (200,),
        parse: Callable[[requests.Response], Any] | None = None,
    ) -> Any:
        """Send with retries; return `parse(response)` (default: the response itself)."""
        return self.policy.call(self.send_once, method, path, params=params, headers=headers, json=json,
                                expect=tuple(expect), parse=parse)

    def send_once(self, method, path, *, params=None, headers=None, json=None, expect=(200,), parse=None):
        """One attempt, no retries: the unit the retry policy repeats."""
        all_headers = dict(headers or {})
        extra_params: dict = {}
        if self.auth is not None:
            self.auth.apply(all_headers, extra_params)
        if isinstance(params, list):
            all_params: Any = list(extra_params.items()) + params
        else:
            all_params = {**extra_params, **(params or {})}
        url = self.url(path)
        self.limiter.acquire()
        self.requests_sent += 1
        log.debug("%s: %s %s", self.source, method, redact_url(url))
        error: ConnectorError | None = None
        response = None
        try:
            response = self.session.request(method, url, params=all_params, headers=all_headers, json=json,
                                            timeout=self._timeout())
        except requests.RequestException as exc:
            # Built outside the except block: the new error has no __context__ holding the URL.
            error = self._transport_error(exc)
        if error is not None:
            raise error.scrubbed(self.secrets)
        self._answered = True
        status = response.status_code
        if status in expect:
            return parse(response) if parse else response
        if status == 429 or status >= 500:
            raise RetriableError(
                self.source, f"HTTP {status} from {method} {redact_url(response.url.split('?')[0])}: "
                             f"{redact_text(error_detail(response, 120), self.secrets)}",
                status=status, wait_hint=parse_retry_after(response.headers.get("Retry-After")),
            )
        raise self.classify(response).scrubbed(self.secrets)

    def _timeout(self) -> tuple[float, float]:
        """(connect, read) timeouts, cut to what is left of the request's retry budget."""
        connect, read = self.settings.timeout
        left = self.policy.remaining()
        if left is None:
            return connect, read
        left = max(left, 0.05)
        return min(connect, left), min(read, left)

    def _transport_error(self, exc: requests.RequestException) -> ConnectorError:
        text = redact_text(f"{type(exc).__name__}: {exc}", self.secrets)
        refused = isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout) and (
            "NewConnectionError" in text or "NameResolutionError" in text or "Failed to resolve" in text)
        if refused and not self._answered:
            where = f"set {self.url_setting} to the right address" if self.url_setting else "check the API URL"
            return ConfigError(self.source, f"cannot connect to {redact_url(self.base_url)} ({text})",
                               f"{where}, or check network access")
        kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
        return RetriableError(self.source, f"{kind}: {text}")
