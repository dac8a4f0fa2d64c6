"""Steps several scoring services share: module-level functions over the caller's session
or unit of work (never another service's private member)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules
from models.errors import DomainError, Forbidden, NotFound
from models.rules import AspectKind
from models.services.access import (
    is_expert,
)
from models.services.base import UnitOfWork
from models.services.base import lock as lock_row
from models.services.scoring.people import person_name as person_name
from models.services.scoring.people import person_names as person_names
from models.services.scoring.protocols import target_label
from models.services.scoring.reading import scheme_aspects
from models.services.scoring.views import (
    Option,
    SheetLine,
    TargetSheet,
)
from models.tables import (
    AspectResult,
    AssessmentGroup,
    Contest,
    Correction,
    EvaluationTarget,
    GroupMember,
    Scheme,
    SchemeAspect,
    SchemeSubcriterion,
    Score,
    SheetConfirmation,
)

MAX_REASON = 1000


def insert_for(s: AsyncSession) -> Any:
    return postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert


async def share_row(s: AsyncSession, model: Any, row_id: int) -> Any:
    """Hold one row against a concurrent transition without blocking other readers of it:
    PostgreSQL ``SELECT … FOR SHARE`` (many marks are entered at once, but the score lock,
    which takes the row ``FOR UPDATE``, waits for them and they wait for it). SQLite: the unit
    of work already holds the write lock."""
    stmt = (
        select(model)
        .where(model.id == row_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    return (await s.execute(stmt)).scalar_one_or_none()


async def contest_tz(s: AsyncSession, contest_id: int) -> str:
    contest = await s.get(Contest, contest_id)
    return contest.timezone if contest else "Europe/Moscow"


def option_table(aspect: SchemeAspect) -> list[Decimal]:
    return [Decimal(str(o["points"])) for o in aspect.options]


def aspect_outcome(aspect: SchemeAspect, values: list[int]) -> tuple[str, Decimal | None]:
    """The group's result for an aspect once all of its marks are in (R-SCO-1…3)."""
    kind = AspectKind(aspect.kind)
    if kind is AspectKind.JUDGEMENT:
        if rules.judgement_needs_rescore(values):
            return "rescore", None
        return "scored", rules.judgement_points(values, aspect.max_points)
    if kind is AspectKind.BINARY:
        points = rules.binary_points([bool(v) for v in values], aspect.max_points)
        return ("tie", None) if points is None else ("scored", points)
    points = rules.discrete_group_points(values, option_table(aspect))
    return ("tie", None) if points is None else ("scored", points)


def check_value(aspect: SchemeAspect, value: int) -> None:
    """A mark in the aspect's range (R-SCO-1…3), or a Russian refusal."""
    kind = AspectKind(aspect.kind)
    high = (
        3
        if kind is AspectKind.JUDGEMENT
        else 1
        if kind is AspectKind.BINARY
        else len(aspect.options) - 1
    )
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise DomainError("mark_out_of_range", high=high)


async def scheme_row(s: AsyncSession, scheme_id: int, *, lock: bool = False) -> Scheme:
    if lock:  # the first read of a transition on the scheme (R-SCH-3, R-SCO-5)
        scheme = await lock_row(s, Scheme, scheme_id)
    else:
        scheme = (
            await s.execute(select(Scheme).where(Scheme.id == scheme_id))
        ).scalar_one_or_none()
    if scheme is None:
        raise NotFound("scheme_not_found")
    return scheme


async def target_row(s: AsyncSession, target_id: int) -> tuple[EvaluationTarget, Scheme]:
    target = (
        await s.execute(
            select(EvaluationTarget)
            .where(EvaluationTarget.id == target_id)
            .options(selectinload(EvaluationTarget.participant))
        )
    ).scalar_one_or_none()
    if target is None:
        raise NotFound("target_not_found")
    return target, await scheme_row(s, target.scheme_id)


