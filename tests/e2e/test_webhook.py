"""Webhook mode (issue 8, item 3): the secret header is checked, an update is acknowledged
only after its handler ran, and one user's updates are handled one at a time across two
bot instances sharing Redis — in process (aiohttp test servers) and as two real
``python -m bot`` processes behind the local Bot API stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Dispatcher, Router
from aiogram.fsm.storage.memory import DisabledEventIsolation
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.methods import SendMessage
from aiogram.types import Message

from bot.app import events_isolation_for
from bot.webhook import WebhookMisconfigured, build_app, check_settings, public_url
from models.settings import Settings
from tests.conftest import EXAMPLE, REDIS_URL, needs_redis
from tests.conftest import redis_url as own_redis
from tests.e2ekit import HEADER, PATH, SECRET, TOKEN, client_for
from tests.fakes import FakeBotAPI, FakeTelegramSession, make_bot
from tests.fakes.updates import callback_update_json, message_update_json
from tests.webappkit import sign_init_data

_update_ids = itertools.count(700_000)


def redis_url() -> str:
    assert REDIS_URL
    url = own_redis(4)
    assert url is not None
    return url


async def flush_redis() -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(redis_url())
    await client.flushdb()
    await client.aclose()


def update(user_id: int, text: str) -> dict[str, Any]:
    return message_update_json(user_id, text, update_id=next(_update_ids))


# ------------------------------------------------------------------------------ settings


def test_webhook_mode_refuses_to_start_without_redis_or_secret() -> None:
    base = {"webhook_url": "https://bot.example.ru", "_env_file": None}
    with pytest.raises(WebhookMisconfigured, match="REDIS_URL"):
        check_settings(Settings(**base, redis_url=None, webhook_secret=SECRET))  # type: ignore[arg-type]
    with pytest.raises(WebhookMisconfigured, match="WEBHOOK_SECRET"):
        check_settings(Settings(**base, redis_url="redis://r:6379/0"))  # type: ignore[arg-type]
    with pytest.raises(WebhookMisconfigured, match="только латинские"):
        check_settings(Settings(**base, redis_url="redis://r/0", webhook_secret="пароль"))  # type: ignore[arg-type]
    with pytest.raises(WebhookMisconfigured, match="WEBHOOK_URL"):
        check_settings(
            Settings(
                webhook_url="bot.example.ru/x",
                redis_url="redis://r/0",
                webhook_secret=SECRET,
                _env_file=None,
            )
        )  # type: ignore[call-arg]
    with pytest.raises(
        WebhookMisconfigured, match="WEBHOOK_SECRET"
    ):  # compose passes "" when unset
        check_settings(Settings(**base, redis_url="redis://r/0", webhook_secret=""))  # type: ignore[arg-type]
    with pytest.raises(WebhookMisconfigured, match="WEBHOOK_URL"):  # compose's placeholder
        check_settings(
            Settings(
                webhook_url="not-set",
                redis_url="redis://r/0",
                webhook_secret=SECRET,
                _env_file=None,
            )
        )  # type: ignore[call-arg]
    ok = Settings(**base, redis_url="redis://r/0", webhook_secret=SECRET)  # type: ignore[arg-type]
    check_settings(ok)
    assert public_url(ok) == "https://bot.example.ru/telegram/webhook"
    assert SECRET not in repr(ok) and SECRET not in str(ok.model_dump())


# -------------------------------------------------------- (a) in process, real dispatcher


async def test_secret_is_checked_and_update_acknowledged_after_its_reply(world) -> None:  # type: ignore[no-untyped-def]
    session: FakeTelegramSession = world.session

    def replies(user_id: int) -> int:
        return sum(
            1
            for r in session.requests
            if isinstance(r, SendMessage) and str(r.chat_id) == str(user_id)
        )

    app = build_app(world.dp, world.bot, secret=SECRET, path=PATH)
    at_response: list[int] = []

    async def on_prepare(
        request: aiohttp.web.Request, response: aiohttp.web.StreamResponse
    ) -> None:
        at_response.append(replies(555001))  # what had been sent when the answer went out

    app.on_response_prepare.append(on_prepare)
    async with client_for(app) as client:
        for headers in ({HEADER: "wrong"}, {}, {HEADER: SECRET + "x"}):
            resp = await client.post(PATH, json=update(555001, "/start"), headers=headers)
            assert resp.status == 401
        assert replies(555001) == 0 and not session.requests  # never reached a handler

        resp = await client.post(PATH, json=update(555001, "/start"), headers={HEADER: SECRET})
        assert resp.status == 200
        # every reply had been sent before Telegram got its 200
        assert at_response[-1] == replies(555001) >= 1
        assert "согласие на обработку персональных данных" in session.sent_texts(555001)[-1]


# ------------------------------------------- (b) two instances, one Redis: per-user isolation


def instance(
    storage: RedisStorage,
    intervals: list[tuple[int, str, float, float]],
    name: str,
    *,
    isolate: bool = True,
) -> aiohttp.web.Application:
    """One bot instance: its own dispatcher (storage and isolation as bot.app builds them)
    with a test-only handler that takes 0.2 s and records when it ran."""
    isolation = events_isolation_for(storage) if isolate else DisabledEventIsolation()
    assert isolation is not None
    dp = Dispatcher(storage=storage, events_isolation=isolation)
    router = Router(name=f"slow-{name}")

    @router.message()
    async def slow(message: Message) -> None:
        start = time.monotonic()
        await asyncio.sleep(0.2)
        assert message.from_user is not None
        intervals.append((message.from_user.id, name, start, time.monotonic()))

    dp.include_router(router)
    return build_app(dp, make_bot(FakeTelegramSession()), secret=SECRET, path=PATH)


def overlaps(a: tuple[int, str, float, float], b: tuple[int, str, float, float]) -> bool:
    return a[2] < b[3] and b[2] < a[3]


@pytest.mark.redis
@pytest.mark.parametrize("isolate", [True, False], ids=["redis-isolation", "control-without"])
async def test_two_instances_handle_one_users_updates_one_at_a_time(isolate: bool) -> None:
    needs_redis()
    await flush_redis()
    intervals: list[tuple[int, str, float, float]] = []
    stores = [RedisStorage.from_url(redis_url()), RedisStorage.from_url(redis_url())]
    try:
        apps = [
            instance(stores[0], intervals, "A", isolate=isolate),
            instance(stores[1], intervals, "B", isolate=isolate),
        ]
        async with client_for(apps[0]) as a, client_for(apps[1]) as b:
            posts = [
                (a, b)[i % 2].post(
                    PATH, json=update(user, f"сообщение {i}"), headers={HEADER: SECRET}
                )
                for i in range(4)
                for user in (610001, 610002)
            ]
            responses = await asyncio.gather(*posts)
            assert all(r.status == 200 for r in responses)
    finally:
        for s in stores:
            await s.close()
    assert len(intervals) == 8
    assert {name for _, name, *_ in intervals} == {"A", "B"}
    same_user = [
        (x, y) for x, y in itertools.combinations(intervals, 2) if x[0] == y[0] and overlaps(x, y)
    ]
    other_users = [
        (x, y) for x, y in itertools.combinations(intervals, 2) if x[0] != y[0] and overlaps(x, y)
    ]
    assert other_users  # different people are handled at the same time
    if isolate:
        assert not same_user, same_user
    else:
        assert same_user  # the test can see a double handling when nothing prevents it


# ------------------------------------- two real `python -m bot` processes in webhook mode


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_port(port: int, proc: Any, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.proc is not None and proc.proc.returncode is not None:
            raise AssertionError(f"{proc.name} exited:\n{proc.output()}")
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{proc.name} is not listening on {port}:\n{proc.output()}")


@pytest.mark.e2e
@pytest.mark.redis
async def test_two_bot_processes_in_webhook_mode_share_the_conversation(tmp_path: Path) -> None:
    from tests.e2ekit import Process, base_env, cli

    needs_redis()
    await flush_redis()
    async with FakeBotAPI() as api, aiohttp.ClientSession() as http:
        env = base_env(tmp_path, api)
        # no Redis: refused before anything starts, in Russian
        refused = dict(env, WEBHOOK_URL="https://bot.example.ru", WEBHOOK_SECRET=SECRET)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            env=refused,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[2],
        )
        out, _ = await proc.communicate()
        assert proc.returncode != 0 and "требует Redis" in out.decode(), out.decode()
        assert not api.calls("setWebhook")

        await cli(env, "load-contest", str(EXAMPLE))
        ports = [free_port(), free_port()]
        procs = []
        for name, port in zip("AB", ports, strict=True):
            penv = dict(
                env,
                REDIS_URL=redis_url(),
                WEBHOOK_URL="https://bot.example.ru/",
                WEBHOOK_SECRET=SECRET,
                WEBHOOK_HOST="127.0.0.1",
                WEBHOOK_PORT=str(port),
                EMBEDDED_WORKER="false",
                METRICS_PORT="0",
                WEBAPP_URL="https://bot.example.ru",  # the Mini App beside the webhook (#16)
            )
            procs.append(
                Process(name, [sys.executable, "-m", "bot"], penv, tmp_path / f"bot-{name}.log")
            )
        try:
            for p in procs:
                await p.start()
            for p, port in zip(procs, ports, strict=True):
                await wait_port(port, p)
            for _ in range(100):
                if len(api.calls("setWebhook")) == 2:
                    break
                await asyncio.sleep(0.1)
            calls = api.calls("setWebhook")
            assert len(calls) == 2 and not api.calls("getUpdates")
            for c in calls:
                assert c["url"] == "https://bot.example.ru/telegram/webhook"
                assert c["secret_token"] == SECRET
                assert {"message", "callback_query"} <= set(c["allowed_updates"])
                assert c.get("drop_pending_updates") in (False, None)

            async def post(port: int, body: dict[str, Any], secret: str = SECRET) -> int:
                url = f"http://127.0.0.1:{port}{PATH}"
                async with http.post(url, json=body, headers={HEADER: secret}) as resp:
                    return resp.status

            user = 620001
            assert await post(ports[0], update(user, "/start"), secret="wrong") == 401
            assert not api.messages_to(user)
            # /start on A; acknowledged only after the reply went out
            assert await post(ports[0], update(user, "/start")) == 200
            consent = next(
                p for p in reversed(api.messages_to(user)) if "согласие" in (p.get("text") or "")
            )
            sent = next(r for m, p, r in reversed(api.delivered) if p is consent)
            data = next(d for label, d in api.buttons(sent) if "Согласен(а) на обработку" in label)
            # the button pressed on B: B reads the conversation A left in Redis
            press = callback_update_json(
                user,
                data or "",
                message_id=sent["message_id"],
                message_text=sent.get("text", ""),
                reply_markup=sent.get("reply_markup"),
                update_id=next(_update_ids),
            )
            assert await post(ports[1], press) == 200
            assert "фамилию, имя и отчество" in api.texts_to(user)[-1]
            assert await post(ports[0], update(user, "Иванова Анна Петровна")) == 200
            assert "СНИЛС" in api.texts_to(user)[-1]
            # issue #16: the Mini App's page and API on the webhook's own port; the API asks
            # for Telegram's signed initData (401 without it; the session with it)
            async with http.get(f"http://127.0.0.1:{ports[1]}/webapp/") as resp:
                assert resp.status == 200 and "<html" in await resp.text()
            api_url = f"http://127.0.0.1:{ports[1]}/webapp/api/session"
            async with http.get(api_url) as resp:
                assert resp.status == 401 and "Доступ запрещён" in (await resp.json())["message"]
            signed = {"Authorization": "tma " + sign_init_data(TOKEN, 100004)}
            async with http.get(api_url, headers=signed) as resp:
                body = await resp.json()
                assert resp.status == 200 and body["user"]["id"] == 100004, body
        except BaseException:
            for p in procs:
                print(f"----- {p.name} output -----\n{p.output()}")
            raise
        finally:
            codes = [await p.stop() for p in procs]
        assert codes == [0, 0], [p.output() for p in procs]
        assert SECRET not in procs[0].output() + procs[1].output()
