"""Protocols signed in the chat (R-PRO-1…4).

A protocol is one per kind and subject; its content is a version. :meth:`ProtocolService.issue`
is called inside the transaction of the event the protocol records (a scheme lock, a score
lock, a correction…). It stores the content as canonical JSON with its SHA-256 and hands the
version to the ``protocol`` job after commit, which renders the PDF (``notifications.
documents``), keeps it in the file store and sends it to every signer with «Подписать» and
«Отказаться» (:meth:`ProtocolService.rendered`). A signature records who, when, and the
SHA-256 of the content and of the file signed. New content → a new version: earlier
signatures stay in history and no longer count (R-PRO-2).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import rules
from models.contest_file import Role
from models.errors import DomainError, Forbidden, NotFound
from models.services.base import Service, UnitOfWork, lock
from models.tables import (
    Contest,
    Nomination,
    Person,
    Protocol,
    ProtocolSignature,
    ProtocolSigner,
    ProtocolVersion,
    RoleAssignment,
    Scheme,
    Stage,
)

MAX_REASON = 1000

#: kinds of R-PRO-1
KINDS = (
    "scheme_lock",
    "task_briefing",
    "score_lock",
    "mentor_sheet",
    "correction",
    "results",
    "pre_appeal",
    "appeal",
)


@dataclass(frozen=True, slots=True)
class SignerState:
    telegram_id: int
    name: str
    role: str
    decision: str | None  # signed | refused | None (waiting)
    at: datetime | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class ProtocolView:
    id: int
    contest_id: int
    scheme_id: int | None
    kind: str
    subject_key: str
    title: str
    status: str
    version: int
    content_sha256: str
    pdf_sha256: str | None
    pdf_path: str | None
    timezone: str
    created_at: datetime
    completed_at: datetime | None
    signers: tuple[SignerState, ...]

    @property
    def missing(self) -> tuple[SignerState, ...]:
        return tuple(x for x in self.signers if x.decision != "signed")

    @property
    def refusals(self) -> tuple[SignerState, ...]:
        return tuple(x for x in self.signers if x.decision == "refused")


@dataclass(frozen=True, slots=True)
class Verification:
    """What ``verify-protocol`` says about a file."""

    found: bool
    pdf_sha256: str
    protocol: ProtocolView | None = None
    version: int | None = None
    #: the file is the protocol's current version (not a superseded one)
    current: bool = False
    #: signatures given on exactly this file
    signed_by: tuple[SignerState, ...] = ()


def canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content).encode()).hexdigest()


def table(
    title: str | None, header: list[str], rows: list[list[Any]], widths: list[float] | None = None
) -> dict[str, Any]:
    """A table of a protocol's content (plain JSON; rendered by ``notifications.documents``)."""
    return {
        "title": title,
        "header": header,
        "rows": [[str(c) for c in row] for row in rows],
        "widths": widths,
    }


