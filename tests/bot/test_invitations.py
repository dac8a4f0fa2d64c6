"""Staff invitations (R-ROLE-1) and per-role command menus: the service on SQLite and
PostgreSQL, the chat through the real dispatcher over the fake Bot API."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from aiogram.methods import SendDocument
from aiogram.types import BufferedInputFile
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.menus import commands_for
from models.clock import FixedClock
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.invitations import INVITATION_TTL, InviteSpec
from models.tables import Invitation, RoleAssignment
from tests.builders import LINK, NEW, World, coordinator, menus_for, register
from tests.conftest import ADMIN_ID, COORD_MOSCOW, EXAMPLE, FEDERAL
from tests.fakes import document

OTHER = 700002


async def code_of(err: pytest.ExceptionInfo[DomainError]) -> str:
    return err.value.code


# ----------------------------------------------------------------------------- the service


async def test_invite_open_confirm_bind_and_reuse_refused(
    services: Services, contest_id: int
) -> None:
    issued = await services.invitations.create(ADMIN_ID, contest_id, coordinator())
    async with services.ctx.sessionmaker() as s:
        row = (await s.execute(select(Invitation).where(Invitation.id == issued.id))).scalar_one()
    assert (
        row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
        and issued.token not in row.token_hash
    )
    assert row.expires_at == services.ctx.clock.now() + INVITATION_TTL

    with pytest.raises(Forbidden):
        await services.coordination.queue(NEW, contest_id)
    offer = await services.invitations.preview(NEW, issued.payload)
    assert (offer.name, offer.role, offer.regions) == (
        "Петров Пётр Петрович",
        "coordinator",
        ["г. Москва"],
    )
    bound = await services.invitations.accept(NEW, issued.token)
    assert bound.role == "coordinator" and bound.contest_id == contest_id
    cards, total, _ = await services.coordination.queue(
        NEW, contest_id
    )  # now a coordinator of Moscow
    assert total == 0 and cards == []
    assert "coordinator" in await services.invitations.menu_roles(NEW)

    with pytest.raises(DomainError) as err:
        await services.invitations.accept(OTHER, issued.token)
    assert err.value.code == "inv_used"
    with pytest.raises(DomainError) as err:
        await services.invitations.preview(NEW, issued.payload)
    assert err.value.code == "inv_already_yours"
    with pytest.raises(DomainError) as err:
        await services.invitations.accept(NEW, "no-such-token")
    assert err.value.code == "inv_unknown"


async def test_expired_and_revoked_invitations_are_refused(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    late = await services.invitations.create(ADMIN_ID, contest_id, coordinator())
    cancelled = await services.invitations.create(
        ADMIN_ID, contest_id, coordinator("Сидоров Иван Иванович")
    )
    assert (
        await services.invitations.revoke_invitation(ADMIN_ID, cancelled.id)
        == "Сидоров Иван Иванович"
    )
    with pytest.raises(DomainError) as err:
        await services.invitations.accept(NEW, cancelled.token)
    assert err.value.code == "inv_revoked"
    clock.advance(days=14, seconds=1)
    with pytest.raises(DomainError) as err:
        await services.invitations.accept(NEW, late.token)
    assert err.value.code == "inv_expired"
    # a new link for the same invitation works again; the old one is dead
    fresh = await services.invitations.issue_link(ADMIN_ID, late.id)
    with pytest.raises(DomainError):
        await services.invitations.accept(NEW, late.token)
    await services.invitations.accept(NEW, fresh.token)
    async with services.ctx.sessionmaker() as s:
        roles = (
            (await s.execute(select(RoleAssignment).where(RoleAssignment.telegram_id == NEW)))
            .scalars()
            .all()
        )
    assert [(r.role, r.region_codes, r.active) for r in roles] == [("coordinator", ["77"], True)]


async def test_who_may_invite_whom(services: Services, contest_id: int) -> None:
    inv = services.invitations
    # a regional coordinator: coordinators of their own regions and experts only
    await inv.create(COORD_MOSCOW, contest_id, coordinator())
    await inv.create(
        COORD_MOSCOW,
        contest_id,
        InviteSpec(role="expert", name="Эксперт Один Тестович", expert_status="industrial"),
    )
    for spec, code in [
        (coordinator(region="50"), "inv_region_out_of_scope"),
        (InviteSpec(role="federal_coordinator", name="Федеральный Тест"), "inv_role_not_allowed"),
        (InviteSpec(role="commission_member", name="Член Комиссии"), "inv_role_not_allowed"),
    ]:
        with pytest.raises(Forbidden) as err:
            await inv.create(COORD_MOSCOW, contest_id, spec)
        assert err.value.code == code
    with pytest.raises(Forbidden) as err:
        await inv.create(NEW, contest_id, coordinator())
    assert err.value.code == "inv_not_allowed"
    # a federal coordinator or an admin: any role, with its details
    await inv.create(
        FEDERAL,
        contest_id,
        InviteSpec(role="commission_member", name="Председатель Тест", commission_role="chair"),
    )
    chief = await inv.create(
        ADMIN_ID,
        contest_id,
        InviteSpec(
            role="expert",
            name="Главный Эксперт",
            expert_status="competence_manager",
            chief_for=("best_social_worker",),
        ),
    )
    await inv.accept(NEW, chief.token)
    assert {"expert", "chief"} <= await inv.menu_roles(NEW)
    for spec, code in [
        (InviteSpec(role="expert", name="Без Статуса"), "inv_needs_status"),
        (InviteSpec(role="coordinator", name="Без Региона"), "inv_needs_region"),
        (coordinator(region="99"), "inv_unknown_region"),
        (coordinator(name="  "), "inv_bad_name"),
    ]:
        with pytest.raises(DomainError) as err:
            await inv.create(ADMIN_ID, contest_id, spec)
        assert err.value.code == code


async def test_revoked_role_loses_access_at_once(services: Services, contest_id: int) -> None:
    issued = await services.invitations.create(FEDERAL, contest_id, coordinator())
    await services.invitations.accept(NEW, issued.token)
    staff = await services.invitations.staff(FEDERAL, contest_id)
    [entry] = [e for e in staff.roles if e.telegram_id == NEW]
    with pytest.raises(Forbidden) as err:
        await services.invitations.revoke_role(COORD_MOSCOW, entry.id)
    assert err.value.code == "inv_staff_only"
    await services.invitations.revoke_role(FEDERAL, entry.id)
    with pytest.raises(Forbidden):
        await services.coordination.queue(NEW, contest_id)
    assert "coordinator" not in await services.invitations.menu_roles(NEW)
    # re-loading the contest file neither revives nor drops roles it does not declare
    await services.contests.load_definition(None, EXAMPLE.read_bytes())
    with pytest.raises(Forbidden):
        await services.coordination.queue(NEW, contest_id)


async def test_invitation_roles_survive_a_contest_file_reload(
    services: Services, contest_id: int
) -> None:
    issued = await services.invitations.create(ADMIN_ID, contest_id, coordinator())
    await services.invitations.accept(NEW, issued.token)
    result = await services.contests.load_definition(None, EXAMPLE.read_bytes())
    assert result.deactivated["roles"] == 0
    await services.coordination.queue(NEW, contest_id)


def _with_people(extra: str) -> bytes:
    text = EXAMPLE.read_text(encoding="utf-8")
    return text.replace("people:\n", "people:\n" + extra, 1).encode()


FILE_PERSON = """  - name: Файлова Мария Ивановна
    email: maria@example.org
    role: coordinator
    regions: ["50"]
