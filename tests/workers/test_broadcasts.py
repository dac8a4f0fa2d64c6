"""Broadcasts (R-COO-1): audience segments, regional scope, one-statement materialisation,
pause / resume / cancel through a real worker, and the compose → preview → confirm flow."""

from __future__ import annotations

from datetime import datetime

import dramatiq
import pytest
from aiogram.methods import EditMessageText, SendDocument
from sqlalchemy import func, select

from bot.callbacks import BroadcastCb
from models.errors import DomainError, Forbidden
from models.rules import ConditionAnswers
from models.services import Services, TelegramFile
from models.services.broadcasts import Audience
from models.tables import Delivery
from tests.builders import accepted, pdf, verified_form
from tests.conftest import ADMIN_ID, COORD_MOSCOW, COORD_OBLAST, EXPERT, FEDERAL, JobLog, drain, ids
from tests.fakes import FakeTelegramSession
from workers.actors import enqueue

U = {n: 810000 + n for n in range(1, 8)}


async def cast(services: Services, contest_id: int) -> None:
    """U1 form (Moscow), U2 accepted (Moscow), U3 accepted (oblast), U4 submitted (Moscow),
    U5 draft application (oblast), U6 pending (Moscow), U7 withdrawn."""
    known = await ids(services, contest_id)
    p = services.participants
    await p.give_consent(U[1], contest_id)
    await p.set_full_name(U[1], contest_id, "Первова Полина Петровна")
    await accepted(services, contest_id, U[2])
    snils = {
        3: "123-456-789 64",
        4: "987-654-321 83",
        5: "111-111-111 45",
        6: "222-222-222 90",
        7: "333-333-333 34",
    }
    for n in (3, 4, 5, 6, 7):
        pid = await verified_form(
            services, contest_id, U[n], snils[n], "50" if n in (3, 5) else "77"
        )
        if n != 6:
            await services.coordination.decide(FEDERAL, pid, accept=True)
    await p.choose_nomination(
        U[4], contest_id, known["noms"]["best_social_worker"], ConditionAnswers(experience_years=4)
    )
    for code, value in (
        ("position", "Соцработник"),
        ("experience_years", "4"),
        ("hired_on", "01.01.2020"),
    ):
        await p.set_field(U[4], contest_id, code, value)
    await p.add_file(U[4], contest_id, "presentation", pdf(uid="b4"))
    await p.add_file(U[4], contest_id, "video", TelegramFile("v4", "v4", "v.mp4", "video/mp4", 100))
    await p.set_consent(U[4], contest_id, "privacy", True)
    await p.set_consent(U[4], contest_id, "transfer", True)
    await p.submit_application(U[4], contest_id)
    await p.choose_nomination(
        U[5],
        contest_id,
        known["noms"]["best_young_specialist"],
        ConditionAnswers(birth_date=datetime(1998, 1, 1).date()),
    )
    await p.withdraw(U[7], contest_id)


async def count(services: Services, actor: int, contest_id: int, **audience) -> int:  # type: ignore[no-untyped-def]
    draft = await services.broadcasts.create_draft(actor, contest_id, "Объявление")
    _, n = await services.broadcasts.set_audience(actor, draft.id, Audience(**audience))
    return n


async def test_audience_segments(services: Services, contest_id: int) -> None:
    await cast(services, contest_id)
    known = await ids(services, contest_id)
    assert await count(services, FEDERAL, contest_id) == 6  # the withdrawn one never
    assert await count(services, FEDERAL, contest_id, state="verified_no_application") == 2
    assert await count(services, FEDERAL, contest_id, state="submitted") == 1
    assert await count(services, FEDERAL, contest_id, regions=["50"]) == 2
    assert (
        await count(
            services, FEDERAL, contest_id, nominations=[known["noms"]["best_social_worker"]]
        )
        == 1
    )
    assert (
        await count(
            services,
            FEDERAL,
            contest_id,
            nominations=[known["noms"]["best_young_specialist"]],
            regions=["50"],
        )
        == 1
    )
    assert await count(services, FEDERAL, contest_id, role="coordinators") == 3
    assert await count(services, FEDERAL, contest_id, role="coordinators", regions=["77"]) == 1
    assert (
        await count(services, FEDERAL, contest_id, role="experts") == 7
    )  # every expert of examples/contest.yaml


async def test_regional_coordinator_reaches_only_own_regions(
    services: Services, contest_id: int
) -> None:
    await cast(services, contest_id)
    # U1 has not chosen a region yet: only federal coordinators reach her
    assert await count(services, COORD_MOSCOW, contest_id) == 3
    assert await count(services, COORD_OBLAST, contest_id) == 2
    draft = await services.broadcasts.create_draft(COORD_MOSCOW, contest_id, "Только Москва")
    for forged in (
        Audience(regions=["50"]),
        Audience(regions=["77", "50"]),
        Audience(role="experts"),
    ):
        with pytest.raises(Forbidden):
            await services.broadcasts.set_audience(COORD_MOSCOW, draft.id, forged)
    with pytest.raises(Forbidden):
        await services.broadcasts.set_audience(COORD_OBLAST, draft.id, Audience())  # not theirs
    for outsider in (U[2], EXPERT):
        with pytest.raises(Forbidden):
            await services.broadcasts.create_draft(outsider, contest_id, "Спам")
    view = await services.broadcasts.start(COORD_MOSCOW, draft.id)
    assert view.total == 3
    async with services.ctx.sessionmaker() as s:
        chats = set(
            (
                await s.execute(
                    select(Delivery.recipient_chat_id).where(Delivery.broadcast_id == draft.id)
                )
            ).scalars()
        )
    assert chats == {U[2], U[4], U[6]}
    with pytest.raises(DomainError) as err:
        await services.broadcasts.start(COORD_MOSCOW, draft.id)
    assert err.value.code == "broadcast_started"


