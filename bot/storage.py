"""The conversation position (aiogram FSM state) and the draft of a multi-step form, kept in
the project's database in every mode (issue #12, guarantee 2).

Embedded (SQLite) and PostgreSQL alike: a restart, or a lost Redis, loses nothing — the
person who was asked for their ФИО, an appeal text or a rejection reason is still asked for
it after the restart, and the answer is taken as the answer. With Redis, Redis only keeps one
person's updates one at a time across instances (:class:`RedisEventIsolation`); the state
itself lives here.

- One row per aiogram :class:`StorageKey` (its primary key): every read is one indexed row.
- The draft (``data``) may hold personal data — names, appeal texts — so it is stored as JSON
  encrypted with the personal-data key (R-PD-2), and never logged.
- A conversation with no state and no draft has no row (``state.clear()`` deletes it).
- Writes take the row's lock (``SELECT … FOR UPDATE``; SQLite: ``BEGIN IMMEDIATE``), so a
  read-modify-write (:meth:`DatabaseStorage.update_data`) cannot lose a concurrent change.
- Within one update the row is read once (:class:`ConversationCache`): the state filters of
  every handler tried, the prompt middleware and the handler all ask for it; writes refresh
  the copy after they commit. Writes never trust the copy — they read the locked row.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseEventIsolation,
    BaseStorage,
    DefaultKeyBuilder,
    StateType,
    StorageKey,
)
from aiogram.fsm.storage.redis import RedisEventIsolation
from redis.asyncio import Redis
from redis.exceptions import LockError
from sqlalchemy import delete, select
from sqlalchemy import update as sa_update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.clock import Clock
from models.crypto import PersonalDataCipher
from models.db import WRITE_LOCK
from models.services.base import reading_connection, update_scope
from models.tables import ConversationState

log = logging.getLogger(__name__)

_KEEP: Any = object()

#: The rows read or written during the current update: ident → (state, encrypted data).
_rows: ContextVar[dict[tuple[Any, ...], tuple[str | None, bytes | None]] | None] = ContextVar(
    "conversation_rows", default=None
)


class ConversationCache(BaseMiddleware):
    """Outer update middleware: the conversation rows read during this update are kept for the
    rest of it (one read instead of one per state filter). Per-person event isolation means no
    other update of this person runs meanwhile; even without it, a copy is never older than
    the update itself, and writes lock and re-read the row."""

    async def __call__(
        self,
        handler: Callable[[Any, dict[str, Any]], Awaitable[Any]],
        event: Any,
        data: dict[str, Any],
    ) -> Any:
        token = _rows.set({})
        try:
            with update_scope():  # and the services' own per-update memo (the contest list)
                return await handler(event, data)
        finally:
            _rows.reset(token)


_PK = ("bot_id", "chat_id", "user_id", "thread_id", "business_connection_id", "destiny")


def _ident(key: StorageKey) -> tuple[int, int, int, int, str, str]:
    return (
        key.bot_id,
        key.chat_id,
        key.user_id,
        key.thread_id or 0,
        key.business_connection_id or "",
        key.destiny,
    )


def _where(key: StorageKey) -> list[Any]:
    return [
        getattr(ConversationState, name) == value
        for name, value in zip(_PK, _ident(key), strict=True)
    ]


def _state_name(state: StateType) -> str | None:
    return state.state if isinstance(state, State) else state


def _jsonable(value: Any) -> Any:
    """Drafts are plain JSON; a few friendly types are turned into text rather than lost."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"a conversation draft cannot hold a {type(value).__name__}")


