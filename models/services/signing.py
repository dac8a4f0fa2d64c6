"""«Подписать» on any protocol. Most protocols are signed as such; two are the signature
of a scoring step and go through it, so the step and the protocol never disagree: a
mentor's sheet (R-SCO-5) and a correction (R-SCO-6).

Every path holds the protocol (and the step's own row) before it decides, and checks the
button's version inside that transaction: a double «Подписать» signs once, a button of an
old version is refused with the current one named (R-PRO-2).

The steps are module functions taking the unit of work (``record_signature``,
``confirm_mentor_sheet``, ``sign_correction``): this service opens one transaction and calls
the one the protocol's kind asks for — it neither holds nor builds another service."""

from __future__ import annotations

from models.errors import DomainError
from models.services.protocols import ProtocolReadingService, ProtocolView, record_signature
from models.services.scoring.corrections import sign_correction
from models.services.scoring.lock import confirm_mentor_sheet


class SigningService(ProtocolReadingService):
    async def sign(
        self, actor: int, protocol_id: int, version: int, *, over_refusal: bool = False
    ) -> ProtocolView:
        """``over_refusal``: the person refused this version and now signs it deliberately
        (the «Подписать» sent with their refusal)."""
        view = await self.view(actor, protocol_id)
        if version != view.version:
            raise DomainError("protocol_changed", version=view.version)
        if view.pdf_sha256 is None:
            raise DomainError("protocol_not_ready")
        key, _, raw = view.subject_key.partition(":")
        async with self.uow() as uow:
            if view.kind == "mentor_sheet" and key == "mentor":
                await confirm_mentor_sheet(
                    uow, actor, int(raw), version=version, over_refusal=over_refusal
                )
            elif view.kind == "correction" and key == "correction":
                await sign_correction(
                    uow, actor, int(raw), version=version, over_refusal=over_refusal
                )
            else:
                await record_signature(uow, protocol_id, version, actor, over_refusal=over_refusal)
        return await self.view(actor, protocol_id)


__all__ = ["SigningService"]
