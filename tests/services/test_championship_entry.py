"""Issue #15, entry to the «Профессионалы» championship and the answers asked before a
nomination opens: R-VER-6 (registered ≥ 5 calendar days before the stage), R-ROLE-4 (≥ 14 on
the stage date), a birth date that cannot be (future, absurd) named as such, the стаж asked
once as a whole number of years."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.texts import error_text
from models import rules
from models.errors import DomainError
from models.rules import ConditionAnswers, Conditions
from models.services import Services
from models.tables import Application, Participant
from tests.builders import World, approve, register
from tests.conftest import MSK, ids

CHAMPIONSHIP = Path(__file__).resolve().parents[2] / "examples" / "championship.yaml"
COORD = 100101  # the championship's coordinator of region 77
USER = 556001
#: the example championship's stage starts 15.06.2027: registration closes on 10.06.2027
LAST_DAY_EVENING = datetime(2027, 6, 10, 23, 59, tzinfo=MSK)
FIRST_CLOSED_MOMENT = datetime(2027, 6, 11, 0, 0, tzinfo=MSK)


def snils(n: int) -> str:
    """A valid СНИЛС (R-VER-2) for the n-th test person."""
    first = f"{200000000 + n * 7919:09d}"
    return f"{first}{rules.snils_checksum(first):02d}"


async def load_championship(services: Services) -> int:
    return (await services.contests.load_definition(None, CHAMPIONSHIP.read_bytes())).contest_id


async def fill_form(services: Services, cid: int, user: int) -> None:
    known = await ids(services, cid)
    p = services.participants
    await p.give_consent(user, cid)
    await p.set_full_name(user, cid, "Соколова Мария Ивановна")
    await p.set_snils(user, cid, snils(user - USER))
    await p.set_region(user, cid, known["regions"]["77"])
    await p.set_organisation(user, cid, known["orgs"]["7701100101"])


async def accepted_in_championship(services: Services, cid: int, user: int) -> int:
    await fill_form(services, cid, user)
    view = await services.participants.submit_verification(user, cid)
    await services.coordination.decide(COORD, view.id, accept=True)
    return view.id


async def count(services: Services, model: type) -> int:
    async with services.ctx.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


# --------------------------------------------------------------------------- pure rules


def test_registration_closes_five_calendar_days_before_the_stage() -> None:
    """R-VER-6 (002 §4.7): «не позднее чем за 5 календарных дней до Чемпионата»."""
    event = date(2027, 6, 15)
    assert rules.championship_registration_last_day(event) == date(2027, 6, 10)
    assert rules.championship_registration_open(event, date(2027, 6, 10))
    assert not rules.championship_registration_open(event, date(2027, 6, 11))
    assert not rules.championship_registration_open(event, event)
    # across a month's end
    assert rules.championship_registration_last_day(date(2027, 3, 3)) == date(2027, 2, 26)


def test_age_on_the_stage_date_and_minors() -> None:
    """R-ROLE-4 (14 on the stage date), R-ROLE-5 (under 18 is a minor)."""
    stage = date(2027, 6, 15)
    assert rules.championship_old_enough(date(2013, 6, 15), stage)  # 14 that very day
    assert not rules.championship_old_enough(date(2013, 6, 16), stage)
    assert rules.is_minor_on(date(2009, 6, 16), stage) and not rules.is_minor_on(
        date(2009, 6, 15), stage
    )
    # a championship asks every participant's birth date, whatever the nomination says
    asked = rules.entry_conditions(Conditions(), rules.CHAMPIONSHIP)
    assert asked.asks_birth_date and not asked.is_empty
    assert not rules.entry_conditions(Conditions(), "social_services").asks_birth_date
    # ages of a nomination's limits are counted on the stage date when one is given
    young = Conditions(max_age=35)
    answers = ConditionAnswers(birth_date=date(1992, 3, 1))
    assert rules.check_conditions(young, answers, date(2027, 2, 1)) == []  # 34 today
    assert [
        f.code
        for f in rules.check_conditions(young, answers, date(2027, 2, 1), age_day=date(2028, 3, 1))
    ] == ["too_old"]


def test_birth_date_and_experience_problems_are_named() -> None:
    today = date(2027, 2, 1)
    assert rules.birth_date_problem("05.03.1990", today) is None
    assert rules.birth_date_problem("01.01.2030", today) == "future"
    assert rules.birth_date_problem("01.01.1900", today) == "too_old"
    assert rules.birth_date_problem("31.02.1990", today) == "no_such_date"  # QA 6(c): named as such
    assert rules.birth_date_problem("вчера", today) == "format"
    assert (
        rules.experience_years_problem("5") is None and rules.experience_years_problem("0") is None
    )
    assert (
        rules.experience_years_problem("5,5") == "fraction"
        and rules.experience_years_problem("5.5") == "fraction"
    )
    assert rules.experience_years_problem("71") == "range"
    assert (
        rules.experience_years_problem("пять") == "format"
        and rules.experience_years_problem("-1") == "format"
    )


# --------------------------------------------------------------------------- R-VER-6 in the service


async def test_late_registration_is_refused_with_the_last_day_named(
    services: Services, clock
) -> None:  # type: ignore[no-untyped-def]
    cid = await load_championship(services)
    # the last day still counts, to its last minute (in the contest's time zone)
    clock.at = LAST_DAY_EVENING
    await fill_form(services, cid, USER)
    assert (await services.participants.submit_verification(USER, cid)).status == "pending"
    # from the next day a newcomer is refused before giving anything
    clock.at = FIRST_CLOSED_MOMENT
    with pytest.raises(DomainError) as err:
        await services.participants.give_consent(USER + 1, cid)
    assert err.value.code == "championship_registration_closed"
    text = error_text(err.value)
    assert "Регистрация на чемпионат закрылась" in text and "10.06.2027" in text
    assert "5 календарных дней" in text and "15.06.2027" in text
    assert await services.participants.view(USER + 1, cid) is None
    assert await count(services, Participant) == 1


async def test_a_form_not_sent_in_time_is_kept_but_not_registered(
    services: Services, clock
) -> None:  # type: ignore[no-untyped-def]
    """R-VER-6 is checked again at the registration itself (sending the form), in the service."""
    cid = await load_championship(services)
    clock.at = LAST_DAY_EVENING
    await fill_form(services, cid, USER)
    clock.at = FIRST_CLOSED_MOMENT
    with pytest.raises(DomainError) as err:
        await services.participants.submit_verification(USER, cid)
    assert err.value.code == "championship_registration_closed"
    with pytest.raises(DomainError) as err:
        await services.participants.set_full_name(USER, cid, "Петрова Мария Ивановна")
    assert err.value.code == "championship_registration_closed"
    view = await services.participants.view(USER, cid)
    assert view.status == "draft" and view.full_name == "Соколова Мария Ивановна"  # nothing lost
    assert view.organisation is not None and view.snils_masked


async def test_a_form_returned_after_the_last_day_may_be_corrected_and_resent(
    services: Services, clock
) -> None:  # type: ignore[no-untyped-def]
    """Registered in time (the form sent); the coordinator's check may end later."""
    cid = await load_championship(services)
    clock.at = LAST_DAY_EVENING
    await fill_form(services, cid, USER)
    pid = (await services.participants.submit_verification(USER, cid)).id
    clock.at = FIRST_CLOSED_MOMENT
    await services.coordination.decide(COORD, pid, accept=False, reason="Не та организация")
    await services.participants.set_full_name(USER, cid, "Петрова Мария Ивановна")
    assert (await services.participants.submit_verification(USER, cid)).status == "pending"


