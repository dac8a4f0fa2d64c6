"""Coordinator: /broadcast — compose, choose the audience (with the live recipient count),
preview, confirm, then pause / resume / cancel while it runs (R-COO-1). Every change goes
through the service, which checks the role and the regions again."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from pydantic import ValidationError

from bot.callbacks import BroadcastAction, BroadcastCb, ContestCb, ContestThen, broadcast_control
from bot.handlers.coordinator import coordinated_contest
from bot.prompts import ask
from bot.screens import Button, Screen, button_label, confirm, keyboard, message_of, show
from bot.texts import tr
from models.errors import DomainError
from models.services import Services
from models.services.base import Limits
from models.services.broadcasts import BroadcastProgress, BroadcastView
from notifications.broadcasts import controls, eta_text, progress_text

router = Router(name=__name__)


class Compose(StatesGroup):
    text = State()


@router.message(Command("broadcast"))
async def broadcast(message: Message, services: Services, state: FSMContext) -> None:
    contest_id = await coordinated_contest(message, services, ContestThen.BROADCAST)
    if contest_id is not None:
        await _ask_text(message, state, contest_id)


async def _ask_text(message: Message, state: FSMContext, contest_id: int) -> None:
    """The text prompt has «Отмена» (issue #12): nothing is created until the text comes."""
    await ask(message, state, Compose.text, tr("broadcast-ask-text"), broadcast_contest=contest_id)


@router.message(Compose.text, F.text | F.photo | F.document)
async def composed(message: Message, services: Services, state: FSMContext) -> None:
    contest_id = (await state.get_data())["broadcast_contest"]
    if message.photo:
        kind, file_id, html_text = (
            "photo",
            message.photo[-1].file_id,
            message.html_text if message.caption else "",
        )
    elif message.document:
        kind, file_id, html_text = (
            "document",
            message.document.file_id,
            message.html_text if message.caption else "",
        )
    else:
        kind, file_id, html_text = None, None, message.html_text
    draft = await services.broadcasts.create_draft(
        message.from_user.id, contest_id, html_text, kind, file_id
    )
    await state.set_state(None)
    view, count = await services.broadcasts.set_audience(
        message.from_user.id, draft.id, draft.audience
    )
    text, kb = await _audience_screen(services, message.from_user.id, view, count)
    await message.answer(text, reply_markup=kb)


def _cb(bid: int, action: BroadcastAction, value: str = "") -> BroadcastCb:
    return BroadcastCb(broadcast_id=bid, action=action, value=value)


async def _audience_screen(
    services: Services, actor: int, view: BroadcastView, count: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    regions, nominations, experts_allowed = await services.broadcasts.choices(
        actor, view.contest_id
    )
    a = view.audience
    bid = view.id
    roles = ["participants", "coordinators"] + (["experts"] if experts_allowed else [])
    rows: list[Button | list[Button]] = [
        [
            (
                ("● " if a.role == role else "") + tr(f"btn-broadcast-role-{role}"),
                _cb(bid, BroadcastAction.ROLE, role),
            )
            for role in roles
        ]
    ]
    # each toggle carries its target («+77» on, «-77» off): a double tap is one change
    if a.role != "experts":
        for code, name in regions:
            on = code in a.regions
            label = ("✅ " if on else "▫️ ") + button_label(name, width=40)
            rows.append((label, _cb(bid, BroadcastAction.REGION, ("-" if on else "+") + code)))
    if a.role == "participants":
        for nid, title in nominations:
            on = nid in a.nominations
            label = ("✅ " if on else "▫️ ") + button_label(title, width=40)
            rows.append((label, _cb(bid, BroadcastAction.NOM, ("-" if on else "+") + str(nid))))
        rows.append(
            [
                (
                    ("● " if a.state == st else "") + tr(f"btn-broadcast-state-{st}"),
                    _cb(bid, BroadcastAction.STATE, st),
                )
                for st in ("all", "verified_no_application", "submitted")
            ]
        )
    rows.append((tr("btn-broadcast-next"), _cb(bid, BroadcastAction.NEXT)))
    rows.append((tr("btn-broadcast-drop"), _cb(bid, BroadcastAction.DROP)))
    filters = ""
    names = dict(regions)
    if a.regions:
        filters += tr(
            "broadcast-filter-regions", regions=", ".join(names.get(c, c) for c in a.regions)
        )
    if a.role == "participants" and a.nominations:
        titles = dict(nominations)
        filters += tr(
            "broadcast-filter-nominations",
            nominations=", ".join(titles.get(n, str(n)) for n in a.nominations),
        )
    if a.role == "participants" and a.state != "all":
        filters += tr("broadcast-filter-state", state=tr(f"broadcast-state-{a.state}"))
    text = tr(
        "broadcast-audience", role=tr(f"broadcast-role-{a.role}"), filters=filters, count=count
    )
    return text, keyboard(*rows)


def _switch(value: str) -> tuple[str, bool]:
    """«+77» switches region 77 on, «-77» off: the button carries the target, so a double tap
    is one change (a bare code from an older message switches it on)."""
    if value[:1] in "+-" and value[1:]:
        return value[1:], value[0] == "+"
    return value, True


AUDIENCE = {
    BroadcastAction.ROLE,
    BroadcastAction.REGION,
    BroadcastAction.NOM,
    BroadcastAction.STATE,
}


@router.callback_query(BroadcastCb.filter(F.action.in_(AUDIENCE)))
async def audience_changed(
    query: CallbackQuery, callback_data: BroadcastCb, services: Services
) -> None:
    actor, bid, value = query.from_user.id, callback_data.broadcast_id, callback_data.value
    change: dict[str, Any] = {}
    if callback_data.action == BroadcastAction.ROLE:
        change["role"] = value
    elif callback_data.action == BroadcastAction.REGION:
        change["region"] = _switch(value)
    elif callback_data.action == BroadcastAction.NOM:
        code, on = _switch(value)
        if not code.isdigit():
            raise DomainError("stale_button")
        change["nomination"] = (int(code), on)
    else:
        change["state"] = value
    try:
        view, count = await services.broadcasts.change_audience(actor, bid, **change)
    except ValidationError as exc:  # a forged role or state value
        raise DomainError("stale_button") from exc
    text, kb = await _audience_screen(services, actor, view, count)
    await show(query, Screen(text, kb))


@router.callback_query(BroadcastCb.filter(F.action == BroadcastAction.NEXT))
async def preview(
    query: CallbackQuery, callback_data: BroadcastCb, bot: Bot, services: Services, limits: Limits
) -> None:
    actor, bid = query.from_user.id, callback_data.broadcast_id
    view = await services.broadcasts.check_draft(
        actor, bid
    )  # a dropped or started draft: refused at once
    count = await services.broadcasts.count(actor, bid)
    await bot.send_message(actor, tr("broadcast-preview-title"))
    if view.media_kind == "photo" and view.media_file_id:
        await bot.send_photo(actor, view.media_file_id, caption=view.text_html or None)
    elif view.media_kind == "document" and view.media_file_id:
        await bot.send_document(actor, view.media_file_id, caption=view.text_html or None)
    else:
        await bot.send_message(actor, view.text_html)
    kb = keyboard(
        (tr("btn-broadcast-send", count=count), _cb(bid, BroadcastAction.SEND)) if count else None,
        (tr("btn-broadcast-edit"), _cb(bid, BroadcastAction.EDIT)),
        (tr("btn-broadcast-drop"), _cb(bid, BroadcastAction.DROP)),
    )
    rate = limits.send_rate
    text = (
        tr("broadcast-confirm", count=count, eta=eta_text(count, rate))
        if count
        else tr("err-broadcast-no-recipients")
    )
    await bot.send_message(actor, text, reply_markup=kb)


@router.callback_query(BroadcastCb.filter(F.action == BroadcastAction.EDIT))
async def edit_audience(
    query: CallbackQuery, callback_data: BroadcastCb, services: Services
) -> None:
    actor, bid = query.from_user.id, callback_data.broadcast_id
    view = await services.broadcasts.check_draft(actor, bid)
    view, count = await services.broadcasts.set_audience(actor, bid, view.audience)
    text, kb = await _audience_screen(services, actor, view, count)
    await query.message.answer(text, reply_markup=kb)


@router.callback_query(BroadcastCb.filter(F.action == BroadcastAction.DROP))
async def drop(query: CallbackQuery, callback_data: BroadcastCb, services: Services) -> None:
    """«Отменить черновик»: the draft is marked dropped in the database, so its older
    «Отправить N получателям» button is refused (issue #12)."""
    await services.broadcasts.drop(query.from_user.id, callback_data.broadcast_id)
    await show(query, Screen(tr("broadcast-dropped")))


@router.callback_query(BroadcastCb.filter(F.action == BroadcastAction.SEND))
async def send(
    query: CallbackQuery, callback_data: BroadcastCb, services: Services, limits: Limits
) -> None:
    actor = query.from_user.id
    view = await services.broadcasts.start(actor, callback_data.broadcast_id)
    await show(query, Screen(tr("broadcast-started", id=view.id)))
    first = BroadcastProgress(view.id, "running", view.total, 0, 0, 0, view.total, 0)
    progress = await query.message.answer(
        progress_text(first, limits.send_rate),
        reply_markup=controls(first, broadcast_control),
    )
    await services.broadcasts.set_progress_message(
        actor, view.id, progress.chat.id, progress.message_id
    )


CONTROLS = {
    BroadcastAction.PAUSE,
    BroadcastAction.RESUME,
    BroadcastAction.STOP,
    BroadcastAction.STOPOK,
}


@router.callback_query(BroadcastCb.filter(F.action.in_(CONTROLS)))
async def control(query: CallbackQuery, callback_data: BroadcastCb, services: Services) -> None:
    actor, bid = query.from_user.id, callback_data.broadcast_id
    if callback_data.action == BroadcastAction.STOP:
        # confirm before cancelling — only what can be cancelled
        await services.broadcasts.check_live(actor, bid)
        kb = confirm(
            _cb(bid, BroadcastAction.STOPOK),
            _cb(bid, BroadcastAction.NOOP),
            yes_label=tr("btn-broadcast-cancel-yes"),
            no_label=tr("btn-broadcast-cancel-no"),
        )
        await query.message.answer(tr("broadcast-cancel-confirm", id=bid), reply_markup=kb)
        return
    action = {
        BroadcastAction.PAUSE: services.broadcasts.pause,
        BroadcastAction.RESUME: services.broadcasts.resume,
        BroadcastAction.STOPOK: services.broadcasts.cancel,
    }[callback_data.action]
    await action(actor, bid)
    if callback_data.action == BroadcastAction.STOPOK:
        await query.message.delete()


@router.callback_query(BroadcastCb.filter(F.action == BroadcastAction.NOOP))
async def keep_going(query: CallbackQuery) -> None:
    await query.message.delete()


@router.callback_query(ContestCb.filter(F.then == ContestThen.BROADCAST))
async def contest_chosen(query: CallbackQuery, callback_data: ContestCb, state: FSMContext) -> None:
    await _ask_text(message_of(query), state, callback_data.contest_id)
