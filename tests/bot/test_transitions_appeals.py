"""Issue #12 for disputes and appeals (R-APL-1…9): every transition happens once, and every
prompt can be left.

Guarantee 1 — at the service level on SQLite and on PostgreSQL (the ``db_url`` fixture),
two calls fired at once on separate units of work: by the same person (a double press) and
by two people with the same rights (two experts, two commission members, two federal
coordinators), and conflicting calls (the chair's two decisions, «За» and «Против», the
chief's confirmation racing the worker's automatic refusal at 12:00). Asserted: the state
moved once, one audit row, one outbox row per recipient, and the loser's Russian text says
what already happened (who and when), never an English status word.

Through the real dispatcher (``world``: SQLite; ``pg_world``: PostgreSQL): double presses of
the key buttons («Подать апелляцию», «Подтвердить» of a decision, a member's vote, two
members at once), every callback answered; «Отмена» on each prompt changes nothing; the
decision is shown back with «Подтвердить / Изменить»; a stale button is refused before any
input is asked; a half-filled appeal form is offered «Продолжить» / «Начать заново».
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import func, select

from bot.callbacks import AppealCb, PreAppealCb
from bot.handlers.appeals.callbacks import CommissionCb, DecisionCb
from bot.texts import error_text
from models.clock import FixedClock
from models.errors import DomainError
from models.services import Services
from models.tables import (
    Appeal,
    AppealVote,
    AuditRecord,
    CommissionMember,
    Delivery,
    PreAppeal,
    PreAppealVote,
    Protocol,
    ResultAdjustment,
    RoleAssignment,
)
from notifications.appeal_reminders import AppealLateRefusal
from notifications.sweep import SweepReport, materialise_reminders
from tests.botkit import Person
from tests.builders import (
    ACCREDITED,
    CHAIR,
    CHIEF,
    COMMISSION,
    EVIDENCE,
    FIELDS,
    MEMBER,
    MEMBER_2,
    MENTOR,
    NEXT,
    SECRETARY,
    World,
    at,
    federal_stage,
    file,
    make_world,
    newest,
    ready,
)
from tests.conftest import ADMIN_ID, FEDERAL

#: an English status word must never reach a person
ENGLISH = re.compile(
    r"\b(voting|accepted|rejected|no_quorum|registered|decided|upheld|awaiting_time|refused_late)\b"
)


async def race(*coros: Any) -> tuple[list[Any], list[DomainError]]:
    """Run the calls at once; (results, refusals). Anything but a refusal fails the test."""
    out = await asyncio.gather(*coros, return_exceptions=True)
    for r in out:
        if isinstance(r, BaseException) and not isinstance(r, DomainError):
            raise r
    return [r for r in out if not isinstance(r, BaseException)], [
        r for r in out if isinstance(r, DomainError)
    ]


def russian(err: DomainError, *needles: str) -> str:
    text = error_text(err)
    assert not text.startswith("err-"), text  # the key exists in the catalogue
    assert not ENGLISH.search(text), text
    for n in needles:
        assert n in text, (n, text)
    return text


async def count(services: Services, model: Any, *where: Any) -> int:
    async with services.ctx.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def audits(services: Services, action: str, entity_id: int | None = None) -> int:
    where = [AuditRecord.action == action]
    if entity_id is not None:
        where.append(AuditRecord.entity_id == entity_id)
    return await count(services, AuditRecord, *where)


async def name_of(services: Services, telegram_id: int) -> str:
    async with services.ctx.sessionmaker() as s:
        return (
            (
                await s.execute(
                    select(RoleAssignment.name).where(RoleAssignment.telegram_id == telegram_id)
                )
            )
            .scalars()
            .first()
        )


# =========================================================================== service level, both databases


async def test_pre_appeal_opened_once_votes_counted_once_and_closed_once(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock, count=1)
    clock.at = at(10, 0)
    # a double «Вынести на голосование» of one draft opens one vote
    ok, lost = await race(
        services.disputes.open_pre_appeal(
            CHIEF, st.scheme_id, "Спор", "Снять 1 балл", None, draft_key="d1"
        ),
        services.disputes.open_pre_appeal(
            CHIEF, st.scheme_id, "Спор", "Снять 1 балл", None, draft_key="d1"
        ),
    )
    assert len(ok) == 1 and [e.code for e in lost] == ["pre_appeal_opened_already"]
    p = ok[0]
    russian(lost[0], f"№{p.id}", "10.05.2027 10:00")
    assert await count(services, PreAppeal) == 1 and await audits(services, "pre_appeal.open") == 1
    assert await count(services, Delivery, Delivery.subject == f"pre_appeal:{p.id}") == len(
        ACCREDITED
    )

    # the same expert twice at once — and «За» with «Против» at once: counted once
    e1, e2, e3 = ACCREDITED[:3]
    ok, lost = await race(
        services.disputes.vote_pre_appeal(e1, p.id, True),
        services.disputes.vote_pre_appeal(e1, p.id, True),
    )
    assert len(ok) == 1 and [e.code for e in lost] == ["pre_appeal_voted_already"]
    russian(lost[0], "Вы уже проголосовали", "«за»")
    ok, lost = await race(
        services.disputes.vote_pre_appeal(e2, p.id, True),
        services.disputes.vote_pre_appeal(e2, p.id, False),
    )
    assert len(ok) == 1 and len(lost) == 1
    # two experts at once: both count
    ok, lost = await race(
        services.disputes.vote_pre_appeal(e3, p.id, False),
        services.disputes.vote_pre_appeal(ACCREDITED[3], p.id, True),
    )
    assert len(ok) == 2 and not lost
    assert await count(services, PreAppealVote, PreAppealVote.pre_appeal_id == p.id) == 4
    assert await audits(services, "pre_appeal.vote", p.id) == 4

    # the last votes race the chief's «Подвести итог»: the vote closes once
    for e in ACCREDITED[4:6]:
        await services.disputes.vote_pre_appeal(e, p.id, True)
    clock.at = at(10, 30)
    vote, close = await asyncio.gather(
        services.disputes.vote_pre_appeal(ACCREDITED[6], p.id, True),
        services.disputes.close_pre_appeal(CHIEF, p.id),
        return_exceptions=True,
    )
    assert await audits(services, "pre_appeal.close", p.id) == 1
    assert await count(services, Delivery, Delivery.subject == f"pre_appeal:{p.id}:closed") == len(
        ACCREDITED
    )
    assert await count(services, Protocol, Protocol.kind == "pre_appeal") == 1
    if isinstance(
        vote, DomainError
    ):  # the chief closed first: the late vote is told by whom and when
        assert vote.code == "pre_appeal_closed_already" and not isinstance(close, BaseException)
        russian(
            vote,
            "уже завершено",
            "10.05.2027 10:30",
            "главный эксперт",
            await name_of(services, CHIEF),
        )
    else:  # the last vote closed it: the chief is told everyone had voted
        assert isinstance(close, DomainError) and close.code == "pre_appeal_closed_already"
        russian(
            close, "уже завершено", "10.05.2027 10:30", "проголосовали все аккредитованные эксперты"
        )
    # a double «Подвести итог» afterwards: refused with the outcome in Russian
    err = (await race(services.disputes.close_pre_appeal(CHIEF, p.id)))[1][0]
    russian(err, f"Голосование №{p.id} уже завершено", "Итог: предложение")


async def test_pre_appeal_closes_itself_once_when_the_last_two_vote_together(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock, count=1)
    clock.at = at(11, 0)
    p = await services.disputes.open_pre_appeal(CHIEF, st.scheme_id, "Спор", "Предложение", None)
    for e in ACCREDITED[:5]:
        await services.disputes.vote_pre_appeal(e, p.id, True)
    ok, lost = await race(
        services.disputes.vote_pre_appeal(ACCREDITED[5], p.id, True),
        services.disputes.vote_pre_appeal(ACCREDITED[6], p.id, False),
    )
    assert len(ok) == 2 and not lost
    assert await audits(services, "pre_appeal.close", p.id) == 1
    assert await count(services, Delivery, Delivery.subject == f"pre_appeal:{p.id}:closed") == len(
        ACCREDITED
    )
    err = (await race(services.disputes.close_pre_appeal(CHIEF, p.id)))[1][0]
    russian(err, "проголосовали все аккредитованные эксперты", "предложение принято")


async def test_commission_formed_once_by_two_federal_coordinators_at_once(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    clock.at = at(10, 0, NEXT.replace(day=20))
    fed = await federal_stage(services, contest_id)
    ok, lost = await race(
        services.commission.form_commission(FEDERAL, contest_id, stage_id=fed, deputy=MEMBER),
        services.commission.form_commission(ADMIN_ID, contest_id, stage_id=fed, deputy=MEMBER),
    )
    assert len(ok) == 1 and [e.code for e in lost] == ["commission_formed_already"]
    russian(lost[0], "уже сформирована", "20.05.2027 10:00")
    assert (
        await count(services, CommissionMember) == 5
        and await audits(services, "commission.form") == 1
    )


async def test_appeal_filed_once_and_the_late_time_confirmed_once(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock, count=1)
    [t701] = st.targets
    clock.at = at(10, 0)
    # a double «Подать апелляцию» of one form files one appeal, one notice each
    ok, lost = await race(
        services.appeals.file(
            MENTOR,
            t701,
            kind="scoring_procedure",
            dispute_at=at(9, 30),
            fields=FIELDS,
            evidence=EVIDENCE,
            draft_key="form-1",
        ),
        services.appeals.file(
            MENTOR,
            t701,
            kind="scoring_procedure",
            dispute_at=at(9, 30),
            fields=FIELDS,
            evidence=EVIDENCE,
            draft_key="form-1",
        ),
    )
    assert len(ok) == 1 and [e.code for e in lost] == ["appeal_filed_already"]
    a = ok[0]
    russian(lost[0], f"уже подана: №{a.id}", "10.05.2027 10:00")
    assert await count(services, Appeal) == 1 and await audits(services, "appeal.file") == 1
    assert (
        await count(
            services,
            Delivery,
            Delivery.subject == f"appeal:{a.id}:registered",
            Delivery.recipient_chat_id == MENTOR,
        )
        == 1
    )
    assert (
        await services.appeals.filed_from_draft(MENTOR, "form-1")
    ).id == a.id and await services.appeals.filed_from_draft(CHIEF, "form-1") is None

    # a dispute after 21:00: the chief's double «Подтверждаю время спора» registers it once
    clock.at = at(21, 40)
    late = await file(services, MENTOR, t701, at(21, 30))
    clock.at = at(8, 0, NEXT)
    ok, lost = await race(
        services.appeals.confirm_time(CHIEF, late.id), services.appeals.confirm_time(CHIEF, late.id)
    )
    assert len(ok) == 1 and [e.code for e in lost] == ["appeal_time_confirmed_already"]
    russian(lost[0], await name_of(services, CHIEF), "11.05.2027 08:00")
    assert (
        await audits(services, "appeal.time_confirmed", late.id) == 1
        and await audits(services, "appeal.register", late.id) == 1
    )
    assert (
        await count(
            services,
            Delivery,
            Delivery.subject == f"appeal:{late.id}:registered",
            Delivery.recipient_chat_id == MENTOR,
        )
        == 1
    )


async def test_the_chiefs_confirmation_races_the_workers_refusal_at_noon(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    """R-APL-3 / R-REM-4: at 12:00 exactly the chief may still confirm, and the sweep
    refuses: one of them wins, the other changes nothing."""
    st = await ready(services, contest_id, clock, count=1)
    [t701] = st.targets
    clock.at = at(21, 40)
    late = await file(services, MENTOR, t701, at(21, 30))
    noon = at(12, 0, NEXT)
    clock.at = noon

    async def sweep() -> SweepReport:
        report = SweepReport()
        await materialise_reminders(services.ctx.sessionmaker, noon, [AppealLateRefusal()], report)
        return report

    _, lost = await race(services.appeals.confirm_time(CHIEF, late.id), sweep())
    status = (await services.appeal_decisions.view(CHAIR, late.id)).status
    confirmed, refused = (
        await audits(services, "appeal.time_confirmed", late.id),
        await audits(services, "appeal.refused_late", late.id),
    )
    refusal_notes = await count(services, Delivery, Delivery.message_key == "apl-note-refused-late")
    if status == "registered":
        assert (confirmed, refused, refusal_notes, lost) == (1, 0, 0, [])
    else:
        assert status == "refused_late" and (confirmed, refused, refusal_notes) == (0, 1, 2)
        [err] = lost
        assert err.code == "appeal_refused_late_already"
        russian(err, "уже не принята автоматически", "11.05.2027 12:00")
    # a later sweep does nothing more either way
    await sweep()
    assert await audits(services, "appeal.refused_late", late.id) == refused


async def test_members_vote_once_and_conflicts_are_declared_once(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock, count=4)
    clock.at = at(10, 0)
    a = await file(services, MENTOR, st.targets[0], at(9, 0))
    # the same member twice at once; «Удовлетворить» and «Отказать» at once: one vote
    ok, lost = await race(
        services.appeal_decisions.vote(MEMBER, a.id, True),
        services.appeal_decisions.vote(MEMBER, a.id, True),
    )
    assert len(ok) == 1 and [e.code for e in lost] == ["appeal_voted_already"]
    russian(lost[0], "уже учтён: удовлетворить", "10.05.2027 10:00", "Изменить голос")
    ok, lost = await race(
        services.appeal_decisions.vote(MEMBER_2, a.id, True),
        services.appeal_decisions.vote(MEMBER_2, a.id, False),
    )
    assert len(ok) == 1 and len(lost) == 1
    assert (
        await count(services, AppealVote, AppealVote.appeal_id == a.id) == 2
        and await audits(services, "appeal.vote", a.id) == 2
    )
    # a deliberate change, twice at once: changed once
    ok, lost = await race(
        services.appeal_decisions.vote(MEMBER, a.id, False, change=True),
        services.appeal_decisions.vote(MEMBER, a.id, False, change=True),
    )
    assert len(ok) == 1 and len(lost) == 1 and await audits(services, "appeal.vote", a.id) == 3
    # two members at once (the chair and a member): both count
    b = await file(services, MENTOR, st.targets[0], at(9, 30))
    ok, lost = await race(
        services.appeal_decisions.vote(CHAIR, b.id, True),
        services.appeal_decisions.vote(MEMBER_2, b.id, False),
    )
    assert (
        len(ok) == 2
        and not lost
        and await count(services, AppealVote, AppealVote.appeal_id == b.id) == 2
    )
    # a conflict declared twice at once: once
    ok, lost = await race(
        services.appeal_decisions.declare_conflict(MEMBER, b.id),
        services.appeal_decisions.declare_conflict(MEMBER, b.id),
    )
    assert len(ok) == 1 and [e.code for e in lost] == ["appeal_conflict_declared_already"]
    russian(lost[0], "уже заявили о конфликте интересов", "10.05.2027 10:00")
    assert await audits(services, "appeal.conflict", b.id) == 1


async def test_two_decisions_at_once_one_wins(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock, count=2)
    clock.at = at(10, 0)
    a = await file(services, MENTOR, st.targets[0], at(9, 0))
    clock.at = at(14, 2)
    ok, lost = await race(
        services.appeal_decisions.decide(
            CHAIR, a.id, uphold=True, text="Преимущество подтверждено.", deduction="1"
        ),
        services.appeal_decisions.decide(
            CHAIR, a.id, uphold=False, text="Нарушение не подтверждено."
        ),
    )
    assert len(ok) == 1 and [e.code for e in lost] == ["appeal_decided_already"]
    won = ok[0]
    text = russian(
        lost[0], "уже принято", "10.05.2027 14:02", await name_of(services, CHAIR), "окончательное"
    )
    assert ("удовлетворена" in text) == (won.decision == "upheld")
    assert await audits(services, "appeal.decide", a.id) == 1
    assert await count(services, Protocol, Protocol.kind == "appeal") == 1
    assert await count(services, ResultAdjustment) == (1 if won.decision == "upheld" else 0)
    extracts = await count(services, Delivery, Delivery.subject == f"appeal:{a.id}:extract")
    assert extracts == 2  # one to the applicant, one to the chief expert
    # a member's vote that lost the race with the decision is told it
    err = (await race(services.appeal_decisions.vote(MEMBER, a.id, True)))[1][0]
    assert err.code == "appeal_decided_already"
    # the workers' side: a decided appeal is not touched by the refusal sweep
    assert (await services.appeal_decisions.view(CHAIR, a.id)).status == "decided"


# =========================================================================== the real dispatcher


@pytest.fixture
async def pg_world(db_url: str, tmp_path: Path) -> AsyncIterator[World]:
    """The dispatcher over a fake Bot API session, on SQLite and on PostgreSQL."""
    async for w in make_world(db_url, tmp_path):
        yield w


def answered(world: World) -> int:
    return len(world.session.calls(AnswerCallbackQuery))


async def both(world: World, *presses: tuple[Person, str, int]) -> list[str]:
    """Fire presses at once; every callback query must be answered. Returns every text the
    bot said to the pressing people meanwhile (each once)."""
    before, mark = answered(world), len(world.session.requests)
    await asyncio.gather(*(p.press_data(data, mid) for p, data, mid in presses))
    assert answered(world) - before == len(presses), "every callback query is answered"
    people = {p.user_id for p, _, _ in presses}
    return [
        t
        for p in people
        for t in Person._texts_since(next(x for x, _, _ in presses if x.user_id == p), mark)
    ]


def last_buttons(p: Person) -> list[str]:
    """Labels of the buttons on the bot's newest message with buttons to this person."""
    found = p.buttons()
    return [text for mid, text, _ in found if mid == found[0][0]] if found else []


