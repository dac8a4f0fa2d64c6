"""The chief locks the scores; a mentor confirms a target's sheet (R-SCO-5)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models.contest_file import Role
from models.errors import DomainError, Forbidden
from models.services.access import (
    competence_experts,
    is_chief,
    is_expert,
    require_chief,
)
from models.services.base import Service, UnitOfWork, count_rows
from models.services.base import lock as lock_row
from models.services.protocols import sign_in
from models.services.scoring import protocols as docs
from models.services.scoring.common import (
    confirmation,
    contest_tz,
    scheme_row,
    scores_unlocked,
    sheet_of,
    target_row,
    tell,
)
from models.services.scoring.protocols import target_label
from models.services.scoring.views import (
    TargetSheet,
)
from models.tables import (
    AspectResult,
    AssessmentGroup,
    Correction,
    EvaluationTarget,
    GroupMember,
    RoleAssignment,
    Scheme,
    SchemeAspect,
    SheetConfirmation,
)


class ScoreLockService(Service):
    """The chief locks the scores; a mentor confirms a target's sheet (R-SCO-5)."""

    async def _lock_blockers(self, s: AsyncSession, scheme: Scheme) -> dict[str, int]:
        targets = await count_rows(s, EvaluationTarget, EvaluationTarget.scheme_id == scheme.id)
        aspects = await count_rows(s, SchemeAspect, SchemeAspect.scheme_id == scheme.id)
        scored = await count_rows(
            s, AspectResult, AspectResult.scheme_id == scheme.id, AspectResult.state == "scored"
        )
        flagged = await count_rows(
            s,
            AspectResult,
            AspectResult.scheme_id == scheme.id,
            AspectResult.state.in_(["rescore", "tie"]),
        )
        members = set(
            (
                await s.execute(
                    select(GroupMember.telegram_id)
                    .join(AssessmentGroup, AssessmentGroup.id == GroupMember.group_id)
                    .where(AssessmentGroup.scheme_id == scheme.id)
                )
            ).scalars()
        )
        # a member whose expert role was withdrawn cannot confirm and does not hold the lock up
        members &= set(
            (
                await s.execute(
                    select(RoleAssignment.telegram_id).where(
                        RoleAssignment.contest_id == scheme.contest_id,
                        RoleAssignment.role == Role.EXPERT,
                        RoleAssignment.active.is_(True),
                    )
                )
            ).scalars()
        )
        confirmed = set(
            (
                await s.execute(
                    select(SheetConfirmation.telegram_id).where(
                        SheetConfirmation.scheme_id == scheme.id,
                        SheetConfirmation.kind == "expert",
                        SheetConfirmation.revoked_at.is_(None),
                    )
                )
            ).scalars()
        )
        return {
            "targets": targets,
            "unscored": targets * aspects - scored - flagged,
            "flagged": flagged,
            "unconfirmed": len(members - confirmed),
        }

    async def lock_scores(self, actor: int, scheme_id: int) -> int:
        """R-SCO-5: the chief expert locks the entered scores once every aspect of every
        target has its group result and every expert confirmed their sheet. Mentors are
        then asked to check their own participant's sheet. Returns how many were asked."""
        async with self.uow() as uow:
            s = uow.session
            scheme = await scheme_row(s, scheme_id, lock=True)
            await require_chief(s, self.ctx, actor, scheme)
            await scores_unlocked(s, scheme)
            blockers = await self._lock_blockers(s, scheme)
            if blockers["targets"] == 0:
                raise DomainError("no_targets")
            if blockers["unscored"] or blockers["flagged"] or blockers["unconfirmed"]:
                raise DomainError("cannot_lock_scores", **blockers)
            scheme.scores_locked_at = uow.now
            scheme.scores_locked_by = actor
            uow.audit(
                actor,
                "scores.lock",
                "scheme",
                scheme_id,
                contest_id=scheme.contest_id,
                after={"locked_at": uow.now.isoformat()},
            )
            experts = sorted(await competence_experts(s, scheme) - {scheme.chief_telegram_id})
            await docs.score_lock(uow, scheme, actor, experts)  # R-PRO-1, signed by all experts
            asked = 0
            targets = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(EvaluationTarget.scheme_id == scheme_id)
                    .options(selectinload(EvaluationTarget.participant))
                )
            ).scalars()
            for t in targets:
                if t.mentor_telegram_id is None:
                    continue
                await docs.mentor_sheet(uow, scheme, t, actor)
                asked += 1
                await tell(
                    uow,
                    t.mentor_telegram_id,
                    f"sheet:{t.id}:{uow.now.timestamp():.0f}",
                    "sco-note-mentor-sheet",
                    {"target": target_label(t), "scheme": scheme.title},
                    reason="mentor-sheet",
                    keyboard=[
                        [
                            {
                                "text": "sco-btn-open-sheet",
                                "action": "sheet",
                                "contest_id": str(scheme.contest_id),
                                "target": str(t.id),
                            }
                        ]
                    ],
                )
            return asked

    async def target_sheet(self, actor: int, target_id: int) -> TargetSheet:
        """R-SCO-5: after the lock a mentor sees their own participant's sheet only; the
        chief expert sees any (to prepare a correction). Nobody sees it before the lock."""
        async with self.read() as s:
            target, scheme = await target_row(s, target_id)
            chief = self.is_admin(actor) or await is_chief(s, actor, scheme)
            is_mentor = target.mentor_telegram_id == actor and await is_expert(
                s, actor, scheme.contest_id
            )
            if not (chief or is_mentor):
                raise Forbidden("not_your_participant")
            if scheme.scores_locked_at is None:
                raise DomainError("scores_not_locked")
            return await sheet_of(s, target, scheme, actor if is_mentor else None)

    async def check_mentor_sheet(self, actor: int, target_id: int) -> None:
        """Before the mentor is asked to confirm: refused at once if it is no longer to do."""
        async with self.read() as s:
            await mentor_sheet_checks(s, actor, target_id)

    async def confirm_mentor_sheet(
        self, actor: int, target_id: int, *, version: int | None = None, over_refusal: bool = False
    ) -> None:
        """R-SCO-5: the mentor confirms their participant's locked sheet (see
        :func:`confirm_mentor_sheet`)."""
        async with self.uow() as uow:
            await confirm_mentor_sheet(
                uow, actor, target_id, version=version, over_refusal=over_refusal
            )