class ProtocolService(Service):
    # ----------------------------------------------------------------- issuing

    async def issue(
        self,
        uow: UnitOfWork,
        *,
        contest_id: int,
        scheme_id: int | None,
        kind: str,
        subject_key: str,
        title: str,
        paragraphs: list[str],
        tables: list[dict[str, Any]],
        signers: list[tuple[int, str]],
        actor: int | None,
        dry_run: bool = False,
    ) -> tuple[int, int, bool]:
        """Write a protocol's content in the caller's transaction. Returns (protocol id,
        version, new version?). The same content again changes nothing; new content is a
        new version whose signatures start from nothing (R-PRO-2). ``signers``: (Telegram
        id, role label) — names come from the contest's role assignments."""
        if kind not in KINDS:
            raise ValueError(kind)
        s = uow.session
        header = await self._header(s, contest_id, scheme_id)
        names = await self._names(s, contest_id, [tid for tid, _ in signers])
        people = list(dict.fromkeys(signers))  # one line per (person, role), in order
        seen: set[int] = set()
        unique = []
        for tid, role in people:
            if tid not in seen:
                seen.add(tid)
                unique.append((tid, role))
        content = {
            "kind": kind,
            "title": title,
            **header,
            "paragraphs": paragraphs,
            "tables": tables,
            "signers": [
                {"telegram_id": tid, "role": role, "name": names.get(tid, str(tid))}
                for tid, role in unique
            ],
        }
        sha = content_hash(content)
        protocol = (
            await s.execute(
                select(Protocol)
                .where(Protocol.kind == kind, Protocol.subject_key == subject_key)
                .with_for_update()
            )
        ).scalar_one_or_none()
        if protocol is not None:
            current = await self._version(s, protocol.id, protocol.current_version)
            if current is not None and current.content_sha256 == sha:
                return protocol.id, protocol.current_version, False
        if dry_run:  # would this content be a new version? (nothing is written)
            return (
                (protocol.id if protocol else 0),
                (protocol.current_version if protocol else 0),
                True,
            )
        if protocol is not None:
            version = protocol.current_version + 1
            protocol.current_version = version
            protocol.status = "signing"
            protocol.completed_at = None
            protocol.title = title
        else:
            version = 1
            protocol = Protocol(
                contest_id=contest_id,
                scheme_id=scheme_id,
                kind=kind,
                subject_key=subject_key,
                title=title,
                status="signing",
                current_version=1,
                created_by=actor,
                created_at=uow.now,
            )
            s.add(protocol)
            await s.flush()
        existing = {
            x.telegram_id: x
            for x in (
                await s.execute(
                    select(ProtocolSigner).where(ProtocolSigner.protocol_id == protocol.id)
                )
            ).scalars()
        }
        for tid, role in unique:
            row = existing.pop(tid, None)
            if row is None:
                s.add(
                    ProtocolSigner(
                        protocol_id=protocol.id,
                        telegram_id=tid,
                        role=role,
                        name=names.get(tid, str(tid)),
                    )
                )
            else:
                row.role, row.name = role, names.get(tid, str(tid))
        for gone in existing.values():
            await s.delete(gone)
        content["created_at"] = uow.now.isoformat()
        content["number"] = str(protocol.id)
        content["version"] = version
        content["content_sha256"] = sha
        row = ProtocolVersion(
            protocol_id=protocol.id,
            version=version,
            content=content,
            content_sha256=sha,
            created_at=uow.now,
        )
        s.add(row)
        await s.flush()
        uow.audit(
            actor,
            "protocol.issue",
            "protocol",
            protocol.id,
            contest_id=contest_id,
            after={"kind": kind, "version": version, "content_sha256": sha},
        )
        uow.after_commit("protocol", row.id)
        return protocol.id, version, True

    async def _header(
        self, s: AsyncSession, contest_id: int, scheme_id: int | None
    ) -> dict[str, Any]:
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

    async def _names(self, s: AsyncSession, contest_id: int, ids: list[int]) -> dict[int, str]:
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
            from models.tables import Participant

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

    async def _version(
        self, s: AsyncSession, protocol_id: int, version: int
    ) -> ProtocolVersion | None:
        return (
            await s.execute(
                select(ProtocolVersion).where(
                    ProtocolVersion.protocol_id == protocol_id, ProtocolVersion.version == version
                )
            )
        ).scalar_one_or_none()

    async def version_content(self, version_id: int) -> tuple[dict[str, Any], str | None]:
        """For the renderer: the content of a version and its PDF path if already made."""
        async with self.read() as s:
            v = await s.get(ProtocolVersion, version_id)
            if v is None:
                raise NotFound("protocol_not_found")
            return dict(v.content), v.pdf_path

    async def rendered(self, version_id: int, pdf_sha256: str, pdf_path: str) -> int:
        """The worker made the PDF: record it and send it to every signer who has not
        signed this version, with «Подписать» / «Отказаться». Idempotent: returns how many
        messages were written (0 the second time)."""
        async with self.uow() as uow:
            s = uow.session
            v = (
                await s.execute(
                    select(ProtocolVersion)
                    .where(ProtocolVersion.id == version_id)
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if v is None:
                raise NotFound("protocol_not_found")
            if v.pdf_sha256 is None:
                v.pdf_sha256, v.pdf_path = pdf_sha256, pdf_path
            protocol = await s.get(Protocol, v.protocol_id)
            assert protocol is not None
            if protocol.current_version != v.version:
                return 0  # superseded before it was ready: the newer version is sent instead
            signed = {
                x.telegram_id
                for x in (
                    await s.execute(
                        select(ProtocolSignature).where(ProtocolSignature.version_id == v.id)
                    )
                ).scalars()
            }
            sent = 0
            for signer in (
                await s.execute(
                    select(ProtocolSigner)
                    .where(ProtocolSigner.protocol_id == protocol.id)
                    .order_by(ProtocolSigner.id)
                )
            ).scalars():
                if signer.telegram_id in signed:
                    continue
                if await self._tell(
                    uow,
                    signer.telegram_id,
                    protocol,
                    v,
                    "pro-note-sign",
                    reason="protocol-sign",
                    buttons=True,
                ):
                    sent += 1
            return sent

    async def _tell(
        self,
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

    # ----------------------------------------------------------------- signing

    async def _signer(
        self, s: AsyncSession, protocol: Protocol, telegram_id: int
    ) -> ProtocolSigner:
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
        if roles is None and protocol.kind not in (
            "task_briefing",
        ):  # participants sign the briefing
            raise Forbidden("not_a_protocol_signer")
        return row

    async def _open(
        self, s: AsyncSession, protocol_id: int, version: int, *, require_pdf: bool = True
    ) -> tuple[Protocol, ProtocolVersion]:
        """The protocol held (the first read of a signature or a refusal): a double
        «Подписать», or «Подписать» and «Отказаться» together, are decided one after the
        other — the second sees what the first did."""
        protocol = await lock(s, Protocol, protocol_id)
        if protocol is None:
            raise NotFound("protocol_not_found")
        if version != protocol.current_version:
            raise DomainError("protocol_changed", version=protocol.current_version)
        v = await self._version(s, protocol_id, version)
        if v is None or (require_pdf and v.pdf_sha256 is None):
            raise DomainError("protocol_not_ready")
        return protocol, v

    async def _decided(
        self, s: AsyncSession, protocol: Protocol, v: ProtocolVersion, actor: int
    ) -> ProtocolSignature | None:
        return (
            await s.execute(
                select(ProtocolSignature).where(
                    ProtocolSignature.version_id == v.id, ProtocolSignature.telegram_id == actor
                )
            )
        ).scalar_one_or_none()

    async def _already(
        self, s: AsyncSession, protocol: Protocol, existing: ProtocolSignature
    ) -> DomainError:
        """What the loser of a race is told: this version is already signed, or refused (when,
        and why)."""
        contest = await s.get(Contest, protocol.contest_id)
        tz = contest.timezone if contest else "Europe/Moscow"
        if existing.decision == "signed":
            return DomainError(
                "protocol_already_signed", title=protocol.title, at=existing.at, tz=tz
            )
        return DomainError(
            "protocol_already_refused",
            title=protocol.title,
            at=existing.at,
            tz=tz,
            why=existing.reason or "—",
        )

    async def record_signature(
        self,
        uow: UnitOfWork,
        protocol_id: int,
        version: int,
        actor: int,
        *,
        require_pdf: bool = True,
        over_refusal: bool = False,
    ) -> bool:
        """Sign inside the caller's transaction (also used by the scoring steps whose
        confirmation is a protocol signature: a mentor's sheet, a correction — those bind to
        the content's hash even before the PDF is made). Returns True when the protocol
        became complete. A signer who refused this version signs only deliberately
        (``over_refusal``: the «Подписать» sent with their refusal), so «Подписать» and
        «Отказаться» pressed together never both count."""
        s = uow.session
        protocol, v = await self._open(s, protocol_id, version, require_pdf=require_pdf)
        await self._signer(s, protocol, actor)
        existing = await self._decided(s, protocol, v, actor)
        if existing is not None and (existing.decision == "signed" or not over_refusal):
            raise await self._already(s, protocol, existing)
        if existing is None:
            s.add(
                ProtocolSignature(
                    version_id=v.id,
                    telegram_id=actor,
                    decision="signed",
                    content_sha256=v.content_sha256,
                    pdf_sha256=v.pdf_sha256 or "",
                    at=uow.now,
                )
            )
        else:  # signing after a refusal: the refusal stays in the audit log
            existing.decision, existing.reason, existing.at = "signed", None, uow.now
        await s.flush()
        uow.audit(
            actor,
            "protocol.sign",
            "protocol",
            protocol.id,
            contest_id=protocol.contest_id,
            after={
                "version": v.version,
                "content_sha256": v.content_sha256,
                "pdf_sha256": v.pdf_sha256,
            },
        )
        return await self._maybe_complete(uow, protocol, v)

    async def _maybe_complete(
        self, uow: UnitOfWork, protocol: Protocol, v: ProtocolVersion
    ) -> bool:
        s = uow.session
        needed = set(
            (
                await s.execute(
                    select(ProtocolSigner.telegram_id).where(
                        ProtocolSigner.protocol_id == protocol.id
                    )
                )
            ).scalars()
        )
        signed = set(
            (
                await s.execute(
                    select(ProtocolSignature.telegram_id).where(
                        ProtocolSignature.version_id == v.id, ProtocolSignature.decision == "signed"
                    )
                )
            ).scalars()
        )
        if not needed <= signed or protocol.status == "complete":
            return False
        protocol.status = "complete"
        protocol.completed_at = uow.now
        uow.audit(
            None,
            "protocol.complete",
            "protocol",
            protocol.id,
            contest_id=protocol.contest_id,
            after={"version": v.version, "signers": sorted(signed)},
        )
        if protocol.kind == "score_lock" and protocol.scheme_id is not None:
            # R-PRO-4: the works may be dismantled only now — the chief expert is told
            scheme = await s.get(Scheme, protocol.scheme_id)
            if scheme is not None and scheme.chief_telegram_id:
                await self._tell(
                    uow,
                    scheme.chief_telegram_id,
                    protocol,
                    v,
                    "pro-note-dismantle",
                    reason="protocol-complete",
                    document=False,
                    subject=f"dismantle:{protocol.id}",
                )
        return True

    async def sign(
        self, actor: int, protocol_id: int, version: int, *, over_refusal: bool = False
    ) -> ProtocolView:
        """«Подписать» on the version the button was sent with; an older version is refused
        with the newer one named (R-PRO-2)."""
        async with self.uow() as uow:
            await self.record_signature(uow, protocol_id, version, actor, over_refusal=over_refusal)
        return await self.view(actor, protocol_id)

    async def check_decision(self, actor: int, protocol_id: int, version: int) -> ProtocolView:
        """Before «Отказаться» asks for a reason: the button's version is current, the person
        signs this protocol and has not decided on this version — refused at once otherwise."""
        async with self.read() as s:
            protocol = await s.get(Protocol, protocol_id)
            if protocol is None:
                raise NotFound("protocol_not_found")
            if version != protocol.current_version:
                raise DomainError("protocol_changed", version=protocol.current_version)
            await self._signer(s, protocol, actor)
            v = await self._version(s, protocol_id, version)
            if v is None or v.pdf_sha256 is None:
                raise DomainError("protocol_not_ready")
            existing = await self._decided(s, protocol, v, actor)
            if existing is not None:
                raise await self._already(s, protocol, existing)
            return await self._view(s, protocol)

    @staticmethod
    def check_reason(reason: str | None) -> str:
        """A refusal's reason: said, and not too long (the same check as when applied)."""
        reason = (reason or "").strip()
        if not reason:
            raise DomainError("refusal_reason_required")
        if len(reason) > MAX_REASON:
            raise DomainError("reason_too_long", limit=MAX_REASON)
        return reason

    async def refuse(self, actor: int, protocol_id: int, version: int, reason: str) -> ProtocolView:
        """«Отказаться» with a reason: kept on the version and shown to the chief expert.
        The protocol is held first: against a «Подписать» of the same person exactly one
        counts; the loser is told which one did and when."""
        reason = self.check_reason(reason)
        async with self.uow() as uow:
            s = uow.session
            protocol, v = await self._open(s, protocol_id, version)
            await self._signer(s, protocol, actor)
            existing = await self._decided(s, protocol, v, actor)
            if existing is not None:
                raise await self._already(s, protocol, existing)
            s.add(
                ProtocolSignature(
                    version_id=v.id,
                    telegram_id=actor,
                    decision="refused",
                    reason=reason,
                    content_sha256=v.content_sha256,
                    pdf_sha256=v.pdf_sha256 or "",
                    at=uow.now,
                )
            )
            uow.audit(
                actor,
                "protocol.refuse",
                "protocol",
                protocol.id,
                contest_id=protocol.contest_id,
                after={"version": v.version, "reason": reason},
            )
            chief = None
            if protocol.scheme_id is not None:
                scheme = await s.get(Scheme, protocol.scheme_id)
                chief = scheme.chief_telegram_id if scheme else None
            name = (await self._names(s, protocol.contest_id, [actor])).get(actor, str(actor))
            if chief is not None and chief != actor:
                await self._tell(
                    uow,
                    chief,
                    protocol,
                    v,
                    "pro-note-refused",
                    reason="protocol-refused",
                    document=False,
                    extra={"name": name, "why": reason},
                    subject=f"refused:{protocol.id}:v{v.version}:{actor}",
                )
        return await self.view(actor, protocol_id)

    # ----------------------------------------------------------------- reading

    async def _can_see(self, s: AsyncSession, actor: int, protocol: Protocol) -> bool:
        if self.is_admin(actor):
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

    async def _view(self, s: AsyncSession, protocol: Protocol) -> ProtocolView:
        v = await self._version(s, protocol.id, protocol.current_version)
        assert v is not None
        sigs = {
            x.telegram_id: x
            for x in (
                await s.execute(
                    select(ProtocolSignature).where(ProtocolSignature.version_id == v.id)
                )
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

    async def view(self, actor: int, protocol_id: int) -> ProtocolView:
        async with self.read() as s:
            protocol = await s.get(Protocol, protocol_id)
            if protocol is None:
                raise NotFound("protocol_not_found")
            if not await self._can_see(s, actor, protocol):
                raise Forbidden("not_a_protocol_signer")
            return await self._view(s, protocol)

    async def for_scheme(self, actor: int, scheme_id: int) -> list[ProtocolView]:
        """Every protocol of a scheme, for its chief expert and the coordinators: who has
        signed and who is missing."""
        async with self.read() as s:
            scheme = await s.get(Scheme, scheme_id)
            if scheme is None:
                raise NotFound("scheme_not_found")
            rows = (
                (
                    await s.execute(
                        select(Protocol)
                        .where(Protocol.scheme_id == scheme_id)
                        .order_by(Protocol.id)
                    )
                )
                .scalars()
                .all()
            )
            if rows and not await self._can_see_all(s, actor, scheme):
                raise Forbidden("not_chief")
            return [await self._view(s, p) for p in rows]

    async def _can_see_all(self, s: AsyncSession, actor: int, scheme: Scheme) -> bool:
        if self.is_admin(actor) or scheme.chief_telegram_id == actor:
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

    async def sign_in(
        self,
        uow: UnitOfWork,
        kind: str,
        subject_key: str,
        actor: int,
        *,
        version: int | None = None,
        over_refusal: bool = False,
    ) -> bool:
        """Record ``actor``'s signature on the current version of a protocol, if it exists
        and they have not signed it (the scoring steps call this). True when complete.
        ``version``: the one a «Подписать» was sent with — an older one is refused (R-PRO-2)."""
        s = uow.session
        protocol = (
            await s.execute(
                select(Protocol).where(Protocol.kind == kind, Protocol.subject_key == subject_key)
            )
        ).scalar_one_or_none()
        if protocol is None:
            return False
        protocol = await lock(s, Protocol, protocol.id)
        assert protocol is not None
        if version is not None and version != protocol.current_version:
            raise DomainError("protocol_changed", version=protocol.current_version)
        v = await self._version(s, protocol.id, protocol.current_version)
        if v is not None:
            done = (
                await s.execute(
                    select(ProtocolSignature.id).where(
                        ProtocolSignature.version_id == v.id,
                        ProtocolSignature.telegram_id == actor,
                        ProtocolSignature.decision == "signed",
                    )
                )
            ).first()
            if done is not None:
                return protocol.status == "complete"
        return await self.record_signature(
            uow,
            protocol.id,
            protocol.current_version,
            actor,
            require_pdf=False,
            over_refusal=over_refusal,
        )

    async def by_subject(self, kind: str, subject_key: str) -> ProtocolView | None:
        async with self.read() as s:
            protocol = (
                await s.execute(
                    select(Protocol).where(
                        Protocol.kind == kind, Protocol.subject_key == subject_key
                    )
                )
            ).scalar_one_or_none()
            return None if protocol is None else await self._view(s, protocol)

    async def verify(self, pdf: bytes) -> Verification:
        """Does this exact file match a version of a protocol? Who signed that version?
        (``python -m bot verify-protocol FILE.pdf`` and a coordinator sending the file.)"""
        sha = (
            await asyncio.to_thread(hashlib.sha256, pdf)
        ).hexdigest()  # up to 20 MB: off the loop
        async with self.read() as s:
            v = (
                (await s.execute(select(ProtocolVersion).where(ProtocolVersion.pdf_sha256 == sha)))
                .scalars()
                .first()
            )
            if v is None:
                return Verification(False, sha)
            protocol = await s.get(Protocol, v.protocol_id)
            assert protocol is not None
            signers = {
                x.telegram_id: x
                for x in (
                    await s.execute(
                        select(ProtocolSigner).where(ProtocolSigner.protocol_id == protocol.id)
                    )
                ).scalars()
            }
            signed = tuple(
                SignerState(
                    x.telegram_id,
                    signers[x.telegram_id].name if x.telegram_id in signers else str(x.telegram_id),
                    signers[x.telegram_id].role if x.telegram_id in signers else "",
                    x.decision,
                    x.at,
                    x.reason,
                )
                for x in (
                    await s.execute(
                        select(ProtocolSignature)
                        .where(ProtocolSignature.version_id == v.id)
                        .order_by(ProtocolSignature.at)
                    )
                ).scalars()
                # a signature given before the PDF was made (a scoring step: the chief opening a
                # correction, a mentor confirming the sheet) binds to the content hash alone
                if x.decision == "signed"
                and (
                    x.pdf_sha256 == sha
                    or (not x.pdf_sha256 and x.content_sha256 == v.content_sha256)
                )
            )
            return Verification(
                True,
                sha,
                await self._view(s, protocol),
                v.version,
                protocol.current_version == v.version,
                signed,
            )

    async def missing_signatures(self, contest_id: int) -> list[tuple[ProtocolView, SignerState]]:
        """(protocol, signer) for every signature still missing on a current version whose
        PDF is ready — for monitoring and for the reminder (R-REM-3)."""
        async with self.read() as s:
            rows = (
                (
                    await s.execute(
                        select(Protocol)
                        .where(Protocol.contest_id == contest_id, Protocol.status == "signing")
                        .order_by(Protocol.id)
                    )
                )
                .scalars()
                .all()
            )
            out = []
            for p in rows:
                view = await self._view(s, p)
                if view.pdf_sha256 is None:
                    continue
                out += [(view, m) for m in view.missing]
            return out

    async def complete(self, kind: str, subject_key: str) -> bool:
        async with self.read() as s:
            status = (
                await s.execute(
                    select(Protocol.status).where(
                        Protocol.kind == kind, Protocol.subject_key == subject_key
                    )
                )
            ).scalar_one_or_none()
            return status == "complete"

    async def count_signed(self, protocol_id: int) -> int:
        async with self.read() as s:
            protocol = await s.get(Protocol, protocol_id)
            if protocol is None:
                return 0
            v = await self._version(s, protocol_id, protocol.current_version)
            return (
                (
                    await s.execute(
                        select(func.count())
                        .select_from(ProtocolSignature)
                        .where(
                            ProtocolSignature.version_id == v.id,
                            ProtocolSignature.decision == "signed",
                        )
                    )
                ).scalar_one()
                if v
                else 0
            )


def local(value: datetime, tz: str) -> str:
    return rules.format_local(value, tz)


__all__ = [
    "KINDS",
    "ProtocolService",
    "ProtocolView",
    "SignerState",
    "Verification",
    "canonical",
    "content_hash",
    "table",
]