async def send_photo(world: World, p: Person) -> None:
    from aiogram.types import Update

    from tests.fakes.updates import message_update_json

    data = message_update_json(p.user_id, None, first_name=p.name)
    data["message"]["photo"] = [
        {"file_id": "ph-1", "file_unique_id": "u-ph-1", "width": 8, "height": 6, "file_size": 100}
    ]
    await world.dp.feed_update(world.bot, Update.model_validate(data))


async def test_double_submit_and_the_forms_prompts_through_the_dispatcher(pg_world: World) -> None:
    world = pg_world
    await ready(world.services, 1, world.clock, count=1)
    world.clock.at = at(10, 0)
    mentor = world.person(MENTOR, "Игорь")
    await mentor.send("/appeal")
    await mentor.press("№")
    await mentor.press("Нарушение процедуры оценивания")
    await mentor.send("10.05.2027 09:30")
    # «Отмена» on a step: nothing filed, the draft kept; a text afterwards is no answer
    reply = await mentor.send(FIELDS["place"])
    assert "Кто совершил нарушение" in reply and mentor.has_button("Отмена")
    reply = await mentor.press("Отмена")
    assert "ничего не изменено" in reply
    assert "Где произошло" not in await mentor.send("какой-то текст")
    # /appeal with a draft: «Продолжить» asks the same step again, everything kept
    reply = await mentor.send("/appeal")
    assert "незаконченная апелляция" in reply and "Заполнено: 3 из 11" in reply
    assert "Кто совершил нарушение" in await mentor.press("Продолжить")
    for step in (
        "violators",
        "witnesses",
        "description",
        "demands",
        "applicant_name",
        "applicant_category",
        "contacts",
    ):
        await mentor.send(FIELDS[step])
    await send_photo(world, mentor)
    assert "Проверьте апелляцию" in await mentor.press("Готово")
    # «Изменить: место» then «Отмена»: the old answer stays
    await mentor.press("Изменить: место")
    await mentor.press("Отмена")
    assert FIELDS["place"] in await mentor.press("Вернуться")
    async with world.services.ctx.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(Appeal))).scalar_one() == 0

    # a double «Подать апелляцию» (same person, same message): one appeal
    data, mid = newest(mentor, "Подать апелляцию")
    replies = await both(world, (mentor, data, mid), (mentor, data, mid))
    assert sum("подана" in r and "зарегистрирована" in r for r in replies) == 1
    loser = next(r for r in replies if "уже подана" in r)
    assert "№1" in loser and not ENGLISH.search(loser)
    assert (
        await count(world.services, Appeal) == 1
        and await audits(world.services, "appeal.file") == 1
    )
    # an edit button of the filed form is refused at once, before asking anything
    reply = await mentor.press("Изменить: место")
    assert "уже подана" in reply and "Где произошло" not in reply
    # /appeal now starts afresh (the filed draft is no draft)
    assert "Выберите участника" in await mentor.send("/appeal")


