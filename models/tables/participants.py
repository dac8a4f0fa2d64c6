"""Participants: verification (R-VER), the application (R-APP), a guardian's consent
(R-ROLE-5), and the remote stage: slots and task texts (R-COO-3, R-COO-4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from models.tables.base import Base
from models.tables.contest import Nomination, Organisation, Region
from models.tables.people import Person


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
