"""What the system sends on its own: the outbox (R-REM-6), broadcasts (R-COO-1), reminder
runs, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.tables.base import Base


class Delivery(Base):
    """Исходящее сообщение (outbox): every message the system sends on its own. Written in
    the transaction of the change that caused it; the unique key makes a second row for
    the same thing impossible (R-REM-6)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("reason", "subject", "recipient_chat_id", "due_at"),
        Index("ix_deliveries_due", "status", "due_at"),
        Index("ix_deliveries_lease", "status", "lease_until"),
        Index("ix_deliveries_broadcast", "broadcast_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128))
    recipient_chat_id: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[datetime]
    message_key: Mapped[str] = mapped_column(String(128))
    message_args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    keyboard: Mapped[list[Any] | None] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8), default="ru")
    #: a reminder is not sent after this moment (e.g. the deadline it reminds of)
    expires_at: Mapped[datetime | None]
    #: non-essential: skipped for a person who muted reminders
    muteable: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: when the sweep last handed the row to the queue (not again for a while)
    enqueued_at: Mapped[datetime | None]
    #: the broadcast this message belongs to (its text lives there, not in every row)
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE")
    )
    lease_until: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class ReminderRun(Base):
    """Прогон напоминаний: one reminder kind done for one scope and due time, so later sweeps
    skip it at the cost of one indexed look-up (R-REM-6: once per reason per due time)."""

    __tablename__ = "reminder_runs"
    __table_args__ = (UniqueConstraint("kind", "scope", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime]
    done_at: Mapped[datetime]
    created: Mapped[int] = mapped_column(Integer, default=0)


class Broadcast(Base):
    """Рассылка (R-COO-1): an announcement to a segment, sent through the outbox at
    Telegram's limits; pausable, resumable, cancellable."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    author_telegram_id: Mapped[int] = mapped_column(BigInteger)
    #: Telegram-flavoured HTML of the coordinator's own message (entities → tags)
    text_html: Mapped[str] = mapped_column(Text, default="")
    media_kind: Mapped[str | None] = mapped_column(String(16))  # photo | document
    media_file_id: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: draft → running ⇄ paused → done | cancelled
    status: Mapped[str] = mapped_column(String(16), default="draft")
    total: Mapped[int] = mapped_column(Integer, default=0)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_updated_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class AuditRecord(Base):
    """Журнал решений: who, when, what, before and after. Never holds a plain СНИЛС."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    contest_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