async def test_double_presses_of_votes_and_the_decision_through_the_dispatcher(
    pg_world: World,
) -> None:
    world = pg_world
    st = await ready(world.services, 1, world.clock, count=2)
    world.clock.at = at(10, 0)
    a = await file(world.services, MENTOR, st.targets[0], at(9, 0))
    chair, member, member_2 = (
        world.person(CHAIR, "Анна"),
        world.person(MEMBER),
        world.person(MEMBER_2),
    )
    uphold = AppealCb(appeal_id=a.id, action="uphold").pack()
    reject = AppealCb(appeal_id=a.id, action="reject").pack()
    # the same member: «Удовлетворить» twice at once; «Удовлетворить» and «Отказать» at once
    replies = await both(world, (member, uphold, 1), (member, uphold, 1))
    assert sum("Голос учтён" in r for r in replies) == 1 and any("уже учтён" in r for r in replies)
    replies = await both(world, (member_2, uphold, 1), (member_2, reject, 1))
    assert sum("Голос учтён" in r for r in replies) == 1
    # two members at once: both counted
    b = await file(world.services, MENTOR, st.targets[0], at(9, 30))
    replies = await both(
        world,
        (member, AppealCb(appeal_id=b.id, action="reject").pack(), 1),
        (member_2, AppealCb(appeal_id=b.id, action="reject").pack(), 1),
    )
    assert sum("Голос учтён: отказать" in r for r in replies) == 2
    assert await count(world.services, AppealVote, AppealVote.appeal_id == b.id) == 2
    # the card offers a deliberate «Изменить голос» instead of the vote buttons
    await member.press_data(AppealCb(appeal_id=b.id, action="view").pack())
    card = last_buttons(member)
    assert "Изменить голос на «удовлетворить»" in card and "Удовлетворить" not in card
    assert "Голос учтён: удовлетворить" in await member.press("Изменить голос")

    # the chair's decision: text «Отмена» changes nothing
    await chair.press_data(AppealCb(appeal_id=a.id, action="decide").pack())
    assert "Текст решения" in await chair.press("Отказать в удовлетворении")
    reply = await chair.press("Отмена")
    assert "ничего не изменено" in reply and chair.has_button("Вернуться")
    assert "Апелляция №1" in await chair.press("Вернуться")
    assert (await world.services.appeal_decisions.view(CHAIR, a.id)).status == "registered"
    # shown back with «Подтвердить / Изменить»; «Изменить» asks again
    await chair.press("Записать решение")
    await chair.press("Отказать в удовлетворении")
    reply = await chair.send("Нарушение не подтверждено")
    assert (
        "Записать решение по апелляции №1?" in reply
        and chair.has_button("Подтвердить")
        and chair.has_button("Изменить")
    )
    assert "Выберите решение" in await chair.press("Изменить")
    await chair.press("Удовлетворить апелляцию")
    await chair.send("Преимущество подтверждено")
    await chair.send("1,5")
    reply = await chair.press("Нет")
    assert "Вычет баллов: 1,5" in reply
    # «Отмена» of the confirmation, then its «Подтвердить» pressed anyway: nothing recorded
    ok_data, ok_mid = newest(chair, "Подтвердить")
    await chair.press("Отмена")
    assert "не записано" in await chair.press_data(ok_data, ok_mid)
    assert (await world.services.appeal_decisions.view(CHAIR, a.id)).status == "registered"
    # again, and «Подтвердить» pressed twice at once: one decision, one extract each
    await chair.press_data(AppealCb(appeal_id=a.id, action="decide").pack())
    await chair.press("Удовлетворить апелляцию")
    await chair.send("Преимущество подтверждено")
    await chair.send("1,5")
    await chair.press("Нет")
    ok_data, ok_mid = newest(chair, "Подтвердить")
    replies = await both(world, (chair, ok_data, ok_mid), (chair, ok_data, ok_mid))
    assert sum("записано" in r for r in replies) == 1
    loser = next(r for r in replies if "записано" not in r)
    assert "уже принято" in loser and "Григорьева" in loser and not ENGLISH.search(loser)
    assert await audits(world.services, "appeal.decide", a.id) == 1
    assert await count(world.services, Delivery, Delivery.subject == f"appeal:{a.id}:extract") == 2
    assert await count(world.services, ResultAdjustment) == 1
    # stale buttons of the decided appeal: refused at once, nothing asked
    reply = await chair.press_data(AppealCb(appeal_id=a.id, action="decide").pack())
    assert "уже принято" in reply and "Выберите решение" not in reply
    reply = await chair.press_data(DecisionCb(appeal_id=a.id, action="upheld").pack())
    assert "уже принято" in reply and "Текст решения" not in reply
    reply = await member_2.press_data(uphold)
    assert "уже принято" in reply