async def test_other_contests_have_no_registration_cut_off(
    services: Services, contest_id: int, clock
) -> None:  # type: ignore[no-untyped-def]
    # the social-services example: its regional stage started on 01.12.2026, long before
    await services.participants.give_consent(USER, contest_id)
    assert (await services.participants.view(USER, contest_id)).pd_consent


# --------------------------------------------------------------------------- R-ROLE-4 in the service


async def test_championship_participant_is_at_least_14_on_the_stage_date(
    services: Services,
) -> None:
    cid = await load_championship(services)
    await accepted_in_championship(services, cid, USER)
    nom = (await ids(services, cid))["noms"]["social_work"]
    p = services.participants
    entry = await p.entry_questions(cid, nom)
    assert (
        entry.championship
        and entry.stage_day == date(2027, 6, 15)
        and entry.nomination.conditions.asks_birth_date
    )
    # the birth date is asked of everyone
    with pytest.raises(DomainError) as err:
        await p.choose_nomination(USER, cid, nom, ConditionAnswers())
    assert (
        err.value.code == "conditions_not_met"
        and err.value.args_["failures"][0].code == "birth_date_missing"
    )
    # 13 on the stage's first day: refused with the reason and the day
    with pytest.raises(DomainError) as err:
        await p.choose_nomination(USER, cid, nom, ConditionAnswers(birth_date=date(2013, 6, 16)))
    assert err.value.code == "championship_too_young"
    text = error_text(err.value)
    assert "14 лет" in text and "15.06.2027" in text and "13 лет" in text
    assert await count(services, Application) == 0
    # 13 today (01.02.2027) but 14 on 15.06.2027: the stage date counts
    view = await p.choose_nomination(USER, cid, nom, ConditionAnswers(birth_date=date(2013, 6, 15)))
    assert view.application is not None
    async with services.ctx.sessionmaker() as s:
        app = (await s.execute(select(Application))).scalar_one()
    # kept with the answers, where R-ROLE-5 (the parent's consent) reads it
    born = date.fromisoformat(app.condition_answers["birth_date"])
    assert rules.is_minor_on(born, entry.stage_day)


