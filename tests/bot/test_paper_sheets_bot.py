"""Paper backup sheets in the chat (issue #16, seed 002 §6.7): the chief expert opens
«🖨 Бумажные ведомости» from their screen, is told the PDF is being prepared and gets it as a
document; a forged press by an expert gets the Russian refusal and no document."""

from __future__ import annotations

import io

from aiogram.methods import SendDocument
from pypdf import PdfReader

from bot.handlers.scoring.callbacks import ChiefCb
from bot.handlers.scoring.paper import PaperAction, PaperCb
from tests.builders import CHIEF, World, participants, small_scheme


def documents(world: World, chat_id: int) -> list[SendDocument]:
    return [
        r
        for r in world.session.requests
        if isinstance(r, SendDocument) and str(r.chat_id) == str(chat_id)
    ]


def pdf_text(sent: SendDocument) -> str:
    data = sent.document.data  # type: ignore[union-attr]
    return " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


async def scheme(world: World, *, lock: bool = True) -> int:
    await participants(world, 2)
    sc = world.services
    sid = (await sc.schemes.load_scheme(CHIEF, 1, small_scheme())).scheme_id
    if lock:
        await sc.schemes.lock_scheme(CHIEF, sid)
    await sc.scoring_setup.build_targets(CHIEF, sid)
    return sid


async def test_the_chief_prints_blank_and_filled_sheets(world: World) -> None:
    sid = await scheme(world)
    chief = world.person(CHIEF, "Павел")
    await chief.press_data(ChiefCb(scheme_id=sid).pack())
    reply = await chief.press("Бумажные ведомости")
    assert "Бумажные ведомости" in reply and "Чистые ведомости" in reply
    assert chief.has_button("Чистые: все субкритерии") and chief.has_button("1.2 Второй")
    assert chief.has_button("Заполненная: группа G1")

    reply = await chief.press("1.1 Первый")
    assert "Готовлю PDF: 2 ведомости" in reply
    [sent] = documents(world, CHIEF)
    assert sent.document.filename == f"blank-{sid}-1.1.pdf"  # type: ignore[union-attr]
    assert "Чистые ведомости: субкритерий 1.1 — 2 ведомости" in (sent.caption or "")
    text = pdf_text(sent)
    assert "Рукописная ведомость оценки" in text and "Орлов Дмитрий" in text
    assert chief.has_button("К бумажным ведомостям")

    await chief.press("К бумажным ведомостям")
    reply = await chief.press("Заполненная: группа G2")
    assert "Готовлю PDF ведомости группы G2" in reply
    sent = documents(world, CHIEF)[-1]
    assert sent.document.filename == f"group-{sid}-G2.pdf"  # type: ignore[union-attr]
    assert "Ведомость оценки группы G2" in pdf_text(sent)


async def test_a_forged_press_by_an_expert_is_refused_and_nothing_is_sent(world: World) -> None:
    sid = await scheme(world)
    expert = world.person(100004, "Дмитрий")
    for action in (PaperAction.MENU, PaperAction.BLANK, PaperAction.GROUP):
        reply = await expert.press_data(PaperCb(scheme_id=sid, action=action, item=1).pack())
        assert "только главный эксперт" in reply, action
        assert "Готовлю" not in reply
    assert documents(world, 100004) == []


async def test_before_the_scheme_lock_the_chief_is_told_why(world: World) -> None:
    sid = await scheme(world, lock=False)
    chief = world.person(CHIEF, "Павел")
    reply = await chief.press_data(PaperCb(scheme_id=sid).pack())
    assert "после блокировки схемы оценки" in reply
    assert not chief.has_button("Чистые: все субкритерии")
    reply = await chief.press_data(PaperCb(scheme_id=sid, action=PaperAction.BLANK).pack())
    assert "после блокировки схемы оценки" in reply and "Готовлю" not in reply
    assert documents(world, CHIEF) == []
