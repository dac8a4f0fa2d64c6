"""Task texts (R-COO-4): ``/tasks`` — a participant opens a task (the time of first access
is recorded by the service) and sends an answer file; a coordinator publishes a task (file,
title, optional time limit) and sees who opened and answered."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Document, InlineKeyboardMarkup, Message

from bot import downloads
from bot.callbacks import ContestCb, ContestThen, NavCb
from bot.journey.contest import contest_for_anyone
from bot.prompts import ask
from bot.screens import Button, button_label, choices, keyboard, message_of
from bot.texts import format_dt, tr
from models.services import Services, TelegramFile
from models.services.base import Limits
from models.services.tasks import TaskItem

router = Router(name=__name__)

_NOT_COMMAND = F.text & ~F.text.startswith("/")


class TaskAction(StrEnum):
    OPEN = "open"
    ANSWER = "answer"


class TaskCb(CallbackData, prefix="tk"):
    """A participant's task: open it (the first access is recorded), send an answer."""

    task_id: int
    action: TaskAction


class TaskPublishCb(CallbackData, prefix="ta"):
    contest_id: int


class TaskForm(StatesGroup):
    file = State()
    title = State()
    limit = State()
    answer = State()


# --------------------------------------------------------------------------- participant


def _state_text(t: TaskItem) -> str:
    if t.first_access_at is None:
        return " " + tr("task-state-new")
    text = " " + tr("task-state-open", opened=format_dt(t.first_access_at, t.timezone))
    if t.submitted_at is not None:
        text += tr("task-state-answered", at=format_dt(t.submitted_at, t.timezone))
    if t.deadline is not None:
        key = "task-state-closed" if t.closed else "task-state-deadline"
        text += tr(key, deadline=format_dt(t.deadline, t.timezone))
    return text


def _participant_screen(tasks: list[TaskItem]) -> tuple[str, InlineKeyboardMarkup | None]:
    if not tasks:
        return tr("task-list-empty"), None
    lines = [tr("task-list-title")]
    items: list[Button] = []
    for t in tasks:
        lines.append(tr("task-item", title=t.title, state=_state_text(t)))
        open_it = TaskCb(task_id=t.id, action=TaskAction.OPEN)
        items.append((button_label(tr("task-btn-open-item", title=t.title)), open_it))
        if t.first_access_at is not None and not t.closed:
            items.append(_answer_item(t))
    return "\n".join(lines), choices(items)


def _answer_item(t: TaskItem) -> Button:
    label = button_label(tr("task-btn-answer", title=t.title))
    return label, TaskCb(task_id=t.id, action=TaskAction.ANSWER)


def _to_tasks(contest_id: int) -> ContestCb:
    return ContestCb(contest_id=contest_id, then=ContestThen.TASKS)


async def _open(bot: Bot, uid: int, services: Services, task_id: int) -> None:
    opened = await services.tasks.open(uid, task_id)
    t = opened.task
    await bot.send_document(
        uid,
        opened.file_id,
        caption=tr("task-opened", title=t.title, opened=format_dt(t.first_access_at, t.timezone)),
    )
    lines = []
    if t.time_limit_minutes:
        lines.append(tr("task-opened-limit", limit=t.time_limit_minutes))
    if t.deadline is not None:
        lines.append(
            tr(
                "task-opened-closed" if t.closed else "task-opened-deadline",
                deadline=format_dt(t.deadline, t.timezone),
            )
        )
    if not t.closed:
        lines.append(tr("task-opened-answer"))
    markup = None if t.closed else keyboard(_answer_item(t))
    await bot.send_message(uid, "\n".join(lines), reply_markup=markup)


@router.callback_query(TaskCb.filter(F.action == TaskAction.OPEN))
async def open_task(
    query: CallbackQuery, callback_data: TaskCb, bot: Bot, services: Services
) -> None:
    await _open(bot, query.from_user.id, services, callback_data.task_id)


@router.callback_query(NavCb.filter(F.to.startswith("task-")))
async def open_from_notice(
    query: CallbackQuery, callback_data: NavCb, bot: Bot, services: Services
) -> None:
    """«Открыть задание» in the publication notice (the outbox's buttons are ``NavCb``)."""
    raw = callback_data.to.removeprefix("task-")
    await _open(bot, query.from_user.id, services, int(raw) if raw.isdigit() else 0)


@router.callback_query(TaskCb.filter(F.action == TaskAction.ANSWER))
async def ask_answer(
    query: CallbackQuery, callback_data: TaskCb, services: Services, state: FSMContext
) -> None:
    t = await services.tasks.ensure_open(
        query.from_user.id, callback_data.task_id
    )  # a closed task: refused at once
    deadline = (
        tr("task-ask-answer-deadline", deadline=format_dt(t.deadline, t.timezone))
        if t.deadline
        else ""
    )
    back = _to_tasks(t.contest_id)
    await ask(
        message_of(query),
        state,
        TaskForm.answer,
        tr("task-ask-answer", title=t.title, deadline=deadline),
        back=back,
        tk_task=t.id,
    )


