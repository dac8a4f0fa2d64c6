"""An expert reviews their own marks of one participant before «Подтвердить оценки» (issue
#16, R-SCO-4): one subcriterion a screen (a long one in parts), each aspect with the expert's
mark and a button that opens its screen; after a change, back to the same page.

Read from ``services.expert_sheets.sheet`` (which checks the expert's role and groups again);
every change goes through ``services.marks.enter_mark``. After the confirmation only a mark
waiting for a re-score can be changed, after the score lock none: the buttons say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import F, Router
from aiogram.types import CallbackQuery

from bot.handlers.scoring.callbacks import (
    ConfirmSheetCb,
    ReviewCb,
    ReviewScoreCb,
    WorklistCb,
)
from bot.handlers.scoring.common import (
    group_marks_text,
    item_screen,
    mark_label,
    saved_note,
)
from bot.screens import Button, Screen, button_label, choices, pager, show
from bot.texts import tr
from models.services import Services
from models.services.scoring.expert_sheet import ExpertSheet, SheetCell, SheetSection

router = Router(name=__name__)

#: aspect buttons a screen at most: a subcriterion with more is shown in parts
PAGE_SIZE = 12


@dataclass(frozen=True, slots=True)
class ReviewPage:
    section: SheetSection
    part: int
    parts: int
    cells: tuple[SheetCell, ...]


def pages_of(sheet: ExpertSheet) -> list[ReviewPage]:
    """The review's pages: a subcriterion each, cut into parts of ``PAGE_SIZE`` aspects."""
    out: list[ReviewPage] = []
    for sec in sheet.sections:
        chunks = [sec.cells[i : i + PAGE_SIZE] for i in range(0, len(sec.cells), PAGE_SIZE)]
        out += [ReviewPage(sec, n + 1, len(chunks), chunk) for n, chunk in enumerate(chunks)]
    return out


def _line(cell: SheetCell) -> str:
    mark = mark_label(cell.kind, cell.options, cell.value)
    if cell.stale:
        marks = group_marks_text(cell.kind, cell.options, cell.group_marks) or "—"
        return tr("rev-line-stale", code=cell.code, title=cell.title, marks=marks, mark=mark)
    if cell.value is None:
        return tr("rev-line-missing", code=cell.code, title=cell.title)
    return tr("rev-line", code=cell.code, title=cell.title, mark=mark)


def _cell_button(sheet: ExpertSheet, cell: SheetCell, page: int) -> Button:
    if cell.value is None:
        label = tr("rev-btn-cell-missing", code=cell.code)
    else:
        mark = mark_label(cell.kind, cell.options, cell.value, short=True)
        label = tr("rev-btn-cell", code=("⚠️ " if cell.stale else "") + cell.code, mark=mark)
    data = ReviewScoreCb(target_id=sheet.target_id, aspect_id=cell.aspect_id, page=page)
    return button_label(label, width=32), data


async def review_screen(
    services: Services, uid: int, target_id: int, page: int, note: str = ""
) -> Screen:
    """Page ``page`` of the expert's review of ``target_id`` (a page out of range: the last)."""
    sheet = await services.expert_sheets.sheet(uid, target_id)
    pages = pages_of(sheet)
    page = max(0, min(page, len(pages) - 1))
    lines = [note] if note else []
    lines += [
        tr("rev-title", target=sheet.target_label),
        tr("sco-progress", scored=sheet.scored, total=sheet.total),
    ]
    if sheet.scores_locked:
        lines.append(tr("rev-read-only-locked"))
    elif sheet.confirmed:
        lines.append(tr("rev-read-only-confirmed"))
    elif pages:
        lines.append(tr("rev-hint-edit"))
    items: list[Button] = []
    if not pages:
        lines.append(tr("rev-empty"))
    else:
        shown = pages[page]
        sec = shown.section
        lines.append("")
        if shown.parts > 1:
            lines.append(
                tr(
                    "rev-section-part",
                    code=sec.code,
                    title=sec.title,
                    part=shown.part,
                    parts=shown.parts,
                )
            )
        else:
            lines.append(tr("rev-section", code=sec.code, title=sec.title))
        lines += [_line(c) for c in shown.cells]
        items = [_cell_button(sheet, c, page) for c in shown.cells if sheet.can_change(c)]
    tail: list[Button | list[Button] | None] = [
        pager(page, len(pages), lambda n: ReviewCb(target_id=target_id, page=n))
    ]
    if sheet.editable and sheet.scored == sheet.total:
        wl = await services.marks.worklist(uid, sheet.scheme_id)
        if wl.total and wl.scored == wl.total:
            lines += ["", tr("rev-sheet-complete")]
            tail.append((tr("sco-btn-confirm"), ConfirmSheetCb(scheme_id=sheet.scheme_id)))
    tail.append((tr("rev-btn-back"), WorklistCb(scheme_id=sheet.scheme_id)))
    return Screen("\n".join(lines), choices(items, per_row=2, tail=tail))


@router.callback_query(ReviewCb.filter())
async def review(query: CallbackQuery, callback_data: ReviewCb, services: Services) -> None:
    screen = await review_screen(
        services, query.from_user.id, callback_data.target_id, callback_data.page
    )
    await show(query, screen)


@router.callback_query(ReviewScoreCb.filter(F.value < 0))
async def review_aspect(
    query: CallbackQuery, callback_data: ReviewScoreCb, services: Services
) -> None:
    """An aspect opened from the review: its screen; a mark or «⬅️ К проверке» returns to
    the same page."""
    cb = callback_data
    item = await services.marks.score_item(query.from_user.id, cb.target_id, cb.aspect_id)
    if item is None:  # not reached: an aspect asked by id is there or refused
        await show(query, await review_screen(services, query.from_user.id, cb.target_id, cb.page))
        return
    back = (tr("rev-btn-to-review"), ReviewCb(target_id=cb.target_id, page=cb.page))
    screen = item_screen(item, "", lambda v: cb.model_copy(update={"value": v}), [back])
    await show(query, screen)


@router.callback_query(ReviewScoreCb.filter(F.value >= 0))
async def review_mark(
    query: CallbackQuery, callback_data: ReviewScoreCb, services: Services
) -> None:
    cb, uid = callback_data, query.from_user.id
    outcome = await services.marks.enter_mark(uid, cb.target_id, cb.aspect_id, cb.value)
    await show(
        query, await review_screen(services, uid, cb.target_id, cb.page, saved_note(outcome))
    )
