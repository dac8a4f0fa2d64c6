"""Who is this, once per update (issue #13, item 2): the person's language and roles are one
statement per update (models.services.access, bot.viewer), give the same answers as the
per-role queries they replace, follow /language, and a revoked role shows at the next update
(nothing is cached between updates, so there is nothing to invalidate)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from models.services import Services
from models.services.access import LANGUAGE_CHOSEN
from tests.builders import NEW, Speaker, World, coordinator
from tests.conftest import ADMIN_ID, COORD_MOSCOW, EXPERT, FEDERAL


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement the driver executes on ``engine`` meanwhile."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def engine_of(services: Services) -> AsyncEngine:
    bind = services.ctx.sessionmaker.kw["bind"]
    assert isinstance(bind, AsyncEngine)
    return bind


def lookups(seen: list[str]) -> list[str]:
    """Statements that ask who the person is: their language or their roles."""
    return [s for s in seen if "role_assignments" in s or "persons.language" in s]


async def test_one_lookup_per_update_for_start_and_a_form_answer(world: World) -> None:
    p = world.person(557001, "Анна")
    with statements(engine_of(world.services)) as seen:
        reply = await p.send("/start")
    assert "согласие" in reply
    assert len(lookups(seen)) == 1 and "UNION ALL" in lookups(seen)[0], lookups(seen)
    await p.press("Согласен(а) на обработку")
    with statements(engine_of(world.services)) as seen:
        reply = await p.send("Иванова Анна Петровна")
    assert "ФИО сохранено" in reply and "СНИЛС" in reply
    assert len(lookups(seen)) == 1, lookups(seen)
    # the saved answer's view is shown as is: the participant is read once after the write
    with statements(engine_of(world.services)) as seen:
        reply = await p.send("123-456-789 64")
    assert "***-***-*** 64" in reply and "регион" in reply
    assert len(lookups(seen)) == 1, lookups(seen)
    assert sum(1 for s in seen if s.startswith("SELECT contests.")) == 1, seen
    # staff: /start and /help answer from the same one lookup
    expert = world.person(EXPERT, "Дмитрий")
    for command, expected in (("/start", "/scoring"), ("/help", "Эксперту")):
        with statements(engine_of(world.services)) as seen:
            assert expected in await expert.send(command)
        assert len(lookups(seen)) == 1, lookups(seen)


async def test_viewer_answers_as_the_per_role_queries(services: Services, contest_id: int) -> None:
    """Same answers as staff_roles / is_expert_anywhere / is_member_anywhere / menu_roles /
    language_for, on SQLite and PostgreSQL (the UNION ALL with JSON columns)."""
    await services.participants.give_consent(557101, contest_id, "Анна")
    await services.participants.set_language(557102, "en", "Ann")
    people = (
        ADMIN_ID,
        COORD_MOSCOW,
        FEDERAL,
        EXPERT,
        100005,
        100006,
        100010,
        557101,
        557102,
        557199,
    )
    for tid in people:
        v = await services.access.viewer(tid)
        assert v.staff_roles() == await services.coordination.staff_roles(tid), tid
        assert v.is_expert == await services.schemes.is_expert_anywhere(tid), tid
        assert v.is_commission_member == await services.commission.is_member_anywhere(tid), tid
        assert v.menu_roles() == await services.invitations.menu_roles(tid), tid
        assert list(v.participations) == sorted(await services.participants.contests_of(tid)), tid
        assert v.language("ru") == await services.participants.language_for(tid, "ru"), tid
    assert (await services.access.viewer(557101)).participations == (contest_id,)
    assert (await services.access.viewer(557102)).stored_language == "en" + LANGUAGE_CHOSEN
    unknown = await services.access.viewer(557199)
    assert not unknown.known and not unknown.is_staff and unknown.language("en") == "en"


async def test_language_switches_with_the_language_command(world: World) -> None:
    p = Speaker(world.dp, world.bot, world.session, 557201, "Anna", language_code="en")
    assert "Hello!" in await p.send("/start")
    await p.send("/language")
    assert "по-русски" in await p.press("Русский")
    assert "Здравствуйте!" in await p.send("/start")  # the next update reads the choice
    await p.send("/language")
    assert "speaks English" in await p.press("English")
    assert "Hello!" in await p.send("/start")


async def test_a_revoked_role_shows_at_the_next_update(world: World) -> None:
    """No cache between updates: a granted role greets with the tools at once, a revoked one
    is gone at the person's next update (the services refuse it regardless)."""
    services = world.services
    p = world.person(NEW, "Пётр")
    assert "согласие" in await p.send("/start")  # not staff yet
    issued = await services.invitations.create(FEDERAL, 1, coordinator())
    await services.invitations.accept(NEW, issued.token)
    reply = await p.send("/start")
    assert "/queue" in reply and "согласие" not in reply
    [entry] = [
        e for e in (await services.invitations.staff(FEDERAL, 1)).roles if e.telegram_id == NEW
    ]
    await services.invitations.revoke_role(FEDERAL, entry.id)
    reply = await p.send("/start")
    assert "/queue" not in reply and "согласие" in reply
    assert "/queue" not in await p.send("/help")
