"""End to end: the real ``python -m bot`` process talks to a local HTTP stand-in of the Bot
API (``TELEGRAM_API_URL``) — once embedded (SQLite, in-process queue and worker), once with
PostgreSQL + Redis and a separate ``dramatiq`` worker process."""

from __future__ import annotations

import asyncio
import hashlib
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from models.db import create_engine, create_sessionmaker
from models.tables import ApplicationFile
from tests.conftest import (
    COORD_MOSCOW,
    EXAMPLE,
    PG_URL,
    needs_postgres,
    needs_redis,
)
from tests.e2ekit import WAIT, Process, User, base_env, cli, production_env, running
from tests.fakes import FakeBotAPI

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


async def walk_journey(api: FakeBotAPI) -> None:
    """/start → verification → approval by a coordinator → nomination → upload → submit."""
    anna, coord = User(api, 555001), User(api, COORD_MOSCOW)
    await anna.say("/start", "согласие на обработку персональных данных")
    await anna.press("Согласен(а) на обработку", "фамилию, имя и отчество")
    await anna.say("Иванова Анна Петровна", "СНИЛС")
    await anna.say("123-456-789 65", "СНИЛС введён неверно")
    await anna.say("123-456-789 64", "регион")
    await anna.press("г. Москва", "организацию")
    await anna.press("«Арбат»", "Проверьте анкету")
    await anna.press("Отправить на проверку", "На рассмотрении")
    await coord.say("/queue", "Иванова Анна Петровна")
    await coord.press("Иванова Анна Петровна", "***-***-*** 64")
    await coord.press("Принять", "Подтверждено: Иванова Анна Петровна")
    await anna.wait("Подтверждено")  # sent by the worker from the outbox
    await anna.press("Выбрать номинацию", "одну")
    await anna.press("Лучший молодой специалист", "не старше 35 лет")
    await anna.press("Выбрать эту номинацию", "дата рождения")
    await anna.say("05.03.1995", "Вы выбрали номинацию")
    for label, value in (("Должность", "Психолог"), ("Образование", "МГППУ, 2018"), ("Стаж", "6")):
        await anna.press(label, "Введите")
        await anna.say(value, "Сохранено")
    api.add_file("e2e-pdf", b"%PDF-1.7 e2e presentation")
    await anna.press("Презентация", "pdf, pptx")
    doc = {
        "file_id": "e2e-pdf",
        "file_unique_id": "u-e2e-pdf",
        "file_name": "Презентация.pdf",
        "mime_type": "application/pdf",
        "file_size": 25,
    }
    await anna.say(None, "сохранён", document=doc)
    api.add_file("e2e-vid", b"\x00\x00\x00\x18ftypmp42 e2e video")
    await anna.press("Видеопрезентация", "облачный Bot API")
    vid = {
        "file_id": "e2e-vid",
        "file_unique_id": "u-e2e-vid",
        "width": 640,
        "height": 360,
        "duration": 60,
        "file_name": "me.mp4",
        "mime_type": "video/mp4",
        "file_size": 27,
    }
    await anna.say(None, "сохранён", video=vid)
    await anna.press("Согласен(а) с Политикой", "Готово: 6 из 7")
    await anna.press("Согласен(а) на передачу", "Готово: 7 из 7")
    await anna.press("Проверить и отправить", "Согласия: даны")
    await anna.press("Отправить", "Ваша заявка принята")
    await anna.say("/status", "принята")
    # nothing shows the full СНИЛС, ever
    assert not any("123-456-789" in (p.get("text") or "") for p in api.messages_to(anna.id))


async def wait_downloaded(db_url: str, expected: dict[str, bytes], files_dir: Path) -> None:
    engine = create_engine(db_url)
    try:
        sm = create_sessionmaker(engine)
        for _ in range(int(WAIT * 4)):
            async with sm() as s:
                rows = (await s.execute(select(ApplicationFile))).scalars().all()
            if len(rows) == len(expected) and all(r.sha256 for r in rows):
                break
            await asyncio.sleep(0.25)
        by_id = {r.telegram_file_id: r for r in rows}
        for file_id, content in expected.items():
            sha = hashlib.sha256(content).hexdigest()
            assert by_id[file_id].sha256 == sha
            assert (files_dir / sha[:2] / sha).read_bytes() == content
    finally:
        await engine.dispose()


async def test_embedded_bot_process(api: FakeBotAPI, tmp_path: Path) -> None:
    env = base_env(tmp_path, api)
    out = await cli(env, "load-contest", str(EXAMPLE))
    assert "загружен" in out
    bot = Process("bot", [sys.executable, "-m", "bot"], env, tmp_path / "bot.log")
    async with running(bot):
        await walk_journey(api)
        await wait_downloaded(
            f"sqlite+aiosqlite:///{tmp_path / 'data' / 'contest.sqlite3'}",
            {
                "e2e-pdf": b"%PDF-1.7 e2e presentation",
                "e2e-vid": b"\x00\x00\x00\x18ftypmp42 e2e video",
            },
            tmp_path / "files",
        )
    assert (tmp_path / "data" / "pd.key").exists()  # generated on first run
    assert "123-456-789" not in bot.output() and "12345678964" not in bot.output()


async def test_postgres_redis_bot_and_separate_worker(api: FakeBotAPI, tmp_path: Path) -> None:
    needs_postgres()
    needs_redis()
    env = await production_env(tmp_path, api, redis_slot=2)
    assert "миграции применены" in await cli(env, "migrate")
    await cli(env, "load-contest", str(EXAMPLE))
    bot = Process("bot", [sys.executable, "-m", "bot"], env, tmp_path / "bot.log")
    worker = Process(
        "worker",
        [sys.executable, "-m", "dramatiq", "bot.worker", "--processes", "1", "--threads", "2"],
        env,
        tmp_path / "worker.log",
    )
    async with running(bot, worker):
        await walk_journey(api)
        await wait_downloaded(
            PG_URL,
            {
                "e2e-pdf": b"%PDF-1.7 e2e presentation",
                "e2e-vid": b"\x00\x00\x00\x18ftypmp42 e2e video",
            },
            tmp_path / "files",
        )
    assert (
        "embedded worker started" not in bot.output()
    )  # the work went through Redis to the worker process
    assert "123-456-789" not in bot.output() + worker.output()
