"""Scoring through the real dispatcher with the fake Bot API (R-SCH-3/4, R-SCO-1…7):
the chief expert sends the scheme and locks it, an expert scores with buttons, a spread
over one forces a re-score, the chief locks the scores, the mentor confirms their
participant's sheet, and a correction is approved, applied, relocked and signed again."""

from __future__ import annotations

import io
from pathlib import Path

from aiogram.methods import SendDocument
from openpyxl import load_workbook
from sqlalchemy import select

from bot.callbacks import CorrCb, ScoreCb
from bot.handlers.scoring.callbacks import (
    ChiefAction,
    ChiefCb,
    ConfirmSheetCb,
    CorrMarkCb,
    ResultsAction,
    ResultsCb,
    SheetCb,
)
from models.tables import AuditRecord, Score
from tests.botkit import Person
from tests.builders import (
    SCHEME,
    VALUE,
    World,
    fill_by_service,
    participants,
    send_scheme,
)
from tests.conftest import COORD_MOSCOW
from tests.fakes import document

ROOT = Path(__file__).resolve().parents[2]
CHIEF, MENTOR = 100006, 100010
G1 = (100004, 100005, 100007, 100008)
G2 = (100005, 100007, 100009, 100010)


def score_buttons(p: Person) -> list[ScoreCb]:
    out = []
    for _, _, data in p.buttons():
        if data.startswith("sc:"):
            out.append(ScoreCb.unpack(data))
    return out


async def score_all_by_chat(
    p: Person, target_id: int, kinds: dict[int, str], limit: int = 200
) -> str:
    """Press a mark on each aspect screen until the bot says the participant is done."""
    reply = ""
    for _ in range(limit):
        shown = [b for b in score_buttons(p) if b.target_id == target_id and b.value >= 0]
        if not shown:
            return reply
        aspect = shown[0].aspect_id
        value = VALUE[kinds[aspect]]
        pick = next(b for b in shown if b.aspect_id == aspect and b.value == value)
        reply = await p.press_data(
            pick.pack(), message_id=p.session.state.last_message(p.user_id)["message_id"]
        )
        if "Все ваши аспекты по этому участнику оценены" in reply:
            return reply
    raise AssertionError("scoring did not finish")


