"""Steps the protocol services share, as functions over the caller's session: a version,
signers' names, who may see a protocol, its view, a notice to a signer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.contest_file import Role
from models.errors import DomainError, Forbidden, NotFound
from models.services.access import is_admin
from models.services.base import ServiceContext, UnitOfWork, lock
from models.services.protocols.views import ProtocolView, SignerState
from models.tables import (
    Contest,
    Nomination,
    Participant,
    Person,
    Protocol,
    ProtocolSignature,
    ProtocolSigner,
    ProtocolVersion,
    RoleAssignment,
    Scheme,
    Stage,
)


async def header_of(s: AsyncSession, contest_id: int, scheme_id: int | None) -> dict[str, Any]:
    contest = await s.get(Contest, contest_id)
    out: dict[str, Any] = {
        "contest": contest.title if contest else "",
        "timezone": contest.timezone if contest else "Europe/Moscow",
        "stage": "",
        "subject": "",
    }
    if scheme_id is not None:
        scheme = await s.get(Scheme, scheme_id)
        if scheme is not None:
            stage = await s.get(Stage, scheme.stage_id)
            nom = await s.get(Nomination, scheme.nomination_id)
            out["stage"] = stage.title if stage else ""
            out["subject"] = nom.title if nom else scheme.title
    return out


async def signer_names(s: AsyncSession, contest_id: int, ids: list[int]) -> dict[int, str]:
    """The names signers are shown by: the contest file's, else the participant's own."""
    names: dict[int, str] = {}
    for tid, name in (
        await s.execute(
            select(RoleAssignment.telegram_id, RoleAssignment.name).where(
                RoleAssignment.contest_id == contest_id, RoleAssignment.telegram_id.in_(ids)
            )
        )
    ).all():
        if name:
            names.setdefault(tid, name)
    missing = [i for i in ids if i not in names]
    if missing:
        for tid, full_name in (
            await s.execute(
                select(Person.telegram_id, Participant.full_name)
                .join(Participant, Participant.person_id == Person.id)
                .where(Participant.contest_id == contest_id, Person.telegram_id.in_(missing))
            )
        ).all():
            if full_name:
                names.setdefault(tid, full_name)
    return names


async def version_row(s: AsyncSession, protocol_id: int, version: int) -> ProtocolVersion | None:
    return (
        await s.execute(
            select(ProtocolVersion).where(
                ProtocolVersion.protocol_id == protocol_id, ProtocolVersion.version == version
            )
        )
    ).scalar_one_or_none()


async def tell(
    uow: UnitOfWork,
    telegram_id: int,
    protocol: Protocol,
    v: ProtocolVersion,
    key: str,
    *,
    reason: str,
    buttons: bool = False,
    extra: dict[str, Any] | None = None,
    document: bool = True,
    subject: str | None = None,
) -> bool:
    args: dict[str, Any] = {"title": protocol.title, "version": v.version, **(extra or {})}
    if document and v.pdf_path:
        args["_document"] = {
            "path": v.pdf_path,
            "name": f"protocol-{protocol.id}-v{v.version}.pdf",
        }
    keyboard = None
    if buttons:
        keyboard = [
            [
                {
                    "text": "pro-btn-sign",
                    "action": "protocol",
                    "contest_id": str(protocol.contest_id),
                    "protocol": str(protocol.id),
                    "version": str(v.version),
                    "do": "sign",
                },
                {
                    "text": "pro-btn-refuse",
                    "action": "protocol",
                    "contest_id": str(protocol.contest_id),
                    "protocol": str(protocol.id),
                    "version": str(v.version),
                    "do": "refuse",
                },
            ]
        ]
    created = await uow.notify_person(
        telegram_id,
        reason=reason,
        subject=subject or f"protocol:{protocol.id}:v{v.version}",
        key=key,
        args=args,
        keyboard=keyboard,
    )
    return created is not None


async def signer_row(s: AsyncSession, protocol: Protocol, telegram_id: int) -> ProtocolSigner:
    row = (
        await s.execute(
            select(ProtocolSigner).where(
                ProtocolSigner.protocol_id == protocol.id,
                ProtocolSigner.telegram_id == telegram_id,
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise Forbidden("not_a_protocol_signer")
    roles = (
        await s.execute(
            select(RoleAssignment.id).where(
                RoleAssignment.contest_id == protocol.contest_id,
                RoleAssignment.telegram_id == telegram_id,
                RoleAssignment.active.is_(True),
            )
        )
    ).first()
    if roles is None and protocol.kind not in ("task_briefing",):  # participants sign the briefing
        raise Forbidden("not_a_protocol_signer")
    return row


async def open_version(
    s: AsyncSession, protocol_id: int, version: int, *, require_pdf: bool = True
) -> tuple[Protocol, ProtocolVersion]:
    """The protocol held (the first read of a signature or a refusal): a double
    «Подписать», or «Подписать» and «Отказаться» together, are decided one after the
    other — the second sees what the first did."""
    protocol = await lock(s, Protocol, protocol_id)
    if protocol is None:
        raise NotFound("protocol_not_found")
    if version != protocol.current_version:
        raise DomainError("protocol_changed", version=protocol.current_version)
    v = await version_row(s, protocol_id, version)
    if v is None or (require_pdf and v.pdf_sha256 is None):
        raise DomainError("protocol_not_ready")
    return protocol, v


async def decision_of(
    s: AsyncSession, protocol: Protocol, v: ProtocolVersion, actor: int
) -> ProtocolSignature | None:
    return (
        await s.execute(
            select(ProtocolSignature).where(
                ProtocolSignature.version_id == v.id, ProtocolSignature.telegram_id == actor
            )
        )
    ).scalar_one_or_none()


async def already_decided(
    s: AsyncSession, protocol: Protocol, existing: ProtocolSignature
) -> DomainError:
    """What the loser of a race is told: this version is already signed, or refused (when,
    and why)."""
    contest = await s.get(Contest, protocol.contest_id)
    tz = contest.timezone if contest else "Europe/Moscow"
    if existing.decision == "signed":
        return DomainError("protocol_already_signed", title=protocol.title, at=existing.at, tz=tz)
    return DomainError(
        "protocol_already_refused",
        title=protocol.title,
        at=existing.at,
        tz=tz,
        why=existing.reason or "—",
    )


async def can_see(s: AsyncSession, ctx: ServiceContext, actor: int, protocol: Protocol) -> bool:
    if is_admin(ctx, actor):
        return True
    if (
        await s.execute(
            select(ProtocolSigner.id).where(
                ProtocolSigner.protocol_id == protocol.id, ProtocolSigner.telegram_id == actor
            )
        )
    ).first():
        return True
    roles = (
        (
            await s.execute(
                select(RoleAssignment.role).where(
                    RoleAssignment.contest_id == protocol.contest_id,
                    RoleAssignment.telegram_id == actor,
                    RoleAssignment.active.is_(True),
                )
            )
        )
        .scalars()
        .all()
    )
    if any(r in (Role.COORDINATOR, Role.FEDERAL_COORDINATOR) for r in roles):
        return True
    if protocol.scheme_id is not None:
        scheme = await s.get(Scheme, protocol.scheme_id)
        return scheme is not None and scheme.chief_telegram_id == actor
    return False


async def can_see_all(s: AsyncSession, ctx: ServiceContext, actor: int, scheme: Scheme) -> bool:
    if is_admin(ctx, actor) or scheme.chief_telegram_id == actor:
        return True
    roles = (
        (
            await s.execute(
                select(RoleAssignment.role).where(
                    RoleAssignment.contest_id == scheme.contest_id,
                    RoleAssignment.telegram_id == actor,
                    RoleAssignment.active.is_(True),
                )
            )
        )
        .scalars()
        .all()
    )
    return any(r in (Role.COORDINATOR, Role.FEDERAL_COORDINATOR) for r in roles)


async def protocol_view(s: AsyncSession, protocol: Protocol) -> ProtocolView:
    v = await version_row(s, protocol.id, protocol.current_version)
    assert v is not None
    sigs = {
        x.telegram_id: x
        for x in (
            await s.execute(select(ProtocolSignature).where(ProtocolSignature.version_id == v.id))
        ).scalars()
    }
    signers = tuple(
        SignerState(
            x.telegram_id,
            x.name,
            x.role,
            sigs[x.telegram_id].decision if x.telegram_id in sigs else None,
            sigs[x.telegram_id].at if x.telegram_id in sigs else None,
            sigs[x.telegram_id].reason if x.telegram_id in sigs else None,
        )
        for x in (
            await s.execute(
                select(ProtocolSigner)
                .where(ProtocolSigner.protocol_id == protocol.id)
                .order_by(ProtocolSigner.id)
            )
        ).scalars()
    )
    contest = await s.get(Contest, protocol.contest_id)
    return ProtocolView(
        protocol.id,
        protocol.contest_id,
        protocol.scheme_id,
        protocol.kind,
        protocol.subject_key,
        protocol.title,
        protocol.status,
        v.version,
        v.content_sha256,
        v.pdf_sha256,
        v.pdf_path,
        contest.timezone if contest else "Europe/Moscow",
        v.created_at,
        protocol.completed_at,
        signers,
    )
