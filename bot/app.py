"""Composition root: settings → engine, services, Telegram client, dispatcher, queue."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, ClassVar

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.methods import Response
from aiogram.types import BotCommand
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import chat_guard, language, prompts, send_gate
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
    ops,
    participant,
    progress,
    protocols,
    remote,
    scoring,
    tasks,
)
from bot.health import install_metrics
from bot.language import LanguageMiddleware
from bot.storage import ConversationCache
from models.clock import Clock, clock_from_settings
from models.crypto import PersonalDataCipher
from models.db import create_engine, create_sessionmaker
from models.services import JobSink, ServiceContext, Services
from models.services.base import Limits
from models.settings import Settings
from notifications.i18n import t

log = logging.getLogger(__name__)


class MissingToken(SystemExit):
    pass


def build_bot(settings: Settings) -> Bot:
    if settings.bot_token is None:
        raise MissingToken(
            "BOT_TOKEN is not set: get a token from @BotFather and export BOT_TOKEN=…"
        )
    session = None
    if settings.telegram_api_url:
        api = TelegramAPIServer.from_base(
            settings.telegram_api_url, is_local=settings.telegram_api_local
        )
        session = AiohttpSession(api=api)
    bot = Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    bot.session.middleware(KeepResponseTypes())
    return bot


class KeepResponseTypes(BaseRequestMiddleware):
    """aiogram reads every answer as ``Response[<result type>]``, a pydantic generic that
    pydantic caches only weakly: once collected it is built again — schema and validator —
    on a later call, a few milliseconds of CPU per request in a burst (issue #13). Holding
    each one built keeps the cache warm; there is one per Bot API result type."""

    _kept: ClassVar[dict[Any, Any]] = {}

    async def __call__(self, make_request: Any, bot: Bot, method: Any) -> Any:
        returning = method.__returning__
        if returning not in self._kept:
            self._kept[returning] = Response[returning]
        return await make_request(bot, method)


def build_context(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    jobs: JobSink,
    clock: Clock | None = None,
) -> ServiceContext:
    return ServiceContext(
        sessionmaker=sessionmaker,
        cipher=PersonalDataCipher(settings.encryption_key()),
        clock=clock
        or clock_from_settings(settings),  # CLOCK_START: the rehearsal clock (models.clock)
        jobs=jobs,
        admin_ids=settings.admin_ids,
        download_limit=settings.download_limit,
        files_dir=settings.effective_files_dir,
        send_rate=settings.send_rate,
    )


def build_storage(settings: Settings, ctx: ServiceContext) -> BaseStorage:
    """The conversation position and the drafts of multi-step forms live in the project's
    database in every mode (bot.storage, issue #12): a restart or a lost Redis loses nothing.
    With Redis, Redis keeps one person's updates one at a time across every instance."""
    from bot.storage import DatabaseStorage, redis_isolation

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
    from aiogram.fsm.storage.redis import RedisStorage

    own = getattr(storage, "events_isolation", None)
    if isinstance(own, BaseEventIsolation):
        return own
    return (
        storage.create_isolation() if isinstance(storage, RedisStorage) else SimpleEventIsolation()
    )


def create_dispatcher(services: Services, storage: BaseStorage | None = None) -> Dispatcher:
    storage = storage or MemoryStorage()
    # Handlers get the services, the clock and the limits injected (never ``services.ctx``).
    dp = Dispatcher(
        storage=storage,
        events_isolation=events_isolation_for(storage),
        services=services,
        clock=services.ctx.clock,
        limits=Limits.of(services.ctx),
    )
    # The conversation row is read once per update, not once per state filter (bot.storage).
    dp.update.outer_middleware(ConversationCache())
    # Every update speaks the person's language (/language, else Telegram's); Russian by default.
    dp.update.outer_middleware(LanguageMiddleware())
    # A command is never the answer to a prompt: it leaves the prompt and runs (bot.prompts).
    dp.message.outer_middleware(prompts.CommandsLeavePrompts())
    # Private chats only; odd updates (no sender, >64-bit ids, unknown types) ignored (issue #13).
    chat_guard.install(dp)
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
        progress.router,
        remote.router,
        tasks.router,
        guardians.router,  # a minor's parental consent (R-ROLE-5)
        coordinator.router,
        application.router,
        participant.router,
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


def enqueue_job(job: str, entity_id: int) -> None:
    from workers.actors import enqueue

    enqueue(job, entity_id)


def build_runtime(settings: Settings) -> Runtime:
    # issue #13, item 2: a pool sized for MAX_CONCURRENT_UPDATES, so a burst queues, not times out
    engine = create_engine(
        settings.effective_database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
    )
    sessionmaker = create_sessionmaker(engine)
    services = Services(build_context(settings, sessionmaker, jobs=enqueue_job))
    bot = build_bot(settings)
    dp = create_dispatcher(services, build_storage(settings, services.ctx))
    send_gate.install(
        bot, dp, settings
    )  # replies under Telegram's limits, ahead of the outbox (issue #13 §3)
    return Runtime(settings, engine, services, bot, dp)