async def mentor_sheet_checks(
    s: AsyncSession, actor: int, target_id: int
) -> tuple[EvaluationTarget, Scheme]:
    """Is confirming this sheet still the mentor's to do (R-SCO-5)? Refused otherwise."""
    target, scheme = await target_row(s, target_id)
    if target.mentor_telegram_id != actor or not await is_expert(s, actor, scheme.contest_id):
        raise Forbidden("not_your_participant")
    if scheme.scores_locked_at is None:
        raise DomainError("scores_not_locked")
    busy = (
        await s.execute(
            select(Correction.id).where(
                Correction.target_id == target_id, Correction.status.in_(["approval", "open"])
            )
        )
    ).first()
    if busy is not None:
        raise DomainError("correction_in_progress")
    done = await confirmation(s, scheme.id, "mentor", actor, target_id)
    if done is not None:
        raise DomainError(
            "mentor_sheet_already_confirmed",
            at=done.confirmed_at,
            tz=await contest_tz(s, scheme.contest_id),
        )
    return target, scheme


async def confirm_mentor_sheet(
    uow: UnitOfWork,
    actor: int,
    target_id: int,
    *,
    version: int | None = None,
    over_refusal: bool = False,
) -> None:
    """R-SCO-5: the mentor confirms their participant's locked sheet — the signature of the
    sheet's protocol (``version``: the one the button was sent with, R-PRO-2). A step in the
    caller's transaction: the scoring screen and «Подписать» on the protocol
    (``models.services.signing``) both come here."""
    s = uow.session
    await lock_row(s, EvaluationTarget, target_id)  # a double tap confirms once
    target, scheme = await mentor_sheet_checks(s, actor, target_id)
    s.add(
        SheetConfirmation(
            scheme_id=scheme.id,
            kind="mentor",
            telegram_id=actor,
            target_id=target_id,
            confirmed_at=uow.now,
        )
    )
    await sign_in(
        uow,
        "mentor_sheet",
        f"mentor:{target_id}",
        actor,
        version=version,
        over_refusal=over_refusal,
    )
    uow.audit(actor, "sheet.mentor_confirm", "target", target_id, contest_id=scheme.contest_id)
    await tell(
        uow,
        scheme.chief_telegram_id,
        f"mentor-confirm:{target_id}:{uow.now.timestamp():.0f}",
        "sco-note-mentor-confirmed",
        {"target": target_label(target)},
        reason="mentor-sheet",
    )
