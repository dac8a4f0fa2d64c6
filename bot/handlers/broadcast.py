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
from aiogram.utils.keyboard import InlineKeyboardBuilder
from pydantic import ValidationError

from bot.callbacks import BroadcastCb, ContestCb, broadcast_control
from bot.flow import button_label
from bot.handlers.coordinator import _coordinated_contest
from bot.prompts import ask
from bot.texts import tr
from models.errors import DomainError
from models.services import Services
from models.services.broadcasts import BroadcastProgress, BroadcastView
from notifications.broadcasts import controls, eta_text, progress_text

router = Router(name=__name__)


class Compose(StatesGroup):
    text = State()


@router.message(Command("broadcast"))
async def broadcast(message: Message, services: Services, state: FSMContext) -> None:
    contest_id = await _coordinated_contest(message, services, "broadcast")
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


async def _audience_screen(
    services: Services, actor: int, view: BroadcastView, count: int
) -> tuple[str, InlineKeyboardMarkup]:
    regions, nominations, experts_allowed = await services.broadcasts.choices(
        actor, view.contest_id
    )
    a = view.audience
    bid = view.id
    kb = InlineKeyboardBuilder()
    roles = ["participants", "coordinators"] + (["experts"] if experts_allowed else [])
    for role in roles:
        mark = "● " if a.role == role else ""
        kb.button(
            text=mark + tr(f"btn-broadcast-role-{role}"),
            callback_data=BroadcastCb(broadcast_id=bid, action="role", value=role),
        )
    sizes = [len(roles)]
    if a.role != "experts":
        for code, name in regions:
            kb.button(
                text=("✅ " if code in a.regions else "▫️ ") + button_label(name, width=40),
                callback_data=BroadcastCb(
                    broadcast_id=bid,
                    action="region",
                    value=("-" if code in a.regions else "+") + code,
                ),
            )
        sizes += [1] * len(regions)
    if a.role == "participants":
        for nid, title in nominations:
            kb.button(
                text=("✅ " if nid in a.nominations else "▫️ ") + button_label(title, width=40),
                callback_data=BroadcastCb(
                    broadcast_id=bid,
                    action="nom",
                    value=("-" if nid in a.nominations else "+") + str(nid),
                ),
            )
        sizes += [1] * len(nominations)
        for st in ("all", "verified_no_application", "submitted"):
            kb.button(
                text=("● " if a.state == st else "") + tr(f"btn-broadcast-state-{st}"),
                callback_data=BroadcastCb(broadcast_id=bid, action="state", value=st),
            )
        sizes.append(3)
    kb.button(
        text=tr("btn-broadcast-next"), callback_data=BroadcastCb(broadcast_id=bid, action="next")
    )
    kb.button(
        text=tr("btn-broadcast-drop"), callback_data=BroadcastCb(broadcast_id=bid, action="drop")
    )
    sizes += [1, 1]
    kb.adjust(*sizes)
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
    return text, kb.as_markup()


def _switch(value: str) -> tuple[str, bool]:
    """«+77» switches region 77 on, «-77» off: the button carries the target, so a double tap
    is one change (a bare code from an older message switches it on)."""
    if value[:1] in "+-" and value[1:]:
        return value[1:], value[0] == "+"
    return value, True


@router.callback_query(BroadcastCb.filter(F.action.in_({"role", "region", "nom", "state"})))
async def audience_changed(
    query: CallbackQuery, callback_data: BroadcastCb, services: Services
) -> None:
    actor, bid, value = query.from_user.id, callback_data.broadcast_id, callback_data.value
    change: dict[str, Any] = {}
    if callback_data.action == "role":
        change["role"] = value
    elif callback_data.action == "region":
        change["region"] = _switch(value)
    elif callback_data.action == "nom":
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
    await query.answer()
    text, kb = await _audience_screen(services, actor, view, count)
    await query.message.edit_text(text, reply_markup=kb)


