"""SQLAlchemy tables. Domain names are English; the Russian term is in each docstring."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, backref, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        from datetime import UTC

        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        from datetime import UTC

        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


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


class Participant(Base):
    """Участник конкурса: the verification form and its status (R-VER-1…5)."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("contest_id", "person_id"),
        Index("ix_participants_queue", "contest_id", "verification_status", "submitted_at"),
        Index("ix_participants_stage", "contest_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    full_name: Mapped[str | None] = mapped_column(Text)
    #: R-PD-2: the СНИЛС is kept only encrypted; its HMAC finds duplicates without decrypting.
    snils_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    snils_hmac: Mapped[str | None] = mapped_column(String(64), index=True)
    snils_last2: Mapped[str | None] = mapped_column(String(2))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    verification_status: Mapped[str] = mapped_column(String(16), default="draft")
    #: where the participant is in the journey (rules.JourneyStage), kept by the services so
    #: that reminders find the unfinished ones through an index
    stage: Mapped[str] = mapped_column(String(16), default="form", server_default="form")
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    pd_consent_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]  # verification form sent («На рассмотрении»)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    withdrawn_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    person: Mapped[Person] = relationship()
    region: Mapped[Region | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    application: Mapped[Application | None] = relationship(back_populates="participant")


class Application(Base):
    """Заявка: one per participant and contest (R-APP-2), frozen once submitted (R-APP-6)."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), unique=True
    )
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    field_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    condition_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consent_privacy_at: Mapped[datetime | None]
    consent_transfer_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    reopened_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    participant: Mapped[Participant] = relationship(back_populates="application")
    nomination: Mapped[Nomination] = relationship()
    files: Mapped[list[ApplicationFile]] = relationship(
        back_populates="application", order_by="ApplicationFile.id"
    )


class ApplicationFile(Base):
    """Материал заявки: презентация, видеоматериалы… (R-APP-4). The content is downloaded
    into the files directory by a queued job, content-addressed by its sha256."""

    __tablename__ = "application_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    slot: Mapped[str] = mapped_column(String(64))
    telegram_file_id: Mapped[str] = mapped_column(Text)
    file_unique_id: Mapped[str] = mapped_column(String(128))
    file_name: Mapped[str | None] = mapped_column(Text)
    mime_type: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    storage_path: Mapped[str | None] = mapped_column(Text)
    download_error: Mapped[str | None] = mapped_column(Text)
    uploaded_at: Mapped[datetime]
    downloaded_at: Mapped[datetime | None]
    #: a replaced file is kept (nothing a participant gave is lost) but no longer counts
    replaced_at: Mapped[datetime | None]

    application: Mapped[Application] = relationship(back_populates="files")


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


class RemoteSlot(Base):
    """Слот дистанционного подключения (R-COO-3): a participant's connection to a remote
    stage — when, for how long, the link, and the examiner who receives the materials."""

    __tablename__ = "remote_slots"
    __table_args__ = (Index("ix_remote_slots_starts", "contest_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    link: Mapped[str] = mapped_column(Text)
    examiner_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    materials_file_id: Mapped[str | None] = mapped_column(Text)
    materials_file_name: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]


class TaskText(Base):
    """Текст конкурсного задания (R-COO-4), published for a stage as a file."""

    __tablename__ = "task_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    title: Mapped[str] = mapped_column(Text)
    telegram_file_id: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(Text)
    #: time-limited: a participant may submit within this many minutes of first opening it
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    #: and never after this moment, if set
    closes_at: Mapped[datetime | None]
    published_by: Mapped[int] = mapped_column(BigInteger)
    published_at: Mapped[datetime]


class TaskAccess(Base):
    """Время первого доступа участника к тексту задания (R-COO-4, 000 §4)."""

    __tablename__ = "task_accesses"
    __table_args__ = (UniqueConstraint("task_text_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_text_id: Mapped[int] = mapped_column(ForeignKey("task_texts.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    first_access_at: Mapped[datetime]


class TaskSubmission(Base):
    """Ответ участника на задание (a file); refused once the task has closed."""

    __tablename__ = "task_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_text_id: Mapped[int] = mapped_column(
        ForeignKey("task_texts.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    telegram_file_id: Mapped[str] = mapped_column(Text)
    file_unique_id: Mapped[str] = mapped_column(String(128))
    file_name: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    submitted_at: Mapped[datetime]
    #: the content, kept content-addressed like an application file (issue #15; migration 0015)
    mime_type: Mapped[str | None] = mapped_column(String(128))
    sha256: Mapped[str | None] = mapped_column(String(64))
    storage_path: Mapped[str | None] = mapped_column(Text)


# --------------------------------------------------------------------------- scoring (R-SCH, R-SCO)

Points = Numeric(6, 2)


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


# --------------------------------------------------------------------------- protocols (R-PRO-1…4)


class Protocol(Base):
    """Протокол (R-PRO-1): one per kind and subject (``scores:5``, ``correction:3``…).
    Its content lives in versions; a change of content is a new version, and signatures
    count only on the current one (R-PRO-2). ``status``: signing | complete."""

    __tablename__ = "protocols"
    __table_args__ = (UniqueConstraint("kind", "subject_key", name="uq_protocols_kind_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    scheme_id: Mapped[int | None] = mapped_column(
        ForeignKey("schemes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    subject_key: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="signing")
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class ProtocolVersion(Base):
    """One content of a protocol: the canonical JSON, its SHA-256, and the PDF made from it
    (kept in the file store; its SHA-256 is what ``verify-protocol`` looks up)."""

    __tablename__ = "protocol_versions"
    __table_args__ = (
        UniqueConstraint("protocol_id", "version", name="uq_protocol_versions_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocols.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    #: set by the worker that renders the PDF (``protocol`` job); signing waits for it
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    pdf_path: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class ProtocolSigner(Base):
    """A person whose signature the protocol needs."""

    __tablename__ = "protocol_signers"
    __table_args__ = (
        UniqueConstraint("protocol_id", "telegram_id", name="uq_protocol_signers_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocols.id", ondelete="CASCADE"))
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    role: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)


class ProtocolSignature(Base):
    """«Подписать» or «Отказаться» on one version: who, when, and the SHA-256 of the exact
    content and file signed (R-PRO-2). Signatures of older versions stay as history."""

    __tablename__ = "protocol_signatures"
    __table_args__ = (
        UniqueConstraint("version_id", "telegram_id", name="uq_protocol_signatures_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("protocol_versions.id", ondelete="CASCADE"), index=True
    )
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    decision: Mapped[str] = mapped_column(String(16))  # signed | refused
    reason: Mapped[str | None] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


# --------------------------------------------------------------------------- disputes (R-APL-1…9)


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


class ResultsPublication(Base):
    """Публикация итогов (R-RES-2): who published a scheme's results, when, and the version
    of the results protocol attached; ``changed_at`` is the last time the results changed
    after publication (R-APL-9, issue #12: «итоги изменены после публикации»)."""

    __tablename__ = "results_publications"
    __table_args__ = (UniqueConstraint("scheme_id", name="uq_results_publications_scheme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"))
    published_by: Mapped[int | None] = mapped_column(BigInteger)
    published_at: Mapped[datetime]
    protocol_version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[datetime | None]


class PublishedResult(Base):
    """What a participant was told (R-RES-2): total, place, medal at publication, moved on
    each announced change — the exact base of the comparison after publication."""

    __tablename__ = "published_results"
    __table_args__ = (
        UniqueConstraint("scheme_id", "target_id", name="uq_published_results_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("evaluation_targets.id", ondelete="CASCADE"))
    total: Mapped[Decimal] = mapped_column(Points)
    place: Mapped[int] = mapped_column(Integer)
    medal: Mapped[str | None] = mapped_column(String(8))
    disqualified: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the number of the certificate or diploma issued last
    document_number: Mapped[str | None] = mapped_column(String(64))
    told_at: Mapped[datetime]


class ResultChange(Base):
    """A published result that changed (R-APL-9, R-APL-1): old → new and why (``cause``:
    ``appeal:<id>`` or ``pre_appeal:<id>``). One row per participant and cause."""

    __tablename__ = "result_changes"
    __table_args__ = (
        UniqueConstraint("target_id", "cause", name="uq_result_changes_target_cause"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("evaluation_targets.id", ondelete="CASCADE"))
    cause: Mapped[str] = mapped_column(String(64))
    old_total: Mapped[Decimal] = mapped_column(Points)
    new_total: Mapped[Decimal] = mapped_column(Points)
    old_place: Mapped[int] = mapped_column(Integer)
    new_place: Mapped[int] = mapped_column(Integer)
    old_medal: Mapped[str | None] = mapped_column(String(8))
    new_medal: Mapped[str | None] = mapped_column(String(8))
    disqualified: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the number of the certificate or diploma issued instead, if it changed
    reissued: Mapped[str | None] = mapped_column(String(64))
    protocol_version: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime]


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


class GuardianConsent(Base):
    """Согласие родителя (законного представителя) несовершеннолетнего конкурсанта и его
    сопровождающий (R-ROLE-5, seed 002 §4.7, §5.3): who gives the consent, the scan or photo of
    the signed form (downloaded into the content-addressed store like an application file),
    the accompanying adult; checked by the coordinator like the verification (R-VER-3)."""

    __tablename__ = "guardian_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), unique=True
    )
    #: draft | pending | accepted | returned (models.guardian_rules.GuardianStatus)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    guardian_name: Mapped[str | None] = mapped_column(Text)
    #: mother | father | guardian | trustee | other (models.guardian_rules.RELATIONS)
    guardian_relation: Mapped[str | None] = mapped_column(String(16))
    companion_name: Mapped[str | None] = mapped_column(Text)
    companion_phone: Mapped[str | None] = mapped_column(String(32))
    #: the signed form: Telegram's reference, then the stored copy (sha256, path)
    file_telegram_id: Mapped[str | None] = mapped_column(Text)
    file_unique_id: Mapped[str | None] = mapped_column(String(128))
    file_name: Mapped[str | None] = mapped_column(Text)
    mime_type: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    storage_path: Mapped[str | None] = mapped_column(Text)
    uploaded_at: Mapped[datetime | None]
    downloaded_at: Mapped[datetime | None]
    download_error: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    return_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]

    #: ``Participant.guardian_consent`` (one per participant) is declared here, additively
    participant: Mapped[Participant] = relationship(
        backref=backref("guardian_consent", uselist=False)
    )
