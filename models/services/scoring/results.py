"""Results, promotion to the next stage, and the scoring progress a coordinator watches (R-RES-1, R-APP-8)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules
from models.contest_file import Role
from models.errors import DomainError, Forbidden
from models.services.access import (
    coordinator_scope,
    is_chief,
    is_coordinator,
)
from models.services.base import Service, count_rows
from models.services.scoring.common import (
    scheme_row,
)
from models.services.scoring.protocols import target_label
from models.services.scoring.views import (
    ExpertProgress,
    FlaggedAspect,
    GroupProgress,
    ResultLine,
    Results,
    ScoringProgress,
)
from models.tables import (
    AspectResult,
    AssessmentGroup,
    Correction,
    EvaluationTarget,
    Region,
    ResultAdjustment,
    RoleAssignment,
    Scheme,
    SchemeAspect,
    SchemeSubcriterion,
    Score,
    SheetConfirmation,
    Stage,
)


async def scheme_totals(s: AsyncSession, scheme_id: int) -> dict[int, Decimal]:
    rows = await s.execute(
        select(AspectResult.target_id, func.coalesce(func.sum(AspectResult.points), 0))
        .where(AspectResult.scheme_id == scheme_id)
        .group_by(AspectResult.target_id)
    )
    return {tid: rules.quantize_points(Decimal(str(total))) for tid, total in rows}


async def scheme_results(s: AsyncSession, scheme_id: int) -> Results:
    scheme = await scheme_row(s, scheme_id)
    totals = await scheme_totals(s, scheme_id)
    targets = (
        await s.execute(
            select(EvaluationTarget, Region.name)
            .outerjoin(Region, Region.id == EvaluationTarget.region_id)
            .where(EvaluationTarget.scheme_id == scheme_id)
            .options(selectinload(EvaluationTarget.participant))
        )
    ).all()
    stage = await s.get(Stage, scheme.stage_id)
    later = (
        await s.execute(
            select(Stage.id).where(
                Stage.contest_id == scheme.contest_id,
                Stage.active.is_(True),
                Stage.position > (stage.position if stage else 0),
            )
        )
    ).first()
    # R-APL-9: deductions and disqualifications decided on appeal
    deducted: dict[int, Decimal] = defaultdict(Decimal)
    disqualified: set[int] = set()
    for adj in (
        await s.execute(select(ResultAdjustment).where(ResultAdjustment.scheme_id == scheme_id))
    ).scalars():
        deducted[adj.target_id] += Decimal(adj.points)
        if adj.disqualified:
            disqualified.add(adj.target_id)
    final = {
        t.id: max(totals.get(t.id, Decimal("0.00")) - deducted[t.id], Decimal("0.00"))
        for t, _ in targets
    }
    buckets: dict[str | None, dict[str, Decimal]] = defaultdict(dict)
    for t, region in targets:
        if t.id in disqualified:
            continue  # out of the ranking: no place, no medal
        key = region if scheme.ranking == "by_region" else None
        buckets[key][str(t.id)] = final[t.id]
    places: dict[str, int] = {}
    medals: dict[str, str | None] = {}
    for bucket in buckets.values():
        places.update(rules.competition_places(bucket))
        medals.update(rules.award_medals(bucket))
    lines = [
        ResultLine(
            t.id,
            t.number,
            target_label(t),
            region,
            final[t.id],
            places.get(str(t.id), 0),
            medals.get(str(t.id)),
            advances=later is not None and places.get(str(t.id)) == 1,
            deducted=deducted[t.id],
            disqualified=t.id in disqualified,
        )
        for t, region in targets
    ]
    lines.sort(
        key=lambda x: (
            x.region or "" if scheme.ranking == "by_region" else "",
            x.disqualified,
            x.place,
            x.number,
        )
    )
    return Results(scheme_id, scheme.title, scheme.scores_locked_at is not None, lines)


class ResultsService(Service):
    """Results, promotion to the next stage, and the scoring progress a coordinator watches (R-RES-1, R-APP-8)."""

    async def compute_results(self, scheme_id: int) -> Results:
        """Totals, places and medals from the group results kept at entry. Ranking is
        overall, or per region on a regional stage; a region's winners advance to the next
        stage's list (R-APP-8) when there is a next stage."""
        async with self.read() as s:
            return await scheme_results(s, scheme_id)

    async def results(self, actor: int, scheme_id: int) -> Results:
        """Results for a coordinator (R-RES-2: they publish them); a regional coordinator
        sees their regions' lines only. Experts do not see other participants' totals
        before publication (R-SCO-5)."""

        async with self.read() as s:
            scheme = await scheme_row(s, scheme_id)
            if not await is_coordinator(s, self.ctx, actor, scheme.contest_id):
                raise Forbidden("not_coordinator")
            scope = await coordinator_scope(s, self.ctx, actor, scheme.contest_id)
            results = await scheme_results(s, scheme_id)
            if scope is None:
                return results
            names = set(
                (
                    await s.execute(
                        select(Region.name).where(
                            Region.contest_id == scheme.contest_id, Region.code.in_(scope)
                        )
                    )
                ).scalars()
            )
            return Results(
                results.scheme_id,
                results.title,
                results.complete,
                [ln for ln in results.lines if ln.region in names],
            )

    async def promote_winners(self, actor: int, scheme_id: int) -> int:
        """R-APP-8: the regional winners' applications move to the next stage's scheme of the
        same nomination (materials are not uploaded again). Returns how many moved."""
        async with self.uow() as uow:
            s = uow.session
            scheme = await scheme_row(s, scheme_id)
            if not await is_coordinator(s, self.ctx, actor, scheme.contest_id):
                raise Forbidden("not_coordinator")
            if scheme.scores_locked_at is None:
                raise DomainError("scores_not_locked")
            stage = await s.get(Stage, scheme.stage_id)
            nxt = (
                (
                    await s.execute(
                        select(Scheme)
                        .join(Stage, Stage.id == Scheme.stage_id)
                        .where(
                            Scheme.contest_id == scheme.contest_id,
                            Scheme.nomination_id == scheme.nomination_id,
                            Stage.position > (stage.position if stage else 0),
                        )
                        .order_by(Stage.position)
                    )
                )
                .scalars()
                .first()
            )
            if nxt is None:
                raise DomainError("no_next_stage_scheme")
            results = await scheme_results(s, scheme_id)
            have = set(
                (
                    await s.execute(
                        select(EvaluationTarget.participant_id).where(
                            EvaluationTarget.scheme_id == nxt.id
                        )
                    )
                ).scalars()
            )
            number = (
                await s.execute(
                    select(func.coalesce(func.max(EvaluationTarget.number), 0)).where(
                        EvaluationTarget.scheme_id == nxt.id
                    )
                )
            ).scalar_one()
            moved = 0
            for line in results.lines:
                if not line.advances:
                    continue
                t = await s.get(EvaluationTarget, line.target_id)
                if t is None or t.participant_id in have:
                    continue
                number += 1
                s.add(
                    EvaluationTarget(
                        scheme_id=nxt.id,
                        participant_id=t.participant_id,
                        number=number,
                        region_id=t.region_id,
                        promoted_from_id=t.id,
                        created_at=uow.now,
                    )
                )
                moved += 1
            uow.audit(
                actor,
                "targets.promote",
                "scheme",
                scheme_id,
                contest_id=scheme.contest_id,
                after={"to_scheme": nxt.id, "moved": moved},
            )
            return moved

    async def progress(self, actor: int, scheme_id: int) -> ScoringProgress:
        """Scoring progress per group and expert, aspects awaiting a re-score, sheets not
        confirmed — counts and names only, never marks or totals (R-SCO-5)."""
        async with self.read() as s:
            scheme = await scheme_row(s, scheme_id)
            if not (
                await is_coordinator(s, self.ctx, actor, scheme.contest_id)
                or await is_chief(s, actor, scheme)
            ):
                raise Forbidden("not_coordinator")
            targets = (
                (
                    await s.execute(
                        select(EvaluationTarget)
                        .where(EvaluationTarget.scheme_id == scheme_id)
                        .options(selectinload(EvaluationTarget.participant))
                        .order_by(EvaluationTarget.number)
                    )
                )
                .scalars()
                .all()
            )
            by_target = {t.id: t for t in targets}
            groups = (
                (
                    await s.execute(
                        select(AssessmentGroup)
                        .where(AssessmentGroup.scheme_id == scheme_id)
                        .options(selectinload(AssessmentGroup.members))
                        .order_by(AssessmentGroup.id)
                    )
                )
                .scalars()
                .all()
            )
            aspects_per_group = dict(
                (
                    await s.execute(
                        select(SchemeSubcriterion.group_id, func.count(SchemeAspect.id))
                        .join(SchemeAspect, SchemeAspect.subcriterion_id == SchemeSubcriterion.id)
                        .where(
                            SchemeSubcriterion.scheme_id == scheme_id,
                            SchemeSubcriterion.group_id.is_not(None),
                        )
                        .group_by(SchemeSubcriterion.group_id)
                    )
                ).all()
            )
            scored_per_group = dict(
                (
                    await s.execute(
                        select(SchemeSubcriterion.group_id, func.count(AspectResult.id))
                        .join(SchemeAspect, SchemeAspect.subcriterion_id == SchemeSubcriterion.id)
                        .join(AspectResult, AspectResult.aspect_id == SchemeAspect.id)
                        .where(
                            SchemeSubcriterion.scheme_id == scheme_id,
                            AspectResult.state == "scored",
                        )
                        .group_by(SchemeSubcriterion.group_id)
                    )
                ).all()
            )
            marks_per_expert = dict(
                (
                    await s.execute(
                        select(Score.expert_telegram_id, func.count())
                        .join(EvaluationTarget, EvaluationTarget.id == Score.target_id)
                        .where(EvaluationTarget.scheme_id == scheme_id, Score.stale.is_(False))
                        .group_by(Score.expert_telegram_id)
                    )
                ).all()
            )
            names = dict(
                (
                    await s.execute(
                        select(RoleAssignment.telegram_id, RoleAssignment.name).where(
                            RoleAssignment.contest_id == scheme.contest_id,
                            RoleAssignment.role == Role.EXPERT,
                        )
                    )
                ).all()
            )
            confirmed = set(
                (
                    await s.execute(
                        select(SheetConfirmation.telegram_id).where(
                            SheetConfirmation.scheme_id == scheme_id,
                            SheetConfirmation.kind == "expert",
                            SheetConfirmation.revoked_at.is_(None),
                        )
                    )
                ).scalars()
            )
            experts: dict[int, list[str]] = defaultdict(list)
            expected: dict[int, int] = defaultdict(int)
            for g in groups:
                for m in g.members:
                    experts[m.telegram_id].append(g.code)
                    own = sum(
                        1
                        for t in targets
                        if t.mentor_telegram_id == m.telegram_id and t.mentor_allowed_at is None
                    )
                    expected[m.telegram_id] += aspects_per_group.get(g.id, 0) * (len(targets) - own)
            expert_lines = [
                ExpertProgress(
                    tid,
                    names.get(tid) or str(tid),
                    tuple(codes),
                    min(marks_per_expert.get(tid, 0), expected[tid]),
                    expected[tid],
                    tid in confirmed,
                )
                for tid, codes in sorted(experts.items(), key=lambda kv: names.get(kv[0]) or "")
            ]
            flagged_rows = (
                await s.execute(
                    select(AspectResult.target_id, SchemeAspect.code, AspectResult.state)
                    .join(SchemeAspect, SchemeAspect.id == AspectResult.aspect_id)
                    .where(
                        AspectResult.scheme_id == scheme_id,
                        AspectResult.state.in_(["rescore", "tie"]),
                    )
                    .order_by(AspectResult.target_id, SchemeAspect.position)
                )
            ).all()
            unassigned = list(
                (
                    await s.execute(
                        select(SchemeSubcriterion.code).where(
                            SchemeSubcriterion.scheme_id == scheme_id,
                            SchemeSubcriterion.group_id.is_(None),
                        )
                    )
                ).scalars()
            )
            mentors_unconfirmed: list[str] = []
            if scheme.scores_locked_at is not None:
                done = set(
                    (
                        await s.execute(
                            select(SheetConfirmation.target_id).where(
                                SheetConfirmation.scheme_id == scheme_id,
                                SheetConfirmation.kind == "mentor",
                                SheetConfirmation.revoked_at.is_(None),
                            )
                        )
                    ).scalars()
                )
                mentors_unconfirmed = [
                    target_label(t) for t in targets if t.mentor_telegram_id and t.id not in done
                ]
            open_corrections = await count_rows(
                s,
                Correction,
                Correction.scheme_id == scheme_id,
                Correction.status.in_(["approval", "open", "signing"]),
            )
            return ScoringProgress(
                scheme_id=scheme_id,
                title=scheme.title,
                targets=len(targets),
                groups=[
                    GroupProgress(
                        g.code,
                        g.name,
                        scored_per_group.get(g.id, 0),
                        aspects_per_group.get(g.id, 0) * len(targets),
                    )
                    for g in groups
                ],
                experts=expert_lines,
                flagged=[
                    FlaggedAspect(
                        target_label(by_target[tid]) if tid in by_target else str(tid), code, state
                    )
                    for tid, code, state in flagged_rows
                ],
                unassigned=unassigned,
                unconfirmed=[e.name for e in expert_lines if not e.confirmed],
                mentors_unconfirmed=mentors_unconfirmed,
                scores_locked=scheme.scores_locked_at is not None,
                open_corrections=open_corrections,
            )
