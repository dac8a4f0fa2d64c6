"""Test fakes of the Telegram Bot API.

* :mod:`tests.fakes.session` — ``FakeTelegramSession``: an in-process aiogram session that
  records every method call and answers it like Telegram would (``make_bot`` builds a Bot on it).
* :mod:`tests.fakes.botapi_server` — ``FakeBotAPI``: a local aiohttp HTTP stand-in of the Bot API
  for end-to-end tests of the real bot process (``TELEGRAM_API_URL``).
* :mod:`tests.fakes.updates` — builders of incoming updates (messages, callback queries, files).
"""

from tests.fakes.botapi_server import FakeBotAPI
from tests.fakes.session import BotAPIState, FakeTelegramSession, make_bot
from tests.fakes.updates import callback_update, document, message_update, video

__all__ = [
    "BotAPIState",
    "FakeBotAPI",
    "FakeTelegramSession",
    "callback_update",
    "document",
    "make_bot",
    "message_update",
    "video",
]
