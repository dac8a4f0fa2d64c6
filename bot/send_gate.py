"""The bot's own replies under Telegram's limits, first in line (issue #13 §3).

Telegram's limits (about ``SEND_RATE`` messages a second in all, one a second per chat)
count everything the bot sends — a reply to a pressed button as much as a broadcast. The
outbox's senders take their turns from :class:`notifications.ratelimit.SendGate` as
``bulk``; this client-session middleware makes every message the bot process sends take
its turn from the same gate as ``interactive``: before the request, for the target chat.
Replies take the budget first (the gate's design notes), so a broadcast to 10,000 never
makes someone who just pressed a button wait behind it, and a burst of replies is paced
rather than answered with a 429 that would pause every sender.

A 429 that still comes (another bot on the token, Telegram's own counting) sets the gate's
shared pause — every sender, replies and outbox, in every process, waits ``retry_after`` —
and the request is sent again after it, a bounded number of times.

Only methods that put or change a message in a chat are gated (``send*``, ``copyMessage``,
``forwardMessage``, ``editMessage*``); ``answerCallbackQuery``, ``getUpdates``,
``getFile``, ``setMyCommands`` and the like go straight through.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from notifications.ratelimit import Priority, SendGate

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher

    from models.settings import Settings

log = logging.getLogger(__name__)

#: how many times a request answered 429 is sent again (after the pause) before the error
#: reaches the handler
RETRIES_AFTER_429 = 3

_NOT_MESSAGES = frozenset({"sendchataction"})
_OTHER_SENDS = frozenset(
    {"copymessage", "copymessages", "forwardmessage", "forwardmessages", "stoppoll"}
)

_priority: contextvars.ContextVar[Priority] = contextvars.ContextVar(
    "send_priority", default=Priority.INTERACTIVE
)


@contextmanager
def send_priority(priority: Priority) -> Iterator[None]:
    """Send under another class, e.g. ``with send_priority(Priority.BULK):`` for a mass
    send made from the bot process itself."""
    token = _priority.set(priority)
    try:
        yield
    finally:
        _priority.reset(token)


def is_gated(method: TelegramMethod[Any]) -> bool:
    """Does this request put or change a message in a chat (and so count against the limits)?"""
    name = method.__api_method__.lower()
    if name in _NOT_MESSAGES:
        return False
    return name.startswith(("send", "editmessage")) or name in _OTHER_SENDS


def target_chat(method: TelegramMethod[Any]) -> int | str | None:
    """The chat the request writes to; None for an inline message (the overall budget only)."""
    return getattr(method, "chat_id", None)


class SendGateMiddleware(BaseRequestMiddleware):
    """``bot.session.middleware(SendGateMiddleware(gate))``: every message-sending request
    waits for its turn at the gate as ``interactive`` and honours a 429 with the gate's
    shared pause."""

    def __init__(self, gate: SendGate, retries: int = RETRIES_AFTER_429) -> None:
        self.gate = gate
        self.retries = retries

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        if not is_gated(method):
            return await make_request(bot, method)
        chat = target_chat(method)
        attempt = 0
        while True:
            await self.gate.wait_turn(chat, _priority.get())
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                # every sender waits, this one included; then the same request again
                await self.gate.pause(exc.retry_after)
                attempt += 1
                log.warning(
                    "%s answered 429 (retry after %ss), attempt %d",
                    method.__api_method__,
                    exc.retry_after,
                    attempt,
                )
                if attempt > self.retries:
                    raise


def install(bot: Bot, dispatcher: Dispatcher, settings: Settings) -> SendGate:
    """Gate the bot process's replies: the process's shared gate (the embedded worker's own
    budget in memory, or Redis, where every worker's is), closed when polling stops."""
    gate = SendGate.shared(settings.redis_url, settings.send_rate)
    bot.session.middleware(SendGateMiddleware(gate))
    dispatcher.shutdown.register(gate.close)
    return gate
