"""Staff transitions happen once (issue #12, guarantees 1 and 2): broadcasts (R-COO-1),
invitations and roles (R-ROLE-1), task texts (R-COO-4), remote connections (R-COO-3).

At the service level on SQLite and PostgreSQL: the same call twice at once (one person's
double press) and by two staff members with the same rights (two federal coordinators), and
conflicting calls together (drop + send, revoke + accept). Exactly one wins; one audit row;
one outbox row (or one broadcast run); the loser is told in Russian what already happened.
Through the real dispatcher: the known bug (a dropped draft sent by its older «Отправить»),
double presses, stale buttons refused before any input, and «Отмена» on every prompt."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import func, select

from bot.callbacks import BroadcastCb
from bot.texts import error_text
from models.errors import DomainError
from models.services import Services
from models.services.invitations import InviteSpec
from models.tables import (
    AuditRecord,
    Broadcast,
    Contest,
    Delivery,
    Invitation,
    RemoteSlot,
    RoleAssignment,
    TaskText,
)
from tests.builders import LINK, USER, World, accepted, approve, register
from tests.conftest import ADMIN_ID, COORD_MOSCOW, FEDERAL, MSK, JobLog
from tests.fakes import callback_update, document

FEDERAL_2 = 100777  # a second federal coordinator: the same rights as FEDERAL
FEDERAL_NAME = "Волкова Наталья Сергеевна"
INVITEE, STRANGER = 700101, 700102


# --------------------------------------------------------------------------- helpers


async def second_federal(services: Services, contest_id: int) -> None:
    issued = await services.invitations.create(
        ADMIN_ID, contest_id, InviteSpec(role="federal_coordinator", name="Орлова Ирина Игоревна")
    )
    await services.invitations.accept(FEDERAL_2, issued.token)


async def race(*calls: Any) -> tuple[list[Any], list[DomainError]]:
    """Run the calls at once (separate units of work); (results, refusals)."""
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    for o in outcomes:
        if isinstance(o, BaseException) and not isinstance(o, DomainError):
            raise o
    return [o for o in outcomes if not isinstance(o, BaseException)], [
        o for o in outcomes if isinstance(o, DomainError)
    ]


async def audits(services: Services, action: str, entity_id: int | None = None) -> int:
    async with services.ctx.sessionmaker() as s:
        q = select(func.count()).select_from(AuditRecord).where(AuditRecord.action == action)
        if entity_id is not None:
            q = q.where(AuditRecord.entity_id == entity_id)
        return (await s.execute(q)).scalar_one()


async def rows(services: Services, model: Any, *where: Any) -> list[Any]:
    async with services.ctx.sessionmaker() as s:
        return list((await s.execute(select(model).where(*where))).scalars())


def russian(err: DomainError) -> str:
    text = error_text(err)
    assert not text.startswith("err-") and "{" not in text, text
    for english in ("running", "paused", "dropped", "cancelled", "draft", "done", "revoked"):
        assert english not in text, text
    return text


# --------------------------------------------------------------------------- broadcasts: service


@pytest.mark.parametrize("peers", ["same person", "two federal coordinators"])
async def test_double_send_starts_one_broadcast(
    services: Services, contest_id: int, jobs: JobLog, peers: str
) -> None:
    await accepted(services, contest_id)
    await second_federal(services, contest_id)
    draft = await services.broadcasts.create_draft(FEDERAL, contest_id, "Вебинар завтра")
    jobs.jobs.clear()
    other = FEDERAL if peers == "same person" else FEDERAL_2
    won, lost = await race(
        services.broadcasts.start(FEDERAL, draft.id), services.broadcasts.start(other, draft.id)
    )
    assert len(won) == 1 and len(lost) == 1
    assert lost[0].code == "broadcast_started"
    text = russian(lost[0])
    assert f"Рассылка №{draft.id} уже запущена" in text and ("Волкова" in text or "Орлова" in text)
    assert await audits(services, "broadcast.start", draft.id) == 1
    assert (
        len(await rows(services, Delivery, Delivery.broadcast_id == draft.id)) == won[0].total == 1
    )
    assert jobs.take("broadcast") == [draft.id]  # one run


async def test_audience_switches_carry_their_target(services: Services, contest_id: int) -> None:
    """A region or nomination button says ON or OFF: a double tap is one change, and two
    federal coordinators switching different regions at once both count (no lost update)."""
    await second_federal(services, contest_id)
    draft = await services.broadcasts.create_draft(FEDERAL, contest_id, "Вебинар")
    b = services.broadcasts
    await race(
        b.change_audience(FEDERAL, draft.id, region=("77", True)),
        b.change_audience(FEDERAL, draft.id, region=("77", True)),
    )
    assert (await b.view(FEDERAL, draft.id)).audience.regions == ["77"]
    await race(
        b.change_audience(FEDERAL, draft.id, region=("50", True)),
        b.change_audience(FEDERAL_2, draft.id, nomination=(1, True)),
    )
    audience = (await b.view(FEDERAL, draft.id)).audience
    assert sorted(audience.regions) == ["50", "77"] and audience.nominations == [1]
    await race(
        b.change_audience(FEDERAL, draft.id, region=("77", False)),
        b.change_audience(FEDERAL, draft.id, region=("77", False)),
    )
    assert (await b.view(FEDERAL, draft.id)).audience.regions == ["50"]


async def test_dropped_draft_is_never_sent(
    services: Services, contest_id: int, jobs: JobLog
) -> None:
    """The known bug: «Отменить черновик» then the older «Отправить N получателям»."""
    await accepted(services, contest_id)
    draft = await services.broadcasts.create_draft(FEDERAL, contest_id, "Черновик")
    await services.broadcasts.drop(FEDERAL, draft.id)
    for late in (
        services.broadcasts.start,
        services.broadcasts.drop,
        services.broadcasts.check_draft,
    ):
        with pytest.raises(DomainError) as err:
            await late(FEDERAL, draft.id)
        assert err.value.code == "broadcast_dropped"
        assert f"Черновик рассылки №{draft.id} уже удалён ({FEDERAL_NAME}," in russian(err.value)
        assert "Ничего не отправлено" in russian(err.value)
    assert await rows(services, Delivery, Delivery.broadcast_id == draft.id) == []
    [b] = await rows(services, Broadcast, Broadcast.id == draft.id)
    assert b.status == "dropped" and b.started_at is None
    assert await audits(services, "broadcast.drop", draft.id) == 1
    assert await audits(services, "broadcast.start", draft.id) == 0
    assert jobs.take("broadcast") == []


async def test_drop_and_send_together_settle_once(services: Services, contest_id: int) -> None:
    await accepted(services, contest_id)
    await second_federal(services, contest_id)
    draft = await services.broadcasts.create_draft(FEDERAL, contest_id, "Кто быстрее")
    won, lost = await race(
        services.broadcasts.drop(FEDERAL, draft.id), services.broadcasts.start(FEDERAL_2, draft.id)
    )
    assert len(won) == 1 and len(lost) == 1
    russian(lost[0])
    [b] = await rows(services, Broadcast, Broadcast.id == draft.id)
    deliveries = await rows(services, Delivery, Delivery.broadcast_id == draft.id)
    if b.status == "dropped":
        assert lost[0].code == "broadcast_dropped" and deliveries == []
    else:
        assert (
            b.status == "running" and lost[0].code == "broadcast_started" and len(deliveries) == 1
        )
    assert (
        await audits(services, "broadcast.drop", draft.id)
        + await audits(services, "broadcast.start", draft.id)
        == 1
    )


async def test_pause_resume_cancel_twice_move_once(services: Services, contest_id: int) -> None:
    await accepted(services, contest_id)
    await second_federal(services, contest_id)
    b = services.broadcasts
    draft = await b.create_draft(FEDERAL, contest_id, "Пауза")
    await b.start(FEDERAL, draft.id)
    expected = {
        "pause": "broadcast_already_paused",
        "resume": "broadcast_already_running",
        "cancel": "broadcast_was_cancelled",
    }
    for action, code in expected.items():
        call = getattr(b, action)
        won, lost = await race(call(FEDERAL, draft.id), call(FEDERAL_2, draft.id))
        assert len(won) == 1 and [e.code for e in lost] == [code], action
        assert "уже" in russian(lost[0])
        assert await audits(services, f"broadcast.{action}", draft.id) == 1
    # a cancelled broadcast: its «Отменить рассылку» and «Пауза» buttons are refused at once
    for late in (b.check_live, b.pause, b.resume, b.set_audience):
        with pytest.raises(DomainError) as err:
            await (
                late(FEDERAL, draft.id, draft.audience)
                if late.__name__ == "set_audience"
                else late(FEDERAL, draft.id)
            )
        assert err.value.code == "broadcast_was_cancelled", late
    statuses = {d.status for d in await rows(services, Delivery, Delivery.broadcast_id == draft.id)}
    assert statuses == {"cancelled"}


# --------------------------------------------------------------------------- invitations: service


@pytest.mark.parametrize("second", [INVITEE, STRANGER])
async def test_double_accept_binds_once(services: Services, contest_id: int, second: int) -> None:
    issued = await services.invitations.create(
        ADMIN_ID,
        contest_id,
        InviteSpec(role="coordinator", name="Петров Пётр Петрович", regions=("77",)),
    )
    won, lost = await race(
        services.invitations.accept(INVITEE, issued.token),
        services.invitations.accept(second, issued.token),
    )
    assert len(won) == 1 and len(lost) == 1
    assert lost[0].code in ("inv_already_yours", "inv_used")
    assert "уже" in russian(lost[0])
    roles = await rows(
        services,
        RoleAssignment,
        RoleAssignment.role == "coordinator",
        RoleAssignment.telegram_id.in_([INVITEE, STRANGER]),
    )
    assert len(roles) == 1 and roles[0].active
    assert await audits(services, "invitation.accept", issued.id) == 1


async def test_revoke_and_accept_racing_leave_a_consistent_state(
    services: Services, contest_id: int
) -> None:
    issued = await services.invitations.create(
        FEDERAL,
        contest_id,
        InviteSpec(role="coordinator", name="Петров Пётр Петрович", regions=("77",)),
    )
    await second_federal(services, contest_id)
    won, lost = await race(
        services.invitations.revoke_invitation(FEDERAL_2, issued.id),
        services.invitations.accept(INVITEE, issued.token),
    )
    assert len(won) == 1 and len(lost) == 1
    text = russian(lost[0])
    [inv] = await rows(services, Invitation, Invitation.id == issued.id)
    roles = await rows(services, RoleAssignment, RoleAssignment.telegram_id == INVITEE)
    if inv.revoked_at is not None:
        assert inv.used_at is None and roles == [] and lost[0].code == "inv_revoked"
        assert "Орлова Ирина Игоревна" in text
    else:
        assert inv.used_by == INVITEE and [r.active for r in roles] == [True]
        assert lost[0].code == "inv_already_accepted" and "Петров Пётр Петрович" in text
    assert (
        await audits(services, "invitation.revoke", issued.id)
        + await audits(services, "invitation.accept", issued.id)
        == 1
    )


async def test_revoke_role_twice_revokes_once(services: Services, contest_id: int) -> None:
    issued = await services.invitations.create(
        FEDERAL,
        contest_id,
        InviteSpec(role="coordinator", name="Петров Пётр Петрович", regions=("77",)),
    )
    await services.invitations.accept(INVITEE, issued.token)
    await second_federal(services, contest_id)
    [role] = await rows(services, RoleAssignment, RoleAssignment.telegram_id == INVITEE)
    won, lost = await race(
        services.invitations.revoke_role(FEDERAL, role.id),
        services.invitations.revoke_role(FEDERAL_2, role.id),
    )
    assert len(won) == 1 and [e.code for e in lost] == ["inv_role_revoked"]
    assert "Роль «Петров Пётр Петрович» уже отозвана" in russian(lost[0])
    assert await audits(services, "role.revoke", role.id) == 1
    with pytest.raises(
        DomainError
    ) as err:  # the old «Отозвать» of /staff: refused before the confirmation
        await services.invitations.role_entry(FEDERAL, role.id)
    assert err.value.code == "inv_role_revoked"


# --------------------------------------------------------------------------- task texts, remote: service


async def test_double_publication_publishes_once(
    services: Services, contest_id: int, jobs: JobLog
) -> None:
    await accepted(services, contest_id)
    await second_federal(services, contest_id)
    jobs.jobs.clear()

    def publish(actor: int):  # type: ignore[no-untyped-def]
        return services.tasks.publish(
            actor, contest_id, "Кейс", "file-1", "кейс.pdf", time_limit_minutes=60
        )

    won, lost = await race(publish(FEDERAL), publish(FEDERAL_2))
    assert len(won) == 1 and [e.code for e in lost] == ["task_already_published"]
    assert "Задание «Кейс» с этим файлом уже опубликовано" in russian(lost[0])
    assert len(await rows(services, TaskText)) == 1
    assert await audits(services, "task.publish") == 1
    assert len(await rows(services, Delivery, Delivery.reason == "task_published")) == 1
    # first access: two presses of «Открыть задание», one record
    opened, _ = await race(
        services.tasks.open(USER, won[0].id), services.tasks.open(USER, won[0].id)
    )
    assert sorted(o.first_time for o in opened) == [False, True]
    assert await audits(services, "task.first_access") == 1


async def test_remote_schedule_and_cancel_once(services: Services, contest_id: int) -> None:
    pid = await accepted(services, contest_id)
    await second_federal(services, contest_id)
    at = datetime(2027, 2, 10, 10, 0, tzinfo=MSK)

    def add(actor: int, minutes: int):  # type: ignore[no-untyped-def]
        return services.remote.add_slot(
            actor,
            contest_id,
            pid,
            at + timedelta(minutes=minutes),
            30,
            "https://meet.example/x",
            examiner_telegram_id=COORD_MOSCOW,
        )

    won, lost = await race(add(FEDERAL, 0), add(FEDERAL_2, 10))  # overlapping connections
    assert len(won) == 1 and [e.code for e in lost] == ["remote_overlap"]
    assert "уже есть подключение" in russian(lost[0])
    assert len(await rows(services, RemoteSlot)) == 1
    slot = won[0]
    won, lost = await race(
        services.remote.cancel_slot(FEDERAL, slot.id),
        services.remote.cancel_slot(FEDERAL_2, slot.id),
    )
    assert len(won) == 1 and [e.code for e in lost] == ["remote_already_cancelled"]
    assert "уже отменено" in russian(lost[0])
    assert await audits(services, "remote.cancel_slot", slot.id) == 1
    notices = await rows(services, Delivery, Delivery.reason == "remote_cancelled")
    assert sorted(d.recipient_chat_id for d in notices) == sorted([USER, COORD_MOSCOW])  # one each
    with pytest.raises(
        DomainError
    ) as err:  # the ✖ of an old schedule: refused before the confirmation
        await services.remote.slot(FEDERAL, slot.id, live=True)
    assert err.value.code == "remote_already_cancelled"


# --------------------------------------------------------------------------- through the dispatcher


class Presses:
    """Feeds callback presses and remembers their ids: every one must be answered."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.ids: list[str] = []

    async def press(self, user_id: int, data: str, message_id: int) -> str:
        person = self.world.person(user_id)
        mark = len(self.world.session.requests)
        message = self.world.session.state.messages.get((str(user_id), message_id), {})
        update = callback_update(
            user_id, data, message_id=message_id, message_text=message.get("text") or "…"
        )
        self.ids.append(update.callback_query.id)  # type: ignore[union-attr]
        await self.world.dp.feed_update(self.world.bot, update)
        return "\n".join(person._texts_since(mark))

    async def label(self, user_id: int, label: str) -> str:
        for mid, text, data in self.world.person(user_id).buttons():
            if label in text:
                return await self.press(user_id, data, mid)
        raise AssertionError(f"no button {label!r}")

    def all_answered(self) -> bool:
        answered = {str(c.callback_query_id) for c in self.world.session.calls(AnswerCallbackQuery)}
        return set(self.ids) <= answered


