"""After the lock: a correction opened by the chief, signed by the group, re-locked (R-SCO-6)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.errors import DomainError, Forbidden, NotFound
from models.services.access import (
    is_expert,
    require_chief,
)
from models.services.base import Service, UnitOfWork
from models.services.base import lock as lock_row
from models.services.protocols import sign_in
from models.services.scoring import protocols as docs
from models.services.scoring.common import (
    MAX_REASON,
    contest_tz,
    correction_row,
    person_name,
    scheme_row,
    sheet_of,
    target_row,
    tell,
)
from models.services.scoring.protocols import target_label
from models.services.scoring.views import (
    CorrectionView,
    TargetSheet,
)
from models.tables import (
    AspectResult,
    Correction,
    CorrectionSignature,
    EvaluationTarget,
    GroupMember,
    Scheme,
    SchemeAspect,
    SchemeSubcriterion,
    SheetConfirmation,
)


class CorrectionService(Service):
    """After the lock: a correction opened by the chief, signed by the group, re-locked (R-SCO-6)."""

    async def _correction_view(
        self, s: AsyncSession, c: Correction, target: EvaluationTarget
    ) -> CorrectionView:
        sub = await s.get(SchemeSubcriterion, c.subcriterion_id)
        sigs = (
            (
                await s.execute(
                    select(CorrectionSignature).where(CorrectionSignature.correction_id == c.id)
                )
            )
            .scalars()
            .all()
        )
        return CorrectionView(
            c.id,
            c.scheme_id,
            c.target_id,
            target_label(target),
            c.subcriterion_id,
            f"{sub.code} {sub.title}" if sub else "",
            c.reason,
            c.status,
            tuple(c.signers),
            tuple(x.telegram_id for x in sigs if x.phase == "approve"),
            tuple(x.telegram_id for x in sigs if x.phase == "confirm"),
            c.opened_by,
        )

    async def correction(self, actor: int, correction_id: int) -> CorrectionView:
        async with self.read() as s:
            c, target, _scheme = await correction_row(s, correction_id)
            if actor not in c.signers and not self.is_admin(actor):
                raise Forbidden("not_a_signer")
            return await self._correction_view(s, c, target)

    async def corrections(self, actor: int, scheme_id: int) -> list[CorrectionView]:
        async with self.read() as s:
            scheme = await scheme_row(s, scheme_id)
            await require_chief(s, self.ctx, actor, scheme)
            rows = (
                (
                    await s.execute(
                        select(Correction)
                        .where(Correction.scheme_id == scheme_id)
                        .order_by(Correction.id)
                    )
                )
                .scalars()
                .all()
            )
            out = []
            for c in rows:
                target, _ = await target_row(s, c.target_id)
                out.append(await self._correction_view(s, c, target))
            return out

    async def _open_correction_checks(
        self, s: AsyncSession, actor: int, target_id: int, subcriterion_id: int
    ) -> tuple[EvaluationTarget, Scheme, SchemeSubcriterion]:
        target, scheme = await target_row(s, target_id)
        await require_chief(s, self.ctx, actor, scheme)
        if scheme.scores_locked_at is None:
            raise DomainError("scores_not_locked")
        if scheme.results_published_at is not None:
            raise DomainError("results_published")
        sub = await s.get(SchemeSubcriterion, subcriterion_id)
        if sub is None or sub.scheme_id != scheme.id or sub.group_id is None:
            raise NotFound("subcriterion_not_found")
        busy = (
            (
                await s.execute(
                    select(Correction).where(
                        Correction.target_id == target_id,
                        Correction.subcriterion_id == subcriterion_id,
                        Correction.status.in_(["approval", "open", "signing"]),
                    )
                )
            )
            .scalars()
            .first()
        )
        if busy is not None:
            raise DomainError(
                "correction_already_open",
                id=busy.id,
                who=await person_name(s, scheme.contest_id, busy.opened_by),
                at=busy.opened_at,
                tz=await contest_tz(s, scheme.contest_id),
                status=busy.status,
            )
        return target, scheme, sub

    async def check_open_correction(self, actor: int, target_id: int, subcriterion_id: int) -> None:
        """Before the chief is asked for a reason: refused at once if no correction can be
        opened (scores not locked, results published, one already under way)."""
        async with self.read() as s:
            await self._open_correction_checks(s, actor, target_id, subcriterion_id)

    @staticmethod
    def check_reason(reason: str | None) -> str:
        """A correction's reason: said, and not too long (the same check as when applied)."""
        reason = (reason or "").strip()
        if not reason:
            raise DomainError("reason_required")
        if len(reason) > MAX_REASON:
            raise DomainError("reason_too_long", limit=MAX_REASON)
        return reason

    async def open_correction(
        self, actor: int, target_id: int, subcriterion_id: int, reason: str
    ) -> CorrectionView:
        """The chief expert opens a correction of one locked sheet (a target's
        subcriterion). The chief, the participant's mentor and every member of the
        subcriterion's group must approve it before anything unlocks (R-SCO-6)."""
        reason = self.check_reason(reason)
        async with self.uow() as uow:
            s = uow.session
            # one correction per sheet, even on a double tap
            await lock_row(s, EvaluationTarget, target_id)
            target, scheme, sub = await self._open_correction_checks(
                s, actor, target_id, subcriterion_id
            )
            members = list(
                (
                    await s.execute(
                        select(GroupMember.telegram_id)
                        .where(GroupMember.group_id == sub.group_id)
                        .order_by(GroupMember.id)
                    )
                ).scalars()
            )
            signers = list(
                dict.fromkeys(
                    [
                        actor,
                        *([target.mentor_telegram_id] if target.mentor_telegram_id else []),
                        *members,
                    ]
                )
            )
            c = Correction(
                scheme_id=scheme.id,
                target_id=target_id,
                subcriterion_id=subcriterion_id,
                reason=reason,
                status="approval",
                signers=signers,
                opened_by=actor,
                opened_at=uow.now,
            )
            s.add(c)
            await s.flush()
            s.add(
                CorrectionSignature(
                    correction_id=c.id, telegram_id=actor, phase="approve", signed_at=uow.now
                )
            )
            uow.audit(
                actor,
                "correction.open",
                "correction",
                c.id,
                contest_id=scheme.contest_id,
                after={
                    "target_id": target_id,
                    "subcriterion": sub.code,
                    "reason": reason,
                    "signers": signers,
                },
            )
            # R-PRO-1: the correction protocol, signed by the same people
            await docs.correction(
                uow,
                scheme,
                target,
                sub,
                c.id,
                reason,
                signers,
                actor,
                target.mentor_telegram_id,
                actor,
                corrected=False,
            )
            await sign_in(uow, "correction", f"correction:{c.id}", actor)
            for signer in signers:
                if signer == actor:
                    continue
                await tell(
                    uow,
                    signer,
                    f"correction:{c.id}:approve",
                    "sco-note-correction-approve",
                    {
                        "target": target_label(target),
                        "subcriterion": f"{sub.code} {sub.title}",
                        "reason": reason,
                    },
                    reason="correction",
                    keyboard=[
                        [
                            {
                                "text": "sco-btn-correction",
                                "action": "correction",
                                "contest_id": str(scheme.contest_id),
                                "correction": str(c.id),
                            }
                        ]
                    ],
                )
            await s.flush()
            return await self._correction_view(s, c, target)

    async def check_sign_correction(self, actor: int, correction_id: int) -> None:
        """A stale «Согласовать»: refused at once with what happened to the correction."""
        async with self.read() as s:
            c, _target, scheme = await correction_row(s, correction_id)
            await sign_correction_checks(s, actor, c, scheme)

    async def sign_correction(
        self,
        actor: int,
        correction_id: int,
        *,
        version: int | None = None,
        over_refusal: bool = False,
    ) -> CorrectionView:
        """A required signer approves the correction or the corrected sheet (see
        :func:`sign_correction`)."""
        async with self.uow() as uow:
            c, target = await sign_correction(
                uow, actor, correction_id, version=version, over_refusal=over_refusal
            )
            return await self._correction_view(uow.session, c, target)

    async def correction_lines(self, actor: int, correction_id: int) -> TargetSheet:
        """The sheet of the corrected subcriterion, for its signers."""
        async with self.read() as s:
            c, target, scheme = await correction_row(s, correction_id)
            if actor not in c.signers and not self.is_admin(actor):
                raise Forbidden("not_a_signer")
            return await sheet_of(s, target, scheme, None, c.subcriterion_id)

    async def relock_correction(self, actor: int, correction_id: int) -> CorrectionView:
        """The chief locks the corrected subcriterion again; the signers then confirm the
        corrected sheet (R-SCO-6)."""
        async with self.uow() as uow:
            s = uow.session
            c, target, scheme = await correction_row(s, correction_id, lock=True)
            await require_chief(s, self.ctx, actor, scheme)
            if (
                c.status in ("signing", "done") and c.relocked_at is not None
            ):  # a double tap: locked once
                raise DomainError(
                    "correction_relocked",
                    id=c.id,
                    at=c.relocked_at,
                    tz=await contest_tz(s, scheme.contest_id),
                    who=await person_name(s, scheme.contest_id, scheme.chief_telegram_id),
                )
            if c.status != "open":
                raise DomainError("correction_not_open")
            pending = (
                await s.execute(
                    select(func.count())
                    .select_from(AspectResult)
                    .join(SchemeAspect, SchemeAspect.id == AspectResult.aspect_id)
                    .where(
                        AspectResult.target_id == c.target_id,
                        SchemeAspect.subcriterion_id == c.subcriterion_id,
                        AspectResult.state != "scored",
                    )
                )
            ).scalar_one()
            if pending:
                raise DomainError("correction_unresolved", count=pending)
            c.status = "signing"
            c.relocked_at = uow.now
            s.add(
                CorrectionSignature(
                    correction_id=c.id, telegram_id=actor, phase="confirm", signed_at=uow.now
                )
            )
            await s.execute(
                update(SheetConfirmation)
                .where(
                    SheetConfirmation.target_id == c.target_id,
                    SheetConfirmation.kind == "mentor",
                    SheetConfirmation.revoked_at.is_(None),
                )
                .values(revoked_at=uow.now)
            )
            uow.audit(actor, "correction.relock", "correction", c.id, contest_id=scheme.contest_id)
            sub = await s.get(SchemeSubcriterion, c.subcriterion_id)
            assert sub is not None  # a correction's subcriterion is never deleted (FK)
            # the corrected sheet is new content: a new version of the correction protocol (and
            # of the mentor's sheet), so every signature is given again (R-SCO-6, R-PRO-2)
            await docs.correction(
                uow,
                scheme,
                target,
                sub,
                c.id,
                c.reason,
                list(c.signers),
                scheme.chief_telegram_id or actor,
                target.mentor_telegram_id,
                actor,
                corrected=True,
            )
            await sign_in(uow, "correction", f"correction:{c.id}", actor)
            if target.mentor_telegram_id:
                await docs.mentor_sheet(uow, scheme, target, actor)
            for signer in c.signers:
                if signer == actor:
                    continue
                await tell(
                    uow,
                    signer,
                    f"correction:{c.id}:confirm",
                    "sco-note-correction-confirm",
                    {
                        "target": target_label(target),
                        "subcriterion": f"{sub.code} {sub.title}" if sub else "",
                    },
                    reason="correction",
                    keyboard=[
                        [
                            {
                                "text": "sco-btn-correction",
                                "action": "correction",
                                "contest_id": str(scheme.contest_id),
                                "correction": str(c.id),
                            }
                        ]
                    ],
                )
            if set(c.signers) == {actor}:
                c.status = "done"
                c.done_at = uow.now
            await s.flush()
            return await self._correction_view(s, c, target)


