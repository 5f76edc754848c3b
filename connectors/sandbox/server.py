"""One loopback HTTP server speaking all four vendor APIs, with seeded fault injection.

Faults (CONTRACTS section 1): ``429`` (``Retry-After: 1``), ``500``/``502``/``503``
and ``drop`` (connection closed, no response) happen before the request is
handled, so they have no side effects; ``slow`` (answers after ``slow_seconds``)
and ``truncate`` (full ``Content-Length``, half the body, then close) happen after
it, so e.g. a Metrica log request may exist although its creator never saw the
answer - the case a client must survive without leaving duplicates behind.

``outage={"calltouch": "503"}`` makes a source stay down: every request to its API fails
the same way (``429``/``500``/``502``/``503``, ``drop``, or ``slow`` = no answer within
``slow_seconds``), for as long as the server runs. ``latency`` delays every answer (a
slow network), e.g. so a test can kill a run in the middle of its landing.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections import Counter
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .api_amocrm import AmoCRMAPI
from .api_calltouch import CalltouchAPI
from .api_direct import DirectAPI
from .api_metrika import MetrikaAPI
from .credentials import SandboxCredentials
from .faults import FaultPlan
from .messages import Request, Response, json_response
from .world import World

log = logging.getLogger(__name__)
_SECRET_QUERY = re.compile(r"(clientApiId=)[^&\s]+")
_FAULT_STATUS = {"429": 429, "500": 500, "502": 502, "503": 503}
# Which source an API path belongs to (for outages).
SOURCE_PATHS = (
    ("calltouch", "/calls-service/"),
    ("yandex_direct", "/json/v5/"),
    ("yandex_metrika", "/management/v1/"),
    ("amocrm", "/api/v4/"),
)
OUTAGE_KINDS = ("429", "500", "502", "503", "drop", "slow")


def source_of(path: str) -> str | None:
    return next((source for source, prefix in SOURCE_PATHS if path.startswith(prefix)), None)


def redact(text: str) -> str:
    return _SECRET_QUERY.sub(r"\1***", text)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "call-attribution-sandbox"
    # Headers and body go out in two writes; with Nagle's algorithm the body waits for the client's
    # delayed ACK of the headers (~40 ms a response on loopback). TCP_NODELAY sends both at once.
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self.server.sandbox._serve(self)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET  # noqa: N815

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature of http.server
        log.debug("%s %s", self.address_string(), redact(format % args))


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sandbox: SandboxServer


class SandboxServer:
    """Serves ``world`` on ``host:port`` (0 = a free port). Use as a context manager or start()/stop()."""

    def __init__(self, world: World, host: str = "127.0.0.1", port: int = 0, fault_rate: float = 0.0,
                 fault_kinds: list[str] | tuple[str, ...] | None = None, fault_seed: int = 0,
                 slow_seconds: float = 6.0, credentials: SandboxCredentials | None = None,
                 outage: dict[str, str] | None = None, latency: float = 0.0):
        self.world = world
        self.credentials = credentials or SandboxCredentials()
        self.faults = FaultPlan(fault_rate, fault_kinds, fault_seed)
        self.slow_seconds = slow_seconds
        self.outage = dict(outage or {})
        unknown = {s for s in self.outage if s not in dict(SOURCE_PATHS)} | {
            k for k in self.outage.values() if k not in OUTAGE_KINDS}
        if unknown:
            raise ValueError(f"unknown outage sources or kinds {sorted(unknown)}; sources: "
                             f"{', '.join(dict(SOURCE_PATHS))}; kinds: {', '.join(OUTAGE_KINDS)}")
        self.latency = latency
        self.apis = [api(world, self.credentials) for api in (CalltouchAPI, DirectAPI, MetrikaAPI, AmoCRMAPI)]
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.sandbox = self
        self._thread: threading.Thread | None = None
        self._stats: Counter[str] = Counter()
        self._lock = threading.Lock()

    # ---- lifecycle ---------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def stats(self) -> dict:
        """Requests served and faults injected per kind (``faults`` maps kind -> count)."""
        with self._lock:
            return {"requests": self._stats["requests"],
                    "faults": {k[6:]: v for k, v in self._stats.items() if k.startswith("fault:")},
                    "outage": {k[7:]: v for k, v in self._stats.items() if k.startswith("outage:")}}

    def start(self) -> SandboxServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="sandbox-http", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- one exchange ---------------------------------------------------------------
    def _serve(self, h: _Handler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        parts = urlsplit(h.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        host = h.headers.get("Host") or "{}:{}".format(*self._httpd.server_address[:2])
        req = Request(h.command, parts.path, query, {k.lower(): v for k, v in h.headers.items()}, body,
                      f"http://{host}")
        key = "|".join((h.command, parts.path, "&".join(sorted(parts.query.split("&"))), body.decode("utf-8", "replace")))
        down = self.outage.get(source_of(parts.path) or "")
        fault = down or self.faults.decide(key)
        with self._lock:
            self._stats["requests"] += 1
            if down:
                self._stats[f"outage:{down}"] += 1
            elif fault:
                self._stats[f"fault:{fault}"] += 1
        if self.latency:
            time.sleep(self.latency)
        if down == "slow":
            time.sleep(self.slow_seconds)
            fault = "503"
        if fault in _FAULT_STATUS:
            status = _FAULT_STATUS[fault]
            headers = [("Retry-After", "1")] if fault == "429" else []
            return self._send(h, json_response(status, {"error": "sandbox fault", "status": status}, headers))
        if fault == "drop":
            h.close_connection = True
            return None
        try:
            response = self._route(req)
        except Exception:  # a bug in the sandbox must not look like a network fault
            log.exception("sandbox failed on %s %s", h.command, redact(h.path))
            response = json_response(500, {"error": "sandbox internal error"})
        if fault == "slow":
            time.sleep(self.slow_seconds)
        if fault == "truncate":
            if not response.body:
                h.close_connection = True
                return None
            return self._send(h, response, truncate=True)
        return self._send(h, response)

    def _route(self, req: Request) -> Response:
        for api in self.apis:
            response = api.handle(req)
            if response is not None:
                return response
        return json_response(404, {"error": "Not Found", "message": f"No sandbox endpoint {req.method} {req.path}"})

    @staticmethod
    def _send(h: _Handler, response: Response, truncate: bool = False) -> None:
        try:
            h.send_response(response.status)
            if response.content_type:
                h.send_header("Content-Type", response.content_type)
            for name, value in response.headers:
                h.send_header(name, value)
            if response.status != 204:
                h.send_header("Content-Length", str(len(response.body)))
            if truncate:
                h.send_header("Connection", "close")
            h.end_headers()
            if truncate:
                h.wfile.write(response.body[: len(response.body) // 2])
                h.wfile.flush()
                h.close_connection = True
                h.connection.shutdown(socket.SHUT_RDWR)
            elif response.status != 204:
                h.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            h.close_connection = True  # the client gave up (e.g. timed out on a slow answer)


def run_sandbox(port: int = 8765, seed: int = 7, days: int = 90, end_date: date | None = None,
                fault_rate: float = 0.0, scale: float = 1.0, data_dir: str | Path = "data/sandbox", *,
                host: str = "127.0.0.1", timezone: str = "Europe/Moscow",
                credentials: SandboxCredentials | None = None, on_ready=None, hostile: bool = False,
                outage: dict[str, str] | None = None) -> None:
    """Build the world, write ground_truth.json and world.json into ``data_dir``, serve until interrupted.

    ``on_ready(server)`` is called once the port is bound (e.g. to print ``sandbox_env(server.url)``).
    """
    world = World(seed=seed, end_date=end_date, days=days, scale=scale, timezone=timezone, hostile=hostile)
    data_dir = Path(data_dir)
    world.write_ground_truth(data_dir / "ground_truth.json")
    world.write_description(data_dir / "world.json")
    server = SandboxServer(world, host=host, port=port, fault_rate=fault_rate, credentials=credentials, outage=outage)
    if on_ready is not None:
        on_ready(server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
