"""«📈 Аналитика оценивания» in the chat (issue #16): the chief expert opens it from the
setup screen and sees each expert by name with their re-score outliers and changed marks —
counts only before the score lock, the means after (R-SCO-5) — and downloads it as XLSX;
a forged press by anyone else is refused and sends nothing."""

from __future__ import annotations

import io

from aiogram.methods import SendDocument
from openpyxl import load_workbook
from sqlalchemy import select

from bot.handlers.scoring.analytics import AnalyticsCb
from models.tables import Contest
from tests.builders import CHIEF, G1, G2, Setup, World, setup

NOVIKOV, ORLOV = 100008, 100004
SHEET = "Аналитика экспертов"


async def _scored(world: World) -> Setup:
    """One participant scored by both groups: 1.1.1 first 0, 0, 2, 3 (Новиков's 3 stands
    apart, R-SCO-1), then re-scored; Орлов changes his yes/no once. All sheets confirmed."""
    sc = world.services
    async with sc.ctx.sessionmaker() as s:
        contest_id = (await s.execute(select(Contest.id))).scalar_one()
    st = await setup(sc, contest_id, count=1, mentor=False)
    t, a = st.targets[0], st.aspects
    for e, v in zip(G1, (0, 0, 2, 3), strict=True):
        await sc.marks.enter_mark(e, t, a["1.1.1"], v)
    await sc.marks.enter_mark(ORLOV, t, a["1.1.b"], 0)
    final = {
        "1.1.1": dict(zip(G1, (2, 2, 2, 1), strict=True)),
        "1.1.b": dict.fromkeys(G1, 1),
        "1.1.d": dict.fromkeys(G1, 2),
        "1.2.1": dict(zip(G2, (3, 3, 2, 2), strict=True)),
        "1.2.2": dict(zip(G2, (1, 1, 1, 2), strict=True)),
    }
    for code, marks in final.items():
        for e, v in marks.items():
            await sc.marks.enter_mark(e, t, a[code], v)
    for e in sorted({*G1, *G2}):
        await sc.marks.confirm_sheet(e, st.scheme_id)
    return st


def _line(text: str, name: str) -> str:
    """The expert's two lines of the screen."""
    lines = text.splitlines()
    i = next(i for i, ln in enumerate(lines) if name in ln)
    return lines[i] + "\n" + lines[i + 1]


def _documents(world: World, chat_id: int) -> list[SendDocument]:
    return [
        r
        for r in world.session.requests
        if isinstance(r, SendDocument)
        and str(r.chat_id) == str(chat_id)
        and world.session.succeeded(r)
    ]


async def test_chief_sees_counts_then_means_and_downloads_xlsx(world: World) -> None:
    st = await _scored(world)
    chief = world.person(CHIEF, "Павел")
    await chief.send("/scoring")
    await chief.press("Управление оцениванием")
    text = await chief.press("Аналитика оценивания")
    assert "Малая схема" in text and "только количества" in text
    novikov = _line(text, "Новиков Сергей Петрович")
    assert (
        "оценок — 3" in novikov
        and "повторных оценок — 1, из них оценка дальше всех от группы — 1" in novikov
    )
    orlov = _line(text, "Орлов Дмитрий Игоревич")
    assert "дальше всех от группы — 0" in orlov and "изменено до подтверждения — 1" in orlov
    assert "Лебедева Ирина Михайловна</b> (G1, G2)" in text
    assert "100008" not in text  # names, not Telegram ids
    assert "средняя" not in text  # R-SCO-5: no means before the lock

    await chief.press("Скачать XLSX")
    [doc] = _documents(world, CHIEF)
    assert doc.document.filename == f"analytics-{st.scheme_id}.xlsx"
    ws = load_workbook(io.BytesIO(doc.document.data))[SHEET]
    header = [c.value for c in ws[1]]
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in ws.iter_rows(min_row=2, values_only=True)
        if r[1]
    }
    assert rows["Новиков Сергей Петрович"]["Оценка дальше всех от группы"] == 1
    assert rows["Орлов Дмитрий Игоревич"]["Изменено до подтверждения"] == 1
    assert all(r["Средняя оценка (0–3)"] is None for r in rows.values())
    assert any("только количества" in str(c.value) for c in ws["A"])

    await world.services.score_lock.lock_scores(CHIEF, st.scheme_id)
    text = await chief.press("Аналитика оценивания")
    assert "только количества" not in text
    novikov = _line(text, "Новиков Сергей Петрович")
    assert "средняя 1,00 при средней группы 1,75 (−0,75)" in novikov
    await chief.press("Скачать XLSX")
    ws = load_workbook(io.BytesIO(_documents(world, CHIEF)[-1].document.data))[SHEET]
    means = {r[0]: (r[4], r[5]) for r in ws.iter_rows(min_row=2, values_only=True) if r[1]}
    assert means["Новиков Сергей Петрович"] == (1.0, 1.75)


async def test_forged_press_is_refused(world: World) -> None:
    st = await _scored(world)
    expert = world.person(ORLOV, "Дмитрий")
    for data in (
        AnalyticsCb(scheme_id=st.scheme_id),
        AnalyticsCb(scheme_id=st.scheme_id, xlsx=True),
    ):
        reply = await expert.press_data(data.pack())
        assert "только главный эксперт" in reply
        assert "Новиков" not in reply
    assert _documents(world, ORLOV) == []