class DatabaseStorage(BaseStorage):
    """aiogram FSM storage over the project's database (see the module docstring).

    ``events_isolation``: the isolation the dispatcher should use with this storage (a
    :class:`RedisEventIsolation` when Redis is configured); ``None`` lets the composition
    root choose (:func:`bot.app.events_isolation_for`)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        cipher: PersonalDataCipher,
        *,
        clock: Clock | None = None,
        events_isolation: BaseEventIsolation | None = None,
        redis: Any = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._cipher = cipher
        self._clock = clock
        self.events_isolation = events_isolation
        self._redis = redis  # closed with the storage when we own it

    # ------------------------------------------------------------------ encoding

    def _encode(self, data: Mapping[str, Any]) -> bytes | None:
        if not data:
            return None
        raw = json.dumps(dict(data), ensure_ascii=False, separators=(",", ":"), default=_jsonable)
        return self._cipher.encrypt(raw)

    def _decode(self, token: bytes | None) -> dict[str, Any]:
        if not token:
            return {}
        try:
            return dict(json.loads(self._cipher.decrypt(bytes(token))))
        except ValueError:
            # The key changed (or the row is damaged): the draft is unreadable. Start afresh
            # rather than fail every update of this person; the data itself is never logged.
            log.warning("a conversation draft could not be decrypted; it is ignored")
            return {}

    def _now(self) -> datetime:
        return self._clock.now() if self._clock is not None else datetime.now(UTC)

    # ------------------------------------------------------------------ reads

    async def _row(self, key: StorageKey) -> tuple[str | None, bytes | None]:
        rows = _rows.get()
        ident = _ident(key)
        if rows is not None and ident in rows:
            return rows[ident]
        async with self._sessionmaker() as s:
            await reading_connection(s)
            found = (
                await s.execute(
                    select(ConversationState.state, ConversationState.data).where(*_where(key))
                )
            ).one_or_none()
        row = (found[0], found[1]) if found is not None else (None, None)
        if rows is not None:
            rows[ident] = row
        return row

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._row(key))[0]

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return self._decode((await self._row(key))[1])

    # ------------------------------------------------------------------ writes

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = _state_name(state)
        if name is None and await self.get_state(key) is None:
            # Leaving a state one is not in (every screen that is not a prompt does it) is a
            # no-op: one plain read instead of a write transaction — on SQLite the database's
            # write lock (issue #13, hot paths). Safe: nothing is written; a concurrent
            # writer of this key is simply ordered after this call.
            return
        await self._write(key, state=name)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            raise DataNotDictLikeError(
                f"Data must be a dict or dict-like object, got {type(data).__name__}"
            )
        await self._write(key, data=data)

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        """``dict.update`` of the draft in one transaction under the row's lock."""
        return await self._write(key, update=data)

    async def _write(
        self,
        key: StorageKey,
        *,
        state: Any = _KEEP,
        data: Any = _KEEP,
        update: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        rows = _rows.get()
        if rows is not None and rows.get(_ident(key), _KEEP) == (None, None):
            # This update found no row: try to create it with its content in one statement.
            # It only succeeds if there is still no row, and then "update the empty draft"
            # is the draft itself; if someone created it meanwhile, the locked path below.
            created = await self._create(key, state, data, update)
            if created is not None:
                return created
        elif (
            rows is not None
            and _ident(key) in rows
            and update is None
            and (state is _KEEP) != (data is _KEEP)
        ):
            # Only the state, or only the draft, of a row this update has seen: one UPDATE,
            # nothing to merge (a draft update, read-modify-write, takes the locked path).
            if await self._replace(key, rows, state, data):
                return dict(data) if data is not _KEEP else {}
        async with self._sessionmaker() as s:
            async with s.begin():
                # SQLite: the write lock now (BEGIN IMMEDIATE); PostgreSQL: the row's lock below.
                await s.connection(execution_options={WRITE_LOCK: True})
                row = await self._locked(s, key)
                if row is None and (
                    state not in (_KEEP, None) or (data is not _KEEP and data) or update
                ):
                    # PostgreSQL: no row to lock yet — create it (a concurrent writer of the
                    # same key waits on the key, then finds it), then lock it
                    await self._insert_empty(s, key)
                    row = await self._locked(s, key)
                if update is not None:
                    data = self._decode(row.data if row is not None else None)
                    data.update(update)
                new_state = (row.state if row is not None else None) if state is _KEEP else state
                token = (
                    (row.data if row is not None else None) if data is _KEEP else self._encode(data)
                )
                if row is None:
                    new_state, token = None, None  # nothing was there and nothing is to be kept
                elif new_state is None and token is None:
                    await s.execute(delete(ConversationState).where(*_where(key)))
                else:
                    row.state, row.data, row.updated_at = new_state, token, self._now()
        rows = _rows.get()
        if rows is not None:  # committed: the rest of this update reads what was written
            rows[_ident(key)] = (new_state, token)
        return dict(data) if data is not _KEEP else {}

    @staticmethod
    async def _locked(s: AsyncSession, key: StorageKey) -> ConversationState | None:
        stmt = (
            select(ConversationState)
            .where(*_where(key))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await s.execute(stmt)).scalar_one_or_none()

    async def _create(
        self, key: StorageKey, state: Any, data: Any, update: Mapping[str, Any] | None
    ) -> dict[str, Any] | None:
        """INSERT … ON CONFLICT DO NOTHING of the whole row; None when a row was there."""
        new_state = None if state is _KEEP else state
        content = dict(update) if update is not None else ({} if data is _KEEP else dict(data))
        token = self._encode(content)
        if new_state is None and token is None:
            return {}  # nothing to keep, and nothing was there
        values = dict(
            zip(_PK, _ident(key), strict=True), state=new_state, data=token, updated_at=self._now()
        )
        async with self._sessionmaker() as s:
            async with s.begin():
                await s.connection(execution_options={WRITE_LOCK: True})
                insert = (
                    postgresql.insert
                    if s.get_bind().dialect.name == "postgresql"
                    else sqlite.insert
                )
                result = await s.execute(
                    insert(ConversationState)
                    .values(**values)
                    .on_conflict_do_nothing(index_elements=list(_PK))
                )
        if getattr(result, "rowcount", 0) != 1:  # an INSERT/UPDATE's CursorResult
            return None
        rows = _rows.get()
        if rows is not None:
            rows[_ident(key)] = (new_state, token)
        return content if (update is not None or data is not _KEEP) else {}

    async def _replace(self, key: StorageKey, rows: dict[Any, Any], state: Any, data: Any) -> bool:
        """UPDATE the state or the draft of an existing row; False when the row is gone."""
        ident = _ident(key)
        cached_state, cached_token = rows[ident]
        new_state = cached_state if state is _KEEP else state
        token = cached_token if data is _KEEP else self._encode(data)
        if new_state is None and token is None:
            return False  # the row is to be deleted: the locked path does it
        values: dict[str, Any] = {"updated_at": self._now()}
        if state is not _KEEP:
            values["state"] = new_state
        else:
            values["data"] = token
        async with self._sessionmaker() as s:
            async with s.begin():
                await s.connection(execution_options={WRITE_LOCK: True})
                result = await s.execute(
                    sa_update(ConversationState)
                    .where(*_where(key))
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
        if getattr(result, "rowcount", 0) != 1:  # an INSERT/UPDATE's CursorResult
            return False
        rows[ident] = (new_state, token)
        return True

    async def _insert_empty(self, s: AsyncSession, key: StorageKey) -> None:
        values = dict(
            zip(_PK, _ident(key), strict=True), state=None, data=None, updated_at=self._now()
        )
        dialect = s.bind.dialect.name if s.bind is not None else "sqlite"
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await s.execute(
            insert(ConversationState)
            .values(**values)
            .on_conflict_do_nothing(index_elements=list(_PK))
        )

    async def close(self) -> None:
        """The engine belongs to the runtime; only a Redis client we opened is closed here."""
        if self._redis is not None:
            redis, self._redis = self._redis, None
            await redis.aclose(close_connection_pool=True)


class _ForgivingRedisIsolation(RedisEventIsolation):
    """aiogram's Redis lock per person, except that losing the lock (its timeout passed, or
    Redis restarted or was flushed mid-update) is logged, not raised: the update has been
    handled by then, and raising would hand it to the inbox to be handled again."""

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        lock = self.redis.lock(name=self.key_builder.build(key, "lock"), **self.lock_kwargs)
        await lock.acquire()
        try:
            yield None
        finally:
            try:
                await lock.release()
            except LockError as exc:
                log.warning("per-person lock lost before release (%s)", type(exc).__name__)


def redis_isolation(url: str) -> tuple[BaseEventIsolation, Any]:
    """One person's updates one at a time across every bot instance (a Redis lock per user
    and chat) — and the client, for the storage to close."""
    redis = Redis.from_url(url)
    return _ForgivingRedisIsolation(
        redis, key_builder=DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
    ), redis


__all__ = ["ConversationCache", "DatabaseStorage", "redis_isolation"]
