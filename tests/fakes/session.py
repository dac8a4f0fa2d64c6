"""In-process fake of the Telegram Bot API as an aiogram session.

``FakeTelegramSession`` follows aiogram's own ``MockedSession`` (tests/mocked_bot.py): a
``BaseSession`` subclass that records requests and pushes every answer through the real
``BaseSession.check_response`` — so results are parsed and API errors are raised exactly as in
production (``TelegramForbiddenError``, ``TelegramRetryAfter``, ``TelegramBadRequest``...).

Unlike ``MockedSession`` nothing has to be pre-arranged: every method is answered automatically
by :class:`BotAPIState`, a small model of Telegram (sent messages, files) that is shared with the
HTTP stand-in :class:`tests.fakes.botapi_server.FakeBotAPI`.

    session = FakeTelegramSession()
    bot = make_bot(session)
    await dp.feed_update(bot, message_update(7, "/start"))
    assert "Привет" in session.sent_texts(7)[-1]
"""

from __future__ import annotations

import html
import itertools
import mimetypes
import re
import typing
from collections import defaultdict, deque
from collections.abc import AsyncGenerator
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, ClassVar

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import (
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import ClientResponseError, RequestInfo
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from tests.fakes.updates import bot_message_json, bot_user_json, to_json

if TYPE_CHECKING:
    from aiogram.types import InlineKeyboardMarkup

TEST_TOKEN = "42:TEST"

__all__ = [
    "TEST_TOKEN",
    "BotAPIError",
    "BotAPIState",
    "FakeTelegramSession",
    "error_payload",
    "make_bot",
]


# ============================================================================ shared Bot API model


class BotAPIError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        return error_payload(self.error_code, self.description, self.retry_after)


def error_payload(
    error_code: int, description: str, retry_after: int | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"ok": False, "error_code": error_code, "description": description}
    if retry_after is not None:
        payload["parameters"] = {"retry_after": retry_after}
    return payload


_HTML_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "a", "code", "pre", "blockquote", "tg-emoji", "tg-time",
    }
)  # fmt: skip
_TAG_RE = re.compile(r"<[^>]*>")
_TEXT_LIMIT = 4096
_CAPTION_LIMIT = 1024
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class _HTMLChecker(HTMLParser):
    """Rejects what Telegram's HTML parse mode rejects: unknown tags and broken nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.error: str | None = None

    def _fail(self, message: str) -> None:
        if self.error is None:
            self.error = message

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self._fail(f'Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._fail(f'Unsupported start tag "{tag}"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            self._fail(f'Unexpected end tag "{tag}"')
        elif self.stack[-1] != tag:
            self._fail(f'Unmatched end tag, expected "</{self.stack[-1]}>", found "</{tag}>"')
        else:
            self.stack.pop()

    def check(self, text: str) -> str | None:
        self.feed(text)
        self.close()
        if self.stack and self.error is None:
            self._fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1]}"')
        return self.error


def _rendered(text: str, parse_mode: str | None) -> str:
    """Text as the user sees it; raises BotAPIError when Telegram couldn't parse the markup."""
    if (parse_mode or "").upper() != "HTML":
        return text
    if error := _HTMLChecker().check(text):
        raise BotAPIError(400, f"Bad Request: can't parse entities: {error}")
    return html.unescape(_TAG_RE.sub("", text))


def _key(chat_id: Any, message_id: Any) -> tuple[str, int]:
    return str(chat_id), int(message_id)


