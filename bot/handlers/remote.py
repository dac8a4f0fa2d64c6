"""Remote events (R-COO-3): ``/remote`` — a coordinator's schedule of connections (add,
cancel with a confirmation); a participant's own connections; the examiner's «Получить
материалы» button. The service checks the role and the region on every call."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import ContestCb, ContestThen, NavCb
from bot.journey.contest import contest_for_anyone
from bot.prompts import ask, cancel_markup
from bot.screens import (
    Button,
    Screen,
    button_label,
    choices,
    confirm,
    keyboard,
    message_of,
    pager,
    show,
)
from bot.texts import format_dt, tr
from models.clock import Clock
from models.services import Services
from models.services.remote import check_duration, clean_link, earliest_start

router = Router(name=__name__)

_TIME = re.compile(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2})[:.](\d{2})\s*")
_NOT_COMMAND = F.text & ~F.text.startswith("/")


class RemoteAction(StrEnum):
    LIST = "list"  # the coordinator's schedule
    ADD = "add"  # the participant picker (paged)
    PICK = "pick"  # participant_id: schedule a connection for them


class RemoteCb(CallbackData, prefix="rs"):
    """The coordinator's schedule of remote connections (R-COO-3)."""

    contest_id: int
    action: RemoteAction
    participant_id: int = 0
    page: int = 0


class CancelStep(StrEnum):
    ASK = "ask"
    YES = "yes"
    KEEP = "keep"


class RemoteCancelCb(CallbackData, prefix="rc"):
    """Cancelling one connection, confirmed first."""

    slot_id: int
    action: CancelStep = CancelStep.ASK


class RemoteForm(StatesGroup):
    starts_at = State()
    duration = State()
    link = State()
    examiner = State()
    materials = State()


def parse_local(text: str, tz: str) -> datetime | None:
    """«ДД.ММ.ГГГГ ЧЧ:ММ» in the contest's time zone."""
    m = _TIME.fullmatch(text or "")
    if not m:
        return None
    day, month, year, hour, minute = (int(x) for x in m.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))
    except ValueError:
        return None


