"""One way out: send one outbox row. Claim before send, record after, so that a row is sent
once even when several workers hold its id; a worker killed mid-send leaves a lease that
expires and the row is sent again."""

from __future__ import annotations

import asyncio
import html
import logging
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.buttons import ButtonRenderer, read_keyboard
from models.clock import Clock
from models.tables import Broadcast, Delivery, Person
from notifications.documents import award_pdf
from notifications.i18n import t
from notifications.ratelimit import Priority, SendGate
from ops.metrics import REMINDERS_SENT, reminder_kind

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)


#: after this many failed attempts (network, 5xx) a row is given up as failed
MAX_ATTEMPTS = 12


class Outcome(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    EXPIRED = "expired"  # its moment passed (a reminder after its deadline is never sent)
    MUTED = "muted"  # non-essential, and the person muted reminders
    SKIPPED = "skipped"  # already sent, being sent by another worker, or not due


class SendLater(Exception):
    """Telegram asked to wait (429) or could not be reached: the row is back to pending."""

    def __init__(self, delay: float) -> None:
        super().__init__(f"retry in {delay:.0f}s")
        self.delay = delay


def render(row: Delivery, buttons: ButtonRenderer) -> tuple[str, InlineKeyboardMarkup | None]:
    """The row's text and keyboard in its language; each button checked again
    (``models.buttons``: rows of every age) and turned into callback data by ``buttons``."""
    args: dict[str, Any] = {
        k: html.escape(v) if isinstance(v, str) else v
        for k, v in (row.message_args or {}).items()
        if not k.startswith("_")
    }
    text = t(row.message_key, row.language, **args)
    markup = None
    if row.keyboard:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=t(b.text, row.language, **b.args), callback_data=buttons(b.target)
                    )
                    for b in line
                ]
                for line in read_keyboard(row.keyboard)
            ]
        )
    return text, markup


async def _send(
    bot: Bot,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
    media_kind: str | None,
    media_file_id: Any,
) -> Any:
    if media_kind == "photo":
        return await bot.send_photo(
            chat_id, media_file_id, caption=text or None, reply_markup=markup
        )
    if media_kind == "document":
        return await bot.send_document(
            chat_id, media_file_id, caption=text or None, reply_markup=markup
        )
    return await bot.send_message(chat_id, text, reply_markup=markup)


async def _attachment(args: dict[str, Any], files_dir: Any) -> tuple[str | None, Any]:
    """A document sent with the message: a stored file (``_document``: a protocol's PDF) or
    an award made now from its content (``_award``: a certificate, diploma or letter)."""
    if "_document" in args:
        spec = args["_document"]
        data = await asyncio.to_thread((Path(files_dir) / spec["path"]).read_bytes)
        return "document", BufferedInputFile(data, filename=spec["name"])
    if "_award" in args:
        spec = args["_award"]
        data = await asyncio.to_thread(award_pdf, spec)
        return "document", BufferedInputFile(data, filename=spec.get("file_name", "award.pdf"))
    return None, None


async def _finish(
    sessionmaker: async_sessionmaker[AsyncSession], delivery_id: int, **values: Any
) -> None:
    async with sessionmaker() as s, s.begin():
        await s.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