class BotAPIState:
    """What Telegram remembers for one bot, answering Bot API calls given as JSON-ish params.

    Shared by :class:`FakeTelegramSession` and ``FakeBotAPI``. Beyond plausible results it
    enforces a few production rules that commonly break bots: empty or too long texts,
    invalid HTML (``parse_mode=HTML``) and "message is not modified" on an identical edit.

    ``answer(method, params, uploads)`` returns the JSON ``result`` or raises
    :class:`BotAPIError`; ``uploads`` maps ``attach://<key>`` keys to ``(filename, bytes)``.
    """

    _MEDIA: ClassVar[dict[str, str]] = {
        "senddocument": "document",
        "sendphoto": "photo",
        "sendvideo": "video",
        "sendanimation": "animation",
        "sendaudio": "audio",
        "sendvoice": "voice",
    }

    def __init__(self, *, first_message_id: int = 1000, check_html: bool = True) -> None:
        self.files: dict[str, bytes] = {}
        self.messages: dict[tuple[str, int], dict[str, Any]] = {}
        self.check_html = check_html
        self._message_ids = itertools.count(first_message_id)
        self._file_ids = itertools.count(1)

    def next_message_id(self) -> int:
        """Message ids are shared by the bot's and the users' messages, like in a private chat."""
        return next(self._message_ids)

    def last_message(self, chat_id: int | str) -> dict[str, Any] | None:
        """The bot's latest message (JSON) in ``chat_id`` — e.g. for a callback's message_id."""
        ids = [mid for chat, mid in self.messages if chat == str(chat_id)]
        return self.messages[(str(chat_id), max(ids))] if ids else None

    # ------------------------------------------------------------------ files
    def add_file(self, file_id: str, content: bytes) -> None:
        self.files[file_id] = content

    @staticmethod
    def file_path(file_id: str) -> str:
        return f"documents/{file_id}"

    def file_content(self, file_path: str) -> bytes | None:
        return self.files.get(file_path.removeprefix("documents/"))

    # ---------------------------------------------------------------- answers
    def answer(
        self,
        method: str,
        params: dict[str, Any],
        uploads: dict[str, tuple[str, bytes]] | None = None,
        *,
        default: Any = True,
    ) -> Any:
        name = method.lower()
        if name == "getme":
            return bot_user_json()
        if name == "getfile":
            return self._file(params)
        if name == "sendmessage":
            return self._send_message(params)
        if name in self._MEDIA:
            return self._send_media(self._MEDIA[name], params, uploads or {})
        if name == "editmessagetext":
            return self._edit(params, text=True)
        if name == "editmessagecaption":
            return self._edit(params, caption=True)
        if name == "editmessagereplymarkup":
            return self._edit(params)
        if name == "deletemessage":
            self.messages.pop(_key(params.get("chat_id"), params.get("message_id", 0)), None)
            return True
        if name == "getupdates":
            return []
        return default

    def _text(self, params: dict[str, Any], field: str, limit: int, required: bool) -> str | None:
        text = params.get(field)
        if text is None or text == "":
            if required:
                raise BotAPIError(400, "Bad Request: message text is empty")
            return None
        parse_mode = params.get("parse_mode")
        rendered = _rendered(text, parse_mode) if self.check_html else text
        if required and not rendered.strip():
            raise BotAPIError(400, "Bad Request: message text is empty")
        if len(rendered.encode("utf-16-le")) // 2 > limit:
            what = "message is too long" if field == "text" else "message caption is too long"
            raise BotAPIError(400, f"Bad Request: {what}")
        return text

    def _store(self, message: dict[str, Any]) -> dict[str, Any]:
        chat_id = message["chat"]["id"]
        self.messages[_key(chat_id, message["message_id"])] = message
        return message

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        self._require_chat(params)
        text = self._text(params, "text", _TEXT_LIMIT, required=True)
        return self._store(
            bot_message_json(
                params["chat_id"],
                self.next_message_id(),
                text=text,
                reply_markup=params.get("reply_markup"),
                entities=params.get("entities"),
            )
        )

    def _send_media(
        self, kind: str, params: dict[str, Any], uploads: dict[str, tuple[str, bytes]]
    ) -> dict[str, Any]:
        self._require_chat(params)
        value = params.get(kind)
        if not value:
            raise BotAPIError(400, f"Bad Request: there is no {kind} in the request")
        caption = self._text(params, "caption", _CAPTION_LIMIT, required=False)
        media: dict[str, Any]
        if isinstance(value, str) and value.startswith("attach://"):
            filename, content = uploads.get(value.removeprefix("attach://"), (kind, b""))
            file_id = f"file-{next(self._file_ids)}"
            self.files[file_id] = content
            media = {"file_id": file_id, "file_name": filename, "file_size": len(content)}
            if mime := mimetypes.guess_type(filename)[0]:
                media["mime_type"] = mime
        else:
            file_id = str(value)
            media = {"file_id": file_id}
            if file_id in self.files:
                media["file_size"] = len(self.files[file_id])
        media["file_unique_id"] = f"uniq-{media['file_id']}"
        if kind in {"photo", "video", "animation"}:
            media |= {"width": 1280, "height": 720}
        if kind == "photo":
            media.pop("file_name", None)
            media.pop("mime_type", None)
        if kind in {"video", "animation", "audio", "voice"}:
            media["duration"] = 10
        return self._store(
            bot_message_json(
                params["chat_id"],
                self.next_message_id(),
                reply_markup=params.get("reply_markup"),
                caption=caption,
                **{kind: [media] if kind == "photo" else media},
            )
        )

    def _edit(
        self, params: dict[str, Any], *, text: bool = False, caption: bool = False
    ) -> dict[str, Any] | bool:
        if params.get("inline_message_id"):
            return True
        self._require_chat(params)
        if "message_id" not in params:
            raise BotAPIError(400, "Bad Request: message identifier is not specified")
        key = _key(params["chat_id"], params["message_id"])
        old = self.messages.get(key)
        new = dict(old) if old else bot_message_json(params["chat_id"], int(params["message_id"]))
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        markup = to_json(params.get("reply_markup")) or None
        if text and old is not None and "text" not in old:
            raise BotAPIError(400, "Bad Request: there is no text in the message to edit")
        if text:
            new["text"] = self._text(params, "text", _TEXT_LIMIT, required=True)
        if caption:
            new["caption"] = self._text(params, "caption", _CAPTION_LIMIT, required=False)
        if markup is None:
            new.pop("reply_markup", None)
        else:
            new["reply_markup"] = markup
        if old is not None and new == old:
            raise BotAPIError(400, _NOT_MODIFIED)
        return self._store(new)

    def _file(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params.get("file_id")
        if not file_id:
            raise BotAPIError(400, "Bad Request: file_id not specified")
        result = {
            "file_id": file_id,
            "file_unique_id": f"uniq-{file_id}",
            "file_path": self.file_path(file_id),
        }
        if file_id in self.files:
            result["file_size"] = len(self.files[file_id])
        return result

    @staticmethod
    def _require_chat(params: dict[str, Any]) -> None:
        if params.get("chat_id") in (None, ""):
            raise BotAPIError(400, "Bad Request: chat_id is empty")


# ============================================================================ aiogram session


def _method_key(method: str) -> str:
    return method.lower()


class FakeTelegramSession(BaseSession):
    """An aiogram session answering every Bot API method in-process.

    * ``requests`` — every method object in call order (failed calls included);
    * ``queue_error(...)`` / ``queue_result(...)`` — pre-arrange the next answer of a method;
    * ``files`` / ``add_file`` — content for ``bot.download(...)``;
    * ``sent_texts`` / ``last_markup`` / ``calls`` / ``clear`` — assertions helpers.
    """

    def __init__(self, state: BotAPIState | None = None) -> None:
        super().__init__()
        self.state = state or BotAPIState()
        self.requests: list[TelegramMethod[Any]] = []
        self._failed: set[int] = set()
        self._errors: dict[str, deque[BotAPIError]] = defaultdict(deque)
        self._results: dict[str, deque[Any]] = defaultdict(deque)
        self.closed = False

    # ----------------------------------------------------------- arrangement
    @property
    def files(self) -> dict[str, bytes]:
        return self.state.files

    def add_file(self, file_id: str, content: bytes) -> None:
        self.state.add_file(file_id, content)

    def queue_error(
        self,
        method_name: str,
        error_code: int,
        description: str,
        retry_after: int | None = None,
    ) -> None:
        """Make the next call of ``method_name`` (e.g. "sendMessage") fail with this error."""
        self._errors[_method_key(method_name)].append(
            BotAPIError(error_code, description, retry_after)
        )

    def queue_result(self, method_name: str, result: Any) -> None:
        """Answer the next call of ``method_name`` with ``result`` (aiogram object or JSON)."""
        self._results[_method_key(method_name)].append(result)

    # ----------------------------------------------------------- BaseSession
    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (BaseSession interface)
    ) -> TelegramType:
        self.requests.append(method)
        name = _method_key(method.__api_method__)
        status, payload = 200, None
        if self._errors[name]:
            error = self._errors[name].popleft()
        elif self._results[name]:
            error, payload = None, {"ok": True, "result": to_json(self._results[name].popleft())}
        else:
            params, uploads = await self._params(bot, method)
            default = [] if typing.get_origin(method.__returning__) is list else True
            try:
                result = self.state.answer(method.__api_method__, params, uploads, default=default)
            except BotAPIError as e:
                error = e
            else:
                error, payload = None, {"ok": True, "result": result}
        if error is not None:
            self._failed.add(id(method))
            status, payload = error.error_code, error.payload()
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=self.json_dumps(payload)
        )
        return typing.cast(TelegramType, response.result)

    async def _params(
        self, bot: Bot, method: TelegramMethod[Any]
    ) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        """The request as Telegram would receive it (defaults resolved, files attached)."""
        files: dict[str, InputFile] = {}
        params: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None and prepared != "":
                params[key] = prepared
        uploads = {
            key: (file.filename or key, b"".join([chunk async for chunk in file.read(bot)]))
            for key, file in files.items()
        }
        return params, uploads

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (BaseSession interface)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        _, _, rest = url.partition("/file/bot")
        file_path = rest.partition("/")[2]
        content = self.state.file_content(file_path)
        if content is None:
            if raise_for_status:
                info = RequestInfo(URL(url), "GET", CIMultiDictProxy(CIMultiDict()), URL(url))
                raise ClientResponseError(info, (), status=404, message="Not Found")
            return
        for start in range(0, len(content), chunk_size):
            yield content[start : start + chunk_size]

    async def close(self) -> None:
        self.closed = True

    # --------------------------------------------------------------- helpers
    def succeeded(self, method: TelegramMethod[Any]) -> bool:
        return id(method) not in self._failed

    def calls(self, method: type[TelegramMethod[Any]] | str) -> list[TelegramMethod[Any]]:
        """Recorded calls of one method, by class (``SendMessage``) or API name."""
        if isinstance(method, str):
            name = _method_key(method)
            return [m for m in self.requests if _method_key(m.__api_method__) == name]
        return [m for m in self.requests if isinstance(m, method)]

    def _delivered(
        self, types: tuple[type[TelegramMethod[Any]], ...], chat_id: int | str | None
    ) -> list[Any]:
        return [
            m
            for m in self.requests
            if isinstance(m, types)
            and self.succeeded(m)
            and (chat_id is None or str(getattr(m, "chat_id", None)) == str(chat_id))
        ]

    def sent_texts(self, chat_id: int | str | None = None) -> list[str]:
        """Texts of delivered SendMessage/EditMessageText calls (failed calls excluded)."""
        return [m.text for m in self._delivered((SendMessage, EditMessageText), chat_id)]

    def last_markup(self, chat_id: int | str | None = None) -> InlineKeyboardMarkup | Any | None:
        """reply_markup of the last delivered SendMessage/EditMessageText/EditMessageReplyMarkup."""
        delivered = self._delivered((SendMessage, EditMessageText, EditMessageReplyMarkup), chat_id)
        return delivered[-1].reply_markup if delivered else None

    def clear(self) -> None:
        """Forget recorded requests (queued errors/results, files and messages are kept)."""
        self.requests.clear()
        self._failed.clear()


def make_bot(session: BaseSession | None = None, token: str = TEST_TOKEN) -> Bot:
    """A real ``aiogram.Bot`` on the fake session (HTML parse mode, like production)."""
    return Bot(
        token,
        session=session if session is not None else FakeTelegramSession(),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
