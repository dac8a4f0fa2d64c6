"""Signing a protocol in the chat (R-PRO-2, R-PRO-3): «Подписать» / «Отказаться» on the
version the buttons were sent with, each decided once under the protocol's row lock;
``record_signature`` and ``sign_in`` are steps other services call inside their own
transaction (a mentor's sheet, a correction)."""

from __future__ import annotations

from sqlalchemy import select

from models.errors import DomainError, Forbidden, NotFound
from models.services.base import Service, UnitOfWork, lock
from models.services.protocols.records import (
    already_decided,
    can_see,
    decision_of,
    open_version,
    protocol_view,
    signer_names,
    signer_row,
    tell,
    version_row,
)
from models.services.protocols.views import ProtocolView, check_reason
from models.tables import Protocol, ProtocolSignature, ProtocolSigner, ProtocolVersion, Scheme


async def record_signature(
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
    protocol, v = await open_version(s, protocol_id, version, require_pdf=require_pdf)
    await signer_row(s, protocol, actor)
    existing = await decision_of(s, protocol, v, actor)
    if existing is not None and (existing.decision == "signed" or not over_refusal):
        raise await already_decided(s, protocol, existing)
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
    return await maybe_complete(uow, protocol, v)


async def maybe_complete(uow: UnitOfWork, protocol: Protocol, v: ProtocolVersion) -> bool:
    s = uow.session
    needed = set(
        (
            await s.execute(
                select(ProtocolSigner.telegram_id).where(ProtocolSigner.protocol_id == protocol.id)
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
            await tell(
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


async def sign_in(
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
    v = await version_row(s, protocol.id, protocol.current_version)
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
    return await record_signature(
        uow,
        protocol.id,
        protocol.current_version,
        actor,
        require_pdf=False,
        over_refusal=over_refusal,
    )


class ProtocolSigningService(Service):
    async def sign(
        self, actor: int, protocol_id: int, version: int, *, over_refusal: bool = False
    ) -> ProtocolView:
        """«Подписать» on the version the button was sent with; an older version is refused
        with the newer one named (R-PRO-2)."""
        async with self.uow() as uow:
            await record_signature(uow, protocol_id, version, actor, over_refusal=over_refusal)
        return await self._visible(actor, protocol_id)

    async def check_decision(self, actor: int, protocol_id: int, version: int) -> ProtocolView:
        """Before «Отказаться» asks for a reason: the button's version is current, the person
        signs this protocol and has not decided on this version — refused at once otherwise."""
        async with self.read() as s:
            protocol = await s.get(Protocol, protocol_id)
            if protocol is None:
                raise NotFound("protocol_not_found")
            if version != protocol.current_version:
                raise DomainError("protocol_changed", version=protocol.current_version)
            await signer_row(s, protocol, actor)
            v = await version_row(s, protocol_id, version)
            if v is None or v.pdf_sha256 is None:
                raise DomainError("protocol_not_ready")
            existing = await decision_of(s, protocol, v, actor)
            if existing is not None:
                raise await already_decided(s, protocol, existing)
            return await protocol_view(s, protocol)

    async def refuse(self, actor: int, protocol_id: int, version: int, reason: str) -> ProtocolView:
        """«Отказаться» with a reason: kept on the version and shown to the chief expert.
        The protocol is held first: against a «Подписать» of the same person exactly one
        counts; the loser is told which one did and when."""
        reason = check_reason(reason)
        async with self.uow() as uow:
            s = uow.session
            protocol, v = await open_version(s, protocol_id, version)
            await signer_row(s, protocol, actor)
            existing = await decision_of(s, protocol, v, actor)
            if existing is not None:
                raise await already_decided(s, protocol, existing)
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
            name = (await signer_names(s, protocol.contest_id, [actor])).get(actor, str(actor))
            if chief is not None and chief != actor:
                await tell(
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
        return await self._visible(actor, protocol_id)

    async def _visible(self, actor: int, protocol_id: int) -> ProtocolView:
        async with self.read() as s:
            protocol = await s.get(Protocol, protocol_id)
            if protocol is None:
                raise NotFound("protocol_not_found")
            if not await can_see(s, self.ctx, actor, protocol):
                raise Forbidden("not_a_protocol_signer")
            return await protocol_view(s, protocol)
