"""The protocols the scoring steps produce (R-PRO-1): their content, made in the
transaction of the step, and handed to :func:`models.services.protocols.issue`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules
from models.phrases import phrase
from models.rules import short_name
from models.services.base import UnitOfWork, count_rows
from models.services.protocols import issue, table
from models.services.scoring.people import person_names
from models.services.scoring.reading import scheme_aspects
from models.services.scoring.views import ResultLine
from models.tables import (
    AspectResult,
    AssessmentGroup,
    Contest,
    EvaluationTarget,
    GroupMember,
    Participant,
    Person,
    Scheme,
    SchemeAspect,
    SchemeCriterion,
    SchemeSubcriterion,
    Score,
)


def _pts(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def _at(value: datetime | None, tz: str) -> str:
    """When a step recorded happened (written in the same transaction, so set)."""
    return "—" if value is None else rules.format_local(value, tz)


def target_label(target: EvaluationTarget) -> str:
    """«№3 Петрова Мария Ивановна»: how a participant on an evaluation list is named."""
    name = target.participant.full_name if target.participant is not None else None
    return f"№{target.number} {name}" if name else f"№{target.number}"


async def _tz(s: AsyncSession, scheme: Scheme) -> str:
    contest = await s.get(Contest, scheme.contest_id)
    return contest.timezone if contest else "Europe/Moscow"


async def _members(s: AsyncSession, scheme_id: int) -> list[int]:
    rows = (
        await s.execute(
            select(GroupMember.telegram_id)
            .join(AssessmentGroup, AssessmentGroup.id == GroupMember.group_id)
            .where(AssessmentGroup.scheme_id == scheme_id)
            .order_by(AssessmentGroup.id, GroupMember.id)
        )
    ).scalars()
    return list(dict.fromkeys(rows))


async def _subcriteria_rows(s: AsyncSession, scheme_id: int) -> list[list[str]]:
    groups = {
        g.id: g.code
        for g in (
            await s.execute(select(AssessmentGroup).where(AssessmentGroup.scheme_id == scheme_id))
        ).scalars()
    }
    rows = []
    for crit in (
        await s.execute(
            select(SchemeCriterion)
            .where(SchemeCriterion.scheme_id == scheme_id)
            .options(
                selectinload(SchemeCriterion.subcriteria).selectinload(SchemeSubcriterion.aspects)
            )
            .order_by(SchemeCriterion.position)
        )
    ).scalars():
        for sub in crit.subcriteria:
            points = sum((Decimal(a.max_points) for a in sub.aspects), Decimal(0))
            rows.append(
                [
                    f"{crit.code} {crit.title}",
                    f"{sub.code} {sub.title}",
                    str(len(sub.aspects)),
                    _pts(points),
                    groups.get(sub.group_id, "—") if sub.group_id is not None else "—",
                ]
            )
    return rows


_SUBCRITERIA_HEADER = [
    phrase("doc-pro-col-criterion"),
    phrase("doc-pro-col-subcriterion"),
    phrase("doc-pro-col-aspects"),
    phrase("doc-pro-col-points"),
    phrase("doc-pro-col-group"),
]
_SUBCRITERIA_WIDTHS = [0.28, 0.38, 0.1, 0.1, 0.14]
_MEDALS = ("gold", "silver", "bronze")


async def scheme_lock(uow: UnitOfWork, scheme: Scheme, actor: int | None) -> None:
    """Протокол блокировки схемы оценки (R-SCH-3): the date and time of the lock."""
    s = uow.session
    tz = await _tz(s, scheme)
    signers = [(scheme.chief_telegram_id, "chief")] if scheme.chief_telegram_id else []
    signers += [(m, "group_member") for m in await _members(s, scheme.id)]
    rows = await _subcriteria_rows(s, scheme.id)
    await issue(
        uow,
        contest_id=scheme.contest_id,
        scheme_id=scheme.id,
        kind="scheme_lock",
        subject_key=f"scheme:{scheme.id}",
        title=phrase("doc-pro-scheme-lock-title", scheme=scheme.title),
        paragraphs=[
            phrase("doc-pro-scheme-lock-locked", at=_at(scheme.locked_at, tz)),
            phrase("doc-pro-scheme-lock-sha", sha=scheme.source_sha256),
        ],
        tables=[
            table(
                phrase("doc-pro-table-subcriteria"), _SUBCRITERIA_HEADER, rows, _SUBCRITERIA_WIDTHS
            )
        ],
        signers=signers,
        actor=actor,
    )


async def score_lock(uow: UnitOfWork, scheme: Scheme, actor: int, experts: list[int]) -> None:
    """Протокол блокировки оценок (R-SCO-5), signed by all experts (R-PRO-1). It names what
    was locked, never a mark (nobody sees other participants' scores, R-SCO-5)."""
    s = uow.session
    tz = await _tz(s, scheme)
    targets = await count_rows(s, EvaluationTarget, EvaluationTarget.scheme_id == scheme.id)
    signers = [(scheme.chief_telegram_id, "chief")] if scheme.chief_telegram_id else []
    signers += [(e, "expert") for e in experts]
    await issue(
        uow,
        contest_id=scheme.contest_id,
        scheme_id=scheme.id,
        kind="score_lock",
        subject_key=f"scores:{scheme.id}",
        title=phrase("doc-pro-score-lock-title", scheme=scheme.title),
        paragraphs=[
            phrase(
                "doc-pro-score-lock-locked",
                at=_at(scheme.scores_locked_at, tz),
                targets=targets,
            ),
            phrase("doc-pro-score-lock-rules"),
        ],
        tables=[
            table(
                phrase("doc-pro-table-locked"),
                _SUBCRITERIA_HEADER,
                await _subcriteria_rows(s, scheme.id),
                _SUBCRITERIA_WIDTHS,
            )
        ],
        signers=signers,
        actor=actor,
    )


async def sheet_rows(
    s: AsyncSession, target: EvaluationTarget, scheme: Scheme, subcriterion_id: int | None = None
) -> tuple[list[list[str]], Decimal]:
    one = () if subcriterion_id is None else (SchemeAspect.subcriterion_id == subcriterion_id,)
    aspects = await scheme_aspects(s, scheme.id, *one)
    scores = (
        (
            await s.execute(
                select(Score).where(Score.target_id == target.id).order_by(Score.expert_telegram_id)
            )
        )
        .scalars()
        .all()
    )
    # whose mark is whose (issue #16): a correction protocol shows whose mark changed
    names = await person_names(s, scheme.contest_id, {sc.expert_telegram_id for sc in scores})
    marks: dict[int, list[str]] = defaultdict(list)
    for sc in sorted(scores, key=lambda m: (names[m.expert_telegram_id], m.expert_telegram_id)):
        marks[sc.aspect_id].append(f"{short_name(names[sc.expert_telegram_id])}: {sc.value}")
    results = {
        r.aspect_id: r
        for r in (
            await s.execute(select(AspectResult).where(AspectResult.target_id == target.id))
        ).scalars()
    }
    rows, total = [], Decimal(0)
    for a in aspects:
        r = results.get(a.id)
        points = Decimal(r.points) if r is not None and r.points is not None else None
        total += points or 0
        rows.append(
            [
                a.code,
                a.title,
                _pts(Decimal(a.max_points)),
                "; ".join(marks.get(a.id, [])) or "—",
                _pts(points),
            ]
        )
    return rows, total


_SHEET_HEADER = [
    phrase("doc-pro-col-aspect"),
    phrase("doc-pro-col-title"),
    phrase("doc-pro-col-max"),
    phrase("doc-pro-col-marks"),
    phrase("doc-pro-col-score"),
]
_SHEET_WIDTHS = [0.09, 0.34, 0.08, 0.37, 0.12]  # the marks column names the experts


async def mentor_sheet(
    uow: UnitOfWork,
    scheme: Scheme,
    target: EvaluationTarget,
    actor: int,
) -> None:
    """The locked sheet of one participant, signed by their mentor (R-SCO-5)."""
    s = uow.session
    rows, total = await sheet_rows(s, target, scheme)
    await issue(
        uow,
        contest_id=scheme.contest_id,
        scheme_id=scheme.id,
        kind="mentor_sheet",
        subject_key=f"mentor:{target.id}",
        title=phrase("doc-pro-sheet-title", target=target_label(target)),
        paragraphs=[
            phrase("doc-pro-sheet-total", target=target_label(target), total=_pts(total)),
            phrase("doc-pro-sheet-confirmed"),
        ],
        tables=[table(None, _SHEET_HEADER, rows, _SHEET_WIDTHS)],
        signers=[(target.mentor_telegram_id, "mentor")] if target.mentor_telegram_id else [],
        actor=actor,
    )


async def correction(
    uow: UnitOfWork,
    scheme: Scheme,
    target: EvaluationTarget,
    subcriterion: SchemeSubcriterion,
    correction_id: int,
    reason: str,
    signers: list[int],
    chief: int,
    mentor: int | None,
    actor: int,
    *,
    corrected: bool,
) -> None:
    """Протокол корректировки (R-SCO-6): before the unlock it shows the marks as locked;
    after the relock the corrected ones — a new version, so everyone signs again."""
    s = uow.session
    rows, total = await sheet_rows(s, target, scheme, subcriterion.id)
    roles = []
    for tid in signers:
        roles.append(
            (tid, "chief" if tid == chief else "mentor" if tid == mentor else "group_member")
        )
    stage = phrase("doc-pro-correction-after" if corrected else "doc-pro-correction-before")
    await issue(
        uow,
        contest_id=scheme.contest_id,
        scheme_id=scheme.id,
        kind="correction",
        subject_key=f"correction:{correction_id}",
        title=phrase(
            "doc-pro-correction-title",
            id=correction_id,
            target=target_label(target),
            subcriterion=subcriterion.code,
        ),
        paragraphs=[
            phrase("doc-pro-correction-reason", reason=reason),
            stage,
            phrase("doc-pro-correction-points", points=_pts(total)),
        ],
        tables=[
            table(f"{subcriterion.code} {subcriterion.title}", _SHEET_HEADER, rows, _SHEET_WIDTHS)
        ],
        signers=roles,
        actor=actor,
    )


async def results(
    uow: UnitOfWork,
    scheme: Scheme,
    lines: Sequence[ResultLine],
    signers: list[int],
    actor: int | None,
    *,
    dry_run: bool = False,
) -> tuple[int, int, bool]:
    """Протокол результатов работы экспертной комиссии (R-PRO-1, R-RES-1)."""
    rows = [
        [
            str(ln.place),
            ln.label,
            ln.region or "—",
            _pts(ln.total),
            phrase("doc-pro-medal", medal=ln.medal) if ln.medal in _MEDALS else "—",
            phrase("doc-pro-advances") if ln.advances else "",
        ]
        for ln in lines
    ]
    chief = scheme.chief_telegram_id
    roles = [(chief, "chief")] if chief else []
    roles += [(m, "commission") for m in signers if m != chief]
    return await issue(
        uow,
        contest_id=scheme.contest_id,
        scheme_id=scheme.id,
        kind="results",
        subject_key=f"results:{scheme.id}",
        title=phrase("doc-pro-results-title", scheme=scheme.title),
        paragraphs=[phrase("doc-pro-results-rules")],
        tables=[
            table(
                phrase("doc-pro-table-ranking"),
                [
                    phrase("doc-pro-col-place"),
                    phrase("doc-pro-col-participant"),
                    phrase("doc-pro-col-region"),
                    phrase("doc-pro-col-score"),
                    phrase("doc-pro-col-medal"),
                    "",
                ],
                rows,
                [0.08, 0.36, 0.2, 0.1, 0.12, 0.14],
            )
        ],
        signers=roles,
        actor=actor,
        dry_run=dry_run,
    )


async def task_briefing(uow: UnitOfWork, scheme: Scheme, actor: int) -> tuple[int, int, bool]:
    """Протокол ознакомления с конкурсным заданием (R-PRO-1): the participants on the list
    confirm they were briefed on the task; the chief expert signs too."""
    s = uow.session
    tz = await _tz(s, scheme)
    rows = (
        await s.execute(
            select(EvaluationTarget, Person.telegram_id)
            .join(Participant, Participant.id == EvaluationTarget.participant_id)
            .join(Person, Person.id == Participant.person_id)
            .where(EvaluationTarget.scheme_id == scheme.id, Participant.withdrawn_at.is_(None))
            .options(selectinload(EvaluationTarget.participant))
            .order_by(EvaluationTarget.number)
        )
    ).all()
    signers = [(scheme.chief_telegram_id, "chief")] if scheme.chief_telegram_id else []
    signers += [(tid, "participant") for _, tid in rows]
    return await issue(
        uow,
        contest_id=scheme.contest_id,
        scheme_id=scheme.id,
        kind="task_briefing",
        subject_key=f"briefing:{scheme.id}",
        title=phrase("doc-pro-briefing-title", scheme=scheme.title),
        paragraphs=[phrase("doc-pro-briefing-text", at=rules.format_local(uow.now, tz))],
        tables=[
            table(
                phrase("doc-pro-table-participants"),
                [phrase("doc-pro-col-number"), phrase("doc-pro-col-participant")],
                [[str(t.number), target_label(t)] for t, _ in rows],
                [0.15, 0.85],
            )
        ],
        signers=signers,
        actor=actor,
    )