"""


async def test_contest_file_person_without_telegram_id_becomes_an_invitation(
    services: Services, contest_id: int
) -> None:
    await services.contests.load_definition(None, _with_people(FILE_PERSON))
    staff = await services.invitations.staff(ADMIN_ID, contest_id)
    [pending] = [p for p in staff.pending if p.name == "Файлова Мария Ивановна"]
    assert pending.source == "file" and pending.expires_at is None  # no link until one is issued
    issued = await services.invitations.issue_link(ADMIN_ID, pending.id)
    await services.invitations.accept(NEW, issued.token)
    await services.coordination.queue(NEW, contest_id)
    # the same file again: the bound role stays; a second load makes no second invitation
    await services.contests.load_definition(None, _with_people(FILE_PERSON))
    await services.coordination.queue(NEW, contest_id)
    async with services.ctx.sessionmaker() as s:
        assert (
            len(
                (await s.execute(select(Invitation).where(Invitation.source == "file")))
                .scalars()
                .all()
            )
            == 1
        )
    # the file drops the entry: the role it gave is revoked
    await services.contests.load_definition(None, EXAMPLE.read_bytes())
    with pytest.raises(Forbidden):
        await services.coordination.queue(NEW, contest_id)


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


BULK = [
    ["ФИО", "роль", "регион", "e-mail", "статус"],
    ["Первый Координатор Иванович", "координатор", "г. Москва", "one@example.org", ""],
    ["Второй Эксперт Петрович", "эксперт", "", "two@example.org", "эксперт-методист"],
    ["Третий Без Роли", "директор", "77", "", ""],
    ["Четвёртый Эксперт", "эксперт", "", "", ""],
    ["", "", "", "", ""],
    ["Пятый Член Комиссии", "председатель комиссии", "", "five@example", ""],
]


async def test_bulk_list_gives_a_link_per_good_row_and_errors_by_row(
    services: Services, contest_id: int
) -> None:
    result = await services.invitations.create_bulk(ADMIN_ID, contest_id, "staff.csv", _csv(BULK))
    assert result.created == 2
    assert result.failed == [4, 5, 7]
    assert [r.error.code for r in result.rows if r.error] == [
        "inv_bad_role",
        "inv_needs_status",
        "inv_bad_email",
    ]
    [first, second] = [r.issued for r in result.rows if r.issued]
    await services.invitations.accept(NEW, first.token)
    await services.coordination.queue(NEW, contest_id)
    await services.invitations.accept(OTHER, second.token)
    assert "expert" in await services.invitations.menu_roles(OTHER)
    with pytest.raises(DomainError) as err:
        await services.invitations.create_bulk(
            ADMIN_ID, contest_id, "staff.csv", _csv([["Имя", "Что"], ["a", "b"]])
        )
    assert err.value.code == "inv_bad_header"


# ----------------------------------------------------------------------------- menus


def test_commands_per_role_in_russian() -> None:
    participant = [c.command for c in commands_for(frozenset())]
    assert participant == ["start", "status", "withdraw", "settings", "language", "tasks", "help"]
    coordinator_menu = {c.command for c in commands_for(frozenset({"coordinator"}))}
    assert {
        "queue",
        "publish",
        "verify",
        "invite",
    } <= coordinator_menu and "load_contest" not in coordinator_menu
    chief = {c.command for c in commands_for(frozenset({"expert", "chief"}))}
    assert {"scoring", "scheme", "dispute", "protocols"} <= chief and "queue" not in chief
    admin = {c.command: c.description for c in commands_for(frozenset({"admin"}))}
    assert admin["load_contest"] == "Загрузить файл конкурса" and "staff" in admin
    assert all(
        not c.description.startswith("cmd-")
        for c in commands_for(frozenset({"admin", "mentor", "commission_member"}))
    )


# ----------------------------------------------------------------------------- the chat


async def _invite_coordinator_in_chat(world: World, name: str = "Петров Пётр Петрович") -> str:
    admin = world.person(ADMIN_ID, "Админ")
    reply = await admin.send("/invite")
    assert "Приглашение сотрудников" in reply
    await admin.press("Координатор региона")
    await admin.press("г. Москва")
    reply = await admin.send(name)
    assert name in reply and "одноразовая" in reply
    match = LINK.search(reply)
    assert match, reply
    return match.group(1)


async def test_chat_invitation_binds_and_sets_the_menu(world: World) -> None:
    participant = await register(world)  # a pending verification request in Moscow
    # a participant sees the default menu (set for every chat): none of their own (#13)
    assert all("queue" not in menu for menu in menus_for(world, participant.user_id))

    payload = await _invite_coordinator_in_chat(world)
    person = world.person(NEW, "Пётр")
    reply = await person.send(f"/start {payload}")
    assert (
        "Петров Пётр Петрович" in reply and "координатор региона" in reply and "г. Москва" in reply
    )
    reply = await person.press("Да, это я")
    assert "Готово" in reply and "/queue" in reply
    [menu] = menus_for(world, NEW)
    assert "queue" in menu and "load_contest" not in menu and menu[-1] == "help"
    reply = await person.send("/queue")
    assert "Иванова Анна Петровна" in reply

    # the link is single use: another account is refused, and so is a second tap
    assert "уже использовано" in await world.person(OTHER).send(f"/start {payload}")
    assert "Вы уже приняли" in await person.send(f"/start {payload}")
    assert "не найдена" in await world.person(OTHER).send("/start inv_forged-token")


async def test_revoked_coordinator_old_button_is_refused(world: World) -> None:
    await register(world)
    payload = await _invite_coordinator_in_chat(world)
    person = world.person(NEW, "Пётр")
    await person.send(f"/start {payload}")
    await person.press("Да, это я")
    await person.send("/queue")
    old_buttons = person.buttons()
    assert old_buttons

    admin = world.person(ADMIN_ID, "Админ")
    reply = await admin.send("/staff")
    assert "Петров Пётр Петрович — координатор региона" in reply
    assert "Отозвать роль" in await admin.press("Отозвать: Петров")
    assert "отозвана" in await admin.press("Да, отозвать")
    assert "queue" not in menus_for(world, NEW)[-1]  # the menu follows at once

    for mid, _, data in old_buttons:
        reply = await person.press_data(data, mid)
        assert "только координатору" in reply, reply
    assert "только координатору" in await person.send("/queue")


async def test_expired_and_revoked_links_are_refused_in_chat(world: World) -> None:
    payload = await _invite_coordinator_in_chat(world)
    admin = world.person(ADMIN_ID, "Админ")
    second = await _invite_coordinator_in_chat(world, "Сидоров Иван Иванович")
    assert "отменено" in await admin.press("Отменить приглашение")  # the newest: Сидоров's
    assert "отменено" in await world.person(OTHER).send(f"/start {second}")
    world.clock.advance(days=15)
    assert "Срок действия приглашения истёк" in await world.person(NEW).send(f"/start {payload}")


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_bulk_file_round_trip(world: World, kind: str) -> None:
    content = _csv(BULK) if kind == "csv" else _xlsx(BULK)
    world.session.add_file("staff-list", content)
    admin = world.person(ADMIN_ID, "Админ")
    await admin.send("/invite")
    reply = await admin.send(
        document=document(
            "staff-list", f"Сотрудники.{kind}", "application/octet-stream", len(content)
        )
    )
    assert "Приглашения созданы: 2" in reply and "Ошибки в строках: 4, 5, 7" in reply
    [sent] = [r for r in world.session.requests if isinstance(r, SendDocument)]
    assert (
        isinstance(sent.document, BufferedInputFile)
        and sent.document.filename == "Сотрудники-links.xlsx"
    )
    rows = [
        list(r)
        for r in load_workbook(io.BytesIO(sent.document.data)).active.iter_rows(values_only=True)
    ]
    assert rows[0][:2] == ["ФИО", "роль"] and rows[0][5:] == ["Ссылка", "Действует до", "Ошибка"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {n for n, *_ in BULK[1:] if n}
    links = {name: r[5] for name, r in by_name.items() if r[5]}
    assert set(links) == {"Первый Координатор Иванович", "Второй Эксперт Петрович"}
    assert by_name["Третий Без Роли"][7].startswith("Строка 4: Неизвестная роль")
    assert by_name["Четвёртый Эксперт"][7].startswith("Строка 5:")
    # each link works for its own person
    payload = LINK.search(links["Второй Эксперт Петрович"]).group(1)  # type: ignore[union-attr]
    expert = world.person(NEW)
    assert "Второй Эксперт Петрович" in await expert.send(f"/start {payload}")
    await expert.press("Да, это я")
    assert "scoring" in menus_for(world, NEW)[-1]


async def test_help_sets_the_menu_and_explains_invitations(world: World) -> None:
    coord = world.person(COORD_MOSCOW, "Ольга")
    reply = await coord.send("/help")
    assert "/invite" in reply and "/queue" in reply
    [menu] = menus_for(world, COORD_MOSCOW)
    assert "queue" in menu and "invite" in menu and "staff" not in menu
    assert "Список сотрудников" in await coord.send("/staff")
