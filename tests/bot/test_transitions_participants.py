"""Issue #12, guarantees 1 and 2 for participants and coordinators.

Every transition of the participant's journey and of the coordinator's decisions is atomic
on SQLite and PostgreSQL: two presses at once (the same person, or two coordinators of one
region), or two conflicting presses («Принять» with «Отказать»), move the state once, write
one audit row and one outbox row, and the loser is told in Russian what already happened,
by whom and when (R-VER-3, R-VER-5, R-APP-1…6, R-PD-1). Every free-text prompt can be left
with «Отмена», a typed rejection reason is shown back before it is applied, and a stale
button is refused before any input is asked.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import func, select

from bot.texts import error_text
from bot.verification_callbacks import DecideCb, ReopenCb
from models.errors import DomainError
from models.rules import ConditionAnswers
from models.services import Services, TelegramFile
from models.tables import Application, AuditRecord, Delivery, Participant, RoleAssignment
from tests.builders import World
from tests.conftest import COORD_MOSCOW, FEDERAL, ids

#: a second coordinator of Moscow (region "77"), added by the tests
COORD_MOSCOW_2 = 100099
COORD_MOSCOW_2_NAME = "Петрова Мария Игоревна"
COORD_MOSCOW_NAME = "Смирнова Ольга Викторовна"  # examples/contest.yaml
SNILS = ["10000000009", "10000000110", "10000000211", "10000000312", "10000000413", "10000000514"]


# --------------------------------------------------------------------------- helpers


async def add_second_moscow_coordinator(services: Services, contest_id: int) -> None:
    async with services.ctx.sessionmaker() as s, s.begin():
        s.add(
            RoleAssignment(
                contest_id=contest_id,
                telegram_id=COORD_MOSCOW_2,
                role="coordinator",
                name=COORD_MOSCOW_2_NAME,
                region_codes=["77"],
                active=True,
            )
        )


async def pending(services: Services, contest_id: int, user: int, n: int = 0) -> int:
    """A participant of Moscow whose form is «На рассмотрении»; returns the participant id."""
    known = await ids(services, contest_id)
    p = services.participants
    await p.give_consent(user, contest_id, "Анна")
    await p.set_full_name(
        user,
        contest_id,
        ["Иванова Анна Петровна", "Сидорова Мария Ивановна", "Кузнецова Ольга Сергеевна"][n % 3],
    )
    await p.set_snils(user, contest_id, SNILS[n])
    await p.set_region(user, contest_id, known["regions"]["77"])
    await p.set_organisation(user, contest_id, known["orgs"]["7704000101"])
    return (await p.submit_verification(user, contest_id)).id


async def accepted(services: Services, contest_id: int, user: int, n: int = 0) -> int:
    pid = await pending(services, contest_id, user, n)
    await services.coordination.decide(COORD_MOSCOW, pid, accept=True)
    return pid


async def ready_application(services: Services, contest_id: int, user: int, n: int = 0) -> int:
    """Accepted, a «Лучший социальный работник» application with everything but sending."""
    known = await ids(services, contest_id)
    pid = await accepted(services, contest_id, user, n)
    p = services.participants
    await p.choose_nomination(
        user, contest_id, known["noms"]["best_social_worker"], ConditionAnswers(experience_years=7)
    )
    await p.set_field(user, contest_id, "position", "Социальный работник")
    await p.set_field(user, contest_id, "experience_years", "7")
    await p.add_file(
        user,
        contest_id,
        "presentation",
        TelegramFile("f1", f"u1-{user}", "p.pdf", "application/pdf", 1000),
    )
    await p.add_file(
        user,
        contest_id,
        "video",
        TelegramFile("f2", f"u2-{user}", "v.mp4", "video/mp4", 1000, True),
    )
    await p.set_consent(user, contest_id, "privacy", True)
    await p.set_consent(user, contest_id, "transfer", True)
    return pid


async def audit_count(services: Services, action: str, entity_id: int | None = None) -> int:
    async with services.ctx.sessionmaker() as s:
        q = select(func.count()).select_from(AuditRecord).where(AuditRecord.action == action)
        if entity_id is not None:
            q = q.where(AuditRecord.entity_id == entity_id)
        return (await s.execute(q)).scalar_one()


async def delivery_count(
    services: Services, reason: str | None = None, subject: str | None = None
) -> int:
    async with services.ctx.sessionmaker() as s:
        q = select(func.count()).select_from(Delivery)
        if reason is not None:
            q = q.where(Delivery.reason == reason)
        if subject is not None:
            q = q.where(Delivery.subject == subject)
        return (await s.execute(q)).scalar_one()


def one_winner(results: list[Any]) -> tuple[Any, DomainError]:
    """Exactly one call succeeded; the other was refused with a DomainError."""
    errors = [r for r in results if isinstance(r, BaseException)]
    wins = [r for r in results if not isinstance(r, BaseException)]
    assert len(wins) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], DomainError), repr(errors[0])
    return wins[0], errors[0]


# --------------------------------------------------------------------------- services, both databases


async def test_double_accept_by_one_and_by_two_coordinators(
    services: Services, contest_id: int
) -> None:
    await add_second_moscow_coordinator(services, contest_id)
    coord = services.coordination
    # the same coordinator twice at once
    pid = await pending(services, contest_id, 555101, 0)
    _, err = one_winner(
        await asyncio.gather(
            coord.decide(COORD_MOSCOW, pid, True),
            coord.decide(COORD_MOSCOW, pid, True),
            return_exceptions=True,
        )
    )
    assert err.code == "already_decided" and err.args_["by"] == "you"
    assert error_text(err).startswith(
        "Решение уже принято: подтверждено вами, 01.02.2027 10:00 (МСК)"
    )
    assert await audit_count(services, "verification.accept", pid) == 1
    assert await delivery_count(services, "verification_status", f"participant:{pid}") == 1
    # two coordinators of one region at once: the loser is told who and when
    pid = await pending(services, contest_id, 555102, 1)
    results = await asyncio.gather(
        coord.decide(COORD_MOSCOW, pid, True),
        coord.decide(COORD_MOSCOW_2, pid, True),
        return_exceptions=True,
    )
    _, err = one_winner(results)
    winner_name = COORD_MOSCOW_NAME if isinstance(results[1], DomainError) else COORD_MOSCOW_2_NAME
    assert (
        error_text(err)
        == f"Решение уже принято: подтверждено координатором {winner_name}, 01.02.2027 10:00 (МСК)."
    )
    assert await audit_count(services, "verification.accept", pid) == 1
    assert await delivery_count(services, "verification_status", f"participant:{pid}") == 1


async def test_accept_and_reject_at_once_make_one_decision(
    services: Services, contest_id: int
) -> None:
    await add_second_moscow_coordinator(services, contest_id)
    coord = services.coordination
    pid = await pending(services, contest_id, 555111)
    results = await asyncio.gather(
        coord.decide(COORD_MOSCOW, pid, True),
        coord.decide(COORD_MOSCOW_2, pid, False, reason="Нет СНИЛС"),
        return_exceptions=True,
    )
    _, err = one_winner(results)
    view = await services.participants.view(555111, contest_id)
    accepted_won = not isinstance(results[0], BaseException)
    assert view.status == ("accepted" if accepted_won else "rejected")
    decisions = await audit_count(services, "verification.accept", pid) + await audit_count(
        services, "verification.reject", pid
    )
    assert decisions == 1
    assert await delivery_count(services, "verification_status", f"participant:{pid}") == 1
    assert error_text(err).startswith(
        "Решение уже принято: " + ("подтверждено" if accepted_won else "отказано")
    )


async def test_double_submissions_consents_and_nomination(
    services: Services, contest_id: int
) -> None:
    p = services.participants
    user = 555121
    # «Согласен(а)» twice at once: one participant, one audit row
    await asyncio.gather(
        p.give_consent(user, contest_id, "А"), p.give_consent(user, contest_id, "А")
    )
    async with services.ctx.sessionmaker() as s:
        assert (await s.execute(select(func.count()).select_from(Participant))).scalar_one() == 1
    assert await audit_count(services, "participant.consent") == 1
    # «Отправить на проверку» twice
    known = await ids(services, contest_id)
    await p.set_full_name(user, contest_id, "Иванова Анна Петровна")
    await p.set_snils(user, contest_id, SNILS[2])
    await p.set_region(user, contest_id, known["regions"]["77"])
    await p.set_organisation(user, contest_id, known["orgs"]["7704000101"])
    _, err = one_winner(
        await asyncio.gather(
            p.submit_verification(user, contest_id),
            p.submit_verification(user, contest_id),
            return_exceptions=True,
        )
    )
    assert err.code == "form_already_submitted"
    assert (
        error_text(err)
        == "Анкета уже отправлена на проверку 01.02.2027 10:00 (МСК). Дождитесь решения координатора."
    )
    assert await audit_count(services, "verification.submit") == 1
    pid = (await p.view(user, contest_id)).id
    await services.coordination.decide(COORD_MOSCOW, pid, True)
    # the nomination chosen twice at once: one application
    nom = known["noms"]["best_social_worker"]
    answers = ConditionAnswers(experience_years=7)
    _, err = one_winner(
        await asyncio.gather(
            p.choose_nomination(user, contest_id, nom, answers),
            p.choose_nomination(user, contest_id, nom, answers),
            return_exceptions=True,
        )
    )
    assert err.code == "one_nomination"
    assert await audit_count(services, "application.create") == 1
    # a consent given twice at once: given once
    await asyncio.gather(
        p.set_consent(user, contest_id, "privacy", True),
        p.set_consent(user, contest_id, "privacy", True),
    )
    assert await audit_count(services, "application.consent") == 1
    assert (await p.view(user, contest_id)).application.consent_privacy
    # «Отправить» twice
    await p.set_field(user, contest_id, "position", "Социальный работник")
    await p.set_field(user, contest_id, "experience_years", "7")
    await p.add_file(
        user, contest_id, "presentation", TelegramFile("f1", "u1", "p.pdf", "application/pdf", 1000)
    )
    await p.add_file(
        user, contest_id, "video", TelegramFile("f2", "u2", "v.mp4", "video/mp4", 1000, True)
    )
    await p.set_consent(user, contest_id, "transfer", True)
    _, err = one_winner(
        await asyncio.gather(
            p.submit_application(user, contest_id),
            p.submit_application(user, contest_id),
            return_exceptions=True,
        )
    )
    assert (
        error_text(err)
        == "Заявка уже отправлена 01.02.2027 10:00 (МСК). Изменить её можно только через координатора."
    )
    assert await audit_count(services, "application.submit") == 1


async def test_double_withdrawal_anonymises_once(services: Services, contest_id: int) -> None:
    p = services.participants
    await pending(services, contest_id, 555131)
    _, err = one_winner(
        await asyncio.gather(
            p.withdraw(555131, contest_id), p.withdraw(555131, contest_id), return_exceptions=True
        )
    )
    assert err.code == "already_withdrawn"
    assert error_text(err).startswith("Согласие уже отозвано 01.02.2027 10:00 (МСК)")
    assert await audit_count(services, "participant.withdraw") == 1


async def test_double_reopen_and_withdrawn_participant_is_out(
    services: Services, contest_id: int, clock
) -> None:
    await add_second_moscow_coordinator(services, contest_id)
    coord = services.coordination
    pid = await ready_application(services, contest_id, 555141, 0)
    await services.participants.submit_application(555141, contest_id)
    results = await asyncio.gather(
        coord.reopen(COORD_MOSCOW, pid), coord.reopen(COORD_MOSCOW_2, pid), return_exceptions=True
    )
    _, err = one_winner(results)
    assert err.code == "already_reopened"
    assert error_text(err).startswith("Заявка уже возвращена на доработку координатором")
    async with services.ctx.sessionmaker() as s:
        app_id = (
            await s.execute(select(Application.id).where(Application.participant_id == pid))
        ).scalar_one()
    assert await audit_count(services, "application.reopen", app_id) == 1
    assert await delivery_count(services, "application_reopened") == 1
    # a withdrawn participant's submitted application leaves /applications and cannot be reopened
    other = await ready_application(services, contest_id, 555142, 1)
    await services.participants.submit_application(555142, contest_id)
    cards, _, _ = await coord.applications(COORD_MOSCOW, contest_id)
    assert other in [c.participant_id for c in cards]
    await services.participants.withdraw(555142, contest_id)
    cards, _, _ = await coord.applications(COORD_MOSCOW, contest_id)
    assert other not in [c.participant_id for c in cards]
    before = await delivery_count(services)
    with pytest.raises(DomainError) as refused:
        await coord.reopen(COORD_MOSCOW, other)
    assert refused.value.code == "participant_withdrawn"
    assert "отозвал согласие" in error_text(refused.value)
    assert await delivery_count(services) == before  # no notice to the withdrawn person
    with pytest.raises(DomainError) as refused:
        await coord.decide(FEDERAL, other, True)
    assert refused.value.code == "participant_withdrawn"


async def test_a_decision_from_a_card_of_an_earlier_submission_is_refused(
    services: Services, contest_id: int
) -> None:
    from models.services.coordination import submission_rev

    coord = services.coordination
    pid = await pending(services, contest_id, 555151)
    old_rev = submission_rev(await coord.card(COORD_MOSCOW, pid))
    await coord.decide(COORD_MOSCOW, pid, False, reason="Неверная организация")
    services.ctx.clock.at = datetime(2027, 2, 2, 9, 30, tzinfo=services.ctx.clock.at.tzinfo)  # type: ignore[attr-defined]
    await services.participants.set_full_name(555151, contest_id, "Иванова Анна Павловна")
    await services.participants.submit_verification(555151, contest_id)
    with pytest.raises(DomainError) as err:
        await coord.decide(
            COORD_MOSCOW, pid, False, reason="Спасибо, всё понятно", expected_rev=old_rev
        )
    assert err.value.code == "form_resubmitted" and "02.02.2027 09:30" in error_text(err.value)
    assert (await services.participants.view(555151, contest_id)).status == "pending"


# --------------------------------------------------------------------------- the real dispatcher (SQLite)


def answered_ids(world: World, mark: int) -> set[str]:
    return {
        str(c.callback_query_id)
        for c in world.session.requests[mark:]
        if isinstance(c, AnswerCallbackQuery)
    }


def said(world: World, user_id: int, mark: int) -> str:
    """Everything the bot said to one chat since ``mark`` (two presses at once share a mark)."""
    from aiogram.methods import EditMessageText, SendMessage

    return "\n".join(
        r.text
        for r in world.session.requests[mark:]
        if isinstance(r, (SendMessage, EditMessageText))
        and str(r.chat_id) == str(user_id)
        and world.session.succeeded(r)
    )


def button(person, label: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    for mid, text, data in person.buttons():
        if label in text:
            return mid, data
    raise AssertionError(f"no button {label!r}: {[t for _, t, _ in person.buttons()][:15]}")


async def open_card(world: World, user_id: int, name: str, label: str = "Иванова Анна Петровна"):  # type: ignore[no-untyped-def]
    coord = world.person(user_id, name)
    await coord.send("/queue")
    await coord.press(label)
    return coord


async def test_bot_accept_pressed_twice_and_by_two_coordinators(world: World) -> None:
    s = world.services
    await add_second_moscow_coordinator(s, 1)
    # the same coordinator, twice at once
    pid = await pending(s, 1, 555201, 0)
    c1 = await open_card(world, COORD_MOSCOW, "Ольга")
    mid, data = button(c1, "Принять")
    mark = len(world.session.requests)
    await asyncio.gather(c1.press_data(data, mid), c1.press_data(data, mid))
    assert len(answered_ids(world, mark)) == 2  # every callback query answered
    joined = said(world, COORD_MOSCOW, mark)
    assert (
        joined.count("Подтверждено: Иванова Анна Петровна") == 1
        and joined.count("Решение уже принято: подтверждено вами") == 1
    )
    assert await audit_count(s, "verification.accept", pid) == 1
    assert await delivery_count(s, "verification_status", f"participant:{pid}") == 1
    # two coordinators of the region, at once
    pid = await pending(s, 1, 555202, 1)
    c1 = await open_card(world, COORD_MOSCOW, "Ольга", "Сидорова Мария Ивановна")
    c2 = await open_card(world, COORD_MOSCOW_2, "Мария", "Сидорова Мария Ивановна")
    (m1, d1), (m2, d2) = button(c1, "Принять"), button(c2, "Принять")
    mark = len(world.session.requests)
    r1, r2 = await asyncio.gather(c1.press_data(d1, m1), c2.press_data(d2, m2))
    assert len(answered_ids(world, mark)) == 2
    assert ("Подтверждено: Сидорова" in r1) != ("Подтверждено: Сидорова" in r2)
    loser = r2 if "Подтверждено: Сидорова" in r1 else r1
    winner_name = COORD_MOSCOW_NAME if loser is r2 else COORD_MOSCOW_2_NAME
    assert (
        f"Решение уже принято: подтверждено координатором {winner_name}, 01.02.2027 10:00 (МСК)."
        in loser
    )
    assert await audit_count(s, "verification.accept", pid) == 1
    assert await delivery_count(s, "verification_status", f"participant:{pid}") == 1


async def test_bot_accept_and_preset_reason_together(world: World) -> None:
    s = world.services
    await add_second_moscow_coordinator(s, 1)
    pid = await pending(s, 1, 555211)
    c1 = await open_card(world, COORD_MOSCOW, "Ольга")
    c2 = await open_card(world, COORD_MOSCOW_2, "Мария")
    await c2.press("Отказать")
    m_accept, d_accept = button(c1, "Принять")
    mid_reason, d_reason = next(
        (m, d) for m, t, d in c2.buttons() if d.startswith("dc:") and ":reason:0" in d
    )
    mark = len(world.session.requests)
    r1, r2 = await asyncio.gather(
        c1.press_data(d_accept, m_accept), c2.press_data(d_reason, mid_reason)
    )
    assert len(answered_ids(world, mark)) == 2
    assert ("Решение уже принято" in r1) != ("Решение уже принято" in r2)
    decisions = await audit_count(s, "verification.accept", pid) + await audit_count(
        s, "verification.reject", pid
    )
    assert decisions == 1
    assert await delivery_count(s, "verification_status", f"participant:{pid}") == 1


async def test_bot_double_submissions_and_double_withdrawal(world: World) -> None:
    s = world.services
    known = await ids(s, 1)
    p = world.person(555221, "Анна")
    await s.participants.give_consent(555221, 1, "Анна")
    await s.participants.set_full_name(555221, 1, "Иванова Анна Петровна")
    await s.participants.set_snils(555221, 1, SNILS[0])
    await s.participants.set_region(555221, 1, known["regions"]["77"])
    await s.participants.set_organisation(555221, 1, known["orgs"]["7704000101"])
    await p.send("/start")
    mid, data = button(p, "Отправить на проверку")
    mark = len(world.session.requests)
    await asyncio.gather(p.press_data(data, mid), p.press_data(data, mid))
    replies = said(world, p.user_id, mark)
    assert len(answered_ids(world, mark)) == 2
    assert (
        replies.count("Анкета отправлена на проверку. Статус") == 1
        and "Анкета уже отправлена на проверку 01.02.2027 10:00 (МСК)" in replies
    )
    assert await audit_count(s, "verification.submit") == 1
    # the application's «Отправить», twice
    q = world.person(555222, "Мария")
    await ready_application(s, 1, 555222, 1)
    await q.send("/start")
    await q.press("Проверить и отправить")
    mid, data = next((m, d) for m, t, d in q.buttons() if t == "Отправить")
    mark = len(world.session.requests)
    await asyncio.gather(q.press_data(data, mid), q.press_data(data, mid))
    replies = said(world, q.user_id, mark)
    assert len(answered_ids(world, mark)) == 2
    assert (
        replies.count("Ваша заявка принята") == 1
        and "Заявка уже отправлена 01.02.2027 10:00 (МСК)" in replies
    )
    assert await audit_count(s, "application.submit") == 1
    # /withdraw confirmed twice: anonymised once
    await q.send("/withdraw")
    mid, data = button(q, "Да, отозвать согласие")
    mark = len(world.session.requests)
    await asyncio.gather(q.press_data(data, mid), q.press_data(data, mid))
    replies = said(world, q.user_id, mark)
    assert len(answered_ids(world, mark)) == 2
    assert (
        replies.count("Участие в конкурсе завершено") == 1
        and "Согласие уже отозвано 01.02.2027 10:00 (МСК)" in replies
    )
    assert await audit_count(s, "participant.withdraw") == 1
    # and /withdraw again is answered at once, with no new question
    mark = len(world.session.requests)
    reply = await q.send("/withdraw")
    assert "Согласие уже отозвано" in reply and "нельзя отменить" not in reply


async def test_bot_cancel_on_every_form_prompt_changes_nothing(world: World) -> None:
    p = world.person(555231, "Анна")
    await p.send("/start")
    reply = await p.press("Согласен(а) на обработку")
    assert "фамилию, имя и отчество" in reply and p.has_button("Отмена")
    reply = await p.press("Отмена")
    assert "ничего не изменено" in reply
    assert "ФИО сохранено" not in await p.send("Петрова Анна Петровна")
    view = await world.services.participants.view(555231, 1)
    assert view.full_name is None
    reply = await p.press("Вернуться")  # back to where the person was: the ФИО question
    assert "фамилию, имя и отчество" in reply
    await p.send("Иванова Анна Петровна")
    # СНИЛС prompt
    assert p.has_button("Отмена")
    await p.press("Отмена")
    await p.send("100-000-000 09")
    assert (await world.services.participants.view(555231, 1)).snils_masked is None
    await p.press("Вернуться")
    await p.send("100-000-000 09")
    # organisation search
    await p.press("г. Москва")
    assert p.has_button("Отмена")
    await p.press("Отмена")
    reply = await p.send("люблино")
    assert "«люблино»" not in reply  # no longer searching
    await p.press("Вернуться")
    await p.press("«Арбат»")
    # edit the name from the summary, then cancel: the name stays
    await p.press("Изменить ФИО")
    await p.press("Отмена")
    await p.send("Петрова Анна Петровна")
    view = await world.services.participants.view(555231, 1)
    assert (
        view.full_name == "Иванова Анна Петровна"
        and view.organisation is not None
        and view.status == "draft"
    )


async def test_bot_cancel_on_application_prompts_changes_nothing(world: World) -> None:
    s = world.services
    await accepted(s, 1, 555241)
    p = world.person(555241, "Анна")
    await p.send("/start")
    await p.press("Лучший социальный работник")
    reply = await p.press("Выбрать эту номинацию")
    assert "стаж" in reply and p.has_button("Отмена")
    await p.press("Отмена")
    await p.send("5")
    assert (await s.participants.view(555241, 1)).application is None
    reply = await p.press("Вернуться")  # back to the nomination card
    assert "Лучший социальный работник" in reply and "стаж работы не менее 3 лет" in reply
    await p.press("Выбрать эту номинацию")
    await p.send("5")
    await p.press("Должность")
    assert p.has_button("Отмена")
    await p.press("Отмена")
    await p.send("Заведующая")
    assert "position" not in (await s.participants.view(555241, 1)).application.field_values
    reply = await p.press("Вернуться")
    assert "Готово:" in reply


async def test_bot_typed_reason_is_shown_back_and_bound_to_its_participant(world: World) -> None:
    s = world.services
    await add_second_moscow_coordinator(s, 1)
    a = await pending(s, 1, 555251, 0)
    b = await pending(s, 1, 555252, 1)
    coord = await open_card(world, COORD_MOSCOW, "Ольга")
    await coord.press("Отказать")
    reply = await coord.press("Другая причина")
    assert "Напишите причину" in reply and coord.has_button("Отмена")
    reply = await coord.send("Организация указана неверно")
    assert (
        "Отказать участнику Иванова Анна Петровна?" in reply
        and "«Организация указана неверно»" in reply
    )
    assert (await s.participants.view(555251, 1)).status == "pending" and await audit_count(
        s, "verification.reject"
    ) == 0
    # «Изменить» asks again; the new text replaces the old one
    await coord.press("Изменить")
    reply = await coord.send("СНИЛС не совпадает")
    assert "«СНИЛС не совпадает»" in reply
    # «Отмена» changes nothing, and the old confirmation is no longer valid
    confirm_mid, confirm = button(coord, "Подтвердить")
    await coord.press("Отмена")
    reply = await coord.press_data(confirm, confirm_mid)
    assert "больше не действует" in reply
    assert (await s.participants.view(555251, 1)).status == "pending"
    # «Другая причина…» for A, then «Принять» for B, then a thank-you: nobody is rejected
    await coord.press_data(DecideCb(participant_id=a, action="other").pack())
    card_b = await open_card(world, COORD_MOSCOW, "Ольга", "Сидорова Мария Ивановна")
    await card_b.press("Принять")
    reply = await coord.send("Спасибо, всё понятно")
    assert "Отказано" not in reply
    assert (await s.participants.view(555251, 1)).status == "pending"
    assert await audit_count(s, "verification.reject") == 0
    # a confirmation from an old card whose participant was decided meanwhile is refused
    await coord.press_data(DecideCb(participant_id=a, action="other").pack())
    await coord.send("Неверная организация")
    confirm_mid, confirm = button(coord, "Подтвердить")
    await s.coordination.decide(COORD_MOSCOW_2, a, accept=True)
    mark = len(world.session.requests)
    reply = await coord.press_data(confirm, confirm_mid)
    assert len(answered_ids(world, mark)) == 1
    assert f"Решение уже принято: подтверждено координатором {COORD_MOSCOW_2_NAME}" in reply
    assert (await s.participants.view(555251, 1)).status == "accepted"
    assert await audit_count(s, "verification.reject") == 0
    # and a confirmed reason rejects once
    c = await pending(s, 1, 555253, 2)
    await coord.press_data(DecideCb(participant_id=c, action="other").pack())
    await coord.send("Организация не из реестра")
    reply = await coord.press("Подтвердить")
    assert "Отказано: Кузнецова Ольга Сергеевна" in reply
    assert await audit_count(s, "verification.reject", c) == 1 and b


async def test_bot_stale_buttons_are_refused_before_any_input(world: World) -> None:
    s = world.services
    p = world.person(555261, "Анна")
    await pending(s, 1, 555261)
    await p.send("/start")
    # the summary's «Изменить ФИО» from before the form was sent
    from bot.journey.callbacks import FormCb

    for action in ("name", "snils", "region", "org"):
        reply = await p.press_data(FormCb(contest_id=1, action=action).pack())
        assert "уже на проверке" in reply and "Введите" not in reply
    reply = await p.send("Петрова Анна Петровна")
    assert (await s.participants.view(555261, 1)).full_name == "Иванова Анна Петровна"
    # a withdrawn participant: hidden from /applications, not reopenable, no notice
    await add_second_moscow_coordinator(s, 1)
    pid = await ready_application(s, 1, 555262, 1)
    await s.participants.submit_application(555262, 1)
    coord = world.person(COORD_MOSCOW, "Ольга")
    await coord.send("/applications")
    assert coord.has_button("Сидорова Мария Ивановна")
    await coord.press("Сидорова Мария Ивановна")
    await coord.press("Вернуть на доработку")  # the confirmation question, before the withdrawal
    await s.participants.withdraw(555262, 1)
    reply = await coord.send("/applications")
    assert "Поданных заявок пока нет" in reply
    deliveries = await delivery_count(s)
    for data in (
        ReopenCb(participant_id=pid).pack(),
        ReopenCb(participant_id=pid, confirm=True).pack(),
    ):
        reply = await coord.press_data(data)
        assert "отозвал согласие" in reply
    reply = await coord.press("Да, вернуть")
    assert "отозвал согласие" in reply
    assert await delivery_count(s) == deliveries
    q = world.person(555262)
    reply = await q.press_data("ap:1:field:position:0")
    assert "отозвали согласие" in reply
