"""End to end (issue #13, items 1 and 5): the real ``python -m bot`` process, embedded mode
(SQLite, as ``scripts/run.sh`` starts it), behind the local Bot API stand-in.

* killed with SIGKILL the moment Telegram has been told a press arrived (the bot's next
  ``getUpdates`` carries an offset past it) — «Отправить на проверку», then a coordinator's
  «Принять» — and started again: the press takes effect exactly once (R-VER-3), never lost,
  never twice. aiogram's own polling confirmed the update before handling it: this lost it.
* a second ``python -m bot`` on the same DATA_DIR (same token) refuses to start, in Russian.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.db import create_engine, create_sessionmaker
from models.tables import AuditRecord, InboxUpdate, Participant
from tests.conftest import COORD_MOSCOW, EXAMPLE
from tests.e2ekit import Process, User, _button, _settle, base_env, cli
from tests.fakes import FakeBotAPI

pytestmark = pytest.mark.e2e


async def _kill_once_confirmed(api: FakeBotAPI, process: Process, update_id: int) -> None:
    """SIGKILL the bot as soon as it asks for updates past ``update_id`` (Telegram forgets it)."""
    for _ in range(30_000):
        if any(
            m.lower() == "getupdates" and int(p.get("offset") or 0) > update_id
            for m, p in api.requests
        ):
            break
        await asyncio.sleep(0.002)
    else:
        raise AssertionError("the bot never confirmed the update")
    assert process.proc is not None and process.proc.returncode is None, process.output()
    process.proc.kill()
    await process.proc.wait()


async def _db_counts(db_url: str, action: str) -> tuple[int, str | None, int]:
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s:
            audits = (
                await s.execute(
                    select(func.count())
                    .select_from(AuditRecord)
                    .where(AuditRecord.action == action)
                )
            ).scalar_one()
            status = (await s.execute(select(Participant.verification_status))).scalar_one_or_none()
            unhandled = (
                await s.execute(
                    select(func.count())
                    .select_from(InboxUpdate)
                    .where(InboxUpdate.handled_at.is_(None))
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    return audits, status, unhandled


async def _wait_status(
    db_url: str, action: str, status: str, seconds: float = 60
) -> tuple[int, str | None, int]:
    counts = await _db_counts(db_url, action)
    for _ in range(int(seconds * 4)):
        if counts[1] == status and counts[2] == 0:
            break
        await asyncio.sleep(0.25)
        counts = await _db_counts(db_url, action)
    return counts


async def test_killed_right_after_a_press_the_press_takes_effect_exactly_once(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    env = base_env(tmp_path, api)
    env["METRICS_PORT"] = "0"
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'contest.sqlite3'}"
    assert "загружен" in await cli(env, "load-contest", str(EXAMPLE))
    anna, coord = User(api, 555001), User(api, COORD_MOSCOW)
    logs: list[Process] = []

    async def start(n: int) -> Process:
        p = await Process(
            "bot", [sys.executable, "-m", "bot"], env, tmp_path / f"bot-{n}.log"
        ).start()
        logs.append(p)
        return p

    try:
        bot = await start(1)
        await anna.say("/start", "согласие на обработку персональных данных")
        await anna.press("Согласен(а) на обработку", "фамилию, имя и отчество")
        await anna.say("Иванова Анна Петровна", "СНИЛС")
        await anna.say("123-456-789 64", "регион")
        await anna.press("г. Москва", "организацию")
        await anna.press("«Арбат»", "Проверьте анкету")

        # «Отправить на проверку» … kill -9 the moment Telegram has been told it arrived
        sent = api.push_callback(anna.id, *_button(api, anna.id, "Отправить на проверку"))
        await _kill_once_confirmed(api, bot, sent["update_id"])
        bot = await start(2)
        audits, status, unhandled = await _wait_status(db_url, "verification.submit", "pending")
        assert (audits, status, unhandled) == (1, "pending", 0), bot.output()
        await anna.wait("На рассмотрении")
        await _settle(api)
        notices = sum("На рассмотрении" in t for t in api.texts_to(anna.id))
        assert 1 <= notices <= 2  # the reply may be repeated if the kill fell after the commit

        # a coordinator's «Принять» … kill -9 again
        await coord.say("/queue", "Иванова Анна Петровна")
        await coord.press("Иванова Анна Петровна", "***-***-*** 64")
        accepted = api.push_callback(COORD_MOSCOW, *_button(api, COORD_MOSCOW, "Принять"))
        await _kill_once_confirmed(api, bot, accepted["update_id"])
        bot = await start(3)
        audits, status, unhandled = await _wait_status(db_url, "verification.accept", "accepted")
        assert (audits, status, unhandled) == (1, "accepted", 0), bot.output()
        await anna.wait("Подтверждено")  # from the outbox, once
        await _settle(api)
        assert sum("Подтверждено" in t for t in api.texts_to(anna.id)) == 1
        await bot.stop()
    except BaseException:
        for p in logs:
            print(f"----- {p.log.name} -----\n{p.output()}")
        raise
    finally:
        for p in logs:
            if p.proc is not None and p.proc.returncode is None:
                p.proc.kill()
                await p.proc.wait()
    assert "Иванова" not in "".join(p.output() for p in logs)  # the inbox never logs an update


async def test_a_second_poller_on_the_same_data_dir_refuses_to_start(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    env = base_env(tmp_path, api)
    env["METRICS_PORT"] = "0"
    await cli(env, "load-contest", str(EXAMPLE))
    first = await Process("bot", [sys.executable, "-m", "bot"], env, tmp_path / "bot-1.log").start()
    second = Process("bot", [sys.executable, "-m", "bot"], env, tmp_path / "bot-2.log")
    try:
        await User(api, 555001).say("/start", "согласие")  # the first one polls
        await second.start()
        assert second.proc is not None
        code = await asyncio.wait_for(second.proc.wait(), 60)
        out = second.output()
        assert code != 0, out
        assert "другой процесс" in out and "уже получает обновления" in out, out
        assert "Traceback" not in out, out
        # the first one still answers, alone
        await User(api, 555002).say("/start", "согласие")
        assert first.proc is not None and first.proc.returncode is None
    except BaseException:
        print(f"----- first -----\n{first.output()}\n----- second -----\n{second.output()}")
        raise
    finally:
        await first.stop()
        if second.proc is not None and second.proc.returncode is None:
            second.proc.kill()
