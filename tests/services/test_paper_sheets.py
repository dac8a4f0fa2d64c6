"""Paper backup sheets (issue #16, seed 002 §6.7) on SQLite and PostgreSQL: the chief expert
gets the blank handwritten sheets (one per subcriterion and participant, empty cells, a
column and a signature line for each expert of the group, by name) and a group's filled sheet
with each expert's marks, the group's result and the totals; nobody else gets either, and
nothing is printed before the scheme is locked and its participants listed.

The PDFs are read back with pypdf: what a person holding the printout would read."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from models.errors import DomainError, Forbidden, NotFound
from models.services import Services
from notifications.paper_sheets import render_blank, render_group
from tests.builders import CHIEF, G1, MENTOR, Setup, bulk_score, setup, small_scheme
from tests.conftest import COORD_MOSCOW

NAMES = {
    100004: "Орлов Дмитрий Игоревич",  # the leader of G1
    100005: "Лебедева Ирина Михайловна",
    100007: "Морозова Елена Васильевна",
    100008: "Новиков Сергей Петрович",
}
CHIEF_NAME = "Соколов Павел Андреевич"
MENTOR_NAME = "Козлов Игорь Николаевич"


def pdf_pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """The text with line breaks of wrapped cells joined (a long name may wrap)."""
    return re.sub(r"\s+", " ", text)


async def group_id(services: Services, st: Setup, code: str) -> int:
    choices = await services.paper_sheets.choices(CHIEF, st.scheme_id)
    return next(g.id for g in choices.groups if g.code == code)


async def test_blank_sheet_of_one_subcriterion_a_page_per_participant(
    services: Services, contest_id: int
) -> None:
    st = await setup(services, contest_id)
    sheets = await services.paper_sheets.blank(CHIEF, st.scheme_id, st.subs["1.1"])
    assert sheets.subcriterion_code == "1.1"
    labels = [p.target_label for p in sheets.pages]
    assert len(labels) == 4 and len(set(labels)) == 4 and all(lb.startswith("№") for lb in labels)
    page = sheets.pages[0]
    assert [a.code for a in page.aspects] == ["1.1.1", "1.1.b", "1.1.d"]
    assert [p.name for p in page.experts] == [NAMES[e] for e in G1]
    assert [p.leader for p in page.experts] == [True, False, False, False]

    pages = pdf_pages(render_blank(sheets))
    assert len(pages) == 4  # one participant a page
    for label, text in zip(labels, pages, strict=True):
        words = flat(text)
        assert "Рукописная ведомость оценки" in words
        assert "Субкритерий 1.1 Первый" in words and f"Участник: {label}" in words
        assert "Группа оценки: G1" in words
        for name in NAMES.values():  # a column and a signature line each, by name
            assert words.count(name) >= 2, name
        assert "Руководитель группы оценки" in words and "Подпись" in words
        assert "судейская: 0 / 1 / 2 / 3" in words and "☐ Да ☐ Нет" in words
        assert "не выполнено — 0; частично — 0,5; полностью — 1" in words
        assert "10000" not in words  # names, never Telegram ids


async def test_blank_sheet_has_empty_cells_whatever_was_entered(
    services: Services, contest_id: int
) -> None:
    """The blank sheet prints no mark: the same text before and after every mark is in."""
    st = await setup(services, contest_id)
    before = pdf_pages(render_blank(await services.paper_sheets.blank(CHIEF, st.scheme_id)))
    await bulk_score(services, st.scheme_id, (*G1, 100009, 100010), lambda _e, _i: 1)
    after = pdf_pages(render_blank(await services.paper_sheets.blank(CHIEF, st.scheme_id)))
    assert before == after
    # every subcriterion × participant: 2 × 4 pages, 1.1's then 1.2's
    assert len(after) == 8
    assert all("Субкритерий 1.1" in p for p in after[:4])
    assert all("Субкритерий 1.2" in p for p in after[4:])


async def test_the_mentor_column_is_struck_on_their_participants_sheet(
    services: Services, contest_id: int
) -> None:
    st = await setup(services, contest_id)  # MENTOR (of G2) is the mentor of the first target
    sheets = await services.paper_sheets.blank(CHIEF, st.scheme_id, st.subs["1.2"])
    assert [p.excluded for p in sheets.pages] == [frozenset({MENTOR}), *[frozenset()] * 3]
    pages = pdf_pages(render_blank(sheets))
    assert f"{MENTOR_NAME} — эксперт-наставник этого участника" in flat(pages[0])
    assert "эксперт-наставник" not in flat(pages[1])


async def test_filled_group_sheet_shows_each_experts_marks_and_the_result(
    services: Services, contest_id: int
) -> None:
    st = await setup(services, contest_id)
    t, judgement = st.targets[1], st.aspects["1.1.1"]
    given = {100004: 1, 100005: 2, 100007: 2, 100008: 1}
    for expert, value in given.items():
        await services.marks.enter_mark(expert, t, judgement, value)
    await services.marks.enter_mark(100004, t, st.aspects["1.1.b"], 1)
    # a spread of 3 on the third participant: a re-score, the marks set aside
    flagged = {100004: 0, 100005: 3, 100007: 1, 100008: 1}
    for expert, value in flagged.items():
        await services.marks.enter_mark(expert, st.targets[2], judgement, value)

    sheet = await services.paper_sheets.group_sheet(
        CHIEF, st.scheme_id, await group_id(services, st, "G1")
    )
    assert sheet.group_code == "G1" and [p.name for p in sheet.members] == list(NAMES.values())
    assert sheet.chief is not None and sheet.chief.name == CHIEF_NAME
    parts = {(p.subcriterion_code, p.target_label): p for p in sheet.parts}
    assert len(parts) == 4 and {code for code, _ in parts} == {"1.1"}  # G1 scores 1.1 only
    second = sheet.parts[1]
    line = second.lines[0]
    assert line.marks == given and line.state == "scored" and line.points == Decimal("1.00")
    assert second.lines[1].marks == {100004: 1} and second.lines[1].state == "incomplete"
    assert second.total == Decimal("1.00") and second.max_total == Decimal(4)
    rescored = sheet.parts[2].lines[0]
    assert rescored.state == "rescore" and rescored.stale == frozenset(flagged)

    pages = pdf_pages(render_group(sheet))
    words = flat(" ".join(pages))
    assert "Ведомость оценки группы G1" in words
    for name in (*NAMES.values(), CHIEF_NAME):
        assert name in words
    assert "Главный эксперт" in words and "Оценки ещё не заблокированы" in words
    # the row of 1.1.1 of the second participant: the four marks in column order, the result
    assert "1.1.1 Суждение 1 2 1 2 2 1 оценено 1,00" in words
    assert "1.1.b Да или нет 1 Да — — — не оценено —" in words
    assert "Итого: 1,00 из 4,00" in words
    assert "1.1.1 Суждение 1 2 (0) (3) (1) (1) повторная оценка —" in words
    assert "10000" not in words


async def test_nobody_but_the_chief_gets_a_sheet(services: Services, contest_id: int) -> None:
    st = await setup(services, contest_id)
    g1 = await group_id(services, st, "G1")
    for who in (G1[0], MENTOR, COORD_MOSCOW):  # a group leader, a mentor, a coordinator
        with pytest.raises(Forbidden) as e:
            await services.paper_sheets.blank(who, st.scheme_id, st.subs["1.1"])
        assert e.value.code == "not_chief"
        with pytest.raises(Forbidden):
            await services.paper_sheets.group_sheet(who, st.scheme_id, g1)
        with pytest.raises(Forbidden):
            await services.paper_sheets.choices(who, st.scheme_id)


async def test_wrong_subcriterion_or_group_is_not_found(
    services: Services, contest_id: int
) -> None:
    st = await setup(services, contest_id)
    with pytest.raises(NotFound) as e:
        await services.paper_sheets.blank(CHIEF, st.scheme_id, 999_999)
    assert e.value.code == "paper_subcriterion_not_found"
    with pytest.raises(NotFound) as e:
        await services.paper_sheets.group_sheet(CHIEF, st.scheme_id, 999_999)
    assert e.value.code == "paper_group_not_found"


async def test_nothing_printed_before_the_scheme_is_locked(
    services: Services, contest_id: int
) -> None:
    st = await setup(services, contest_id, lock=False)
    choices = await services.paper_sheets.choices(CHIEF, st.scheme_id)
    assert not choices.locked and choices.targets == 4
    with pytest.raises(DomainError) as e:
        await services.paper_sheets.blank(CHIEF, st.scheme_id)
    assert e.value.code == "paper_not_locked"
    with pytest.raises(DomainError) as e:
        await services.paper_sheets.group_sheet(CHIEF, st.scheme_id, choices.groups[0].id)
    assert e.value.code == "paper_not_locked"


async def test_nothing_printed_before_the_participants_are_listed(
    services: Services, contest_id: int
) -> None:
    sid = (await services.schemes.load_scheme(CHIEF, contest_id, small_scheme())).scheme_id
    await services.schemes.lock_scheme(CHIEF, sid)
    assert (await services.paper_sheets.choices(CHIEF, sid)).targets == 0
    with pytest.raises(DomainError) as e:
        await services.paper_sheets.blank(CHIEF, sid)
    assert e.value.code == "paper_no_targets"
