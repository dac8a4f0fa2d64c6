"""The send gate: at most SEND_RATE messages a second overall and one a second per chat,
shared by every process through Redis; a 429 pauses everyone."""

from __future__ import annotations

import asyncio
import time

import pytest

from notifications.ratelimit import SendGate
from tests.conftest import REDIS_URL, needs_redis


async def timed(coro) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    await coro
    return time.monotonic() - started


@pytest.fixture(params=["memory", "redis"])
async def gate_factory(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    made: list[SendGate] = []
    url = None
    if request.param == "redis":
        needs_redis()
        url = REDIS_URL.rsplit("/", 1)[0] + "/6"
        import redis.asyncio as aioredis

        client = aioredis.from_url(url)
        await client.flushdb()
        await client.aclose()

    def make(rate: int) -> SendGate:
        gate = SendGate.for_settings(url, rate=rate)
        made.append(gate)
        return gate

    yield make
    for gate in made:
        await gate.close()


async def test_one_message_a_second_per_chat(gate_factory) -> None:  # type: ignore[no-untyped-def]
    gate = gate_factory(100)
    elapsed = await timed(asyncio.gather(*(gate.wait_turn(42) for _ in range(3))))
    assert elapsed >= 1.95  # the 2nd waits 1 s, the 3rd 2 s


async def test_overall_rate(gate_factory) -> None:  # type: ignore[no-untyped-def]
    gate = gate_factory(20)
    elapsed = await timed(asyncio.gather(*(gate.wait_turn(1000 + i) for i in range(50))))
    assert 1.9 <= elapsed < 4  # 20 at once, 20 a second later, 10 a second after that


@pytest.fixture
async def redis_gates():  # type: ignore[no-untyped-def]
    """Gates of two worker processes sharing one Redis (in memory a budget is per process by
    design: the embedded mode has one process)."""
    needs_redis()
    import redis.asyncio as aioredis

    url = REDIS_URL.rsplit("/", 1)[0] + "/7"
    client = aioredis.from_url(url)
    await client.flushdb()
    await client.aclose()
    gates = [SendGate.for_settings(url, rate=20), SendGate.for_settings(url, rate=20)]
    yield gates
    for gate in gates:
        await gate.close()


async def test_two_processes_share_one_budget(redis_gates) -> None:  # type: ignore[no-untyped-def]
    a, b = redis_gates  # two workers, one Redis
    elapsed = await timed(
        asyncio.gather(*(a.wait_turn(2000 + i) for i in range(25)), *(b.wait_turn(3000 + i) for i in range(25)))
    )
    assert elapsed >= 1.9  # 50 sends at 20/s overall, not 20/s each


async def test_a_429_pauses_the_sender(gate_factory) -> None:  # type: ignore[no-untyped-def]
    gate = gate_factory(100)
    await gate.pause(1.0)
    assert await timed(gate.wait_turn(77)) >= 0.9


async def test_a_429_pauses_every_process(redis_gates) -> None:  # type: ignore[no-untyped-def]
    a, b = redis_gates
    await a.pause(1.0)
    assert await timed(b.wait_turn(78)) >= 0.9  # the other worker process waits too
