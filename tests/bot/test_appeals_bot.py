"""Disputes through the real dispatcher with the fake Bot API (R-APL-1…9): the chief
expert's pre-appeal vote and its protocol, the commission formed by the federal
coordinator, an appeal filed by the mentor through the whole form (kinds, deadlines in the
event's zone, a late dispute confirmed by the chief), the commission's votes with a
conflicted member and the secretary refused, and the chair's final decision with a
deduction applied to the results."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from aiogram.methods import SendDocument, SendPhoto
from aiogram.types import Update
from sqlalchemy import select

from bot.callbacks import AppealCb, PreAppealCb
from bot.handlers.appeals.callbacks import CommissionCb
from models.scheme_file import parse_scheme_yaml
from models.tables import Appeal, EvaluationTarget, Organisation, Participant, Protocol
from tests.botkit import Person
from tests.builders import World, fill_by_service, participants
from tests.conftest import COORD_MOSCOW, FEDERAL, MSK
from tests.fakes.updates import message_update_json

ROOT = Path(__file__).resolve().parents[2]
CHIEF, MENTOR = 100006, 100010
CHAIR, SECRETARY, SAME_ORG, MEMBER_A, MEMBER_B = 100020, 100021, 100022, 100023, 100024
VOTERS_FOR = (100004, 100005, 100007, 100008, 100009)


async def send_photo(world: World, p: Person, file_id: str) -> str:
    data = message_update_json(p.user_id, None, first_name=p.name)
    data["message"]["photo"] = [
        {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "width": 800,
            "height": 600,
            "file_size": 12345,
        }
    ]
    mark = len(world.session.requests)
    await world.dp.feed_update(world.bot, Update.model_validate(data))
    return "\n".join(p._texts_since(mark))


async def scored_scheme(world: World) -> tuple[int, int]:
    """Two participants in Moscow, the example scheme locked, the mentor on №1, all scored."""
    await participants(world, 2)
    sc = world.services
    loaded = await sc.schemes.load_scheme(
        CHIEF, 1, parse_scheme_yaml((ROOT / "examples" / "scheme.yaml").read_bytes())
    )
    scheme_id = loaded.scheme_id
    await sc.scoring_setup.build_targets(CHIEF, scheme_id)
    t1 = (await sc.scoring_setup.targets(CHIEF, scheme_id))[0][0]
    await sc.scoring_setup.set_mentor(CHIEF, t1, MENTOR)
    await sc.schemes.lock_scheme(CHIEF, scheme_id)
    await fill_by_service(world, scheme_id, (100004, 100005, 100007, 100008, 100009, 100010))
    return scheme_id, t1


def total_of(results, target_id: int) -> Decimal:  # type: ignore[no-untyped-def]
    return next(ln.total for ln in results.lines if ln.target_id == target_id)


async def test_disputes_in_the_chat(world: World) -> None:
    scheme_id, t1 = await scored_scheme(world)
    await world.drain()
    world.session.clear()

    # ------------------------------------------------------------------ pre-appeal (R-APL-1)
    chief = world.person(CHIEF, "Павел")
    assert "Опишите спорную ситуацию" in await chief.send("/dispute")
    assert "Предложите решение" in await chief.send(
        "Участнику №1 выдали не тот комплект материалов"
    )
    assert "Штрафные санкции" in await chief.send(
        "Продлить участнику №1 время выполнения на 10 минут"
    )
    reply = await chief.send("-")
    assert "Вынести на голосование?" in reply and "Штрафные санкции: —" in reply
    reply = await chief.press("Вынести на голосование")
    assert "Голосование №1 открыто" in reply and "(7)" in reply
    assert "только главный эксперт" in await world.person(100004).send("/dispute")
    await world.drain()
    for e in VOTERS_FOR:
        reply = await world.person(e).press("👍 За")
        assert "Ваш голос учтён" in reply
    reply = await world.person(MENTOR).press("👎 Против")
    assert "проголосовали: 6 (за — 5, против — 1)" in reply
    assert "Вы уже проголосовали" in await world.person(100004).press_data(
        PreAppealCb(pre_appeal_id=1, vote=0).pack()
    )
    # someone not accredited at the site cannot vote
    coord = world.person(COORD_MOSCOW, "Ольга")
    assert "аккредитованные на площадке" in await coord.press_data(
        PreAppealCb(pre_appeal_id=1, vote=1).pack()
    )
    reply = await chief.press("Подвести итог")
    assert "Голосование завершено" in reply and "предложение принято" in reply
    assert "уже завершено" in await chief.press_data(PreAppealCb(pre_appeal_id=1, vote=1).pack())
    await world.drain()
    await world.drain()
    assert any("предложение принято" in t for t in world.session.sent_texts(100004))
    async with world.services.ctx.sessionmaker() as s:
        assert (
            await s.execute(select(Protocol.id).where(Protocol.kind == "pre_appeal"))
        ).scalar_one()
    pdfs = [r for r in world.session.calls(SendDocument) if str(r.chat_id) == "100004"]
    assert pdfs, "a voter receives the pre-appeal protocol"

    # ------------------------------------------------------------------ the commission (R-APL-6)
    world.clock.at = datetime(2027, 5, 10, 10, 0, tzinfo=MSK)
    assert "только федеральный координатор" in await coord.send("/commission")
    assert "только федеральный координатор" in await coord.press_data(
        CommissionCb(contest_id=1, action="form").pack()
    )
    federal = world.person(FEDERAL, "Наталья")
    assert "Комиссия ещё не сформирована" in await federal.send("/commission")
    # issue #15 (R-APL-6): the stage chosen explicitly, the deputy chair named, shown back, confirmed
    assert "Для какого этапа" in await federal.press("Сформировать комиссию")
    assert "заместитель председателя" in await federal.press("Федеральный этап")
    assert "Сформировать комиссию?" in await federal.press("Тихонов Роман Сергеевич")
    reply = await federal.press("Подтвердить")
    assert "Комиссия сформирована" in reply and "Председатель: Григорьева Анна Львовна" in reply
    assert (
        "Секретарь (без права голоса): Белов Олег Ильич" in reply
        and reply.count("Член комиссии:") == 2
    )
    assert "Заместитель председателя: Тихонов Роман Сергеевич" in reply and federal.has_button(
        "Вернуться к комиссии"
    )
    chair = world.person(CHAIR, "Анна")
    assert "апелляций, ожидающих решения, нет" in await chair.send("/commission")

    # ------------------------------------------------------------------ the mentor files an appeal (R-APL-2…5)
    # R-APL-2: the regional coordinator appeals only for a participant without a mentor
    await coord.send("/appeal")
    assert coord.has_button("№2") and not coord.has_button("№1")
    assert "эксперт-наставник участника" in await world.person(100004).send("/appeal")
    world.clock.at = datetime(2027, 5, 12, 20, 30, tzinfo=MSK)
    mentor = world.person(MENTOR, "Игорь")
    assert "Выберите участника" in await mentor.send("/appeal")
    assert "Выберите вид нарушения" in await mentor.press("№1")
    reply = await mentor.press("Другое")
    assert "только три вида нарушений" in reply and "сохранено" in reply
    assert "ДД.ММ.ГГГГ ЧЧ:ММ" in await mentor.press("Нарушение процедуры оценивания")
    assert "Не понял дату" in await mentor.send("вчера вечером")
    reply = await mentor.send("12.05.2027 15:00")
    assert (
        "Срок подачи апелляции — 12.05.2027 21:00 (МСК), осталось 0 ч 30 мин" in reply
        and "Где произошло" in reply
    )
    answers = {
        "place": "Площадка №2, рабочее место 5",
        "violators": "Эксперт группы оценки 1, тел. +7 900 000-00-01",
        "witnesses": "Технический эксперт площадки",
        "description": "Оценка выставлена до окончания выполнения задания (п. 5.3 Положения)",
        "demands": "Пересмотреть оценку по критерию 1",
        "applicant_name": "Козлов Игорь Николаевич",
        "applicant_category": "Эксперт-наставник",
        "contacts": "+7 900 000-00-10, kozlov@example.org",
    }
    for value in answers.values():
        reply = await mentor.send(value)
    assert "Пришлите доказательства" in reply
    assert "Пришлите фото, видео или документ" in await mentor.send("а вот")
    assert "Файл добавлен (1)" in await send_photo(world, mentor, "photo-evidence-1")
    reply = await mentor.press("Готово")
    assert (
        "Проверьте апелляцию" in reply and answers["description"] in reply and "файлов — 1" in reply
    )

    # the clock passes 21:00 before «Подать»: refused with the deadline named, nothing lost
    world.clock.at = datetime(2027, 5, 12, 21, 5, tzinfo=MSK)
    reply = await mentor.press("Подать апелляцию")
    assert "Срок подачи апелляции истёк 12.05.2027 21:00 (МСК)" in reply and "сохранено" in reply
    assert answers["place"] in reply and answers["contacts"] in reply
    async with world.services.ctx.sessionmaker() as s:
        assert (await s.execute(select(Appeal.id))).first() is None
    # a late dispute time is refused at once, the deadline named
    assert "ДД.ММ.ГГГГ" in await mentor.press("Изменить: дата и время спора")
    assert "истёк 12.05.2027 21:00 (МСК)" in await mentor.send("12.05.2027 15:00")

    # a dispute after 21:00: the next-day deadline, once the chief confirms the time
    world.clock.at = datetime(2027, 5, 12, 21, 40, tzinfo=MSK)
    reply = await mentor.send("12.05.2027 21:30")
    assert "13.05.2027 12:00 (МСК), осталось 14 ч 20 мин" in reply and "главный эксперт" in reply
    assert "Проверьте апелляцию" in reply and answers["witnesses"] in reply  # everything else kept
    reply = await mentor.press("Подать апелляцию")
    assert (
        "Апелляция №1 подана 12.05.2027 21:40 (МСК)" in reply
        and "главный эксперт должен подтвердить" in reply
    )
    await world.drain()
    assert any("Подтвердите время спора" in t for t in world.session.sent_texts(CHIEF))
    assert "только главный эксперт" in await mentor.press_data(
        AppealCb(appeal_id=1, action="time").pack()
    )
    world.clock.at = datetime(2027, 5, 12, 21, 45, tzinfo=MSK)
    reply = await chief.press("Подтверждаю время спора")
    assert "Апелляция №1 зарегистрирована" in reply and "13.05.2027 23:59 (МСК)" in reply
    await world.drain()
    assert any("Ваша апелляция №1 зарегистрирована" in t for t in world.session.sent_texts(MENTOR))
    for m in (CHAIR, SECRETARY, MEMBER_A, MEMBER_B):
        assert any(
            "Апелляция №1" in t and "зарегистрирована" in t for t in world.session.sent_texts(m)
        )

    # ------------------------------------------------------------------ the commission decides (R-APL-6…9)
    # the participant works at «Арбат», as does one member: excluded from the case
    async with world.services.ctx.sessionmaker() as s:
        org = (
            await s.execute(
                select(Organisation.code)
                .join(Participant, Participant.organisation_id == Organisation.id)
                .join(EvaluationTarget, EvaluationTarget.participant_id == Participant.id)
                .where(EvaluationTarget.id == t1)
            )
        ).scalar_one()
    assert org == "7704000101"
    same_org = world.person(SAME_ORG, "Марина")
    assert any("конфликт интересов" in t for t in world.session.sent_texts(SAME_ORG))
    assert "конфликт интересов" in await same_org.press_data(
        AppealCb(appeal_id=1, action="uphold").pack()
    )
    assert "Секретарь комиссии не голосует" in await world.person(SECRETARY).press_data(
        AppealCb(appeal_id=1, action="uphold").pack()
    )

    reply = await chair.send("/commission")
    assert "Очередь апелляций" in reply and "№1" in reply
    reply = await chair.press("№1")
    assert "Апелляция №1" in reply and answers["demands"] in reply and "файлов — 1" in reply
    assert "Не участвуют (конфликт интересов): Зайцева Марина Юрьевна" in reply
    await chair.press("Доказательства (1)")
    photos = [r for r in world.session.calls(SendPhoto) if str(r.chat_id) == str(CHAIR)]
    assert [p.photo for p in photos] == ["photo-evidence-1"]
    assert "Голос учтён: удовлетворить" in await chair.press("Удовлетворить")
    for m in (MEMBER_A, MEMBER_B):
        p = world.person(m)
        await p.press("Открыть апелляцию")
        reply = await p.press("Удовлетворить")
    assert "удовлетворить — 3, отказать — 0" in reply
    assert "записывает председатель" in await world.person(MEMBER_A).press_data(
        AppealCb(appeal_id=1, action="decide").pack()
    )

    world.clock.at = datetime(2027, 5, 13, 11, 0, tzinfo=MSK)
    before = total_of(await world.services.results.results(FEDERAL, scheme_id), t1)
    await chair.press("Записать решение")
    assert "Текст решения" in await chair.press("Удовлетворить апелляцию")
    assert "Вычет баллов участнику" in await chair.send(
        "Оценка выставлена до окончания задания; преимущество подтверждено"
    )
    assert "Вычет — число баллов" in await chair.send("два с половиной")
    assert "Дисквалифицировать" in await chair.send("2,5")
    reply = await chair.press("Нет")
    assert "Решение окончательное" in reply and "Вычет баллов: 2,5" in reply
    assert "записано" in await chair.press("Подтвердить")  # issue #12: shown back, then confirmed
    await world.drain()
    for who in (MENTOR, CHIEF):
        assert any(
            "Выписка из протокола" in t and "Вычет баллов: 2,5" in t
            for t in world.session.sent_texts(who)
        )
    after = total_of(await world.services.results.results(FEDERAL, scheme_id), t1)
    assert after == before - Decimal("2.5")
    # the decision is final
    assert "окончательное" in await chair.press_data(AppealCb(appeal_id=1, action="decide").pack())

    # a participant has no business in the commission
    assert "только членам апелляционной комиссии" in await world.person(700001).send("/commission")


async def test_commission_members_are_greeted_with_their_commands(world: World) -> None:
    chair = world.person(100020, "Анна")
    reply = await chair.send("/start")
    assert "/commission" in reply and "согласие" not in reply
    assert "Члену апелляционной комиссии" in await chair.send("/help")
