"""Odd but legal input, answered or ignored cleanly (issue #13, items 6–7), through the real
dispatcher: private chats only for everything that shows personal data or decides something
(R-PD-2), buttons on inaccessible messages, numbers beyond 64 bits, messages without a
sender, unknown update types, malformed webhook bodies, hostile YAML, and no personal data
in the logs at DEBUG."""

from __future__ import annotations

import itertools
import logging
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import Update
from aiohttp.test_utils import TestClient, TestServer

from bot.callbacks import SettingsCb
from bot.chat_guard import INT64_MAX
from bot.journey.callbacks import AppCb, WithdrawCb
from bot.verification_callbacks import DecideCb
from bot.webhook import build_app
from models.contest_file import MAX_YAML_DEPTH, DefinitionInvalid
from notifications.definition_errors import render_definition_errors
from tests.builders import World, approve, register
from tests.conftest import ADMIN_ID, COORD_MOSCOW, EXAMPLE
from tests.fakes import document
from tests.fakes.updates import BOT_USERNAME, bot_message_json, chat_json, user_json

GROUP = -1001234567890
NAME = "Иванова Анна Петровна"
OOPS = "Что-то пошло не так"
_ids = itertools.count(9_100_000)


# ------------------------------------------------------------------------------- builders


def group_chat(chat_type: str = "supergroup") -> dict[str, Any]:
    return {"id": GROUP, "type": chat_type, "title": "Координаторы конкурса"}


def group_message(user_id: int | None, text: str, chat_type: str = "supergroup") -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": group_chat(chat_type),
        "text": text,
    }
    if user_id is None:  # an anonymous admin: the group speaks, nobody in particular
        message["sender_chat"] = group_chat(chat_type)
    else:
        message["from"] = user_json(user_id)
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": next(_ids), "message": message}


def press(user_id: int, data: str, message: dict[str, Any]) -> dict[str, Any]:
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": user_json(user_id),
            "chat_instance": f"ci-{user_id}",
            "data": data,
            "message": message,
        },
    }


def group_press(user_id: int, data: str) -> dict[str, Any]:
    message = bot_message_json(GROUP, next(_ids), text="Очередь")
    message["chat"] = group_chat()
    return press(user_id, data, message)


def inaccessible_press(user_id: int, data: str) -> dict[str, Any]:
    """A button on a message Telegram no longer shows the bot (``date: 0``)."""
    return press(user_id, data, {"chat": chat_json(user_id), "message_id": next(_ids), "date": 0})


async def feed(world: World, raw: dict[str, Any]) -> None:
    await world.dp.feed_update(world.bot, Update.model_validate(raw))


def texts_since(world: World, mark: int, chat_id: int | None = None) -> list[str]:
    return [
        r.text
        for r in world.session.requests[mark:]
        if isinstance(r, SendMessage) and (chat_id is None or str(r.chat_id) == str(chat_id))
    ]


def callback_answers(world: World, mark: int) -> list[AnswerCallbackQuery]:
    return [r for r in world.session.requests[mark:] if isinstance(r, AnswerCallbackQuery)]


