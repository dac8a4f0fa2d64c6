"""The one wiring of every process (issue #14, item 3): settings → engine → services, and the
Telegram client. The bot (``bot.app``), the workers (``workers.runtime``) and the CLI
(``python -m bot …``) all build their parts here.

Why here, in ``notifications/``: it is the lowest layer that may build a Bot client (aiogram)
and the services — ``models/`` imports neither aiogram nor Dramatiq, and the layering is
bot → workers → notifications → models, so the workers may use this module and it uses
neither of them. What only an upper layer knows comes in as an argument: the job sink
(``workers.queue.enqueue``: jobs queued by actor name) and, for the workers' deliveries,
the button renderer (``bot.callbacks.button_data``, installed by the bot's entry points).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods import Response, TelegramMethod
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models.clock import Clock, clock_from_settings
from models.crypto import PersonalDataCipher
from models.db import create_engine, create_sessionmaker
from models.migrate import upgrade
from models.services import JobSink, ServiceContext, Services
from models.settings import Settings


class MissingToken(SystemExit):
    pass


def build_bot(settings: Settings) -> Bot:
    """The Telegram client: BOT_TOKEN, a local Bot API server when TELEGRAM_API_URL is set."""
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

    async def __call__(
        self, make_request: NextRequestMiddlewareType[Any], bot: Bot, method: TelegramMethod[Any]
    ) -> Any:
        returning = method.__returning__
        if returning not in self._kept:
            self._kept[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)


def build_engine(settings: Settings, *, pooled: bool = False) -> AsyncEngine:
    """The database engine; ``pooled``: the bot's pool sized for MAX_CONCURRENT_UPDATES, so a
    burst queues for a connection instead of timing out (issue #13, item 2)."""
    if not pooled:
        return create_engine(settings.effective_database_url)
    return create_engine(
        settings.effective_database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
    )


def build_context(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    jobs: JobSink,
    clock: Clock | None = None,
) -> ServiceContext:
    return ServiceContext(
        sessionmaker=sessionmaker,
        cipher=PersonalDataCipher(settings.encryption_key()),
        # CLOCK_START: the rehearsal clock (models.clock)
        clock=clock or clock_from_settings(settings),
        jobs=jobs,
        admin_ids=settings.admin_ids,
        download_limit=settings.download_limit,
        files_dir=settings.effective_files_dir,
        send_rate=settings.send_rate,
    )


def no_jobs(job: str, entity_id: int) -> None:
    """The job sink of a one-off CLI command: nothing is queued (the workers' sweep picks up
    whatever the command left in the outbox)."""


@dataclass
class Wiring:
    """A process's database and services (the Bot client is built apart: not every process
    talks to Telegram)."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    services: Services

    @property
    def clock(self) -> Clock:
        return self.services.ctx.clock

    async def close(self) -> None:
        await self.engine.dispose()


def wire(
    settings: Settings, jobs: JobSink, *, clock: Clock | None = None, pooled: bool = False
) -> Wiring:
    engine = build_engine(settings, pooled=pooled)
    sessionmaker = create_sessionmaker(engine)
    services = Services(build_context(settings, sessionmaker, jobs, clock))
    return Wiring(settings, engine, sessionmaker, services)


@asynccontextmanager
async def opened(settings: Settings, jobs: JobSink = no_jobs) -> AsyncIterator[Wiring]:
    """A CLI command's wiring: an SQLite database migrated first (PostgreSQL is migrated by
    ``python -m bot migrate``), the engine disposed at the end."""
    w = wire(settings, jobs)
    try:
        if not settings.is_postgres:
            await upgrade(settings.effective_database_url, w.engine)
        yield w
    finally:
        await w.close()
