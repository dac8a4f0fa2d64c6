"""R-ROLE-5 (seed 002 §4.7, §5.3): a championship participant under 18 on the stage date needs a
parent's consent — who gives it, the signed form, an accompanying adult — checked by the
coordinator like the verification; the application is not submitted until it is accepted."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from models.errors import DomainError, Forbidden
from models.guardian_rules import Gap, GuardianStatus, consent_gaps, needs_guardian, parse_phone
from models.rules import ApplicationStatus
from models.services import Services, TelegramFile
from models.tables import Application, AuditRecord, Delivery, GuardianConsent
from tests.builders import (
    MINOR_BORN,
    applicant,
    fill_consent,
    load_championship,
)
from tests.conftest import COORD_MOSCOW, COORD_OBLAST

ADULT_BORN = date(2000, 1, 1)
STAGE_DAY = date(2027, 3, 15)


async def _app_status(services: Services, pid: int) -> str:
    async with services.ctx.sessionmaker() as s:
        return (
            await s.execute(select(Application.status).where(Application.participant_id == pid))
        ).scalar_one()


# --------------------------------------------------------------------------- pure rules


def test_needs_guardian_counts_age_on_the_stage_date() -> None:
    assert needs_guardian(date(2009, 3, 16), STAGE_DAY)  # 17, turns 18 the day after
    assert not needs_guardian(date(2009, 3, 15), STAGE_DAY)  # 18 on the day
    assert not needs_guardian(None, STAGE_DAY)


def test_phone_is_normalised_or_refused() -> None:
    assert parse_phone("8 (900) 123-45-67") == "+7 900 123-45-67"
    assert parse_phone("+79001234567") == "+7 900 123-45-67"
    assert parse_phone("9001234567") == "+7 900 123-45-67"
    assert parse_phone("+375 29 123 45 67") == "+375291234567"
    for bad in ("", "123", "мама", "8900123456789012345", "+7 900 12"):
        assert parse_phone(bad) is None, bad


def test_gaps_say_what_is_missing() -> None:
    empty = consent_gaps(
        status="draft",
        guardian_name=None,
        relation=None,
        has_form=False,
        companion_name=None,
        companion_phone=None,
    )
    assert empty == (Gap.NO_CONSENT, Gap.NO_COMPANION)
    pending = consent_gaps(
        status="pending",
        guardian_name="А Б",
        relation="mother",
        has_form=True,
        companion_name="В Г",
        companion_phone="+7",
    )
    assert pending == (Gap.PENDING,)
    assert (
        consent_gaps(
            status="accepted",
            guardian_name=None,
            relation=None,
            has_form=False,
            companion_name=None,
            companion_phone=None,
        )
        == ()
    )


# --------------------------------------------------------------------------- the service


async def test_minor_submits_only_after_the_consent_is_accepted(services: Services) -> None:
    cid = await load_championship(services)
    user = 730001
    pid = await applicant(services, cid, user, MINOR_BORN)
    view = await services.participants.view(user, cid)
    assert (
        view.guardian is not None
        and view.guardian.age == 16
        and view.guardian.gaps == (Gap.NO_CONSENT, Gap.NO_COMPANION)
    )

    with pytest.raises(DomainError) as err:  # the bad input: a minor without a consent
        await services.participants.submit_application(user, cid)
    assert err.value.code == "guardian_consent_required" and err.value.args_["state"] == "missing"
    assert await _app_status(services, pid) == ApplicationStatus.DRAFT  # nothing changed

    await fill_consent(services, cid, user)
    g = await services.guardians.submit(user, cid)
    assert g.summary.status == GuardianStatus.PENDING and g.summary.gaps == (Gap.PENDING,)
    with pytest.raises(DomainError) as err:
        await services.participants.submit_application(user, cid)
    assert err.value.args_["state"] == "pending"

    decided = await services.guardians.decide(COORD_MOSCOW, pid, accept=True, expected_rev=g.rev)
    assert decided.summary.accepted
    await services.participants.submit_application(user, cid)
    assert await _app_status(services, pid) == ApplicationStatus.SUBMITTED
    async with services.ctx.sessionmaker() as s:
        actions = [
            a
            for (a,) in await s.execute(
                select(AuditRecord.action).where(AuditRecord.action.like("guardian.%"))
            )
        ]
        notices = [
            k
            for (k,) in await s.execute(
                select(Delivery.message_key).where(Delivery.message_key.like("guardian-%"))
            )
        ]
        row = (await s.execute(select(GuardianConsent))).scalar_one()
    assert actions.count("guardian.accept") == 1 and "guardian.submit" in actions
    assert notices == ["guardian-notify-accepted"]
    assert (
        row.guardian_name == "Иванова Мария Петровна" and row.companion_phone == "+7 900 123-45-67"
    )
    assert ("guardian_download", row.id) in services.ctx.jobs.jobs  # the form goes to the store


async def test_adult_and_ministry_contest_need_no_consent(
    services: Services, contest_id: int
) -> None:
    cid = await load_championship(services)
    pid = await applicant(services, cid, 730002, ADULT_BORN)
    assert (await services.participants.view(730002, cid)).guardian is None
    with pytest.raises(DomainError, match="guardian_not_needed"):
        await services.guardians.view(730002, cid)
    await services.participants.submit_application(730002, cid)
    assert await _app_status(services, pid) == ApplicationStatus.SUBMITTED


async def test_bad_input_is_refused_and_nothing_is_lost(services: Services) -> None:
    cid = await load_championship(services)
    user = 730003
    await applicant(services, cid, user, MINOR_BORN)
    g = services.guardians
    await g.set_companion_name(user, cid, "Сидоров Пётр Ильич")
    with pytest.raises(DomainError, match="guardian_phone_invalid"):
        await g.set_companion_phone(user, cid, "позвоните маме")
    with pytest.raises(DomainError, match="guardian_name_invalid"):
        await g.set_guardian_name(user, cid, "мама")
    with pytest.raises(DomainError, match="guardian_relation_unknown"):
        await g.set_relation(user, cid, "neighbour")
    with pytest.raises(DomainError, match="file_wrong_type"):
        await g.set_form(
            user, cid, TelegramFile("x", "x", "soglasie.exe", "application/octet-stream", 1000)
        )
    with pytest.raises(DomainError, match="guardian_companion_is_participant"):
        await g.set_companion_name(user, cid, "Петрова Мария Ивановна")  # the participant themself
    with pytest.raises(DomainError) as err:
        await g.submit(user, cid)
    assert err.value.code == "guardian_incomplete" and err.value.args_ == {
        "consent": 1,
        "companion": 1,
    }
    view = await g.view(user, cid)
    assert view.companion_name == "Сидоров Пётр Ильич"  # what was given stays
    assert view.summary.status == GuardianStatus.DRAFT and not view.has_form


async def test_return_with_reason_then_resubmit_and_stale_decisions(services: Services) -> None:
    cid = await load_championship(services)
    user = 730004
    pid = await applicant(services, cid, user, MINOR_BORN)
    await fill_consent(services, cid, user)
    first = await services.guardians.submit(user, cid)
    with pytest.raises(DomainError, match="guardian_already_submitted"):  # a double «Отправить»
        await services.guardians.submit(user, cid)
    with pytest.raises(DomainError, match="guardian_consent_frozen"):
        await services.guardians.set_companion_phone(user, cid, "+7 900 000-00-00")
    with pytest.raises(DomainError, match="reason_required"):
        await services.guardians.decide(COORD_MOSCOW, pid, accept=False, reason="  ")
    with pytest.raises(Forbidden):  # another region's coordinator
        await services.guardians.decide(COORD_OBLAST, pid, accept=True)
    returned = await services.guardians.decide(
        COORD_MOSCOW, pid, accept=False, reason="Нет подписи родителя", expected_rev=first.rev
    )
    assert (
        returned.summary.status == GuardianStatus.RETURNED
        and returned.return_reason == "Нет подписи родителя"
    )
    with pytest.raises(DomainError) as err:  # the loser of a double decision is told what happened
        await services.guardians.decide(COORD_MOSCOW, pid, accept=True, expected_rev=first.rev)
    assert err.value.code == "guardian_already_decided" and err.value.args_["outcome"] == "returned"

    services.ctx.clock.at = services.ctx.clock.at.replace(hour=12)  # type: ignore[attr-defined]
    await services.guardians.set_form(
        user, cid, TelegramFile("f2", "f2", "soglasie2.pdf", "application/pdf", 300_000)
    )
    second = await services.guardians.submit(user, cid)
    assert second.rev != first.rev
    with pytest.raises(DomainError, match="guardian_resubmitted"):  # a card of the first sending
        await services.guardians.decide(COORD_MOSCOW, pid, accept=True, expected_rev=first.rev)
    async with services.ctx.sessionmaker() as s:
        notices = (
            await s.execute(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.message_key == "guardian-notify-returned")
            )
        ).scalar_one()
        forms = [
            a
            for (a,) in await s.execute(
                select(AuditRecord.after).where(AuditRecord.action == "guardian.form")
            )
        ]
    assert notices == 1
    assert [f["form"] for f in forms] == [f"f{user}", "f2"]  # the earlier form stays on record


async def test_coordinator_list_says_what_each_minor_lacks(services: Services) -> None:
    cid = await load_championship(services)
    await applicant(services, cid, 730005, MINOR_BORN)
    await applicant(services, cid, 730006, MINOR_BORN)
    await fill_consent(services, cid, 730006)
    await services.guardians.submit(730006, cid)
    await applicant(services, cid, 730007, ADULT_BORN)
    minors = await services.guardians.minors(COORD_MOSCOW, cid)
    assert [m.summary.gaps for m in minors] == [(Gap.PENDING,), (Gap.NO_CONSENT, Gap.NO_COMPANION)]
    assert await services.guardians.minors(COORD_OBLAST, cid) == []  # not their region


async def test_withdrawal_erases_the_consent(services: Services) -> None:
    cid = await load_championship(services)
    user = 730008
    await applicant(services, cid, user, MINOR_BORN)
    await fill_consent(services, cid, user)
    await services.participants.withdraw(user, cid)
    async with services.ctx.sessionmaker() as s:
        row = (await s.execute(select(GuardianConsent))).scalar_one()
    assert (row.guardian_name, row.companion_name, row.companion_phone, row.file_telegram_id) == (
        None,
        None,
        None,
        None,
    )


# --------------------------------------------------------------------------- the chat


async def test_chat_journey_of_a_minor_and_the_coordinator(world) -> None:  # type: ignore[no-untyped-def]
    from aiogram.types import Document

    services = world.services
    cid = await load_championship(services)
    user = 730010
    pid = await applicant(services, cid, user, MINOR_BORN)
    kid = world.person(user, "Ученик")
    menu = await kid.send("/start")
    assert "Согласие родителя" in str(world.session.last_markup(user)), menu
    screen = await kid.press("Согласие родителя")
    assert "16 лет" in screen and "нет согласия родителя" in screen
    await kid.press("Кто даёт согласие")
    assert "Кем" in await kid.send("Иванова Мария Петровна")
    assert "Иванова Мария Петровна (мать)" in await kid.press("мать")
    await kid.press("Сопровождающий")
    await kid.send("Сидоров Пётр Ильич")
    assert "Не похоже на номер" in await kid.send("12")  # the prompt stays open
    await kid.send("+7 900 123-45-67")
    await kid.press("Загрузить подписанное согласие")
    doc = Document(
        file_id="fid-1",
        file_unique_id="fu-1",
        file_name="soglasie.pdf",
        mime_type="application/pdf",
        file_size=200_000,
    )
    saved = await kid.send(document=doc)
    assert "Согласие загружено" in saved, saved
    assert "на проверку" in await kid.press("Отправить на проверку")

    coord = world.person(COORD_MOSCOW, "Координатор")
    from bot.verification_callbacks import CardCb

    card = await coord.press_data(CardCb(participant_id=pid).pack())
    assert "Несовершеннолетний" in card and "Согласие родителя на проверке" in card, card  # QA 6(b)
    assert "Принять согласие родителя" in await coord.press(
        "Принять согласие"
    )  # confirmed before it is decided
    done = await coord.press("Подтвердить")
    assert "принято" in done
    assert coord.has_button("Несовершеннолетние участники")  # the next step and a way back


# --------------------------------------------------------------------------- QA of issue #15


def _markup_of(world, chat_id: int, message_id: int) -> str:  # type: ignore[no-untyped-def]
    return str(world.session.state.messages[(str(chat_id), message_id)].get("reply_markup") or "")


async def _pending_minor(world, user: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    cid = await load_championship(world.services)
    pid = await applicant(world.services, cid, user, MINOR_BORN)
    await fill_consent(world.services, cid, user)
    await world.services.guardians.submit(user, cid)
    return cid, pid


async def _presses_at_once(person, data: str, message_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    import asyncio

    return list(
        await asyncio.gather(
            person.press_data(data, message_id), person.press_data(data, message_id)
        )
    )


async def test_double_confirm_of_a_return_says_the_decision_was_made(world) -> None:  # type: ignore[no-untyped-def]
    """QA 4: the second «Подтвердить» of a consent's return is told the decision (who, when),
    not «Эта причина … больше не действует»; the consent is returned once."""
    from bot.verification_callbacks import CardCb

    _, pid = await _pending_minor(world, 730020)
    coord = world.person(COORD_MOSCOW, "Координатор")
    await coord.press_data(CardCb(participant_id=pid).pack())
    await coord.press("Вернуть согласие")
    await coord.send("Скан нечитаемый")
    mid, _, data = next(b for b in coord.buttons() if "Подтвердить" in b[1])
    replies = "\n".join(await _presses_at_once(coord, data, mid))
    assert "возвращено" in replies
    assert "Решение по согласию уже принято: возвращено вами" in replies, replies
    assert "больше не действует" not in replies
    assert "К карточке участника" in str(world.session.last_markup(COORD_MOSCOW))  # a way on
    async with world.services.ctx.sessionmaker() as s:
        returns = (
            await s.execute(
                select(func.count())
                .select_from(AuditRecord)
                .where(AuditRecord.action == "guardian.return")
            )
        ).scalar_one()
    assert returns == 1


async def test_stale_reason_of_a_consent_names_the_consent_button(world) -> None:  # type: ignore[no-untyped-def]
    """A reason left with «Отмена» and confirmed later: the consent is still waiting, so the
    refusal says the reason is no longer live — naming «Вернуть согласие», with the card."""
    from bot.verification_callbacks import CardCb

    _, pid = await _pending_minor(world, 730021)
    coord = world.person(COORD_MOSCOW, "Координатор")
    await coord.press_data(CardCb(participant_id=pid).pack())
    await coord.press("Вернуть согласие")
    await coord.send("Скан нечитаемый")
    mid, _, data = next(b for b in coord.buttons() if "Подтвердить" in b[1])
    await coord.send("/help")  # leaves the prompt
    reply = await coord.press_data(data, mid)
    assert "«Вернуть согласие»" in reply, reply
    assert "К карточке участника" in str(world.session.last_markup(COORD_MOSCOW))
    assert (
        await world.services.guardians.for_coordinator(COORD_MOSCOW, pid)
    ).summary.status == GuardianStatus.PENDING


async def test_card_of_a_pending_consent_says_it_waits_not_that_something_is_missing(world) -> None:  # type: ignore[no-untyped-def]
    """QA 6(b): nothing is missing once the consent is sent — «Согласие родителя на проверке»."""
    from bot.verification_callbacks import CardCb

    _, pid = await _pending_minor(world, 730022)
    card = await world.person(COORD_MOSCOW, "Координатор").press_data(
        CardCb(participant_id=pid).pack()
    )
    assert "Согласие родителя на проверке" in card and "Не хватает" not in card, card


async def test_stale_consent_buttons_offer_a_way_on(world) -> None:  # type: ignore[no-untyped-def]
    """QA 7: «Согласие на проверке с …» / «Согласие уже принято … изменить его нельзя» (a stale
    «Кто даёт согласие», «мать», «Отправить на проверку») come with the consent and the application."""
    cid = await load_championship(world.services)
    user = 730023
    pid = await applicant(world.services, cid, user, MINOR_BORN)
    await fill_consent(world.services, cid, user)
    kid = world.person(user, "Ученик")
    await kid.send("/start")
    await kid.press("Согласие родителя")
    screen_mid, _, who = next(b for b in kid.buttons() if "Кто даёт согласие" in b[1])
    await kid.press("Отправить на проверку")

    reply = await kid.press_data(who, screen_mid)
    assert "Согласие на проверке с" in reply, reply
    markup = str(world.session.last_markup(user))
    assert "Открыть согласие родителя" in markup and "К заявке" in markup, markup

    reply = await kid.press("Отправить на проверку")  # the same button once more
    assert "уже отправлено на проверку" in reply and "К заявке" in str(
        world.session.last_markup(user)
    ), reply

    await world.services.guardians.decide(COORD_MOSCOW, pid, accept=True)
    reply = await kid.press_data(who, screen_mid)
    assert "изменить его нельзя" in reply and "Открыть согласие родителя" in str(
        world.session.last_markup(user)
    ), reply
    assert "Согласие родителя" in await kid.press("Открыть согласие родителя")


async def test_participant_card_leads_back_to_the_queue(world) -> None:  # type: ignore[no-untyped-def]
    """QA 7: the coordinator's participant card has «‹ К очереди»."""
    from bot.verification_callbacks import CardCb
    from tests.builders import form

    cid = await load_championship(world.services)
    pid = await form(world.services, cid, 730024, "77")
    coord = world.person(COORD_MOSCOW, "Координатор")
    await coord.press_data(CardCb(participant_id=pid).pack())
    assert coord.has_button("К очереди"), coord.buttons()
    assert "Петрова Мария Ивановна" in await coord.press("К очереди")


async def test_double_accept_of_a_form_leaves_the_card_usable(world) -> None:  # type: ignore[no-untyped-def]
    """QA 8: «✅ Принять» pressed twice at once: accepted once; the loser is told; the card
    becomes the result with the next step (the card again, «‹ К очереди»), not a dead end."""
    from bot.verification_callbacks import CardCb
    from tests.builders import form

    cid = await load_championship(world.services)
    pid = await form(world.services, cid, 730025, "77")
    coord = world.person(COORD_MOSCOW, "Координатор")
    await coord.press_data(CardCb(participant_id=pid).pack())
    mid, _, data = next(b for b in coord.buttons() if "Принять" in b[1])
    before = len(world.session.sent_texts(COORD_MOSCOW))
    await _presses_at_once(coord, data, mid)
    said = world.session.sent_texts(COORD_MOSCOW)[before:]
    assert (
        sum("Подтверждено:" in t for t in said) == 1 and sum("уже принято" in t for t in said) == 1
    ), said
    markup = _markup_of(world, COORD_MOSCOW, mid)
    assert "К очереди" in markup and "Карточка участника" in markup, markup
    assert "Подтверждено" in await coord.press_data(CardCb(participant_id=pid).pack())
