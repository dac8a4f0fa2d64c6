"""Remote events (R-COO-3, R-REM-5): the schedule, its permissions, and every notice once at
its moment through the sweep and a real Dramatiq worker with a clock the test moves."""

from __future__ import annotations

from datetime import datetime, timedelta

import dramatiq
import pytest
from aiogram.methods import SendDocument
from sqlalchemy import func, select

from bot.texts import error_text
from models.clock import FixedClock
from models.errors import DomainError, Forbidden
from models.services import Services
from models.tables import AuditRecord, Delivery, ReminderRun
from tests.builders import USER, World, accepted, verified_form
from tests.conftest import (
    COORD_MOSCOW,
    COORD_OBLAST,
    EXPERT,
    FEDERAL,
    IN_PERIOD,
    MSK,
    JobLog,
    drain,
)
from tests.fakes import FakeTelegramSession
from workers.actors import sweep

EXAMINER = 700001
EXPERT_2 = 100005
LINK = "https://meet.example.org/room-17"
START = datetime(2027, 2, 5, 14, 0, tzinfo=MSK)  # IN_PERIOD is 01.02.2027 10:00 МСК


def run_sweep(w: dramatiq.Worker) -> None:
    sweep.send()
    drain(w)


async def add(
    services: Services, contest_id: int, pid: int, starts_at: datetime = START, **kw
) -> int:  # type: ignore[no-untyped-def]
    slot = await services.remote.add_slot(COORD_MOSCOW, contest_id, pid, starts_at, 30, LINK, **kw)
    return slot.id


async def test_slot_less_than_three_days_ahead_is_refused_with_the_earliest_time(
    services: Services, contest_id: int
) -> None:
    pid = await accepted(services, contest_id)
    with pytest.raises(DomainError) as err:
        await add(services, contest_id, pid, IN_PERIOD + timedelta(days=3) - timedelta(minutes=1))
    assert err.value.code == "remote_too_soon"
    text = error_text(err.value)
    assert "не позднее чем за 3 дня" in text and "04.02.2027 10:00 (МСК)" in text
    slot_id = await add(
        services, contest_id, pid, IN_PERIOD + timedelta(days=3), examiner_telegram_id=EXAMINER
    )
    slots = await services.remote.slots(COORD_MOSCOW, contest_id)
    assert [s.id for s in slots] == [slot_id] and slots[
        0
    ].participant_name == "Иванова Анна Петровна"
    assert [s.id for s in await services.remote.my_slots(USER, contest_id)] == [slot_id]
    # an overlapping slot of the same participant, a bad link and a bad duration are refused
    for kwargs, code in (
        (dict(starts_at=IN_PERIOD + timedelta(days=3, minutes=10)), "remote_overlap"),
        (dict(link="meet.example.org"), "remote_bad_link"),
        (dict(duration=2), "remote_bad_duration"),
    ):
        with pytest.raises(DomainError) as err:
            await services.remote.add_slot(
                COORD_MOSCOW,
                contest_id,
                pid,
                kwargs.get("starts_at", IN_PERIOD + timedelta(days=5)),
                kwargs.get("duration", 30),
                kwargs.get("link", LINK),
            )
        assert err.value.code == code
    async with services.ctx.sessionmaker() as s:
        actions = (
            (await s.execute(select(AuditRecord.action).where(AuditRecord.entity == "remote_slot")))
            .scalars()
            .all()
        )
    assert actions == ["remote.add_slot"]


async def test_permissions_of_the_schedule(services: Services, contest_id: int) -> None:
    moscow = await accepted(services, contest_id)
    with pytest.raises(Forbidden) as err:  # a participant cannot add slots
        await services.remote.add_slot(USER, contest_id, moscow, START, 30, LINK)
    assert err.value.code == "not_coordinator"
    with pytest.raises(
        Forbidden
    ) as err:  # an oblast coordinator cannot schedule a Moscow participant
        await services.remote.add_slot(COORD_OBLAST, contest_id, moscow, START, 30, LINK)
    assert err.value.code == "not_your_region"
    pending = await verified_form(services, contest_id, 555002, "123-456-789 64")
    with pytest.raises(DomainError) as err:
        await add(services, contest_id, pending)
    assert err.value.code == "remote_not_accepted"
    slot_id = await add(services, contest_id, moscow)
    assert await services.remote.slots(COORD_OBLAST, contest_id) == []
    for call in (
        services.remote.cancel_slot(COORD_OBLAST, slot_id),
        services.remote.slot(COORD_OBLAST, slot_id),
    ):
        with pytest.raises(Forbidden) as err:
            await call
        assert err.value.code == "not_your_region"
    with pytest.raises(Forbidden):
        await services.remote.cancel_slot(USER, slot_id)
    # the federal coordinator sees every region
    assert [s.id for s in await services.remote.slots(FEDERAL, contest_id)] == [slot_id]