async def test_a_revoked_chair_is_refused_before_any_input(world: World) -> None:
    st = await ready(world.services, 1, world.clock, count=1)
    world.clock.at = at(10, 0)
    a = await file(world.services, MENTOR, st.targets[0], at(9, 0))
    async with world.services.ctx.sessionmaker() as s, s.begin():
        role = (
            (await s.execute(select(RoleAssignment).where(RoleAssignment.telegram_id == CHAIR)))
            .scalars()
            .first()
        )
        role.active = False
    chair = world.person(CHAIR, "Анна")
    reply = await chair.press_data(AppealCb(appeal_id=a.id, action="decide").pack())
    assert "только членам апелляционной комиссии" in reply and "Выберите решение" not in reply
    assert "Текст решения" not in await chair.press_data(
        DecisionCb(appeal_id=a.id, action="upheld").pack()
    )


async def test_dispute_prompts_can_be_left_and_the_draft_opens_one_vote(world: World) -> None:
    await ready(world.services, 1, world.clock, count=1)
    world.clock.at = at(10, 0)
    chief = world.person(CHIEF, "Павел")
    assert "Опишите спорную ситуацию" in await chief.send("/dispute")
    # «Отмена» at each step: nothing opened, the next text is no answer
    for answers in ((), ("Ситуация",), ("Ситуация", "Предложение")):
        await chief.send("/dispute")
        for text in answers:
            await chief.send(text)
        assert "ничего не изменено" in await chief.press("Отмена")
        assert "Шаг" not in await chief.send("просто текст")
    assert await count(world.services, PreAppeal) == 0
    await chief.send("/dispute")
    await chief.send("Участнику выдали не тот комплект")
    await chief.send("Продлить время на 10 минут")
    assert "Вынести на голосование?" in await chief.send("-")
    data, mid = newest(chief, "Вынести на голосование")
    replies = await both(world, (chief, data, mid), (chief, data, mid))
    assert sum("🗳 Голосование №1 открыто" in r for r in replies) == 1
    assert any("уже вынесено на голосование: голосование №1" in r for r in replies)
    assert (
        await count(world.services, PreAppeal) == 1
        and await audits(world.services, "pre_appeal.open") == 1
    )
    # two experts press «За» at once, and one of them twice: two votes
    e1, e2 = world.person(ACCREDITED[0]), world.person(ACCREDITED[1])
    vote = PreAppealCb(pre_appeal_id=1, vote=1).pack()
    replies = await both(world, (e1, vote, 1), (e2, vote, 1), (e1, vote, 1))
    assert (
        sum("Ваш голос учтён" in r for r in replies) == 2
        and sum("Вы уже проголосовали" in r for r in replies) == 1
    )
    assert await count(world.services, PreAppealVote) == 2
    # a cancelled draft's «Вынести» opens nothing
    await chief.send("/dispute")
    await chief.send("Другая ситуация")
    await chief.send("Другое предложение")
    await chief.send("-")
    data, mid = newest(chief, "Вынести на голосование")
    await chief.press("Отменить")
    assert "отменён" in await chief.press_data(data, mid)
    assert await count(world.services, PreAppeal) == 1


async def test_commission_formed_once_through_the_dispatcher(world: World) -> None:
    world.clock.at = at(10, 0)
    federal, admin = world.person(FEDERAL, "Наталья"), world.person(ADMIN_ID, "Админ")

    fed = await federal_stage(world.services, 1)
    data = CommissionCb(
        contest_id=1, action="ok", stage=fed, deputy=MEMBER
    ).pack()  # «Подтвердить» (issue #15: stage, deputy)
    replies = await both(world, (federal, data, 1), (federal, data, 1), (admin, data, 1))
    assert sum("Комиссия сформирована" in r for r in replies) == 1
    assert sum("уже сформирована" in r for r in replies) == 2
    assert await count(world.services, CommissionMember) == len(COMMISSION)
    assert await audits(world.services, "commission.form") == 1
    assert SECRETARY in COMMISSION
