"""Where a person was in a conversation, for a message no handler took (issue #12,
guarantee 2): «Вы были на шаге … Продолжить?» instead of «Не понимаю».

The conversation position and drafts live in the database (bot.storage), so after a restart
the person is still at their step and their answer is taken. What is left for the fallback
(bot.handlers.common): a message that does not fit the step the person is at (or a state no
handler knows any more, e.g. after an update of the bot), a prompt they left with a command
(bot.prompts.LEFT_KEY), and a participant with an unfinished form or application (checked
against the database, so it is right even when the position itself was lost)."""

from __future__ import annotations

from typing import Any, TypeGuard

from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup

from bot.callbacks import NavCb
from bot.journey.form import consent_keyboard, entry_keyboard, registration_closed
from bot.journey.status import greets_as_staff
from bot.prompts import BACK_KEY, LEFT_KEY, PROMPT_KEY, cancel_item, resume_item
from bot.screens import Button, keyboard
from bot.states import Apply, Form
from bot.texts import LANGUAGE, error_text, tr
from models.errors import DomainError
from models.rules import ApplicationStatus, VerificationStatus
from models.services import Services
from notifications.i18n import has

#: the participant's own journey: resumed as /start resumes it (bot.journey.status.show_next)
PARTICIPANT_STEPS = frozenset({Form.__full_group_name__, Apply.__full_group_name__})

Reply = tuple[str, InlineKeyboardMarkup | None]


def step_label(step: str) -> str:
    """«ФИО», «причина отказа»… for a state name like ``Form:full_name``."""
    key = "conv-step-" + step.lower().replace(":", "-").replace("_", "-")
    return tr(key) if has(key, LANGUAGE.get()) else tr("conv-step-unknown")


def _group(step: str) -> str:
    return step.split(":", 1)[0]


def _left_apply_step(left: object) -> TypeGuard[str]:
    """A nomination's question (birth date, стаж) or an application's prompt was left."""
    return isinstance(left, str) and _group(left) == Apply.__full_group_name__


def continue_button(step: str, data: dict[str, Any]) -> Button | None:
    """«Продолжить» for a step: ask its question again (a prompt of bot.prompts.ask), resume
    the participant's form (/start's resume), or open the screen the prompt was asked from."""
    prompt = data.get(PROMPT_KEY) or {}
    if isinstance(prompt, dict) and prompt.get("state") == step and prompt.get("text"):
        return resume_item()
    contest_id = data.get("contest_id")
    if _group(step) in PARTICIPANT_STEPS and isinstance(contest_id, int):
        return _to_form(contest_id)
    back = data.get(BACK_KEY)
    if isinstance(back, str) and back:
        return tr("btn-conv-continue"), back
    return None


async def where_they_were(
    user_id: int, services: Services, state: FSMContext | None, raw_state: str | None
) -> Reply | None:
    """The answer to a message no handler took, or ``None`` for «Не понимаю»."""
    if state is None:
        return None
    data = await state.get_data()
    if raw_state is not None:
        # still at a step, but this message does not fit it: continue it, or leave with «Отмена»
        button = continue_button(raw_state, data)
        return tr("conv-in-step", step=step_label(raw_state)), keyboard(button, cancel_item())
    left = data.get(LEFT_KEY)
    if isinstance(left, str) and left and _group(left) not in PARTICIPANT_STEPS:
        button = continue_button(left, data)
        if button is None:
            return tr("conv-left-step-no-button", step=step_label(left)), None
        return tr("conv-left-step", step=step_label(left)), keyboard(button)
    # the participant's form is checked against the database, not a remembered step: it may
    # have been finished since, or the position was lost before it lived in the database
    return await unfinished_participant(user_id, services, data)


async def unfinished_participant(
    user_id: int, services: Services, data: dict[str, Any]
) -> Reply | None:
    """«Вы заполняли анкету / заявку … Продолжить?» (→ /start's resume) or ``None``. QA of
    issue #15: a condition question (birth date, стаж) left with a command is asked again
    («Вы были на шаге «дата рождения»… Продолжить?»); at the consent request a stray message
    points to «Согласен(а)»; a championship's closed registration (R-VER-6) is said as such."""
    contest_id = data.get("contest_id")
    try:
        if not isinstance(contest_id, int):
            mine = await services.participants.contests_of(user_id)
            if len(mine) != 1:
                return None
            contest_id = mine[0]
        view = await services.participants.view(user_id, contest_id)
        contest = view.contest if view is not None else await services.contests.contest(contest_id)
    except DomainError:
        return None
    if view is not None and view.status == VerificationStatus.WITHDRAWN:
        return None
    status = VerificationStatus(view.status) if view is not None and view.pd_consent else None
    if status in (None, VerificationStatus.DRAFT, VerificationStatus.REJECTED):
        closed = await registration_closed(services, user_id, contest, view)
        if closed is not None:  # R-VER-6: nothing to continue
            return error_text(closed), entry_keyboard(contest_id)
    if status is None:
        if greets_as_staff(await services.access.viewer(user_id)):
            return None
        return tr("conv-participant-consent"), consent_keyboard(contest_id)
    left = data.get(LEFT_KEY)
    if status in (VerificationStatus.DRAFT, VerificationStatus.REJECTED):
        key = "conv-participant-form"
    elif (
        status == VerificationStatus.ACCEPTED
        and view is not None
        and view.application is not None
        and view.application.status == ApplicationStatus.DRAFT
    ):
        key = "conv-participant-application"
    elif status == VerificationStatus.ACCEPTED and _left_apply_step(left):
        # a nomination's question (birth date, стаж) left with a command: asked again
        button = continue_button(left, data)
        if button is None:
            return None
        return tr("conv-left-step", step=step_label(left)), keyboard(button)
    else:
        return None
    return tr(key), keyboard(_to_form(contest_id))


def _to_form(contest_id: int) -> Button:
    """«Продолжить» the participant's own journey, as /start resumes it."""
    return tr("btn-conv-continue"), NavCb(contest_id=contest_id, to="form")


__all__ = [
    "PARTICIPANT_STEPS",
    "continue_button",
    "step_label",
    "unfinished_participant",
    "where_they_were",
]