def button(world: World, user_id: int, label: str) -> tuple[int, str]:
    for mid, text, data in world.person(user_id).buttons():
        if label in text:
            return mid, data
    raise AssertionError(f"no button {label!r}")


async def _draft_in_chat(world: World) -> tuple[int, Presses]:
    presses = Presses(world)
    fed = world.person(FEDERAL, "Наталья")
    assert "Отправьте текст объявления" in await fed.send("/broadcast")
    assert "Получателей сейчас: <b>1</b>" in await fed.send("Напоминаем о сроках.")
    bid = int(button(world, FEDERAL, "Предпросмотр")[1].split(":")[1])
    assert "Отправить объявление" in await presses.label(FEDERAL, "Предпросмотр")
    return bid, presses


async def test_chat_dropped_draft_old_send_button_is_refused(world: World) -> None:
    await register(world)
    await approve(world)
    bid, presses = await _draft_in_chat(world)
    send_mid, send_data = button(world, FEDERAL, "Отправить 1 получателю")
    drop_mid, drop_data = button(world, FEDERAL, "Отменить черновик")
    assert "Ничего не отправлено" in await presses.press(FEDERAL, drop_data, drop_mid)
    reply = await presses.press(FEDERAL, send_data, send_mid)
    assert (
        f"Черновик рассылки №{bid} уже удалён ({FEDERAL_NAME}" in reply and "запущена" not in reply
    )
    for action in (
        "next",
        "edit",
        "role",
    ):  # every other button of the dropped draft: refused at once
        reply = await presses.press(
            FEDERAL,
            BroadcastCb(broadcast_id=bid, action=action, value="participants").pack(),
            send_mid,
        )
        assert "уже удалён" in reply, action
    services = world.services
    assert await rows(services, Delivery, Delivery.broadcast_id == bid) == []
    [b] = await rows(services, Broadcast, Broadcast.id == bid)
    assert b.status == "dropped" and await audits(services, "broadcast.start") == 0
    assert await audits(services, "broadcast.drop", bid) == 1
    assert presses.all_answered()


