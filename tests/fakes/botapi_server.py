"""A local HTTP stand-in of the Telegram Bot API (aiohttp) for end-to-end tests.

Start it, point the real bot process at it with ``TELEGRAM_API_URL=api.url`` (aiogram's
``TelegramAPIServer.from_base``), push updates as a user and watch what the bot sends:

    async with FakeBotAPI() as api:
        proc = start_bot(env={"TELEGRAM_API_URL": api.url, ...})
        api.push_message(7, "/start")
        params = await api.wait_for(lambda p: "Привет" in p["text"])
        assert ("Участвовать", "join") in api.buttons(params)

Routes: ``POST|GET /bot<token>/<method>`` (JSON, multipart or urlencoded bodies, query string)
and ``GET /file/bot<token>/<file_path>``. Answers come from the same
:class:`tests.fakes.session.BotAPIState` model as the in-process ``FakeTelegramSession``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import socket
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakes.session import BotAPIError, BotAPIState, error_payload
from tests.fakes.updates import callback_update_json, message_update_json, to_json

__all__ = ["FakeBotAPI"]

Params = dict[str, Any]

# Form fields that are strings on the wire even when they look like JSON ("123", "true").
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "file_id",
        "url", "title", "description", "short_description", "name", "query", "result_id",
        "business_connection_id", "message_effect_id", "emoji", "custom_title", "language_code",
        "secret_token", "ip_address", "performer", "payload", "currency", "provider_token",
        "start_parameter", "document", "photo", "video", "audio", "voice", "animation",
        "sticker", "video_note", "thumbnail", "cover", "address", "phone_number", "first_name",
        "last_name", "vcard", "question", "explanation", "sticker_set_name",
    }
)  # fmt: skip
_MESSAGE_METHODS = ("sendmessage", "editmessagetext")
_API_PATH = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)/?")
_FILE_PATH = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)")


def _decode(key: str, value: str) -> Any:
    if key in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class FakeBotAPI:
    """Bot API over HTTP on 127.0.0.1 with a free port; see the module docstring.

    :param delay_ms: round-trip delay added to every request (network latency).
    :param poll_cap: longest a ``getUpdates`` long poll waits, whatever its ``timeout``,
        so that the bot under test shuts down quickly.
    :param token: when given, requests with another token get 401 Unauthorized.
    """

    def __init__(
        self,
        *,
        delay_ms: int = 0,
        poll_cap: float = 1.0,
        token: str | None = None,
        state: BotAPIState | None = None,
    ) -> None:
        self.state = state or BotAPIState()
        self.delay_ms = delay_ms
        self.poll_cap = poll_cap
        self.token = token
        self.requests: list[tuple[str, Params]] = []
        #: (monotonic time answered, method, HTTP status) of every API call
        self.request_log: list[tuple[float, str, int]] = []
        self._throttle_until = 0.0
        self._throttle_retry_after = 1
        # Successful calls with their results: (method, params, result).
        self.delivered: list[tuple[str, Params, Any]] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._failures: dict[str, deque[BotAPIError]] = defaultdict(deque)
        self._updates_changed = asyncio.Event()
        self._delivered_changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # ================================================================ lifecycle
    @property
    def url(self) -> str:
        """Base URL for ``TelegramAPIServer.from_base`` / ``TELEGRAM_API_URL``."""
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not started")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> FakeBotAPI:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self._closing = False
        return self

    async def stop(self) -> None:
        self._closing = True
        self._pulse_updates()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ============================================================ test-side API
    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update for ``getUpdates`` (``update_id`` is assigned when missing)."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._pulse_updates()
        return update

    def push_message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        document: dict[str, Any] | Any | None = None,
        video: dict[str, Any] | Any | None = None,
        first_name: str = "Тест",
        language_code: str = "ru",
    ) -> dict[str, Any]:
        """A private message from ``user_id``; document/video as Bot API dicts or aiogram objects.

        With a document/video, ``text`` becomes the caption. Returns the queued update.
        """
        return self.push_update(
            message_update_json(
                user_id,
                text,
                document=document,
                video=video,
                first_name=first_name,
                language_code=language_code,
                update_id=next(self._update_ids),
                message_id=self.state.next_message_id(),
            )
        )

    def push_callback(self, user_id: int, data: str, message_id: int) -> dict[str, Any]:
        """A press of an inline button with ``data`` under the bot's message ``message_id``."""
        message = self.state.messages.get((str(user_id), int(message_id)), {})
        return self.push_update(
            callback_update_json(
                user_id,
                data,
                message_id=message_id,
                message_text=message.get("text", "…"),
                reply_markup=message.get("reply_markup"),
                update_id=next(self._update_ids),
            )
        )

    def add_file(self, file_id: str, content: bytes) -> None:
        """Serve ``content`` for getFile(file_id) and its download URL."""
        self.state.add_file(file_id, content)

    @property
    def files(self) -> dict[str, bytes]:
        return self.state.files

    def fail_next(
        self, method: str, status: int, description: str, retry_after: int | None = None
    ) -> None:
        """Answer the next call of ``method`` with an error.

        E.g. ``fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)``
        or ``fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")``.
        """
        self._failures[method.lower()].append(BotAPIError(status, description, retry_after))

    def throttle(self, seconds: float, retry_after: int = 1) -> None:
        """For ``seconds`` from now answer every sendMessage with 429 and ``retry_after``
        (Telegram's flood control)."""
        self._throttle_until = time.monotonic() + seconds
        self._throttle_retry_after = retry_after

    def calls(self, method: str) -> list[Params]:
        """Params of every recorded call of ``method`` (failed calls included)."""
        name = method.lower()
        return [params for m, params in self.requests if m.lower() == name]

    def _messages(self) -> list[Params]:
        return [p for m, p, _ in self.delivered if m.lower() in _MESSAGE_METHODS]

    def mark(self) -> int:
        """Number of delivered messages so far — pass as ``since`` to ``wait_for``."""
        return len(self._messages())

    def messages_to(self, chat_id: int | str) -> list[Params]:
        """Params of delivered sendMessage/editMessageText calls for ``chat_id``."""
        return [p for p in self._messages() if str(p.get("chat_id")) == str(chat_id)]

    def texts_to(self, chat_id: int | str) -> list[str]:
        return [p.get("text", "") for p in self.messages_to(chat_id)]

    def documents_to(self, chat_id: int | str) -> list[tuple[str | None, bytes]]:
        """(file name, content) of documents delivered to ``chat_id`` with sendDocument."""
        found = []
        for method, params, result in self.delivered:
            if method.lower() == "senddocument" and str(params.get("chat_id")) == str(chat_id):
                doc = result["document"]
                found.append((doc.get("file_name"), self.state.files.get(doc["file_id"], b"")))
        return found

    async def wait_for(
        self,
        predicate: Callable[[Params], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> Params:
        """Wait for a delivered sendMessage/editMessageText whose params satisfy ``predicate``.

        Messages already delivered count too, unless skipped with ``since=api.mark()``.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        checked = since
        while True:
            messages = self._messages()
            for params in messages[checked:]:
                if predicate(params):
                    return params
            checked = len(messages)
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = [(p.get("chat_id"), p.get("text")) for p in messages[-5:]]
                raise TimeoutError(f"no matching message in {timeout}s; last messages: {recent}")
            event = self._delivered_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    @staticmethod
    def buttons(params: Params | None) -> list[tuple[str, str | None]]:
        """(text, callback_data) of every inline button in ``params["reply_markup"]``."""
        markup = (params or {}).get("reply_markup") or {}
        return [
            (button.get("text"), button.get("callback_data"))
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]

    # ============================================================= HTTP side
    def _pulse_updates(self) -> None:
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()

    def _pulse_delivered(self) -> None:
        self._delivered_changed.set()
        self._delivered_changed = asyncio.Event()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self.delay_ms:
            await asyncio.sleep(self.delay_ms / 1000)
        if match := _FILE_PATH.fullmatch(request.path):
            if not self._token_ok(match["token"]):
                return web.Response(status=401, text="Unauthorized")
            content = self.state.file_content(match["path"])
            if content is None:
                return web.Response(status=404, text="Not Found")
            return web.Response(body=content, content_type="application/octet-stream")
        match = _API_PATH.fullmatch(request.path)
        if match is None:
            return self._json(error_payload(404, "Not Found"), 404)
        if not self._token_ok(match["token"]):
            return self._json(error_payload(401, "Unauthorized"), 401)

        method = match["method"]
        params, uploads = await self._read_params(request)
        self.requests.append((method, params))
        name = method.lower()
        try:
            if self._failures[name]:
                raise self._failures[name].popleft()
            if name == "sendmessage" and time.monotonic() < self._throttle_until:
                retry = self._throttle_retry_after
                raise BotAPIError(429, f"Too Many Requests: retry after {retry}", retry)
            if name == "getupdates":
                result = await self._get_updates(params)
            else:
                result = self.state.answer(method, params, uploads)
        except BotAPIError as e:
            self.request_log.append((time.monotonic(), method, e.error_code))
            return self._json(e.payload(), e.error_code)
        self.request_log.append((time.monotonic(), method, 200))
        if name != "getupdates":
            self.delivered.append((method, params, result))
            self._pulse_delivered()
        return self._json({"ok": True, "result": result})

    def _token_ok(self, token: str) -> bool:
        return self.token is None or token == self.token

    @staticmethod
    def _json(payload: dict[str, Any], status: int = 200) -> web.Response:
        return web.json_response(payload, status=status, dumps=_dumps)

    @staticmethod
    async def _read_params(
        request: web.Request,
    ) -> tuple[Params, dict[str, tuple[str, bytes]]]:
        params: Params = {key: _decode(key, value) for key, value in request.query.items()}
        uploads: dict[str, tuple[str, bytes]] = {}
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[key] = (value.filename, value.file.read())
                elif isinstance(value, str):
                    params[key] = _decode(key, value)
        return params, uploads

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = min(float(params.get("timeout") or 0), self.poll_cap)
        if offset > 0:  # confirms (forgets) every update before offset
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            pending = self._updates[offset:] if offset < 0 else list(self._updates)
            remaining = deadline - loop.time()
            if pending or remaining <= 0 or self._closing:
                return [to_json(u) for u in pending[:limit]]
            event = self._updates_changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
