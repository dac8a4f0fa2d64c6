"""The Bot API fakes behave like Telegram for a real ``aiogram.Bot``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.filters import CommandStart
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from tests.fakes import (
    FakeBotAPI,
    FakeTelegramSession,
    callback_update,
    document,
    make_bot,
    message_update,
    video,
)
from tests.fakes.session import TEST_TOKEN

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Да", callback_data="yes")]]
)


def dump(markup: InlineKeyboardMarkup | None) -> dict | None:
    """Compare markups by content (parsed objects also carry their bot context)."""
    return markup.model_dump() if markup is not None else None


def echo_router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            f"Привет, <b>{message.from_user.first_name}</b>!", reply_markup=KEYBOARD
        )

    @router.callback_query(F.data == "yes")
    async def yes(callback: CallbackQuery) -> None:
        await callback.answer()
        await callback.message.edit_text("Принято")

    @router.message(F.document)
    async def got_document(message: Message, bot: Bot) -> None:
        content = await bot.download(message.document)
        await message.answer(f"{message.document.file_name}: {len(content.read())} bytes")

    return router


# ====================================================================== FakeTelegramSession


@pytest.fixture
async def session() -> AsyncIterator[FakeTelegramSession]:
    yield FakeTelegramSession()


@pytest.fixture
async def bot(session: FakeTelegramSession) -> AsyncIterator[Bot]:
    bot = make_bot(session)
    yield bot
    await bot.session.close()


async def test_session_send_message_read_back(session: FakeTelegramSession, bot: Bot) -> None:
    sent = await bot.send_message(7, "<b>hi</b>", reply_markup=KEYBOARD)
    assert isinstance(sent, Message)
    assert (sent.chat.id, sent.text, dump(sent.reply_markup)) == (7, "<b>hi</b>", dump(KEYBOARD))
    second = await bot.send_message(8, "there")
    assert second.message_id == sent.message_id + 1

    assert isinstance(session.requests[0], SendMessage)
    assert bot.default["parse_mode"] == ParseMode.HTML
    assert session.sent_texts() == ["<b>hi</b>", "there"]
    assert session.sent_texts(chat_id=7) == ["<b>hi</b>"]
    assert session.last_markup(7) == KEYBOARD
    assert session.last_markup(8) is None

    edited = await bot.edit_message_text("edited", chat_id=7, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.text == "edited"
    assert session.last_markup(7) is None  # an edit without reply_markup drops the keyboard
    assert await bot.answer_callback_query("1") is True
    assert await bot.delete_message(7, sent.message_id) is True
    me = await bot.get_me()
    assert me.is_bot and me.username == "contest_test_bot"

    session.clear()
    assert session.requests == []


async def test_session_queued_errors(session: FakeTelegramSession, bot: Bot) -> None:
    session.queue_error("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await bot.send_message(7, "hello")

    session.queue_error("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
    with pytest.raises(TelegramRetryAfter) as exc:
        await bot.send_message(7, "hello")
    assert exc.value.retry_after == 5

    await bot.send_message(7, "delivered")  # queue is consumed: next call succeeds
    assert len(session.requests) == 3
    assert session.sent_texts(7) == ["delivered"]


async def test_session_enforces_telegram_rules(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(7, "a <br> b")
    with pytest.raises(TelegramBadRequest, match="too long"):
        await bot.send_message(7, "x" * 4097)
    sent = await bot.send_message(7, "same", reply_markup=KEYBOARD)
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_text(
            "same", chat_id=7, message_id=sent.message_id, reply_markup=KEYBOARD
        )


async def test_session_download_and_upload(session: FakeTelegramSession, bot: Bot) -> None:
    session.add_file("doc-1", b"%PDF-1.7 payload")
    file = await bot.get_file("doc-1")
    assert file.file_path == "documents/doc-1" and file.file_size == 16
    downloaded = await bot.download(document("doc-1", "cv.pdf", "application/pdf", 16))
    assert downloaded.read() == b"%PDF-1.7 payload"

    sent = await bot.send_document(7, BufferedInputFile(b"report", filename="report.txt"))
    assert sent.document.file_name == "report.txt"
    assert session.files[sent.document.file_id] == b"report"
    with pytest.raises(TelegramBadRequest, match="no text"):
        await bot.edit_message_text("text", chat_id=7, message_id=sent.message_id)


async def test_session_runs_a_conversation(session: FakeTelegramSession, bot: Bot) -> None:
    dp = Dispatcher()
    dp.include_router(echo_router())

    await dp.feed_update(bot, message_update(7, "/start", first_name="Аня"))
    assert session.sent_texts(7) == ["Привет, <b>Аня</b>!"]
    assert session.last_markup(7) == KEYBOARD

    message_id = session.state.last_message(7)["message_id"]  # the bot's greeting
    await dp.feed_update(bot, callback_update(7, "yes", message_id=message_id))
    assert isinstance(session.requests[-2], AnswerCallbackQuery)
    assert session.sent_texts(7)[-1] == "Принято"

    session.add_file("f-1", b"x" * 10)
    await dp.feed_update(
        bot, message_update(7, document=document("f-1", "a.pdf", "application/pdf", 10))
    )
    assert session.sent_texts(7)[-1] == "a.pdf: 10 bytes"

    update = message_update(7, "caption", video=video("v-1", 2048))
    assert update.message.video.file_size == 2048 and update.message.caption == "caption"
    assert message_update(1).update_id < message_update(1).update_id


# ============================================================================ FakeBotAPI


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@pytest.fixture
async def http_bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.url))
    bot = Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield bot
    await bot.session.close()


async def test_http_send_message_read_back(api: FakeBotAPI, http_bot: Bot) -> None:
    assert (await http_bot.get_me()).username == "contest_test_bot"
    assert await http_bot.delete_webhook(drop_pending_updates=True) is True

    sent = await http_bot.send_message(7, "Привет", reply_markup=KEYBOARD)
    assert (sent.chat.id, sent.text, dump(sent.reply_markup)) == (7, "Привет", dump(KEYBOARD))
    params = await api.wait_for(lambda p: p["text"] == "Привет", timeout=1)
    assert params["chat_id"] == 7 and params["parse_mode"] == "HTML"
    assert api.buttons(params) == [("Да", "yes")]

    edited = await http_bot.edit_message_reply_markup(
        chat_id=7, message_id=sent.message_id, reply_markup=None
    )
    assert edited.text == "Привет" and edited.reply_markup is None
    await http_bot.edit_message_text("Пока", chat_id=7, message_id=sent.message_id)
    assert api.texts_to(7) == ["Привет", "Пока"]
    assert [m for m, _ in api.requests][:3] == ["getMe", "deleteWebhook", "sendMessage"]
    assert await http_bot.set_my_commands([]) is True
    assert await http_bot.answer_callback_query("1") is True
    assert await http_bot.delete_message(7, sent.message_id) is True

    with pytest.raises(TimeoutError):
        await api.wait_for(lambda p: p["text"] == "never", timeout=0.05)


async def test_http_failures(api: FakeBotAPI, http_bot: Bot) -> None:
    api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(TelegramForbiddenError):
        await http_bot.send_message(7, "x")

    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(TelegramRetryAfter) as exc:
        await http_bot.send_message(7, "x")
    assert exc.value.retry_after == 3

    await http_bot.send_message(7, "ok")
    assert api.texts_to(7) == ["ok"]
    assert len(api.calls("sendMessage")) == 3


async def test_http_files(api: FakeBotAPI, http_bot: Bot) -> None:
    api.add_file("doc-1", b"\x00binary\xff")
    downloaded = await http_bot.download("doc-1")
    assert downloaded.read() == b"\x00binary\xff"

    sent = await http_bot.send_document(
        7, BufferedInputFile(b"a,b\n1,2\n", filename="table.csv"), caption="<i>итоги</i>"
    )
    assert sent.caption == "<i>итоги</i>" and sent.document.file_name == "table.csv"
    assert api.documents_to(7) == [("table.csv", b"a,b\n1,2\n")]


async def test_http_delay() -> None:
    async with FakeBotAPI(delay_ms=100) as api:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api.url))
        bot = Bot(TEST_TOKEN, session=session)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await bot.get_me()
        assert loop.time() - started >= 0.1
        await bot.session.close()


async def test_http_get_updates(api: FakeBotAPI, http_bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await http_bot.get_updates(timeout=30) == []  # long poll capped at poll_cap
    assert loop.time() - started < 3

    pushed = api.push_message(7, "/start")
    updates = await http_bot.get_updates(timeout=30)
    assert [u.update_id for u in updates] == [pushed["update_id"]]
    assert updates[0].message.text == "/start" and updates[0].message.chat.id == 7

    poll = asyncio.create_task(http_bot.get_updates(offset=updates[-1].update_id + 1, timeout=5))
    await asyncio.sleep(0.1)
    callback = api.push_callback(7, "yes", message_id=1)
    got = await asyncio.wait_for(poll, 2)  # returns as soon as the update arrives
    assert [u.update_id for u in got] == [callback["update_id"]]
    assert got[0].callback_query.data == "yes"

    assert await http_bot.get_updates(offset=callback["update_id"] + 1, timeout=0) == []


async def test_http_dispatcher_polling(api: FakeBotAPI, http_bot: Bot) -> None:
    dp = Dispatcher()
    dp.include_router(echo_router())
    polling = asyncio.create_task(
        dp.start_polling(http_bot, handle_signals=False, close_bot_session=False)
    )
    try:
        api.push_message(7, "/start", first_name="Ира")
        greeting = await api.wait_for(lambda p: p["text"].startswith("Привет"), timeout=5)
        assert greeting["text"] == "Привет, <b>Ира</b>!"

        message_id = api.state.last_message(7)["message_id"]
        mark = api.mark()
        api.push_callback(7, api.buttons(greeting)[0][1], message_id)
        edited = await api.wait_for(lambda p: p["text"] == "Принято", timeout=5, since=mark)
        assert edited["message_id"] == message_id
        assert api.calls("answerCallbackQuery")

        api.add_file("f-9", b"y" * 25)
        api.push_message(7, document={"file_id": "f-9", "file_unique_id": "u9", "file_name": "z"})
        await api.wait_for(lambda p: p["text"] == "z: 25 bytes", timeout=5)
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)