@router.message(TaskForm.answer, F.document.as_("doc"))
async def answer_file(
    message: Message, doc: Document, bot: Bot, services: Services, state: FSMContext, limits: Limits
) -> None:
    task_id = (await state.get_data())["tk_task"]
    offered = TelegramFile(
        doc.file_id, doc.file_unique_id, doc.file_name, doc.mime_type, doc.file_size
    )
    services.tasks.check_answer_offer(offered)  # type and claimed size before downloading
    # the content is kept, not only Telegram's reference (issue #15); a failed download is
    # refused with «отправьте ещё раз» and the prompt stays
    content = await downloads.fetch(bot, doc, limits.download)
    t = await services.tasks.submit(message.from_user.id, task_id, offered, content)
    await state.set_state(None)
    text = tr("task-answer-saved", title=t.title, at=format_dt(t.submitted_at, t.timezone))
    await message.answer(
        text + "\n" + tr("task-answer-stored", sha=hashlib.sha256(content).hexdigest()[:16]),
        reply_markup=keyboard((tr("btn-back"), _to_tasks(t.contest_id))),
    )


@router.message(TaskForm.answer, ~F.text.startswith("/"))
async def answer_not_file(message: Message) -> None:
    await message.answer(tr("task-answer-need-file"))


# --------------------------------------------------------------------------- coordinator


async def _admin_screen(
    services: Services, uid: int, contest_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    tasks = await services.tasks.published(uid, contest_id)
    contest = await services.contests.contest(contest_id)
    lines = [tr("task-admin-title", contest=contest.title)]
    for t in tasks:
        limit = tr("task-admin-limit", limit=t.time_limit_minutes) if t.time_limit_minutes else ""
        lines.append(
            tr(
                "task-admin-item",
                title=t.title,
                limit=limit,
                opened=t.opened_count,
                answered=t.submitted_count,
            )
        )
    if not tasks:
        lines.append(tr("task-list-empty"))
    publish = (tr("task-btn-publish"), TaskPublishCb(contest_id=contest_id))
    return "\n".join(lines), keyboard(publish)


async def _screen(bot: Bot, uid: int, services: Services, contest_id: int) -> None:
    roles = await services.coordination.staff_roles(uid)
    if contest_id in roles.coordinator_contests:
        text, kb = await _admin_screen(services, uid, contest_id)
    else:
        text, kb = _participant_screen(await services.tasks.tasks_for(uid, contest_id))
    await bot.send_message(uid, text, reply_markup=kb)


@router.message(Command("tasks"))
async def tasks(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    uid = message.from_user.id
    await state.set_state(None)
    contest_id = await contest_for_anyone(message, services, state, ContestThen.TASKS)
    if contest_id is not None:
        await _screen(bot, uid, services, contest_id)


@router.callback_query(ContestCb.filter(F.then == ContestThen.TASKS))
async def tasks_contest(
    query: CallbackQuery, callback_data: ContestCb, bot: Bot, services: Services
) -> None:
    await _screen(bot, query.from_user.id, services, callback_data.contest_id)


@router.callback_query(TaskPublishCb.filter())
async def publish_start(
    query: CallbackQuery, callback_data: TaskPublishCb, services: Services, state: FSMContext
) -> None:
    await services.tasks.check_publisher(
        query.from_user.id, callback_data.contest_id
    )  # before any input
    back = _to_tasks(callback_data.contest_id)
    await ask(
        message_of(query),
        state,
        TaskForm.file,
        tr("task-ask-file"),
        back=back,
        tk_contest=callback_data.contest_id,
    )


def _back(data: dict[str, Any]) -> ContestCb:
    return _to_tasks(int(data.get("tk_contest") or 0))


@router.message(TaskForm.file, F.document)
async def publish_file(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    await ask(
        message,
        state,
        TaskForm.title,
        tr("task-ask-title"),
        back=_back(data),
        tk_file=message.document.file_id,
        tk_name=message.document.file_name,
    )


@router.message(TaskForm.file, ~F.text.startswith("/"))
async def publish_not_file(message: Message) -> None:
    await message.answer(tr("task-need-file"))


@router.message(TaskForm.title, _NOT_COMMAND)
async def publish_title(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    await ask(
        message,
        state,
        TaskForm.limit,
        tr("task-ask-limit"),
        back=_back(data),
        tk_title=message.text.strip(),
    )


@router.message(TaskForm.limit, _NOT_COMMAND)
async def publish_limit(message: Message, services: Services, state: FSMContext) -> None:
    text = message.text.strip()
    if text != "-" and not text.isdigit():
        await message.answer(tr("task-bad-limit"))
        return
    data = await state.get_data()
    t = await services.tasks.publish(
        message.from_user.id,
        data["tk_contest"],
        data["tk_title"],
        data["tk_file"],
        data.get("tk_name"),
        time_limit_minutes=None if text == "-" else int(text),
    )
    await state.set_state(None)
    await message.answer(tr("task-published-ok", title=t.title))
