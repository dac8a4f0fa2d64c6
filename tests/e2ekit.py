"""The end-to-end kit: the real ``python -m bot`` and worker processes on PostgreSQL and
Redis against the local Bot API stand-in, a user of it, and the webhook client."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient, TestServer

from models.crypto import PersonalDataCipher
from tests.conftest import PG_URL, ROOT, redis_url, reset_postgres
from tests.fakes import FakeBotAPI

# --------------------------------------------------------------------------- the real processes


TOKEN = "4242:e2e-test-token"


WAIT = 60.0


class Process:
    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.args, self.env, self.log = name, args, env, log
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> Process:
        fh = self.log.open("wb")
        self.proc = await asyncio.create_subprocess_exec(
            *self.args, env=self.env, cwd=ROOT, stdout=fh, stderr=asyncio.subprocess.STDOUT
        )
        fh.close()
        return self

    async def stop(self) -> int | None:
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


async def cli(env: dict[str, str], *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0, out.decode()
    return out.decode()


class User:
    """A person writing to the real bot process through the stand-in."""

    def __init__(self, api: FakeBotAPI, user_id: int) -> None:
        self.api, self.id = api, user_id

    def _to_me(self, expect: str):  # type: ignore[no-untyped-def]
        return lambda p: str(p.get("chat_id")) == str(self.id) and expect in (p.get("text") or "")

    async def wait(self, expect: str, since: int = 0) -> dict[str, Any]:
        return await self.api.wait_for(self._to_me(expect), WAIT, since=since)

    async def say(self, text: str | None, expect: str, **media: Any) -> dict[str, Any]:
        mark = self.api.mark()
        self.api.push_message(self.id, text, **media)
        return await self.wait(expect, mark)

    def _button(self, label: str) -> tuple[str, int] | None:
        for _method, params, result in reversed(self.api.delivered):
            if str(params.get("chat_id")) != str(self.id) or not isinstance(result, dict):
                continue
            for text, data in self.api.buttons(result):
                if label in text and data:
                    return data, result["message_id"]
        return None

    async def press(self, label: str, expect: str) -> dict[str, Any]:
        """Press the newest button with ``label`` (waiting for it: the bot may still be
        sending the message that carries it)."""
        for _ in range(int(WAIT * 10)):
            found = self._button(label)
            if found is not None:
                mark = self.api.mark()
                self.api.push_callback(self.id, *found)
                return await self.wait(expect, mark)
            await asyncio.sleep(0.1)
        raise AssertionError(f"no button {label!r} for {self.id}")


def base_env(tmp_path: Path, api: FakeBotAPI) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "PD_ENCRYPTION_KEY", "BOT_TOKEN", "ADMIN_IDS"}
    }
    env.update(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api.url,
        DATA_DIR=str(tmp_path / "data"),
        FILES_DIR=str(tmp_path / "files"),
        ADMIN_IDS="900001",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


async def production_env(tmp_path: Path, api: FakeBotAPI, redis_slot: int) -> dict[str, str]:
    """The environment of the production shape — PostgreSQL (emptied) and this worker's own
    Redis database ``redis_slot`` (flushed) — for the real processes."""
    assert PG_URL is not None
    url = redis_url(redis_slot)
    assert url is not None
    await reset_postgres(PG_URL)
    client = aioredis.from_url(url)
    await client.flushdb()
    await client.aclose()
    env = base_env(tmp_path, api)
    env.update(
        DATABASE_URL=PG_URL, REDIS_URL=url, PD_ENCRYPTION_KEY=PersonalDataCipher.generate_key()
    )
    return env


@contextlib.asynccontextmanager
async def running(*procs: Process) -> AsyncIterator[None]:
    started = [await p.start() for p in procs]
    try:
        yield
    except BaseException:
        for p in started:
            print(f"----- {p.name} output -----\n{p.output()}")
        raise
    finally:
        for p in reversed(started):
            await p.stop()


# --------------------------------------------------------------------------- buttons and settling


def _button(api: FakeBotAPI, user_id: int, label: str) -> tuple[str, int]:
    found = User(api, user_id)._button(label)
    assert found is not None, f"no button {label!r}"
    return found


async def _settle(api: FakeBotAPI, quiet: float = 3.0, longest: float = 30.0) -> None:
    """Wait until the process (and its worker) has sent nothing for ``quiet`` seconds: replies
    are paced at 1/s per chat, so a short pause proves nothing."""
    last, still = api.mark(), 0.0
    for _ in range(int(longest * 10)):
        await asyncio.sleep(0.1)
        now = api.mark()
        still = still + 0.1 if now == last else 0.0
        last = now
        if still >= quiet:
            return


# --------------------------------------------------------------------------- the webhook client


SECRET = "s3cret-token_for-tests"


PATH = "/telegram/webhook"


HEADER = "X-Telegram-Bot-Api-Secret-Token"


@contextlib.asynccontextmanager
async def client_for(app: aiohttp.web.Application) -> AsyncIterator[TestClient]:
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
