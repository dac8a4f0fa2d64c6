"""Private chats only, and every odd update answered or ignored cleanly (issue #13, items 6–7).

One outer middleware on updates, run right after aiogram's own context middleware — before
the conversation storage, the language lookup and every handler touch the database:

* **Groups, supergroups, channels.** Everything the bot does shows personal data or decides
  something (R-PD-2), so nothing of it happens outside the person's private chat. A command
  in a group is answered once with a short text and a button that opens the private chat
  (``https://t.me/<bot>?start=…``) — never a name; a button pressed on a message in a group
  is answered with the same short text and changes nothing; other group chatter is ignored.
  Chat-member updates (``my_chat_member``, ``chat_member``) pass through.
* **A message without a sender** (an anonymous group admin, a channel) is ignored.
* **Numbers beyond 64 bits** — a user or chat id, a message id, a number inside callback
  data — cannot be a real Telegram object nor fit a database column: the update is ignored
  (a button press is answered, so the spinner stops) before anything reads it.
* **Unknown update types** (a newer Bot API than this aiogram) are ignored without dumping
  the update into a warning (it may carry personal data).
* **A button on a message Telegram reports as inaccessible** (``date: 0``, too old or
  deleted): aiogram gives an :class:`~aiogram.types.InaccessibleMessage`, which cannot be
  edited. It is replaced by a :class:`DetachedMessage` in the same chat whose ``edit_*``
  methods send the screen as a new message, so every handler that edits the screen it was
  pressed on works unchanged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.dispatcher.middlewares.error import ErrorsMiddleware
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import SendMessage
from aiogram.types import (
    CallbackQuery,
    Chat,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
    Update,
    User,
)
from aiogram.types.update import UpdateTypeLookupError

from bot.language import telegram_language
from notifications.i18n import t

log = logging.getLogger(__name__)

#: the largest value a signed 64-bit column (BIGINT) holds
INT64_MAX = 2**63 - 1
#: the /start payload of the «open the private chat» button (a plain /start: the handler
#: greets the person where they left off)
START_PAYLOAD = "from_group"
#: updates that are messages in some chat
_MESSAGE_KINDS = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_message",
        "edited_business_message",
    }
)
_DIGITS = re.compile(r"\d+")


class DetachedMessage(Message):
    """Stands for a message the bot can no longer see (:class:`InaccessibleMessage`): the
    chat and id are known, the content is not. Editing it sends the new screen as a new
    message in the same chat; removing its keyboard or deleting it does nothing (it is gone
    from the person's view already)."""

    def edit_text(self, text: str, **kwargs: Any) -> SendMessage:  # type: ignore[override]
        return self.answer(text, **_send_kwargs(kwargs))

    def edit_caption(self, caption: str | None = None, **kwargs: Any) -> SendMessage:  # type: ignore[override]
        return self.answer(caption or "…", **_send_kwargs(kwargs))

    def edit_reply_markup(self, *args: Any, **kwargs: Any) -> Awaitable[bool]:  # type: ignore[override]
        return _nothing()

    def delete_reply_markup(self, *args: Any, **kwargs: Any) -> Awaitable[bool]:  # type: ignore[override]
        return _nothing()

    def delete(self, *args: Any, **kwargs: Any) -> Awaitable[bool]:  # type: ignore[override]
        return _nothing()


async def _nothing() -> bool:
    return True


def _send_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    keep = ("parse_mode", "entities", "link_preview_options", "reply_markup")
    return {k: kwargs[k] for k in keep if k in kwargs}


def detach(message: InaccessibleMessage, bot: Bot | None) -> DetachedMessage:
    """The editable stand-in of an inaccessible message, in its chat."""
    return DetachedMessage(
        message_id=message.message_id, date=datetime.fromtimestamp(0, tz=UTC), chat=message.chat
    ).as_(bot)


def _too_big(*values: int | None) -> bool:
    return any(v is not None and abs(v) > INT64_MAX for v in values)


def overflows(update: Update) -> bool:
    """Any id of the update, or any number in callback data, beyond a signed 64-bit integer."""
    if _too_big(update.update_id):
        return True
    event: Any = update.event
    ids: list[int | None] = []
    user: User | None = getattr(event, "from_user", None)
    if user is not None:
        ids.append(user.id)
    for attr in ("chat", "sender_chat"):
        chat: Chat | None = getattr(event, attr, None)
        if chat is not None:
            ids.append(chat.id)
    if isinstance(event, Message):
        ids.append(event.message_id)
        ids.append(event.message_thread_id)
    if isinstance(event, CallbackQuery):
        if event.message is not None:
            ids += [event.message.chat.id, event.message.message_id]
        if event.data and any(int(d) > INT64_MAX for d in _DIGITS.findall(event.data)):
            return True
    return _too_big(*ids)


def _command_for_us(message: Message, username: str | None) -> bool:
    """``/cmd`` or ``/cmd@this_bot`` (not a command addressed to another bot)."""
    text = message.text or message.caption or ""
    if not text.startswith("/"):
        return False
    head = text.split(maxsplit=1)[0]
    _, _, mention = head.partition("@")
    return not mention or (username is not None and mention.lower() == username.lower())


def _language(user: User | None) -> str:
    return telegram_language(user)


async def private_chat_markup(bot: Bot, language: str) -> InlineKeyboardMarkup | None:
    """The button that opens the private chat with the bot (its username from getMe,
    cached by aiogram)."""
    me = await bot.me()
    if not me.username:
        return None
    url = f"https://t.me/{me.username}?start={START_PAYLOAD}"
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=t("btn-guard-open-private", language), url=url)]
        ]
    )


