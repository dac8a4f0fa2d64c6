"""Person: one Telegram account, and the state of its chat (conversation, inbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.tables.base import Base


class Person(Base):
    """Человек: one Telegram account is one person (R-ROLE-1)."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    display_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="ru")
    blocked_bot_at: Mapped[datetime | None]
    #: /settings: no non-essential reminders (deadline and appeal notices still come)
    mute_reminders: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime]


class ConversationState(Base):
    """Место в разговоре (issue #12): a person's FSM state and draft of a multi-step form,
    kept in the database in every mode, so a restart or a lost Redis loses nothing. One row
    per aiogram storage key (the primary key, so a read is one indexed row). ``data`` is the
    draft as JSON encrypted with the personal-data key (R-PD-2): it may hold names and texts."""

    __tablename__ = "conversation_states"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    #: forum topic; 0 when none (a primary key cannot hold NULL)
    thread_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=0)
    #: Telegram Business connection; "" when none
    business_connection_id: Mapped[str] = mapped_column(String(128), primary_key=True, default="")
    destiny: Mapped[str] = mapped_column(String(64), primary_key=True, default="default")
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime]


class InboxUpdate(Base):
    """Входящее обновление (issue #13, item 1): the inbox, symmetric to the outbox. Every
    update from Telegram is written here before it is acknowledged (polling: before the
    offset moves past it; webhook: before the 200), and marked handled once its handler has
    run. A row neither handled nor failed is handled again after a crash; ``attempts`` bounds
    the retries of a failing handler. ``payload`` is the raw update as JSON encrypted with the
    personal-data key (R-PD-2): it may carry names and СНИЛС. Handled rows are purged after
    INBOX_KEEP_HOURS. The primary key makes a redelivered copy (same update_id) a no-op."""

    __tablename__ = "inbox_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    #: where «Не получилось, попробуйте ещё раз» goes when the update is given up
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: a process handling it holds it until then; after, another process may take it over
    lease_until: Mapped[datetime | None]
    handled_at: Mapped[datetime | None] = mapped_column(index=True)
    failed_at: Mapped[datetime | None]
