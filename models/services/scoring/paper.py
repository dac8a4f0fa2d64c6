"""Paper backup sheets for the chief expert (issue #16, seed 002 §6.7): «для рукописного
внесения оценок должны использоваться ведомости, выгруженные из ЦСО, которые после занесения
оценок оформляются подписями всех экспертов, входящих в группу оценки», and «ответственность
за внесение результатов с рукописных ведомостей в ЦСО возлагается на главного эксперта».

- ``blank``: a sheet per subcriterion and participant with empty cells, one column per
  expert of the subcriterion's group, and their signature lines — printable once the scheme
  is locked (its aspects are final, R-SCH-3) and the list of participants is built;
- ``group_sheet``: one group's marks entered so far, by expert, with the group's result per
  aspect and the totals, for the group and the chief expert to sign;
- ``choices``: what the picker offers.

Read-only. Only the chief expert of the scheme (or an admin acting for them) gets any of it
(R-ROLE-2): the marks before the score lock are theirs to transcribe and check (002 §6.7),
nobody else's to see (R-SCO-5)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models.errors import DomainError, NotFound
from models.services.access import require_chief
from models.services.base import Service, count_rows
from models.services.scoring.common import contest_tz, person_name, scheme_row
from models.services.scoring.paper_views import (
    BlankPage,
    BlankSheets,
    FilledLine,
    FilledPart,
    GroupChoice,
    GroupSheet,
    PaperAspect,
    PaperChoices,
    PaperHeading,
    PaperPerson,
    SubcriterionChoice,
)
from models.services.scoring.protocols import target_label
from models.tables import (
    AspectResult,
    AssessmentGroup,
    Contest,
    EvaluationTarget,
    Nomination,
    Scheme,
    SchemeAspect,
    SchemeCriterion,
    SchemeSubcriterion,
    Score,
    Stage,
)

_Sub = tuple[SchemeSubcriterion, SchemeCriterion]


def _aspect(a: SchemeAspect) -> PaperAspect:
    options = tuple((str(o["label"]), Decimal(str(o["points"]))) for o in (a.options or ()))
    return PaperAspect(a.id, a.code, a.title, a.kind, Decimal(a.max_points), options)


def _excluded(target: EvaluationTarget, members: tuple[PaperPerson, ...]) -> frozenset[int]:
    """The participant's mentor does not score them unless every expert allowed it
    (R-ROLE-3): their column is struck out on the participant's sheet."""
    mentor = target.mentor_telegram_id
    if mentor is None or target.mentor_allowed_at is not None:
        return frozenset()
    return frozenset({mentor}) if any(p.telegram_id == mentor for p in members) else frozenset()


