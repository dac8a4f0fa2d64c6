"""An expert's own sheet and the conflict check of a changed cell (issue #16): what the Mini
App and the chat's review show, and what ``enter_mark(expect=…)`` refuses (R-SCO-1, R-SCO-4)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.scoring import Expected
from models.tables import AuditRecord, Score
from tests.builders import G1, MENTOR, setup


async def _score_row(services: Services, target: int, aspect: int, expert: int) -> Score | None:
    async with services.ctx.sessionmaker() as s:
        return (
            await s.execute(
                select(Score).where(
                    Score.target_id == target,
                    Score.aspect_id == aspect,
                    Score.expert_telegram_id == expert,
                )
            )
        ).scalar_one_or_none()


async def _audits(services: Services, action: str) -> list[AuditRecord]:
    async with services.ctx.sessionmaker() as s:
        return list(
            (await s.execute(select(AuditRecord).where(AuditRecord.action == action))).scalars()
        )


async def test_sheet_by_subcriterion_with_own_marks_and_what_is_missing(
    services: Services, contest_id: int
) -> None:
    st = await setup(services, contest_id, count=1, mentor=False)
    t = st.targets[0]
    e = 100005  # in G1 (1.1) and G2 (1.2)
    await services.marks.enter_mark(e, t, st.aspects["1.1.1"], 2)
    await services.marks.enter_mark(e, t, st.aspects["1.1.b"], 0)
    sheet = await services.expert_sheets.sheet(e, t)
    assert [sec.code for sec in sheet.sections] == ["1.1", "1.2"]
    first = {c.code: c for c in sheet.sections[0].cells}
    assert (first["1.1.1"].value, first["1.1.b"].value, first["1.1.d"].value) == (2, 0, None)
    assert [o.label for o in first["1.1.d"].options][1].startswith("частично")
    assert (sheet.sections[0].missing, sheet.sections[1].missing) == (1, 2)
    assert (sheet.scored, sheet.total, sheet.editable) == (2, 5, True)
    # an expert of G1 only sees 1.1; the chief expert (no group) is refused
    only = await services.expert_sheets.sheet(100004, t)
    assert [sec.code for sec in only.sections] == ["1.1"]
    with pytest.raises(Forbidden):
        await services.expert_sheets.sheet(100006, t)


async def test_mentor_does_not_get_their_participants_sheet(
    services: Services, contest_id: int
) -> None:
    st = await setup(services, contest_id, count=2)  # MENTOR mentors targets[0] (R-ROLE-3)
    with pytest.raises(Forbidden):
        await services.expert_sheets.sheet(MENTOR, st.targets[0])
    assert (await services.expert_sheets.sheet(MENTOR, st.targets[1])).total == 2


async def test_rescore_says_who_triggered_it_and_shows_the_group_marks(
    services: Services, contest_id: int
) -> None:
    """R-SCO-1: only the mark that completes a spread over one flags the aspect; re-entering
    before the others is no new comparison; the compared marks stay visible meanwhile."""
    st = await setup(services, contest_id, count=1, mentor=False)
    t, a = st.targets[0], st.aspects["1.1.1"]
    outs = [
        await services.marks.enter_mark(e, t, a, v) for e, v in zip(G1, (0, 0, 2, 3), strict=True)
    ]
    assert [o.flagged for o in outs] == [False, False, False, True]
    assert outs[-1].state == "rescore" and outs[-1].round == 1
    [rec] = await _audits(services, "score.rescore")
    assert rec.after["by_expert"] == {str(e): v for e, v in zip(G1, (0, 0, 2, 3), strict=True)}
    cell = (await services.expert_sheets.sheet(G1[0], t)).sections[0].cells[0]
    assert (cell.value, cell.stale, cell.round, cell.group_marks) == (0, True, 1, (0, 0, 2, 3))
    item = await services.marks.score_item(G1[0], t, a)
    assert item is not None and item.group_marks == (0, 0, 2, 3) and item.round == 1
    again = await services.marks.enter_mark(G1[0], t, a, 1)
    assert (again.state, again.flagged) == ("rescore", False)
    cell = (await services.expert_sheets.sheet(G1[0], t)).sections[0].cells[0]
    assert (cell.value, cell.stale, cell.group_marks) == (1, False, ())


async def test_a_cell_changed_elsewhere_is_a_conflict_and_changes_nothing(
    services: Services, contest_id: int
) -> None:
    st = await setup(services, contest_id, count=1, mentor=False)
    t, a, e = st.targets[0], st.aspects["1.1.1"], G1[0]
    await services.marks.enter_mark(e, t, a, 1, expect=Expected(None, 0))
    # the phone still thinks the cell is empty, the chat set 1: 3 is refused
    with pytest.raises(DomainError) as err:
        await services.marks.enter_mark(e, t, a, 3, expect=Expected(None, 0))
    assert err.value.code == "mark_conflict" and err.value.args_["current"] == 1
    assert (await _score_row(services, t, a, e)).value == 1  # type: ignore[union-attr]
    # the same mark sent again (its answer lost): saved once, no second audit row
    out = await services.marks.enter_mark(e, t, a, 1, expect=Expected(None, 0))
    assert out.changed is False
    assert len(await _audits(services, "score.enter")) == 1
    # the group was asked to re-score meanwhile: a change with the old round is refused
    for other, v in zip(G1[1:], (3, 3, 3), strict=True):
        await services.marks.enter_mark(other, t, a, v)
    with pytest.raises(DomainError) as err:
        await services.marks.enter_mark(e, t, a, 2, expect=Expected(1, 0))
    assert err.value.code == "mark_conflict"
    await services.marks.enter_mark(e, t, a, 2, expect=Expected(1, 1))
    assert (await _score_row(services, t, a, e)).value == 2  # type: ignore[union-attr]
