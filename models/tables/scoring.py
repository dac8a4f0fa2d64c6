"""Scoring (R-SCH, R-SCO): the scheme, groups, targets, marks, confirmations, corrections."""

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
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.tables.base import Base, Points
from models.tables.participants import Participant


class Scheme(Base):
    """Схема оценки (R-SCH-1…3) of one nomination (competence) at one stage. Everything the
    scoring engine scores hangs off it: criteria, groups, evaluation targets, marks."""

    __tablename__ = "schemes"
    __table_args__ = (UniqueConstraint("contest_id", "nomination_id", "stage_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    title: Mapped[str] = mapped_column(Text)
    #: "overall" or "by_region" (a regional stage ranks each region on its own, R-APP-8)
    ranking: Mapped[str] = mapped_column(String(16), default="overall")
    chief_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    source_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime]
    loaded_by: Mapped[int | None] = mapped_column(BigInteger)
    #: R-SCH-3: the scheme lock (a locked scheme never changes)
    locked_at: Mapped[datetime | None]
    locked_by: Mapped[int | None] = mapped_column(BigInteger)
    #: R-SCO-5: the score lock
    scores_locked_at: Mapped[datetime | None]
    scores_locked_by: Mapped[int | None] = mapped_column(BigInteger)
    results_published_at: Mapped[datetime | None]

    criteria: Mapped[list[SchemeCriterion]] = relationship(order_by="SchemeCriterion.position")


class SchemeCriterion(Base):
    """Критерий."""

    __tablename__ = "scheme_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)

    subcriteria: Mapped[list[SchemeSubcriterion]] = relationship(
        order_by="SchemeSubcriterion.position"
    )


class SchemeSubcriterion(Base):
    """Субкритерий: one score sheet (оценочная ведомость), scored by one group (R-SCH-4)."""

    __tablename__ = "scheme_subcriteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("scheme_criteria.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment_groups.id", ondelete="SET NULL")
    )

    aspects: Mapped[list[SchemeAspect]] = relationship(order_by="SchemeAspect.position")


class SchemeAspect(Base):
    """Аспект (R-SCH-2): judgement 0–3, binary yes/no, or discrete from a declared table."""

    __tablename__ = "scheme_aspects"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    subcriterion_id: Mapped[int] = mapped_column(
        ForeignKey("scheme_subcriteria.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    max_points: Mapped[Decimal] = mapped_column(Points)
    #: discrete: ``[{"label": ..., "points": "0.5"}, ...]``
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer)


class AssessmentGroup(Base):
    """Группа оценки (R-SCH-4): exactly four experts; one may lead it."""

    __tablename__ = "assessment_groups"
    __table_args__ = (UniqueConstraint("scheme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    leader_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]

    members: Mapped[list[GroupMember]] = relationship(
        order_by="GroupMember.id", cascade="all, delete-orphan"
    )


class GroupMember(Base):
    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "telegram_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("assessment_groups.id", ondelete="CASCADE"))
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)


class EvaluationTarget(Base):
    """What is scored: a participant's performance at a site (championship) or a submitted
    application (the Ministry's contest). One engine for both."""

    __tablename__ = "evaluation_targets"
    __table_args__ = (
        UniqueConstraint("scheme_id", "participant_id", name="uq_evaluation_targets_participant"),
        UniqueConstraint("scheme_id", "number", name="uq_evaluation_targets_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    #: R-ROLE-3: the эксперт-наставник who represents this participant
    mentor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    #: R-ROLE-3: when every expert of the competence allowed the mentor to score
    mentor_allowed_at: Mapped[datetime | None]
    #: R-APP-8: the target of the previous stage this one was promoted from
    promoted_from_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_targets.id"))
    created_at: Mapped[datetime]

    participant: Mapped[Participant] = relationship()


class MentorAllowanceVote(Base):
    """A vote on letting a mentor score their own participant (R-ROLE-3: unanimous)."""

    __tablename__ = "mentor_allowance_votes"
    __table_args__ = (UniqueConstraint("target_id", "telegram_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("evaluation_targets.id", ondelete="CASCADE"))
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    allow: Mapped[bool | None] = mapped_column(Boolean)
    asked_at: Mapped[datetime]
    voted_at: Mapped[datetime | None]


class Score(Base):
    """Оценка одного эксперта по аспекту (R-SCO-1…4): 0–3, 1/0 for yes/no, or the index of a
    discrete option. ``stale`` marks a mark the group must give again (re-score, tie)."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("target_id", "aspect_id", "expert_telegram_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("evaluation_targets.id", ondelete="CASCADE"))
    aspect_id: Mapped[int] = mapped_column(ForeignKey("scheme_aspects.id", ondelete="CASCADE"))
    expert_telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    value: Mapped[int] = mapped_column(Integer)
    stale: Mapped[bool] = mapped_column(Boolean, default=False)
    entered_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AspectResult(Base):
    """The group's result for one aspect of one target, kept up to date in the transaction
    that enters a mark (under a row lock, so two experts entering at once lose nothing).
    ``state``: incomplete | scored | rescore | tie. ``points`` is set only when scored."""

    __tablename__ = "aspect_results"
    __table_args__ = (UniqueConstraint("target_id", "aspect_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("evaluation_targets.id", ondelete="CASCADE"))
    aspect_id: Mapped[int] = mapped_column(ForeignKey("scheme_aspects.id", ondelete="CASCADE"))
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="incomplete")
    marks: Mapped[int] = mapped_column(Integer, default=0)
    points: Mapped[Decimal | None] = mapped_column(Points)
    rounds: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]
    #: the group's marks of the last comparison that asked for a re-score (sorted, no names):
    #: shown beside a flagged aspect while its experts score it again (issue #16)
    flagged_marks: Mapped[list[int] | None] = mapped_column(JSON)


class SheetConfirmation(Base):
    """«Подтвердить оценки»: an expert confirms their sheet (kind "expert", R-SCO-4), or a
    mentor confirms their participant's locked sheet (kind "mentor", R-SCO-5)."""

    __tablename__ = "sheet_confirmations"
    __table_args__ = (Index("ix_sheet_confirmations_scheme", "scheme_id", "kind", "telegram_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluation_targets.id", ondelete="CASCADE")
    )
    confirmed_at: Mapped[datetime]
    #: set when a re-score or a correction asks for a new confirmation
    revoked_at: Mapped[datetime | None]


class Correction(Base):
    """Протокол корректировки (R-SCO-6): a locked sheet of one target and subcriterion is
    unlocked only after every required signer approved, then corrected, locked again and
    signed again. ``status``: approval | open | signing | done | cancelled."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("evaluation_targets.id", ondelete="CASCADE"))
    subcriterion_id: Mapped[int] = mapped_column(
        ForeignKey("scheme_subcriteria.id", ondelete="CASCADE")
    )
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="approval")
    signers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    opened_by: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[datetime]
    unlocked_at: Mapped[datetime | None]
    relocked_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]


class CorrectionSignature(Base):
    """A signer's approval of a correction (phase "approve") or of the corrected sheet
    (phase "confirm")."""

    __tablename__ = "correction_signatures"
    __table_args__ = (UniqueConstraint("correction_id", "telegram_id", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    correction_id: Mapped[int] = mapped_column(ForeignKey("corrections.id", ondelete="CASCADE"))
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    phase: Mapped[str] = mapped_column(String(16))
    signed_at: Mapped[datetime]