class PaperSheetService(Service):
    async def _chief_scheme(self, s: AsyncSession, actor: int, scheme_id: int) -> Scheme:
        scheme = await scheme_row(s, scheme_id)
        await require_chief(s, self.ctx, actor, scheme)  # R-ROLE-2, whatever the chat shows
        return scheme

    async def _ready(self, s: AsyncSession, scheme: Scheme) -> list[EvaluationTarget]:
        """The scheme is locked (its aspects final, R-SCH-3) and its targets built."""
        if scheme.locked_at is None:
            raise DomainError("paper_not_locked")
        targets = list(
            (
                await s.execute(
                    select(EvaluationTarget)
                    .where(EvaluationTarget.scheme_id == scheme.id)
                    .options(selectinload(EvaluationTarget.participant))
                    .order_by(EvaluationTarget.number)
                )
            ).scalars()
        )
        if not targets:
            raise DomainError("paper_no_targets")
        return targets

    async def _heading(self, s: AsyncSession, scheme: Scheme) -> PaperHeading:
        contest = await s.get(Contest, scheme.contest_id)
        nomination = await s.get(Nomination, scheme.nomination_id)
        stage = await s.get(Stage, scheme.stage_id)
        return PaperHeading(
            contest=contest.title if contest else "",
            scheme=scheme.title,
            nomination=nomination.title if nomination else "",
            stage=stage.title if stage else "",
            timezone=await contest_tz(s, scheme.contest_id),
            made_at=self.ctx.clock.now(),
        )

    async def _subcriteria(self, s: AsyncSession, scheme_id: int) -> list[_Sub]:
        return [
            (sub, crit)
            for sub, crit in (
                await s.execute(
                    select(SchemeSubcriterion, SchemeCriterion)
                    .join(SchemeCriterion, SchemeCriterion.id == SchemeSubcriterion.criterion_id)
                    .where(SchemeSubcriterion.scheme_id == scheme_id)
                    .options(selectinload(SchemeSubcriterion.aspects))
                    .order_by(SchemeCriterion.position, SchemeSubcriterion.position)
                )
            ).all()
        ]

    async def _groups(self, s: AsyncSession, scheme_id: int) -> dict[int, AssessmentGroup]:
        rows = (
            await s.execute(
                select(AssessmentGroup)
                .where(AssessmentGroup.scheme_id == scheme_id)
                .options(selectinload(AssessmentGroup.members))
                .order_by(AssessmentGroup.id)
            )
        ).scalars()
        return {g.id: g for g in rows}

    async def _people(
        self, s: AsyncSession, contest_id: int, ids: list[int], leader: int | None
    ) -> tuple[PaperPerson, ...]:
        return tuple(
            [
                PaperPerson(tid, await person_name(s, contest_id, tid), tid == leader)
                for tid in dict.fromkeys(ids)
            ]
        )

    async def choices(self, actor: int, scheme_id: int) -> PaperChoices:
        """The picker: every subcriterion (a blank sheet) and every group (its filled sheet)."""
        async with self.read() as s:
            scheme = await self._chief_scheme(s, actor, scheme_id)
            groups = await self._groups(s, scheme_id)
            subs = await self._subcriteria(s, scheme_id)
            return PaperChoices(
                scheme_id=scheme.id,
                title=scheme.title,
                locked=scheme.locked_at is not None,
                targets=await count_rows(
                    s, EvaluationTarget, EvaluationTarget.scheme_id == scheme_id
                ),
                subcriteria=tuple(
                    SubcriterionChoice(
                        sub.id,
                        sub.code,
                        sub.title,
                        groups[sub.group_id].code if sub.group_id in groups else None,
                        len(sub.aspects),
                    )
                    for sub, _ in subs
                ),
                groups=tuple(
                    GroupChoice(
                        g.id,
                        g.code,
                        g.name,
                        tuple(sub.code for sub, _ in subs if sub.group_id == g.id),
                    )
                    for g in groups.values()
                ),
            )

    async def blank(
        self, actor: int, scheme_id: int, subcriterion_id: int | None = None
    ) -> BlankSheets:
        """Blank sheets: one page per participant of one subcriterion (``subcriterion_id``),
        or of every subcriterion in the scheme's order (None)."""
        async with self.read() as s:
            scheme = await self._chief_scheme(s, actor, scheme_id)
            subs = await self._subcriteria(s, scheme_id)
            if subcriterion_id is not None:
                subs = [(sub, crit) for sub, crit in subs if sub.id == subcriterion_id]
                if not subs:
                    raise NotFound("paper_subcriterion_not_found")
            targets = await self._ready(s, scheme)
            groups = await self._groups(s, scheme_id)
            unassigned = [sub.code for sub, _ in subs if sub.group_id not in groups]
            if unassigned:  # R-SCH-4: no group, no columns to print
                raise DomainError("paper_no_group", codes=", ".join(unassigned))
            pages: list[BlankPage] = []
            for sub, crit in subs:
                group = groups[sub.group_id]  # type: ignore[index]  # checked just above
                experts = await self._people(
                    s,
                    scheme.contest_id,
                    [m.telegram_id for m in group.members],
                    group.leader_telegram_id,
                )
                aspects = tuple(_aspect(a) for a in sub.aspects)
                pages += [
                    BlankPage(
                        criterion=f"{crit.code} {crit.title}",
                        subcriterion_code=sub.code,
                        subcriterion_title=sub.title,
                        group_code=group.code,
                        group_name=group.name,
                        target_label=target_label(t),
                        aspects=aspects,
                        experts=experts,
                        excluded=_excluded(t, experts),
                    )
                    for t in targets
                ]
            return BlankSheets(
                heading=await self._heading(s, scheme),
                subcriterion_code=subs[0][0].code if subcriterion_id is not None else None,
                pages=tuple(pages),
            )

    async def group_sheet(self, actor: int, scheme_id: int, group_id: int) -> GroupSheet:
        """One group's filled sheet: for each of its subcriteria and each participant the
        marks entered so far by each expert, the group's result per aspect and the totals."""
        async with self.read() as s:
            scheme = await self._chief_scheme(s, actor, scheme_id)
            groups = await self._groups(s, scheme_id)
            group = groups.get(group_id)
            if group is None:
                raise NotFound("paper_group_not_found")
            targets = await self._ready(s, scheme)
            subs = [
                (sub, crit)
                for sub, crit in await self._subcriteria(s, scheme_id)
                if sub.group_id == group.id
            ]
            aspect_ids = [a.id for sub, _ in subs for a in sub.aspects]
            marks: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
            stale: dict[tuple[int, int], set[int]] = defaultdict(set)
            scorers: list[int] = []
            results: dict[tuple[int, int], AspectResult] = {}
            if aspect_ids:
                for sc in (
                    await s.execute(
                        select(Score).where(Score.aspect_id.in_(aspect_ids)).order_by(Score.id)
                    )
                ).scalars():
                    marks[(sc.target_id, sc.aspect_id)][sc.expert_telegram_id] = sc.value
                    scorers.append(sc.expert_telegram_id)
                    if sc.stale:
                        stale[(sc.target_id, sc.aspect_id)].add(sc.expert_telegram_id)
                results = {
                    (r.target_id, r.aspect_id): r
                    for r in (
                        await s.execute(
                            select(AspectResult).where(AspectResult.aspect_id.in_(aspect_ids))
                        )
                    ).scalars()
                }
            members = [m.telegram_id for m in group.members]
            # a member since removed from the group keeps their marks visible
            experts = await self._people(
                s, scheme.contest_id, members + sorted(set(scorers)), group.leader_telegram_id
            )
            parts: list[FilledPart] = []
            for sub, _ in subs:
                for t in targets:
                    lines = []
                    for a in sub.aspects:
                        result = results.get((t.id, a.id))
                        lines.append(
                            FilledLine(
                                aspect=_aspect(a),
                                marks=dict(marks.get((t.id, a.id), {})),
                                stale=frozenset(stale.get((t.id, a.id), ())),
                                state=result.state if result is not None else "incomplete",
                                points=(
                                    Decimal(result.points)
                                    if result is not None and result.points is not None
                                    else None
                                ),
                            )
                        )
                    parts.append(
                        FilledPart(
                            subcriterion_code=sub.code,
                            subcriterion_title=sub.title,
                            target_label=target_label(t),
                            lines=tuple(lines),
                            total=sum((ln.points for ln in lines if ln.points), Decimal(0)),
                            max_total=sum((ln.aspect.max_points for ln in lines), Decimal(0)),
                            excluded=_excluded(t, experts),
                        )
                    )
            chief = (
                PaperPerson(
                    scheme.chief_telegram_id,
                    await person_name(s, scheme.contest_id, scheme.chief_telegram_id),
                )
                if scheme.chief_telegram_id is not None
                else None
            )
            return GroupSheet(
                heading=await self._heading(s, scheme),
                group_code=group.code,
                group_name=group.name,
                experts=experts,
                members=tuple(p for p in experts if p.telegram_id in members),
                chief=chief,
                parts=tuple(parts),
                scores_locked=scheme.scores_locked_at is not None,
            )


__all__ = ["PaperSheetService"]