async def test_scoring_journey_in_the_chat(world: World) -> None:
    await participants(world)
    sc = world.services
    chief = world.person(CHIEF, "Павел")

    # the chief expert sends the scheme; a broken one is refused by place, in Russian
    assert "Отправьте файл схемы" in await chief.send("/scheme")
    bad = (
        SCHEME.read_text(encoding="utf-8").replace("max_points: 1.5", "max_points: 1.0", 1).encode()
    )
    reply = await send_scheme(chief, world, bad, "scheme-bad")
    assert "Схема оценки не загружена" in reply and "сумма баллов" in reply and "99.5" in reply
    assert await sc.schemes.schemes_for(CHIEF) == []  # nothing stored
    reply = await send_scheme(chief, world, SCHEME.read_bytes(), "scheme-good")
    assert "Схема оценки загружена" in reply and "аспектов — 60" in reply
    scheme_id = (await sc.schemes.schemes_for(CHIEF))[0].id
    # the same scheme as an Excel workbook is the same scheme
    await chief.send("/scheme")
    xlsx = (ROOT / "examples" / "scheme.xlsx").read_bytes()
    world.session.add_file("scheme-xlsx", xlsx)
    reply = await chief.send(
        document=document(
            "scheme-xlsx",
            "Схема.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            len(xlsx),
        )
    )
    assert "Эта схема уже загружена" in reply

    # another expert cannot load or manage it; experts are greeted with their commands
    other = world.person(100004, "Дмитрий")
    reply = await other.send("/start")
    assert "/scoring" in reply and "согласие" not in reply
    assert "Эксперту" in await other.send("/help")
    assert "только главный эксперт" in await other.send("/scheme")
    assert "только главный эксперт" in await other.press_data(
        ChiefCb(scheme_id=scheme_id, action=ChiefAction.LOCK_OK).pack()
    )

    reply = await chief.press("Управление оцениванием")
    assert "аспектов — 60" in reply and "сумма — 100" in reply and "G1" in reply
    assert "Добавлено в список оценки: 2" in await chief.press("Сформировать список участников")
    # the task-briefing protocol: each participant signs it in the chat (R-PRO-1)
    await chief.press("Управление оцениванием")
    assert "участники получат его на подпись" in await chief.press(
        "Протокол ознакомления с заданием"
    )
    await world.drain()
    participant = world.person(700001, "Мария")
    assert participant.has_button("Подписать")
    assert "Подпись сохранена" in await participant.press("Подписать")
    briefing = await world.services.protocols.by_subject("task_briefing", f"briefing:{scheme_id}")
    assert briefing is not None and [
        x.decision for x in briefing.signers if x.telegram_id == 700001
    ] == ["signed"]
    await chief.press("Управление оцениванием")
    await chief.press("Эксперты-наставники")
    await chief.press("№1")
    assert "Наставник назначен" in await chief.press("Козлов")
    await chief.send("/scoring")
    await chief.press("Управление оцениванием")
    reply = await chief.press("Заблокировать схему")
    assert "Заблокировать схему оценки?" in reply
    assert (
        "не позднее чем за 2 дня до начала этапа (01.12.2026 00:00 (МСК))" in reply
    )  # R-SCH-3: a late lock is flagged
    assert "Схема заблокирована" in await chief.press("Да, заблокировать")
    await chief.send("/scheme")
    assert "заблокирована главным экспертом и не может быть изменена" in await send_scheme(
        chief,
        world,
        SCHEME.read_text(encoding="utf-8").replace("Полнота ответа", "Полнота", 1).encode(),
        "scheme-late",
    )

    targets = await sc.scoring_setup.targets(CHIEF, scheme_id)
    t1, t2 = targets[0][0], targets[1][0]
    view = await sc.schemes.scheme_view(CHIEF, scheme_id)
    async with world.services.ctx.sessionmaker() as s:
        from models.tables import SchemeAspect

        kinds = dict(
            (
                await s.execute(
                    select(SchemeAspect.id, SchemeAspect.kind).where(
                        SchemeAspect.scheme_id == view.id
                    )
                )
            ).all()
        )

    # the mentor cannot score their own participant (R-ROLE-3)
    mentor = world.person(MENTOR, "Игорь")
    reply = await mentor.press_data(ScoreCb(target_id=t1, scheme_id=scheme_id).pack())
    assert "наставник этого участника" in reply

    # an expert scores participant №1 with buttons: progress is shown, entry resumes
    await other.send("/scoring")
    reply = await other.press("Мои ведомости")
    assert "Оценено 0 из 60" in reply and other.has_button("0/30")
    reply = await other.press("№1")
    assert "Оценено 0 из 30" in reply and "Аспект" in reply and "1.1.1" in reply
    reply = await score_all_by_chat(other, t1, kinds)
    # issue #16: the participant's review follows, not a dead end
    assert "Все ваши аспекты по этому участнику оценены" in reply
    assert "Проверка оценок: №1" in reply and "Оценено 30 из 30" in reply
    assert other.has_button("1.1.1: 2 ✏️") and other.has_button("К списку участников")

    # R-SCO-1: the group gives 2, 0, 2, 2 on 1.1.1 → spread 2 → re-score, the group is told
    first = min(a for a, k in kinds.items() if k == "judgement")
    await sc.marks.enter_mark(100005, t1, first, 0)
    await sc.marks.enter_mark(100007, t1, first, 2)
    outcome = await sc.marks.enter_mark(100008, t1, first, 2)
    assert outcome.state == "rescore"
    await world.drain()
    for member in G1:
        assert any("разошлись больше чем на 1" in t for t in world.session.sent_texts(member))
    notes = len(world.session.sent_texts(100004))
    reply = await other.press("Оценить заново")
    # the aspect comes as a new message: the notice with the group's marks stays (issue #16)
    assert "Нужна повторная оценка" in reply and "Оценки группы: 0, 2, 2, 2" in reply
    assert len(world.session.sent_texts(100004)) == notes + 1
    assert any("разошлись больше чем на 1" in t for t in world.session.sent_texts(100004))
    pick = next(b for b in score_buttons(other) if b.aspect_id == first and b.value == 2)
    await other.press_data(
        pick.pack(), message_id=world.session.state.last_message(other.user_id)["message_id"]
    )
    for e, v in ((100005, 1), (100007, 2), (100008, 2)):
        await sc.marks.enter_mark(e, t1, first, v)

    # everyone else scores (by the service, as other sessions would); all confirm
    await fill_by_service(world, scheme_id, (100004, 100005, 100007, 100008, 100009, 100010))
    await other.send("/scoring")
    await other.press("Мои ведомости")
    assert "Подтвердить оценки по схеме" in await other.press("Подтвердить оценки")
    assert "Оценки подтверждены" in await other.press("Да, подтвердить")
    assert "уже подтвердили" in await other.press_data(
        ConfirmSheetCb(scheme_id=scheme_id, sure=True).pack()
    )
    for e in (100005, 100007, 100008, 100009, 100010):
        await sc.marks.confirm_sheet(e, scheme_id)

    # the coordinator watches progress: counts and names, never marks or totals
    coord = world.person(COORD_MOSCOW, "Ольга")
    await coord.send("/scoring")
    reply = await coord.press("Ход оценивания")
    assert (
        "Ход оценивания" in reply
        and "Орлов Дмитрий Игоревич: 60 из 60" in reply
        and "Итого" not in reply
    )

    # the chief locks the scores; the mentor is asked to check their participant's sheet
    await chief.send("/scoring")
    await chief.press("Управление оцениванием")
    await chief.press("Заблокировать оценки")
    assert "Наставникам отправлены ведомости их участников: 1" in await chief.press(
        "Да, заблокировать"
    )
    assert "уже заблокированы" in await other.press_data(
        ScoreCb(target_id=t2, aspect_id=first, value=3, scheme_id=scheme_id).pack()
    )
    await world.drain()
    reply = await mentor.press("Открыть ведомость")
    assert "Ведомость: №1" in reply and "Итого" in reply
    assert "только эксперту-наставнику" in await mentor.press_data(SheetCb(target_id=t2).pack())
    assert "только эксперту-наставнику" in await other.press_data(SheetCb(target_id=t1).pack())
    assert "Ведомость подтверждена" in await mentor.press("Подтверждаю ведомость")

    # R-SCO-6: a correction is approved by all, applied by the chief, relocked and signed
    before_total = next(
        ln.total for ln in (await sc.results.compute_results(scheme_id)).lines if ln.target_id == t1
    )
    await chief.send("/scoring")
    await chief.press("Управление оцениванием")
    await chief.press("Корректировки оценок")
    await chief.press("Открыть корректировку")
    await chief.press("№1")
    assert "Опишите причину" in await chief.press("1.1 ")
    # issue #12: the reason (it decides about other people's scores) is shown back first
    reply = await chief.send("Ошибка переноса оценки эксперта по аспекту 1.1.1")
    assert "«Ошибка переноса оценки эксперта по аспекту 1.1.1»" in reply and "открыта" not in reply
    reply = await chief.press("Подтвердить")
    assert "Корректировка №1 открыта" in reply and "запрос: 5" in reply
    assert "Корректировка не разблокирована" in await chief.press_data(
        CorrCb(correction_id=1, action="relock").pack()
    )
    await world.drain()
    for signer in (MENTOR, *G1):
        p = world.person(signer)
        await p.press("Открыть корректировку")
        reply = await p.press("Согласен(а) с корректировкой")
        assert "Подпись сохранена" in reply
    stranger = world.person(100009)
    assert "не подписант" in await stranger.press_data(
        CorrCb(correction_id=1, action="sign").pack()
    )
    await world.drain()
    reply = await chief.press("Открыть корректировку")
    assert "разблокирован" in reply
    reply = await chief.press("Исправить 1.1.1")
    assert "чью оценку исправить" in reply and chief.has_button("Лебедева Ирина Михайловна: 1")
    assert not chief.has_button("100005")
    reply = await chief.press("Лебедева Ирина Михайловна: 1")
    assert "Оценка эксперта Лебедева Ирина Михайловна по аспекту 1.1.1" in reply
    reply = await chief.press_data(
        CorrMarkCb(correction_id=1, aspect_id=first, expert_id=100005, value=2).pack(),
        message_id=world.session.state.last_message(CHIEF)["message_id"],
    )
    assert "Исправление сохранено" in reply
    reply = await chief.press("Заблокировать исправленную ведомость")
    assert "заблокирована" in reply
    await world.drain()
    for signer in (MENTOR, *G1):
        p = world.person(signer)
        await p.press("Открыть корректировку")
        await p.press("Подписываю исправленную ведомость")
    c = await sc.corrections.correction(CHIEF, 1)
    assert c.status == "done"
    after_total = next(
        ln.total for ln in (await sc.results.compute_results(scheme_id)).lines if ln.target_id == t1
    )
    assert after_total > before_total  # 1.1.1 went from marks 2,1,2,2 to 2,2,2,2

    async with world.services.ctx.sessionmaker() as s:
        mark = (
            await s.execute(
                select(Score).where(
                    Score.target_id == t1,
                    Score.aspect_id == first,
                    Score.expert_telegram_id == 100005,
                )
            )
        ).scalar_one()
        assert mark.value == 2
        audit = (
            (await s.execute(select(AuditRecord).where(AuditRecord.action == "score.correct")))
            .scalars()
            .all()
        )
        assert [a.before for a in audit] == [{"value": 1}] and audit[0].after["value"] == 2
        actions = set((await s.execute(select(AuditRecord.action))).scalars())
    assert {
        "scheme.lock",
        "score.enter",
        "score.rescore",
        "scores.lock",
        "correction.unlock",
        "correction.relock",
        "correction.done",
    } <= actions

    # the coordinator: scoring in /progress, the results (never sent to anyone else), Excel
    reply = await coord.send("/progress")
    assert "г. Москва · Лучший социальный работник: оценено 2 из 2 (100 %)" in reply
    await coord.send("/scoring")
    reply = await coord.press("Итоги")
    assert "Итоги:" in reply and "золото" in reply and "→ федеральный этап" in reply
    assert "только координатору" in await other.press_data(ResultsCb(scheme_id=scheme_id).pack())
    assert "только координатору" in await mentor.press_data(
        ResultsCb(scheme_id=scheme_id, action=ResultsAction.EXPORT).pack()
    )
    await coord.press("Выгрузить ведомости и итоги в Excel")
    [sent] = [
        r
        for r in world.session.requests
        if isinstance(r, SendDocument) and getattr(r.document, "filename", "").endswith(".xlsx")
    ]
    assert str(sent.chat_id) == str(COORD_MOSCOW)
    book = load_workbook(io.BytesIO(sent.document.data))
    assert {"Итоги", "Ведомости"} <= set(book.sheetnames)
    totals = {
        row[2]: row[4]
        for row in book["Итоги"].iter_rows(min_row=2, values_only=True)
        if isinstance(row[0], int)
    }
    assert len(totals) >= 1 and all(isinstance(v, (int, float)) for v in totals.values())