async def test_cancel_tells_the_participant_and_drops_pending_notices(
    services: Services, contest_id: int, jobs: JobLog
) -> None:
    pid = await accepted(services, contest_id)
    slot_id = await add(services, contest_id, pid, examiner_telegram_id=EXAMINER)
    jobs.jobs.clear()
    view = await services.remote.cancel_slot(COORD_MOSCOW, slot_id)
    assert view.cancelled_at is not None
    async with services.ctx.sessionmaker() as s:
        rows = (
            (await s.execute(select(Delivery).where(Delivery.reason == "remote_cancelled")))
            .scalars()
            .all()
        )
    assert sorted(r.recipient_chat_id for r in rows) == [USER, EXAMINER]
    assert sorted(jobs.take("deliver")) == sorted(r.id for r in rows)
    assert await services.remote.slots(COORD_MOSCOW, contest_id) == []
    with pytest.raises(DomainError) as err:
        await services.remote.cancel_slot(COORD_MOSCOW, slot_id)
    assert err.value.code == "remote_already_cancelled"


async def test_materials_only_to_the_examiner_and_not_before_thirty_minutes(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    pid = await accepted(services, contest_id)
    slot_id = await add(
        services,
        contest_id,
        pid,
        examiner_telegram_id=EXAMINER,
        materials_file_id="mat-1",
        materials_file_name="КИМ.pdf",
    )
    clock.at = START - timedelta(minutes=31)
    with pytest.raises(DomainError) as err:
        await services.remote.materials(EXAMINER, slot_id)
    assert err.value.code == "remote_materials_not_yet" and "13:30" in error_text(err.value)
    clock.at = START - timedelta(minutes=30)
    got = await services.remote.materials(EXAMINER, slot_id)
    assert got.file_id == "mat-1" and got.file_name == "КИМ.pdf"
    for stranger, code in ((USER, "not_coordinator"), (COORD_OBLAST, "not_your_region")):
        with pytest.raises(Forbidden) as err:
            await services.remote.materials(stranger, slot_id)
        assert err.value.code == code


async def test_every_notice_once_at_its_moment(
    services: Services,
    contest_id: int,
    jobs: JobLog,
    worker: dramatiq.Worker,
    telegram: FakeTelegramSession,
    clock: FixedClock,
) -> None:
    pid = await accepted(services, contest_id)
    other = await verified_form(services, contest_id, 555002, "123-456-789 64")
    await services.coordination.decide(COORD_MOSCOW, other, accept=True)
    jobs.jobs.clear()
    slot_id = await add(
        services,
        contest_id,
        pid,
        examiner_telegram_id=EXAMINER,
        materials_file_id="mat-1",
        materials_file_name="КИМ.pdf",
    )
    cancelled = await add(services, contest_id, other, START + timedelta(hours=1))
    await services.remote.cancel_slot(COORD_MOSCOW, cancelled)
    telegram.requests.clear()

    def count(user: int, needle: str) -> int:
        return sum(needle in t for t in telegram.sent_texts(user))

    run_sweep(worker)
    run_sweep(worker)  # a second sweep at the same moment sends nothing more
    assert count(USER, "Ссылка для подключения") == 1
    schedule = next(t for t in telegram.sent_texts(USER) if "Ссылка для подключения" in t)
    assert "05.02.2027 14:00 (МСК)" in schedule and LINK in schedule and "30 мин" in schedule
    assert count(555002, "Ссылка для подключения") == 0  # cancelled: no announcement
    assert telegram.sent_texts(EXAMINER) == [] and telegram.sent_texts(EXPERT) == []

    clock.at = START - timedelta(days=1, minutes=1)
    run_sweep(worker)
    assert telegram.sent_texts(EXAMINER) == [] and telegram.sent_texts(EXPERT) == []
    clock.at = START - timedelta(days=1)
    run_sweep(worker)
    run_sweep(worker)
    assert (
        count(EXAMINER, "вы — собеседник") == 1
        and "Материалы придут за 30 минут" in telegram.sent_texts(EXAMINER)[0]
    )
    assert (
        count(EXPERT, "инструктаж для экспертов") == 1
        and count(EXPERT_2, "инструктаж для экспертов") == 1
    )
    assert (
        count(USER, "Ссылка") == 1 and count(USER, "Сегодня") == 0
    )  # nothing new for the participant yet

    clock.at = datetime(2027, 2, 5, 8, 59, tzinfo=MSK)
    run_sweep(worker)
    assert count(USER, "Сегодня в 14:00") == 0
    clock.at = datetime(2027, 2, 5, 9, 0, tzinfo=MSK)
    run_sweep(worker)
    run_sweep(worker)
    assert count(USER, "Сегодня в 14:00") == 1 and count(555002, "Сегодня") == 0

    clock.at = START - timedelta(minutes=31)
    run_sweep(worker)
    assert count(EXAMINER, "Получить материалы") == 0
    assert not telegram.calls(SendDocument)
    clock.at = START - timedelta(minutes=30)
    run_sweep(worker)
    clock.advance(minutes=1)
    run_sweep(worker)
    assert count(EXAMINER, "Материалы для подключения") == 1
    assert telegram.last_markup(EXAMINER).inline_keyboard[0][0].text == "Получить материалы"
    assert count(EXPERT, "Материалы") == 0 and count(USER, "Материалы") == 0
    # after the start nothing more
    clock.at = START + timedelta(hours=2)
    run_sweep(worker)
    assert [
        count(USER, "Ссылка для подключения"),
        count(USER, "Сегодня"),
        count(EXAMINER, "собеседник"),
        count(EXAMINER, "Материалы для"),
    ] == [1, 1, 1, 1]
    async with services.ctx.sessionmaker() as s:
        kinds = sorted(
            (
                await s.execute(
                    select(ReminderRun.kind).where(ReminderRun.scope == f"slot:{slot_id}")
                )
            )
            .scalars()
            .all()
        )
        unsent = (
            await s.execute(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.reason.like("remote%"), Delivery.status != "sent")
            )
        ).scalar_one()
    assert kinds == ["remote_briefing", "remote_day", "remote_materials", "remote_schedule"]
    assert unsent == 0


