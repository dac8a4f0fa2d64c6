"""The contest as loaded from its definition file, and its staff (R-ROLE-1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.tables.base import Base


class Contest(Base):
    """Конкурс / чемпионат, loaded from a contest definition file."""

    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64))
    privacy_policy_url: Mapped[str | None] = mapped_column(Text)
    definition_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime]

    stages: Mapped[list[Stage]] = relationship(back_populates="contest", order_by="Stage.position")


class Stage(Base):
    """Этап (региональный, федеральный) with its deadlines (R-APP-7)."""

    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("contest_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    starts_at: Mapped[datetime | None]
    application_deadline: Mapped[datetime | None]
    evaluation_deadline: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    contest: Mapped[Contest] = relationship(back_populates="stages")


class Region(Base):
    """Регион (субъект РФ) of a contest."""

    __tablename__ = "regions"
    __table_args__ = (UniqueConstraint("contest_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Organisation(Base):
    """Организация из реестра поставщиков социальных услуг региона (R-VER-1)."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("region_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    #: lower-cased name for the registry search
    search_name: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Nomination(Base):
    """Номинация: conditions (R-APP-3), fields and required files (R-APP-4)."""

    __tablename__ = "nominations"
    __table_args__ = (UniqueConstraint("contest_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fields: Mapped[list[Any]] = mapped_column(JSON, default=list)
    files: Mapped[list[Any]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RoleAssignment(Base):
    """Роль человека в конкурсе (R-ROLE-1): coordinator of regions, federal coordinator,
    expert (with status, R-ROLE-2), commission member. Declared by Telegram id."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("contest_id", "telegram_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(Text)
    region_codes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    expert_status: Mapped[str | None] = mapped_column(String(32))
    #: nomination (competence) codes this expert is the chief expert of (R-ROLE-2)
    chief_for: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    #: appeal commission (R-APL-6): chair | secretary | member
    commission_role: Mapped[str | None] = mapped_column(String(16))
    #: the organisation a staff member belongs to (a registry code), for conflicts (R-APL-6)
    organisation_code: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Invitation(Base):
    """Приглашение сотрудника (R-ROLE-1): a role in a contest offered to a named person by a
    single-use, expiring deep link. Only the SHA-256 of the token is kept; opening the link
    and confirming the name binds that Telegram account (a :class:`RoleAssignment`).

    ``source``: chat | bulk | file. Entries of the contest file without a Telegram id are
    ``file`` invitations, matched on re-load by ``file_key``; they get a link (a token) when
    an admin issues one from /staff."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(254))
    region_codes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    expert_status: Mapped[str | None] = mapped_column(String(32))
    chief_for: Mapped[list[Any]] = mapped_column(JSON, default=list)
    commission_role: Mapped[str | None] = mapped_column(String(16))
    organisation_code: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(8), default="chat")
    file_key: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    role_assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("role_assignments.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None]
