"""Coordinators: a scheme's results (R-RES-1), promoting the winners to the next stage
(R-APP-8), and the scoring workbook."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import BufferedInputFile, CallbackQuery

from bot.handlers.scoring.callbacks import MenuCb, ResultsAction, ResultsCb
from bot.handlers.scoring.common import back_menu, points, reply, steps
from bot.screens import Screen, confirm, keyboard, show
from bot.texts import tr
from models.services import Services
from notifications.exports import scoring_workbook

router = Router(name=__name__)


@router.callback_query(ResultsCb.filter(F.action == ResultsAction.VIEW))
async def results(query: CallbackQuery, callback_data: ResultsCb, services: Services) -> None:
    sid = callback_data.scheme_id
    r = await services.results.results(query.from_user.id, sid)
    if not r.complete:
        await reply(query, Screen(tr("sco-results-not-locked"), steps(back_menu(sid))))
        return
    lines = [tr("sco-results-title", title=r.title)]
    region: object = object()
    for ln in r.lines:
        if ln.region != region and ln.region is not None:
            region = ln.region
            lines.append(f"<b>{ln.region}</b>")
        medal = tr(f"sco-medal-{ln.medal}") if ln.medal else ""
        advances = " " + tr("sco-advances") if ln.advances else ""
        lines.append(
            tr(
                "sco-results-line",
                place=ln.place,
                label=ln.label,
                total=points(ln.total),
                medal=medal,
            )
            + advances
        )
    key, data = back_menu(sid)
    kb = keyboard(
        (tr("sco-btn-promote"), ResultsCb(scheme_id=sid, action=ResultsAction.PROMOTE))
        if any(ln.advances for ln in r.lines)
        else None,
        (tr("sco-btn-export"), ResultsCb(scheme_id=sid, action=ResultsAction.EXPORT)),
        (tr(key), data),
    )
    await reply(query, Screen("\n".join(lines), kb))


@router.callback_query(ResultsCb.filter(F.action == ResultsAction.PROMOTE))
async def promote_ask(query: CallbackQuery, callback_data: ResultsCb, services: Services) -> None:
    sid = callback_data.scheme_id
    r = await services.results.results(query.from_user.id, sid)
    kb = confirm(
        ResultsCb(scheme_id=sid, action=ResultsAction.PROMOTE_OK),
        MenuCb(scheme_id=sid),
        yes_label=tr("sco-btn-promote-yes"),
        no_label=tr("sco-btn-cancel"),
    )
    text = tr("sco-promote-ask", count=sum(1 for ln in r.lines if ln.advances))
    await reply(query, Screen(text, kb))


@router.callback_query(ResultsCb.filter(F.action == ResultsAction.PROMOTE_OK))
async def promote(query: CallbackQuery, callback_data: ResultsCb, services: Services) -> None:
    sid = callback_data.scheme_id
    moved = await services.results.promote_winners(query.from_user.id, sid)
    kb = steps(("nxt-btn-back-results", ResultsCb(scheme_id=sid)), back_menu(sid))
    await show(query, Screen(tr("sco-promoted", count=moved), kb))


@router.callback_query(ResultsCb.filter(F.action == ResultsAction.EXPORT))
async def export(
    query: CallbackQuery, callback_data: ResultsCb, bot: Bot, services: Services
) -> None:
    uid, sid = query.from_user.id, callback_data.scheme_id
    sheets = await services.scoring_reports.score_sheets(uid, sid)
    r = await services.results.results(uid, sid)
    data = scoring_workbook(r, sheets)
    await bot.send_document(
        uid,
        BufferedInputFile(data, filename=f"scoring-{sid}.xlsx"),
        caption=tr("sco-export-ready", title=r.title),
        reply_markup=steps(back_menu(sid)),
    )
