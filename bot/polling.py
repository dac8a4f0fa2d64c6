"""Long polling through the inbox (issue #13, items 1, 2 and 5).

aiogram's ``Dispatcher.start_polling`` confirms updates to Telegram (the next ``getUpdates``
carries ``offset`` past them) before their handlers finish: a process killed mid-update lost
the press. This loop is:

    getUpdates(offset, timeout) → record the batch in the inbox (one transaction)
    → advance the offset → hand each update to ``dp.feed_update`` (at most
    MAX_CONCURRENT_UPDATES at once) → mark it handled

and, at start, takes up every update the previous process left unhandled (bot.inbox).

**One poller** (item 5): two processes polling one token both get "Conflict: terminated by
other getUpdates request" and handle some updates twice. The poller takes a lock first and a
second one refuses to start with a Russian message (:class:`PollerBusy`):

* with ``REDIS_URL``: a Redis key with a 15 s expiry, renewed every 5 s (a poller that loses it
  stops polling);
* PostgreSQL without Redis: a session-level advisory lock on a connection held open (released
  by PostgreSQL when the process dies);
* embedded (SQLite): an exclusive ``flock`` on ``contest.sqlite3.poller.lock`` next to the
  database in ``DATA_DIR`` (released by the kernel when the process dies, even on SIGKILL).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.inbox import InboxRunner, raw_update
from models.settings import Settings
from notifications.i18n import t

log = logging.getLogger(__name__)

#: how long one getUpdates waits for news (Telegram's long poll)
POLL_TIMEOUT = 10
#: updates asked for at once (Telegram's maximum is 100)
POLL_LIMIT = 100
#: the longest in-flight updates may take to finish when the process is told to stop
SHUTDOWN_TIMEOUT = 25.0


class PollerBusy(SystemExit):
    """Another process already polls this bot; the message (Russian) goes to stderr."""


def _holder() -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }


def _describe(holder: dict[str, Any] | None) -> str:
    if not holder:
        return "неизвестно какой"
    return (
        f"pid {holder.get('pid', '?')} на {holder.get('host', '?')}, с {holder.get('since', '?')}"
    )


class PollerLock:
    """Held for the life of the poller. ``acquire`` raises :class:`PollerBusy`; ``watch``
    returns if the lock is lost (Redis only); ``release`` gives it back."""

    where = ""

    async def acquire(self) -> None:
        raise NotImplementedError

    async def watch(self) -> None:
        await asyncio.Event().wait()

    async def release(self) -> None:
        return None

    def busy(self, holder: dict[str, Any] | None) -> PollerBusy:
        return PollerBusy(t("poller-busy", holder=_describe(holder), where=self.where))


class FileLock(PollerLock):
    """Embedded mode: ``flock`` on a file beside the SQLite database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = f"файл {path}"
        self._fd: int | None = None

    async def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                holder = json.loads(os.pread(fd, 4096, 0).decode() or "null")
            except ValueError:
                holder = None
            os.close(fd)
            raise self.busy(holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_holder()).encode(), 0)
        self._fd = fd

    async def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class RedisLock(PollerLock):
    """With Redis: ``SET key value NX PX ttl``, renewed while held. A key left by a process of
    this host that no longer runs (a restart after ``kill -9``) is taken over at once."""

    TTL_MS = 15_000
    RENEW_S = 5.0
    _RENEW = (
        "if redis.call('get', KEYS[1]) == ARGV[1] "
        "then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
    )
    _RELEASE = (
        "if redis.call('get', KEYS[1]) == ARGV[1] "
        "then return redis.call('del', KEYS[1]) else return 0 end"
    )

    def __init__(self, url: str, bot_id: int) -> None:
        self.client = Redis.from_url(url)
        self.key = f"contest-bot:poller:{bot_id}"
        self.where = f"Redis, ключ {self.key}"
        self.value = json.dumps(_holder())
        self.lost = False  # another poller took the key: the process ends with an error

    async def acquire(self) -> None:
        if await self.client.set(self.key, self.value, nx=True, px=self.TTL_MS):
            return
        raw = await self.client.get(self.key)
        try:
            holder = json.loads(raw) if raw else None
        except ValueError:
            holder = None
        if (
            holder
            and holder.get("host") == socket.gethostname()
            and not _alive(int(holder.get("pid") or 0))
        ):
            # our own predecessor on this host, gone without releasing: take over (compare-and-set)
            taken = await self.client.eval(
                "if redis.call('get', KEYS[1]) == ARGV[1] "
                "then return redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) else return 0 end",
                1, self.key, raw or b"", self.value, self.TTL_MS,
            )  # fmt: skip
            if taken:
                log.warning(
                    "poller lock: taken over from a process of this host that no longer runs (pid %s)",
                    holder.get("pid"),
                )
                return
        await self.client.aclose()
        raise self.busy(holder)

    async def watch(self) -> None:
        while True:
            await asyncio.sleep(self.RENEW_S)
            try:
                renewed = await self.client.eval(self._RENEW, 1, self.key, self.value, self.TTL_MS)
            except Exception as exc:  # Redis away for a moment: try again before the expiry
                log.warning("poller lock not renewed (%s)", type(exc).__name__)
                continue
            if not renewed:
                # The key is gone (Redis restarted without its data, or was flushed) — take it
                # again if nobody else did; only another poller's key stops this one.
                try:
                    retaken = await self.client.set(self.key, self.value, nx=True, px=self.TTL_MS)
                except Exception as exc:
                    log.warning("poller lock not re-taken (%s)", type(exc).__name__)
                    continue
                if retaken:
                    log.warning(
                        "poller lock was gone from Redis (restarted or flushed); taken again"
                    )
                    continue
                log.critical(t("poller-lost", where=self.where))
                self.lost = True
                return

    async def release(self) -> None:
        with contextlib.suppress(Exception):
            await self.client.eval(self._RELEASE, 1, self.key, self.value)
        with contextlib.suppress(Exception):
            await self.client.aclose()


