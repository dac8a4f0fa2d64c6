"""Protocols (R-PRO-1…4) and published results with their later changes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
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
from sqlalchemy.orm import Mapped, mapped_column

from models.tables.base import Base, Points


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
