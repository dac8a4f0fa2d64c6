"""Issue #12, guarantee 2 (restart part): the conversation position and the drafts of
multi-step forms live in the database (bot.storage) in every mode, encrypted (R-PD-2), so a
restart or a lost Redis loses nothing; a message no handler takes is answered with where the
person was and «Продолжить», not «Не понимаю» (bot.conversation, bot.handlers.common)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select, text

from bot.prompts import BACK_KEY, LEFT_KEY, PROMPT_KEY
from bot.states import Coord, Form
from bot.storage import DatabaseStorage
from models.clock import FixedClock
from models.crypto import PersonalDataCipher
from models.db import create_engine, create_sessionmaker
from models.services import ServiceContext, Services
from models.tables import ConversationState, Participant
from tests.builders import World, dispatcher_for
from tests.conftest import ADMIN_ID, COORD_MOSCOW, EXAMPLE, IN_PERIOD, TEST_KEY, JobLog
from tests.fakes import FakeTelegramSession, make_bot

KEY = StorageKey(bot_id=42, chat_id=555001, user_id=555001)
NAME = "Иванова Анна Петровна"
NOT_UNDERSTOOD = "Не понимаю"


def _storage(url: str) -> tuple[DatabaseStorage, object]:
    engine = create_engine(url)
    return DatabaseStorage(create_sessionmaker(engine), PersonalDataCipher(TEST_KEY)), engine


# --------------------------------------------------------------------------- the storage


async def test_state_and_draft_survive_a_restart(db_url: str) -> None:
    """A new storage over the same database (= the bot restarted) sees the same step and
    the same draft; nothing lived only in the process."""
    first, engine = _storage(db_url)
    assert await first.get_state(KEY) is None and await first.get_data(KEY) == {}
    await first.set_state(KEY, Form.full_name)
    await first.update_data(KEY, {"contest_id": 1, "apl_form": {"text": NAME, "evidence": []}})
    await first.update_data(KEY, {"region_id": 7})
    await first.close()
    await engine.dispose()

    second, engine = _storage(db_url)
    try:
        assert await second.get_state(KEY) == Form.full_name.state
        assert await second.get_data(KEY) == {
            "contest_id": 1,
            "apl_form": {"text": NAME, "evidence": []},
            "region_id": 7,
        }
        assert await second.get_value(KEY, "region_id") == 7
        # other keys (another chat, a forum topic, a business connection, another destiny) are apart
        for other in (
            StorageKey(bot_id=42, chat_id=555002, user_id=555001),
            StorageKey(bot_id=42, chat_id=555001, user_id=555001, thread_id=5),
            StorageKey(bot_id=42, chat_id=555001, user_id=555001, business_connection_id="bc"),
            StorageKey(bot_id=42, chat_id=555001, user_id=555001, destiny="other"),
            StorageKey(bot_id=43, chat_id=555001, user_id=555001),
        ):
            assert await second.get_state(other) is None and await second.get_data(other) == {}
        # set_data replaces; set_state keeps the draft
        await second.set_data(KEY, {"only": "this"})
        await second.set_state(KEY, None)
        assert (
            await second.get_data(KEY) == {"only": "this"} and await second.get_state(KEY) is None
        )
        with pytest.raises(DataNotDictLikeError):
            await second.set_data(KEY, [("a", 1)])  # type: ignore[arg-type]
        # state.clear(): no state, no draft → no row left behind
        await second.set_state(KEY, None)
        await second.set_data(KEY, {})
        async with create_sessionmaker(engine)() as s:
            assert (await s.execute(select(ConversationState))).scalars().all() == []
    finally:
        await engine.dispose()


async def test_the_draft_is_encrypted_at_rest(db_url: str) -> None:
    """R-PD-2: the draft may hold names and appeal texts; the column holds a Fernet token."""
    storage, engine = _storage(db_url)
    try:
        await storage.set_state(KEY, "AppealForm:text")
        await storage.set_data(
            KEY, {"apl_form": {"text": f"Прошу пересмотреть оценку. {NAME}, СНИЛС 123-456-789 64"}}
        )
        async with engine.connect() as conn:
            raw = (await conn.execute(text("SELECT state, data FROM conversation_states"))).one()
        blob = bytes(raw.data)
        assert raw.state == "AppealForm:text"
        for plain in (NAME, "Иванова", "123-456-789", "Прошу", "apl_form"):
            assert plain.encode() not in blob
            assert plain.encode("utf-16-le") not in blob
        assert PersonalDataCipher(TEST_KEY).decrypt(blob).startswith('{"apl_form"')
        # another key cannot read it: the draft is dropped (and not logged), nothing crashes
        other = DatabaseStorage(
            create_sessionmaker(engine),
            PersonalDataCipher(PersonalDataCipher.generate_key().encode()),
        )
        assert await other.get_data(KEY) == {}
        assert await other.get_state(KEY) == "AppealForm:text"
    finally:
        await engine.dispose()


async def test_concurrent_updates_of_one_draft_lose_nothing(db_url: str) -> None:
    """update_data is read-modify-write under the row's lock: two instances writing the
    same person's draft at once (no event isolation between them) both land."""
    one, engine_one = _storage(db_url)
    two, engine_two = _storage(db_url)
    try:
        await asyncio.gather(
            *((one if n % 2 else two).update_data(KEY, {f"k{n}": n}) for n in range(12))
        )
        assert await one.get_data(KEY) == {f"k{n}": n for n in range(12)}
    finally:
        await engine_one.dispose()
        await engine_two.dispose()


