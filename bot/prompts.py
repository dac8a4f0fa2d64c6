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
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aiogram import BaseMiddleware, Bot, F, Router
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
from aiogram.utils.callback_answer import CallbackAnswer

from bot.screens import Screen, keyboard, show
from bot.texts import tr
from models.errors import DomainError
from models.services.coordination import MAX_REASON

router = Router(name=__name__)

#: FSM data key: the callback data that re-opens the screen a prompt was asked from.
BACK_KEY = "_prompt_back"
#: FSM data key: the prompt :func:`ask` asked last — ``{"state", "text", "rows"}`` — so
#: «Продолжить» can ask it again after the person left it (issue #12: nothing is lost).
PROMPT_KEY = "_prompt"
#: FSM data key: the state of the prompt a command left (:class:`CommandsLeavePrompts`), so
#: a later stray message is answered with where the person was (bot.handlers.common.fallback).
LEFT_KEY = "_prompt_left"


class PromptAction(StrEnum):
    CANCEL = "cancel"
    RESUME = "resume"


class PromptCb(CallbackData, prefix="px"):
    """«Отмена» of a prompt, and «Продолжить» (asks the remembered prompt again)."""

    action: PromptAction


def cancel_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=tr("btn-prompt-cancel"), callback_data=PromptCb(action=PromptAction.CANCEL).pack()
    )


def cancel_item() -> tuple[str, PromptCb]:
    """«Отмена» as a screen-kit button (bot.screens.keyboard), for a screen that is a prompt."""
    return tr("btn-prompt-cancel"), PromptCb(action=PromptAction.CANCEL)


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


