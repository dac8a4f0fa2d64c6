"""The burst work of issue #13 made the hot paths cheaper; these tests pin down what must stay
true while they are cheap: a contest loaded by another process is seen at once, two writers of
a brand-new conversation row both keep their part, one update reads its row once and still
sees its own writes, filters never leave the event loop, and a person the bot has never met
gets no menu call of their own. (Speed itself is measured in bench/, not here.)"""

from __future__ import annotations

import asyncio
import contextvars
from pathlib import Path

from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import SetMyCommands

from bot.states import Form
from bot.storage import ConversationCache, DatabaseStorage
from models.clock import FixedClock
from models.crypto import PersonalDataCipher
from models.db import create_engine, create_sessionmaker
from models.services import ServiceContext, Services
from models.services.base import update_scope
from tests.builders import dispatcher_for
from tests.conftest import ADMIN_ID, EXAMPLE, IN_PERIOD, TEST_KEY, JobLog

KEY = StorageKey(bot_id=42, chat_id=777001, user_id=777001)


def _services(url: str, tmp_path: Path) -> tuple[Services, object]:
    engine = create_engine(url)
    ctx = ServiceContext(
        sessionmaker=create_sessionmaker(engine),
        cipher=PersonalDataCipher(TEST_KEY),
        clock=FixedClock(IN_PERIOD),  # frozen: two loads get the same load time
        jobs=JobLog(),
        admin_ids=frozenset({ADMIN_ID}),
        files_dir=tmp_path / "files",
    )
    return Services(ctx), engine


async def test_a_contest_loaded_elsewhere_is_seen_at_once(db_url: str, tmp_path: Path) -> None:
    """The contest list is kept in memory, but a definition loaded by another process (here:
    another ServiceContext on the same database, with the same frozen clock, so even the load
    time does not change) shows at the next read — title and deadline alike."""
    bot_side, e1 = _services(db_url, tmp_path)
    cli_side, e2 = _services(db_url, tmp_path)
    try:
        raw = EXAMPLE.read_bytes()
        cid = (await cli_side.contests.load_definition(None, raw)).contest_id
        before = await bot_side.contests.contest(cid)
        assert [c.id for c in await bot_side.contests.contests()] == [cid]

        changed = raw.decode().replace(before.title, before.title + " (уточнено)", 1)
        assert changed != raw.decode()
        await cli_side.contests.load_definition(None, changed.encode())
        assert (await bot_side.contests.contest(cid)).title == before.title + " (уточнено)"

        # a second contest appears in the list at once too
        second = changed.replace("code: ", "code: x", 1)
        other = (await cli_side.contests.load_definition(None, second.encode())).contest_id
        assert {c.id for c in await bot_side.contests.contests()} == {cid, other}
    finally:
        await e1.dispose()  # type: ignore[attr-defined]
        await e2.dispose()  # type: ignore[attr-defined]


async def test_within_one_update_a_load_is_read_back(services: Services, contest_id: int) -> None:
    """The per-update memo of the contest list is dropped when the update itself loads a
    definition (an admin sending a contest file in the chat)."""
    with update_scope():
        before = await services.contests.contest(contest_id)
        raw = EXAMPLE.read_bytes().decode().replace(before.title, before.title + " II", 1)
        await services.contests.load_definition(None, raw.encode())
        assert (await services.contests.contest(contest_id)).title == before.title + " II"


async def test_two_first_writes_of_a_new_conversation_both_count(db_url: str) -> None:
    """Two writers find no row (the cheap path creates the row in one statement); whichever
    comes second must still merge into the first's draft, never overwrite it."""
    engine = create_engine(db_url)
    storage = DatabaseStorage(create_sessionmaker(engine), PersonalDataCipher(TEST_KEY))
    cache = ConversationCache()

    async def writer(field: str) -> None:
        async def handler(event: object, data: dict[str, object]) -> None:
            await storage.get_data(KEY)  # read first, as a handler does: the row is absent
            await storage.update_data(KEY, {field: 1})

        await cache(handler, object(), {})

    try:
        for _ in range(5):
            await storage.set_state(KEY, None)
            await storage.set_data(KEY, {})
            await asyncio.gather(writer("a"), writer("b"))
            assert await storage.get_data(KEY) == {"a": 1, "b": 1}
    finally:
        await engine.dispose()


async def test_one_update_reads_its_row_once_and_sees_its_own_writes(db_url: str) -> None:
    engine = create_engine(db_url)
    maker = create_sessionmaker(engine)
    storage = DatabaseStorage(maker, PersonalDataCipher(TEST_KEY))
    other = DatabaseStorage(maker, PersonalDataCipher(TEST_KEY))
    seen: list[object] = []

    async def handler(event: object, data: dict[str, object]) -> None:
        seen.append(await storage.get_state(KEY))
        # another writer, outside this update (its own context)
        await asyncio.create_task(other.set_state(KEY, Form.snils), context=contextvars.Context())
        seen.append(await storage.get_state(KEY))  # this update keeps what it read
        await storage.set_state(KEY, Form.full_name)  # its own write is read back
        await storage.update_data(KEY, {"x": 1})
        seen.append((await storage.get_state(KEY), await storage.get_data(KEY)))

    try:
        await ConversationCache()(handler, object(), {})
        assert seen == [None, None, (Form.full_name.state, {"x": 1})]
        # outside an update every read is fresh
        assert await storage.get_state(KEY) == Form.full_name.state
    finally:
        await engine.dispose()


def test_no_filter_is_left_to_a_thread(services: Services) -> None:
    """aiogram runs a plain-function filter in a thread for every handler it tries; the
    dispatcher makes every one of them run on the loop (a thread hop per filter per update)."""
    dp = dispatcher_for(services)
    pending: list[str] = []

    def walk(router) -> None:  # type: ignore[no-untyped-def]
        for name, observer in router.observers.items():
            for handler in observer.handlers:
                pending.extend(
                    f"{router.name}:{name}:{handler.callback.__name__}"
                    for f in handler.filters or ()
                    if not f.awaitable
                )
        for sub in router.sub_routers:
            walk(sub)

    walk(dp)
    assert pending == []


async def test_a_new_person_gets_no_menu_of_their_own_staff_do(world) -> None:  # type: ignore[no-untyped-def]
    """/start of someone never met, without roles: the default menu already shows; no
    setMyCommands for their chat. A coordinator's /start sets theirs."""

    def menus_for(chat_id: int) -> list[SetMyCommands]:
        return [
            r
            for r in world.session.requests
            if isinstance(r, SetMyCommands)
            and r.scope is not None
            and getattr(r.scope, "chat_id", None) == chat_id
        ]

    newcomer = world.person(777555, "Новиков")
    assert "согласи" in (await newcomer.send("/start")).lower()  # answered: the consent request
    assert menus_for(777555) == []
    coordinator = world.person(100001, "Смирнова")
    await coordinator.send("/start")
    assert menus_for(100001)
