"""The chief expert's marking analytics (issue #16): «📊 Аналитика оценивания» on the chief's
screen — each expert of the scheme with their marks, re-score outliers and changed marks,
the means once the scores are locked (R-SCO-5) — and the same as an XLSX download.

The button proves nothing: ``services.marking_analytics`` checks the chief expert again
(R-ROLE-2), and a forged press is refused by the error handler."""

from __future__ import annotations

import asyncio
from decimal import ROUND_HALF_UP, Decimal

from aiogram import Bot, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery

from bot.handlers.scoring.common import back_setup, points, reply, steps
from bot.screens import Screen
from bot.texts import LANGUAGE, tr
from models.services import Services
from models.services.scoring.analytics import ExpertAnalytics, MarkingAnalytics
from notifications.analytics_sheet import analytics_workbook

router = Router(name=__name__)


class AnalyticsCb(CallbackData, prefix="sgan"):
    """The marking analytics of a scheme; ``xlsx`` — as a workbook to download."""

    scheme_id: int
    xlsx: bool = False


def _signed(value: Decimal) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return sign + points(abs(value))


def _percent(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)} %"


def _expert_lines(e: ExpertAnalytics) -> list[str]:
    lines = [
        tr("mka-expert", name=e.name, groups=", ".join(e.groups) or "—", marks=e.marks),
    ]
    details = []
    if e.mean is not None and e.group_mean is not None:
        details.append(
            tr(
                "mka-expert-means",
                mean=points(e.mean),
                group=points(e.group_mean),
                diff=_signed(e.mean - e.group_mean),
            )
        )
    if e.yes_share is not None and e.group_yes_share is not None:
        details.append(
            tr("mka-expert-yes", yes=_percent(e.yes_share), group_yes=_percent(e.group_yes_share))
        )
    details.append(
        tr(
            "mka-expert-counts",
            comparisons=e.comparisons,
            outliers=e.outliers,
            changed=e.changed,
            corrected=e.corrected,
        )
    )
    lines.append("   " + "; ".join(details))
    return lines


def analytics_text(a: MarkingAnalytics) -> str:
    lines = [tr("mka-title", title=a.title)]
    lines.append(tr("mka-means-note") if a.means_shown else tr("mka-counts-only"))
    lines.append("")
    if not a.experts:
        lines.append(tr("mka-no-experts"))
    for e in a.experts:
        lines += _expert_lines(e)
    lines.append("")
    lines.append(tr("mka-total", comparisons=a.comparisons))
    if a.no_data:
        lines.append(tr("mka-no-data", count=a.no_data))
    lines.append(tr("mka-outlier-rule"))
    return "\n".join(lines)


@router.callback_query(AnalyticsCb.filter(~F.xlsx))
async def analytics(query: CallbackQuery, callback_data: AnalyticsCb, services: Services) -> None:
    sid = callback_data.scheme_id
    a = await services.marking_analytics.analytics(query.from_user.id, sid)
    kb = steps(("mka-btn-xlsx", AnalyticsCb(scheme_id=sid, xlsx=True)), back_setup(sid))
    await reply(query, Screen(analytics_text(a), kb))  # long: cut into messages, buttons last


@router.callback_query(AnalyticsCb.filter(F.xlsx))
async def download(
    query: CallbackQuery, callback_data: AnalyticsCb, bot: Bot, services: Services
) -> None:
    uid, sid = query.from_user.id, callback_data.scheme_id
    a = await services.marking_analytics.analytics(uid, sid)
    # openpyxl is CPU work: off the event loop, as the paper sheets' PDF
    data = await asyncio.to_thread(analytics_workbook, a, LANGUAGE.get())
    await bot.send_document(
        uid,
        BufferedInputFile(data, filename=f"analytics-{sid}.xlsx"),
        caption=tr("mka-xlsx-ready", title=a.title),
        reply_markup=steps(("mka-btn-open", AnalyticsCb(scheme_id=sid)), back_setup(sid)),
    )
