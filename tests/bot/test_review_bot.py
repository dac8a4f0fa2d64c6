"""Issue #16, item 2, in the chat: an expert reviews their own marks of a participant before
«Подтвердить оценки» (R-SCO-4) and fixes any of them, returning to the same page; after the
confirmation and the score lock the review is read-only; the re-score texts say what really
happened (R-SCO-1/2), the group's marks stay visible, «Оценить заново» leaves the notice in
place; correction buttons and sheets name the experts instead of their Telegram ids."""

from __future__ import annotations

from sqlalchemy import select

from bot.callbacks import CorrCb, RescoreCb, ScoreCb, SheetCb
from bot.handlers.scoring.callbacks import ReviewCb, ReviewScoreCb
from models.tables import Contest, Score
from tests.botkit import Person
from tests.builders import CHIEF, G1, MENTOR, Setup, World, score_all, setup, small_scheme

LEBEDEVA, ORLOV = 100005, 100004  # Лебедева is in G1 (1.1) and G2 (1.2), Орлов in G1 only


async def _contest(world: World) -> int:
    async with world.services.ctx.sessionmaker() as s:
        return (await s.execute(select(Contest.id))).scalar_one()


async def _mark(world: World, target: int, aspect: int, expert: int) -> int | None:
    async with world.services.ctx.sessionmaker() as s:
        return (
            await s.execute(
                select(Score.value).where(
                    Score.target_id == target,
                    Score.aspect_id == aspect,
                    Score.expert_telegram_id == expert,
                )
            )
        ).scalar_one_or_none()


def _last_id(p: Person) -> int:
    last = p.session.state.last_message(p.user_id)
    assert last is not None
    return int(last["message_id"])


def _labels(p: Person, message_id: int) -> list[str]:
    return [text for mid, text, _ in p.buttons() if mid == message_id]


async def test_review_fix_a_mark_return_to_the_page_then_confirm_read_only(world: World) -> None:
    st = await setup(world.services, await _contest(world), count=1, mentor=False)
    t, a = st.targets[0], st.aspects
    for code, v in (("1.1.1", 2), ("1.1.b", 1), ("1.1.d", 1), ("1.2.1", 2)):
        await world.services.marks.enter_mark(LEBEDEVA, t, a[code], v)
    e = world.person(LEBEDEVA, "Ирина")
    await e.send("/scoring")
    await e.press("Мои ведомости")
    assert "1.2.2" in await e.press("№1")  # the one aspect still to score
    reply = await e.press_data(
        ScoreCb(target_id=t, aspect_id=a["1.2.2"], value=1, scheme_id=st.scheme_id).pack(),
        _last_id(e),
    )
    # the last mark leads to the review of the first subcriterion, not to a dead end
    assert "Все ваши аспекты по этому участнику оценены" in reply
    assert "Проверка оценок: №1" in reply and "Оценено 5 из 5" in reply
    assert "Субкритерий <b>1.1</b> Первый" in reply and "1.2.1" not in reply
    assert (
        "1.1.b Да или нет — <b>Да</b>" in reply
        and "1.1.d По таблице — <b>частично — 0.5</b>" in reply
    )
    page = _labels(e, _last_id(e))
    assert page[:3] == ["1.1.1: 2 ✏️", "1.1.b: Да ✏️", "1.1.d: частично ✏️"]
    assert "› 1/2" in page and "✅ Подтвердить оценки" in page and "⬅️ К списку участников" in page

    # a mark changed from the review: its screen, then back to the same page
    reply = await e.press("1.1.1: 2 ✏️")
    assert "Аспект <b>1.1.1</b>" in reply and "Ваша оценка: 2" in reply
    assert e.has_button("⬅️ К проверке")
    reply = await e.press("3")
    assert reply.startswith("Сохранено.") and "Субкритерий <b>1.1</b>" in reply
    assert (
        "1.1.1 Суждение 1 — <b>3</b>" in reply and await _mark(world, t, a["1.1.1"], LEBEDEVA) == 3
    )
    # the second subcriterion: changed there, the review stays on it
    reply = await e.press("› 1/2")
    assert "Субкритерий <b>1.2</b> Второй" in reply and "1.1.1" not in reply
    await e.press("1.2.2: 1 ✏️")
    reply = await e.press("0")
    assert "Субкритерий <b>1.2</b> Второй" in reply and "1.2.2 Суждение Б — <b>0</b>" in reply
    assert "‹ 2/2" in _labels(e, _last_id(e))

    # the confirm screen keeps its counts and offers the review of each participant
    reply = await e.press("Подтвердить оценки")
    assert "Подтвердить оценки по схеме" in reply and "• №1 Петрова Мария Ивановна: 5/5" in reply
    assert e.has_button("🔎 №1 Петрова Мария Ивановна · 5/5")
    assert "Оценки подтверждены" in await e.press("Да, подтвердить")
    # after the confirmation: read-only, said so, no ✏️ and no «Подтвердить»
    reply = await e.press_data(ReviewCb(target_id=t).pack(), _last_id(e))
    assert "Вы подтвердили оценки — это только просмотр" in reply
    labels = _labels(e, _last_id(e))
    assert not any("✏️" in x for x in labels) and "✅ Подтвердить оценки" not in labels
    # a forged change from the old review is refused and changes nothing
    forged = ReviewScoreCb(target_id=t, aspect_id=a["1.1.1"], value=0).pack()
    assert "уже подтвердили" in await e.press_data(forged)
    assert await _mark(world, t, a["1.1.1"], LEBEDEVA) == 3
    # the worklist: a fully scored participant opens the review
    await e.send("/scoring")
    await e.press("Мои ведомости")
    assert "Проверка оценок: №1" in await e.press("✅ №1 Петрова Мария Ивановна · 5/5")