# --------------------------------------------------------------------------- the dispatcher


async def _services(url: str, tmp_path: Path, *, load: bool) -> tuple[Services, object]:
    engine = create_engine(url)
    ctx = ServiceContext(
        sessionmaker=create_sessionmaker(engine),
        cipher=PersonalDataCipher(TEST_KEY),
        clock=FixedClock(IN_PERIOD),
        jobs=JobLog(),
        admin_ids=frozenset({ADMIN_ID}),
        files_dir=tmp_path / "files",
    )
    services = Services(ctx)
    if load:
        await services.contests.load_definition(None, EXAMPLE.read_bytes())
    return services, engine


@pytest.fixture
async def restartable(db_url: str, tmp_path: Path) -> AsyncIterator:  # type: ignore[type-arg]
    """``await boot()`` builds the bot's runtime over the same database as a restart would:
    new engine, new services, new database storage, nothing carried over in memory
    (aiogram's routers attach once per process, so the one dispatcher gets them)."""
    engines: list = []
    session = FakeTelegramSession()
    bot = make_bot(session)

    async def boot(load: bool = False) -> World:
        for engine in engines:
            await engine.dispose()
        services, engine = await _services(db_url, tmp_path, load=load)
        engines.append(engine)
        dp = dispatcher_for(services)
        dp.fsm.storage = DatabaseStorage(
            services.ctx.sessionmaker, services.ctx.cipher, clock=services.ctx.clock
        )
        return World(
            services, dp, bot, session, services.ctx.jobs, services.ctx.clock, tmp_path / "files"
        )  # type: ignore[arg-type]

    yield boot
    for engine in engines:
        await engine.dispose()


async def test_a_form_continues_after_the_dispatcher_is_rebuilt(restartable) -> None:  # type: ignore[no-untyped-def]
    """A participant at the ФИО prompt; the bot restarts; their ФИО is taken as the answer."""
    world = await restartable(load=True)
    anna = world.person(555001, "Анна")
    await anna.send("/start")
    assert "фамилию, имя и отчество" in await anna.press("Согласен(а) на обработку")

    world = await restartable()  # restart: nothing in memory survives
    anna = world.person(555001, "Анна")
    reply = await anna.send(NAME)
    assert "СНИЛС" in reply and NOT_UNDERSTOOD not in reply
    world = await restartable()
    anna = world.person(555001, "Анна")
    assert "регион" in await anna.send("123-456-789 64")
    async with world.services.ctx.sessionmaker() as s:
        assert (await s.execute(select(Participant.full_name))).scalar_one() == NAME


async def test_a_participant_who_lost_their_step_is_offered_to_continue(restartable) -> None:  # type: ignore[no-untyped-def]
    """The position itself is gone (e.g. it lived in memory before this version, or it
    was left with a command): the answer gets «Вы заполняли анкету… Продолжить», which
    resumes the form where it stopped — not «Не понимаю»."""
    world = await restartable(load=True)
    anna = world.person(555001, "Анна")
    await anna.send("/start")
    await anna.press("Согласен(а) на обработку")
    await anna.send("/status")  # leaves the ФИО prompt
    reply = await anna.send(NAME)
    assert "заполняли анкету" in reply and NOT_UNDERSTOOD not in reply
    assert "фамилию, имя и отчество" in await anna.press("Продолжить")
    assert "СНИЛС" in await anna.send(NAME)

    # the stored position wiped out completely (a lost database row, a pre-#12 restart)
    async with world.services.ctx.sessionmaker() as s:
        await s.execute(ConversationState.__table__.delete())
        await s.commit()
    world = await restartable()
    anna = world.person(555001, "Анна")
    reply = await anna.send("123-456-789 64")
    assert "заполняли анкету" in reply and NOT_UNDERSTOOD not in reply
    assert "СНИЛС" in await anna.press("Продолжить")
    assert "регион" in await anna.send("123-456-789 64")
    # a stranger still gets the plain help
    assert NOT_UNDERSTOOD in await world.person(777777, "Кто-то").send("привет")


