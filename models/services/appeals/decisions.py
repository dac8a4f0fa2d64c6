"""The commission at work (R-APL-6…9): the queue, a case's card, a declared conflict, the
members' votes, and the final decision with its measures applied to the results."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import commission as cms
from models import rules
from models.errors import DomainError, Forbidden, NotFound
from models.phrases import Phrase, phrase
from models.services.appeals.common import (
    appeal_view,
    audited,
    check_decider,
    decided_error,
    heads,
    members_of,
    not_open_error,
    require_member,
    scheme_of,
    tell,
    tz_of,
)
from models.services.appeals.measures import apply_to_results, check_bound, points_bound
from models.services.appeals.views import (
    AppealView,
    PointsBound,
    clean_text,
)
from models.services.base import Service, lock
from models.services.protocols.issuing import issue as issue_protocol
from models.services.protocols.views import table
from models.services.scoring.changes import results_changed, tell_adjusted
from models.services.scoring.protocols import target_label
from models.tables import (
    Appeal,
    AppealVote,
    EvaluationTarget,
)


class DecisionService(Service):
    """Commission members on a registered case: conflicts, votes, the decider's final decision (R-APL-6…9)."""

    async def queue(self, actor: int, contest_id: int) -> list[AppealView]:
        """The commission's queue: registered appeals in order of registration."""
        async with self.read() as s:
            await require_member(s, actor, contest_id)
            rows = (
                (
                    await s.execute(
                        select(Appeal)
                        .where(Appeal.contest_id == contest_id, Appeal.status == "registered")
                        .order_by(Appeal.registered_at, Appeal.id)
                    )
                )
                .scalars()
                .all()
            )
            return [await appeal_view(s, a) for a in rows]

    async def view(self, actor: int, appeal_id: int) -> AppealView:
        async with self.read() as s:
            appeal = await s.get(Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            scheme = await scheme_of(s, appeal.scheme_id)
            if actor not in (appeal.applicant_telegram_id, scheme.chief_telegram_id):
                await require_member(s, actor, appeal.contest_id)
            return await appeal_view(s, appeal)

    async def declare_conflict(self, actor: int, appeal_id: int) -> AppealView:
        """A member declares a close relation to a party: excluded from this case (once; a
        second declaration is refused with when the first was made)."""
        async with self.uow() as uow:
            s = uow.session
            appeal = await lock(s, Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            await require_member(s, actor, appeal.contest_id)
            if appeal.status == "decided":
                raise await decided_error(s, appeal)
            if actor in appeal.excluded:
                declared = await audited(s, "appeal.conflict", "appeal", appeal.id, actor)
                if declared is None:  # excluded automatically: the same organisation
                    raise Forbidden("member_conflict")
                raise DomainError(
                    "appeal_conflict_declared_already",
                    id=appeal.id,
                    at=declared.at,
                    tz=await tz_of(s, appeal.contest_id),
                )
            appeal.excluded = [*appeal.excluded, actor]
            await s.execute(
                delete(AppealVote).where(
                    AppealVote.appeal_id == appeal.id, AppealVote.telegram_id == actor
                )
            )
            uow.audit(actor, "appeal.conflict", "appeal", appeal.id, contest_id=appeal.contest_id)
            chair, deputy = await heads(s, appeal.contest_id)
            if appeal.status == "registered" and actor in {
                m.telegram_id for m in (chair, deputy) if m is not None
            }:
                t = (
                    await s.execute(
                        select(EvaluationTarget)
                        .where(EvaluationTarget.id == appeal.target_id)
                        .options(selectinload(EvaluationTarget.participant))
                    )
                ).scalar_one()
                await check_decider(
                    uow, appeal, t
                )  # R-APL-6: never left without anyone able to decide
            return await appeal_view(s, appeal)

    async def decision_targets(self, actor: int, appeal_id: int) -> list[tuple[int, str]]:
        """R-APL-9 (issue #15): the other participants of the same competence at the same stage
        (the appeal's scheme) the decider may penalise for an unfair advantage."""
        async with self.read() as s:
            appeal = await s.get(Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            await self._may_decide(s, actor, appeal)
            rows = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(
                        EvaluationTarget.scheme_id == appeal.scheme_id,
                        EvaluationTarget.id != appeal.target_id,
                    )
                    .options(selectinload(EvaluationTarget.participant))
                    .order_by(EvaluationTarget.number)
                )
            ).scalars()
            return [(t.id, target_label(t)) for t in rows]

    async def vote(
        self, actor: int, appeal_id: int, uphold: bool, *, change: bool = False
    ) -> AppealView:
        """A voting member's vote (the secretary has none; an excluded member neither).
        A vote is cast once: a second press — or «Удовлетворить» and «Отказать» pressed
        together — is refused with the vote already counted. A member changes their vote
        before the decision on purpose (``change``, the «Изменить голос» button)."""
        async with self.uow() as uow:
            s = uow.session
            appeal = await lock(s, Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            member = await require_member(s, actor, appeal.contest_id)
            if member.role == "secretary":
                raise Forbidden("secretary_no_vote")
            if actor in appeal.excluded:
                raise Forbidden("member_conflict")
            if appeal.status != "registered":
                raise await not_open_error(s, appeal)
            existing = (
                await s.execute(
                    select(AppealVote).where(
                        AppealVote.appeal_id == appeal.id, AppealVote.telegram_id == actor
                    )
                )
            ).scalar_one_or_none()
            if existing is not None and (not change or existing.uphold == uphold):
                raise DomainError(
                    "appeal_voted_already",
                    id=appeal.id,
                    vote="yes" if existing.uphold else "no",
                    at=existing.at,
                    tz=await tz_of(s, appeal.contest_id),
                )
            if existing is not None:
                existing.uphold, existing.at = uphold, uow.now
            else:
                s.add(AppealVote(appeal_id=appeal.id, telegram_id=actor, uphold=uphold, at=uow.now))
            uow.audit(
                actor,
                "appeal.vote",
                "appeal",
                appeal.id,
                contest_id=appeal.contest_id,
                after={"uphold": uphold},
            )
            await s.flush()
            return await appeal_view(s, appeal)

    async def decide(
        self,
        actor: int,
        appeal_id: int,
        *,
        uphold: bool,
        text: str,
        deduction: str | Decimal | None = None,
        disqualify: bool = False,
        penalised: int | None = None,
        restore: str | Decimal | None = None,
    ) -> AppealView:
        """The chair — or the deputy when the chair is excluded (R-APL-6) — records the
        decision: final (R-APL-8). An upheld appeal may (R-APL-9, issue #15) deduct points from
        or disqualify the participant who gained the advantage — the appellant's own, or
        ``penalised``, another participant of the same competence at the same stage — and
        restore points to the appellant's participant (a scoring error in their disfavour).
        Bounds: a deduction cannot take a total below zero (checked once the scores are locked —
        before, the total is not final and the results floor it at zero), a restoration cannot
        take the total above the scheme's maximum. Each is applied to the results with the decision's protocol; the
        extract goes to the applicant and the chief expert through the outbox now (the workers
        check it arrived within the hour), and each participant whose result moved is told."""
        text = clean_text(text, "decision_text")
        points = cms.parse_points(deduction, "bad_deduction")
        restored = cms.parse_points(restore, "cms_bad_restoration")
        if (points or disqualify or restored or penalised is not None) and not uphold:
            raise DomainError("penalty_needs_upheld")
        async with self.uow() as uow:
            s = uow.session
            appeal = await lock(
                s, Appeal, appeal_id
            )  # two decisions at once: the second waits, then is refused
            if appeal is None:
                raise NotFound("appeal_not_found")
            await self._may_decide(s, actor, appeal)
            t = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(EvaluationTarget.id == appeal.target_id)
                    .options(selectinload(EvaluationTarget.participant))
                )
            ).scalar_one()
            other: EvaluationTarget | None = None
            if penalised is not None and penalised != appeal.target_id:
                other = (
                    await s.execute(
                        select(EvaluationTarget)
                        .where(EvaluationTarget.id == penalised)
                        .options(selectinload(EvaluationTarget.participant))
                    )
                ).scalar_one_or_none()
                if other is None or other.scheme_id != appeal.scheme_id:
                    raise DomainError("cms_penalised_not_in_scheme")
                cms.check_penalty(points, disqualify, who=target_label(other))
            hit = other or t
            if restored and hit.id == t.id and (points or disqualify):
                raise DomainError("cms_restore_and_penalise_same")
            if points:  # R-APL-9: the same bounds as at the decision's step
                check_bound(await points_bound(s, appeal, hit), points)
            if restored:
                check_bound(await points_bound(s, appeal, t), restored, restoration=True)
            appeal.status = "decided"
            appeal.decision = "upheld" if uphold else "rejected"
            appeal.decision_text = text
            appeal.deduction = points if points else None
            appeal.disqualified = disqualify
            appeal.restored = restored if restored else None
            appeal.penalised_target_id = other.id if other is not None else None
            appeal.decided_by, appeal.decided_at = actor, uow.now
            uow.audit(
                actor,
                "appeal.decide",
                "appeal",
                appeal.id,
                contest_id=appeal.contest_id,
                after={
                    "decision": appeal.decision,
                    "deduction": str(points),
                    "disqualified": disqualify,
                    "restored": str(restored),
                    "penalised": hit.id if (points or disqualify) else None,
                },
            )
            adjusted = await apply_to_results(uow, appeal, hit.id, points, disqualify, restored)
            scheme = await scheme_of(s, appeal.scheme_id)
            tz_name = await tz_of(s, appeal.contest_id)
            votes = (
                (await s.execute(select(AppealVote).where(AppealVote.appeal_id == appeal.id)))
                .scalars()
                .all()
            )
            names = {m.telegram_id: m.name for m in await members_of(s, appeal.contest_id)}
            chair, _ = await heads(s, appeal.contest_id)
            pts = f"{points}".replace(".", ",")
            effects: list[Phrase] = []
            if points:
                effects.append(
                    phrase("doc-pro-appeal-deduction", points=pts)
                    if other is None
                    else phrase(
                        "doc-pro-appeal-deduction-other", target=target_label(hit), points=pts
                    )
                )
            if disqualify:
                effects.append(
                    phrase("doc-pro-appeal-disqualified")
                    if other is None
                    else phrase("doc-pro-appeal-disqualified-other", target=target_label(hit))
                )
            if restored:
                # the earlier text wrote the whole sentence with «,» for every «.» — the
                # participant's label too; kept, so the content (and its hash) is unchanged
                effects.append(
                    phrase(
                        "doc-pro-appeal-restored",
                        target=target_label(t).replace(".", ","),
                        points=f"{restored}".replace(".", ","),
                    )
                )
            deputy = chair is not None and actor != chair.telegram_id
            await issue_protocol(
                uow,
                contest_id=appeal.contest_id,
                scheme_id=appeal.scheme_id,
                kind="appeal",
                subject_key=f"appeal:{appeal.id}",
                title=phrase("doc-pro-appeal-title", id=appeal.id),
                paragraphs=[
                    phrase(
                        "doc-pro-appeal-case",
                        target=target_label(t),
                        kind=appeal.kind,
                        at=rules.format_local(appeal.dispute_at, tz_name),
                    ),
                    phrase("doc-pro-appeal-description", text=appeal.fields.get("description", "")),
                    phrase("doc-pro-appeal-demands", text=appeal.fields.get("demands", "")),
                    phrase(
                        "doc-pro-appeal-decision",
                        decision="upheld" if uphold else "rejected",
                        text=text,
                    ),
                    effects or phrase("doc-pro-appeal-no-deduction"),
                    phrase("doc-pro-appeal-deputy", name=names.get(actor, actor)) if deputy else "",
                    phrase("doc-pro-appeal-final"),
                ],
                tables=[
                    table(
                        phrase("doc-pro-table-commission-votes"),
                        [phrase("doc-pro-col-member"), phrase("doc-pro-col-vote")],
                        [
                            [
                                names.get(v.telegram_id, str(v.telegram_id)),
                                phrase(
                                    "doc-pro-appeal-vote", vote="uphold" if v.uphold else "reject"
                                ),
                            ]
                            for v in votes
                        ],
                        [0.7, 0.3],
                    )
                ],
                signers=[(actor, "deputy" if deputy else "chair")],
                actor=actor,
            )
            # R-APL-9: after publication the change is announced, never silent (issue #12);
            # before it, each participant whose result moved is told what changed (issue #15)
            await results_changed(self.ctx, uow, appeal.scheme_id, f"appeal:{appeal.id}", actor)
            await tell_adjusted(uow, appeal, adjusted)
            extract = {
                "id": appeal.id,
                "target": target_label(t),
                "decision": appeal.decision,
                "text": text,
                "deduction": pts,
                "penalty": "yes" if points else "no",
                "disqualified": "yes" if disqualify else "no",
            }
            key = "apl-note-extract"
            if (
                restored or other is not None
            ):  # R-APL-9 (issue #15): the extract names whom each measure concerns
                key = "cms-note-extract"
                extract.update(
                    penalised=target_label(hit),
                    restored=f"{restored}".replace(".", ","),
                    restore="yes" if restored else "no",
                )
            for who in dict.fromkeys([appeal.applicant_telegram_id, scheme.chief_telegram_id]):
                if who is not None:
                    await tell(
                        uow,
                        who,
                        f"appeal:{appeal.id}:extract",
                        key,
                        extract,
                        reason="appeal-extract",
                    )
            return await appeal_view(s, appeal)

    async def decision_bound(
        self, actor: int, appeal_id: int, target_id: int | None = None
    ) -> PointsBound:
        """R-APL-9 (issue #15): the total of the participant a number at a decision's step
        concerns (the appellant's, or ``target_id`` — another one of the same scheme), for the
        prompt to name the limit and the step to refuse a number beyond it at once."""
        async with self.read() as s:
            appeal = await s.get(Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            await self._may_decide(s, actor, appeal)
            t = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(EvaluationTarget.id == (target_id or appeal.target_id))
                    .options(selectinload(EvaluationTarget.participant))
                )
            ).scalar_one_or_none()
            if t is None or t.scheme_id != appeal.scheme_id:
                raise DomainError("cms_penalised_not_in_scheme")
            return await points_bound(s, appeal, t)

    async def check_decision_points(
        self,
        actor: int,
        appeal_id: int,
        *,
        deduction: str | Decimal | None = None,
        penalised: int | None = None,
        restore: str | Decimal | None = None,
    ) -> Decimal:
        """The number typed at a decision's step, checked now by the rules :meth:`decide`
        applies (R-APL-9, issue #15): a deduction not beyond the participant's total once the
        scores are locked (another participant's limit named in the refusal), a restoration
        not above the scheme's maximum. Returns the number; changes nothing."""
        if restore is not None:
            points = cms.parse_points(restore, "cms_bad_restoration")
            bound = await self.decision_bound(actor, appeal_id)
            check_bound(bound, points, restoration=True)
            return points
        bound = await self.decision_bound(actor, appeal_id, penalised)
        try:
            points = cms.parse_points(deduction, "bad_deduction")
        except DomainError:
            if penalised is None:
                raise
            raise DomainError(
                "cms_bad_deduction_other",
                who=bound.label,
                most=cms.points_text(bound.most_deducted),
                current=cms.points_text(bound.total),
            ) from None
        check_bound(bound, points)
        return points

    async def _may_decide(self, s: AsyncSession, actor: int, appeal: Appeal) -> None:
        """The one who decides this registered appeal (R-APL-6): the chair, or the deputy when
        the chair is excluded — else refused with why; when both are excluded, refused with
        who must be replaced."""
        await require_member(s, actor, appeal.contest_id)
        chair, deputy = await heads(s, appeal.contest_id)
        decider = cms.appeal_decider(
            chair.telegram_id if chair else None,
            deputy.telegram_id if deputy else None,
            appeal.excluded,
        )
        if actor != decider:
            if decider is None and appeal.status == "registered":
                raise DomainError(
                    "cms_no_decider",
                    id=appeal.id,
                    chair=chair.name if chair else "—",
                    deputy=deputy.name if deputy else "—",
                )
            if deputy is not None and decider == deputy.telegram_id:
                raise Forbidden("cms_deputy_decides", name=deputy.name)
            if actor in appeal.excluded:
                raise Forbidden("member_conflict")
            raise Forbidden("chair_only")
        if appeal.status != "registered":
            raise await not_open_error(s, appeal)

    async def check_decide(self, actor: int, appeal_id: int) -> None:
        """Refuse at once a «Записать решение» button that no longer allows it (decided,
        refused as late, a revoked chair), before any text is asked for."""
        async with self.read() as s:
            appeal = await s.get(Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            await self._may_decide(s, actor, appeal)

    async def check_vote(self, actor: int, appeal_id: int) -> None:
        """The same for a member's vote buttons (nothing is asked, but the card explains)."""
        async with self.read() as s:
            appeal = await s.get(Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            await require_member(s, actor, appeal.contest_id)
            if appeal.status != "registered":
                raise await not_open_error(s, appeal)
