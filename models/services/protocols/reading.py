"""Reading protocols: one protocol or a scheme's, by subject, the missing signatures (R-REM-3),
and ``verify`` — does this exact PDF match a version, and who signed it."""

from __future__ import annotations

import asyncio
import hashlib

from sqlalchemy import select

from models.errors import Forbidden, NotFound
from models.services.base import Service, count_rows
from models.services.protocols.records import can_see, can_see_all, protocol_view, version_row
from models.services.protocols.views import ProtocolView, SignerState, Verification
from models.tables import Protocol, ProtocolSignature, ProtocolSigner, ProtocolVersion, Scheme


class ProtocolReadingService(Service):
    async def view(self, actor: int, protocol_id: int) -> ProtocolView:
        async with self.read() as s:
            protocol = await s.get(Protocol, protocol_id)
            if protocol is None:
                raise NotFound("protocol_not_found")
            if not await can_see(s, self.ctx, actor, protocol):
                raise Forbidden("not_a_protocol_signer")
            return await protocol_view(s, protocol)

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
            if rows and not await can_see_all(s, self.ctx, actor, scheme):
                raise Forbidden("not_chief")
            return [await protocol_view(s, p) for p in rows]

    async def by_subject(self, kind: str, subject_key: str) -> ProtocolView | None:
        async with self.read() as s:
            protocol = (
                await s.execute(
                    select(Protocol).where(
                        Protocol.kind == kind, Protocol.subject_key == subject_key
                    )
                )
            ).scalar_one_or_none()
            return None if protocol is None else await protocol_view(s, protocol)

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
                await protocol_view(s, protocol),
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
                view = await protocol_view(s, p)
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
            v = await version_row(s, protocol_id, protocol.current_version)
            return (
                await count_rows(
                    s,
                    ProtocolSignature,
                    ProtocolSignature.version_id == v.id,
                    ProtocolSignature.decision == "signed",
                )
                if v
                else 0
            )