async def _remember(
    state: FSMContext,
    prompt_state: State,
    text: str,
    back: CallbackData | str | None,
    rows: list[list[InlineKeyboardButton]] | None,
    data: dict[str, Any],
) -> None:
    await state.set_state(prompt_state)
    # the question is remembered with the draft (encrypted, bot.storage): «Продолжить» asks it again
    kept = [[b.model_dump(mode="json", exclude_none=True) for b in row] for row in rows or []]
    await state.update_data(
        {
            **data,
            BACK_KEY: (back if isinstance(back, str) or back is None else back.pack()),
            PROMPT_KEY: {"state": prompt_state.state, "text": text, "rows": kept},
            LEFT_KEY: None,
        }
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
    await _remember(state, prompt_state, text, back, rows, data)
    return await target.answer(text, reply_markup=cancel_markup(*(rows or [])))


async def ask_chat(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    prompt_state: State,
    text: str,
    *,
    back: CallbackData | str | None = None,
    rows: list[list[InlineKeyboardButton]] | None = None,
    **data: Any,
) -> Message:
    """:func:`ask` in a chat, when there is no message at hand to answer (a pressed button
    whose message may be gone)."""
    await _remember(state, prompt_state, text, back, rows, data)
    return await bot.send_message(chat_id, text, reply_markup=cancel_markup(*(rows or [])))


def resume_item() -> tuple[str, PromptCb]:
    """«Продолжить» as a screen-kit button: ask the remembered prompt again (:func:`resume`)."""
    return tr("btn-conv-continue"), PromptCb(action=PromptAction.RESUME)


def resume_button() -> InlineKeyboardButton:
    """«Продолжить»: ask the remembered prompt again (:func:`resume`)."""
    return InlineKeyboardButton(
        text=tr("btn-conv-continue"), callback_data=PromptCb(action=PromptAction.RESUME).pack()
    )


@router.callback_query(PromptCb.filter(F.action == PromptAction.RESUME))
async def resume(query: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    """Back into the prompt the person left (or whose question scrolled away): the draft is
    still there, the same question is asked again with «Отмена»."""
    data = await state.get_data()
    prompt = data.get(PROMPT_KEY) or {}
    step = await state.get_state() or data.get(LEFT_KEY)
    if not step or prompt.get("state") != step or not prompt.get("text"):
        await bot.send_message(query.from_user.id, tr("session-expired"))
        return
    await state.set_state(step)
    await state.update_data(**{LEFT_KEY: None})
    rows = [[InlineKeyboardButton(**b) for b in row] for row in prompt.get("rows") or []]
    await bot.send_message(query.from_user.id, prompt["text"], reply_markup=cancel_markup(*rows))


@router.callback_query(PromptCb.filter(F.action == PromptAction.CANCEL))
async def cancel(query: CallbackQuery, state: FSMContext, callback_answer: CallbackAnswer) -> None:
    """Leave the prompt: nothing is changed; offer the way back to where the person was."""
    data = await state.get_data()
    back = data.get(BACK_KEY)
    await state.set_state(None)
    await state.update_data(**{BACK_KEY: None, LEFT_KEY: None})
    callback_answer.text = tr("prompt-cancelled-short")
    await show(
        query,
        Screen(tr("prompt-cancelled"), keyboard((tr("btn-prompt-back"), back) if back else None)),
    )


@dataclass(frozen=True, slots=True)
class ReasonPrompt:
    """A reason typed about another person — the coordinator's refusal of a form (R-VER-3),
    the return of a minor's consent (R-ROLE-5): asked with «Отмена», shown back with
    «Подтвердить» / «Изменить» before it is applied, and applied only from the live prompt's
    own draft — never after «Отмена», another card or a command (issue #12).

    ``rev_key`` / ``draft_key``: where the prompt keeps the card's revision and the typed
    reason in the conversation's data (kept apart per prompt, so one never takes the other's)."""

    state: State
    question: str  # catalogue key
    rev_key: str
    draft_key: str

    async def ask(
        self, message: Message, state: FSMContext, participant_id: int, rev: int, back: CallbackData
    ) -> None:
        kept: dict[str, Any] = {"participant_id": participant_id, self.rev_key: rev}
        kept[self.draft_key] = None
        await ask(message, state, self.state, tr(self.question), back=back, **kept)

    async def typed(self, message: Message, state: FSMContext) -> tuple[int, int, str] | None:
        """The answer: ``(participant, revision, reason)``; ``None`` when it was empty (said
        so). Too long is refused (``reason_too_long``)."""
        data = await state.get_data()
        reason = (message.text or "").strip()
        if not reason:
            await message.answer(tr("coord-reason-empty"))
            return None
        if len(reason) > MAX_REASON:
            raise DomainError("reason_too_long", limit=MAX_REASON)
        return int(data["participant_id"]), int(data.get(self.rev_key) or 0), reason

    async def keep(
        self,
        message: Message,
        state: FSMContext,
        reason: str,
        text: str,
        yes: CallbackData,
        change: CallbackData,
    ) -> None:
        """Keep the draft and show it back: ``text`` with «Подтвердить» / «Изменить» / «Отмена»."""
        await state.update_data({self.draft_key: reason})
        await message.answer(text, reply_markup=confirm_markup(yes, change))

    async def draft(self, state: FSMContext, participant_id: int) -> str | None:
        """The live prompt's own draft for this participant, or ``None``."""
        data = await state.get_data()
        draft = data.get(self.draft_key)
        live = await state.get_state() == self.state.state
        if not live or not draft or data.get("participant_id") != participant_id:
            return None
        return str(draft)

    async def done(self, state: FSMContext) -> None:
        await state.set_state(None)
        await state.update_data(**{self.draft_key: None})

    async def leave(self, state: FSMContext) -> None:
        """Another card or decision: the prompt no longer takes text, so a later «Спасибо, всё
        понятно» can never become somebody's reason (issue #12)."""
        if await state.get_state() == self.state.state:
            await state.set_state(None)


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
    "ReasonPrompt",
    "ask",
    "ask_chat",
    "cancel_button",
    "cancel_item",
    "cancel_markup",
    "cancel_row",
    "confirm_markup",
    "resume",
    "resume_button",
    "resume_item",
    "router",
]
