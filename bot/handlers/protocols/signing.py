"""A protocol's card, its PDF, signing and refusing it (R-PRO-2), and /protocols: the
scheme's protocols for its chief expert and coordinators."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.callbacks import ChiefCb, ProtocolAction, ProtocolCb
from bot.handlers.protocols.callbacks import PubAction, PubCb
from bot.handlers.protocols.wording import (
    back_protocol,
    drop_buttons,
    pdf_item,
    protocol_text,
    scheme_brief,
    scheme_picker,
    staff_schemes,
    state_lines,
    steps,
)
from bot.prompts import ask, confirm_markup
from bot.screens import Button, Screen, choices, keyboard, message_of, send
from bot.texts import tr
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.base import Limits
from models.services.scoring import SchemeBrief

router = Router(name=__name__)

_NOT_COMMAND = F.text & ~F.text.startswith("/")

#: Telegram allows 100 buttons on a message; keep room for the scheme's own buttons
MAX_PDF_BUTTONS = 90


class ProtocolForm(StatesGroup):
    refusal_reason = State()
    verify_file = State()


def _card(view_id: int, version: int, action: ProtocolAction) -> ProtocolCb:
    return ProtocolCb(protocol_id=view_id, version=version, action=action)


# --------------------------------------------------------------------------- signing (R-PRO-2)


@router.callback_query(
    ProtocolCb.filter(F.action.in_({ProtocolAction.SIGN, ProtocolAction.RESIGN}))
)
async def sign(query: CallbackQuery, callback_data: ProtocolCb, services: Services) -> None:
    """«Подписать» (once, on the button's version); «Всё-таки подписать» under one's own
    refusal is the only way to sign a version one refused, so «Подписать» and «Отказаться»
    pressed together never both count."""
    # one entry for every kind: a mentor's sheet and a correction go through their scoring step
    view = await services.signing.sign(
        query.from_user.id,
        callback_data.protocol_id,
        callback_data.version,
        over_refusal=callback_data.action == ProtocolAction.RESIGN,
    )
    await drop_buttons(query)
    text = tr("pro-signed", title=view.title, version=view.version)
    await query.message.answer(
        "\n".join([text, *state_lines(view)]), reply_markup=steps(back_protocol(view))
    )


@router.callback_query(
    ProtocolCb.filter(F.action.in_({ProtocolAction.REFUSE, ProtocolAction.REFUSEEDIT}))
)
async def refuse_ask(
    query: CallbackQuery, callback_data: ProtocolCb, services: Services, state: FSMContext
) -> None:
    """«Отказаться»: an old version, a signature or a refusal already given are refused at
    once, before the reason is asked."""
    view = await services.protocols.check_decision(
        query.from_user.id, callback_data.protocol_id, callback_data.version
    )
    await ask(
        message_of(query),
        state,
        ProtocolForm.refusal_reason,
        tr("pro-refuse-ask", title=view.title, version=view.version),
        back=_card(view.id, view.version, ProtocolAction.VIEW),
        pro_refuse=[view.id, view.version],
        pro_refuse_reason=None,
    )


@router.message(ProtocolForm.refusal_reason, _NOT_COMMAND)
async def refuse(message: Message, services: Services, state: FSMContext) -> None:
    """The reason decides about a protocol others sign: shown back with «Подтвердить» /
    «Изменить» before it is recorded. A new text replaces the draft."""
    data = await state.get_data()
    protocol_id, version = data.get("pro_refuse") or (0, 0)
    reason = services.protocols.check_reason(message.text)
    view = await services.protocols.check_decision(message.from_user.id, protocol_id, version)
    await state.update_data(pro_refuse_reason=reason)
    await message.answer(
        tr("pro-refuse-check", title=view.title, version=view.version, reason=reason),
        reply_markup=confirm_markup(
            _card(protocol_id, version, ProtocolAction.REFUSEOK),
            _card(protocol_id, version, ProtocolAction.REFUSEEDIT),
        ),
    )


@router.callback_query(ProtocolCb.filter(F.action == ProtocolAction.REFUSEOK))
async def refuse_confirm(
    query: CallbackQuery, callback_data: ProtocolCb, services: Services, state: FSMContext
) -> None:
    """«Подтвердить» the refusal: only the draft of the prompt still open for this very
    version (after «Отмена» or a command the old button changes nothing)."""
    data = await state.get_data()
    reason = data.get("pro_refuse_reason")
    if (
        await state.get_state() != ProtocolForm.refusal_reason.state
        or list(data.get("pro_refuse") or []) != [callback_data.protocol_id, callback_data.version]
        or not reason
    ):
        raise DomainError("guard_draft_lost")
    view = await services.protocols.refuse(
        query.from_user.id, callback_data.protocol_id, callback_data.version, reason
    )
    await state.set_state(None)
    await state.update_data(pro_refuse=None, pro_refuse_reason=None)
    await drop_buttons(query)
    key, back = back_protocol(view)
    text = "\n".join(
        [tr("pro-refused-recorded", title=view.title, version=view.version), *state_lines(view)]
    )
    markup = keyboard(
        (tr("pro-btn-resign"), _card(view.id, view.version, ProtocolAction.RESIGN)),
        (tr(key), back),
    )
    await query.message.answer(text, reply_markup=markup)


@router.message(ProtocolForm.refusal_reason, ~F.text)
async def refuse_not_text(message: Message) -> None:
    await message.answer(tr("pro-refuse-need-text"))


# --------------------------------------------------------------------------- one protocol, its PDF


@router.callback_query(ProtocolCb.filter(F.action == ProtocolAction.VIEW))
async def view_one(query: CallbackQuery, callback_data: ProtocolCb, services: Services) -> None:
    view = await services.protocols.view(query.from_user.id, callback_data.protocol_id)
    items: list[Button] = []
    if view.pdf_path:
        items.append(pdf_item(view))
    # the chief expert and coordinators: back to the scheme's protocols
    if view.scheme_id is not None:
        mine = await staff_schemes(services, query.from_user.id, {"chief", "coordinator"})
        if any(s.id == view.scheme_id for s in mine):
            to_list = PubCb(scheme_id=view.scheme_id, action=PubAction.LIST)
            items.append((tr("nxt-btn-back-protocols"), to_list))
    await query.message.answer(protocol_text(view), reply_markup=choices(items))


@router.callback_query(ProtocolCb.filter(F.action == ProtocolAction.PDF))
async def pdf(
    query: CallbackQuery, callback_data: ProtocolCb, bot: Bot, services: Services, limits: Limits
) -> None:
    """The stored file again — signers, the chief expert and coordinators (the service checks)."""
    view = await services.protocols.view(query.from_user.id, callback_data.protocol_id)
    if not view.pdf_path or limits.files_dir is None:
        raise DomainError("protocol_not_ready")
    path = Path(limits.files_dir) / view.pdf_path
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError:
        raise DomainError("protocol_not_ready") from None
    caption = tr(
        "pro-pdf-caption",
        title=view.title,
        version=view.version,
        status=tr(f"pro-status-{view.status}"),
    )
    await bot.send_document(
        query.from_user.id,
        BufferedInputFile(data, filename=f"protocol-{view.id}-v{view.version}.pdf"),
        caption=caption,
    )


# --------------------------------------------------------------------------- /protocols


@router.message(Command("protocols"))
async def protocols_cmd(message: Message, services: Services, state: FSMContext) -> None:
    await state.set_state(None)
    uid = message.from_user.id
    schemes = await staff_schemes(services, uid, {"chief", "coordinator"})
    if not schemes:
        raise Forbidden("pro_chief_or_coordinator")
    if len(schemes) == 1:
        await _protocol_list(message, services, uid, schemes[0])
        return
    await message.answer(
        tr("pro-choose-scheme"), reply_markup=scheme_picker(schemes, PubAction.LIST)
    )


@router.callback_query(PubCb.filter(F.action == PubAction.LIST))
async def protocols_list(query: CallbackQuery, callback_data: PubCb, services: Services) -> None:
    uid = query.from_user.id
    brief = await scheme_brief(services, uid, callback_data.scheme_id, {"chief", "coordinator"})
    await _protocol_list(message_of(query), services, uid, brief)


async def _protocol_list(
    message: Message, services: Services, uid: int, brief: SchemeBrief
) -> None:
    views = await services.protocols.for_scheme(uid, brief.id)
    lines = [tr("pro-list-title", title=brief.title, stage=brief.stage, count=len(views))]
    items: list[Button] = []
    if not views:
        lines.append(tr("pro-list-empty"))
    for i, v in enumerate(views):
        lines.append("")
        lines.append(protocol_text(v))
        if v.pdf_path and i < MAX_PDF_BUTTONS:
            items.append(pdf_item(v))
    if "coordinator" in brief.roles:
        items.append((tr("pub-btn-screen"), PubCb(scheme_id=brief.id, action=PubAction.PUB)))
    if "chief" in brief.roles:  # issue #15: the way back to the scoring setup
        items.append((tr("nxt-btn-back-setup"), ChiefCb(scheme_id=brief.id)))
    await send(message, Screen("\n".join(lines), choices(items)))


__all__ = ["MAX_PDF_BUTTONS", "ProtocolForm", "router"]
