"""Prompts a person can always leave (issue #12, guarantee 2).

- A text that starts with ``/`` is never an answer: :class:`CommandsLeavePrompts` clears the
  prompt before routing, so the command runs (``/withdraw``, ``/status``, ``/help``, ``/start``
  work from every state) and nothing is saved as a «value» of the prompt.
- Every prompt that waits for free text carries «Отмена» (:func:`cancel_row`,
  :func:`ask`): it returns to where the person came from and changes nothing.
- An answer that decides something about another person is shown back with «Подтвердить» /
  «Изменить» (:func:`confirm_markup`) before it is applied.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)

from bot.texts import tr

router = Router(name=__name__)

#: FSM data key: the callback data that re-opens the screen a prompt was asked from.
BACK_KEY = "_prompt_back"
#: FSM data key: the prompt :func:`ask` asked last — ``{"state", "text", "rows"}`` — so
#: «Продолжить» can ask it again after the person left it (issue #12: nothing is lost).
PROMPT_KEY = "_prompt"
#: FSM data key: the state of the prompt a command left (:class:`CommandsLeavePrompts`), so
#: a later stray message is answered with where the person was (bot.handlers.common.fallback).
LEFT_KEY = "_prompt_left"


class PromptCb(CallbackData, prefix="px"):
    """«Отмена» of a prompt, and the «Изменить» of a confirmation (asks again)."""

    action: str  # cancel | resume


def cancel_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=tr("btn-prompt-cancel"), callback_data=PromptCb(action="cancel").pack()
    )


def cancel_row() -> list[InlineKeyboardButton]:
    return [cancel_button()]


def cancel_markup(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """A keyboard for a free-text prompt: its own rows (if any), then «Отмена»."""
    return InlineKeyboardMarkup(inline_keyboard=[*rows, cancel_row()])


def confirm_markup(confirm: CallbackData | str, change: CallbackData | str) -> InlineKeyboardMarkup:
    """«Подтвердить» / «Изменить» / «Отмена» under an answer shown back before it is applied."""

    def data(cb: CallbackData | str) -> str:
        return cb if isinstance(cb, str) else cb.pack()

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=tr("btn-prompt-confirm"), callback_data=data(confirm))],
            [InlineKeyboardButton(text=tr("btn-prompt-change"), callback_data=data(change))],
            cancel_row(),
        ]
    )


async def ask(
    target: Message,
    state: FSMContext,
    prompt_state: State,
    text: str,
    *,
    back: CallbackData | str | None = None,
    rows: list[list[InlineKeyboardButton]] | None = None,
    **data: Any,
) -> Message:
    """Enter ``prompt_state`` (keeping ``data`` in the draft) and ask ``text`` with «Отмена».
    ``back`` is the callback data of the screen to return to when the person cancels."""
    await state.set_state(prompt_state)
    # the question is remembered with the draft (encrypted, bot.storage): «Продолжить» asks it again
    kept = [[b.model_dump(mode="json", exclude_none=True) for b in row] for row in rows or []]
    await state.update_data(
        **data,
        **{
            BACK_KEY: (back if isinstance(back, str) or back is None else back.pack()),
            PROMPT_KEY: {"state": prompt_state.state, "text": text, "rows": kept},
            LEFT_KEY: None,
        },
    )
    return await target.answer(text, reply_markup=cancel_markup(*(rows or [])))


def resume_button() -> InlineKeyboardButton:
    """«Продолжить»: ask the remembered prompt again (:func:`resume`)."""
    return InlineKeyboardButton(
        text=tr("btn-conv-continue"), callback_data=PromptCb(action="resume").pack()
    )


@router.callback_query(PromptCb.filter(F.action == "resume"))
async def resume(query: CallbackQuery, state: FSMContext) -> None:
    """Back into the prompt the person left (or whose question scrolled away): the draft is
    still there, the same question is asked again with «Отмена»."""
    data = await state.get_data()
    prompt = data.get(PROMPT_KEY) or {}
    step = await state.get_state() or data.get(LEFT_KEY)
    await query.answer()
    if not step or prompt.get("state") != step or not prompt.get("text"):
        await query.bot.send_message(query.from_user.id, tr("session-expired"))  # type: ignore[union-attr]
        return
    await state.set_state(step)
    await state.update_data(**{LEFT_KEY: None})
    rows = [[InlineKeyboardButton(**b) for b in row] for row in prompt.get("rows") or []]
    await query.bot.send_message(
        query.from_user.id, prompt["text"], reply_markup=cancel_markup(*rows)
    )  # type: ignore[union-attr]


@router.callback_query(PromptCb.filter(F.action == "cancel"))
async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    """Leave the prompt: nothing is changed; offer the way back to where the person was."""
    data = await state.get_data()
    back = data.get(BACK_KEY)
    await state.set_state(None)
    await state.update_data(**{BACK_KEY: None, LEFT_KEY: None})
    await query.answer(tr("prompt-cancelled-short"))
    markup = None
    if back:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text=tr("btn-prompt-back"), callback_data=back)]]
        )
    if query.message is not None and hasattr(query.message, "edit_text"):
        try:
            await query.message.edit_text(tr("prompt-cancelled"), reply_markup=markup)
            return
        except Exception:
            pass
    await query.bot.send_message(query.from_user.id, tr("prompt-cancelled"), reply_markup=markup)  # type: ignore[union-attr]


class CommandsLeavePrompts(BaseMiddleware):
    """Outer middleware on messages: a command is never taken as the answer to a prompt.
    The prompt is left (its draft data stay for the flow that owns them), and routing goes
    on with no state, so the command's own handler runs."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message) and (event.text or "").startswith("/"):
            state: FSMContext | None = data.get("state")
            if state is not None and data.get("raw_state") is not None:
                await state.update_data(
                    **{LEFT_KEY: data["raw_state"]}
                )  # where they were (fallback)
                await state.set_state(None)
                data["raw_state"] = None
        return await handler(event, data)


__all__ = [
    "BACK_KEY",
    "LEFT_KEY",
    "PROMPT_KEY",
    "CommandsLeavePrompts",
    "PromptCb",
    "ask",
    "cancel_button",
    "cancel_markup",
    "cancel_row",
    "confirm_markup",
    "resume",
    "resume_button",
    "router",
]