async def test_impossible_birth_dates_are_refused_by_the_service(
    services: Services, contest_id: int
) -> None:
    from tests.builders import accepted

    await accepted(services, contest_id)
    young = (await ids(services, contest_id))["noms"]["best_young_specialist"]
    for born, code in (
        (date(2030, 1, 1), "birth_date_future"),
        (date(1900, 1, 1), "birth_date_too_old"),
    ):
        with pytest.raises(DomainError) as err:
            await services.participants.choose_nomination(
                555001, contest_id, young, ConditionAnswers(birth_date=born)
            )
        assert err.value.code == code
    assert "не может быть в будущем" in error_text(DomainError("birth_date_future"))
    assert await count(services, Application) == 0


# --------------------------------------------------------------------------- стаж, asked once


async def test_experience_is_asked_once_and_kept_in_agreement(
    services: Services, contest_id: int
) -> None:
    from tests.builders import accepted

    await accepted(services, contest_id)
    worker = (await ids(services, contest_id))["noms"]["best_social_worker"]
    p = services.participants
    view = await p.choose_nomination(
        555001, contest_id, worker, ConditionAnswers(experience_years=5)
    )
    assert (
        view.application.field_values["experience_years"] == "5"
    )  # the condition's answer fills the field
    for bad, code in (
        ("5,5", "field_years_fraction"),
        ("пять", "field_years_format"),
        ("80", "field_years_range"),
    ):
        with pytest.raises(DomainError) as err:
            await p.set_field(555001, contest_id, "experience_years", bad)
        assert err.value.code == code
    assert "Укажите целое число полных лет" in error_text(DomainError("field_years_fraction"))
    # a correction below the nomination's condition is refused: the two cannot disagree
    with pytest.raises(DomainError) as err:
        await p.set_field(555001, contest_id, "experience_years", "2")
    assert err.value.code == "conditions_not_met"
    assert (await p.view(555001, contest_id)).application.field_values["experience_years"] == "5"
    view = await p.set_field(555001, contest_id, "experience_years", " 7 ")
    assert view.application.field_values["experience_years"] == "7"
    async with services.ctx.sessionmaker() as s:
        app = (await s.execute(select(Application))).scalar_one()
    assert app.condition_answers["experience_years"] == 7


# --------------------------------------------------------------------------- in the chat


async def test_chat_names_what_is_wrong_with_a_birth_date_and_a_fractional_experience(
    world: World,
) -> None:
    p = await register(world)
    await approve(world)
    await p.send("/start")
    await p.press("Лучший молодой специалист")
    await p.press("Выбрать эту номинацию")
    reply = await p.send("01.01.2090")
    assert "Дата рождения не может быть в будущем" in reply and "Не понимаю дату" not in reply
    reply = await p.send("01.01.1890")
    assert "больше чем 100 лет назад" in reply
    assert "Не понимаю дату" in await p.send("вчера")
    reply = await p.send("05.03.1995")
    assert "Вы выбрали номинацию «Лучший молодой специалист»" in reply
    await p.press("Стаж работы")
    reply = await p.send("5,5")
    assert "Укажите целое число полных лет" in reply and "Сохранено" not in reply
    assert "Сохранено" in await p.send("5")


