"""The bot's own replies go through the send gate (issue #13 §3): the real dispatcher over
the fake Bot API session with ``bot.send_gate.SendGateMiddleware`` installed, as
``bot.app.build_runtime`` installs it. Replies are paced per chat, a reply is not queued
behind a saturating outbox, and a 429 pauses every sender and the reply is sent again."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import (
    AnswerCallbackQuery,
    GetUpdates,
    SendChatAction,
    SendMessage,
    SetMyCommands,
)
from aiogram.methods.edit_message_text import EditMessageText

from bot.send_gate import SendGateMiddleware, is_gated, send_priority
from notifications.ratelimit import MemoryPacer, Priority, SendGate
from tests.builders import make_world


class Stamps:
    """A request middleware inside the gate: when each request reached Telegram."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, str, Any]] = []

    async def __call__(self, make_request, bot, method):  # type: ignore[no-untyped-def]
        self.seen.append(
            (time.monotonic(), method.__api_method__, getattr(method, "chat_id", None))
        )
        return await make_request(bot, method)

    def sends_to(self, chat: int) -> list[float]:
        return [t for t, name, c in self.seen if name == "sendMessage" and str(c) == str(chat)]


@pytest.fixture
async def gated(sqlite_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    async for world in make_world(sqlite_url, tmp_path):
        gate = SendGate(MemoryPacer(), rate=20)
        stamps = Stamps()
        world.bot.session.middleware(SendGateMiddleware(gate))
        world.bot.session.middleware(
            stamps
        )  # registered second: runs after the gate let it through
        yield world, gate, stamps
        await gate.close()


def test_which_requests_are_gated() -> None:
    assert is_gated(SendMessage(chat_id=1, text="x"))
    assert is_gated(EditMessageText(chat_id=1, message_id=2, text="x"))
    for method in (
        AnswerCallbackQuery(callback_query_id="1"),
        GetUpdates(),
        SetMyCommands(commands=[]),
        SendChatAction(chat_id=1, action="typing"),
    ):
        assert not is_gated(method), method


async def test_replies_to_one_person_burst_then_a_second_apart(gated) -> None:  # type: ignore[no-untyped-def]
    world, _, stamps = gated
    p = world.person(710001, "Анна")
    for command in ("/start", "/help", "/start", "/help", "/status", "/help"):
        assert await p.send(command)
    sends = stamps.sends_to(710001)
    assert len(sends) >= 6
    # a short burst goes at once (Telegram tolerates it), then about one a second per chat
    assert sends[2] - sends[0] < 0.5
    assert sends[5] - sends[0] >= 2.5, [round(b - sends[0], 2) for b in sends]


async def test_replies_to_many_people_are_not_held_by_each_other(gated) -> None:  # type: ignore[no-untyped-def]
    world, _, stamps = gated
    people = [world.person(720000 + i, "Анна") for i in range(8)]
    started = time.monotonic()
    replies = await asyncio.gather(*(p.send("/start") for p in people))
    assert all(replies)
    # 8 first replies at 19.6/s overall: well under a second, no per-chat wait between people
    assert time.monotonic() - started < 3.0
    firsts = sorted(stamps.sends_to(p.user_id)[0] for p in people)
    assert firsts[-1] - firsts[0] < 1.0


async def test_a_reply_goes_ahead_of_a_saturating_outbox(gated) -> None:  # type: ignore[no-untyped-def]
    """30 outbox senders keep the budget busy; a person pressing /start is answered within a
    couple of slots, not behind the queue of deliveries."""
    world, gate, stamps = gated
    chats = iter(range(9_000_000, 10_000_000))

    async def outbox_sender() -> None:
        while True:
            await gate.wait_turn(next(chats), Priority.BULK)

    load = [asyncio.create_task(outbox_sender()) for _ in range(30)]
    try:
        await asyncio.sleep(1.0)
        p = world.person(730001, "Анна")
        mark = time.monotonic()
        assert await p.send("/start")
        first = stamps.sends_to(730001)[0]
        assert first - mark < 0.5, first - mark  # the outbox's next turn is ~1.9 s away
        bulk_wait = await asyncio.wait_for(gate.wait_turn(next(chats), Priority.BULK), 10) or 0.0
        assert bulk_wait > 1.0  # a newcomer to the outbox does queue
    finally:
        for task in load:
            task.cancel()
        await asyncio.gather(*load, return_exceptions=True)


async def test_a_429_pauses_every_sender_and_the_reply_is_sent_again(gated) -> None:  # type: ignore[no-untyped-def]
    world, gate, _ = gated
    world.session.queue_error("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    p = world.person(740001, "Анна")
    reply = asyncio.create_task(p.send("/start"))
    while not any(isinstance(r, SendMessage) for r in world.session.requests):  # noqa: ASYNC110 (the 429'd request)
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    # the outbox, meanwhile, waits out the same pause
    assert await gate.wait_turn(9_999_999, Priority.BULK) >= 0.8
    await reply  # the reply was sent after the pause (/start answers in one message)
    sends = [
        r for r in world.session.requests if isinstance(r, SendMessage) and r.chat_id == 740001
    ]
    assert sends[0] is sends[1]  # the same request, sent again after the pause
    stored = [
        m["text"] for (chat, _), m in world.session.state.messages.items() if chat == "740001"
    ]
    assert sum(sends[0].text == text for text in stored) == 1  # and delivered once
    assert "согласие на обработку персональных данных" in sends[0].text


async def test_a_mass_send_from_the_bot_process_can_say_it_is_bulk(gated) -> None:  # type: ignore[no-untyped-def]
    world, gate, _ = gated
    seen: list[Priority] = []
    original = gate.wait_turn

    async def spy(chat, priority=Priority.BULK):  # type: ignore[no-untyped-def]
        seen.append(priority)
        return await original(chat, priority)

    gate.wait_turn = spy  # type: ignore[method-assign]
    await world.bot.send_message(750001, "x")
    with send_priority(Priority.BULK):
        await world.bot.send_message(750002, "y")
    assert seen == [Priority.INTERACTIVE, Priority.BULK]
