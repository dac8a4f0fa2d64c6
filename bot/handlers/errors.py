"""Telegram's refusals that mean "nothing to do", handled before the catch-all (common).

«message is not modified»: a button pressed again (a double tap, a replayed old button)
re-renders the very screen already shown — the person sees what they asked for, so the
press is answered quietly instead of ending in «Что-то пошло не так».
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

router = Router(name=__name__)
log = logging.getLogger(__name__)


@router.error(
    ExceptionTypeFilter(TelegramBadRequest), F.exception.message.contains("message is not modified")
)
async def not_modified(event: ErrorEvent) -> None:
    query = event.update.callback_query
    if query is not None:
        try:
            await query.answer()
        except TelegramBadRequest:  # answered before the edit failed
            pass
