"""Webhook mode: Telegram posts updates to this process instead of it polling for them.

Several bot processes may run behind a load balancer (TLS ends there). What makes that
safe:

* the FSM state lives in Redis (``RedisStorage``) and one user's updates are handled one
  at a time across every instance (``RedisEventIsolation``, see ``bot.app``);
* every request must carry Telegram's ``X-Telegram-Bot-Api-Secret-Token`` header equal to
  ``WEBHOOK_SECRET`` — otherwise 401 and the update never reaches a handler;
* an update is written to the inbox (bot.inbox, issue #13) before Telegram hears "200 OK",
  then handled (at most MAX_CONCURRENT_UPDATES at once per process). A handler that fails is
  tried again from the inbox (by this process, or by any instance once its lease runs out)
  and the answer is still 200; only an update that could NOT be recorded (the database
  unreachable) and then failed is answered 500, so that Telegram delivers it again. A copy
  Telegram delivers again is recognised by its update_id and not handled twice.
* a body with the right secret that is not a Telegram update (not JSON, not an object,
  not a valid ``Update``) is answered 400, never 500 with a traceback (issue #13).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import signal
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from pydantic import ValidationError

from bot.inbox import ATTEMPT, Attempt, InboxRunner
from bot.webapp.server import add_webapp_routes
from models.settings import Settings
from notifications.i18n import t

log = logging.getLogger(__name__)

#: what Telegram accepts as a secret token (setWebhook)
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
#: the longest in-flight updates may take to finish when the process is told to stop
SHUTDOWN_TIMEOUT = 25.0


class WebhookMisconfigured(SystemExit):
    """Refusal to start in webhook mode; the message (Russian) goes to stderr."""


def check_settings(settings: Settings) -> None:
    """Refuse to start webhook mode without what several instances need."""
    url = settings.webhook_url or ""
    if not re.fullmatch(r"https?://[^/\s]+/?", url):
        raise WebhookMisconfigured(t("webhook-bad-url"))
    if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
        raise WebhookMisconfigured(t("webhook-needs-secret"))
    if not SECRET_RE.fullmatch(settings.webhook_secret.get_secret_value()):
        raise WebhookMisconfigured(t("webhook-bad-secret"))
    if not settings.redis_url:
        raise WebhookMisconfigured(t("webhook-needs-redis"))


def public_url(settings: Settings) -> str:
    """The URL Telegram posts to: WEBHOOK_URL + WEBHOOK_PATH."""
    return (settings.webhook_url or "").rstrip("/") + settings.webhook_path


class UpdateRequestHandler(SimpleRequestHandler):
    """aiogram's handler, except that a body that is not a Telegram update — not JSON, not
    an object, not a valid ``Update`` — is answered 400 (issue #13, item 7) instead of
    ending in a 500 and a traceback. The secret is checked first (401), as before.
    With an ``inbox`` (issue #13, item 1) the update goes through it (:meth:`_via_inbox`)."""

    inbox: InboxRunner | None = None

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            body = await request.read()
            raw = json.loads(body)
            if not isinstance(raw, dict):
                raise ValueError("not a JSON object")
            update = Update.model_validate(raw, context={"bot": bot})
        except (ValueError, UnicodeDecodeError, RecursionError, ValidationError) as exc:
            # the type only: the body may carry personal data (R-PD-2)
            log.warning("webhook: malformed update body refused (%s)", type(exc).__name__)
            return web.Response(status=400, text="Bad Request: not a Telegram update")
        if self.inbox is not None:
            return await self._via_inbox(bot, raw, update)
        result: Any = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))

    async def _via_inbox(self, bot: Bot, raw: dict, update: Update) -> web.Response:
        """Record, then handle: 200 once recorded (a failure is retried from the inbox);
        500 only when not recorded AND the handler failed (Telegram delivers it again)."""
        assert self.inbox is not None
        try:
            fresh = await self.inbox.record([raw])
        except Exception as exc:
            log.error(
                "webhook: update %s not recorded in the inbox (%s); handled directly",
                update.update_id,
                type(exc).__name__,
            )
            attempt = Attempt(update.update_id, 1, final=False)
            async with self.inbox.semaphore:
                await self.dispatcher.feed_update(bot, update, **self.data, **{ATTEMPT: attempt})
            return web.Response(status=500 if attempt.error is not None else 200)
        for one in fresh:  # empty: a copy already recorded (handled, or in hand)
            await self.inbox.handle(one, 0, counted=False)
        return web.Response(status=200)


def build_app(
    dispatcher: Dispatcher, bot: Bot, *, secret: str, path: str, inbox: InboxRunner | None = None
) -> web.Application:
    """The aiohttp application serving ``POST path`` for ``bot`` through ``dispatcher``
    (through ``inbox`` when given: ``serve`` always gives one)."""
    app = web.Application()
    handler = UpdateRequestHandler(dispatcher, bot, secret_token=secret, handle_in_background=False)
    handler.inbox = inbox
    handler.register(app, path=path)
    setup_application(app, dispatcher, bot=bot)
    return app


async def register_webhook(bot: Bot, dispatcher: Dispatcher, settings: Settings) -> None:
    """Tell Telegram where to post. Every instance may do it at start: it is idempotent."""
    assert settings.webhook_secret is not None
    await bot.set_webhook(
        url=public_url(settings),
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=dispatcher.resolve_used_update_types(),
        drop_pending_updates=False,
    )


async def serve(bot: Bot, dispatcher: Dispatcher, settings: Settings) -> None:
    """Serve the webhook until SIGTERM/SIGINT, then let in-flight updates finish."""
    assert settings.webhook_secret is not None
    inbox = InboxRunner.for_settings(dispatcher, bot, settings)
    app = build_app(
        dispatcher,
        bot,
        secret=settings.webhook_secret.get_secret_value(),
        path=settings.webhook_path,
        inbox=inbox,
    )
    if settings.webapp_url and settings.bot_token is not None:  # the Mini App beside it (#16)
        add_webapp_routes(app, dispatcher["services"], settings.bot_token.get_secret_value())
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
        await register_webhook(bot, dispatcher, settings)
        log.info(
            "webhook: listening on %s:%d%s, Telegram posts to %s",
            settings.webhook_host, settings.webhook_port, settings.webhook_path, public_url(settings),
        )  # fmt: skip
        # updates a dead instance left unhandled, once their lease ran out; old rows purged
        housekeeping = asyncio.ensure_future(inbox.housekeeping(stop))
        await stop.wait()
        log.info("webhook: stopping")
        await inbox.drain(SHUTDOWN_TIMEOUT)
        housekeeping.cancel()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        # stops accepting, waits for in-flight requests, then on_shutdown: the dispatcher's
        # shutdown hooks and the bot's HTTP session
        await runner.cleanup()
