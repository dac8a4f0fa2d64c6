"""The bulk mark builder (tests/builders.py ``bulk_score``) leaves the very rows that entering
every mark through ``services.marks.enter_mark`` leaves — marks, the groups' aspect results
(R-SCO-1…3), the audit of every entry (R-SCO-7) and the results computed from them — on
SQLite and PostgreSQL. Heavy preconditions use it; tests of entry itself never do."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select

from models.services import Services
from models.tables import AspectResult, AuditRecord, EvaluationTarget, Score
from tests.builders import (
    G1,
    LEVELS,
    BulkItem,
    Setup,
    bulk_score,
    level_mark,
    setup,
    small_scheme,
)

#: G1 and G2 both, the mentor (100010) among them: their own participant is not theirs to score
EXPERTS = (*G1, 100009, 100010)


def value_of(st: Setup, levels: dict[int, int]) -> Any:
    def value(_expert: int, item: BulkItem) -> int:
        return level_mark(item.kind, levels[st.targets.index(item.target_id)])

    return value


async def by_service(services: Services, st: Setup, experts: tuple[int, ...], levels: Any) -> int:
    """Mark by mark, as an expert in the chat: the next item of the worklist, then the mark."""
    entered = 0
    for e in experts:
        for t in (await services.marks.worklist(e, st.scheme_id)).targets:
            level = levels[st.targets.index(t.target_id)]
            while (item := await services.marks.score_item(e, t.target_id)) is not None:
                await services.marks.enter_mark(
                    e, t.target_id, item.aspect_id, level_mark(item.kind, level)
                )
                entered += 1
    return entered


async def state(services: Services, scheme_id: int, audit_from: int) -> dict[str, Any]:
    """Every row the marks leave, ids counted from the first one written (PostgreSQL's
    sequences go on after a delete) and entity ids of the audit read through them."""
    async with services.ctx.sessionmaker() as s:
        scores = [
            dict(r)
            for r in (
                await s.execute(
                    select(Score.__table__)
                    .join(EvaluationTarget, EvaluationTarget.id == Score.target_id)
                    .where(EvaluationTarget.scheme_id == scheme_id)
                    .order_by(Score.id)
                )
            ).mappings()
        ]
        results = [
            dict(r)
            for r in (
                await s.execute(
                    select(AspectResult.__table__)
                    .where(AspectResult.scheme_id == scheme_id)
                    .order_by(AspectResult.id)
                )
            ).mappings()
        ]
        audit = [
            dict(r)
            for r in (
                await s.execute(
                    select(AuditRecord.__table__)
                    .where(AuditRecord.id >= audit_from)
                    .order_by(AuditRecord.id)
                )
            ).mappings()
        ]
    score_no = {r["id"]: i for i, r in enumerate(scores)}
    for i, r in enumerate(scores):
        r["id"] = i
    for i, r in enumerate(results):
        r["id"] = i
    for i, r in enumerate(audit):
        r["id"] = i
        if r["entity"] == "score":
            r["entity_id"] = score_no[r["entity_id"]]
    return {"scores": scores, "aspect_results": results, "audit_log": audit}


async def forget_marks(services: Services, scheme_id: int, audit_from: int) -> None:
    async with services.ctx.sessionmaker() as s:
        targets = select(EvaluationTarget.id).where(EvaluationTarget.scheme_id == scheme_id)
        await s.execute(delete(Score).where(Score.target_id.in_(targets)))
        await s.execute(delete(AspectResult).where(AspectResult.scheme_id == scheme_id))
        await s.execute(delete(AuditRecord).where(AuditRecord.id >= audit_from))
        await s.commit()


async def next_audit_id(services: Services) -> int:
    async with services.ctx.sessionmaker() as s:
        return (
            int(
                (await s.execute(select(AuditRecord.id).order_by(AuditRecord.id.desc())))
                .scalars()
                .first()
                or 0
            )
            + 1
        )


@pytest.mark.parametrize(
    ("judgements", "levels", "experts"),
    [
        (1, LEVELS, EXPERTS),  # everything scored, the mentor's participant by the others
        (2, {0: 3, 1: 1, 2: 2, 3: 0}, (*G1,)),  # G2 left out: its aspects stay incomplete
    ],
)
async def test_bulk_marks_equal_marks_entered_one_by_one(
    services: Services,
    contest_id: int,
    judgements: int,
    levels: dict[int, int],
    experts: tuple[int, ...],
) -> None:
    st = await setup(services, contest_id, d=small_scheme(judgements=judgements))
    start = await next_audit_id(services)

    entered = await by_service(services, st, experts, levels)
    one_by_one = await state(services, st.scheme_id, start)
    results = await services.results.compute_results(st.scheme_id)
    await forget_marks(services, st.scheme_id, start)

    start = await next_audit_id(services)
    assert await bulk_score(services, st.scheme_id, experts, value_of(st, levels)) == entered
    assert await state(services, st.scheme_id, start) == one_by_one
    assert await services.results.compute_results(st.scheme_id) == results
    assert entered == len(one_by_one["scores"]) == len(one_by_one["audit_log"]) > 0


async def test_bulk_after_marks_entered_completes_the_results(
    services: Services, contest_id: int
) -> None:
    """Bulk marks on top of marks already entered, by others (score_all after score_all) and
    by the same expert (fill_by_service finishing a worklist)."""
    st = await setup(services, contest_id)
    value = value_of(st, LEVELS)
    start = await next_audit_id(services)
    await by_service(services, st, (*G1, 100009), LEVELS)
    await by_service(services, st, (100010,), LEVELS)
    one_by_one = await state(services, st.scheme_id, start)
    await forget_marks(services, st.scheme_id, start)

    start = await next_audit_id(services)
    await by_service(services, st, (*G1, 100009), LEVELS)
    # the mentor's first mark by hand: bulk gives the rest, as score_item would pick them
    first = await services.marks.score_item(100010, st.targets[1])
    assert first is not None
    await services.marks.enter_mark(
        100010, st.targets[1], first.aspect_id, level_mark(first.kind, LEVELS[1])
    )
    await bulk_score(services, st.scheme_id, (100010,), value)
    assert await state(services, st.scheme_id, start) == one_by_one


async def test_bulk_refuses_marks_that_disagree(services: Services, contest_id: int) -> None:
    """A re-score (R-SCO-1) is entry's business: the bulk builder writes agreeing marks only."""
    st = await setup(services, contest_id)
    with pytest.raises(AssertionError, match="rescore"):
        await bulk_score(
            services,
            st.scheme_id,
            G1,
            lambda e, item: level_mark(item.kind, 3 if e == G1[0] else 0),
        )