async def groups_of(s: AsyncSession, telegram_id: int, scheme_id: int) -> list[int]:
    return list(
        (
            await s.execute(
                select(GroupMember.group_id)
                .join(AssessmentGroup, AssessmentGroup.id == GroupMember.group_id)
                .where(
                    AssessmentGroup.scheme_id == scheme_id,
                    GroupMember.telegram_id == telegram_id,
                )
            )
        ).scalars()
    )


async def tell(
    uow: UnitOfWork,
    telegram_id: int | None,
    subject: str,
    key: str,
    args: dict[str, Any],
    *,
    reason: str,
    keyboard: list[list[dict[str, str]]] | None = None,
) -> None:
    if telegram_id is not None:
        await uow.notify_person(
            telegram_id, reason=reason, subject=subject, key=key, args=args, keyboard=keyboard
        )


async def assigned_aspects(
    s: AsyncSession, telegram_id: int, scheme_id: int, groups: list[int] | None = None
) -> list[SchemeAspect]:
    if groups is None:
        groups = await groups_of(s, telegram_id, scheme_id)
    if not groups:
        return []
    return await scheme_aspects(s, scheme_id, SchemeSubcriterion.group_id.in_(groups))


async def scoreable_targets(
    s: AsyncSession, telegram_id: int, scheme_id: int
) -> list[EvaluationTarget]:
    """The targets an expert scores: all but the one they are mentor of, unless every
    expert of the competence allowed it (R-ROLE-3)."""
    rows = (
        await s.execute(
            select(EvaluationTarget)
            .where(EvaluationTarget.scheme_id == scheme_id)
            .options(selectinload(EvaluationTarget.participant))
            .order_by(EvaluationTarget.number)
        )
    ).scalars()
    return [
        t for t in rows if t.mentor_telegram_id != telegram_id or t.mentor_allowed_at is not None
    ]