async def test_chat_double_send_starts_once(world: World) -> None:
    await register(world)
    await approve(world)
    bid, presses = await _draft_in_chat(world)
    mid, data = button(world, FEDERAL, "Отправить 1 получателю")
    mark = len(world.session.requests)
    await asyncio.gather(presses.press(FEDERAL, data, mid), presses.press(FEDERAL, data, mid))
    replies = world.person(FEDERAL)._texts_since(mark)
    assert sum("Отправлено: 0 из 1" in r for r in replies) == 1
    assert sum(f"Рассылка №{bid} уже запущена ({FEDERAL_NAME}" in r for r in replies) == 1
    services = world.services
    assert await audits(services, "broadcast.start", bid) == 1
    assert len(await rows(services, Delivery, Delivery.broadcast_id == bid)) == 1
    assert world.jobs.take("broadcast") == [bid]
    # the sent broadcast's «Изменить аудиторию» and «Отменить черновик»: refused at once
    for action in ("edit", "drop"):
        reply = await presses.press(
            FEDERAL, BroadcastCb(broadcast_id=bid, action=action).pack(), mid
        )
        assert "уже запущена" in reply, action
    assert presses.all_answered()


async def test_chat_double_yes_it_is_me_binds_once(world: World) -> None:
    admin = world.person(ADMIN_ID, "Админ")
    await admin.send("/invite")
    await admin.press("Координатор региона")
    await admin.press("г. Москва")
    reply = await admin.send("Петров Пётр Петрович")
    payload = LINK.search(reply).group(1)  # type: ignore[union-attr]
    person = world.person(INVITEE, "Пётр")
    await person.send(f"/start {payload}")
    presses = Presses(world)
    mid, data = button(world, INVITEE, "Да, это я")
    mark = len(world.session.requests)
    await asyncio.gather(presses.press(INVITEE, data, mid), presses.press(INVITEE, data, mid))
    replies = world.person(INVITEE)._texts_since(mark)
    assert sum("Готово" in r for r in replies) == 1
    assert sum("Вы уже приняли это приглашение" in r for r in replies) == 1
    assert (
        len(await rows(world.services, RoleAssignment, RoleAssignment.telegram_id == INVITEE)) == 1
    )
    assert await audits(world.services, "invitation.accept") == 1
    # the accepted invitation's «Отменить приглашение» (on the admin's screen): refused at once
    assert "Приглашение уже принято: Петров Пётр Петрович" in await presses.label(
        ADMIN_ID, "Отменить приглашение"
    )
    # /staff «Отозвать»: twice — the second is told who revoked it, before any confirmation
    await admin.send("/staff")
    ask_mid, ask_data = button(world, ADMIN_ID, "Отозвать: Петров")
    await presses.press(ADMIN_ID, ask_data, ask_mid)
    assert "отозвана" in await presses.label(ADMIN_ID, "Да, отозвать")
    assert "уже отозвана" in await presses.press(ADMIN_ID, ask_data, ask_mid)
    assert await audits(world.services, "role.revoke") == 1
    assert presses.all_answered()


