"""The inbox (issue #13, item 1): every incoming update is written to the database before
Telegram is told it arrived, and is handled from there — symmetric to the outbox.

* **Recorded before acknowledged.** Polling (:mod:`bot.polling`): a batch from
  ``getUpdates`` is inserted in one transaction *before* the offset moves past it; webhook
  (:mod:`bot.webhook`): the update is inserted before the 200. The primary key
  ``(bot_id, update_id)`` makes the insert idempotent: a copy Telegram delivers again is
  recognised and not handled a second time (``contest_bot_updates_duplicate_total``).
* **Handled, then marked.** The row is marked handled right after the dispatcher has run the
  handler (:meth:`InboxRunner.handle`). The window: a process killed after a handler's
  transaction committed and before the mark re-handles that update on restart. That is safe
  because every transition is locked or conditional (models/services/base.py ``lock``/``move``):
  the repeat is refused with what already happened («Заявка уже отправлена …») — a second
  notice, never a second effect. A process killed *before* the commit loses nothing: the row
  is still unhandled and is handled again on restart (:meth:`InboxRunner.recover`).
* **Bounded retries.** A handler that fails with an unexpected error (a bug, the database or
  Telegram unreachable) is not answered «Что-то пошло не так» at once: the update stays in
  the inbox and is tried again after a short pause, up to ``INBOX_MAX_ATTEMPTS`` attempts in
  all (a crash during an attempt counts; waiting for a slot does not). Then the person is
  told «Не получилось, попробуйте ещё раз» once and ``contest_bot_updates_given_up_total``
  counts it. Refusals (DomainError) and Telegram's 4xx answers are answers, not failures: the
  error handlers reply as before.
* **Bounded concurrency** (item 2): at most ``MAX_CONCURRENT_UPDATES`` updates are handled at
  once by one process (a semaphore); a burst waits its turn instead of exhausting the
  database pool.
* The raw update may carry names and СНИЛС: it is stored encrypted with the personal-data
  key (R-PD-2), never logged, and handled/failed rows are purged after ``INBOX_KEEP_HOURS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.dispatcher.middlewares.error import ErrorsMiddleware
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import TelegramObject, Update
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.crypto import PersonalDataCipher
from models.db import WRITE_LOCK
from models.errors import DomainError
from models.tables import InboxUpdate
from notifications.i18n import t
from ops import metrics

log = logging.getLogger(__name__)

#: the key under which the dispatcher's handlers see the current attempt (middleware data)
ATTEMPT = "inbox_attempt"
_INT64 = range(-(2**63), 2**63)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def raw_update(update: Update) -> dict[str, Any]:
    """The update as Telegram sent it (JSON-ready), for the inbox and a later re-handling."""
    return update.model_dump(mode="json", exclude_unset=True, by_alias=True)


def _event(raw: dict[str, Any]) -> dict[str, Any]:
    for key, value in raw.items():
        if key != "update_id" and isinstance(value, dict):
            return value
    return {}


def person_of(raw: dict[str, Any]) -> tuple[int | None, str | None]:
    """Whom to tell that the update was given up (their private chat is their id), and in
    which language. ``None`` when there is nobody or the id is not a 64-bit integer."""
    event = _event(raw)
    sender = event.get("from") if isinstance(event.get("from"), dict) else None
    chat = event.get("chat") if isinstance(event.get("chat"), dict) else None
    ident = (sender or {}).get("id") if sender else (chat or {}).get("id")
    if not isinstance(ident, int) or ident not in _INT64 or ident <= 0:
        return None, None
    language = (sender or {}).get("language_code")
    return ident, language if isinstance(language, str) else None


def retryable(exc: BaseException) -> bool:
    """A failure worth trying again: a bug, the database, Telegram unreachable or 5xx/429.
    Not a refusal (DomainError) nor Telegram's 4xx answer: those are the answer, replied to
    by the error handlers as before (bot/handlers/common.py, errors.py)."""
    if isinstance(exc, DomainError):
        return False
    if isinstance(exc, TelegramAPIError):
        return isinstance(exc, (TelegramNetworkError, TelegramServerError, TelegramRetryAfter))
    return isinstance(exc, Exception)


@dataclass
class Attempt:
    """One attempt at handling an inbox update; ``error`` is set by :class:`RetryFailures`."""

    update_id: int
    number: int
    final: bool
    error: BaseException | None = None


class RetryFailures(BaseMiddleware):
    """Outer update middleware right inside aiogram's ErrorsMiddleware: an update fed from the
    inbox whose handler fails with a :func:`retryable` error is not answered «Что-то пошло не
    так» — the failure is written on the :class:`Attempt` and the inbox tries it again (or,
    the last time, tells the person «Не получилось, попробуйте ещё раз»). Updates fed without
    an attempt (tests, direct feeding) go through unchanged."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        attempt: Attempt | None = data.get(ATTEMPT)
        if attempt is None:
            return await handler(event, data)
        try:
            return await handler(event, data)
        except Exception as exc:
            if not retryable(exc):
                raise
            attempt.error = exc
            # the type and where only: the update may carry personal data (R-PD-2)
            log.warning(
                "update %s: attempt %d failed (%s)%s", attempt.update_id, attempt.number, type(exc).__name__,
                "; giving up" if attempt.final else "; it stays in the inbox and is tried again",
                exc_info=exc if attempt.final else None,
            )  # fmt: skip
            return None


