"""Builders of incoming Telegram updates and of Bot API JSON objects.

Two layers:

* ``*_json`` functions build plain Bot API JSON dicts (what Telegram puts on the wire). They are
  shared by :class:`tests.fakes.session.FakeTelegramSession` and
  :class:`tests.fakes.botapi_server.FakeBotAPI`.
* ``message_update`` / ``callback_update`` / ``document`` / ``video`` return aiogram objects for
  feeding a ``Dispatcher`` directly (``await dp.feed_update(bot, message_update(1, "/start"))``).

``update_id`` and ``message_id`` auto-increment per process unless given explicitly.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from aiogram.types import Document, TelegramObject, Update, Video

BOT_ID = 42  # matches the fake token "42:TEST"
BOT_USERNAME = "contest_test_bot"
BOT_FIRST_NAME = "Contest Test Bot"

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
_callback_ids = itertools.count(1)


def to_json(value: Any) -> Any:
    """Bot API JSON of an aiogram object (dicts/lists/primitives pass through, recursively)."""
    if isinstance(value, TelegramObject):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True, warnings=False)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def bot_user_json() -> dict[str, Any]:
    return {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": BOT_FIRST_NAME,
        "username": BOT_USERNAME,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


def user_json(user_id: int, first_name: str = "Тест", language_code: str = "ru") -> dict[str, Any]:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name,
        "language_code": language_code,
    }


def chat_json(chat_id: int | str, first_name: str | None = None) -> dict[str, Any]:
    """A private chat for numeric ids; a channel for ``@username`` ids."""
    if isinstance(chat_id, str) and not chat_id.lstrip("-").isdigit():
        return {"id": -1001000000000, "type": "channel", "username": chat_id.lstrip("@")}
    chat: dict[str, Any] = {"id": int(chat_id), "type": "private"}
    if first_name:
        chat["first_name"] = first_name
    return chat


def _command_entities(text: str | None) -> list[dict[str, Any]] | None:
    if not text or not text.startswith("/"):
        return None
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": len(command)}]


def user_message_json(
    user_id: int,
    text: str | None = None,
    *,
    document: Document | dict[str, Any] | None = None,
    video: Video | dict[str, Any] | None = None,
    message_id: int | None = None,
    first_name: str = "Тест",
    language_code: str = "ru",
) -> dict[str, Any]:
    """A message a user sends to the bot in their private chat (chat.id == user_id).

    With a document/video, ``text`` becomes the caption.
    """
    message: dict[str, Any] = {
        "message_id": next(_message_ids) if message_id is None else message_id,
        "date": int(time.time()),
        "chat": chat_json(user_id, first_name),
        "from": user_json(user_id, first_name, language_code),
    }
    if document is not None or video is not None:
        if document is not None:
            message["document"] = to_json(document)
        if video is not None:
            message["video"] = to_json(video)
        if text is not None:
            message["caption"] = text
    elif text is not None:
        message["text"] = text
        if entities := _command_entities(text):
            message["entities"] = entities
    return message


def bot_message_json(
    chat_id: int | str,
    message_id: int,
    *,
    text: str | None = None,
    reply_markup: Any = None,
    date: int | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A message sent by the bot (``from`` is the bot) — what send*/edit* methods return."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()) if date is None else date,
        "chat": chat_json(chat_id),
        "from": bot_user_json(),
    }
    if text is not None:
        message["text"] = text
    if reply_markup:
        message["reply_markup"] = to_json(reply_markup)
    message.update({k: to_json(v) for k, v in fields.items() if v is not None})
    return message


def message_update_json(
    user_id: int,
    text: str | None = None,
    *,
    document: Document | dict[str, Any] | None = None,
    video: Video | dict[str, Any] | None = None,
    first_name: str = "Тест",
    language_code: str = "ru",
    update_id: int | None = None,
    message_id: int | None = None,
) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids) if update_id is None else update_id,
        "message": user_message_json(
            user_id,
            text,
            document=document,
            video=video,
            message_id=message_id,
            first_name=first_name,
            language_code=language_code,
        ),
    }


def callback_update_json(
    user_id: int,
    data: str,
    *,
    message_id: int = 1,
    message_text: str = "…",
    reply_markup: Any = None,
    first_name: str = "Тест",
    language_code: str = "ru",
    update_id: int | None = None,
) -> dict[str, Any]:
    """A press of an inline button under the bot's message ``message_id`` in the user's chat."""
    return {
        "update_id": next(_update_ids) if update_id is None else update_id,
        "callback_query": {
            "id": str(next(_callback_ids)),
            "from": user_json(user_id, first_name, language_code),
            "chat_instance": f"ci-{user_id}",
            "data": data,
            "message": bot_message_json(
                user_id, message_id, text=message_text, reply_markup=reply_markup
            ),
        },
    }


# --------------------------------------------------------------------------- aiogram objects


def message_update(
    user_id: int,
    text: str | None = None,
    *,
    document: Document | None = None,
    video: Video | None = None,
    first_name: str = "Тест",
    language_code: str = "ru",
    update_id: int | None = None,
) -> Update:
    """An incoming private message from ``user_id`` (chat.id == user_id)."""
    return Update.model_validate(
        message_update_json(
            user_id,
            text,
            document=document,
            video=video,
            first_name=first_name,
            language_code=language_code,
            update_id=update_id,
        )
    )


def callback_update(
    user_id: int,
    data: str,
    *,
    message_id: int = 1,
    message_text: str = "…",
    reply_markup: Any = None,
    first_name: str = "Тест",
    language_code: str = "ru",
    update_id: int | None = None,
) -> Update:
    """A callback query with ``data`` from a message the bot sent to ``user_id``."""
    return Update.model_validate(
        callback_update_json(
            user_id,
            data,
            message_id=message_id,
            message_text=message_text,
            reply_markup=reply_markup,
            first_name=first_name,
            language_code=language_code,
            update_id=update_id,
        )
    )


def document(file_id: str, file_name: str, mime_type: str, size: int) -> Document:
    return Document(
        file_id=file_id,
        file_unique_id=f"uniq-{file_id}",
        file_name=file_name,
        mime_type=mime_type,
        file_size=size,
    )


def video(
    file_id: str, size: int, mime_type: str = "video/mp4", file_name: str | None = None
) -> Video:
    return Video(
        file_id=file_id,
        file_unique_id=f"uniq-{file_id}",
        width=1280,
        height=720,
        duration=10,
        file_size=size,
        mime_type=mime_type,
        file_name=file_name,
    )