async def test_chat_experience_condition_refuses_a_fraction(world: World) -> None:
    p = await register(world)
    await approve(world)
    await p.send("/start")
    await p.press("Лучший социальный работник")
    await p.press("Выбрать эту номинацию")
    reply = await p.send("5,5")
    assert "Укажите целое число полных лет" in reply
    reply = await p.send("5")
    assert "Вы выбрали номинацию «Лучший социальный работник»" in reply
    # the стаж field is already filled with the answer: not asked a second time
    assert next(t for _, t, _ in p.buttons() if "Стаж работы" in t).startswith("✅")
    assert "Сейчас: 5" in await p.press("Стаж работы")


async def test_chat_championship_asks_birth_date_and_refuses_under_14(world: World) -> None:
    cid = await load_championship(world.services)
    p = world.person(USER, "Маша")
    await p.send("/start")
    await p.press("чемпионата")
    await p.press("Согласен(а) на обработку")
    await p.send("Соколова Мария Ивановна")
    await p.send(snils(0))
    await p.press("г. Москва")
    await p.press("Колледж")
    assert "На рассмотрении" in await p.press("Отправить на проверку")
    view = await world.services.participants.view(USER, cid)
    await world.services.coordination.decide(COORD, view.id, accept=True)
    await p.send("/start")
    await p.press("Социальная работа")
    reply = await p.press("Выбрать эту номинацию")
    assert "дата рождения" in reply and "15.06.2027" in reply and "14 лет" in reply
    reply = await p.send("16.06.2013")
    assert "В чемпионате участвуют с 14 лет" in reply and "13 лет" in reply
    assert (await world.services.participants.view(USER, cid)).application is None


async def test_chat_late_championship_registration_is_refused_at_consent(world: World) -> None:
    await load_championship(world.services)
    world.clock.at = FIRST_CLOSED_MOMENT
    p = world.person(USER, "Маша")
    await p.send("/start")
    await p.press("чемпионата")
    reply = await p.press("Согласен(а) на обработку")
    assert "Регистрация на чемпионат закрылась" in reply and "10.06.2027" in reply
    assert "фамилию, имя и отчество" not in reply


# --------------------------------------------------------------------------- QA of issue #15: no dead ends


def labels(p) -> list[str]:  # type: ignore[no-untyped-def]
    """The buttons of the bot's newest message to ``p``."""
    found = p.buttons()
    newest = found[0][0] if found else None
    return [text for mid, text, _ in found if mid == newest]


async def test_chat_registration_closing_mid_form_closes_the_question(world: World) -> None:
    """QA 1: the form's question was open when the last day (R-VER-6) ended. The refusal closes
    it (the СНИЛС typed next is not taken for an ФИО), /start and /status name the last day."""
    cid = await load_championship(world.services)
    world.clock.at = datetime(2027, 6, 10, 23, 59, 45, tzinfo=MSK)
    p = world.person(USER, "Пётр")
    await p.send("/start")
    await p.press("чемпионата")
    assert "фамилию, имя и отчество" in await p.press("Согласен(а) на обработку")
    world.clock.at = FIRST_CLOSED_MOMENT
    reply = await p.send("Петров Пётр Петрович")
    assert "Регистрация на чемпионат закрылась" in reply and "10.06.2027" in reply
    assert "Мой статус" in labels(p)  # a way out
    reply = await p.send(snils(3))
    assert "Не похоже на ФИО" not in reply and "Регистрация на чемпионат закрылась" in reply
    reply = await p.send("/status")
    assert "Регистрация на чемпионат закрылась" in reply and "10.06.2027" in reply
    assert "Приём заявок и материалов" not in reply
    reply = await p.send("/start")
    assert "Регистрация на чемпионат закрылась" in reply and "фамилию, имя и отчество" not in reply
    assert "закрылась" in await p.press("Мой статус")
    view = await world.services.participants.view(USER, cid)
    assert view.status == "draft" and view.full_name is None  # nothing was taken after the close


