"""Issue #12 through the real ``python -m bot`` process and the local Bot API stand-in, as a
person on a phone would do it: two presses of one button in the same instant, «Принять» and
«Отказать» together, a command typed where the bot waits for a reason, «спасибо» after the
decision — embedded (SQLite) and on PostgreSQL + Redis with a separate worker."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.db import create_engine, create_sessionmaker
from models.tables import AuditRecord, Participant
from tests.conftest import (
    COORD_MOSCOW,
    EXAMPLE,
    PG_URL,
    needs_postgres,
    needs_redis,
)
from tests.e2ekit import Process, User, _button, _settle, base_env, cli, production_env, running
from tests.fakes import FakeBotAPI

pytestmark = pytest.mark.e2e


async def _register(api: FakeBotAPI, user_id: int, name: str, snils: str) -> User:
    p = User(api, user_id)
    await p.say("/start", "согласие на обработку персональных данных")
    await p.press("Согласен(а) на обработку", "фамилию, имя и отчество")
    await p.say(name, "СНИЛС")
    await p.say(snils, "регион")
    await p.press("г. Москва", "организацию")
    await p.press("«Арбат»", "Проверьте анкету")
    await p.press("Отправить на проверку", "На рассмотрении")
    return p


async def _journey(api: FakeBotAPI, db_url: str) -> None:
    anna = await _register(api, 555001, "Иванова Анна Петровна", "123-456-789 64")
    boris = await _register(api, 555002, "Петров Борис Ильич", "112-233-445 95")
    coord = User(api, COORD_MOSCOW)

    # «Принять» twice in the same instant, then «Принять» + a preset «Отказать» reason at once
    await coord.say("/queue", "Иванова Анна Петровна")
    await coord.press("Иванова Анна Петровна", "***-***-*** 64")
    accept = _button(api, COORD_MOSCOW, "Принять")
    await coord.press("Отказать", "Выберите причину отказа")
    reject = _button(api, COORD_MOSCOW, "Место работы")
    mark = api.mark()
    presses = [
        api.push_callback(COORD_MOSCOW, *accept),
        api.push_callback(COORD_MOSCOW, *accept),
        api.push_callback(COORD_MOSCOW, *reject),
    ]
    await anna.wait("Право на участие", mark)
    await coord.wait(
        "уже", mark
    )  # a loser is told what already happened (replies are paced 1/s per chat)
    await _settle(api, quiet=3.0)
    decisions = [t for t in api.texts_to(anna.id) if "Право на участие в конкурсе" in t]
    assert len(decisions) == 1, decisions  # one notice, whichever press won
    answered = {p["callback_query_id"] for m, p, _ in api.delivered if m == "answerCallbackQuery"}
    pressed = {u["callback_query"]["id"] for u in presses}
    assert pressed <= answered  # every press answered

    # «Другая причина…», then a command instead of the reason, then «спасибо»: nobody rejected
    await coord.say("/queue", "Петров Борис Ильич")
    await coord.press("Петров Борис Ильич", "***-***-*** 95")
    await coord.press("Отказать", "Выберите причину отказа")
    await coord.press("Другая причина", "причину отказа")
    await coord.say("/applications", "")
    await coord.say("Спасибо, всё понятно", "")
    await _settle(api)
    assert not any("Отказано" in t for t in api.texts_to(boris.id))

    # a participant at the ФИО prompt reaches /withdraw
    carl = User(api, 555003)
    await carl.say("/start", "согласие на обработку персональных данных")
    await carl.press("Согласен(а) на обработку", "фамилию, имя и отчество")
    await carl.say("/withdraw", "Отозвать согласие")

    engine = create_engine(db_url)
    try:
        sm = create_sessionmaker(engine)
        async with sm() as s:
            audits = (
                await s.execute(
                    select(func.count())
                    .select_from(AuditRecord)
                    .where(AuditRecord.action.in_(["verification.accept", "verification.reject"]))
                )
            ).scalar_one()
            statuses = dict(
                (
                    await s.execute(select(Participant.full_name, Participant.verification_status))
                ).all()
            )
    finally:
        await engine.dispose()
    assert audits == 1
    assert statuses.get("Петров Борис Ильич") == "pending"


async def test_double_presses_and_prompts_embedded(api: FakeBotAPI, tmp_path: Path) -> None:
    env = base_env(tmp_path, api)
    await cli(env, "load-contest", str(EXAMPLE))
    bot = Process("bot", [sys.executable, "-m", "bot"], env, tmp_path / "bot.log")
    async with running(bot):
        await _journey(api, f"sqlite+aiosqlite:///{tmp_path / 'data' / 'contest.sqlite3'}")


async def test_double_presses_and_prompts_postgres_redis(api: FakeBotAPI, tmp_path: Path) -> None:
    needs_postgres()
    needs_redis()
    env = await production_env(tmp_path, api, redis_slot=3)
    await cli(env, "migrate")
    await cli(env, "load-contest", str(EXAMPLE))
    bot = Process("bot", [sys.executable, "-m", "bot"], env, tmp_path / "bot.log")
    worker = Process(
        "worker",
        [sys.executable, "-m", "dramatiq", "bot.worker", "--processes", "1", "--threads", "2"],
        env,
        tmp_path / "worker.log",
    )
    async with running(bot, worker):
        await _journey(api, PG_URL)