async def test_a_long_subcriterion_is_shown_in_parts(world: World) -> None:
    d = small_scheme(judgements=14)  # 1.1: 14 judgements + yes/no + table = 16 aspects
    st = await setup(world.services, await _contest(world), d=d, count=1, mentor=False)
    e = world.person(ORLOV, "Дмитрий")
    reply = await e.press_data(ReviewCb(target_id=st.targets[0]).pack())
    assert "(часть 1 из 2)" in reply and "Оценено 0 из 16" in reply
    labels = _labels(e, _last_id(e))
    cells = [x for x in labels if "✏️" in x]
    assert len(cells) == 12 and cells[0] == "1.1.1: — ✏️" and "› 1/2" in labels
    assert "✅ Подтвердить оценки" not in labels  # nothing to confirm yet
    reply = await e.press("› 1/2")
    assert "(часть 2 из 2)" in reply and "1.1.14" in reply and "1.1.1 " not in reply
    assert len([x for x in _labels(e, _last_id(e)) if "✏️" in x]) == 4


async def test_review_refused_to_who_does_not_score_the_participant(world: World) -> None:
    st = await setup(world.services, await _contest(world), count=1)  # MENTOR mentors №1
    for who in (CHIEF, MENTOR):
        p = world.person(who)
        reply = await p.press_data(ReviewCb(target_id=st.targets[0]).pack())
        assert "Проверка оценок" not in reply and reply
        forged = ReviewScoreCb(target_id=st.targets[0], aspect_id=st.aspects["1.2.1"], value=3)
        assert "Сохранено" not in await p.press_data(forged.pack())
        assert await _mark(world, st.targets[0], st.aspects["1.2.1"], who) is None


async def _flagged(world: World) -> tuple[Setup, int]:
    """1.1.1 of №1 scored 0, 0, 2 by the service; Новиков (100008) completes it with 3 in
    the chat — a spread over one (R-SCO-1)."""
    st = await setup(world.services, await _contest(world), count=1, mentor=False)
    world.jobs.jobs.clear()  # the applications' file downloads: not this test's business
    t, a = st.targets[0], st.aspects["1.1.1"]
    for e, v in zip(G1[:3], (0, 0, 2), strict=True):
        await world.services.marks.enter_mark(e, t, a, v)
    return st, a


