"""The screen kit: what a handler shows, built one way.

A handler computes a :class:`Screen` (text + keyboard) from a service's view and hands it to
:func:`show`, which edits the message the button sat on or sends a new one. Keyboards are
built from rows of ``(label, callback data)`` pairs — one button per row unless a row says
otherwise — so no handler hand-builds an ``InlineKeyboardBuilder`` and calls ``adjust(1)``.

Callback queries are answered by :class:`AnswerOnce` (aiogram's
:class:`CallbackAnswerMiddleware`, registered once on the dispatcher in bot.app): a handler
that wants a toast sets ``callback_answer.text`` instead of calling ``query.answer()``
itself. Refusals (``DomainError``) are answered by the error handler (bot.handlers.common).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.dispatcher.flags import get_flag
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
    WebAppInfo,
)
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

from bot.texts import tr
from models import org_names
from models.errors import DomainError

#: Telegram's limit is 4096 characters; leave room for entities and a closing line.
MESSAGE_LIMIT = 3800

#: One button: its label (already translated) and its callback data (or a URL, or a Mini App).
Button = tuple[str, CallbackData | str | WebAppInfo]


@dataclass(frozen=True, slots=True)
class Screen:
    """What a person sees: a text and, optionally, buttons under it."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def button(label: str, data: CallbackData | str | WebAppInfo) -> InlineKeyboardButton:
    if isinstance(data, WebAppInfo):  # opens the Mini App (issue #16)
        return InlineKeyboardButton(text=label, web_app=data)
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
            out.append([button(row[0], row[1])])
        else:
            items = [b for b in row if b is not None]
            if items:
                out.append([button(label, data) for label, data in items])
    return InlineKeyboardMarkup(inline_keyboard=out) if out else None


def choices(
    items: Iterable[Button],
    *,
    per_row: int = 1,
    tail: Sequence[Button | Sequence[Button] | None] = (),
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


def button_label(title: str, number: int | None = None, width: int = 48) -> str:
    """The one way a long name becomes a button label (issue #15: labels were cut mid-word,
    «2. …риальный центр…», «Стаж работы…, полн»). The full name belongs in the message text.

    Within ``width`` characters: the registry's long phrases abbreviated first («Территориальный
    центр социального обслуживания» → «ТЦСО», :func:`models.org_names.abbreviate`); if still too
    long, whole words from the start and the distinguishing end («ГБУ г. Москвы … «Арбат»»),
    never a part of a word — unless a single word is longer than the whole label."""
    prefix = f"{number}. " if number is not None else ""
    text = " ".join(title.split())
    if len(text) > width:
        text = org_names.abbreviate(text)
    if len(text) <= width:
        return prefix + text
    words = text.split(" ")
    tail: list[str] = []
    while (
        len(words) - len(tail) > 1 and len(" ".join([words[-1 - len(tail)], *tail])) <= width // 3
    ):
        tail.insert(0, words[-1 - len(tail)])
    ending = " … " + " ".join(tail) if tail else "…"
    head: list[str] = []
    for word in words[: len(words) - len(tail)]:
        if len(" ".join([*head, word]).rstrip(",;:—-") + ending) > width:
            break
        head.append(word)
    if not head:
        return prefix + text[: width - 1] + "…"
    return prefix + " ".join(head).rstrip(",;:—- ") + ending


def pager(page: int, pages: int, to_page: Callable[[int], CallbackData | str]) -> list[Button]:
    """«← Назад 2/5» / «Далее → 2/5» of a paged list: one row (empty on a single page);
    ``to_page(n)`` is the callback data that shows page ``n``."""
    row: list[Button] = []
    if page > 0:
        row.append((f"{tr('btn-prev')} {page + 1}/{pages}", to_page(page - 1)))
    if page < pages - 1:
        row.append((f"{tr('btn-next')} {page + 1}/{pages}", to_page(page + 1)))
    return row


def message_of(query: CallbackQuery) -> Message:
    """The message a pressed button sat on. Our buttons live in private chats, where it is
    always there; one Telegram no longer shows (older than 48 hours) is a stale button."""
    if isinstance(query.message, Message):
        return query.message
    raise DomainError("stale_button")


class AnswerOnce(CallbackAnswerMiddleware):
    """aiogram's :class:`CallbackAnswerMiddleware`, except that a handler which raises leaves
    the answer to the error handler (``bot.handlers.common``): a refused press is answered
    once, as before the middleware — not once here and again with the refusal."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        answer = data["callback_answer"] = self.construct_callback_answer(
            properties=get_flag(data, "callback_answer")
        )
        if not answer.disabled and answer.answered:  # ``pre``: answered before the handler
            await self.answer(event, answer)
        result = await handler(event, data)
        if not answer.disabled and not answer.answered:
            await self.answer(event, answer)
        return result


async def send_to(bot: Bot, chat_id: int, screen: Screen) -> None:
    """Send ``screen`` to a chat as new message(s) (no message to answer at hand); buttons on
    the last."""
    parts = split_long(screen.text)
    for i, part in enumerate(parts):
        await bot.send_message(
            chat_id, part, reply_markup=screen.keyboard if i == len(parts) - 1 else None
        )


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
    "AnswerOnce",
    "Button",
    "Screen",
    "button",
    "button_label",
    "choices",
    "confirm",
    "keyboard",
    "message_of",
    "pager",
    "send",
    "send_to",
    "show",
    "split_long",
]
