"""The send gate: at most SEND_RATE messages a second overall and one a second per chat,
shared by every process through Redis; a 429 pauses everyone. Replies (``interactive``) go
ahead of the outbox (``bulk``) under the same budget (issue #13 §3)."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import threading
import time
import uuid

import pytest

from notifications.ratelimit import (
    INTERACTIVE_RESERVE,
    MARGIN,
    MemoryPacer,
    Priority,
    RedisPacer,
    SendGate,
)
from tests.conftest import REDIS_URL, needs_redis

BULK, INTERACTIVE = Priority.BULK, Priority.INTERACTIVE


async def timed(coro) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    await coro
    return time.monotonic() - started


def _redis_gate(rate: int, prefix: str) -> SendGate:
    assert REDIS_URL
    return SendGate(RedisPacer(REDIS_URL, prefix=prefix), rate)


@pytest.fixture(params=["memory", "redis"])
async def gate_factory(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Gates on one budget: in memory, or in Redis under a prefix of this test's own."""
    made: list[SendGate] = []
    pacer = MemoryPacer()
    prefix = f"test-gate:{uuid.uuid4().hex}:"
    if request.param == "redis":
        needs_redis()

    def make(rate: int) -> SendGate:
        gate = _redis_gate(rate, prefix) if request.param == "redis" else SendGate(pacer, rate)
        made.append(gate)
        return gate

    yield make
    for gate in made:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(gate.close(), 5)


async def test_one_message_a_second_per_chat(gate_factory) -> None:  # type: ignore[no-untyped-def]
    gate = gate_factory(100)
    elapsed = await timed(asyncio.gather(*(gate.wait_turn(42) for _ in range(3))))
    assert elapsed >= 1.95  # the 2nd waits 1 s, the 3rd 2 s


async def test_overall_rate(gate_factory) -> None:  # type: ignore[no-untyped-def]
    gate = gate_factory(20)
    elapsed = await timed(
        asyncio.gather(*(gate.wait_turn(1000 + i, INTERACTIVE) for i in range(50)))
    )
    assert 2.3 <= elapsed < 4  # paced at 98 % of 20/s: the 50th slot at 49 / 19.6 ≈ 2.5 s


@pytest.fixture
async def redis_gates():  # type: ignore[no-untyped-def]
    """Gates of two worker processes sharing one Redis (in memory a budget is per process by
    design: the embedded mode has one process)."""
    needs_redis()
    prefix = f"test-gate:{uuid.uuid4().hex}:"
    gates = [_redis_gate(20, prefix), _redis_gate(20, prefix)]
    yield gates
    for gate in gates:
        await gate.close()


async def test_two_processes_share_one_budget(redis_gates) -> None:  # type: ignore[no-untyped-def]
    a, b = redis_gates  # two workers, one Redis
    elapsed = await timed(
        asyncio.gather(
            *(a.wait_turn(2000 + i) for i in range(25)), *(b.wait_turn(3000 + i) for i in range(25))
        )
    )
    assert elapsed >= 1.9  # 50 sends at 20/s overall, not 20/s each


async def test_a_429_pauses_the_sender(gate_factory) -> None:  # type: ignore[no-untyped-def]
    gate = gate_factory(100)
    await gate.pause(1.0)
    assert await timed(gate.wait_turn(77)) >= 0.9
    await gate.pause(1.0)
    assert await timed(gate.wait_turn(78, INTERACTIVE)) >= 0.9  # replies too


async def test_a_429_pauses_every_process(redis_gates) -> None:  # type: ignore[no-untyped-def]
    a, b = redis_gates
    await a.pause(1.0)
    assert await timed(b.wait_turn(78)) >= 0.9  # the other worker process waits too


# ------------------------------------------------------------------ priority (issue #13 §3)


class Load:
    """Bulk senders that keep the gate saturated (each: wait for a turn, "send", again),
    recording when each send was let through."""

    def __init__(self, gate: SendGate, senders: int, first_chat: int = 10_000) -> None:
        self.gate = gate
        self.sent: list[float] = []
        self._chats = iter(range(first_chat, first_chat + 1_000_000))
        self._tasks = [asyncio.create_task(self._sender()) for _ in range(senders)]

    async def _sender(self) -> None:
        while True:
            await self.gate.wait_turn(next(self._chats), BULK)
            self.sent.append(time.monotonic())

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        # a sender cancelled inside a Redis call may not settle at once (redis-py's asyncio
        # client); the test's figures are taken already — do not wait on it for ever
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*self._tasks, return_exceptions=True), 10)


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        best = max(best, i - j + 1)
    return best