async def sign_correction_checks(
    s: AsyncSession, actor: int, c: Correction, scheme: Scheme
) -> tuple[str, set[int]]:
    """May ``actor`` sign the correction now (R-SCO-6)? The phase and who has signed it."""
    if actor not in c.signers or not await is_expert(s, actor, scheme.contest_id):
        raise Forbidden("not_a_signer")
    if c.status not in ("approval", "signing"):
        raise DomainError("correction_closed", id=c.id, status=c.status)
    phase = "approve" if c.status == "approval" else "confirm"
    sigs = {
        x.telegram_id: x
        for x in (
            await s.execute(
                select(CorrectionSignature).where(
                    CorrectionSignature.correction_id == c.id,
                    CorrectionSignature.phase == phase,
                )
            )
        ).scalars()
    }
    if actor in sigs:
        raise DomainError(
            "correction_already_signed",
            id=c.id,
            at=sigs[actor].signed_at,
            tz=await contest_tz(s, scheme.contest_id),
        )
    return phase, set(sigs)


async def sign_correction(
    uow: UnitOfWork,
    actor: int,
    correction_id: int,
    *,
    version: int | None = None,
    over_refusal: bool = False,
) -> tuple[Correction, EvaluationTarget]:
    """A required signer approves the correction (before the unlock) or the corrected
    sheet (after the relock). When everyone has, the correction moves on: unlocked for
    the chief to correct, or done. The correction row is held first: two signers at once
    both count, the move happens once, a double tap signs once. A step in the caller's
    transaction: the scoring screen and «Подписать» on the protocol both come here."""
    s = uow.session
    c, target, scheme = await correction_row(s, correction_id, lock=True)
    phase, have = await sign_correction_checks(s, actor, c, scheme)
    s.add(
        CorrectionSignature(correction_id=c.id, telegram_id=actor, phase=phase, signed_at=uow.now)
    )
    have.add(actor)
    uow.audit(actor, f"correction.{phase}", "correction", c.id, contest_id=scheme.contest_id)
    await sign_in(
        uow,
        "correction",
        f"correction:{c.id}",
        actor,
        version=version,
        over_refusal=over_refusal,
    )
    if set(c.signers) <= have:
        if phase == "approve":
            c.status = "open"
            c.unlocked_at = uow.now
            uow.audit(
                actor,
                "correction.unlock",
                "correction",
                c.id,
                contest_id=scheme.contest_id,
                after={"subcriterion_id": c.subcriterion_id, "target_id": c.target_id},
            )
            await tell(
                uow,
                scheme.chief_telegram_id,
                f"correction:{c.id}:open",
                "sco-note-correction-open",
                {"target": target_label(target)},
                reason="correction",
                keyboard=[
                    [
                        {
                            "text": "sco-btn-correction",
                            "action": "correction",
                            "contest_id": str(scheme.contest_id),
                            "correction": str(c.id),
                        }
                    ]
                ],
            )
        else:
            c.status = "done"
            c.done_at = uow.now
            uow.audit(actor, "correction.done", "correction", c.id, contest_id=scheme.contest_id)
            await tell(
                uow,
                scheme.chief_telegram_id,
                f"correction:{c.id}:done",
                "sco-note-correction-done",
                {"target": target_label(target)},
                reason="correction",
            )
    await s.flush()
    return c, target
