"""The bot's health and metrics: ``/healthz``, ``/readyz`` and ``/metrics`` served by aiohttp
on the bot's own event loop (``METRICS_PORT``), and a middleware that counts each update and
times it by the handler that took it (``ops.metrics``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.types import TelegramObject
from aiohttp import web

from ops import metrics

log = logging.getLogger(__name__)

_HOLDER = "metrics_handler"
#: events whose handlers are timed (the update observer itself only wraps them)
_OBSERVED = (
    "message",
    "edited_message",
    "callback_query",
    "inline_query",
    "my_chat_member",
    "chat_member",
    "pre_checkout_query",
)


def handler_name(handler: HandlerObject | None) -> str:
    callback = getattr(handler, "callback", None)
    if callback is None:
        return "unhandled"
    module = getattr(callback, "__module__", "") or ""
    return f"{module.removeprefix('bot.handlers.')}.{getattr(callback, '__qualname__', type(callback).__name__)}"


class _NameHandler(BaseMiddleware):
    """Inner middleware: runs once a handler is chosen; writes down which one."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        holder = data.get(_HOLDER)
        if holder is not None:
            holder[0] = handler_name(data.get("handler"))
        return await handler(event, data)


class UpdateMetrics(BaseMiddleware):
    """Outer middleware on updates: one count and one latency observation per update,
    labelled by the handler that took it ("unhandled" when none did)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        holder = ["unhandled"]
        data[_HOLDER] = holder
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await handler(event, data)
            outcome = "ok"
            return result
        finally:
            metrics.UPDATE_SECONDS.labels(handler=holder[0]).observe(time.perf_counter() - started)
            metrics.UPDATES.labels(handler=holder[0], outcome=outcome).inc()


def install_metrics(dp: Dispatcher) -> None:
    dp.update.outer_middleware(UpdateMetrics())
    namer = _NameHandler()
    for name in _OBSERVED:
        observer = dp.observers.get(name)
        if observer is not None:
            observer.middleware(namer)


def health_app(
    engine: Any, redis_url: str | None, broker: Callable[[], Any] | None = None
) -> web.Application:
    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(request: web.Request) -> web.Response:
        checks = await metrics.readiness(engine, redis_url)
        return web.json_response(checks, status=200 if metrics.is_ready(checks) else 503)

    async def metrics_view(request: web.Request) -> web.Response:
        await metrics.refresh_state(engine, broker() if broker else None)
        body = metrics.render()
        return web.Response(body=body, headers={"Content-Type": metrics.CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_view)
    return app


async def start_health_server(
    port: int, engine: Any, redis_url: str | None, broker: Any = None, host: str = "0.0.0.0"
) -> web.AppRunner | None:
    """Serve on the running loop; None when off (port 0) or the port is taken (a warning).
    ``broker``: the queue's broker, whose queue depths /metrics shows."""
    if not port:
        return None

    def queues() -> Any:
        return broker

    runner = web.AppRunner(
        health_app(engine, redis_url, queues if broker is not None else None), access_log=None
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        log.warning("health/metrics endpoint not started on port %d: %s", port, exc.strerror or exc)
        await runner.cleanup()
        return None
    log.info("health and metrics on :%d (/healthz, /readyz, /metrics)", port)
    return runner
