"""The chief expert's paper backup sheets (issue #16, seed 002 §6.7): from the chief's screen,
«🖨 Бумажные ведомости» — blank handwritten sheets per subcriterion and participant, and an
assessment group's filled sheet for signing, sent as PDF documents.

The buttons prove nothing: the service checks that the person is the scheme's chief expert
(R-ROLE-2) before anything is rendered, so a forged press gets the refusal and no file."""

from __future__ import annotations

import asyncio
import re
from enum import StrEnum

from aiogram import Bot, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup

from bot.handlers.scoring.common import back_setup, reply, steps
from bot.screens import Button, Screen, button_label, choices
from bot.texts import tr
from models.services import Services
from models.services.scoring.paper_views import PaperChoices
from notifications.paper_sheets import render_blank, render_group


class PaperAction(StrEnum):
    MENU = "menu"
    BLANK = "blank"  # item: a subcriterion's id, 0 — every subcriterion
    GROUP = "group"  # item: an assessment group's id


class PaperCb(CallbackData, prefix="sgpp"):
    """The paper sheets of a scheme (the chief expert, 002 §6.7)."""

    scheme_id: int
    action: PaperAction = PaperAction.MENU
    item: int = 0


router = Router(name=__name__)


def paper_button(scheme_id: int) -> Button:
    """«🖨 Бумажные ведомости» on the chief expert's screen."""
    return tr("paper-btn-open"), PaperCb(scheme_id=scheme_id)


def _menu(c: PaperChoices) -> Screen:
    sid = c.scheme_id
    lines = [tr("paper-menu-title", title=c.title), tr("paper-menu-help")]
    blank: list[Button] = []
    if not c.locked:
        lines.append(tr("paper-menu-not-locked"))
    elif not c.targets:
        lines.append(tr("paper-menu-no-targets"))
    else:
        lines.append(tr("paper-menu-blank"))
        blank.append((tr("paper-btn-blank-all"), PaperCb(scheme_id=sid, action=PaperAction.BLANK)))
        blank += [
            (
                # a label is not HTML: the title as written, never escaped by tr()
                button_label(f"📄 {s.code} {s.title}", width=28),
                PaperCb(scheme_id=sid, action=PaperAction.BLANK, item=s.id),
            )
            for s in c.subcriteria
        ]
    groups: list[Button] = []
    if not c.groups:
        lines.append(tr("paper-menu-no-groups"))
    elif c.locked and c.targets:
        lines.append(tr("paper-menu-groups"))
        groups = [
            (
                tr("paper-btn-group", code=g.code),
                PaperCb(scheme_id=sid, action=PaperAction.GROUP, item=g.id),
            )
            for g in c.groups
        ]
    key, data = back_setup(sid)
    kb = choices(
        blank[1:],
        per_row=2,
        tail=[blank[0] if blank else None, *groups, (tr(key), data)],
    )
    return Screen("\n\n".join(lines), kb)


def _back(scheme_id: int) -> InlineKeyboardMarkup:
    return steps(("paper-btn-back", PaperCb(scheme_id=scheme_id)), back_setup(scheme_id))


def _file_part(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "_", text).strip("_") or "x"


@router.callback_query(PaperCb.filter(F.action == PaperAction.MENU))
async def menu(query: CallbackQuery, callback_data: PaperCb, services: Services) -> None:
    c = await services.paper_sheets.choices(query.from_user.id, callback_data.scheme_id)
    await reply(query, _menu(c))


@router.callback_query(PaperCb.filter(F.action == PaperAction.BLANK))
async def blank(query: CallbackQuery, callback_data: PaperCb, bot: Bot, services: Services) -> None:
    uid, sid = query.from_user.id, callback_data.scheme_id
    # the service first: a refusal (not the chief, not locked…) before any «готовлю»
    sheets = await services.paper_sheets.blank(uid, sid, callback_data.item or None)
    count = len(sheets.pages)
    await bot.send_message(uid, tr("paper-preparing-blank", count=count))
    data = await asyncio.to_thread(render_blank, sheets)  # a few hundred pages: not on the loop
    code = sheets.subcriterion_code
    what = tr("paper-blank-one", code=code) if code else tr("paper-blank-all")
    name = f"blank-{sid}-{_file_part(code) if code else 'all'}.pdf"
    await bot.send_document(
        uid,
        BufferedInputFile(data, filename=name),
        caption=tr("paper-blank-ready", what=what, count=count),
        reply_markup=_back(sid),
    )


@router.callback_query(PaperCb.filter(F.action == PaperAction.GROUP))
async def group(query: CallbackQuery, callback_data: PaperCb, bot: Bot, services: Services) -> None:
    uid, sid = query.from_user.id, callback_data.scheme_id
    sheet = await services.paper_sheets.group_sheet(uid, sid, callback_data.item)
    await bot.send_message(uid, tr("paper-preparing-group", code=sheet.group_code))
    data = await asyncio.to_thread(render_group, sheet)
    await bot.send_document(
        uid,
        BufferedInputFile(data, filename=f"group-{sid}-{_file_part(sheet.group_code)}.pdf"),
        caption=tr("paper-group-ready", code=sheet.group_code),
        reply_markup=_back(sid),
    )
