"""A tiny threaded HTTP server for the processes without an event loop of their own to
serve from (the worker, the scheduler): ``/healthz`` (alive), ``/readyz`` (database and
Redis answer) and ``/metrics`` (Prometheus text)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ops import metrics

log = logging.getLogger(__name__)


class Probe:
    """What the endpoints look at. Each request opens its own short-lived engine on its own
    event loop (requests are rare: a probe every few seconds, a scrape every 15–60 s)."""

    def __init__(
        self, database_url: str, redis_url: str | None, broker: Callable[[], Any] | None = None
    ) -> None:
        self.database_url = database_url
        self.redis_url = redis_url
        self.broker = broker

    def _engine(self) -> Any:
        from sqlalchemy.ext.asyncio import create_async_engine
        from sqlalchemy.pool import NullPool

        return create_async_engine(self.database_url, poolclass=NullPool)

    async def ready(self) -> dict[str, str]:
        engine = self._engine()
        try:
            return await metrics.readiness(engine, self.redis_url)
        finally:
            await engine.dispose()

    async def refresh(self) -> None:
        engine = self._engine()
        try:
            await metrics.refresh_state(engine, self.broker() if self.broker else None)
        finally:
            await engine.dispose()


def _handler(probe: Probe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                self._send(200, b"ok\n", "text/plain; charset=utf-8")
            elif path == "/readyz":
                checks = asyncio.run(probe.ready())
                body = json.dumps(checks).encode() + b"\n"
                self._send(200 if metrics.is_ready(checks) else 503, body, "application/json")
            elif path == "/metrics":
                asyncio.run(probe.refresh())
                self._send(200, metrics.render(), metrics.CONTENT_TYPE_LATEST)
            else:
                self._send(404, b"not found\n", "text/plain; charset=utf-8")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(
            self, format: str, *args: Any
        ) -> None:  # probes every few seconds: not logged
            return

    return Handler


def serve(port: int, probe: Probe, host: str = "0.0.0.0") -> ThreadingHTTPServer | None:
    """Start serving in a daemon thread; None when the port is 0 or already taken (a
    warning: the process itself keeps working)."""
    if not port:
        return None
    try:
        server = ThreadingHTTPServer((host, port), _handler(probe))
    except OSError as exc:
        log.warning("health/metrics endpoint not started on port %d: %s", port, exc.strerror or exc)
        return None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="health-http", daemon=True).start()
    log.info("health and metrics on :%d (/healthz, /readyz, /metrics)", server.server_address[1])
    return server
