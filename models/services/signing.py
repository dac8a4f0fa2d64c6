"""«Подписать» on any protocol. Most protocols are signed as such; two are the signature
of a scoring step and go through it, so the step and the protocol never disagree: a
mentor's sheet (R-SCO-5) and a correction (R-SCO-6).

Every path holds the protocol (and the step's own row) before it decides, and checks the
button's version inside that transaction: a double «Подписать» signs once, a button of an
old version is refused with the current one named (R-PRO-2).

The services it routes to are handed in once, by ``models.services.Services``, not built
here per call."""

from __future__ import annotations

from models.errors import DomainError
from models.services.base import Service, ServiceContext
from models.services.protocols import ProtocolService, ProtocolView
from models.services.scoring import CorrectionService, ScoreLockService


class SigningService(Service):
    def __init__(
        self,
        ctx: ServiceContext,
        protocols: ProtocolService,
        score_lock: ScoreLockService,
        corrections: CorrectionService,
    ) -> None:
        super().__init__(ctx)
        self.protocols = protocols
        self.score_lock = score_lock
        self.corrections = corrections

    async def sign(
        self, actor: int, protocol_id: int, version: int, *, over_refusal: bool = False
    ) -> ProtocolView:
        """``over_refusal``: the person refused this version and now signs it deliberately
        (the «Подписать» sent with their refusal)."""
        view = await self.protocols.view(actor, protocol_id)
        if version != view.version:
            raise DomainError("protocol_changed", version=view.version)
        if view.pdf_sha256 is None:
            raise DomainError("protocol_not_ready")
        key, _, raw = view.subject_key.partition(":")
        if view.kind == "mentor_sheet" and key == "mentor":
            await self.score_lock.confirm_mentor_sheet(
                actor, int(raw), version=version, over_refusal=over_refusal
            )
        elif view.kind == "correction" and key == "correction":
            await self.corrections.sign_correction(
                actor, int(raw), version=version, over_refusal=over_refusal
            )
        else:
            return await self.protocols.sign(actor, protocol_id, version, over_refusal=over_refusal)
        return await self.protocols.view(actor, protocol_id)


__all__ = ["SigningService"]
