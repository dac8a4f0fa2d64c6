"""Delivery under faults, against real PostgreSQL and Redis with separate ``dramatiq`` worker
processes and the local Bot API stand-in counting what arrives:

* a worker killed with SIGKILL in the middle of 1 000 sends, then a new worker;
* Redis loses everything (FLUSHDB of the stack's own database) while reminders wait in the
  queue;
* the stand-in answers 429 with ``retry_after`` for a while.

Every figure is printed (``pytest -s``) — sent, duplicated, lost."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy import func, insert, select

from models.clock import SystemClock
from models.crypto import PersonalDataCipher
from models.db import create_engine, create_sessionmaker
from models.services import ServiceContext, Services
from models.tables import Delivery
from notifications.sweep import sweep
from tests.conftest import EXAMPLE, PG_URL, REDIS_URL, needs_postgres, needs_redis, reset_postgres
from tests.fakes import FakeBotAPI

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
THREADS = 8
BASE_CHAT = 7_000_000


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    needs_postgres()
    needs_redis()
    await reset_postgres(PG_URL)
    # the test's own Redis database (TEST_REDIS_URL): the whole stack keeps everything there,
    # so emptying that database is Redis losing everything, without touching anybody else's
    redis_url = REDIS_URL
    broker = RedisBroker(url=redis_url)
    broker.client.flushdb()
    engine = create_engine(PG_URL)
    async with FakeBotAPI(delay_ms=30) as api:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "BOT_TOKEN"}
        }
        env.update(
            BOT_TOKEN="4242:faults-token",
            TELEGRAM_API_URL=api.url,
            DATABASE_URL=PG_URL,
            REDIS_URL=redis_url,
            PD_ENCRYPTION_KEY=PersonalDataCipher.generate_key(),
            DATA_DIR=str(tmp_path / "data"),
            SEND_RATE="300",
            REQUEUE_AFTER_SECONDS="2",
            SEND_LEASE_SECONDS="3",
            PYTHONUNBUFFERED="1",
        )
        procs: list[asyncio.subprocess.Process] = []

        async def start_worker(
            name: str, queues: tuple[str, ...] = ("deliveries",)
        ) -> asyncio.subprocess.Process:
            log = (tmp_path / f"{name}.log").open("wb")
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "dramatiq",
                "bot.worker",
                "--processes",
                "1",
                "--threads",
                str(THREADS),
                "--queues",
                *queues,
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()
            procs.append(proc)
            return proc

        def enqueue(job: str, entity_id: int) -> None:
            queue, actor = {
                "deliver": ("deliveries", "deliver"),
                "broadcast": ("broadcasts", "broadcast_progress"),
            }[job]
            broker.enqueue(
                Message(
                    queue_name=queue, actor_name=actor, args=(entity_id,), kwargs={}, options={}
                )
            )

        yield {
            "api": api,
            "engine": engine,
            "broker": broker,
            "start_worker": start_worker,
            "enqueue": enqueue,
            "procs": procs,
        }
        for proc in procs:
            if proc.returncode is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), 20)
                except TimeoutError:
                    os.killpg(proc.pid, signal.SIGKILL)
                    await proc.wait()
    broker.client.flushdb()
    broker.close()
    await engine.dispose()


async def add_deliveries(engine, n: int) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    rows = [
        dict(
            reason="fault-test",
            subject=f"t:{i}",
            recipient_chat_id=BASE_CHAT + i,
            due_at=now - timedelta(seconds=1),
            message_key="notify-verification-accepted",
            message_args={"contest": "Тест"},
            status="pending",
            attempts=0,
            created_at=now,
        )
        for i in range(n)
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(Delivery), rows)


async def count_sent(engine) -> int:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        return (
            await conn.execute(
                select(func.count()).select_from(Delivery).where(Delivery.status == "sent")
            )
        ).scalar_one()


def per_chat(api: FakeBotAPI) -> Counter[int]:
    return Counter(int(p["chat_id"]) for m, p, _ in api.delivered if m.lower() == "sendmessage")


async def wait_until(predicate, within: float, every: float = 0.2, tick=None) -> bool:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        if tick is not None:
            await tick()
        if await predicate():
            return True
        await asyncio.sleep(every)
    return False


async def sweeping(stack: dict[str, Any]) -> None:
    """The scheduler's job, run from the test: hand due and stale rows to the queue."""
    await sweep(
        create_sessionmaker(stack["engine"]),
        datetime.now(UTC),
        stack["enqueue"],
        kinds=[],
        requeue_after=timedelta(seconds=2),
    )