async def test_rescore_texts_say_what_happened_and_the_notice_stays(world: World) -> None:
    st, a = await _flagged(world)
    t = st.targets[0]
    last = world.person(G1[3], "Сергей")
    await last.press_data(ScoreCb(target_id=t, aspect_id=a, scheme_id=st.scheme_id).pack())
    reply = await last.press("3")
    assert "расходятся больше чем на 1" in reply and "группа уведомлена" in reply
    await world.drain()

    orlov = world.person(ORLOV, "Дмитрий")
    [(notice_id, _, data)] = [b for b in orlov.buttons() if b[1] == "Оценить заново"]
    assert data == RescoreCb(target_id=t, aspect_id=a).pack()
    notice = world.session.state.messages[(str(ORLOV), notice_id)]["text"]
    assert "разошлись больше чем на 1 (0, 0, 2, 3)" in notice
    reply = await orlov.press("Оценить заново")
    assert "Нужна повторная оценка" in reply and "Ваша прежняя оценка: 0" in reply
    assert "Оценки группы: 0, 0, 2, 3" in reply
    # a new message: the notice with the group's marks is still there as it was
    assert _last_id(orlov) != notice_id
    assert world.session.state.messages[(str(ORLOV), notice_id)]["text"] == notice
    # re-entered before the others: nothing compared, nobody told
    sent = len(world.session.requests)
    reply = await orlov.press("1")
    assert "Ждём новые оценки остальных экспертов группы" in reply
    assert "группа уведомлена" not in reply
    await world.drain()
    assert not [
        r for r in world.session.requests[sent:] if "разошлись" in str(getattr(r, "text", ""))
    ]
    # in the review Орлов's new mark is his (the others' new marks are still awaited)
    reply = await orlov.press_data(ReviewCb(target_id=t).pack())
    assert "1.1.1 Суждение 1 — <b>1</b>" in reply


async def test_a_yes_no_tie_is_shown_in_words(world: World) -> None:
    st = await setup(world.services, await _contest(world), count=1, mentor=False)
    t, b = st.targets[0], st.aspects["1.1.b"]
    outs = [
        await world.services.marks.enter_mark(e, t, b, v)
        for e, v in zip(G1, (1, 0, 1, 0), strict=True)
    ]
    assert outs[-1].state == "tie"
    orlov = world.person(ORLOV, "Дмитрий")
    reply = await orlov.press_data(RescoreCb(target_id=t, aspect_id=b).pack())
    assert "голоса группы разделились поровну" in reply and "разошлись" not in reply
    assert "Ваша прежняя оценка: Да" in reply and "Оценки группы: Нет, Нет, Да, Да" in reply
    reply = await orlov.press_data(ReviewCb(target_id=t).pack())
    assert "⚠️ 1.1.b Да или нет — нужна повторная оценка" in reply
    assert "оценки группы: Нет, Нет, Да, Да; ваша прежняя: Да" in reply
    assert orlov.has_button("⚠️ 1.1.b: Да ✏️")


async def test_correction_and_sheet_name_the_experts(world: World) -> None:
    sc = world.services
    st = await setup(sc, await _contest(world), count=2)  # the mentor scores №2
    await score_all(sc, st)
    await sc.score_lock.lock_scores(CHIEF, st.scheme_id)
    # after the score lock an expert's review is read-only too
    e = world.person(LEBEDEVA, "Ирина")
    reply = await e.press_data(ReviewCb(target_id=st.targets[0]).pack())
    assert "Оценки заблокированы главным экспертом — это только просмотр" in reply
    assert "1.1.1 Суждение 1 — <b>3</b>" in reply
    assert not any("✏️" in x for x in _labels(e, _last_id(e)))
    c = await sc.corrections.open_correction(
        CHIEF, st.targets[0], st.subs["1.1"], "Ошибка переноса оценки"
    )
    chief = world.person(CHIEF, "Павел")
    reply = await chief.press_data(CorrCb(correction_id=c.id).pack())
    assert "Лебедева И. М.: 3" in reply and "Орлов Д. И.: Да" in reply
    assert "1.1.d По таблице → 1,00 / 1,00" in reply and "Новиков С. П.: полностью" in reply
    assert not any(str(e) in reply for e in G1)
    # the mentor's sheet after the lock, too
    mentor = world.person(MENTOR, "Игорь")
    reply = await mentor.press_data(SheetCb(target_id=st.targets[0]).pack())
    assert "Морозова Е. В.: 3" in reply and "100007" not in reply
