"""What the appeal screens share: the draft key, the kind's title, points and time left as
text, and a keyboard row for a prompt's own buttons above its «Отмена»."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

from aiogram import F
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton

from bot.screens import button
from bot.texts import tr

#: a free-text answer (a command leaves the prompt instead)
NOT_COMMAND = F.text & ~F.text.startswith("/")


def draft_key() -> str:
    """A draft's name: carried by its buttons and given to the service, so a double
    «Вынести» / «Подать» of one draft opens or files once (issue #12)."""
    return secrets.token_hex(6)


def kind_title(kind: str) -> str:
    return tr("apl-kind-" + kind.replace("_", "-"))


def left(deadline: datetime, now: datetime) -> str:
    minutes = max(int((deadline - now).total_seconds() // 60), 0)
    return tr("apl-left", hours=minutes // 60, minutes=minutes % 60)


def points_text(value: Decimal | None) -> str:
    return "0" if not value else f"{value.normalize():f}".replace(".", ",")


def row(*buttons: tuple[str, CallbackData | str]) -> list[InlineKeyboardButton]:
    """One keyboard row for :func:`bot.prompts.cancel_markup` (a prompt's own buttons)."""
    return [button(label, data) for label, data in buttons]