async def test_broadcast_survives_a_killed_worker(stack: dict[str, Any]) -> None:
    """R-COO-1: a crash resumes the broadcast where it stopped; nobody is skipped; the
    coordinator still gets the final report."""
    from models.services.broadcasts import Audience
    from models.tables import Broadcast

    api, engine = stack["api"], stack["engine"]
    ctx = ServiceContext(
        sessionmaker=create_sessionmaker(engine),
        cipher=PersonalDataCipher(PersonalDataCipher.generate_key().encode()),
        clock=SystemClock(),
        jobs=stack["enqueue"],
    )
    services = Services(ctx)
    text = EXAMPLE.read_text(encoding="utf-8").replace(": 2027-", ": 2099-")  # deadlines far ahead
    contest_id = (await services.contests.load_definition(None, text.encode())).contest_id
    n = 600
    for i in range(n):
        await services.participants.give_consent(BASE_CHAT + i, contest_id)
    federal = 100003
    draft = await services.broadcasts.create_draft(
        federal, contest_id, "Вебинар для участников — завтра в 10:00"
    )
    await services.broadcasts.set_audience(federal, draft.id, Audience())
    queues = ("deliveries", "broadcasts")
    await stack["start_worker"]("worker-1", queues)
    await services.broadcasts.start(federal, draft.id)
    await services.broadcasts.set_progress_message(
        federal, draft.id, federal, 1
    )  # as the handler does
    assert await wait_until(lambda: _gt(api, n // 3), 120), "the first worker never got going"
    proc = stack["procs"][0]
    os.killpg(proc.pid, signal.SIGKILL)
    await proc.wait()
    await stack["start_worker"]("worker-2", queues)

    async def finished() -> bool:
        async with engine.connect() as conn:
            return (
                await conn.execute(select(Broadcast.status).where(Broadcast.id == draft.id))
            ).scalar_one() == "done"

    done = await wait_until(finished, 180, every=1.0, tick=lambda: sweeping(stack))
    chats = per_chat(api)
    chats.pop(federal, None)
    _, duplicated, lost = report("broadcast kill -9", chats, {BASE_CHAT + i for i in range(n)})
    assert done and lost == 0 and duplicated <= THREADS

    async def reported() -> bool:  # sent right after the status is committed: wait for it
        return any(
            str(p.get("chat_id")) == str(federal)
            and "закончена" in (p.get("text") or p.get("caption") or "")
            for m, p, _ in api.delivered
            if m.lower() in ("sendmessage", "senddocument")
        )

    assert await wait_until(reported, 30), "the coordinator got no final report"


def report(name: str, chats: Counter[int], expected: set[int]) -> tuple[int, int, int]:
    sent = sum(chats.values())
    lost = len(expected - set(chats))
    duplicated = sum(c - 1 for c in chats.values() if c > 1)
    print(f"\n[{name}] recipients={len(expected)} sent={sent} duplicated={duplicated} lost={lost}")
    return sent, duplicated, lost


async def test_worker_killed_mid_send_then_replaced(stack: dict[str, Any]) -> None:
    api, engine = stack["api"], stack["engine"]
    n = 1000
    await add_deliveries(engine, n)
    await stack["start_worker"]("worker-1")
    await sweeping(stack)
    assert await wait_until(lambda: _gt(api, 300), 120), "the first worker never got going"
    proc = stack["procs"][0]
    os.killpg(proc.pid, signal.SIGKILL)  # no goodbye: in-flight sends stay "sending"
    await proc.wait()
    at_kill = sum(per_chat(api).values())
    await stack["start_worker"]("worker-2")
    done = await wait_until(
        lambda: _all_sent(engine, n), 180, every=1.0, tick=lambda: sweeping(stack)
    )
    chats = per_chat(api)
    _, duplicated, lost = report("kill -9", chats, {BASE_CHAT + i for i in range(n)})
    print(f"[kill -9] sent before the kill: {at_kill}")
    assert done, f"not all sent: {await count_sent(engine)}/{n}"
    assert lost == 0
    # Only a send that had reached Telegram when its worker died can be repeated: at most
    # one per thread in flight. Everything else is sent exactly once.
    assert duplicated <= THREADS


async def _gt(api: FakeBotAPI, n: int) -> bool:
    return sum(per_chat(api).values()) > n


async def _all_sent(engine, n: int) -> bool:  # type: ignore[no-untyped-def]
    return await count_sent(engine) == n


async def test_redis_flushall_while_reminders_wait(stack: dict[str, Any]) -> None:
    """R-REM-6: the broker loses its queue; the next sweeps still send every reminder once."""
    api, engine = stack["api"], stack["engine"]
    # a contest whose application deadline is three days from now: the 7-day reminder is due
    deadline = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace(
        "starts_at: 2026-12-01", f"starts_at: {(deadline - timedelta(days=60)).date()}"
    )
    text = re.sub(
        r"application_deadline: 2027-04-01", f"application_deadline: {deadline.isoformat()}", text
    )
    ctx = ServiceContext(
        sessionmaker=create_sessionmaker(engine),
        cipher=PersonalDataCipher(PersonalDataCipher.generate_key().encode()),
        clock=SystemClock(),
        jobs=lambda job, i: None,
    )
    services = Services(ctx)
    contest_id = (await services.contests.load_definition(None, text.encode())).contest_id
    n = 200
    for i in range(n):
        await services.participants.give_consent(BASE_CHAT + i, contest_id)
    report_ = await sweep(
        ctx.sessionmaker, datetime.now(UTC), stack["enqueue"], requeue_after=timedelta(seconds=2)
    )
    assert report_.created == n and report_.enqueued == n
    stack["broker"].client.flushdb()  # Redis loses everything (all the stack keeps there)
    await stack["start_worker"]("worker")
    await asyncio.sleep(8)  # the worker is up and idle: nothing carries the reminders
    assert per_chat(api) == Counter()
    done = await wait_until(
        lambda: _all_sent(engine, n), 120, every=1.0, tick=lambda: sweeping(stack)
    )
    chats = per_chat(api)
    _, duplicated, lost = report("FLUSHALL", chats, {BASE_CHAT + i for i in range(n)})
    assert done and lost == 0 and duplicated == 0
    assert all(
        "Приём заявок" in p["text"] for m, p, _ in api.delivered if m.lower() == "sendmessage"
    )


async def test_429_for_a_while_pauses_every_sender(stack: dict[str, Any]) -> None:
    api, engine = stack["api"], stack["engine"]
    n = 300
    await add_deliveries(engine, n)
    await stack["start_worker"]("worker")
    await sweeping(stack)
    assert await wait_until(lambda: _gt(api, 20), 120)
    api.throttle(seconds=2.5, retry_after=1)
    done = await wait_until(
        lambda: _all_sent(engine, n), 120, every=1.0, tick=lambda: sweeping(stack)
    )
    chats = per_chat(api)
    _, duplicated, lost = report("429", chats, {BASE_CHAT + i for i in range(n)})
    refusals = [
        t for t, m, status in api.request_log if m.lower() == "sendmessage" and status == 429
    ]
    accepted = [
        t for t, m, status in api.request_log if m.lower() == "sendmessage" and status == 200
    ]
    print(f"[429] answered 429: {len(refusals)} times while throttled")
    assert done and lost == 0 and duplicated == 0
    # The pause is honoured: each sender meets at most one 429 per retry_after round
    # (2.5 s of throttling, retry_after 1 → at most 3 rounds, +1 for timing at the edges),
    # instead of hammering on for the whole 2.5 s.
    assert 0 < len(refusals) <= 4 * THREADS
    first_refusal = refusals[0]
    assert not any(first_refusal < t < first_refusal + 0.9 for t in accepted)
