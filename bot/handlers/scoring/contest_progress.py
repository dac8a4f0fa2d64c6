"""Coordinator: /progress — how the contest is going in their regions (R-COO-2), and the same
report as an Excel workbook. The service checks the role and the regions on every call."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import ContestCb, ContestThen
from bot.handlers.coordinator import coordinated_contest
from bot.screens import keyboard
from bot.texts import format_dt, tr
from models.clock import Clock
from models.services import Services
from models.services.monitoring import ProgressReport, export_file_name
from notifications.exports import progress_workbook

router = Router(name=__name__)

#: ``ContestCb.then`` when a coordinator of several contests picks one for /progress
THEN = ContestThen.PROGRESS
#: regions listed in the message; the workbook has them all
MESSAGE_REGIONS = 12
#: Telegram allows 4096 characters in a message
MESSAGE_LIMIT = 3900


class ProgressCb(CallbackData, prefix="pg"):
    """«Выгрузить в Excel» for a contest."""

    contest_id: int


def summary_text(report: ProgressReport) -> str:
    tz = report.timezone
    at = format_dt(report.generated_at, tz)
    lines = [tr("progress-title", contest=report.contest_title)]
    if report.scope is None:
        lines.append(tr("progress-scope-all", at=at))
    else:
        names = ", ".join(r.name or r.code or "" for r in report.regions) or ", ".join(report.scope)
        lines.append(tr("progress-scope-regions", regions=names, at=at))

    v = report.verification
    lines += ["", tr("progress-verification-title")]
    lines.append(
        tr(
            "progress-verification-counts",
            pending=v.pending,
            accepted=v.accepted,
            rejected=v.rejected,
        )
    )
    lines.append(tr("progress-verification-more", draft=v.draft, withdrawn=v.withdrawn))
    age = report.oldest_pending_age
    if age is None:
        lines.append(tr("progress-no-pending"))
    else:
        key = (
            "progress-oldest-pending-overdue"
            if report.oldest_pending_overdue
            else "progress-oldest-pending"
        )
        lines.append(
            tr(
                key,
                waiting=tr("progress-days", days=age.days),
                since=format_dt(v.oldest_pending_at, tz),
            )
        )

    lines += [
        "",
        tr("progress-applications-title", drafts=report.drafts, submitted=report.submitted),
    ]
    active = [
        r
        for r in report.regions
        if r.code is not None and (r.drafts or r.submitted or r.no_application)
    ]
    if not active:
        lines.append(tr("progress-applications-none"))
    for region in active[:MESSAGE_REGIONS]:
        name = region.name or tr("progress-no-region")
        if region.no_application:
            lines.append(
                tr(
                    "progress-region-no-application",
                    region=name,
                    drafts=region.drafts,
                    submitted=region.submitted,
                    count=region.no_application,
                )
            )
        else:
            lines.append(
                tr(
                    "progress-region-line",
                    region=name,
                    drafts=region.drafts,
                    submitted=region.submitted,
                )
            )
        for a in report.applications:
            if a.region_code == region.code and (a.drafts or a.submitted):
                lines.append(
                    tr(
                        "progress-nomination-line",
                        nomination=a.nomination_title,
                        drafts=a.drafts,
                        submitted=a.submitted,
                    )
                )
    if len(active) > MESSAGE_REGIONS:
        lines.append(tr("progress-more-regions", count=len(active) - MESSAGE_REGIONS))

    lines += ["", tr("progress-scoring-title")]
    if not report.scoring:
        lines.append(tr("progress-scoring-none"))
    for s in report.scoring:
        lines.append(
            tr(
                "progress-scoring-line",
                region=s.region_name,
                nomination=s.nomination_title,
                scored=s.scored,
                total=s.to_score,
                percent=s.percent,
            )
        )

    if report.results_changed:  # «итоги изменены после публикации» (R-APL-9, issue #12)
        lines += ["", tr("progress-results-changed-title")]
        for c in report.results_changed:
            lines.append(
                tr(
                    "progress-results-changed-line",
                    scheme=c.scheme_title,
                    at=format_dt(c.changed_at, tz),
                    count=c.participants,
                    version=c.protocol_version,
                    signed=c.protocol_signed,
                    total=c.protocol_signers,
                )
            )

    lines += ["", tr("progress-signatures-title")]
    if not report.signatures:
        lines.append(tr("progress-signatures-none"))
    for m in report.signatures:
        lines.append(
            tr(
                "progress-signature-line",
                protocol=m.protocol,
                signer=m.signer,
                since=format_dt(m.since, tz),
            )
        )
    return _fit(lines)


def _fit(lines: list[str]) -> str:
    """Whole lines up to Telegram's message size; the rest is in the workbook."""
    text = "\n".join(lines)
    if len(text) <= MESSAGE_LIMIT:
        return text
    tail = tr("progress-truncated")
    kept: list[str] = []
    size = len(tail) + 1
    for line in lines:
        if size + len(line) + 1 > MESSAGE_LIMIT:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join([*kept, tail])


def _export_button(contest_id: int) -> InlineKeyboardMarkup | None:
    return keyboard((tr("progress-btn-export"), ProgressCb(contest_id=contest_id)))


async def _send_summary(
    bot: Bot, chat_id: int, services: Services, user_id: int, contest_id: int
) -> None:
    report = await services.monitoring.progress(user_id, contest_id)
    await bot.send_message(
        chat_id, summary_text(report), reply_markup=_export_button(report.contest_id)
    )


@router.message(Command("progress"))
async def progress(message: Message, bot: Bot, services: Services) -> None:
    contest_id = await coordinated_contest(message, services, THEN)
    if contest_id is not None:
        await _send_summary(bot, message.chat.id, services, message.from_user.id, contest_id)


@router.callback_query(ContestCb.filter(F.then == THEN))
async def contest_chosen(
    query: CallbackQuery, callback_data: ContestCb, bot: Bot, services: Services
) -> None:
    await _send_summary(
        bot, query.from_user.id, services, query.from_user.id, callback_data.contest_id
    )


@router.callback_query(ProgressCb.filter())
async def export(
    query: CallbackQuery, callback_data: ProgressCb, bot: Bot, services: Services, clock: Clock
) -> None:
    """The workbook; the button proves nothing — the service checks the role again."""
    data = progress_workbook(
        await services.monitoring.progress(query.from_user.id, callback_data.contest_id)
    )
    contest = await services.contests.contest(callback_data.contest_id)
    now = clock.now()
    await bot.send_document(
        query.from_user.id,
        BufferedInputFile(data, filename=export_file_name(contest.code, now, contest.timezone)),
        caption=tr(
            "progress-export-caption", contest=contest.title, at=format_dt(now, contest.timezone)
        ),
        reply_markup=_back_to_summary(contest.id),  # issue #15: a way back from every result
    )


def _back_to_summary(contest_id: int) -> InlineKeyboardMarkup | None:
    """«⬅️ К сводке»: the /progress summary of the contest again (fresh figures)."""
    return keyboard((tr("nxt-btn-back-summary"), ContestCb(contest_id=contest_id, then=THEN)))