async def deliver(
    bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    delivery_id: int,
    gate: SendGate | None = None,
    lease: timedelta = LEASE,
    files_dir: Any = None,
    *,
    buttons: ButtonRenderer,
) -> Outcome:
    """Claim the row, wait for a turn under Telegram's limits, send, record. A 429 pauses
    every sender and the send is retried here, without spending the actor's retries."""
    now = clock.now()
    async with sessionmaker() as s, s.begin():
        claimed = (
            await s.execute(
                update(Delivery)
                .where(
                    Delivery.id == delivery_id,
                    Delivery.due_at <= now,
                    or_(
                        Delivery.status == "pending",
                        and_(Delivery.status == "sending", Delivery.lease_until < now),
                    ),
                )
                .values(status="sending", lease_until=now + lease, attempts=Delivery.attempts + 1)
                .returning(Delivery.id)
            )
        ).scalar_one_or_none()
        if claimed is None:
            return Outcome.SKIPPED
        row = (await s.execute(select(Delivery).where(Delivery.id == delivery_id))).scalar_one()
        if row.expires_at is not None and now >= row.expires_at:
            row.status, row.lease_until = "expired", None
            return Outcome.EXPIRED
        if row.muteable:
            muted = (
                await s.execute(
                    select(Person.mute_reminders).where(Person.chat_id == row.recipient_chat_id)
                )
            ).scalar_one_or_none()
            if muted:
                row.status, row.lease_until = "muted", None
                return Outcome.MUTED
        if row.attempts > MAX_ATTEMPTS:
            row.status, row.lease_until = "failed", None
            return Outcome.FAILED
        media: tuple[str | None, Any] = (None, None)
        if row.broadcast_id is not None:  # the coordinator's own text, kept once on the broadcast
            b = await s.get(Broadcast, row.broadcast_id)
            if b is None:  # not possible while the row exists (its foreign key); said if it were
                row.status, row.lease_until, row.last_error = "failed", None, "broadcast gone"
                return Outcome.FAILED
            text, markup, media = b.text_html, None, (b.media_kind, b.media_file_id)
        else:
            try:
                text, markup = render(row, buttons)
            except (
                KeyError,
                ValueError,
            ) as exc:  # a bad catalogue key or argument: a bug, not a retry
                log.error("delivery %s cannot be rendered: %s", delivery_id, type(exc).__name__)
                row.status, row.lease_until, row.last_error = (
                    "failed",
                    None,
                    f"render: {type(exc).__name__}",
                )
                return Outcome.FAILED
            try:
                media = await _attachment(row.message_args or {}, files_dir)
            except (OSError, KeyError, ValueError) as exc:
                log.error(
                    "delivery %s attachment cannot be made: %s", delivery_id, type(exc).__name__
                )
                row.status, row.lease_until, row.last_error = (
                    "failed",
                    None,
                    f"attachment: {type(exc).__name__}",
                )
                return Outcome.FAILED
        chat_id = row.recipient_chat_id
        reason = row.reason
    while True:
        if gate is not None:
            await gate.wait_turn(chat_id, Priority.BULK)  # replies go first (issue #13 §3)
        try:
            message = await _send(bot, chat_id, text, markup, *media)
        except TelegramRetryAfter as exc:
            if gate is None:
                await _finish(
                    sessionmaker,
                    delivery_id,
                    status="pending",
                    lease_until=None,
                    last_error="retry_after",
                )
                raise SendLater(exc.retry_after) from None
            await gate.pause(exc.retry_after)
            # keep the claim while waiting: nobody else may take the row meanwhile
            await _finish(
                sessionmaker,
                delivery_id,
                lease_until=clock.now() + lease + timedelta(seconds=exc.retry_after),
                last_error="retry_after",
            )
            continue
        except TelegramForbiddenError:
            await _finish(
                sessionmaker,
                delivery_id,
                status="blocked",
                lease_until=None,
                last_error="forbidden",
            )
            async with sessionmaker() as s, s.begin():
                await s.execute(
                    update(Person)
                    .where(Person.chat_id == chat_id)
                    .values(blocked_bot_at=clock.now())
                )
            return Outcome.BLOCKED
        except (TelegramNetworkError, TelegramServerError) as exc:
            await _finish(
                sessionmaker,
                delivery_id,
                status="pending",
                lease_until=None,
                last_error=type(exc).__name__,
            )
            raise SendLater(5) from None
        except TelegramBadRequest as exc:
            log.warning("delivery %s refused by Telegram: %s", delivery_id, exc.message)
            await _finish(
                sessionmaker,
                delivery_id,
                status="failed",
                lease_until=None,
                last_error=exc.message[:500],
            )
            return Outcome.FAILED
        break
    await _finish(
        sessionmaker,
        delivery_id,
        status="sent",
        lease_until=None,
        sent_at=clock.now(),
        telegram_message_id=message.message_id,
        last_error=None,
    )
    REMINDERS_SENT.labels(kind=reminder_kind(reason)).inc()
    return Outcome.SENT
