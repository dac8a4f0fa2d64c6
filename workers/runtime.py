"""What actors need (database, Telegram client, services), created lazily on the worker's
event loop and closed when the worker shuts down. Tests install their own factory."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiogram import Bot
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import Middleware
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models.clock import Clock
from models.services import Services
from notifications.ratelimit import SendGate


@dataclass
class WorkerRuntime:
    bot: Bot
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    services: Services
    files_dir: Any
    engine: AsyncEngine | None = None
    owns_resources: bool = True
    gate: SendGate | None = None
    requeue_after: timedelta = timedelta(minutes=5)
    lease: timedelta = timedelta(minutes=2)

    async def close(self) -> None:
        if self.gate is not None:
            await self.gate.close()
        if not self.owns_resources:
            return
        await self.bot.session.close()
        if self.engine is not None:
            await self.engine.dispose()


RuntimeFactory = Callable[[], Awaitable[WorkerRuntime]]
_factory: RuntimeFactory | None = None
_runtime: WorkerRuntime | None = None
_lock: asyncio.Lock | None = None


def configure(factory: RuntimeFactory | None) -> None:
    """Install how the runtime is built (the bot process, tests); None → from settings."""
    global _factory, _runtime, _lock
    _factory, _runtime, _lock = factory, None, None


async def _from_settings() -> WorkerRuntime:
    from bot.app import build_bot, build_context
    from models.db import create_engine, create_sessionmaker
    from models.settings import Settings

    settings = _booted_settings
    if settings is None:  # the embedded worker in the bot process: settings read here
        from models.clock import resolve_clock

        settings = Settings()
        await resolve_clock(
            settings, "embedded worker"
        )  # CLOCK_START: the common anchor, said loudly
    engine = create_engine(settings.effective_database_url)
    sessionmaker = create_sessionmaker(engine)
    ctx = build_context(
        settings, sessionmaker, jobs=_enqueue_from_worker
    )  # the rehearsal clock, if any
    return WorkerRuntime(
        bot=build_bot(settings),
        sessionmaker=sessionmaker,
        clock=ctx.clock,
        services=Services(ctx),
        files_dir=settings.effective_files_dir,
        engine=engine,
        # embedded: the same in-memory budget as the bot's replies (bot.send_gate); else Redis
        gate=SendGate.shared(settings.redis_url, settings.send_rate),
        requeue_after=timedelta(seconds=settings.requeue_after_seconds),
        lease=timedelta(seconds=settings.send_lease_seconds),
    )


def _enqueue_from_worker(job: str, entity_id: int) -> None:
    from workers.actors import enqueue

    enqueue(job, entity_id)


async def runtime() -> WorkerRuntime:
    global _runtime, _lock
    if _runtime is None:
        _lock = _lock or asyncio.Lock()
        async with _lock:
            if _runtime is None:
                _runtime = await (_factory or _from_settings)()
    return _runtime


async def close_runtime() -> None:
    global _runtime
    if _runtime is not None:
        rt, _runtime = _runtime, None
        await rt.close()


#: the settings a ``dramatiq workers.actors`` process read (and resolved its clock with) at boot
_booted_settings: Any = None


class RuntimeMiddleware(Middleware):
    """Closes the runtime on the worker's event loop before that loop stops; in a worker
    process, checks the rehearsal clock at boot (issue 12 §4)."""

    def after_process_boot(self, broker):  # type: ignore[no-untyped-def]
        """``dramatiq workers.actors``: CLOCK_START is refused with a production database
        (the process exits with the reason), else its anchor is found and logged loudly
        before any job runs. The embedded worker (no process boot) does it in the bot."""
        global _booted_settings
        import logging

        from models.clock import ClockMisconfigured, resolve_clock
        from models.settings import Settings

        settings = Settings()
        if settings.clock_start is None:
            return
        try:
            asyncio.run(resolve_clock(settings, "worker"))
        except ClockMisconfigured as exc:
            logging.getLogger(__name__).critical("%s", exc)
            raise
        _booted_settings = settings

    def before_worker_shutdown(self, broker, worker):  # type: ignore[no-untyped-def]
        thread = get_event_loop_thread()
        if thread is not None and _runtime is not None:
            thread.run_coroutine(close_runtime())