async def test_a_staff_prompt_left_with_a_command_is_remembered(restartable) -> None:  # type: ignore[no-untyped-def]
    """A coordinator in a prompt (bot.prompts.ask keeps its question with the draft) leaves
    it with a command; after a restart their «Спасибо» is not taken as anything: they are
    told where they were, and «Продолжить» asks the same question again."""
    world = await restartable(load=True)
    coord = world.person(COORD_MOSCOW, "Ольга")
    ctx = world.dp.fsm.get_context(world.bot, chat_id=COORD_MOSCOW, user_id=COORD_MOSCOW)
    await ctx.set_state(Coord.reason)
    await ctx.update_data(
        participant_id=1,
        **{
            BACK_KEY: "nv:1:status",
            PROMPT_KEY: {
                "state": Coord.reason.state,
                "text": "Напишите причину отказа",
                "rows": [],
            },
        },
    )
    await coord.send("/help")  # a command leaves the prompt (bot.prompts.CommandsLeavePrompts)
    assert await ctx.get_state() is None and (await ctx.get_data())[LEFT_KEY] == Coord.reason.state

    world = await restartable()
    coord = world.person(COORD_MOSCOW, "Ольга")
    reply = await coord.send("Спасибо, всё понятно")
    assert "Вы были на шаге «причина отказа»" in reply and NOT_UNDERSTOOD not in reply
    assert "Напишите причину отказа" in await coord.press("Продолжить")
    ctx = world.dp.fsm.get_context(world.bot, chat_id=COORD_MOSCOW, user_id=COORD_MOSCOW)
    assert (
        await ctx.get_state() == Coord.reason.state and (await ctx.get_data()).get(LEFT_KEY) is None
    )


async def test_a_state_no_handler_knows_is_answered_with_the_step(restartable) -> None:  # type: ignore[no-untyped-def]
    """A stored state no handler serves any more (renamed in an update of the bot): the
    person is told they are at an unfinished step and can leave it with «Отмена»."""
    world = await restartable(load=True)
    person = world.person(555009, "Пётр")
    ctx = world.dp.fsm.get_context(world.bot, chat_id=555009, user_id=555009)
    await ctx.set_state("RetiredForm:step")
    world = await restartable()
    person = world.person(555009, "Пётр")
    reply = await person.send("что-нибудь")
    assert "незавершённый шаг" in reply and NOT_UNDERSTOOD not in reply
    assert "Отменено" in await person.press("Отмена")
    assert NOT_UNDERSTOOD in await person.send("что-нибудь")


async def test_a_rejection_reason_prompt_left_with_a_command_survives_a_restart(
    restartable,
) -> None:  # type: ignore[no-untyped-def]
    """The issue's case: «Отказать» → «Другая причина…», the coordinator sends a command,
    the bot restarts, then «Спасибо, всё понятно» — nobody is rejected with it; the
    coordinator is told where they were and «Продолжить» asks for the reason again."""
    from tests.builders import register

    world = await restartable(load=True)
    await register(world)
    coord = world.person(COORD_MOSCOW, "Ольга")
    await coord.send("/queue")
    await coord.press(NAME)
    await coord.press("Отказать")
    assert "Напишите причину отказа" in await coord.press("Другая причина")
    await coord.send("/help")

    world = await restartable()
    coord = world.person(COORD_MOSCOW, "Ольга")
    reply = await coord.send("Спасибо, всё понятно")
    assert "Вы были на шаге «причина отказа»" in reply and NOT_UNDERSTOOD not in reply
    async with world.services.ctx.sessionmaker() as s:
        assert (await s.execute(select(Participant.verification_status))).scalar_one() == "pending"
    assert "Напишите причину отказа" in await coord.press("Продолжить")
    assert "Нет подтверждающих документов" in await coord.send("Нет подтверждающих документов")
    async with world.services.ctx.sessionmaker() as s:
        assert (
            await s.execute(select(Participant.verification_status))
        ).scalar_one() == "pending"  # not before «Подтвердить»


async def test_a_person_lock_lost_mid_update_is_not_an_error() -> None:
    """Redis flushed or restarted while an update is handled: the per-person lock is gone by
    the time it is released. The update was handled; raising would hand it to the inbox to be
    handled again."""
    from aiogram.fsm.storage.base import StorageKey

    from bot.storage import redis_isolation
    from tests.conftest import needs_redis, redis_url

    needs_redis()
    isolation, redis = redis_isolation(redis_url(1))
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    try:
        async with isolation.lock(key):
            await redis.flushdb()  # the lock vanishes under the handler
        async with isolation.lock(key):  # and the next update of that person still runs
            pass
    finally:
        await redis.aclose()
