"""What actors need (database, Telegram client, services), created lazily on the worker's
event loop and closed when the worker shuts down. Tests install their own factory.

The parts come from the one wiring (``notifications.wiring``); the one thing the workers
cannot know is how a notification's button becomes callback data — the bot's business — so
the process's entry point installs the renderer (``install_buttons``): ``dramatiq
bot.worker`` for the worker processes, ``bot.app.build_runtime`` for the embedded worker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import dramatiq
from aiogram import Bot
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import Middleware
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models.buttons import ButtonRenderer
from models.clock import Clock, ClockMisconfigured
from models.services import Services
from models.settings import Settings
from notifications.ratelimit import SendGate
from notifications.rehearsal import resolve_clock
from notifications.wiring import build_bot, wire
from workers.queue import enqueue

log = logging.getLogger(__name__)


@dataclass
class WorkerRuntime:
    bot: Bot
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    services: Services
    files_dir: Path
    #: a notification's button → callback data (``bot.callbacks.button_data``)
    buttons: ButtonRenderer
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
_buttons: ButtonRenderer | None = None

NO_RENDERER = (
    "no button renderer installed: run the workers with `dramatiq bot.worker` "
    "(it installs the bot's), not `dramatiq workers.actors`"
)


def configure(factory: RuntimeFactory | None) -> None:
    """Install how the runtime is built (tests); None → from the settings."""
    global _factory, _runtime, _lock
    _factory, _runtime, _lock = factory, None, None


def install_buttons(render: ButtonRenderer) -> None:
    """The process's button renderer, for a runtime built from the settings."""
    global _buttons
    _buttons = render


async def _from_settings() -> WorkerRuntime:
    if _buttons is None:
        raise RuntimeError(NO_RENDERER)
    settings = _booted_settings
    if settings is None:  # the embedded worker in the bot process: settings read here
        settings = Settings()
        # CLOCK_START: the common anchor, said loudly
        await resolve_clock(settings, "embedded worker")
    w = wire(settings, enqueue)  # the rehearsal clock, if any
    return WorkerRuntime(
        bot=build_bot(settings),
        sessionmaker=w.sessionmaker,
        clock=w.clock,
        services=w.services,
        files_dir=settings.effective_files_dir,
        buttons=_buttons,
        engine=w.engine,
        # embedded: the same in-memory budget as the bot's replies (bot.send_gate); else Redis
        gate=SendGate.shared(settings.redis_url, settings.send_rate),
        requeue_after=timedelta(seconds=settings.requeue_after_seconds),
        lease=timedelta(seconds=settings.send_lease_seconds),
    )


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


#: the settings a ``dramatiq bot.worker`` process read (and resolved its clock with) at boot
_booted_settings: Settings | None = None


class RuntimeMiddleware(Middleware):
    """Closes the runtime on the worker's event loop before that loop stops; in a worker
    process, checks the button renderer and the rehearsal clock at boot (issue 12 §4)."""

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        """``dramatiq bot.worker``: a process without the bot's button renderer exits with
        the reason. CLOCK_START is refused with a production database (the process exits
        with the reason), else its anchor is found and logged loudly before any job runs.
        The embedded worker (no process boot) does it in the bot."""
        global _booted_settings
        if _buttons is None and _factory is None:
            log.critical("%s", NO_RENDERER)
            raise RuntimeError(NO_RENDERER)
        settings = Settings()
        if settings.clock_start is None:
            return
        try:
            asyncio.run(resolve_clock(settings, "worker"))
        except ClockMisconfigured as exc:
            log.critical("%s", exc)
            raise
        _booted_settings = settings

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        thread = get_event_loop_thread()
        if thread is not None and _runtime is not None:
            thread.run_coroutine(close_runtime())