async def _counts(world: World) -> tuple[int, ...]:
    s = world.services
    return (
        len(await rows(s, AuditRecord)),
        len(await rows(s, Broadcast)),
        len(await rows(s, Invitation)),
        len(await rows(s, TaskText)),
        len(await rows(s, RemoteSlot)),
        len(await rows(s, Delivery)),
    )


async def _cancel(world: World, presses: Presses, user_id: int) -> str:
    reply = await presses.label(user_id, "Отмена")
    assert "Отменено — ничего не изменено" in reply
    return reply


async def test_every_staff_prompt_has_cancel_that_changes_nothing(world: World) -> None:
    await register(world)
    await approve(world)
    presses = Presses(world)
    fed = world.person(FEDERAL, "Наталья")
    admin = world.person(ADMIN_ID, "Админ")
    coord = world.person(COORD_MOSCOW, "Ольга")
    before = await _counts(world)

    # broadcast text
    await fed.send("/broadcast")
    await _cancel(world, presses, FEDERAL)
    assert "Не понимаю" in await fed.send("Это не объявление")  # no longer taken as the text

    # invitation: the role menu (a list file wait), then the ФИО
    await admin.send("/invite")
    await _cancel(world, presses, ADMIN_ID)
    await admin.send("/invite")
    await admin.press("Координатор региона")
    await admin.press("г. Москва")
    await _cancel(world, presses, ADMIN_ID)
    assert "Вернуться" in str(world.person(ADMIN_ID).buttons())
    assert "Приглашение сотрудников" in await presses.label(
        ADMIN_ID, "Вернуться"
    )  # back to the role menu
    await _cancel(world, presses, ADMIN_ID)
    assert "Не понимаю" in await admin.send("Петров Пётр Петрович")

    # task publication: file, title, limit
    await fed.send("/tasks")
    await presses.label(FEDERAL, "Опубликовать задание")
    await _cancel(world, presses, FEDERAL)
    await presses.label(FEDERAL, "Опубликовать задание")
    world.session.add_file("task-doc", b"%PDF-1.4")
    await fed.send(document=document("task-doc", "кейс.pdf", "application/pdf", 8))
    await _cancel(world, presses, FEDERAL)
    await presses.label(FEDERAL, "Вернуться")
    await presses.label(FEDERAL, "Опубликовать задание")
    await fed.send(document=document("task-doc", "кейс.pdf", "application/pdf", 8))
    await fed.send("Кейс-задание")
    await _cancel(world, presses, FEDERAL)
    assert "Не понимаю" in await fed.send("60")

    # remote connection: every question of the form
    answers = ["10.02.2027 10:00", "30", "https://meet.example/x", "-"]
    for step in range(len(answers) + 1):
        await coord.send("/remote")
        await presses.label(COORD_MOSCOW, "Добавить подключение")
        await presses.label(COORD_MOSCOW, "Иванова Анна Петровна")
        for answer in answers[:step]:
            await coord.send(answer)
        await _cancel(world, presses, COORD_MOSCOW)
    assert "Не понимаю" in await coord.send("-")

    # /load_contest: the wait for the file
    await admin.send("/load_contest")
    await _cancel(world, presses, ADMIN_ID)

    assert await _counts(world) == before
    assert presses.all_answered()