class ChatGuard(BaseMiddleware):
    """Outer middleware on updates (see the module docstring)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        try:
            kind = event.event_type
        except UpdateTypeLookupError:
            log.info("update %s of an unknown type ignored", event.update_id)
            return None
        bot: Bot = data["bot"]
        if overflows(event):
            log.info("update %s ignored: a number beyond 64 bits", event.update_id)
            if event.callback_query is not None:
                await _answer(event.callback_query, None)
            return None
        if kind in _MESSAGE_KINDS:
            message = cast(Message, event.event)  # the kinds in _MESSAGE_KINDS carry one
            if message.chat.type != ChatType.PRIVATE:
                await self._group_message(bot, kind, message)
                return None
            if message.from_user is None:  # a private chat always has a sender; forged
                return None
        elif kind == "callback_query":
            query = cast(CallbackQuery, event.event)
            if query.message is None or query.message.chat.type != ChatType.PRIVATE:
                # a button in a group (or on an inline message the bot never sends)
                await _answer(query, t("guard-private-only-short", _language(query.from_user)))
                return None
            if isinstance(query.message, InaccessibleMessage):
                query = query.model_copy(update={"message": detach(query.message, bot)}).as_(bot)
                event = event.model_copy(update={"callback_query": query}).as_(bot)
        return await handler(event, data)

    @staticmethod
    async def _group_message(bot: Bot, kind: str, message: Message) -> None:
        """A command in a group gets one short answer with the way to the private chat;
        anything else there (and any message without a sender) is ignored."""
        if kind not in ("message", "channel_post") or (
            message.from_user is None and kind == "message"
        ):
            return
        me = await bot.me()
        if not _command_for_us(message, me.username):
            return
        language = _language(message.from_user)
        try:
            await message.answer(
                t("guard-private-only", language),
                reply_markup=await private_chat_markup(bot, language),
            )
        except TelegramAPIError as exc:  # no right to post there: nothing else to do
            log.info("group answer in update failed: %s", type(exc).__name__)


async def _answer(query: CallbackQuery, text: str | None) -> None:
    try:
        await query.answer(text)
    except TelegramAPIError as exc:  # too old to answer: nothing else to do
        log.info("callback answer failed: %s", type(exc).__name__)


def install(dp: Dispatcher) -> ChatGuard:
    """Register the guard right after aiogram's error and user-context middlewares, so it
    runs before the conversation storage and the language lookup read the database."""
    manager = dp.update.outer_middleware
    rest = [m for m in manager if not isinstance(m, ErrorsMiddleware | UserContextMiddleware)]
    for middleware in rest:
        manager.unregister(middleware)
    guard = ChatGuard()
    manager.register(guard)
    for middleware in rest:
        manager.register(middleware)
    return guard
