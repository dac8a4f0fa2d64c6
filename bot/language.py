"""The language a person is spoken to in (issue 8, item 6): their /language choice, else
their Telegram language ("en…" → English, anything else → Russian, the default and the
reference catalogue)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject, User

from bot.screens import Screen, keyboard, show
from bot.texts import LANG, LANGUAGE, tr
from bot.viewer import KEY as VIEWER
from bot.viewer import look_up
from models.services import Services

router = Router(name=__name__)
log = logging.getLogger(__name__)


class LanguageCb(CallbackData, prefix="lang"):
    code: str


def telegram_language(user: User | None) -> str:
    code = (user.language_code or "") if user is not None else ""
    return "en" if code.lower().startswith("en") else LANG


class LanguageMiddleware(BaseMiddleware):
    """Sets bot.texts.LANGUAGE for the whole update (handlers and error handlers alike), and
    gives handlers the person behind it as ``viewer`` (bot.viewer: one statement per update)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        language = telegram_language(user)
        services: Services | None = data.get("services")
        if user is not None and services is not None:
            try:
                # issue #13: who this is — language AND roles — in one statement, once per
                # update; handlers take it as ``viewer`` (bot.viewer)
                viewer = await look_up(services, user, language)
            except (
                Exception
            ) as exc:  # never lose an update over the language: fall back to the guess
                log.warning("language lookup failed (%s); using %s", type(exc).__name__, language)
            else:
                data[VIEWER] = viewer
                language = viewer.language(language)
        # Set, not reset afterwards: aiogram runs the error handlers (refusals, "something went
        # wrong") outside the update middlewares, and they must speak the same language. Every
        # update sets it again, and each update runs in its own task (polling, webhook).
        LANGUAGE.set(language)
        return await handler(event, data)


def _language_keyboard() -> InlineKeyboardMarkup | None:
    return keyboard(
        [(tr("btn-lang-ru"), LanguageCb(code="ru")), (tr("btn-lang-en"), LanguageCb(code="en"))]
    )


@router.message(Command("language"))
async def language(message: Message) -> None:
    await message.answer(tr("lang-choose"), reply_markup=_language_keyboard())


@router.callback_query(LanguageCb.filter())
async def language_chosen(
    query: CallbackQuery, callback_data: LanguageCb, services: Services
) -> None:
    chosen = await services.participants.set_language(
        query.from_user.id, callback_data.code, query.from_user.full_name
    )
    LANGUAGE.set(chosen)  # the confirmation already speaks the new language
    await show(query, Screen(tr("lang-set")))
