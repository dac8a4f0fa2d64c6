"""The bot process: the parts from the one wiring (``notifications.wiring``: settings →
engine, services, Telegram client), plus what only the bot has — the dispatcher and its
routers, the conversation storage, the reply gate — and the queue's button renderer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import BotCommand
from sqlalchemy.ext.asyncio import AsyncEngine

import workers.actors  # noqa: F401  (declares the actors: jobs are queued by their names)
from bot import chat_guard, language, prompts, send_gate
from bot.callbacks import button_data
from bot.handlers import (
    admin,
    appeals,
    application,
    broadcast,
    common,
    coordinator,
    errors,
    guardians,
    invitations,
    legacy,
    ops,
    participant,
    protocols,
    remote,
    scoring,
    tasks,
)
from bot.health import install_metrics
from bot.language import LanguageMiddleware
from bot.screens import AnswerOnce
from bot.storage import ConversationCache, DatabaseStorage, redis_isolation
from models.services import ServiceContext, Services
from models.services.base import Limits
from models.settings import Settings
from notifications.i18n import t
from notifications.wiring import (  # noqa: F401  (build_bot, build_context: their old home)
    MissingToken,
    build_bot,
    build_context,
    wire,
)
from workers import runtime as worker_runtime
from workers.queue import enqueue

log = logging.getLogger(__name__)


def build_storage(settings: Settings, ctx: ServiceContext) -> BaseStorage:
    """The conversation position and the drafts of multi-step forms live in the project's
    database in every mode (bot.storage, issue #12): a restart or a lost Redis loses nothing.
    With Redis, Redis keeps one person's updates one at a time across every instance."""
    if settings.redis_url:
        isolation, redis = redis_isolation(settings.redis_url)
        return DatabaseStorage(
            ctx.sessionmaker, ctx.cipher, clock=ctx.clock, events_isolation=isolation, redis=redis
        )
    return DatabaseStorage(ctx.sessionmaker, ctx.cipher, clock=ctx.clock)


def events_isolation_for(storage: BaseStorage) -> BaseEventIsolation:
    """One person's updates are handled one at a time in every mode: with Redis across every
    bot instance (a Redis lock per user and chat), embedded within the one process. The
    services do not rely on it — two coordinators race too — but it keeps one person's
    double tap from interleaving their own conversation state."""
    own = getattr(storage, "events_isolation", None)
    if isinstance(own, BaseEventIsolation):
        return own
    return (
        storage.create_isolation() if isinstance(storage, RedisStorage) else SimpleEventIsolation()
    )


def create_dispatcher(
    services: Services, storage: BaseStorage | None = None, *, webapp_url: str | None = None
) -> Dispatcher:
    storage = storage or MemoryStorage()
    # Handlers get the services, the clock and the limits injected (never ``services.ctx``),
    # and WEBAPP_URL: the Mini App's public origin, None without it (issue #16).
    dp = Dispatcher(
        storage=storage,
        events_isolation=events_isolation_for(storage),
        services=services,
        clock=services.ctx.clock,
        limits=Limits.of(services.ctx),
        webapp_url=webapp_url,
    )
    # The conversation row is read once per update, not once per state filter (bot.storage).
    dp.update.outer_middleware(ConversationCache())
    # Every update speaks the person's language (/language, else Telegram's); Russian by default.
    dp.update.outer_middleware(LanguageMiddleware())
    # A command is never the answer to a prompt: it leaves the prompt and runs (bot.prompts).
    dp.message.outer_middleware(prompts.CommandsLeavePrompts())
    # Private chats only; odd updates (no sender, >64-bit ids, unknown types) ignored (issue #13).
    chat_guard.install(dp)
    # Every button press is answered once (aiogram's CallbackAnswerMiddleware, bot.screens):
    # after the handler, or by the error handler when the press is refused.
    dp.callback_query.outer_middleware(AnswerOnce())
    install_metrics(dp)  # updates counted and timed by handler (bot.health)
    # Specific routers first; the catch-all fallback (common) last.
    dp.include_routers(
        prompts.router,
        language.router,
        scoring.router,
        protocols.router,
        appeals.router,
        ops.router,
        invitations.router,
        admin.router,
        broadcast.router,
        remote.router,
        tasks.router,
        guardians.router,  # a minor's parental consent (R-ROLE-5)
        coordinator.router,
        application.router,
        participant.router,
        legacy.router,  # buttons of messages sent before issue #14 (bot.handlers.legacy)
        errors.router,
        common.router,
    )
    inline_sync_filters(dp)
    return dp


def inline_sync_filters(router: Router) -> int:
    """Run plain-function filters (``F.data == …``, lambdas) on the event loop instead of in a
    thread: aiogram hands every non-async filter to ``asyncio.to_thread``, one thread hop per
    handler tried per update — in a burst, a large share of the bot's CPU (issue #13). Every
    such filter here is a pure, cheap test of the event; none does I/O. Returns how many."""
    changed = 0
    for observer in router.observers.values():
        for handler in observer.handlers:
            for flt in handler.filters or ():
                if not flt.awaitable:
                    flt.callback = _awaitable(flt.callback)
                    flt.awaitable = True
                    changed += 1
    for sub in router.sub_routers:
        changed += inline_sync_filters(sub)
    return changed


def _awaitable(func: Any) -> Any:
    async def call(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return call


COMMANDS = [
    BotCommand(command=name, description=t(f"cmd-{name}"))
    for name in ("start", "status", "withdraw", "settings", "help")
]


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    services: Services
    bot: Bot
    dispatcher: Dispatcher


def build_runtime(settings: Settings) -> Runtime:
    # issue #13, item 2: a pool sized for MAX_CONCURRENT_UPDATES, so a burst queues, not times out
    w = wire(settings, enqueue, pooled=True)
    bot = build_bot(settings)
    dp = create_dispatcher(
        w.services, build_storage(settings, w.services.ctx), webapp_url=settings.webapp_url
    )
    # replies under Telegram's limits, ahead of the outbox (issue #13 §3)
    send_gate.install(bot, dp, settings)
    # the embedded worker renders the outbox's buttons as this bot reads them
    worker_runtime.install_buttons(button_data)
    return Runtime(settings, w.engine, w.services, bot, dp)