async def _schedule(
    services: Services, uid: int, contest_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    slots = await services.remote.slots(uid, contest_id)
    contest = await services.contests.contest(contest_id)
    lines = [tr("remote-title", contest=contest.title)]
    items: list[Button] = []
    for s in slots:
        when = format_dt(s.starts_at, s.timezone)
        materials = (
            tr("remote-item-materials", file=s.materials_file_name or tr("file-unnamed"))
            if s.has_materials
            else ""
        )
        lines.append(
            tr(
                "remote-item",
                when=when,
                name=s.participant_name,
                duration=s.duration_minutes,
                materials=materials,
            )
            + "\n  "
            + s.link
        )
        label = button_label(tr("remote-btn-cancel", when=when, name=s.participant_name), width=60)
        items.append((label, RemoteCancelCb(slot_id=s.id)))
    if not slots:
        lines.append(tr("remote-empty"))
    items.append(_add_item(contest_id))
    return "\n".join(lines), choices(items)


def _add_item(contest_id: int) -> Button:
    return tr("remote-btn-add"), RemoteCb(contest_id=contest_id, action=RemoteAction.ADD)


async def _mine(services: Services, uid: int, contest_id: int) -> str:
    slots = await services.remote.my_slots(uid, contest_id)
    if not slots:
        return tr("remote-mine-empty")
    lines = [tr("remote-mine-title")]
    lines += [
        tr(
            "remote-mine-item",
            when=format_dt(s.starts_at, s.timezone),
            duration=s.duration_minutes,
            link=s.link,
        )
        for s in slots
    ]
    return "\n".join(lines)


async def _screen(uid: int, bot: Bot, services: Services, contest_id: int) -> None:
    roles = await services.coordination.staff_roles(uid)
    if contest_id in roles.coordinator_contests:
        text, kb = await _schedule(services, uid, contest_id)
        await bot.send_message(uid, text, reply_markup=kb)
    else:
        await bot.send_message(uid, await _mine(services, uid, contest_id))


@router.message(Command("remote"))
async def remote(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    uid = message.from_user.id
    await state.set_state(None)
    contest_id = await contest_for_anyone(message, services, state, ContestThen.REMOTE)
    if contest_id is not None:
        await _screen(uid, bot, services, contest_id)


@router.callback_query(ContestCb.filter(F.then == ContestThen.REMOTE))
async def remote_contest(
    query: CallbackQuery, callback_data: ContestCb, bot: Bot, services: Services
) -> None:
    await _screen(query.from_user.id, bot, services, callback_data.contest_id)


@router.callback_query(RemoteCb.filter(F.action == RemoteAction.LIST))
async def remote_list(query: CallbackQuery, callback_data: RemoteCb, services: Services) -> None:
    text, kb = await _schedule(services, query.from_user.id, callback_data.contest_id)
    await query.message.answer(text, reply_markup=kb)


@router.callback_query(RemoteCb.filter(F.action == RemoteAction.ADD))
async def remote_add(query: CallbackQuery, callback_data: RemoteCb, services: Services) -> None:
    cid = callback_data.contest_id
    page = await services.remote.candidates(query.from_user.id, cid, callback_data.page)
    if page.total == 0:
        await query.message.answer(tr("remote-no-candidates"))
        return
    markup = choices(
        (
            (
                button_label(c.title),
                RemoteCb(contest_id=cid, action=RemoteAction.PICK, participant_id=c.id),
            )
            for c in page.items
        ),
        tail=[
            pager(
                page.page,
                page.pages,
                lambda n: RemoteCb(contest_id=cid, action=RemoteAction.ADD, page=n),
            )
        ],
    )
    await query.message.answer(tr("remote-pick-participant", total=page.total), reply_markup=markup)


@router.callback_query(RemoteCb.filter(F.action == RemoteAction.PICK))
async def remote_pick(
    query: CallbackQuery,
    callback_data: RemoteCb,
    services: Services,
    state: FSMContext,
    clock: Clock,
) -> None:
    uid, cid = query.from_user.id, callback_data.contest_id
    # role, region and a still accepted participant — refused before the first question
    who = await services.remote.candidate(uid, cid, callback_data.participant_id)
    contest = await services.contests.contest(cid)
    earliest = format_dt(earliest_start(clock.now()), contest.timezone)
    text = tr("remote-ask-time", name=who.title, tz=contest.timezone, earliest=earliest)
    await ask(
        message_of(query),
        state,
        RemoteForm.starts_at,
        text,
        back=_back(cid),
        rm_contest=cid,
        rm_participant=who.id,
        rm_name=who.title,
        rm_tz=contest.timezone,
    )


def _back(contest_id: int) -> RemoteCb:
    """«Отмена» of every question of the form leads back to the schedule (issue #12)."""
    return RemoteCb(contest_id=contest_id, action=RemoteAction.LIST)


@router.message(RemoteForm.starts_at, _NOT_COMMAND, F.text.as_("text"))
async def remote_time(message: Message, text: str, services: Services, state: FSMContext) -> None:
    data = await state.get_data()
    starts_at = parse_local(text, data["rm_tz"])
    if starts_at is None:
        await message.answer(tr("remote-bad-time"))
        return
    await services.remote.check_start(message.from_user.id, data["rm_contest"], starts_at)
    await ask(
        message,
        state,
        RemoteForm.duration,
        tr("remote-ask-duration"),
        back=_back(data["rm_contest"]),
        rm_starts=starts_at.isoformat(),
    )


@router.message(RemoteForm.duration, _NOT_COMMAND)
async def remote_duration(message: Message, state: FSMContext) -> None:
    text = message.text.strip()
    if not text.isdigit():
        await message.answer(tr("remote-bad-number"))
        return
    check_duration(int(text))
    data = await state.get_data()
    await ask(
        message,
        state,
        RemoteForm.link,
        tr("remote-ask-link"),
        back=_back(data["rm_contest"]),
        rm_duration=int(text),
    )


@router.message(RemoteForm.link, _NOT_COMMAND, F.text.as_("text"))
async def remote_link(message: Message, text: str, state: FSMContext) -> None:
    link = clean_link(text)
    data = await state.get_data()
    await ask(
        message,
        state,
        RemoteForm.examiner,
        tr("remote-ask-examiner"),
        back=_back(data["rm_contest"]),
        rm_link=link,
    )


@router.message(RemoteForm.examiner, _NOT_COMMAND)
async def remote_examiner(message: Message, state: FSMContext) -> None:
    text = message.text.strip()
    if text != "-" and not text.isdigit():
        await message.answer(tr("remote-bad-examiner"))
        return
    data = await state.get_data()
    examiner = None if text == "-" else int(text)
    await ask(
        message,
        state,
        RemoteForm.materials,
        tr("remote-ask-materials"),
        back=_back(data["rm_contest"]),
        rm_examiner=examiner,
    )


@router.message(RemoteForm.materials, F.document | (F.text == "-"))
async def remote_materials(message: Message, services: Services, state: FSMContext) -> None:
    data = await state.get_data()
    doc = message.document
    slot = await services.remote.add_slot(
        message.from_user.id,
        data["rm_contest"],
        data["rm_participant"],
        datetime.fromisoformat(data["rm_starts"]),
        data["rm_duration"],
        data["rm_link"],
        examiner_telegram_id=data.get("rm_examiner"),
        materials_file_id=doc.file_id if doc else None,
        materials_file_name=doc.file_name if doc else None,
    )
    await state.set_state(None)
    await message.answer(
        tr(
            "remote-added",
            when=format_dt(slot.starts_at, slot.timezone),
            name=slot.participant_name,
            duration=slot.duration_minutes,
        ),
        reply_markup=keyboard(_add_item(slot.contest_id)),
    )


@router.message(RemoteForm.materials, _NOT_COMMAND)
async def remote_materials_wrong(message: Message) -> None:
    await message.answer(tr("remote-ask-materials"), reply_markup=cancel_markup())


@router.callback_query(RemoteCancelCb.filter())
async def remote_cancel(
    query: CallbackQuery, callback_data: RemoteCancelCb, services: Services
) -> None:
    uid, sid = query.from_user.id, callback_data.slot_id
    if callback_data.action == CancelStep.YES:
        s = await services.remote.cancel_slot(uid, sid)
        when = format_dt(s.starts_at, s.timezone)
        await show(query, Screen(tr("remote-cancelled", when=when, name=s.participant_name)))
        return
    # role and region checked before anything is shown; a cancelled connection is refused at once
    s = await services.remote.slot(uid, sid, live=callback_data.action == CancelStep.ASK)
    if callback_data.action == CancelStep.KEEP:
        await show(query, Screen(tr("remote-kept")))
        return
    kb = confirm(
        RemoteCancelCb(slot_id=sid, action=CancelStep.YES),
        RemoteCancelCb(slot_id=sid, action=CancelStep.KEEP),
        yes_label=tr("remote-btn-cancel-yes"),
        no_label=tr("remote-btn-keep"),
    )
    when = format_dt(s.starts_at, s.timezone)
    text = tr("remote-cancel-confirm", when=when, name=s.participant_name)
    await query.message.answer(text, reply_markup=kb)


@router.callback_query(NavCb.filter(F.to.startswith("rmat-")))
async def remote_materials_button(
    query: CallbackQuery, callback_data: NavCb, bot: Bot, services: Services
) -> None:
    """The button of the materials notice (the outbox's buttons are ``NavCb``)."""
    slot_id = int(callback_data.to.removeprefix("rmat-")) if callback_data.to[5:].isdigit() else 0
    got = await services.remote.materials(query.from_user.id, slot_id)
    caption = tr(
        "remote-materials-caption",
        when=format_dt(got.slot.starts_at, got.slot.timezone),
        name=got.slot.participant_name,
    )
    await bot.send_document(query.from_user.id, got.file_id, caption=caption, protect_content=True)