async def test_empty_and_too_long_are_refused(services: Services, contest_id: int) -> None:
    for text, code in (("   ", "broadcast_empty"), ("я" * 4001, "broadcast_too_long")):
        with pytest.raises(DomainError) as err:
            await services.broadcasts.create_draft(FEDERAL, contest_id, text)
        assert err.value.code == code


def run_jobs(jobs: JobLog, w: dramatiq.Worker) -> None:
    for job, entity_id in jobs.jobs:
        enqueue(job, entity_id)
    jobs.jobs.clear()
    drain(w)


async def sent_to(telegram: FakeTelegramSession, chat: int) -> list[str]:
    return telegram.sent_texts(chat)


async def test_pause_resume_and_cancel(
    services: Services,
    contest_id: int,
    jobs: JobLog,
    worker: dramatiq.Worker,
    telegram: FakeTelegramSession,
) -> None:
    await cast(services, contest_id)
    jobs.jobs.clear()
    b = services.broadcasts
    draft = await b.create_draft(ADMIN_ID, contest_id, "<b>Важно:</b> вебинар завтра в 10:00")
    await b.start(ADMIN_ID, draft.id)
    await b.set_progress_message(ADMIN_ID, draft.id, ADMIN_ID, 1)
    await b.pause(ADMIN_ID, draft.id)
    run_jobs(jobs, worker)
    assert all(telegram.sent_texts(U[n]) == [] for n in range(1, 7))  # paused: nothing goes out
    with pytest.raises(DomainError):
        await b.pause(ADMIN_ID, draft.id)
    await b.resume(ADMIN_ID, draft.id)
    run_jobs(jobs, worker)
    for n in range(1, 7):
        assert telegram.sent_texts(U[n]) == ["<b>Важно:</b> вебинар завтра в 10:00"], n
    assert telegram.sent_texts(U[7]) == []
    final = [t for t in telegram.sent_texts(ADMIN_ID) if "закончена" in t]
    assert final and "доставлено 6 из 6" in final[-1]
    # a second broadcast, cancelled before it goes out
    draft2 = await b.create_draft(ADMIN_ID, contest_id, "Отменённое объявление")
    await b.start(ADMIN_ID, draft2.id)
    await b.set_progress_message(ADMIN_ID, draft2.id, ADMIN_ID, 1)
    await b.pause(ADMIN_ID, draft2.id)
    await b.cancel(ADMIN_ID, draft2.id)
    run_jobs(jobs, worker)
    assert not any("Отменённое" in t for n in range(1, 8) for t in telegram.sent_texts(U[n]))
    report = [r for r in telegram.calls(SendDocument) if r.chat_id == ADMIN_ID]
    assert report and "не отправлено после отмены — 6" in report[-1].caption
    async with services.ctx.sessionmaker() as s:
        statuses = dict(
            (
                await s.execute(
                    select(Delivery.status, func.count())
                    .where(Delivery.broadcast_id == draft2.id)
                    .group_by(Delivery.status)
                )
            ).all()
        )
    assert statuses == {"cancelled": 6}


async def test_compose_preview_confirm_through_the_dispatcher(world) -> None:  # type: ignore[no-untyped-def]
    from tests.builders import register

    anna = await register(world)  # pending, Moscow
    coord = world.person(COORD_MOSCOW)
    reply = await coord.send("/broadcast")
    assert "Отправьте текст объявления" in reply
    reply = await coord.send("Напоминаем: приём заявок до 1 апреля.")
    assert "Получателей сейчас: <b>1</b>" in reply
    assert not coord.has_button("Московская область")  # not her region
    reply = await coord.press("Заявка подана")
    assert "Получателей сейчас: <b>0</b>" in reply
    await coord.press("● Заявка подана")  # still selected; choose «Все» again
    reply = await coord.press("Все")
    assert "Получателей сейчас: <b>1</b>" in reply
    bid = int(next(d for _, t, d in coord.buttons() if t.startswith("Предпросмотр")).split(":")[1])
    reply = await coord.press_data(
        BroadcastCb(broadcast_id=bid, action="region", value="50").pack()
    )
    assert "не из вашего региона" in reply
    reply = await coord.press("Предпросмотр")
    assert (
        "Так объявление увидят получатели" in reply
        and "Напоминаем: приём заявок до 1 апреля." in reply
    )
    assert "Отправить объявление <b>1</b> получателю" in reply
    reply = await coord.press("Отправить 1 получателю")
    assert "Рассылка №" in reply and "запущена" in reply and "Отправлено: 0 из 1" in reply
    world.session.queue_error("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await world.drain()
    await world.drain_ticks()
    edits = [r.text for r in world.session.calls(EditMessageText) if r.chat_id == COORD_MOSCOW]
    assert any("завершена" in e and "Заблокировали бота: 1" in e for e in edits)
    report = [r for r in world.session.calls(SendDocument) if r.chat_id == COORD_MOSCOW]
    assert report, "the final report with the undelivered list"
    assert anna.user_id not in [int(r.chat_id) for r in world.session.calls(SendDocument)]