def install(dp: Dispatcher) -> None:
    """Put :class:`RetryFailures` right after aiogram's ErrorsMiddleware (idempotent)."""
    chain = dp.update.outer_middleware
    if any(isinstance(m, RetryFailures) for m in chain):
        return
    position = next((i + 1 for i, m in enumerate(chain) if isinstance(m, ErrorsMiddleware)), 0)
    chain._middlewares.insert(position, RetryFailures())


class Inbox:
    """The ``inbox_updates`` table of one bot (see the module docstring)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        cipher: PersonalDataCipher,
        bot_id: int,
        *,
        max_attempts: int = 3,
        lease: timedelta = timedelta(minutes=5),
        keep: timedelta = timedelta(hours=48),
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.sessionmaker, self.cipher, self.bot_id = sessionmaker, cipher, bot_id
        self.max_attempts, self.lease, self.keep, self.now = max_attempts, lease, keep, now

    def _insert(self, session: AsyncSession) -> Any:
        dialect = session.bind.dialect.name if session.bind else "sqlite"
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(InboxUpdate)

    def _row(self, update_id: int) -> Any:
        return and_(InboxUpdate.bot_id == self.bot_id, InboxUpdate.update_id == update_id)

    @staticmethod
    def recordable(raw: dict[str, Any]) -> bool:
        update_id = raw.get("update_id")
        return isinstance(update_id, int) and update_id in _INT64

    async def record(self, raws: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Insert every update not yet in the inbox, in ONE transaction; return those that
        were new, leased to the caller with no attempt counted yet (an attempt counts when it
        starts: :meth:`begin`). A copy of an update already recorded is left alone (counted as
        a duplicate)."""
        now = self.now()
        fresh: list[dict[str, Any]] = []
        async with self.sessionmaker() as s, s.begin():
            await s.connection(execution_options={WRITE_LOCK: True})
            for raw in raws:
                chat_id, _ = person_of(raw)
                stmt = (
                    self._insert(s)
                    .values(
                        bot_id=self.bot_id,
                        update_id=raw["update_id"],
                        chat_id=chat_id,
                        payload=self.cipher.encrypt(json.dumps(raw, ensure_ascii=False)),
                        received_at=now,
                        attempts=0,
                        lease_until=now + self.lease,
                    )
                    .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
                    .returning(InboxUpdate.update_id)
                )
                if (await s.execute(stmt)).scalar_one_or_none() is not None:
                    fresh.append(raw)
                else:
                    metrics.UPDATES_DUPLICATE.inc()
        return fresh

    async def claim(
        self, update_id: int, *, force: bool = False
    ) -> tuple[int, dict[str, Any]] | None:
        """Take an unhandled update for one more attempt: ``(attempts so far, raw update)``,
        or None when it is handled, given up, or (unless ``force``) another process holds it."""
        now = self.now()
        conditions = [
            self._row(update_id),
            InboxUpdate.handled_at.is_(None),
            InboxUpdate.failed_at.is_(None),
        ]
        if not force:
            conditions.append(or_(InboxUpdate.lease_until.is_(None), InboxUpdate.lease_until < now))
        stmt = (
            update(InboxUpdate)
            .where(*conditions)
            .values(attempts=InboxUpdate.attempts + 1, lease_until=now + self.lease)
            .returning(InboxUpdate.attempts, InboxUpdate.payload)
            .execution_options(synchronize_session=False)
        )
        async with self.sessionmaker() as s, s.begin():
            await s.connection(execution_options={WRITE_LOCK: True})
            row = (await s.execute(stmt)).first()
        if row is None:
            return None
        return int(row.attempts), json.loads(self.cipher.decrypt(row.payload))

    async def claim_pending(
        self, *, force: bool = False, skip: Iterable[int] = (), limit: int = 1000
    ) -> list[tuple[int, dict[str, Any]]]:
        """:meth:`claim` every update left unhandled (oldest first, at most ``limit``) in ONE
        transaction — a restart after a crash mid-burst takes up hundreds at once."""
        now = self.now()
        conditions = [
            InboxUpdate.bot_id == self.bot_id,
            InboxUpdate.handled_at.is_(None),
            InboxUpdate.failed_at.is_(None),
        ]
        if not force:
            conditions.append(or_(InboxUpdate.lease_until.is_(None), InboxUpdate.lease_until < now))
        skipped = list(skip)
        if skipped:
            conditions.append(InboxUpdate.update_id.not_in(skipped))
        chosen = (
            select(InboxUpdate.update_id)
            .where(*conditions)
            .order_by(InboxUpdate.update_id)
            .limit(limit)
        )
        stmt = (
            update(InboxUpdate)
            .where(
                InboxUpdate.bot_id == self.bot_id,
                InboxUpdate.update_id.in_(chosen.scalar_subquery()),
            )
            # leased, not counted: hundreds are taken up at once and most wait for a slot — a
            # crash while they wait is not an attempt of theirs (the kill benchmark gave up on
            # updates never tried, after three restarts in 40 s)
            .values(lease_until=now + self.lease)
            .returning(InboxUpdate.update_id, InboxUpdate.attempts, InboxUpdate.payload)
            .execution_options(synchronize_session=False)
        )
        async with self.sessionmaker() as s, s.begin():
            await s.connection(execution_options={WRITE_LOCK: True})
            rows = list((await s.execute(stmt)).all())
        rows.sort(key=lambda r: r.update_id)
        return [(int(r.attempts), json.loads(self.cipher.decrypt(r.payload))) for r in rows]

    async def begin(self, update_id: int) -> int:
        """An attempt starts now (its handler has a slot): count it; the attempts so far."""
        stmt = (
            update(InboxUpdate)
            .where(self._row(update_id))
            .values(attempts=InboxUpdate.attempts + 1, lease_until=self.now() + self.lease)
            .returning(InboxUpdate.attempts)
            .execution_options(synchronize_session=False)
        )
        async with self.sessionmaker() as s, s.begin():
            await s.connection(execution_options={WRITE_LOCK: True})
            row = (await s.execute(stmt)).first()
        return int(row.attempts) if row is not None else 1

    async def _set(self, update_id: int, **values: Any) -> None:
        stmt = (
            update(InboxUpdate)
            .where(
                self._row(update_id),
                InboxUpdate.handled_at.is_(None),
                InboxUpdate.failed_at.is_(None),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        async with self.sessionmaker() as s, s.begin():
            await s.connection(execution_options={WRITE_LOCK: True})
            await s.execute(stmt)

    async def handled(self, update_id: int) -> None:
        await self._set(update_id, handled_at=self.now(), lease_until=None)

    async def failed(self, update_id: int) -> None:
        await self._set(update_id, failed_at=self.now(), lease_until=None)

    async def hold(self, update_id: int) -> None:
        """Keep an update that failed for this process's own retry (renews the lease)."""
        await self._set(update_id, lease_until=self.now() + self.lease)

    async def pending(self, *, force: bool = False, limit: int = 1000) -> list[int]:
        """Updates neither handled nor given up (oldest first); unless ``force``, only those
        no live process holds (their lease ran out)."""
        conditions = [
            InboxUpdate.bot_id == self.bot_id,
            InboxUpdate.handled_at.is_(None),
            InboxUpdate.failed_at.is_(None),
        ]
        if not force:
            conditions.append(
                or_(InboxUpdate.lease_until.is_(None), InboxUpdate.lease_until < self.now())
            )
        async with self.sessionmaker() as s:
            rows = await s.execute(
                select(InboxUpdate.update_id)
                .where(*conditions)
                .order_by(InboxUpdate.update_id)
                .limit(limit)
            )
            return [int(r) for r in rows.scalars()]

    async def purge(self) -> int:
        """Delete rows handled or given up more than ``keep`` ago (they hold personal data)."""
        cutoff = self.now() - self.keep
        async with self.sessionmaker() as s, s.begin():
            await s.connection(execution_options={WRITE_LOCK: True})
            result = await s.execute(
                delete(InboxUpdate).where(
                    InboxUpdate.bot_id == self.bot_id,
                    or_(InboxUpdate.handled_at < cutoff, InboxUpdate.failed_at < cutoff),
                )
            )
        return int(getattr(result, "rowcount", 0) or 0)  # a DELETE's CursorResult


class InboxRunner:
    """Handles inbox updates through the dispatcher with bounded concurrency, retries the
    failing ones, recovers the ones a dead process left, and purges old rows."""

    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        inbox: Inbox,
        *,
        max_concurrent: int = 20,
        retry_delays: Sequence[float] = (1.0, 5.0),
    ) -> None:
        self.dp, self.bot, self.inbox = dp, bot, inbox
        self.semaphore = asyncio.Semaphore(max_concurrent)
        self.max_concurrent = max_concurrent
        self.retry_delays = tuple(retry_delays) or (1.0,)
        #: update ids this process is handling or will retry (never recovered under it)
        self.inflight: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        install(dp)

    @classmethod
    def for_settings(cls, dp: Dispatcher, bot: Bot, settings: Any, **kwargs: Any) -> InboxRunner:
        services = dp["services"]
        inbox = Inbox(
            services.ctx.sessionmaker,
            services.ctx.cipher,
            bot.id,
            max_attempts=settings.inbox_max_attempts,
            keep=timedelta(hours=settings.inbox_keep_hours),
        )
        return cls(dp, bot, inbox, max_concurrent=settings.max_concurrent_updates, **kwargs)

    # ------------------------------------------------------------------ tasks
    @property
    def backlog(self) -> int:
        """Updates taken and not finished yet (handling, waiting for a slot or a retry)."""
        return len(self.inflight)

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, timeout: float = 25.0) -> None:  # noqa: ASYNC109
        """Let the updates in hand finish (a clean stop); what is left stays in the inbox."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._tasks and loop.time() < deadline:  # a retry spawns the next task
            await asyncio.wait(set(self._tasks), timeout=deadline - loop.time())
        pending = set(self._tasks)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=2)

    # --------------------------------------------------------------- handling
    async def record(self, raws: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        recordable = [r for r in raws if self.inbox.recordable(r)]
        fresh = await self.inbox.record(recordable) if recordable else []
        self.inflight.update(r["update_id"] for r in fresh)
        return fresh + [r for r in raws if not self.inbox.recordable(r)]

    def start(self, raws: Iterable[dict[str, Any]]) -> None:
        """Handle freshly recorded updates (first attempt), each in its own task."""
        for raw in raws:
            self.spawn(self.handle(raw, 0, counted=False))

    async def handle(self, raw: dict[str, Any], attempts: int, *, counted: bool = True) -> str:
        """One attempt at an update claimed by this process: "handled", "retry" or "failed".
        ``attempts``: attempts so far, this one included when ``counted``; otherwise this one
        is counted in the inbox when it gets a slot (a crash while it waited is not counted)."""
        update_id = raw.get("update_id")
        recorded = self.inbox.recordable(raw)
        retrying = False
        try:
            async with self.semaphore:
                if recorded and not counted:
                    attempts = await self.inbox.begin(update_id)  # type: ignore[arg-type]
                attempts = max(attempts, 1)
                if recorded and attempts > self.inbox.max_attempts:  # crashed on it too often
                    await self._give_up(update_id, raw)  # type: ignore[arg-type]
                    return "failed"
                attempt = Attempt(
                    update_id,  # type: ignore[arg-type]
                    attempts,
                    final=attempts >= self.inbox.max_attempts or not recorded,
                )
                try:
                    update = Update.model_validate(raw, context={"bot": self.bot})
                    # not recorded (an update_id beyond 64 bits): handled as before, the error
                    # handlers answer its failure
                    await self.dp.feed_update(
                        self.bot, update, **({ATTEMPT: attempt} if recorded else {})
                    )
                except Exception as exc:  # escaped the error handlers
                    if not retryable(exc):
                        log.error(
                            "update %s: %s escaped the error handlers",
                            update_id,
                            type(exc).__name__,
                        )
                    else:
                        attempt.error = exc
                        log.warning(
                            "update %s: attempt %d failed (%s)",
                            update_id,
                            attempts,
                            type(exc).__name__,
                        )
                if not recorded:
                    return "handled" if attempt.error is None else "failed"
                if attempt.error is None:
                    await self.inbox.handled(update_id)  # type: ignore[arg-type]
                    return "handled"
            if attempt.final:
                await self._give_up(update_id, raw)  # type: ignore[arg-type]
                return "failed"
            metrics.UPDATE_RETRIES.inc()
            await self.inbox.hold(update_id)  # type: ignore[arg-type]
            delay = self.retry_delays[min(attempts - 1, len(self.retry_delays) - 1)]
            retrying = True  # still this process's: the periodic recovery leaves it alone
            self.spawn(self._retry(update_id, delay))  # type: ignore[arg-type]
            return "retry"
        except Exception as exc:  # the inbox itself failed (database down): recovery takes it later
            log.error(
                "update %s: inbox bookkeeping failed (%s); it will be handled again",
                update_id,
                type(exc).__name__,
            )
            return "failed"
        finally:
            if not retrying:
                self.inflight.discard(update_id)

    async def _retry(self, update_id: int, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            claimed = await self.inbox.claim(update_id, force=True)
        except Exception as exc:
            self.inflight.discard(update_id)
            log.error("update %s: retry not started (%s)", update_id, type(exc).__name__)
            return
        if claimed is None:
            self.inflight.discard(update_id)
            return
        attempts, raw = claimed
        await self.handle(raw, attempts)

    async def _give_up(self, update_id: int, raw: dict[str, Any]) -> None:
        """The last attempt failed: mark it, count it, and tell the person once."""
        await self.inbox.failed(update_id)
        metrics.UPDATES_GIVEN_UP.inc()
        chat_id, language = person_of(raw)
        log.error("update %s: given up after %d attempts", update_id, self.inbox.max_attempts)
        query = raw.get("callback_query")
        if isinstance(query, dict) and isinstance(query.get("id"), str):
            with contextlib.suppress(Exception):  # a query answered already, or too old
                await self.bot.answer_callback_query(query["id"])
        if chat_id is not None:
            try:
                await self.bot.send_message(chat_id, t("inbox-gave-up", language or "ru"))
            except Exception as exc:
                log.warning(
                    "update %s: the «try again» notice was not sent (%s)",
                    update_id,
                    type(exc).__name__,
                )

    # --------------------------------------------------------------- recovery
    async def recover(self, *, force: bool = False) -> int:
        """Take up updates left unhandled: at the start of the only poller every one of them
        (``force``: the process that held them is gone), else those whose lease ran out.
        Returns how many were started again."""
        started = 0
        for attempts, raw in await self.inbox.claim_pending(force=force, skip=set(self.inflight)):
            self.inflight.add(raw["update_id"])
            self.spawn(self.handle(raw, attempts, counted=False))
            started += 1
        if started:
            metrics.UPDATES_RECOVERED.inc(started)
            log.info("inbox: %d unhandled update(s) taken up again", started)
        return started

    async def housekeeping(
        self, stop: asyncio.Event, every: float = 30.0, purge_every: float = 3600.0
    ) -> None:
        """Until ``stop``: every ``every`` seconds take up abandoned updates; purge old rows
        every ``purge_every`` seconds. The first round comes ``every`` seconds after the start,
        not at once: the start's own writes (migrations, the first sweep) go first."""
        loop = asyncio.get_running_loop()
        next_purge = loop.time()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
        while not stop.is_set():
            try:
                if loop.time() >= next_purge:
                    purged = await self.inbox.purge()
                    if purged:
                        log.info("inbox: %d old row(s) purged", purged)
                    next_purge = loop.time() + purge_every
                await self.recover(force=False)
            except Exception as exc:
                log.warning("inbox housekeeping failed (%s)", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
