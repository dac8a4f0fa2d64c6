"""The sweep (every minute): the database carries the truth, the broker only nudges.

1. Each registered reminder kind's due runs become outbox rows, once (R-REM-6).
2. Outbox rows that are due and that no queue message is known to carry — never enqueued,
   enqueued long ago (the broker may have lost it: a Redis restart, a FLUSHALL), or claimed
   by a sender whose lease expired (a killed worker) — are handed to the queue by id.

Long Dramatiq delays are never used for deadlines: a due time lives in the database."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from models.buttons import check_keyboard
from models.db import writing
from models.tables import Contest, Delivery, ReminderRun
from notifications import appeal_reminders, remote_reminders  # noqa: F401  (register their reminder kinds)
from notifications.broadcasts import stale_broadcasts
from notifications.reminders import REGISTRY, ReminderKind
from ops.metrics import SWEEP_SECONDS

#: a pending row handed to the queue this long ago without being sent is handed again
REQUEUE_AFTER = timedelta(minutes=5)
BATCH = 2000


@dataclass
class SweepReport:
    runs: int = 0
    created: int = 0
    enqueued: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)


def _insert(session: AsyncSession) -> Callable[..., Any]:
    """The dialect's INSERT, for ``ON CONFLICT DO NOTHING``."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


async def materialise_reminders(
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    kinds: list[ReminderKind],
    report: SweepReport,
) -> None:
    async with sessionmaker() as s:
        contests = (
            (await s.execute(select(Contest).options(selectinload(Contest.stages)))).scalars().all()
        )
    for kind in kinds:
        async with writing(sessionmaker) as s:
            for run in await kind.runs(s, now, list(contests)):
                reason = kind.reason(run)
                done = (
                    await s.execute(
                        select(ReminderRun.id).where(
                            ReminderRun.kind == reason,
                            ReminderRun.scope == run.scope,
                            ReminderRun.due_at == run.due_at,
                        )
                    )
                ).first()
                if done is not None:
                    continue
                messages = await kind.messages(s, run, now)
                created = 0
                if messages:
                    # one compiled statement, rows as parameters (SQLAlchemy's insertmanyvalues):
                    # building a fresh VALUES clause per chunk cost 5× more (bench/RESULTS.md)
                    stmt = (
                        _insert(s)(Delivery.__table__)
                        .on_conflict_do_nothing(
                            index_elements=["reason", "subject", "recipient_chat_id", "due_at"]
                        )
                        .returning(Delivery.__table__.c.id)
                    )
                    rows = [
                        dict(
                            reason=reason,
                            subject=m.subject,
                            recipient_chat_id=m.chat_id,
                            due_at=run.due_at,
                            expires_at=run.expires_at,
                            muteable=kind.muteable,
                            message_key=m.key,
                            message_args=m.args,
                            keyboard=check_keyboard(m.keyboard),  # checked as it is written
                            language=m.language,
                            status="pending",
                            attempts=0,
                            created_at=now,
                        )
                        for m in messages
                    ]
                    created = len((await s.execute(stmt, rows)).all())
                s.add(
                    ReminderRun(
                        kind=reason,
                        scope=run.scope,
                        due_at=run.due_at,
                        done_at=now,
                        created=created,
                    )
                )
                report.runs += 1
                report.created += created
                report.by_kind[reason] = report.by_kind.get(reason, 0) + created


async def due_delivery_ids(
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    requeue_after: timedelta = REQUEUE_AFTER,
    batch: int = BATCH,
) -> list[int]:
    """Due rows no queue message is known to carry; marked as handed over in the same
    transaction. ``FOR UPDATE SKIP LOCKED`` lets two sweeps run at once without both
    taking the same rows (PostgreSQL; SQLite has one writer anyway)."""
    stale = now - requeue_after
    async with writing(sessionmaker) as s:
        ids = (
            (
                await s.execute(
                    select(Delivery.id)
                    .where(
                        or_(
                            and_(
                                Delivery.status == "pending",
                                Delivery.due_at <= now,
                                # a broadcast's own ticks feed its rows to the queue
                                Delivery.broadcast_id.is_(None),
                                or_(Delivery.enqueued_at.is_(None), Delivery.enqueued_at < stale),
                            ),
                            and_(
                                Delivery.status == "sending",
                                Delivery.lease_until < now,
                                or_(
                                    Delivery.enqueued_at.is_(None),
                                    Delivery.enqueued_at < Delivery.lease_until,
                                    Delivery.enqueued_at < stale,
                                ),
                            ),
                        )
                    )
                    .order_by(Delivery.due_at, Delivery.id)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        if ids:
            await s.execute(update(Delivery).where(Delivery.id.in_(ids)).values(enqueued_at=now))
    return list(ids)


async def sweep(
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    enqueue: Callable[[str, int], None],
    kinds: list[ReminderKind] | None = None,
    requeue_after: timedelta = REQUEUE_AFTER,
) -> SweepReport:
    started = time.perf_counter()
    report = SweepReport()
    await materialise_reminders(sessionmaker, now, REGISTRY if kinds is None else kinds, report)
    while True:
        ids = await due_delivery_ids(sessionmaker, now, requeue_after)
        for delivery_id in ids:
            enqueue("deliver", delivery_id)
        report.enqueued += len(ids)
        if len(ids) < BATCH:
            break
    for broadcast_id in await stale_broadcasts(sessionmaker, now):
        enqueue("broadcast", broadcast_id)
    report.seconds = time.perf_counter() - started
    SWEEP_SECONDS.observe(report.seconds)
    return report
