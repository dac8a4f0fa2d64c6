"""Task texts (R-COO-4): published as a file, first access recorded once per participant, a
time-limited task closes and later answers are refused with the deadline named."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram.methods import SendDocument
from sqlalchemy import select

from bot.texts import error_text
from models.clock import FixedClock
from models.errors import DomainError, Forbidden
from models.services import Services, TelegramFile
from models.tables import AuditRecord, Delivery, TaskAccess, TaskSubmission
from tests.builders import USER, World, accepted, verified_form
from tests.conftest import COORD_MOSCOW, FEDERAL, IN_PERIOD, JobLog
from tests.fakes import document

ANSWER = TelegramFile(
    "ans-1",
    "ans-u1",
    "ответ.docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    2048,
)
#: issue #15: an answer's content is downloaded, checked by its signature and stored
ANSWER_BYTES = b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"\x00" * 64


async def publish(services: Services, contest_id: int, limit: int | None = 60, **kw) -> int:  # type: ignore[no-untyped-def]
    task = await services.tasks.publish(
        FEDERAL,
        contest_id,
        "Кейс-задание",
        "task-file-1",
        "кейс.pdf",
        time_limit_minutes=limit,
        **kw,
    )
    return task.id


async def test_publish_permissions_and_notice_to_accepted_participants(
    services: Services, contest_id: int, jobs: JobLog
) -> None:
    await accepted(services, contest_id)
    await verified_form(services, contest_id, 555002, "123-456-789 64")  # pending: no notice
    jobs.jobs.clear()
    with pytest.raises(Forbidden) as err:
        await services.tasks.publish(USER, contest_id, "Задание", "f", "f.pdf")
    assert err.value.code == "not_coordinator"
    with pytest.raises(Forbidden) as err:  # a task is contest-wide: not for a regional coordinator
        await services.tasks.publish(COORD_MOSCOW, contest_id, "Задание", "f", "f.pdf")
    assert err.value.code == "task_federal_only"
    with pytest.raises(DomainError) as err:
        await services.tasks.publish(FEDERAL, contest_id, "  ", "f", "f.pdf")
    assert err.value.code == "task_bad_title"
    task_id = await publish(services, contest_id)
    async with services.ctx.sessionmaker() as s:
        rows = (
            (await s.execute(select(Delivery).where(Delivery.reason == "task_published")))
            .scalars()
            .all()
        )
    assert [r.recipient_chat_id for r in rows] == [USER]
    assert rows[0].keyboard[0][0]["action"] == f"task-{task_id}"
    assert jobs.take("deliver") == [rows[0].id]
    # only accepted participants may open
    with pytest.raises(DomainError) as err:
        await services.tasks.open(555002, task_id)
    assert err.value.code == "task_not_participant"
    listing = await services.tasks.published(COORD_MOSCOW, contest_id)
    assert [(t.title, t.opened_count, t.submitted_count) for t in listing] == [
        ("Кейс-задание", 0, 0)
    ]


async def test_first_access_is_recorded_once(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    await accepted(services, contest_id)
    task_id = await publish(services, contest_id)
    assert (await services.tasks.tasks_for(USER, contest_id))[0].first_access_at is None
    opened = await services.tasks.open(USER, task_id)
    assert opened.first_time and opened.file_id == "task-file-1"
    assert (
        opened.task.first_access_at == IN_PERIOD
        and opened.task.deadline == IN_PERIOD + timedelta(minutes=60)
    )
    clock.advance(minutes=20)
    again = await services.tasks.open(USER, task_id)
    assert not again.first_time and again.task.first_access_at == IN_PERIOD
    async with services.ctx.sessionmaker() as s:
        accesses = (await s.execute(select(TaskAccess))).scalars().all()
        audit = (
            (
                await s.execute(
                    select(AuditRecord.action).where(AuditRecord.action == "task.first_access")
                )
            )
            .scalars()
            .all()
        )
    assert (
        len(accesses) == 1
        and accesses[0].first_access_at == IN_PERIOD
        and audit == ["task.first_access"]
    )
    item = (await services.tasks.tasks_for(USER, contest_id))[0]
    assert item.first_access_at == IN_PERIOD and not item.closed


async def test_answer_refused_after_the_limit_with_the_deadline_named(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    await accepted(services, contest_id)
    task_id = await publish(services, contest_id)
    with pytest.raises(DomainError) as err:  # the clock starts at the first access
        await services.tasks.submit(USER, task_id, ANSWER, ANSWER_BYTES)
    assert err.value.code == "task_not_opened"
    await services.tasks.open(USER, task_id)
    clock.advance(minutes=59)
    done = await services.tasks.submit(USER, task_id, ANSWER, ANSWER_BYTES)
    assert done.submitted_at == clock.at
    clock.advance(minutes=2)
    with pytest.raises(DomainError) as err:
        await services.tasks.submit(USER, task_id, ANSWER, ANSWER_BYTES)
    assert err.value.code == "task_closed"
    assert "01.02.2027 11:00 (МСК)" in error_text(err.value) and "не принят" in error_text(
        err.value
    )
    async with services.ctx.sessionmaker() as s:
        assert len((await s.execute(select(TaskSubmission))).scalars().all()) == 1
    assert (await services.tasks.tasks_for(USER, contest_id))[0].closed


async def test_closes_at_caps_the_limit_for_everyone(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    await accepted(services, contest_id)
    closes = IN_PERIOD + timedelta(minutes=30)
    task_id = await publish(services, contest_id, limit=120, closes_at=closes)
    clock.advance(minutes=10)
    opened = await services.tasks.open(USER, task_id)
    assert opened.task.deadline == closes
    clock.at = closes + timedelta(seconds=1)
    with pytest.raises(DomainError) as err:
        await services.tasks.submit(USER, task_id, ANSWER, ANSWER_BYTES)
    assert err.value.code == "task_closed" and err.value.args_["deadline"] == closes
    # an untimed task never closes
    free = await publish(services, contest_id, limit=None)
    await services.tasks.open(USER, free)
    clock.advance(days=30)
    assert (await services.tasks.submit(USER, free, ANSWER, ANSWER_BYTES)).deadline is None


async def test_publish_open_and_answer_in_the_chat(world: World) -> None:
    await accepted(world.services, 1)
    world.jobs.jobs.clear()
    fed = world.person(FEDERAL)
    reply = await fed.send("/tasks")
    assert "Задания конкурса" in reply and "Заданий пока нет" in reply
    assert "файл задания" in await fed.press("Опубликовать задание")
    assert "Жду файл" in await fed.send("вот")
    assert "Название" in await fed.send(
        document=document("task-doc", "кейс.pdf", "application/pdf", 1000)
    )
    assert "минутах" in await fed.send("Кейс-задание")
    assert "опубликовано" in await fed.send("60")
    await world.drain()
    assert "Опубликовано задание «Кейс-задание»" in world.session.sent_texts(USER)[-1]
    p = world.person(USER)
    await p.press("Открыть задание")
    docs = [m for m in world.session.calls(SendDocument) if str(m.chat_id) == str(USER)]
    assert (
        len(docs) == 1 and docs[0].document == "task-doc" and "01.02.2027 10:00" in docs[0].caption
    )
    assert "Ответ принимается до 01.02.2027 11:00 (МСК)" in world.session.sent_texts(USER)[-1]
    reply = await p.send("/tasks")
    assert "открыто 01.02.2027 10:00" in reply and "ответ до 01.02.2027 11:00" in reply
    assert "документом" in await p.press("Отправить ответ")
    world.session.add_file("ans-doc", ANSWER_BYTES)  # issue #15: the answer's content is stored
    reply = await p.send(
        document=document("ans-doc", "ответ.docx", "application/octet-stream", 500)
    )
    assert "принят 01.02.2027 10:00" in reply
    world.clock.advance(minutes=61)
    reply = await p.press("Отправить ответ")
    assert "Время на выполнение задания вышло 01.02.2027 11:00 (МСК)" in reply
    # opening again later does not move the first access
    await p.press("Открыть:")
    item = (await world.services.tasks.tasks_for(USER, 1))[0]
    assert item.first_access_at == IN_PERIOD and item.closed
    # a regional coordinator sees the counts but cannot publish
    coord = world.person(COORD_MOSCOW)
    assert "открыли: 1, ответили: 1" in await coord.send("/tasks")
    assert "федеральный координатор" in await coord.press("Опубликовать задание")
