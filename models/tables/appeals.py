"""Disputes (R-APL-1…9): pre-appeals, the commission, appeals and the adjustments they make."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.tables.base import Base, Points


class PreAppeal(Base):
    """Доапелляционное рассмотрение (R-APL-1): the chief expert's proposal put to a vote of
    the experts accredited at the site. ``status``: voting | accepted | rejected | no_quorum."""

    __tablename__ = "pre_appeals"
    __table_args__ = (Index("uq_pre_appeals_draft", "opened_by", "draft_key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    situation: Mapped[str] = mapped_column(Text)
    proposal: Mapped[str] = mapped_column(Text)
    penalty: Mapped[str | None] = mapped_column(Text)
    #: the experts accredited at the site when the vote opened (the quorum's base)
    accredited: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="voting")
    opened_by: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    #: who closed the vote (the chief expert); None when it closed itself — everyone voted
    closed_by: Mapped[int | None] = mapped_column(BigInteger)
    #: the chat draft this vote was opened from: a second «Вынести» of it opens nothing (issue #12)
    draft_key: Mapped[str | None] = mapped_column(String(64))


class PreAppealVote(Base):
    __tablename__ = "pre_appeal_votes"
    __table_args__ = (
        UniqueConstraint("pre_appeal_id", "telegram_id", name="uq_pre_appeal_votes_voter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pre_appeal_id: Mapped[int] = mapped_column(ForeignKey("pre_appeals.id", ondelete="CASCADE"))
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    vote: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime]


class CommissionMember(Base):
    """Апелляционная комиссия (R-APL-6): five people of a contest — a chair, a secretary
    (no vote) and three members — formed at least two days before the event."""

    __tablename__ = "commission_members"
    __table_args__ = (
        UniqueConstraint("contest_id", "telegram_id", name="uq_commission_members_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(16))  # chair | deputy | secretary | member
    name: Mapped[str] = mapped_column(Text)
    #: the member's organisation (a registry code): cases of its people are not theirs
    organisation_code: Mapped[str | None] = mapped_column(String(64))
    formed_by: Mapped[int | None] = mapped_column(BigInteger)
    formed_at: Mapped[datetime]
    #: R-APL-6 (issue #15): the stage the commission serves, chosen explicitly when it is formed
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))


class Appeal(Base):
    """Апелляция (R-APL-2…9). ``status``: awaiting_time | registered | decided."""

    __tablename__ = "appeals"
    __table_args__ = (
        Index("ix_appeals_queue", "contest_id", "status", "registered_at"),
        Index("uq_appeals_draft", "applicant_telegram_id", "draft_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("evaluation_targets.id", ondelete="CASCADE"))
    applicant_telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    applicant_role: Mapped[str] = mapped_column(String(32))  # mentor | regional_head
    kind: Mapped[str] = mapped_column(String(32))  # R-APL-5
    #: R-APL-4: applicant's name, category and contacts; place; who violated and who
    #: witnessed; description with the rules broken; demands
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: evidence: [{"kind": "photo|video|document", "file_id": ..., "name": ...}]
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    dispute_at: Mapped[datetime]
    deadline_at: Mapped[datetime]
    time_confirmed_by: Mapped[int | None] = mapped_column(BigInteger)
    time_confirmed_at: Mapped[datetime | None]
    filed_at: Mapped[datetime]
    #: the chat form this appeal was filed from: a second «Подать» of it files nothing (issue #12)
    draft_key: Mapped[str | None] = mapped_column(String(64))
    registered_at: Mapped[datetime | None]
    decide_by: Mapped[datetime | None]  # end of the decision day (R-APL-7), for the reminders
    status: Mapped[str] = mapped_column(String(16))
    #: members not deciding this case (close relative, same organisation)
    excluded: Mapped[list[Any]] = mapped_column(JSON, default=list)
    decision: Mapped[str | None] = mapped_column(String(16))  # upheld | rejected
    decision_text: Mapped[str | None] = mapped_column(Text)
    deduction: Mapped[Decimal | None] = mapped_column(Points)
    disqualified: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None]
    #: R-APL-9 (issue #15): points restored to the appellant's participant (a scoring error
    #: in their disfavour); the participant ``deduction`` / ``disqualified`` apply to when it is
    #: another one of the same competence (the unfair-advantage case) — None: the appellant's
    restored: Mapped[Decimal | None] = mapped_column(Points)
    penalised_target_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluation_targets.id", ondelete="SET NULL")
    )


class AppealVote(Base):
    __tablename__ = "appeal_votes"
    __table_args__ = (UniqueConstraint("appeal_id", "telegram_id", name="uq_appeal_votes_voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"))
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    uphold: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime]


class ResultAdjustment(Base):
    """A deduction of points or a disqualification decided on appeal (R-APL-9) or by an
    accepted pre-appeal (R-APL-1), applied to the results together with the decision's
    protocol. Exactly one of ``appeal_id`` / ``pre_appeal_id`` is set. ``points`` are
    deducted; a negative value is a restoration (R-APL-9, issue #15). An appeal adjusts at
    most one row per participant (the appellant's, and another one it penalises)."""

    __tablename__ = "result_adjustments"
    __table_args__ = (
        UniqueConstraint("appeal_id", "target_id", name="uq_result_adjustments_appeal_target"),
        UniqueConstraint("pre_appeal_id", "target_id", name="uq_result_adjustments_pre_appeal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("evaluation_targets.id", ondelete="CASCADE"))
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeals.id", ondelete="CASCADE"))
    #: R-APL-1: the accepted pre-appeal whose penalty this is (issue #12, migration 0009)
    pre_appeal_id: Mapped[int | None] = mapped_column(
        ForeignKey("pre_appeals.id", ondelete="CASCADE")
    )
    points: Mapped[Decimal] = mapped_column(Points, default=Decimal(0))
    disqualified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
