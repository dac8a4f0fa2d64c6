"""End to end (issue #12, guarantee 2): the real ``python -m bot`` process, embedded mode
(SQLite, as ``scripts/run.sh`` starts it), is killed (SIGKILL, no clean shutdown) while a
participant is being asked for their ФИО; after the restart the ФИО they send is taken as
the answer — the conversation position lives in the database (bot.storage), not in memory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from models.db import create_engine
from tests.conftest import EXAMPLE
from tests.e2ekit import Process, User, base_env, cli
from tests.fakes import FakeBotAPI

pytestmark = pytest.mark.e2e


async def _kill(process: Process) -> None:
    assert process.proc is not None and process.proc.returncode is None, process.output()
    process.proc.kill()  # SIGKILL: nothing is flushed, nothing is saved on the way out
    await process.proc.wait()


async def test_embedded_bot_killed_at_the_full_name_prompt_keeps_the_step(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    env = base_env(tmp_path, api)
    assert "загружен" in await cli(env, "load-contest", str(EXAMPLE))
    anna = User(api, 555001)

    first = await Process("bot", [sys.executable, "-m", "bot"], env, tmp_path / "bot-1.log").start()
    try:
        await anna.say("/start", "согласие на обработку персональных данных")
        await anna.press("Согласен(а) на обработку", "фамилию, имя и отчество")
    except BaseException:
        print(f"----- bot (1) output -----\n{first.output()}")
        raise
    finally:
        await _kill(first)

    # the step is in the database, its draft encrypted
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'contest.sqlite3'}")
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text("SELECT state FROM conversation_states WHERE user_id = 555001")
                )
            ).all()
    finally:
        await engine.dispose()
    assert [r.state for r in rows] == ["Form:full_name"]

    second = Process("bot", [sys.executable, "-m", "bot"], env, tmp_path / "bot-2.log")
    await second.start()
    try:
        await anna.say("Иванова Анна Петровна", "СНИЛС")  # taken as the answer to the ФИО prompt
        await anna.say("123-456-789 64", "регион")
        assert not any("Не понимаю" in t for t in api.texts_to(anna.id))
    except BaseException:
        print(f"----- bot (2) output -----\n{second.output()}")
        raise
    finally:
        await second.stop()
    assert "Иванова" not in first.output() + second.output()  # the draft is never logged
    assert "123-456-789" not in second.output()