async def test_coordinator_schedules_and_cancels_in_the_chat(world: World) -> None:
    pid = await accepted(world.services, 1)
    world.jobs.jobs.clear()
    coord = world.person(COORD_MOSCOW)
    reply = await coord.send("/remote")
    assert "График дистанционных подключений" in reply and "Подключений пока нет" in reply
    reply = await coord.press("Добавить подключение")
    assert "Выберите участника" in reply
    reply = await coord.press("Иванова Анна Петровна")
    assert "ДД.ММ.ГГГГ ЧЧ:ММ" in reply and "04.02.2027 10:00 (МСК)" in reply
    assert "ДД.ММ.ГГГГ" in await coord.send("завтра")
    reply = await coord.send("02.02.2027 10:00")
    assert "не позднее чем за 3 дня" in reply
    assert "Продолжительность" in await coord.send("05.02.2027 14:00")
    assert "Ссылка" in await coord.send("30")
    assert "https://" in await coord.send("просто текст")
    assert "Telegram id" in await coord.send(LINK)
    assert "файл материалов" in await coord.send(str(EXAMINER))
    reply = await coord.send("-")
    assert "Подключение назначено: 05.02.2027 14:00 (МСК), Иванова Анна Петровна, 30 мин" in reply
    slots = await world.services.remote.slots(COORD_MOSCOW, 1)
    assert (
        len(slots) == 1
        and slots[0].participant_id == pid
        and slots[0].examiner_telegram_id == EXAMINER
    )
    # the oblast coordinator's forged button changes nothing
    from bot.handlers.remote import RemoteCancelCb

    other = world.person(COORD_OBLAST)
    assert "не из вашего региона" in await other.press_data(
        RemoteCancelCb(slot_id=slots[0].id, action="yes").pack()
    )
    reply = await coord.send("/remote")
    assert "05.02.2027 14:00 (МСК)" in reply and LINK in reply
    assert "Отменить подключение" in await coord.press("✖")
    assert "оставлено" in await coord.press("Не отменять")
    await coord.press("✖")
    assert "отменено, участник уведомлён" in await coord.press("Да, отменить")
    await world.drain()
    assert "отменено" in world.session.sent_texts(USER)[-1]
    # the participant sees their own (now none)
    assert "пока не назначено" in await world.person(USER).send("/remote")