@pytest.fixture
def unhandled(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """What the catch-all error handler logged («unhandled <Type> in update N»)."""
    caplog.set_level(logging.ERROR, logger="bot.handlers.common")
    return lambda: [r.getMessage() for r in caplog.records if "unhandled" in r.getMessage()]


# -------------------------------------------------------------------- private chats only


async def test_queue_in_a_supergroup_posts_no_names_and_offers_the_private_chat(
    world: World, unhandled: Callable[[], list[str]]
) -> None:
    await register(world)
    mark = len(world.session.requests)
    await feed(world, group_message(COORD_MOSCOW, "/queue"))
    (answer,) = texts_since(world, mark, GROUP)  # once
    assert "личном чате" in answer
    sent = [r for r in world.session.requests[mark:] if isinstance(r, SendMessage)]
    (button,) = [b for row in sent[-1].reply_markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    assert button.url == f"https://t.me/{BOT_USERNAME}?start=from_group"
    # addressed to this bot: the same; to another bot, or plain chatter: silence
    await feed(world, group_message(COORD_MOSCOW, f"/queue@{BOT_USERNAME}"))
    await feed(world, group_message(COORD_MOSCOW, "/status", chat_type="group"))
    assert len(texts_since(world, mark)) == 3
    await feed(world, group_message(COORD_MOSCOW, "/queue@some_other_bot"))
    await feed(world, group_message(COORD_MOSCOW, "Коллеги, кто сегодня проверяет заявки?"))
    await feed(world, group_message(COORD_MOSCOW, NAME))
    assert len(texts_since(world, mark)) == 3
    everything = " ".join(texts_since(world, mark))
    assert NAME not in everything and "Иванова" not in everything and "***" not in everything
    assert not unhandled()
    # the link leads to a plain /start in the private chat, where the queue is shown
    coord = world.person(COORD_MOSCOW)
    assert "/queue" in await coord.send("/start from_group")
    assert NAME in await coord.send("/queue")


async def test_a_button_pressed_in_a_group_is_answered_and_changes_nothing(
    world: World, unhandled: Callable[[], list[str]]
) -> None:
    p = await register(world)
    view = await world.services.participants.view(p.user_id, 1)
    mark = len(world.session.requests)
    await feed(
        world, group_press(COORD_MOSCOW, DecideCb(participant_id=view.id, action="accept").pack())
    )
    await feed(world, group_press(COORD_MOSCOW, SettingsCb(mute=True).pack()))
    answers = callback_answers(world, mark)
    assert len(answers) == 2 and all("личном чате" in (a.text or "") for a in answers)
    assert not texts_since(world, mark)  # nothing posted: not in the group, not to the participant
    assert not [r for r in world.session.requests[mark:] if not isinstance(r, AnswerCallbackQuery)]
    assert (await world.services.participants.view(p.user_id, 1)).status == "pending"
    assert not await world.services.participants.reminders_muted(COORD_MOSCOW)
    assert not unhandled()


async def test_messages_without_a_sender_are_ignored(
    world: World, unhandled: Callable[[], list[str]]
) -> None:
    mark = len(world.session.requests)
    await feed(world, group_message(None, "/queue"))
    await feed(world, group_message(None, "Всем привет"))
    forged = {
        "update_id": next(_ids),
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": chat_json(555009),
            "text": "/start",
        },
    }
    await feed(world, forged)  # a private chat always has a sender: a forged update
    assert world.session.requests[mark:] == []
    assert not unhandled()


# ----------------------------------------------------------------- inaccessible messages


async def test_buttons_on_inaccessible_messages_still_work(
    world: World, unhandled: Callable[[], list[str]]
) -> None:
    """Settings, the consents of an application and the withdrawal edit the screen they
    were pressed on; on a message Telegram reports as inaccessible the screen comes anew."""
    p = await register(world)
    uid = p.user_id
    mark = len(world.session.requests)
    await feed(world, inaccessible_press(uid, SettingsCb(mute=True).pack()))
    assert await world.services.participants.reminders_muted(uid)
    assert any("Напоминания" in t or "напоминания" in t for t in texts_since(world, mark, uid))

    await approve(world)
    await world.drain()
    await p.press("Выбрать номинацию")
    await p.press("Лучший социальный работник")
    await p.press("Выбрать эту номинацию")
    await p.send("5")
    mark = len(world.session.requests)
    await feed(
        world, inaccessible_press(uid, AppCb(contest_id=1, action="privacy", code="1").pack())
    )
    view = await world.services.participants.view(uid, 1)
    assert view.application is not None and view.application.consent_privacy
    assert any("Готово:" in t for t in texts_since(world, mark, uid))

    mark = len(world.session.requests)
    await feed(world, inaccessible_press(uid, WithdrawCb(contest_id=1, confirm=False).pack()))
    await feed(world, inaccessible_press(uid, WithdrawCb(contest_id=1, confirm=True).pack()))
    assert (await world.services.participants.view(uid, 1)).status == "withdrawn"
    said = texts_since(world, mark, uid)
    assert len(said) == 2 and "завершено" in said[-1]
    assert len(callback_answers(world, mark)) == 2

    everything = world.session.sent_texts(uid)
    assert not any(OOPS in t for t in everything)
    assert not unhandled()


# ------------------------------------------------------------- numbers beyond 64 bits


async def test_numbers_beyond_64_bits_are_ignored(
    world: World, unhandled: Callable[[], list[str]]
) -> None:
    p = await register(world)
    huge = INT64_MAX + 1
    mark = len(world.session.requests)
    start = {"update_id": next(_ids), "message": {
        "message_id": 1, "date": int(time.time()), "chat": chat_json(huge), "from": user_json(huge), "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }}  # fmt: skip
    await feed(world, start)
    await feed(
        world, press(huge, SettingsCb(mute=True).pack(), bot_message_json(huge, 3, text="…"))
    )
    await feed(world, press(p.user_id, f"wd:{2**64}:1", bot_message_json(p.user_id, 3, text="…")))
    await feed(
        world, press(p.user_id, f"dc:{10**30}:accept:0:0", bot_message_json(p.user_id, 3, text="…"))
    )
    assert len(callback_answers(world, mark)) == 3  # every press answered: no endless spinner
    assert not texts_since(world, mark)
    assert (await world.services.participants.view(p.user_id, 1)).status == "pending"
    assert not unhandled()


# ------------------------------------------------------------------ unknown update types


async def test_unknown_update_types_are_ignored_quietly(
    world: World, unhandled: Callable[[], list[str]]
) -> None:
    mark = len(world.session.requests)
    raw = {
        "update_id": next(_ids),
        "future_kind_of_update": {"from": user_json(555001), "secret": NAME},
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await feed(world, raw)
        await feed(world, {"update_id": next(_ids)})
    assert not [w for w in caught if "update type" in str(w.message) or NAME in str(w.message)]
    assert world.session.requests[mark:] == []
    assert not unhandled()


# ------------------------------------------------------------------------------ webhook


async def test_malformed_webhook_bodies_get_400_not_500(world: World) -> None:
    secret, path = "s3cret", "/telegram/webhook"
    client = TestClient(TestServer(build_app(world.dp, world.bot, secret=secret, path=path)))
    await client.start_server()
    try:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
        for body in (b"not json at all", b"[1, 2]", b'"text"', b"\xff\xfe\x00", b'{"update_id": "x"}',
                     b'{"update_id": 1, "message": {"text": "no chat"}}', b"[" * 100_000):  # fmt: skip
            resp = await client.post(path, data=body, headers=headers)
            assert resp.status == 400, body[:40]
        resp = await client.post(
            path, data=b"not json", headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
        )
        assert resp.status == 401  # the secret is still checked first
        good = {
            "update_id": next(_ids),
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": chat_json(555001),
                "from": user_json(555001),
                "text": "/help",
            },
        }
        resp = await client.post(
            path, json=good, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
        )
        assert resp.status == 200
    finally:
        await client.close()


# ------------------------------------------------------------------------------ YAML

DEEP_FLOW = "code: soc\nnominations: " + "[" * 5000 + "]" * 5000 + "\n"
DEEP_BLOCK = (
    "".join("  " * i + f"k{i}:\n" for i in range(MAX_YAML_DEPTH + 5))
    + "  " * (MAX_YAML_DEPTH + 5)
    + "x: 1\n"
)
PYTHON_TAG = (
    EXAMPLE.read_text(encoding="utf-8")
    + "\nextra: !!python/object/apply:os.system ['echo pwned']\n"
)


async def test_deep_yaml_and_python_tags_are_named_in_russian_by_the_service(world: World) -> None:
    for raw in (DEEP_FLOW, DEEP_BLOCK):
        with pytest.raises(DefinitionInvalid) as caught:
            await world.services.contests.load_definition(None, raw.encode())
        (error,) = caught.value.errors
        assert error.code == "yaml_too_deep"
        text = render_definition_errors(caught.value.errors)
        assert "вложенность" in text and str(MAX_YAML_DEPTH) in text and "строка" in text
    with pytest.raises(DefinitionInvalid) as caught:
        await world.services.contests.load_definition(None, PYTHON_TAG.encode())
    (error,) = caught.value.errors
    assert error.code == "yaml_unsafe_tag"
    text = render_definition_errors(caught.value.errors)
    assert "небезопасный тег YAML «!!python/object/apply:os.system»" in text
    assert "синтаксиса" not in text


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``python -m bot …`` in this process, on an SQLite file in ``tmp_path``."""
    from bot.__main__ import main

    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "PD_ENCRYPTION_KEY",
        "BOT_TOKEN",
        "ADMIN_IDS",
        "FILES_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.chdir(tmp_path)  # no stray .env
    return lambda *argv: main(list(argv))


def test_load_contest_names_deep_yaml_and_unsafe_tags(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text(DEEP_FLOW, encoding="utf-8")
    assert cli("load-contest", str(deep)) == 1
    err = capsys.readouterr().err
    assert (
        "Файл конкурса не загружен" in err and "вложенность" in err and str(MAX_YAML_DEPTH) in err
    )
    assert "Traceback" not in err and "RecursionError" not in err
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text(PYTHON_TAG, encoding="utf-8")
    assert cli("load-contest", str(tagged)) == 1
    err = capsys.readouterr().err
    assert "небезопасный тег YAML" in err and "синтаксиса" not in err


async def test_deep_yaml_and_python_tags_sent_in_the_chat(
    world: World, unhandled: Callable[[], list[str]]
) -> None:
    admin = world.person(ADMIN_ID)
    for file_id, raw, phrase in (
        ("yaml-deep", DEEP_FLOW.encode(), f"больше {MAX_YAML_DEPTH} уровней"),
        ("yaml-tag", PYTHON_TAG.encode(), "небезопасный тег YAML"),
    ):
        await admin.send("/load_contest")
        world.session.add_file(file_id, raw)
        reply = await admin.send(
            document=document(file_id, "contest.yaml", "application/x-yaml", len(raw))
        )
        assert "Файл конкурса не загружен" in reply and phrase in reply, reply
        assert OOPS not in reply
    assert not unhandled()


# --------------------------------------------------------------------- logs at DEBUG


async def test_debug_logging_leaks_no_full_name(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """LOG_LEVEL=DEBUG: what every process installs after configuring logging keeps the
    database driver and SQLAlchemy (statements with their parameters) at WARNING."""
    from models import logsafe

    logsafe.install()
    caplog.set_level(logging.DEBUG)
    p = world.person(555001, "Анна")
    await p.send("/start")
    await p.press("Согласен(а) на обработку")
    await p.send(NAME)
    assert NAME in (await world.services.participants.view(p.user_id, 1)).full_name  # type: ignore[operator]
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert caplog.records  # DEBUG is on (aiogram's own lines are there)
    assert "Иванова" not in logged and "ИВАНОВА" not in logged
    assert not [
        r
        for r in caplog.records
        if r.name.split(".")[0] in logsafe.QUIET_LOGGERS and r.levelno < logging.WARNING
    ]
