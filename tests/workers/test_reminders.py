"""Reminders through the sweep actor and a real Dramatiq worker, with a clock the test
moves: each once, none after the deadline, muted kinds skipped (R-REM-1, R-REM-2, R-REM-6)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import dramatiq
from sqlalchemy import select

from bot.callbacks import button_data
from models.clock import FixedClock
from models.rules import ConditionAnswers
from models.services import Services, TelegramFile
from models.tables import Delivery, ReminderRun
from notifications.delivery import Outcome, deliver
from tests.builders import accepted, pdf, verified_form
from tests.conftest import COORD_MOSCOW, FEDERAL, MSK, JobLog, drain, ids
from tests.fakes import FakeTelegramSession, make_bot
from workers.actors import sweep

DEADLINE = datetime(2027, 4, 1, 23, 59, 59, tzinfo=MSK)
FORM, NOMINATION, APPLICATION, DONE, REVIEW = 600001, 600002, 600003, 600004, 600005


def run_sweep(w: dramatiq.Worker) -> None:
    sweep.send()
    drain(w)


async def cast(services: Services, contest_id: int) -> None:
    """Participants at every stage of the journey."""
    known = await ids(services, contest_id)
    p = services.participants
    await p.give_consent(FORM, contest_id)
    await p.set_full_name(FORM, contest_id, "Формова Фаина Фёдоровна")
    await p.mute_reminders(FORM, True)  # deadline notices come anyway
    await accepted(services, contest_id, NOMINATION)
    # accepted() uses one СНИЛС; the others need their own
    for user, snils in (
        (APPLICATION, "123-456-789 64"),
        (DONE, "987-654-321 83"),
        (REVIEW, "111-111-111 45"),
    ):
        pid = await verified_form(services, contest_id, user, snils)
        if user != REVIEW:
            await services.coordination.decide(COORD_MOSCOW, pid, accept=True)
    for user in (APPLICATION, DONE):
        await p.choose_nomination(
            user,
            contest_id,
            known["noms"]["best_social_worker"],
            ConditionAnswers(experience_years=5),
        )
        await p.set_field(user, contest_id, "position", "Социальный работник")
        await p.add_file(user, contest_id, "presentation", pdf(uid=f"p{user}"))
        await p.set_consent(user, contest_id, "privacy", True)
    for code, value in (("experience_years", "5"), ("hired_on", "01.02.2020")):
        await p.set_field(DONE, contest_id, code, value)
    await p.add_file(DONE, contest_id, "video", TelegramFile("v", "v", "v.mp4", "video/mp4", 1000))
    await p.set_consent(DONE, contest_id, "transfer", True)
    await p.submit_application(DONE, contest_id)


def texts(telegram: FakeTelegramSession, user: int) -> list[str]:
    return [t for t in telegram.sent_texts(user) if "Приём заявок" in t]


async def test_deadline_reminders_once_each_naming_what_is_missing(
    services: Services,
    contest_id: int,
    jobs: JobLog,
    worker: dramatiq.Worker,
    telegram: FakeTelegramSession,
    clock: FixedClock,
) -> None:
    await cast(services, contest_id)
    jobs.jobs.clear()
    telegram.requests.clear()
    clock.at = DEADLINE - timedelta(days=8)
    run_sweep(worker)
    assert all(texts(telegram, u) == [] for u in (FORM, NOMINATION, APPLICATION, DONE, REVIEW))
    clock.at = DEADLINE - timedelta(days=7) + timedelta(minutes=1)
    run_sweep(worker)
    run_sweep(worker)  # a second sweep at the same moment sends nothing more
    for user in (FORM, NOMINATION, APPLICATION):
        assert len(texts(telegram, user)) == 1, user
    assert texts(telegram, DONE) == [] and texts(telegram, REVIEW) == []
    app_text = texts(telegram, APPLICATION)[0]
    assert "01.04.2027 23:59 (МСК)" in app_text
    # issue #15: the стаж given as the nomination's condition fills its field; never asked twice
    assert "Стаж работы" not in app_text
    assert "не заполнено поле «Должность»" not in app_text
    assert (
        "не загружен файл «Видеоматериал»" in app_text
        and "нет согласия на передачу материалов" in app_text
    )
    assert "нет согласия с Политикой" not in app_text
    assert (
        "указать СНИЛС" in texts(telegram, FORM)[0]
        and "выбрать номинацию" in texts(telegram, NOMINATION)[0]
    )
    # the button leads straight to the first missing thing
    markup = telegram.last_markup(NOMINATION)
    assert markup.inline_keyboard[0][0].text == "Выбрать номинацию"
    # one day before
    clock.at = DEADLINE - timedelta(hours=23)
    run_sweep(worker)
    assert [len(texts(telegram, u)) for u in (FORM, NOMINATION, APPLICATION)] == [2, 2, 2]
    # 3 hours before: the application participant has submitted meanwhile
    p = services.participants
    for code, value in (("experience_years", "5"), ("hired_on", "01.02.2020")):
        await p.set_field(APPLICATION, contest_id, code, value)
    await p.add_file(
        APPLICATION, contest_id, "video", TelegramFile("v2", "v2", "v.mp4", "video/mp4", 1000)
    )
    await p.set_consent(APPLICATION, contest_id, "transfer", True)
    await p.submit_application(APPLICATION, contest_id)
    clock.at = DEADLINE - timedelta(hours=2)
    run_sweep(worker)
    assert [len(texts(telegram, u)) for u in (FORM, NOMINATION, APPLICATION)] == [3, 3, 2]
    # after the deadline: nothing
    clock.at = DEADLINE + timedelta(minutes=5)
    run_sweep(worker)
    assert [len(texts(telegram, u)) for u in (FORM, NOMINATION, APPLICATION)] == [3, 3, 2]
    async with services.ctx.sessionmaker() as s:
        runs = sorted(
            r.kind
            for r in (
                await s.execute(select(ReminderRun).where(ReminderRun.kind.like("app_deadline%")))
            ).scalars()
        )
        statuses = {
            d.status
            for d in (
                await s.execute(select(Delivery).where(Delivery.reason.like("app_deadline%")))
            ).scalars()
        }
    assert runs == ["app_deadline:1d", "app_deadline:3h", "app_deadline:7d"] and statuses == {
        "sent"
    }


async def test_reminder_due_before_the_deadline_is_not_sent_after_it(
    services: Services, contest_id: int, clock: FixedClock, telegram: FakeTelegramSession
) -> None:
    async with services.contests.uow() as uow:
        delivery_id = await uow.notify(
            reason="app_deadline:3h",
            subject="participant:1",
            chat_id=42,
            key="remind-deadline",
            due_at=DEADLINE - timedelta(hours=3),
        )
    async with services.ctx.sessionmaker() as s, s.begin():
        (await s.get(Delivery, delivery_id)).expires_at = DEADLINE
    clock.at = DEADLINE + timedelta(seconds=1)  # the worker was busy until after the deadline
    outcome = await deliver(
        make_bot(telegram), services.ctx.sessionmaker, clock, delivery_id, buttons=button_data
    )
    assert outcome == Outcome.EXPIRED and telegram.sent_texts(42) == []


async def test_coordinator_backlog_muteable_and_escalation_to_federal(
    services: Services,
    contest_id: int,
    jobs: JobLog,
    worker: dramatiq.Worker,
    telegram: FakeTelegramSession,
    clock: FixedClock,
) -> None:
    day0 = datetime(2027, 3, 1, 8, 0, tzinfo=MSK)
    clock.at = day0
    await verified_form(services, contest_id)  # pending from day 0, Moscow
    jobs.jobs.clear()
    clock.at = datetime(2027, 3, 3, 9, 5, tzinfo=MSK)  # 2 days: not yet
    run_sweep(worker)
    assert telegram.sent_texts(COORD_MOSCOW) == []
    clock.at = datetime(2027, 3, 4, 9, 5, tzinfo=MSK)  # 3 days: the coordinator is reminded once
    run_sweep(worker)
    run_sweep(worker)
    backlog = telegram.sent_texts(COORD_MOSCOW)
    assert len(backlog) == 1 and "дольше 3 дней" in backlog[0] and ": 1." in backlog[0]
    assert telegram.last_markup(COORD_MOSCOW).inline_keyboard[0][0].text == "Открыть очередь"
    assert telegram.sent_texts(FEDERAL) == []
    await services.participants.mute_reminders(COORD_MOSCOW, True)
    clock.at = datetime(
        2027, 3, 6, 9, 5, tzinfo=MSK
    )  # 5 days: escalated; the muted coordinator is skipped
    run_sweep(worker)
    assert len(telegram.sent_texts(COORD_MOSCOW)) == 1
    escalation = telegram.sent_texts(FEDERAL)
    assert (
        len(escalation) == 1
        and "дольше 5 дней" in escalation[0]
        and "г. Москва: 1" in escalation[0]
    )
    async with services.ctx.sessionmaker() as s:
        muted = (
            (
                await s.execute(
                    select(Delivery).where(
                        Delivery.recipient_chat_id == COORD_MOSCOW, Delivery.status == "muted"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert len(muted) == 1


async def test_429_pauses_and_the_message_is_sent_once(
    services: Services,
    contest_id: int,
    jobs: JobLog,
    worker: dramatiq.Worker,
    telegram: FakeTelegramSession,
) -> None:
    pid = await verified_form(services, contest_id)
    jobs.jobs.clear()
    await services.coordination.decide(COORD_MOSCOW, pid, accept=True)
    telegram.queue_error("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    from workers.actors import enqueue

    for job, entity_id in jobs.jobs:
        enqueue(job, entity_id)
    drain(worker)
    assert time.monotonic() - started >= 1.0  # the pause was honoured
    user_texts = telegram.sent_texts(555001)
    assert len(user_texts) == 1 and "Подтверждено" in user_texts[0]
    async with services.ctx.sessionmaker() as s:
        row = (await s.execute(select(Delivery))).scalar_one()
    assert row.status == "sent" and row.attempts == 1  # the retry budget was not spent


async def test_a_message_that_cannot_be_rendered_fails_at_once(
    services: Services, contest_id: int, clock: FixedClock, telegram: FakeTelegramSession
) -> None:
    async with services.contests.uow() as uow:
        delivery_id = await uow.notify(
            reason="x", subject="y", chat_id=43, key="no-such-message-key"
        )
    outcome = await deliver(
        make_bot(telegram), services.ctx.sessionmaker, clock, delivery_id, buttons=button_data
    )
    async with services.ctx.sessionmaker() as s:
        row = await s.get(Delivery, delivery_id)
    assert outcome == Outcome.FAILED and row.status == "failed" and telegram.sent_texts(43) == []


async def test_staff_reminders_follow_the_language_they_chose(
    services: Services,
    contest_id: int,
    jobs: JobLog,
    worker: dramatiq.Worker,
    telegram: FakeTelegramSession,
    clock: FixedClock,
) -> None:
    """The coordinators' digest and the federal escalation come in the language each chose
    with /language (English here), the region lines included."""
    clock.at = datetime(2027, 3, 1, 8, 0, tzinfo=MSK)
    await verified_form(services, contest_id)
    jobs.jobs.clear()
    await services.participants.set_language(COORD_MOSCOW, "en")
    await services.participants.set_language(FEDERAL, "en")
    clock.at = datetime(2027, 3, 6, 9, 5, tzinfo=MSK)  # 5 days: the digest and the escalation
    run_sweep(worker)
    [digest] = telegram.sent_texts(COORD_MOSCOW)
    [escalation] = telegram.sent_texts(FEDERAL)
    title = (
        "Всероссийский конкурс профессионального мастерства в сфере социального обслуживания (2027)"
    )
    for text in (digest, escalation):  # English but for the contest's and the region's own names
        rest = text.replace(title, "").replace("г. Москва", "")
        assert not any("а" <= ch.lower() <= "я" for ch in rest), text
    assert "Verification requests" in digest and "г. Москва" in escalation
