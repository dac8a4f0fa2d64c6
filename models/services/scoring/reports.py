"""Read-only queries of the scoring reports: the score sheets of a scheme for the
coordinators' export (R-SCO-5, R-RES-2) and the experts who still have aspects to score,
for the evaluation-deadline reminder (R-REM-3, R-APP-7).

Nothing here writes. Marks are shown only after the score lock and only to coordinators
(and admins): before the lock nobody sees anyone's marks (R-SCO-5)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models.contest_file import Role
from models.errors import DomainError, Forbidden, NotFound
from models.rules import AspectKind
from models.services.access import active_ids, is_coordinator
from models.services.base import Service, count_rows
from models.tables import (
    AspectResult,
    AssessmentGroup,
    Contest,
    EvaluationTarget,
    GroupMember,
    Region,
    RoleAssignment,
    Scheme,
    SchemeAspect,
    SchemeCriterion,
    SchemeSubcriterion,
    Score,
)


@dataclass(frozen=True, slots=True)
class SheetExpert:
    """A column of the score sheets: an expert of one of the scheme's groups."""

    telegram_id: int
    name: str
    groups: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One target × one aspect: every expert's mark, the group's result and points.

    ``marks`` maps an expert's Telegram id to the mark *as points of the scale*: 0–3 for a
    judgement aspect, 1/0 for yes/no, the chosen option's points for a discrete one;
    ``raw`` keeps the stored values (the option's index for a discrete aspect)."""

    target_id: int
    number: int
    participant: str
    region: str | None
    criterion_code: str
    criterion_title: str
    subcriterion_code: str
    subcriterion_title: str
    group_code: str | None
    aspect_id: int
    aspect_code: str
    aspect_title: str
    kind: str
    max_points: Decimal
    marks: dict[int, Decimal]
    raw: dict[int, int]
    stale: frozenset[int]
    state: str
    points: Decimal | None


@dataclass(frozen=True, slots=True)
class ScoreSheets:
    scheme_id: int
    contest_title: str
    title: str
    timezone: str
    scores_locked_at: datetime | None
    experts: list[SheetExpert]
    rows: list[SheetRow]


def _label_name(target: EvaluationTarget) -> str:
    return (target.participant.full_name if target.participant is not None else None) or ""


def shown_mark(aspect: SchemeAspect, value: int) -> Decimal:
    """A stored mark as a number a person reads: the option's points for a discrete aspect
    (the stored value is the option's index), the mark itself otherwise."""
    if aspect.kind == AspectKind.DISCRETE:
        try:
            return Decimal(str(aspect.options[value]["points"]))
        except (IndexError, KeyError, TypeError):
            return Decimal(value)
    return Decimal(value)


async def unscored_by_expert(s: AsyncSession, scheme: Scheme) -> list[tuple[int, int]]:
    """(telegram id, how many target × aspect marks are still missing or flagged for a
    re-score) for every active expert of the scheme's groups who has any, while the scheme
    is locked and its scores are not. A mentor's own participant is not theirs to score
    unless every expert allowed it (R-ROLE-3). Counted by the database: no mark is loaded."""
    if scheme.locked_at is None or scheme.scores_locked_at is not None:
        return []
    targets = await count_rows(s, EvaluationTarget, EvaluationTarget.scheme_id == scheme.id)
    if not targets:
        return []
    active = await active_ids(s, scheme.contest_id, Role.EXPERT)
    # aspects per expert: an aspect belongs to one subcriterion, scored by one group
    aspects = dict(
        (
            await s.execute(
                select(GroupMember.telegram_id, func.count(SchemeAspect.id))
                .join(AssessmentGroup, AssessmentGroup.id == GroupMember.group_id)
                .join(SchemeSubcriterion, SchemeSubcriterion.group_id == AssessmentGroup.id)
                .join(SchemeAspect, SchemeAspect.subcriterion_id == SchemeSubcriterion.id)
                .where(AssessmentGroup.scheme_id == scheme.id)
                .group_by(GroupMember.telegram_id)
            )
        ).all()
    )
    own = dict(
        (
            await s.execute(
                select(EvaluationTarget.mentor_telegram_id, func.count())
                .where(
                    EvaluationTarget.scheme_id == scheme.id,
                    EvaluationTarget.mentor_telegram_id.is_not(None),
                    EvaluationTarget.mentor_allowed_at.is_(None),
                )
                .group_by(EvaluationTarget.mentor_telegram_id)
            )
        ).all()
    )
    done = dict(
        (
            await s.execute(
                select(Score.expert_telegram_id, func.count(Score.id))
                .join(EvaluationTarget, EvaluationTarget.id == Score.target_id)
                .join(SchemeAspect, SchemeAspect.id == Score.aspect_id)
                .join(SchemeSubcriterion, SchemeSubcriterion.id == SchemeAspect.subcriterion_id)
                .join(
                    GroupMember,
                    and_(
                        GroupMember.group_id == SchemeSubcriterion.group_id,
                        GroupMember.telegram_id == Score.expert_telegram_id,
                    ),
                )
                .where(
                    EvaluationTarget.scheme_id == scheme.id,
                    Score.stale.is_(False),
                    or_(
                        EvaluationTarget.mentor_telegram_id.is_(None),
                        EvaluationTarget.mentor_telegram_id != Score.expert_telegram_id,
                        EvaluationTarget.mentor_allowed_at.is_not(None),
                    ),
                )
                .group_by(Score.expert_telegram_id)
            )
        ).all()
    )
    out = []
    for telegram_id, n_aspects in sorted(aspects.items()):
        if telegram_id not in active:
            continue
        expected = n_aspects * (targets - own.get(telegram_id, 0))
        left = expected - done.get(telegram_id, 0)
        if left > 0:
            out.append((telegram_id, left))
    return out


class ScoringReportService(Service):
    async def _scheme(self, s: AsyncSession, scheme_id: int) -> Scheme:
        scheme = (
            await s.execute(select(Scheme).where(Scheme.id == scheme_id))
        ).scalar_one_or_none()
        if scheme is None:
            raise NotFound("scheme_not_found")
        return scheme

    async def score_sheets(self, actor: int, scheme_id: int) -> ScoreSheets:
        """Every target × aspect of the scheme with each expert's mark, the group's result
        and points — for the coordinators' export, after the score lock only (R-SCO-5)."""
        async with self.read() as s:
            scheme = await self._scheme(s, scheme_id)
            if not await is_coordinator(s, self.ctx, actor, scheme.contest_id):
                raise Forbidden("not_coordinator")
            if scheme.scores_locked_at is None:
                raise DomainError("scores_not_locked")
            contest = await s.get(Contest, scheme.contest_id)
            aspects = (
                await s.execute(
                    select(SchemeAspect, SchemeSubcriterion, SchemeCriterion)
                    .join(SchemeSubcriterion, SchemeSubcriterion.id == SchemeAspect.subcriterion_id)
                    .join(SchemeCriterion, SchemeCriterion.id == SchemeSubcriterion.criterion_id)
                    .where(SchemeAspect.scheme_id == scheme_id)
                    .order_by(
                        SchemeCriterion.position, SchemeSubcriterion.position, SchemeAspect.position
                    )
                )
            ).all()
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
            group_codes = {g.id: g.code for g in groups}
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
            member_groups: dict[int, list[str]] = defaultdict(list)
            for g in groups:
                for m in g.members:
                    member_groups[m.telegram_id].append(g.code)
            targets = (
                await s.execute(
                    select(EvaluationTarget, Region.name)
                    .outerjoin(Region, Region.id == EvaluationTarget.region_id)
                    .where(EvaluationTarget.scheme_id == scheme_id)
                    .options(selectinload(EvaluationTarget.participant))
                    .order_by(EvaluationTarget.number)
                )
            ).all()
            marks: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
            stale: dict[tuple[int, int], set[int]] = defaultdict(set)
            scorers: set[int] = set()
            for target_id, aspect_id, expert, value, is_stale in (
                await s.execute(
                    select(
                        Score.target_id,
                        Score.aspect_id,
                        Score.expert_telegram_id,
                        Score.value,
                        Score.stale,
                    )
                    .join(EvaluationTarget, EvaluationTarget.id == Score.target_id)
                    .where(EvaluationTarget.scheme_id == scheme_id)
                )
            ).all():
                marks[(target_id, aspect_id)][expert] = value
                scorers.add(expert)
                if is_stale:
                    stale[(target_id, aspect_id)].add(expert)
            results = {
                (r.target_id, r.aspect_id): (r.state, r.points)
                for r in (
                    await s.execute(select(AspectResult).where(AspectResult.scheme_id == scheme_id))
                ).scalars()
            }
            # columns: the group members in group order, then anyone else who left a mark
            # (a member since removed from a group keeps their marks visible)
            order = list(
                dict.fromkeys([m.telegram_id for g in groups for m in g.members] + sorted(scorers))
            )
            experts = [
                SheetExpert(tid, names.get(tid) or str(tid), tuple(member_groups.get(tid, ())))
                for tid in order
            ]
            rows: list[SheetRow] = []
            for target, region in targets:
                for aspect, sub, crit in aspects:
                    key = (target.id, aspect.id)
                    raw = dict(marks.get(key, {}))
                    state, points = results.get(key, ("incomplete", None))
                    rows.append(
                        SheetRow(
                            target_id=target.id,
                            number=target.number,
                            participant=_label_name(target),
                            region=region,
                            criterion_code=crit.code,
                            criterion_title=crit.title,
                            subcriterion_code=sub.code,
                            subcriterion_title=sub.title,
                            group_code=group_codes.get(sub.group_id) if sub.group_id else None,
                            aspect_id=aspect.id,
                            aspect_code=aspect.code,
                            aspect_title=aspect.title,
                            kind=aspect.kind,
                            max_points=Decimal(aspect.max_points),
                            marks={e: shown_mark(aspect, v) for e, v in raw.items()},
                            raw=raw,
                            stale=frozenset(stale.get(key, ())),
                            state=state,
                            points=Decimal(points) if points is not None else None,
                        )
                    )
            return ScoreSheets(
                scheme_id=scheme.id,
                contest_title=contest.title if contest else "",
                title=scheme.title,
                timezone=contest.timezone if contest else "Europe/Moscow",
                scores_locked_at=scheme.scores_locked_at,
                experts=experts,
                rows=rows,
            )

    async def experts_with_unscored(self, scheme_id: int) -> list[tuple[int, int]]:
        """For the reminder (R-REM-3): (telegram id, unscored count) of the experts with
        aspects still lacking their mark or flagged for a re-score; empty unless the scheme
        is locked and its scores are not."""
        async with self.read() as s:
            scheme = await self._scheme(s, scheme_id)
            return await unscored_by_expert(s, scheme)


__all__ = [
    "ScoreSheets",
    "ScoringReportService",
    "SheetExpert",
    "SheetRow",
    "shown_mark",
    "unscored_by_expert",
]