class AdvisoryLock(PollerLock):
    """PostgreSQL without Redis: ``pg_try_advisory_lock`` on a connection held open."""

    def __init__(self, engine: AsyncEngine, bot_id: int) -> None:
        self.engine, self.bot_id = engine, bot_id
        self.where = f"PostgreSQL advisory lock contest-bot-poller:{bot_id}"
        self._conn: AsyncConnection | None = None

    async def acquire(self) -> None:
        conn = await self.engine.connect()
        key = f"contest-bot-poller:{self.bot_id}"
        got = (
            await conn.execute(text("SELECT pg_try_advisory_lock(hashtext(:k))"), {"k": key})
        ).scalar()
        await conn.commit()
        if not got:
            holder = (
                await conn.execute(
                    text(
                        "SELECT a.pid, a.client_addr::text AS host, a.backend_start "
                        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE l.locktype = 'advisory' AND l.granted "
                        "AND l.objid::bigint = (hashtext(:k)::bigint & 4294967295) LIMIT 1"
                    ),
                    {"k": key},
                )
            ).first()
            await conn.close()
            described = (
                {
                    "pid": f"{holder.pid} (PostgreSQL)",
                    "host": holder.host or "localhost",
                    "since": str(holder.backend_start)[:19],
                }
                if holder
                else None
            )
            raise self.busy(described)
        self._conn = conn

    async def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()  # the session ends: the advisory lock is released
            self._conn = None


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return False  # a predecessor that had our pid (a container restarted): not us
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def bot_id_of(settings: Settings) -> int:
    """The bot's id is the token's first part (no network call)."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 0


def poller_lock(settings: Settings, engine: AsyncEngine) -> PollerLock:
    bot_id = bot_id_of(settings)
    if settings.redis_url:
        return RedisLock(settings.redis_url, bot_id)
    if settings.is_postgres:
        return AdvisoryLock(engine, bot_id)
    url = settings.effective_database_url
    database = Path(url.split("///", 1)[-1])
    return FileLock(database.with_name(database.name + ".poller.lock"))


async def poll(
    bot: Bot,
    dp: Dispatcher,
    runner: InboxRunner,
    stop: asyncio.Event,
    *,
    timeout: int = POLL_TIMEOUT,  # noqa: ASYNC109 - Telegram's long-poll wait, not ours
    limit: int = POLL_LIMIT,
) -> None:
    """The loop of the module docstring, until ``stop`` is set."""
    allowed = dp.resolve_used_update_types()
    offset: int | None = None
    delay = 0.5
    request_timeout = int((bot.session.timeout or 60) + timeout)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            # backpressure: a burst waits in Telegram (unconfirmed) rather than in memory
            while runner.backlog >= max(limit, runner.max_concurrent * 10) and not stop.is_set():  # noqa: ASYNC110 - the backlog has no event
                await asyncio.sleep(0.05)
            fetch = asyncio.ensure_future(
                bot(
                    GetUpdates(
                        offset=offset, timeout=timeout, limit=limit, allowed_updates=allowed
                    ),
                    request_timeout=request_timeout,
                )
            )
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not fetch.done():  # told to stop: whatever was fetched is not confirmed
                fetch.cancel()
                with contextlib.suppress(BaseException):
                    await fetch
                break
            try:
                updates: list[Update] = fetch.result()
            except Exception as exc:
                log.error(
                    "getUpdates failed (%s: %s); again in %.1f s", type(exc).__name__, exc, delay
                )
                await _sleep(stop, delay)
                delay = min(delay * 2, 30.0)
                continue
            delay = 0.5
            if not updates:
                continue
            try:
                fresh = await runner.record([raw_update(u) for u in updates])
            except (
                Exception
            ) as exc:  # not recorded: not confirmed either — Telegram sends them again
                log.error(
                    "inbox: %d update(s) not recorded (%s); fetching them again",
                    len(updates),
                    type(exc).__name__,
                )
                await _sleep(stop, 1.0)
                continue
            offset = updates[-1].update_id + 1  # recorded: the next getUpdates confirms them
            runner.start(fresh)
    finally:
        stopping.cancel()


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def run_polling(
    bot: Bot, dp: Dispatcher, settings: Settings, lock: PollerLock | None = None
) -> None:
    """Run the poller until SIGTERM/SIGINT (or the lock is lost), then let in-flight updates
    finish; what does not finish stays in the inbox for the next start."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    runner = InboxRunner.for_settings(dp, bot, settings)
    workflow = {k: v for k, v in dp.workflow_data.items() if k != "bot"}
    await dp.emit_startup(bot=bot, dispatcher=dp, bots=[bot], **workflow)
    watcher = asyncio.ensure_future(lock.watch()) if lock is not None else None
    if watcher is not None:
        watcher.add_done_callback(lambda _t: stop.set())
    housekeeping = None
    try:
        recovered = await runner.recover(force=True)  # the only poller: the previous one is gone
        log.info(
            "polling (inbox, at most %d updates at once; %d taken up from the last run)",
            settings.max_concurrent_updates,
            recovered,
        )
        housekeeping = asyncio.ensure_future(runner.housekeeping(stop))
        await poll(bot, dp, runner, stop)
    finally:
        stop.set()
        log.info("polling stopped; finishing %d update(s) in hand", runner.backlog)
        await runner.drain(SHUTDOWN_TIMEOUT)
        for task in (housekeeping, watcher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        with contextlib.suppress(Exception):
            await dp.emit_shutdown(bot=bot, dispatcher=dp, bots=[bot], **workflow)
        await bot.session.close()