async def my_marks(
    s: AsyncSession, telegram_id: int, scheme_id: int, *, lock: bool = False
) -> dict[tuple[int, int], Score]:
    stmt = (
        select(Score)
        .join(EvaluationTarget, EvaluationTarget.id == Score.target_id)
        .where(EvaluationTarget.scheme_id == scheme_id, Score.expert_telegram_id == telegram_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=Score)
    rows = (await s.execute(stmt)).scalars()
    return {(r.target_id, r.aspect_id): r for r in rows}


async def expert_scheme(s: AsyncSession, telegram_id: int, scheme_id: int) -> Scheme:
    scheme = await scheme_row(s, scheme_id)
    if not await is_expert(s, telegram_id, scheme.contest_id) or not await groups_of(
        s, telegram_id, scheme_id
    ):
        raise Forbidden("not_group_member")
    return scheme


async def confirmation(
    s: AsyncSession,
    scheme_id: int,
    kind: str,
    telegram_id: int,
    target_id: int | None = None,
) -> SheetConfirmation | None:
    stmt = select(SheetConfirmation).where(
        SheetConfirmation.scheme_id == scheme_id,
        SheetConfirmation.kind == kind,
        SheetConfirmation.telegram_id == telegram_id,
        SheetConfirmation.revoked_at.is_(None),
    )
    if target_id is not None:
        stmt = stmt.where(SheetConfirmation.target_id == target_id)
    return (await s.execute(stmt.order_by(SheetConfirmation.id.desc()))).scalars().first()


def options_of(aspect: SchemeAspect) -> list[Option]:
    kind = AspectKind(aspect.kind)
    if kind is AspectKind.JUDGEMENT:
        return [Option(v, str(v)) for v in range(4)]
    if kind is AspectKind.BINARY:
        return [Option(1, "yes"), Option(0, "no")]
    return [Option(i, f"{o['label']} — {o['points']}") for i, o in enumerate(aspect.options)]


async def scores_unlocked(s: AsyncSession, scheme: Scheme) -> None:
    """The scores are still open; otherwise say who locked them and when (R-SCO-5)."""
    if scheme.scores_locked_at is not None:
        raise DomainError(
            "scores_locked_by",
            who=await person_name(s, scheme.contest_id, scheme.scores_locked_by),
            at=scheme.scores_locked_at,
            tz=await contest_tz(s, scheme.contest_id),
        )


def _points_of(result: AspectResult | None) -> Decimal | None:
    return None if result is None or result.points is None else Decimal(result.points)


async def sheet_of(
    s: AsyncSession,
    target: EvaluationTarget,
    scheme: Scheme,
    mentor: int | None,
    subcriterion_id: int | None = None,
) -> TargetSheet:
    one = () if subcriterion_id is None else (SchemeAspect.subcriterion_id == subcriterion_id,)
    aspects = await scheme_aspects(s, scheme.id, *one)
    marks: dict[int, dict[int, int]] = defaultdict(dict)
    for sc in (await s.execute(select(Score).where(Score.target_id == target.id))).scalars():
        marks[sc.aspect_id][sc.expert_telegram_id] = sc.value
    results = {
        r.aspect_id: r
        for r in (
            await s.execute(select(AspectResult).where(AspectResult.target_id == target.id))
        ).scalars()
    }
    lines = [
        SheetLine(
            a.id,
            a.code,
            a.title,
            a.kind,
            Decimal(a.max_points),
            dict(marks.get(a.id, {})),
            results[a.id].state if a.id in results else "incomplete",
            _points_of(results.get(a.id)),
            tuple(options_of(a)),
        )
        for a in aspects
    ]
    confirmed = (
        await confirmation(s, scheme.id, "mentor", mentor, target.id)
        if mentor is not None
        else None
    )
    return TargetSheet(
        scheme.id,
        target.id,
        target_label(target),
        lines,
        sum((ln.points for ln in lines if ln.points is not None), Decimal(0)),
        confirmed.confirmed_at if confirmed else None,
        scheme.scores_locked_at is not None,
        await person_names(s, scheme.contest_id, (e for m in marks.values() for e in m)),
    )


async def correction_row(
    s: AsyncSession, correction_id: int, *, lock: bool = False
) -> tuple[Correction, EvaluationTarget, Scheme]:
    if lock:  # the first read of a transition on the correction (R-SCO-6)
        c = await lock_row(s, Correction, correction_id)
    else:
        c = (
            await s.execute(select(Correction).where(Correction.id == correction_id))
        ).scalar_one_or_none()
    if c is None:
        raise NotFound("correction_not_found")
    target, scheme = await target_row(s, c.target_id)
    return c, target, scheme


@dataclass(frozen=True, slots=True)
class OwnTarget:
    """A target as one expert scores it: their aspects and their own marks (by aspect id)."""

    target: EvaluationTarget
    scheme: Scheme
    groups: list[int]
    aspects: list[SchemeAspect]
    marks: dict[int, Score]


async def own_target(s: AsyncSession, actor: int, target_id: int) -> OwnTarget:
    """Refused unless ``actor`` is an expert of the contest in a group of the scheme, and
    never for their own participant as mentor (R-ROLE-3) — the checks of entering a mark;
    then the aspects of their groups and their own marks (the score screen, the sheet)."""
    target, scheme = await target_row(s, target_id)
    groups = await groups_of(s, actor, scheme.id)
    if not groups or not await is_expert(s, actor, scheme.contest_id):
        raise Forbidden("not_group_member")
    if target.mentor_telegram_id == actor and target.mentor_allowed_at is None:
        raise Forbidden("mentor_conflict")
    aspects = await assigned_aspects(s, actor, scheme.id, groups)
    marks = {
        m.aspect_id: m
        for m in (
            await s.execute(
                select(Score).where(Score.target_id == target_id, Score.expert_telegram_id == actor)
            )
        ).scalars()
    }
    return OwnTarget(target, scheme, groups, aspects, marks)
