"""The Mini App's initData check (issue #16): Telegram's HMAC with the bot token, and an age
aiogram does not check — forged, another bot's, stale, future or missing initData is refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.__main__ import _settings as cli_settings
from bot.webapp.auth import Unauthorized, check_init_data, display_name, from_header
from models.settings import Settings
from tests.webappkit import TEST_TOKEN, auth_header, sign_init_data

NOW = datetime(2027, 6, 3, 9, 0, tzinfo=UTC)
USER = {"id": 100004, "first_name": "Анна", "last_name": "Петрова", "language_code": "en"}


def _at(delta: timedelta) -> float:
    return (NOW + delta).timestamp()


def test_a_genuine_fresh_init_data_gives_its_user() -> None:
    data = sign_init_data(TEST_TOKEN, USER, _at(-timedelta(minutes=59)), query_id="AAE1")
    user = check_init_data(TEST_TOKEN, data, NOW)
    assert (user.id, user.language_code, display_name(user)) == (100004, "en", "Анна Петрова")
    # the header as the page sends it
    assert from_header(auth_header(data)["Authorization"]) == data


@pytest.mark.parametrize(
    ("case", "make"),
    [
        ("forged hash", lambda: sign_init_data(TEST_TOKEN, USER, _at(timedelta()), hash="0" * 64)),
        ("another bot", lambda: sign_init_data("999:OTHER", USER, _at(timedelta()))),
        ("stale, 61 min", lambda: sign_init_data(TEST_TOKEN, USER, _at(-timedelta(minutes=61)))),
        ("future, 2 min", lambda: sign_init_data(TEST_TOKEN, USER, _at(timedelta(minutes=2)))),
        ("no user", lambda: sign_init_data(TEST_TOKEN, None, _at(timedelta()))),
        ("empty", lambda: ""),
        ("not a query string", lambda: "garbage%%%"),
    ],
)
def test_refused(case: str, make: object) -> None:
    with pytest.raises(Unauthorized):
        check_init_data(TEST_TOKEN, make(), NOW)  # type: ignore[operator]


def test_a_changed_field_breaks_the_signature() -> None:
    data = sign_init_data(TEST_TOKEN, USER, _at(timedelta()))
    other = data.replace("100004", "100005")
    assert other != data
    with pytest.raises(Unauthorized):
        check_init_data(TEST_TOKEN, other, NOW)


def test_small_clock_skew_is_accepted() -> None:
    data = sign_init_data(TEST_TOKEN, USER, _at(timedelta(seconds=50)))
    assert check_init_data(TEST_TOKEN, data, NOW).id == 100004


def test_the_wall_clock_by_default() -> None:
    assert check_init_data(TEST_TOKEN, sign_init_data(TEST_TOKEN, 7, time.time())).id == 7


@pytest.mark.parametrize("header", [None, "", "Bearer abc", "tma ", "tma"])
def test_a_missing_or_foreign_header_is_refused(header: str | None) -> None:
    with pytest.raises(Unauthorized):
        from_header(header)


def test_webapp_url_is_an_https_origin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert Settings(webapp_url="https://bot.example.ru/").webapp_url == "https://bot.example.ru"
    assert Settings(webapp_url="https://bot.example.ru:8443").webapp_port == 8090
    assert Settings().webapp_url is None
    for bad in ("http://bot.example.ru", "https://bot.example.ru/app", "bot.example.ru"):
        monkeypatch.setenv("WEBAPP_URL", bad)
        with pytest.raises(SystemExit) as stop:
            cli_settings()
        assert stop.value.code == 2
        assert "WEBAPP_URL должен быть адресом https:// без пути" in capsys.readouterr().err