async def test_chat_too_late_from_the_start_offers_a_way_out_and_status_says_why(
    world: World,
) -> None:
    """QA 2: refused at the consent (R-VER-6): the refusal has a button, /status names the
    closed registration instead of «Нажмите /start», which would lead to the same refusal."""
    await load_championship(world.services)
    world.clock.at = FIRST_CLOSED_MOMENT
    p = world.person(USER, "Маша")
    await p.send("/start")
    await p.press("чемпионата")
    reply = await p.press("Согласен(а) на обработку")
    assert "Регистрация на чемпионат закрылась" in reply and labels(p) == ["Мой статус"]
    for reply in (await p.press("Мой статус"), await p.send("/status")):
        assert (
            "Вы не зарегистрированы" in reply
            and "10.06.2027" in reply
            and "Нажмите /start" not in reply
        )
    # a stray message is not pointed at «Согласен(а)», which would be refused again
    reply = await p.send("спасибо")
    assert "Регистрация на чемпионат закрылась" in reply and "Не понимаю" not in reply


async def test_chat_thanks_on_the_consent_screen_points_to_the_consent(world: World) -> None:
    """QA 7: «спасибо» typed at the consent request is not «Не понимаю»: it points to the
    consent buttons, which work."""
    await load_championship(world.services)
    p = world.person(USER, "Маша")
    await p.send("/start")
    await p.press("чемпионата")
    reply = await p.send("спасибо")
    assert "Не понимаю" not in reply and "Согласен(а) на обработку" in reply
    assert any("Согласен(а) на обработку" in label for label in labels(p))
    assert "фамилию, имя и отчество" in await p.press("Согласен(а) на обработку")


async def test_chat_championship_organisation_is_asked_of_a_student(world: World) -> None:
    """QA 6(a): a championship's participant is not asked for the organisation «в которой вы
    работаете (реестр поставщиков социальных услуг…)»."""
    await load_championship(world.services)
    p = world.person(USER, "Маша")
    await p.send("/start")
    await p.press("чемпионата")
    await p.press("Согласен(а) на обработку")
    await p.send("Соколова Мария Ивановна")
    await p.send(snils(0))
    reply = await p.press("г. Москва")
    assert "учебное заведение" in reply and "Колледж" in reply
    assert "в которой вы работаете" not in reply and "поставщиков социальных услуг" not in reply
    # the social-services contest keeps its wording
    other = world.person(USER + 1, "Анна")
    await other.send("/start")
    await other.press("Всероссийский конкурс")
    await other.press("Согласен(а) на обработку")
    await other.send("Иванова Анна Петровна")
    await other.send("123-456-789 64")
    assert "поставщиков социальных услуг" in await other.press("г. Москва")


async def test_chat_too_young_refusal_offers_to_correct_the_date_and_status_says_why(
    world: World,
) -> None:
    """QA 3: refused as too young (R-ROLE-4): «Исправить дату рождения» (a typo) asks again,
    /status shows the reason while no nomination is chosen."""
    cid = await load_championship(world.services)
    await accepted_in_championship(world.services, cid, USER)
    p = world.person(USER, "Маша")
    await p.send("/start")
    await p.press("Социальная работа")
    await p.press("Выбрать эту номинацию")
    reply = await p.send("20.06.2013")
    assert "В чемпионате участвуют с 14 лет" in reply
    assert {"Исправить дату рождения", "Мой статус"} <= set(labels(p))
    reply = await p.send("/status")
    assert "Номинация не выбрана" in reply and "14 лет" in reply and "13 лет" in reply
    assert "15.06.2027" in await p.press("Исправить дату рождения")
    assert "Вы выбрали номинацию «Социальная работа»" in await p.send("20.06.2010")
    assert "Номинация не выбрана" not in await p.send("/status")


async def test_chat_birth_date_question_survives_a_command_and_names_an_impossible_date(
    world: World,
) -> None:
    """QA 5: /help in the middle of the birth date question, then the date: «Вы были на шаге
    «дата рождения»… Продолжить?», which asks it again. QA 6(c): «31.02.2011» — no such date."""
    cid = await load_championship(world.services)
    await accepted_in_championship(world.services, cid, USER)
    p = world.person(USER, "Маша")
    await p.send("/start")
    await p.press("Социальная работа")
    await p.press("Выбрать эту номинацию")
    reply = await p.send("31.02.2011")
    assert "Такой даты нет" in reply and "Не понимаю дату" not in reply
    await p.send("/help")
    reply = await p.send("01.01.2011")
    assert "Вы были на шаге «дата рождения»" in reply and "Не понимаю" not in reply
    reply = await p.press("Продолжить")
    assert "дата рождения" in reply and "15.06.2027" in reply
    assert "Вы выбрали номинацию «Социальная работа»" in await p.send("01.01.2011")