@router.callback_query(BroadcastCb.filter(F.action == "next"))
async def preview(
    query: CallbackQuery, callback_data: BroadcastCb, bot: Bot, services: Services
) -> None:
    actor, bid = query.from_user.id, callback_data.broadcast_id
    view = await services.broadcasts.check_draft(
        actor, bid
    )  # a dropped or started draft: refused at once
    count = await services.broadcasts.count(actor, bid)
    await query.answer()
    await bot.send_message(actor, tr("broadcast-preview-title"))
    if view.media_kind == "photo":
        await bot.send_photo(actor, view.media_file_id, caption=view.text_html or None)
    elif view.media_kind == "document":
        await bot.send_document(actor, view.media_file_id, caption=view.text_html or None)
    else:
        await bot.send_message(actor, view.text_html)
    kb = InlineKeyboardBuilder()
    if count:
        kb.button(
            text=tr("btn-broadcast-send", count=count),
            callback_data=BroadcastCb(broadcast_id=bid, action="send"),
        )
    kb.button(
        text=tr("btn-broadcast-edit"), callback_data=BroadcastCb(broadcast_id=bid, action="edit")
    )
    kb.button(
        text=tr("btn-broadcast-drop"), callback_data=BroadcastCb(broadcast_id=bid, action="drop")
    )
    kb.adjust(1)
    rate = services.ctx.send_rate
    text = (
        tr("broadcast-confirm", count=count, eta=eta_text(count, rate))
        if count
        else tr("err-broadcast-no-recipients")
    )
    await bot.send_message(actor, text, reply_markup=kb.as_markup())


@router.callback_query(BroadcastCb.filter(F.action == "edit"))
async def edit_audience(
    query: CallbackQuery, callback_data: BroadcastCb, services: Services
) -> None:
    actor, bid = query.from_user.id, callback_data.broadcast_id
    view = await services.broadcasts.check_draft(actor, bid)
    view, count = await services.broadcasts.set_audience(actor, bid, view.audience)
    await query.answer()
    text, kb = await _audience_screen(services, actor, view, count)
    await query.message.answer(text, reply_markup=kb)


@router.callback_query(BroadcastCb.filter(F.action == "drop"))
async def drop(query: CallbackQuery, callback_data: BroadcastCb, services: Services) -> None:
    """«Отменить черновик»: the draft is marked dropped in the database, so its older
    «Отправить N получателям» button is refused (issue #12)."""
    await services.broadcasts.drop(query.from_user.id, callback_data.broadcast_id)
    await query.answer()
    await query.message.edit_text(tr("broadcast-dropped"))


@router.callback_query(BroadcastCb.filter(F.action == "send"))
async def send(query: CallbackQuery, callback_data: BroadcastCb, services: Services) -> None:
    actor = query.from_user.id
    view = await services.broadcasts.start(actor, callback_data.broadcast_id)
    await query.answer()
    await query.message.edit_text(tr("broadcast-started", id=view.id))
    first = BroadcastProgress(view.id, "running", view.total, 0, 0, 0, view.total, 0)
    progress = await query.message.answer(
        progress_text(first, services.ctx.send_rate),
        reply_markup=controls(first, broadcast_control),
    )
    await services.broadcasts.set_progress_message(
        actor, view.id, progress.chat.id, progress.message_id
    )


@router.callback_query(BroadcastCb.filter(F.action.in_({"pause", "resume", "stop", "stopok"})))
async def control(query: CallbackQuery, callback_data: BroadcastCb, services: Services) -> None:
    actor, bid = query.from_user.id, callback_data.broadcast_id
    if callback_data.action == "stop":  # confirm before cancelling — only what can be cancelled
        await services.broadcasts.check_live(actor, bid)
        await query.answer()
        kb = InlineKeyboardBuilder()
        kb.button(
            text=tr("btn-broadcast-cancel-yes"),
            callback_data=BroadcastCb(broadcast_id=bid, action="stopok"),
        )
        kb.button(
            text=tr("btn-broadcast-cancel-no"),
            callback_data=BroadcastCb(broadcast_id=bid, action="noop"),
        )
        kb.adjust(1)
        await query.message.answer(
            tr("broadcast-cancel-confirm", id=bid), reply_markup=kb.as_markup()
        )
        return
    action = {
        "pause": services.broadcasts.pause,
        "resume": services.broadcasts.resume,
        "stopok": services.broadcasts.cancel,
    }[callback_data.action]
    await action(actor, bid)
    await query.answer()
    if callback_data.action == "stopok":
        await query.message.delete()


@router.callback_query(BroadcastCb.filter(F.action == "noop"))
async def keep_going(query: CallbackQuery) -> None:
    await query.answer()
    await query.message.delete()


@router.callback_query(ContestCb.filter(F.then == "broadcast"))
async def contest_chosen(query: CallbackQuery, callback_data: ContestCb, state: FSMContext) -> None:
    await query.answer()
    await _ask_text(query.message, state, callback_data.contest_id)
