"""What every service shares: a unit of work that owns the transaction, the audit log and
the outbox. Jobs (deliver a message, download a file) are handed to the queue only after the
transaction commits, and carry ids only."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.buttons import KeyboardSpec, check_keyboard
from models.clock import Clock
from models.crypto import PersonalDataCipher
from models.db import WRITE_LOCK
from models.tables import AuditRecord, Delivery, Person

T = TypeVar("T")

#: ``(job name, entity id)``: "deliver" a delivery row, "download" an application file.
JobSink = Callable[[str, int], None]


@dataclass
class ServiceContext:
    sessionmaker: async_sessionmaker[AsyncSession]
    cipher: PersonalDataCipher
    clock: Clock
    jobs: JobSink
    admin_ids: frozenset[int] = frozenset()
    download_limit: int = 20 * 1024 * 1024
    files_dir: Path | None = None
    send_rate: int = 30
    #: per-process caches of rarely changing rows, each validated by a cheap query (for
    #: example the contest definitions: ContestService.contests)
    caches: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Limits:
    """The configured limits a screen shows or checks before asking a service (the bot's
    handlers get them injected as ``limits``, never through ``services.ctx``)."""

    download: int
    send_rate: int
    files_dir: Path | None

    @classmethod
    def of(cls, ctx: ServiceContext) -> Limits:
        return cls(ctx.download_limit, ctx.send_rate, ctx.files_dir)


@dataclass
class UnitOfWork:
    session: AsyncSession
    now: datetime
    pending_jobs: list[tuple[str, int]] = field(default_factory=list)

    def after_commit(self, job: str, entity_id: int) -> None:
        self.pending_jobs.append((job, entity_id))

    def audit(
        self,
        actor: int | None,
        action: str,
        entity: str,
        entity_id: int | None,
        *,
        contest_id: int | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Append a decision to the audit log. Callers pass masked values only (R-PD-2)."""
        self.session.add(
            AuditRecord(
                at=self.now,
                actor_telegram_id=actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                contest_id=contest_id,
                before=before,
                after=after,
            )
        )

    async def notify(
        self,
        *,
        reason: str,
        subject: str,
        chat_id: int,
        key: str,
        args: dict[str, Any] | None = None,
        keyboard: KeyboardSpec | None = None,
        language: str = "ru",
        due_at: datetime | None = None,
    ) -> int | None:
        """Write a message to the outbox in this transaction (one way out). The unique key
        (reason, subject, recipient, due time) makes a second row for the same thing
        impossible; returns the new row's id, or None when it already existed."""
        due = due_at or self.now
        values = dict(
            reason=reason,
            subject=subject,
            recipient_chat_id=chat_id,
            due_at=due,
            message_key=key,
            message_args=args or {},
            keyboard=check_keyboard(keyboard),  # every button checked (models.buttons)
            language=language,
            status="pending",
            attempts=0,
            created_at=self.now,
        )
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = (
            insert(Delivery)
            .values(**values)
            .on_conflict_do_nothing(
                index_elements=["reason", "subject", "recipient_chat_id", "due_at"]
            )
            .returning(Delivery.id)
        )
        delivery_id = (await self.session.execute(stmt)).scalar_one_or_none()
        if delivery_id is None:
            return None
        if due <= self.now:
            self.after_commit("deliver", delivery_id)
        return delivery_id

    async def notify_person(self, telegram_id: int, **kwargs: Any) -> int | None:
        """:meth:`notify` a person by Telegram id, in their language. Staff may never have
        written to the bot: a private chat's id is the user's id."""
        person = (
            await self.session.execute(select(Person).where(Person.telegram_id == telegram_id))
        ).scalar_one_or_none()
        chat_id = (
            person.chat_id if person is not None and person.chat_id is not None else telegram_id
        )
        kwargs.setdefault(
            "language", person.language if person is not None and person.language else "ru"
        )
        return await self.notify(chat_id=chat_id, **kwargs)


async def lock(s: AsyncSession, model: type[T], row_id: int) -> T | None:
    """Load one row and hold it until the transaction ends — the first step of every state
    transition (a double tap, two coordinators, two instances): the second caller waits,
    then reads the state the first one left and is refused with what happened.
    PostgreSQL: ``SELECT … FOR UPDATE``; SQLite: the unit of work already holds the
    database's write lock (``BEGIN IMMEDIATE``). ``populate_existing`` refreshes an object
    this session may have loaded before the lock."""
    stmt = (
        select(model)
        .where(model.id == row_id)  # type: ignore[attr-defined]  # every table has an ``id``
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await s.execute(stmt)).scalar_one_or_none()


async def move(
    s: AsyncSession, model: Any, row_id: int, column: str, expected: Any, **values: Any
) -> bool:
    """A conditional write: ``UPDATE model SET … WHERE id = :id AND column IN :expected``.
    True when this call moved the row; False when another caller moved it first (the row
    count is the verdict, never an earlier read)."""
    allowed = list(expected) if isinstance(expected, (list, tuple, set, frozenset)) else [expected]
    result = await s.execute(
        update(model)
        .where(model.id == row_id, getattr(model, column).in_(allowed))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(cast("CursorResult[Any]", result).rowcount)  # an UPDATE's result has one


class Service:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @asynccontextmanager
    async def uow(self) -> AsyncIterator[UnitOfWork]:
        """One transaction; queued jobs leave only after it commits."""
        async with self.ctx.sessionmaker() as session:
            unit = UnitOfWork(session=session, now=self.ctx.clock.now())
            async with session.begin():
                # SQLite: the write lock is taken now, not at the first write (models.db).
                await session.connection(execution_options={WRITE_LOCK: True})
                yield unit
        for job, entity_id in unit.pending_jobs:
            self.ctx.jobs(job, entity_id)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading only. On PostgreSQL without a transaction (autocommit): under
        READ COMMITTED every statement sees its own snapshot either way, so BEGIN/ROLLBACK
        around reads were two round trips for nothing (issue #13). On SQLite a deferred
        transaction keeps one snapshot across the reads."""
        async with self.ctx.sessionmaker() as session:
            await reading_connection(session)
            yield session

    def is_admin(self, telegram_id: int | None) -> bool:
        return telegram_id is not None and telegram_id in self.ctx.admin_ids


#: What one update (one Telegram event being handled) has already read and may read again
#: unchanged: set by the bot around each update (bot.storage.ConversationCache), absent in
#: workers and tests that call services directly.
_update_memo: ContextVar[dict[str, Any] | None] = ContextVar("update_memo", default=None)


@contextmanager
def update_scope() -> Iterator[None]:
    token = _update_memo.set({})
    try:
        yield
    finally:
        _update_memo.reset(token)


def update_memo() -> dict[str, Any] | None:
    return _update_memo.get()


async def reading_connection(session: AsyncSession) -> None:
    """Make ``session`` a read-only one without a transaction on PostgreSQL (see Service.read)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


async def count_rows(session: AsyncSession, model: Any, *conditions: Any) -> int:
    """``SELECT count(*) FROM model WHERE conditions``."""
    stmt = select(func.count()).select_from(model).where(*conditions)
    return int((await session.execute(stmt)).scalar_one())


async def first(session: AsyncSession, stmt: Any) -> Any:
    return (await session.execute(stmt)).scalars().first()


__all__ = [
    "JobSink",
    "Limits",
    "Service",
    "ServiceContext",
    "UnitOfWork",
    "count_rows",
    "first",
    "lock",
    "move",
    "reading_connection",
    "select",
    "update_memo",
    "update_scope",
]
