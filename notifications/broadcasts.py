"""A broadcast's life in the workers: hand its rows to the queue, keep the coordinator's
progress message current (sent / blocked / failed / left, time left), and at the end send
the final report with the undelivered recipients as a file."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.clock import Clock
from models.db import writing
from models.services.broadcasts import BroadcastProgress, progress_of
from models.tables import Broadcast, Delivery, Participant, Person
from notifications.i18n import t
from notifications.ratelimit import SendGate

log = logging.getLogger(__name__)
#: a running broadcast whose progress was not refreshed for this long gets a tick from the sweep
STALE_PROGRESS = timedelta(seconds=30)
TICK_SECONDS = 3


def eta_text(left: int, rate: int) -> str:
    seconds = left / max(rate, 1)
    if seconds < 60:
        return t("broadcast-eta-seconds", seconds=max(1, round(seconds)))
    return t("broadcast-eta-minutes", minutes=round(seconds / 60))


def progress_text(p: BroadcastProgress, rate: int) -> str:
    key = {
        "running": "broadcast-status-running",
        "paused": "broadcast-status-paused",
        "done": "broadcast-status-done",
        "cancelled": "broadcast-status-cancelled",
    }[p.status]
    text = t(
        "broadcast-progress",
        id=p.id,
        status=t(key),
        sent=p.sent,
        total=p.total,
        blocked=p.blocked,
        failed=p.failed,
        left=p.left,
    )
    if p.status == "running" and p.left:
        text += "\n" + t("broadcast-eta", eta=eta_text(p.left, rate))
    return text


def controls(p: BroadcastProgress, pack: Callable[[int, str], str]) -> InlineKeyboardMarkup | None:
    if p.status == "running":
        row = [("btn-broadcast-pause", "pause"), ("btn-broadcast-cancel", "stop")]
    elif p.status == "paused":
        row = [("btn-broadcast-resume", "resume"), ("btn-broadcast-cancel", "stop")]
    else:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=t(k), callback_data=pack(p.id, a)) for k, a in row]
        ]
    )


#: how many seconds of sending a broadcast keeps in the queue at once
WINDOW_SECONDS = 20


async def enqueue_unsent(
    s: AsyncSession,
    broadcast_id: int,
    now: datetime,
    enqueue: Callable[[str, int], None],
    rate: int,
) -> int:
    """Keep about ``WINDOW_SECONDS`` of sending in the queue: top it up from the rows not
    handed yet, and hand again rows that waited three windows (their message was lost).
    A broadcast of 10 000 is never 10 000 queue messages at once, so nothing in the queue
    waits long enough to look lost and be handed twice."""
    window = max(rate * WINDOW_SECONDS, 50)
    lost_before = now - timedelta(seconds=3 * WINDOW_SECONDS)
    waiting = Delivery.broadcast_id == broadcast_id, Delivery.status == "pending"
    handed = (
        await s.execute(
            select(func.count())
            .select_from(Delivery)
            .where(*waiting, Delivery.enqueued_at.is_not(None), Delivery.enqueued_at >= lost_before)
        )
    ).scalar_one()
    ids = list(
        (
            await s.execute(
                select(Delivery.id)
                .where(
                    *waiting, Delivery.enqueued_at.is_not(None), Delivery.enqueued_at < lost_before
                )
                .order_by(Delivery.id)
            )
        ).scalars()
    )
    room = window - handed - len(ids)
    if room > 0:
        ids += (
            (
                await s.execute(
                    select(Delivery.id)
                    .where(*waiting, Delivery.enqueued_at.is_(None))
                    .order_by(Delivery.id)
                    .limit(room)
                )
            )
            .scalars()
            .all()
        )
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        await s.execute(update(Delivery).where(Delivery.id.in_(chunk)).values(enqueued_at=now))
        for delivery_id in chunk:
            enqueue("deliver", delivery_id)
    return len(ids)


async def undelivered_csv(s: AsyncSession, b: Broadcast) -> bytes:
    rows = (
        await s.execute(
            select(
                Delivery.recipient_chat_id,
                Delivery.status,
                Delivery.last_error,
                Person.display_name,
                Participant.full_name,
            )
            .outerjoin(Person, Person.chat_id == Delivery.recipient_chat_id)
            .outerjoin(
                Participant,
                and_(Participant.person_id == Person.id, Participant.contest_id == b.contest_id),
            )
            .where(
                Delivery.broadcast_id == b.id,
                Delivery.status.in_(["blocked", "failed", "expired", "cancelled"]),
            )
            .order_by(Delivery.recipient_chat_id)
        )
    ).all()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            t("broadcast-csv-telegram-id"),
            t("broadcast-csv-name"),
            t("broadcast-csv-status"),
            t("broadcast-csv-error"),
        ]
    )
    for chat, status, error, display, full_name in rows:
        writer.writerow(
            [chat, full_name or display or "", t(f"broadcast-undelivered-{status}"), error or ""]
        )
    return ("\ufeff" + out.getvalue()).encode()  # BOM: Excel opens it as UTF-8


async def tick(
    bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    broadcast_id: int,
    enqueue: Callable[[str, int], None],
    gate: SendGate | None,
    pack: Callable[[int, str], str],
    rate: int,
) -> bool:
    """One step: enqueue what waits, refresh the progress message, finish when nothing is
    left. Returns True while the broadcast still needs ticks."""
    now = clock.now()
    async with writing(sessionmaker) as s:
        # running → done is a transition too (issue #12): SQLite's write lock at the start
        # (writing), the row lock on PostgreSQL, so a «Отменить» racing the last tick is
        # settled once.
        b = await s.get(Broadcast, broadcast_id, with_for_update=True, populate_existing=True)
        if b is None:
            return False
        if b.status == "running":
            await enqueue_unsent(s, b.id, now, enqueue, rate)
        p = await progress_of(s, b.id)
        report = None
        if b.status == "running" and p.left == 0:
            b.status, b.finished_at = "done", now
            p = await progress_of(s, b.id)
            report = await undelivered_csv(s, b) if p.blocked or p.failed else b""
        elif b.status == "cancelled" and (
            b.progress_updated_at is None
            or (b.finished_at is not None and b.progress_updated_at <= b.finished_at)
        ):
            report = await undelivered_csv(s, b)  # once: the first tick after cancelling
        b.progress_updated_at = now
        chat_id, message_id = b.progress_chat_id, b.progress_message_id
    if chat_id is not None and message_id is not None:
        try:
            await bot.edit_message_text(
                progress_text(p, rate),
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=controls(p, pack),
            )
        except TelegramBadRequest as exc:  # "message is not modified" and the like
            log.debug("progress of broadcast %s not edited: %s", broadcast_id, exc.message)
    if report is not None and chat_id is not None:
        if gate is not None:
            await gate.wait_turn(chat_id)
        summary = t(
            "broadcast-final",
            id=p.id,
            sent=p.sent,
            total=p.total,
            blocked=p.blocked,
            failed=p.failed,
            cancelled=p.cancelled,
        )
        if report:
            await bot.send_document(
                chat_id,
                BufferedInputFile(report, f"broadcast-{p.id}-undelivered.csv"),
                caption=summary,
            )
        else:
            await bot.send_message(chat_id, summary)
    return p.status == "running"


async def stale_broadcasts(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> list[int]:
    """Running broadcasts whose ticks stopped (a lost message): the sweep restarts them."""
    async with sessionmaker() as s:
        return list(
            (
                await s.execute(
                    select(Broadcast.id).where(
                        Broadcast.status == "running",
                        or_(
                            Broadcast.progress_updated_at.is_(None),
                            Broadcast.progress_updated_at < now - STALE_PROGRESS,
                        ),
                    )
                )
            ).scalars()
        )
