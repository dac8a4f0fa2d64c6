"""The screen kit: what a handler shows, built one way.

A handler computes a :class:`Screen` (text + keyboard) from a service's view and hands it to
:func:`show`, which edits the message the button sat on or sends a new one. Keyboards are
built from rows of ``(label, callback data)`` pairs — one button per row unless a row says
otherwise — so no handler hand-builds an ``InlineKeyboardBuilder`` and calls ``adjust(1)``.

Callback queries are answered by aiogram's :class:`CallbackAnswerMiddleware` (registered on
each handler package's router): a handler that wants a toast sets
``callback_answer.text`` instead of calling ``query.answer()`` itself. Refusals
(``DomainError``) are answered by the error handler (bot.handlers.common).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.texts import tr

#: Telegram's limit is 4096 characters; leave room for entities and a closing line.
MESSAGE_LIMIT = 3800

#: One button: its label (already translated) and its callback data (or a URL).
Button = tuple[str, CallbackData | str]


@dataclass(frozen=True, slots=True)
class Screen:
    """What a person sees: a text and, optionally, buttons under it."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def button(label: str, data: CallbackData | str) -> InlineKeyboardButton:
    if isinstance(data, str) and data.startswith(("https://", "http://", "tg://")):
        return InlineKeyboardButton(text=label, url=data)
    return InlineKeyboardButton(
        text=label, callback_data=data if isinstance(data, str) else data.pack()
    )


def keyboard(*rows: Button | Sequence[Button] | None) -> InlineKeyboardMarkup | None:
    """Rows of buttons: a single ``(label, data)`` is a row of one, a list is a row of several,
    None is skipped (a button shown only sometimes). No rows: no keyboard."""
    out: list[list[InlineKeyboardButton]] = []
    for row in rows:
        if row is None:
            continue
        if isinstance(row, tuple) and len(row) == 2 and isinstance(row[0], str):
            out.append([button(row[0], row[1])])  # type: ignore[arg-type]
        else:
            items = [b for b in row if b is not None]  # type: ignore[union-attr]
            if items:
                out.append([button(label, data) for label, data in items])  # type: ignore[misc]
    return InlineKeyboardMarkup(inline_keyboard=out) if out else None


def choices(
    items: Iterable[Button], *, per_row: int = 1, tail: Sequence[Button] = ()
) -> InlineKeyboardMarkup | None:
    """A list to pick from (``per_row`` buttons a row), then the ``tail`` rows (way back…)."""
    items = list(items)
    rows: list[Sequence[Button]] = [
        items[i : i + per_row] for i in range(0, len(items), max(1, per_row))
    ]
    return keyboard(*rows, *tail)


def confirm(
    yes: CallbackData | str,
    no: CallbackData | str,
    *,
    yes_label: str | None = None,
    no_label: str | None = None,
) -> InlineKeyboardMarkup:
    """«Подтвердить» / «Отмена» before a destructive or deciding action."""
    kb = keyboard(
        (yes_label or tr("btn-prompt-confirm"), yes),
        (no_label or tr("btn-prompt-cancel"), no),
    )
    assert kb is not None
    return kb


def split_long(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut a long text into messages under Telegram's limit, at line ends (a line longer than
    the limit is cut inside)."""
    parts: list[str] = []
    chunk = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if chunk:
                parts.append(chunk.rstrip("\n"))
                chunk = ""
            parts.append(line[:limit])
            line = line[limit:]
        if chunk and len(chunk) + len(line) + 1 > limit:
            parts.append(chunk.rstrip("\n"))
            chunk = ""
        chunk += line + "\n"
    if chunk.strip() or not parts:
        parts.append(chunk.rstrip("\n"))
    return parts


async def send(message: Message, screen: Screen) -> None:
    """Send ``screen`` as new message(s) in the chat of ``message``; buttons on the last."""
    parts = split_long(screen.text)
    for i, part in enumerate(parts):
        await message.answer(part, reply_markup=screen.keyboard if i == len(parts) - 1 else None)


async def show(target: CallbackQuery | Message, screen: Screen) -> None:
    """Show ``screen`` where the person is: edit the message a pressed button sat on, or send
    it anew when that message cannot be edited (too old, not the bot's, a long text). Only
    Telegram's refusals are caught; anything else is a bug and reaches the error handler."""
    if isinstance(target, CallbackQuery):
        message = target.message
        if isinstance(message, Message) and len(screen.text) <= MESSAGE_LIMIT:
            try:
                await message.edit_text(screen.text, reply_markup=screen.keyboard)
                return
            except TelegramBadRequest as exc:
                if "message is not modified" in exc.message:
                    return  # the same screen again (a double tap): nothing to change
        if isinstance(message, Message):
            await send(message, screen)
        elif target.bot is not None:
            for i, part in enumerate(parts := split_long(screen.text)):
                await target.bot.send_message(
                    target.from_user.id,
                    part,
                    reply_markup=screen.keyboard if i == len(parts) - 1 else None,
                )
        return
    await send(target, screen)


__all__ = [
    "MESSAGE_LIMIT",
    "Button",
    "Screen",
    "button",
    "choices",
    "confirm",
    "keyboard",
    "send",
    "show",
    "split_long",
]