async def test_a_reply_is_not_queued_behind_a_saturating_broadcast(gate_factory) -> None:  # type: ignore[no-untyped-def]
    """40 bulk senders (more than the rate can serve) keep the gate busy; replies to 10
    people arriving one by one each get a slot within a couple of intervals, while a bulk
    sender's turn takes far longer."""
    gate = gate_factory(20)  # one slot every 51 ms
    load = Load(gate, senders=40)
    await asyncio.sleep(1.0)
    waits = []
    for i in range(10):
        waits.append(await timed(gate.wait_turn(500 + i, INTERACTIVE)))
        await asyncio.sleep(0.1)
    # a newcomer of the bulk class, by contrast, queues behind the 40 (64 ms each)
    bulk_wait = await timed(gate.wait_turn(999, BULK))
    await load.stop()
    assert statistics.median(waits) < 0.2, waits
    assert max(waits) < 0.4, waits
    assert bulk_wait > 1.0, bulk_wait


async def test_a_burst_of_replies_takes_the_whole_rate_and_bulk_yields(gate_factory) -> None:  # type: ignore[no-untyped-def]
    gate = gate_factory(20)
    load = Load(gate, senders=20)
    await asyncio.sleep(0.8)
    started = time.monotonic()
    burst = await timed(asyncio.gather(*(gate.wait_turn(600 + i, INTERACTIVE) for i in range(30))))
    ended = started + burst
    await asyncio.sleep(0.8)
    await load.stop()
    # 30 replies at the full 19.6/s: ~1.5 s (plus at most the slot or two bulk had booked)
    assert burst < 2.0, burst
    during = [t for t in load.sent if started + 0.15 < t < ended - 0.05]
    assert len(during) <= 1, f"{len(during)} bulk sends during the burst of replies"
    assert any(t > ended for t in load.sent)  # and bulk goes on afterwards


async def test_bulk_alone_leaves_a_share_to_replies(gate_factory) -> None:  # type: ignore[no-untyped-def]
    gate = gate_factory(20)
    load = Load(gate, senders=20)
    await asyncio.sleep(0.5)
    t0 = time.monotonic()
    n0 = len(load.sent)
    await asyncio.sleep(2.0)
    rate = (len(load.sent) - n0) / (time.monotonic() - t0)
    await load.stop()
    share = 20 * MARGIN * (1 - INTERACTIVE_RESERVE)  # 14.9/s
    assert share * 0.85 <= rate <= share + 1, rate


async def test_together_never_above_the_rate(gate_factory) -> None:  # type: ignore[no-untyped-def]
    """Bulk at its share and replies arriving in bursts and one by one: in no second do the
    sends let through exceed SEND_RATE."""
    gate = gate_factory(20)
    load = Load(gate, senders=30)
    replies: list[float] = []

    async def reply(chat: int) -> None:
        await gate.wait_turn(chat, INTERACTIVE)
        replies.append(time.monotonic())

    await asyncio.sleep(0.5)
    await asyncio.gather(*(reply(700 + i) for i in range(15)))
    for i in range(10):
        await reply(800 + i)
        await asyncio.sleep(0.07)
    await asyncio.gather(*(reply(900 + i) for i in range(25)))
    await asyncio.sleep(0.5)
    await load.stop()
    assert busiest_second(load.sent + replies) <= 20
    assert len(replies) == 50


async def test_the_chat_limit_holds_across_classes(gate_factory) -> None:  # type: ignore[no-untyped-def]
    """A reminder and replies share the person's schedule: a reply may run up to two
    messages ahead of it (a press's «Сохранено» and the next question go at once), the
    outbox never does."""
    gate = gate_factory(100)
    assert await timed(gate.wait_turn(4242, BULK)) < 0.5
    assert await timed(gate.wait_turn(4242, INTERACTIVE)) < 0.5
    assert await timed(gate.wait_turn(4242, BULK)) >= 0.9


async def test_replies_to_one_person_burst_three_then_one_a_second(gate_factory) -> None:  # type: ignore[no-untyped-def]
    gate = gate_factory(100)
    burst = await timed(asyncio.gather(*(gate.wait_turn(777, INTERACTIVE) for _ in range(3))))
    assert burst < 0.5
    assert await timed(gate.wait_turn(777, INTERACTIVE)) >= 0.9  # the fourth keeps to ~1/s


async def test_an_inline_message_counts_overall_only(gate_factory) -> None:  # type: ignore[no-untyped-def]
    gate = gate_factory(100)
    elapsed = await timed(asyncio.gather(*(gate.wait_turn(None, INTERACTIVE) for _ in range(3))))
    assert elapsed < 0.5


def test_the_embedded_bot_and_worker_share_one_budget() -> None:
    """In memory, SendGate.shared gives the bot's replies and the in-process worker (another
    thread, another event loop) the same numbers."""
    a, b = SendGate.shared(None, 7), SendGate.shared(None, 7)
    assert a._pacer is b._pacer
    assert SendGate.shared(None, 8)._pacer is not a._pacer

    # two threads, two loops, one chat: the chat's second holds across them
    stamps: list[float] = []

    def send_from_thread(gate: SendGate) -> None:
        async def go() -> None:
            await gate.wait_turn(31337, BULK)
            stamps.append(time.monotonic())

        asyncio.run(go())

    threads = [threading.Thread(target=send_from_thread, args=(g,)) for g in (a, b)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert abs(stamps[0] - stamps[1]) >= 0.9