async def test_stale_staff_buttons_are_refused_before_any_input(world: World) -> None:
    await register(world)
    await approve(world)
    presses = Presses(world)
    coord = world.person(COORD_MOSCOW, "Ольга")
    # a cancelled connection's ✖: refused with who and when, no confirmation asked
    [cid] = [c.id for c in await rows(world.services, Contest)]
    [p] = (await world.services.remote.candidates(COORD_MOSCOW, cid)).items
    slot = await world.services.remote.add_slot(
        COORD_MOSCOW,
        cid,
        p.id,
        datetime(2027, 2, 10, 10, 0, tzinfo=MSK),
        30,
        "https://meet.example/x",
    )
    await coord.send("/remote")
    mid, data = button(world, COORD_MOSCOW, "✖ ")
    await world.services.remote.cancel_slot(FEDERAL, slot.id)
    reply = await presses.press(COORD_MOSCOW, data, mid)
    assert f"уже отменено ({FEDERAL_NAME}" in reply and "Отменить подключение" not in reply
    # a participant no longer accepted: «pick» refused before the date is asked
    await coord.send("/remote")
    await presses.label(COORD_MOSCOW, "Добавить подключение")
    mid, data = button(world, COORD_MOSCOW, "Иванова Анна Петровна")
    await world.person(555001).send("/withdraw")
    await world.person(555001).press("Да, отозвать согласие")
    reply = await presses.press(COORD_MOSCOW, data, mid)
    assert "ДД.ММ.ГГГГ" not in reply and "подтверждено" in reply
    assert presses.all_answered()
