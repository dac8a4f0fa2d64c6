"""Scoring in the chat (R-SCH-3/4, R-SCO-1…7): ``/scoring`` for experts, the chief expert
and mentors; ``/scheme`` for the chief expert to send a marking scheme (YAML or XLSX).

Handlers stay thin: each button calls one service method, which checks the role again
(a forged button changes nothing) and refuses in Russian through ``handlers.common``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import flow
from bot.callbacks import AllowCb, CorrCb, ScoreCb, ScoringCb
from bot.downloads import fetch
from bot.handlers.protocols import PubCb
from bot.prompts import ask, confirm_markup
from bot.texts import error_text, format_dt, tr
from models.contest_file import MAX_DEFINITION_BYTES, DefinitionInvalid
from models.errors import DomainError
from models.sandbox import FileRefused
from models.scheme_xlsx import parse_scheme_file_bounded
from models.services import Services
from models.services.scoring import (
    CorrectionView,
    Option,
    SchemeView,
    ScoreItem,
    ScoringProgress,
    TargetSheet,
)
from notifications.definition_errors import render_definition_errors
from notifications.exports import scoring_workbook

router = Router(name=__name__)

_NOT_COMMAND = F.text & ~F.text.startswith("/")


class ScoringForm(StatesGroup):
    scheme_file = State()
    correction_reason = State()


def _points(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def _kind(kind: str) -> str:
    return tr(f"sco-kind-{kind}")


# --------------------------------------------------------------------------- what next (issue #15)
# Every result screen offers the next step and a way back: the chat never ends on a message
# without buttons after an action (8 of 27 setup actions were re-navigation before).

Step = tuple[str, CallbackData]


def _steps(*steps: Step) -> InlineKeyboardMarkup:
    """One button a row: the next step(s) first, the way back last."""
    kb = InlineKeyboardBuilder()
    for key, data in steps:
        kb.button(text=tr(key), callback_data=data)
    kb.adjust(1)
    return kb.as_markup()


def _setup_step(v: SchemeView) -> Step:
    """The chief expert's next step, from the scheme's state: groups (R-SCO-2), sub-criteria
    assigned to them, the list of participants, the lock (R-SCH-3), scoring, the protocols
    to sign once the scores are locked (R-PRO-4)."""
    if v.scores_locked_at is not None:
        return "nxt-btn-protocols", PubCb(scheme_id=v.id, action="list")
    if not v.groups:
        return "nxt-btn-newgroup", ScoringCb(scheme_id=v.id, action="newgroup")
    if any(sub.group_id is None for sub in v.subcriteria):
        return "nxt-btn-assign", ScoringCb(scheme_id=v.id, action="assign")
    if not v.targets:
        return "nxt-btn-build", ScoringCb(scheme_id=v.id, action="build")
    if v.locked_at is None:
        return "nxt-btn-lock", ScoringCb(scheme_id=v.id, action="lock")
    return "nxt-btn-progress", ScoringCb(scheme_id=v.id, action="progress")


def _back_setup(scheme_id: int) -> Step:
    return "nxt-btn-back-setup", ScoringCb(scheme_id=scheme_id, action="chief")


def _back_menu(scheme_id: int) -> Step:
    """The scheme's /scoring menu; ``0`` — the list of one's schemes (or the only one)."""
    return "nxt-btn-back-menu", ScoringCb(scheme_id=scheme_id, action="menu")


async def _chief_next(
    services: Services, uid: int, scheme_id: int, *first: Step
) -> InlineKeyboardMarkup:
    """A chief expert's result screen: ``first`` (if any), the next setup step, «⬅️ К настройке»."""
    step = _setup_step(await services.scoring.scheme_view(uid, scheme_id))
    steps = list(first)
    if all(step[1] != data for _, data in steps):
        steps.append(step)
    return _steps(*steps, _back_setup(scheme_id))


# --------------------------------------------------------------------------- entry points


@router.message(Command("scoring"))
async def scoring(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    await state.set_state(None)
    uid = message.from_user.id
    schemes = await services.scoring.schemes_for(uid)
    if not schemes:
        await message.answer(tr("sco-no-schemes"))
        return
    if len(schemes) == 1:
        await _menu(bot, uid, services, schemes[0].id)
        return
    kb = InlineKeyboardBuilder()
    for s in schemes:
        kb.button(
            text=flow.button_label(f"{s.title} · {s.stage}"),
            callback_data=ScoringCb(scheme_id=s.id, action="menu"),
        )
    kb.adjust(1)
    await message.answer(tr("sco-choose-scheme"), reply_markup=kb.as_markup())


@router.callback_query(ScoringCb.filter(F.action == "menu"))
async def menu_cb(
    query: CallbackQuery, callback_data: ScoringCb, bot: Bot, services: Services
) -> None:
    await query.answer()
    if (
        callback_data.scheme_id == 0
    ):  # «⬅️ К оцениванию» where the scheme is not at hand: as /scoring
        schemes = await services.scoring.schemes_for(query.from_user.id)
        if len(schemes) != 1:
            kb = InlineKeyboardBuilder()
            for s in schemes:
                kb.button(
                    text=flow.button_label(f"{s.title} · {s.stage}"),
                    callback_data=ScoringCb(scheme_id=s.id, action="menu"),
                )
            kb.adjust(1)
            await query.message.answer(
                tr("sco-choose-scheme") if schemes else tr("sco-no-schemes"),
                reply_markup=kb.as_markup(),
            )
            return
        callback_data = ScoringCb(scheme_id=schemes[0].id, action="menu")
    await _menu(bot, query.from_user.id, services, callback_data.scheme_id)


async def _menu(bot: Bot, uid: int, services: Services, scheme_id: int) -> None:
    brief = next((s for s in await services.scoring.schemes_for(uid) if s.id == scheme_id), None)
    if brief is None:
        raise DomainError("not_in_scheme")
    lines = [tr("sco-menu-title", title=brief.title, stage=brief.stage)]
    lines.append(
        tr("sco-state-scores-locked")
        if brief.scores_locked
        else tr("sco-state-scheme-locked")
        if brief.locked
        else tr("sco-state-draft")
    )
    kb = InlineKeyboardBuilder()
    if "expert" in brief.roles:
        kb.button(
            text=tr("sco-btn-my-sheet"),
            callback_data=ScoringCb(scheme_id=scheme_id, action="worklist"),
        )
    if "mentor" in brief.roles:
        kb.button(
            text=tr("sco-btn-mentor-sheets"),
            callback_data=ScoringCb(scheme_id=scheme_id, action="mentor"),
        )
    if "chief" in brief.roles:
        kb.button(
            text=tr("sco-btn-chief"), callback_data=ScoringCb(scheme_id=scheme_id, action="chief")
        )
    if "coordinator" in brief.roles or "chief" in brief.roles:
        kb.button(
            text=tr("sco-btn-progress"),
            callback_data=ScoringCb(scheme_id=scheme_id, action="progress"),
        )
    if "coordinator" in brief.roles:
        kb.button(
            text=tr("sco-btn-results"),
            callback_data=ScoringCb(scheme_id=scheme_id, action="results"),
        )
        kb.button(
            text=tr("sco-btn-export"), callback_data=ScoringCb(scheme_id=scheme_id, action="export")
        )
    kb.adjust(1)
    await bot.send_message(uid, "\n".join(lines), reply_markup=kb.as_markup())


# --------------------------------------------------------------------------- expert: entry


@router.callback_query(ScoringCb.filter(F.action == "worklist"))
async def worklist(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    await query.answer()
    text, kb = await _worklist_screen(services, query.from_user.id, callback_data.scheme_id)
    await query.message.answer(text, reply_markup=kb)


async def _worklist_screen(
    services: Services, uid: int, scheme_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    wl = await services.scoring.worklist(uid, scheme_id)
    lines = [
        tr("sco-worklist-title", title=wl.title),
        tr("sco-progress", scored=wl.scored, total=wl.total),
    ]
    if wl.confirmed:
        lines.append(tr("sco-worklist-confirmed"))
    kb = InlineKeyboardBuilder()
    for t in wl.targets:
        mark = "✅ " if t.scored == t.total else ""
        kb.button(
            text=flow.button_label(f"{mark}{t.label} · {t.scored}/{t.total}"),
            callback_data=ScoreCb(target_id=t.target_id, scheme_id=scheme_id),
        )
    if not wl.targets:
        lines.append(tr("sco-worklist-empty"))
    if wl.targets and wl.scored == wl.total and not wl.confirmed and not wl.scores_locked:
        kb.button(
            text=tr("sco-btn-confirm"),
            callback_data=ScoringCb(scheme_id=scheme_id, action="confirm"),
        )
    key, data = _back_menu(scheme_id)
    kb.button(text=tr(key), callback_data=data)
    kb.adjust(1)
    return "\n".join(lines), kb.as_markup()


def _item_screen(item: ScoreItem, note: str = "") -> tuple[str, InlineKeyboardMarkup]:
    lines = []
    if note:
        lines.append(note)
    lines += [
        tr("sco-item-target", target=item.target_label),
        tr("sco-item-subcriterion", subcriterion=item.subcriterion),
        tr("sco-item-aspect", code=item.code, title=item.title),
        tr("sco-item-kind", kind=_kind(item.kind), points=_points(item.max_points)),
    ]
    if item.kind == "judgement":
        lines.append(tr("sco-judgement-scale"))
    if item.rescore:
        lines.append(
            tr("sco-item-rescore", current=item.current if item.current is not None else "—")
        )
    elif item.current is not None:
        lines.append(tr("sco-item-current", current=_current_label(item)))
    lines.append(tr("sco-progress", scored=item.scored, total=item.total))
    kb = InlineKeyboardBuilder()
    for o in item.options:
        kb.button(
            text=flow.button_label(_option_label(item.kind, o)),
            callback_data=ScoreCb(
                target_id=item.target_id,
                aspect_id=item.aspect_id,
                value=o.value,
                scheme_id=item.scheme_id,
            ),
        )
    kb.button(
        text=tr("sco-btn-back"),
        callback_data=ScoringCb(scheme_id=item.scheme_id, action="worklist"),
    )
    kb.adjust(4 if item.kind == "judgement" else 2 if item.kind == "binary" else 1, 1)
    return "\n".join(lines), kb.as_markup()


def _current_label(item: ScoreItem) -> str:
    if item.kind == "binary":
        return tr("sco-yes") if item.current == 1 else tr("sco-no")
    if item.kind == "discrete":
        return next((o.label for o in item.options if o.value == item.current), str(item.current))
    return str(item.current)


@router.callback_query(ScoreCb.filter())
async def score(query: CallbackQuery, callback_data: ScoreCb, services: Services) -> None:
    uid = query.from_user.id
    sc = services.scoring
    note = ""
    if callback_data.value >= 0:
        outcome = await sc.enter_mark(
            uid, callback_data.target_id, callback_data.aspect_id, callback_data.value
        )
        note = tr("sco-saved")
        if outcome.state in ("rescore", "tie"):
            note = tr(f"sco-saved-{outcome.state}")
        item = await sc.score_item(uid, callback_data.target_id)
    else:
        item = await sc.score_item(uid, callback_data.target_id, callback_data.aspect_id or None)
    await query.answer()
    if item is None:
        target_done = tr("sco-target-done")
        scheme_id = callback_data.scheme_id or await _scheme_of_target(
            services, uid, callback_data.target_id
        )
        text, kb = await _worklist_screen(services, uid, scheme_id)
        await _show(query, f"{note}\n{target_done}\n\n{text}".strip(), kb)
        return
    text, kb = _item_screen(item, note)
    await _show(query, text, kb)


async def _scheme_of_target(services: Services, uid: int, target_id: int) -> int:
    for s in await services.scoring.schemes_for(uid):
        wl = await services.scoring.worklist(uid, s.id) if "expert" in s.roles else None
        if wl is not None and any(t.target_id == target_id for t in wl.targets):
            return s.id
    raise DomainError("not_in_scheme")


async def _show(query: CallbackQuery, text: str, kb: InlineKeyboardMarkup | None) -> None:
    """Edit the screen in place (the score-entry message), or send it anew."""
    try:
        await query.message.edit_text(text, reply_markup=kb)
    except Exception:  # too old to edit, or unchanged: send a new one
        await query.message.answer(text, reply_markup=kb)


@router.callback_query(ScoringCb.filter(F.action == "confirm"))
async def confirm_ask(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    # already confirmed, or the scores locked meanwhile: said at once, nothing asked
    await services.scoring.check_confirm_sheet(query.from_user.id, callback_data.scheme_id)
    wl = await services.scoring.worklist(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr("sco-btn-confirm-yes"),
        callback_data=ScoringCb(scheme_id=callback_data.scheme_id, action="confirmok"),
    )
    kb.button(
        text=tr("sco-btn-back"),
        callback_data=ScoringCb(scheme_id=callback_data.scheme_id, action="worklist"),
    )
    kb.adjust(1)
    lines = [tr("sco-confirm-ask", title=wl.title, scored=wl.scored)]
    lines += [f"• {t.label}: {t.scored}/{t.total}" for t in wl.targets]
    await query.message.answer("\n".join(lines), reply_markup=kb.as_markup())


@router.callback_query(ScoringCb.filter(F.action == "confirmok"))
async def confirm(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    await services.scoring.confirm_sheet(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    sid = callback_data.scheme_id
    await _show(
        query,
        tr("sco-confirmed"),
        _steps(
            ("nxt-btn-back-worklist", ScoringCb(scheme_id=sid, action="worklist")), _back_menu(sid)
        ),
    )


# --------------------------------------------------------------------------- mentors (R-SCO-5)


def _sheet_text(sheet: TargetSheet, *, with_marks: bool = True) -> str:
    lines = [tr("sco-sheet-title", target=sheet.label)]
    for ln in sheet.lines:
        marks = " ".join(str(v) for _, v in sorted(ln.marks.items())) if with_marks else ""
        state = "" if ln.state == "scored" else " " + tr(f"sco-state-{ln.state}")
        lines.append(
            f"{ln.code} {ln.title}: {marks} → {_points(ln.points)} / {_points(ln.max_points)}{state}"
        )
    lines.append(tr("sco-sheet-total", total=_points(sheet.total)))
    return "\n".join(lines)


@router.callback_query(ScoringCb.filter(F.action == "mentor"))
async def mentor_list(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    uid = query.from_user.id
    await query.answer()
    targets = await services.scoring.mentor_targets(uid, callback_data.scheme_id)
    kb = InlineKeyboardBuilder()
    for target_id, label in targets:
        kb.button(
            text=flow.button_label(label),
            callback_data=ScoringCb(scheme_id=0, action="sheet", item=target_id),
        )
    key, data = _back_menu(callback_data.scheme_id)
    kb.button(text=tr(key), callback_data=data)
    kb.adjust(1)
    await query.message.answer(tr("sco-mentor-title"), reply_markup=kb.as_markup())


@router.callback_query(ScoringCb.filter(F.action == "sheet"))
async def sheet(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    uid = query.from_user.id
    s = await services.scoring.target_sheet(uid, callback_data.item)
    await query.answer()
    kb = InlineKeyboardBuilder()
    if s.confirmed_at is None:
        kb.button(
            text=tr("sco-btn-mentor-confirm"),
            callback_data=ScoringCb(scheme_id=0, action="sheetok", item=s.target_id),
        )
    key, data = _back_menu(s.scheme_id)
    kb.button(text=tr(key), callback_data=data)
    kb.adjust(1)
    text = _sheet_text(s)
    if s.confirmed_at is not None:
        text += "\n" + tr("sco-mentor-confirmed-at")
    await _long(query.message, text, kb.as_markup())


async def _long(message: Message, text: str, kb: InlineKeyboardMarkup | None = None) -> None:
    """A long sheet in parts under Telegram's 4096-character limit; the buttons on the last."""
    parts: list[str] = []
    chunk = ""
    for line in text.split("\n"):
        if len(chunk) + len(line) + 1 > 3800:
            parts.append(chunk)
            chunk = ""
        chunk += line + "\n"
    parts.append(chunk)
    for i, part in enumerate(parts):
        await message.answer(part.rstrip(), reply_markup=kb if i == len(parts) - 1 else None)


@router.callback_query(ScoringCb.filter(F.action == "sheetok"))
async def sheet_confirm(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    await services.scoring.confirm_mentor_sheet(query.from_user.id, callback_data.item)
    sheet = await services.scoring.target_sheet(query.from_user.id, callback_data.item)
    await query.answer()
    back = ("nxt-btn-back-mentors", ScoringCb(scheme_id=sheet.scheme_id, action="mentor"))
    await query.message.answer(
        tr("sco-mentor-confirmed"), reply_markup=_steps(back, _back_menu(sheet.scheme_id))
    )


@router.callback_query(AllowCb.filter())
async def allowance_vote(query: CallbackQuery, callback_data: AllowCb, services: Services) -> None:
    outcome = await services.scoring.vote_mentor_allowance(
        query.from_user.id, callback_data.target_id, callback_data.allow
    )
    await query.answer()
    await query.message.answer(
        tr("sco-allow-voted", allow="yes" if callback_data.allow else "no", outcome=outcome),
        reply_markup=_steps(_back_menu(0)),
    )


# --------------------------------------------------------------------------- chief expert


async def _chief_screen(
    services: Services, uid: int, scheme_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    v = await services.scoring.scheme_view(uid, scheme_id)
    kinds = ", ".join(f"{_kind(k)} — {n}" for k, n in sorted(v.kinds.items()))
    lines = [
        tr("sco-chief-title", title=v.title, stage=v.stage),
        tr(
            "sco-chief-scheme",
            criteria=v.criteria,
            aspects=v.aspects,
            total=_points(v.total),
            kinds=kinds,
        ),
        tr("sco-chief-targets", count=v.targets),
    ]
    if v.locked_at is not None:
        lines.append(tr("sco-chief-locked", at=format_dt(v.locked_at, v.timezone)))
    else:
        lines.append(tr("sco-chief-not-locked"))
    if v.scores_locked_at is not None:
        lines.append(tr("sco-chief-scores-locked", at=format_dt(v.scores_locked_at, v.timezone)))
    lines.append(tr("sco-chief-groups"))
    for g in v.groups:
        lines.append(
            tr(
                "sco-chief-group",
                code=g.code,
                name=g.name,
                size=len(g.members),
                subcriteria=", ".join(g.subcriteria) or "—",
            )
        )
    unassigned = [s.code for s in v.subcriteria if s.group_id is None]
    if unassigned:
        lines.append(tr("sco-chief-unassigned", codes=", ".join(unassigned)))
    kb = InlineKeyboardBuilder()

    def b(key: str, action: str) -> None:
        kb.button(text=tr(key), callback_data=ScoringCb(scheme_id=scheme_id, action=action))

    if v.scores_locked_at is None:
        b("sco-btn-new-group", "newgroup")
        b("sco-btn-assign", "assign")
        b("sco-btn-build-targets", "build")
        b("sco-btn-mentors", "mentors")
    if v.targets:
        b("sco-btn-briefing", "briefing")
    if v.locked_at is None:
        b("sco-btn-lock-scheme", "lock")
    elif v.scores_locked_at is None:
        b("sco-btn-lock-scores", "lockscores")
    else:
        b("sco-btn-corrections", "corrections")
    b("sco-btn-progress", "progress")
    b("nxt-btn-back-menu", "menu")
    kb.adjust(1)
    return "\n".join(lines), kb.as_markup()


@router.callback_query(ScoringCb.filter(F.action == "chief"))
async def chief(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    text, kb = await _chief_screen(services, query.from_user.id, callback_data.scheme_id)
    await query.answer()
    await query.message.answer(text, reply_markup=kb)


def _confirm_kb(scheme_id: int, action: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr("sco-btn-yes-lock"), callback_data=ScoringCb(scheme_id=scheme_id, action=action)
    )
    kb.button(
        text=tr("sco-btn-cancel"), callback_data=ScoringCb(scheme_id=scheme_id, action="chief")
    )
    kb.adjust(1)
    return kb.as_markup()


@router.callback_query(ScoringCb.filter(F.action == "lock"))
async def lock_ask(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    await services.scoring.check_lock_scheme(
        query.from_user.id, callback_data.scheme_id
    )  # already locked: who and when
    v = await services.scoring.scheme_view(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    text = tr("sco-lock-scheme-ask")
    now = services.ctx.clock.now()
    if v.stage_starts_at is not None and v.stage_starts_at - now < timedelta(days=2):
        # R-SCH-3: the lock is due 2 days before the start; a late lock is still recorded
        text += "\n" + tr("sco-lock-late", start=format_dt(v.stage_starts_at, v.timezone))
    await query.message.answer(text, reply_markup=_confirm_kb(callback_data.scheme_id, "lockok"))


@router.callback_query(ScoringCb.filter(F.action == "lockok"))
async def lock(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    v = await services.scoring.lock_scheme(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    kb = await _chief_next(services, query.from_user.id, callback_data.scheme_id)
    await _show(query, tr("sco-scheme-locked", at=format_dt(v.locked_at, v.timezone)), kb)


@router.callback_query(ScoringCb.filter(F.action == "lockscores"))
async def lock_scores_ask(
    query: CallbackQuery, callback_data: ScoringCb, services: Services
) -> None:
    await services.scoring.check_scores_open(
        query.from_user.id, callback_data.scheme_id
    )  # already locked: who and when
    p = await services.scoring.progress(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    await query.message.answer(
        tr("sco-lock-scores-ask", title=p.title, targets=p.targets),
        reply_markup=_confirm_kb(callback_data.scheme_id, "lockscoresok"),
    )


@router.callback_query(ScoringCb.filter(F.action == "lockscoresok"))
async def lock_scores(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    asked = await services.scoring.lock_scores(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    kb = await _chief_next(services, query.from_user.id, callback_data.scheme_id)
    await _show(query, tr("sco-scores-locked", mentors=asked), kb)


@router.callback_query(ScoringCb.filter(F.action == "briefing"))
async def briefing(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    await services.scoring.issue_briefing(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    kb = await _chief_next(services, query.from_user.id, callback_data.scheme_id)
    await query.message.answer(tr("sco-briefing-issued"), reply_markup=kb)


@router.callback_query(ScoringCb.filter(F.action == "build"))
async def build(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    added = await services.scoring.build_targets(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    # R-ROLE-3: the mentors of the participants just listed come next, then the lock
    mentors_step = (
        "nxt-btn-mentors",
        ScoringCb(scheme_id=callback_data.scheme_id, action="mentors"),
    )
    kb = await _chief_next(services, query.from_user.id, callback_data.scheme_id, mentors_step)
    await query.message.answer(tr("sco-targets-built", added=added), reply_markup=kb)


# groups: pick four experts with toggles, then «Создать группу»


async def _group_picker(
    services: Services, uid: int, scheme_id: int, chosen: list[int]
) -> tuple[str, InlineKeyboardMarkup]:
    experts = await services.scoring.experts(uid, scheme_id)
    kb = InlineKeyboardBuilder()
    for tid, name, status in experts:
        mark = "☑️ " if tid in chosen else "▫️ "
        status_text = tr(f"sco-status-{status}") if status else ""
        kb.button(
            text=flow.button_label(f"{mark}{name} {status_text}".strip()),
            callback_data=ScoringCb(scheme_id=scheme_id, action="toggle", item=tid),
        )
    kb.button(
        text=tr("sco-btn-create-group", count=len(chosen)),
        callback_data=ScoringCb(scheme_id=scheme_id, action="groupok"),
    )
    kb.button(
        text=tr("sco-btn-cancel"), callback_data=ScoringCb(scheme_id=scheme_id, action="chief")
    )
    kb.adjust(1)
    return tr("sco-group-pick", count=len(chosen)), kb.as_markup()


@router.callback_query(ScoringCb.filter(F.action == "newgroup"))
async def new_group(
    query: CallbackQuery, callback_data: ScoringCb, services: Services, state: FSMContext
) -> None:
    await services.scoring.check_scores_open(query.from_user.id, callback_data.scheme_id)
    await state.update_data(sg_chosen=[])
    text, kb = await _group_picker(services, query.from_user.id, callback_data.scheme_id, [])
    await query.answer()
    await query.message.answer(text, reply_markup=kb)


@router.callback_query(ScoringCb.filter(F.action == "toggle"))
async def toggle(
    query: CallbackQuery, callback_data: ScoringCb, services: Services, state: FSMContext
) -> None:
    chosen = list((await state.get_data()).get("sg_chosen", []))
    if callback_data.item in chosen:
        chosen.remove(callback_data.item)
    else:
        chosen.append(callback_data.item)
    await state.update_data(sg_chosen=chosen)
    text, kb = await _group_picker(services, query.from_user.id, callback_data.scheme_id, chosen)
    await query.answer()
    await _show(query, text, kb)


@router.callback_query(ScoringCb.filter(F.action == "groupok"))
async def group_ok(
    query: CallbackQuery, callback_data: ScoringCb, services: Services, state: FSMContext
) -> None:
    chosen = list((await state.get_data()).get("sg_chosen", []))
    # the choice stays until «Новая группа»: a second tap is told the group already exists
    g = await services.scoring.create_group(
        query.from_user.id, callback_data.scheme_id, chosen, leader=chosen[0] if chosen else None
    )
    await query.answer()
    kb = await _chief_next(services, query.from_user.id, callback_data.scheme_id)
    await _show(query, tr("sco-group-created", code=g.code, size=len(g.members)), kb)


@router.callback_query(ScoringCb.filter(F.action == "assign"))
async def assign(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    v = await services.scoring.scheme_view(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    kb = InlineKeyboardBuilder()
    for s in v.subcriteria:
        group = s.group_code or "—"
        kb.button(
            text=flow.button_label(f"{s.code} {s.title} → {group}"),
            callback_data=ScoringCb(scheme_id=v.id, action="assignsub", item=s.id),
        )
    key, data = _back_setup(v.id)
    kb.button(text=tr(key), callback_data=data)
    kb.adjust(1)
    await query.message.answer(tr("sco-assign-pick-sub"), reply_markup=kb.as_markup())


@router.callback_query(ScoringCb.filter(F.action == "assignsub"))
async def assign_sub(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    v = await services.scoring.scheme_view(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    if not v.groups:
        await query.message.answer(
            tr("sco-assign-no-groups"), reply_markup=_steps(_setup_step(v), _back_setup(v.id))
        )
        return
    kb = InlineKeyboardBuilder()
    for g in v.groups:
        kb.button(
            text=flow.button_label(f"{g.code} {g.name}"),
            callback_data=ScoringCb(
                scheme_id=v.id, action="assigngrp", item=callback_data.item, extra=g.id
            ),
        )
    kb.button(text=tr("nxt-btn-back"), callback_data=ScoringCb(scheme_id=v.id, action="assign"))
    kb.adjust(1)
    await query.message.answer(tr("sco-assign-pick-group"), reply_markup=kb.as_markup())


@router.callback_query(ScoringCb.filter(F.action == "assigngrp"))
async def assign_group(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    s = await services.scoring.assign_subcriterion(
        query.from_user.id, callback_data.item, callback_data.extra
    )
    await query.answer()
    kb = await _chief_next(services, query.from_user.id, callback_data.scheme_id)
    await _show(query, tr("sco-assigned", sub=f"{s.code} {s.title}", group=s.group_code or "—"), kb)


# mentors (R-ROLE-3)


@router.callback_query(ScoringCb.filter(F.action == "mentors"))
async def mentors(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    uid = query.from_user.id
    targets = await services.scoring.targets(uid, callback_data.scheme_id)
    experts = {
        tid: name for tid, name, _ in await services.scoring.experts(uid, callback_data.scheme_id)
    }
    await query.answer()
    if not targets:
        build = ("nxt-btn-build", ScoringCb(scheme_id=callback_data.scheme_id, action="build"))
        await query.message.answer(
            tr("sco-no-targets"), reply_markup=_steps(build, _back_setup(callback_data.scheme_id))
        )
        return
    kb = InlineKeyboardBuilder()
    for target_id, label, mentor, allowed in targets:
        who = experts.get(mentor, "—") if mentor else "—"
        if allowed:
            who += " " + tr("sco-mentor-allowed")
        kb.button(
            text=flow.button_label(f"{label} · {who}"),
            callback_data=ScoringCb(
                scheme_id=callback_data.scheme_id, action="mentor1", item=target_id
            ),
        )
    key, data = _back_setup(callback_data.scheme_id)
    kb.button(text=tr(key), callback_data=data)
    kb.adjust(1)
    await query.message.answer(tr("sco-mentors-title"), reply_markup=kb.as_markup())


@router.callback_query(ScoringCb.filter(F.action == "mentor1"))
async def mentor_pick(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    uid = query.from_user.id
    experts = await services.scoring.experts(uid, callback_data.scheme_id)
    await query.answer()
    kb = InlineKeyboardBuilder()
    for tid, name, status in experts:
        if status == "mentor":
            kb.button(
                text=flow.button_label(name),
                callback_data=ScoringCb(
                    scheme_id=callback_data.scheme_id,
                    action="setmentor",
                    item=callback_data.item,
                    extra=tid,
                ),
            )
    kb.button(
        text=tr("sco-btn-no-mentor"),
        callback_data=ScoringCb(
            scheme_id=callback_data.scheme_id, action="setmentor", item=callback_data.item, extra=0
        ),
    )
    kb.button(
        text=tr("sco-btn-ask-allowance"),
        callback_data=ScoringCb(
            scheme_id=callback_data.scheme_id, action="allowask", item=callback_data.item
        ),
    )
    kb.button(
        text=tr("nxt-btn-back-mentors"),
        callback_data=ScoringCb(scheme_id=callback_data.scheme_id, action="mentors"),
    )
    kb.adjust(1)
    await query.message.answer(tr("sco-mentor-pick"), reply_markup=kb.as_markup())


@router.callback_query(ScoringCb.filter(F.action == "setmentor"))
async def set_mentor(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    await services.scoring.set_mentor(
        query.from_user.id, callback_data.item, callback_data.extra or None
    )
    await query.answer()
    back = ("nxt-btn-back-mentors", ScoringCb(scheme_id=callback_data.scheme_id, action="mentors"))
    kb = await _chief_next(services, query.from_user.id, callback_data.scheme_id, back)
    await _show(query, tr("sco-mentor-set" if callback_data.extra else "sco-mentor-cleared"), kb)


@router.callback_query(ScoringCb.filter(F.action == "allowask"))
async def allowance_ask(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    asked = await services.scoring.ask_mentor_allowance(query.from_user.id, callback_data.item)
    await query.answer()
    back = ("nxt-btn-back-mentors", ScoringCb(scheme_id=callback_data.scheme_id, action="mentors"))
    kb = await _chief_next(services, query.from_user.id, callback_data.scheme_id, back)
    await _show(query, tr("sco-allow-asked", count=asked), kb)


# progress (coordinators and the chief): counts and names, never marks


@router.callback_query(ScoringCb.filter(F.action == "progress"))
async def progress(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    p = await services.scoring.progress(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    lines = [tr("sco-progress-title", title=p.title, targets=p.targets)]
    lines.append(tr("sco-progress-groups"))
    lines += [
        tr("sco-progress-group", code=g.code, name=g.name, scored=g.scored, total=g.total)
        for g in p.groups
    ]
    lines.append(tr("sco-progress-experts"))
    lines += [
        tr(
            "sco-progress-expert",
            name=e.name,
            scored=e.scored,
            total=e.total,
            confirmed="yes" if e.confirmed else "no",
        )
        for e in p.experts
    ]
    if p.flagged:
        lines.append(tr("sco-progress-flagged", count=len(p.flagged)))
        lines += [
            f"• {f.target_label}: {f.aspect_code} — {tr('sco-state-' + f.state)}"
            for f in p.flagged[:30]
        ]
    if p.unassigned:
        lines.append(tr("sco-chief-unassigned", codes=", ".join(p.unassigned)))
    if p.scores_locked:
        lines.append(tr("sco-progress-locked"))
        if p.mentors_unconfirmed:
            lines.append(tr("sco-progress-mentors", names=", ".join(p.mentors_unconfirmed)))
    if p.open_corrections:
        lines.append(tr("sco-progress-corrections", count=p.open_corrections))
    await _long(
        query.message, "\n".join(lines), await _progress_steps(services, query.from_user.id, p)
    )


async def _progress_steps(services: Services, uid: int, p: ScoringProgress) -> InlineKeyboardMarkup:
    """The chief: «Дальше: заблокировать оценки» once everything is scored and confirmed
    (R-SCO-5; the service checks again), «🔄 Обновить» while not, «⬅️ К настройке»;
    a coordinator: «⬅️ К оцениванию»."""
    sid = p.scheme_id
    brief = next((s for s in await services.scoring.schemes_for(uid) if s.id == sid), None)
    if brief is None or "chief" not in brief.roles:
        return _steps(
            ("nxt-btn-refresh", ScoringCb(scheme_id=sid, action="progress")), _back_menu(sid)
        )
    if p.scores_locked:
        return await _chief_next(services, uid, sid)
    done = (
        bool(p.groups)
        and all(g.scored == g.total for g in p.groups)
        and not p.flagged
        and not p.unconfirmed
    )
    step: Step = (
        ("nxt-btn-lockscores", ScoringCb(scheme_id=sid, action="lockscores"))
        if done
        else ("nxt-btn-refresh", ScoringCb(scheme_id=sid, action="progress"))
    )
    return _steps(step, _back_setup(sid))


# --------------------------------------------------------------------------- results (coordinators; R-RES-1, R-APP-8)


@router.callback_query(ScoringCb.filter(F.action == "results"))
async def results(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    r = await services.scoring.results(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    if not r.complete:
        await query.message.answer(
            tr("sco-results-not-locked"), reply_markup=_steps(_back_menu(callback_data.scheme_id))
        )
        return
    lines = [tr("sco-results-title", title=r.title)]
    region = object()
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
                total=_points(ln.total),
                medal=medal,
            )
            + advances
        )
    kb = InlineKeyboardBuilder()
    if any(ln.advances for ln in r.lines):
        kb.button(
            text=tr("sco-btn-promote"),
            callback_data=ScoringCb(scheme_id=callback_data.scheme_id, action="promote"),
        )
    kb.button(
        text=tr("sco-btn-export"),
        callback_data=ScoringCb(scheme_id=callback_data.scheme_id, action="export"),
    )
    key, data = _back_menu(callback_data.scheme_id)
    kb.button(text=tr(key), callback_data=data)
    kb.adjust(1)
    await _long(query.message, "\n".join(lines), kb.as_markup())


@router.callback_query(ScoringCb.filter(F.action == "promote"))
async def promote_ask(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    r = await services.scoring.results(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr("sco-btn-promote-yes"),
        callback_data=ScoringCb(scheme_id=callback_data.scheme_id, action="promoteok"),
    )
    kb.button(
        text=tr("sco-btn-cancel"),
        callback_data=ScoringCb(scheme_id=callback_data.scheme_id, action="menu"),
    )
    kb.adjust(1)
    await query.message.answer(
        tr("sco-promote-ask", count=sum(1 for ln in r.lines if ln.advances)),
        reply_markup=kb.as_markup(),
    )


@router.callback_query(ScoringCb.filter(F.action == "promoteok"))
async def promote(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    moved = await services.scoring.promote_winners(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    sid = callback_data.scheme_id
    await _show(
        query,
        tr("sco-promoted", count=moved),
        _steps(
            ("nxt-btn-back-results", ScoringCb(scheme_id=sid, action="results")), _back_menu(sid)
        ),
    )


@router.callback_query(ScoringCb.filter(F.action == "export"))
async def export(
    query: CallbackQuery, callback_data: ScoringCb, bot: Bot, services: Services
) -> None:
    uid = query.from_user.id
    sheets = await services.scoring_reports.score_sheets(uid, callback_data.scheme_id)
    r = await services.scoring.results(uid, callback_data.scheme_id)
    await query.answer()
    data = scoring_workbook(r, sheets)
    name = f"scoring-{callback_data.scheme_id}.xlsx"
    await bot.send_document(
        uid,
        BufferedInputFile(data, filename=name),
        caption=tr("sco-export-ready", title=r.title),
        reply_markup=_steps(_back_menu(callback_data.scheme_id)),
    )


# --------------------------------------------------------------------------- corrections (R-SCO-6)


def _correction_text(c: CorrectionView) -> str:
    lines = [
        tr("sco-corr-title", id=c.id, target=c.target_label, subcriterion=c.subcriterion),
        tr("sco-corr-reason", reason=c.reason),
        tr(f"sco-corr-status-{c.status}"),
        tr("sco-corr-approved", done=len(c.approved), total=len(c.signers)),
    ]
    if c.status in ("signing", "done"):
        lines.append(tr("sco-corr-confirmed", done=len(c.confirmed), total=len(c.signers)))
    return "\n".join(lines)


@router.callback_query(ScoringCb.filter(F.action == "corrections"))
async def corrections(query: CallbackQuery, callback_data: ScoringCb, services: Services) -> None:
    uid = query.from_user.id
    items = await services.scoring.corrections(uid, callback_data.scheme_id)
    await query.answer()
    kb = InlineKeyboardBuilder()
    for c in items:
        kb.button(
            text=flow.button_label(
                f"№{c.id} {c.target_label} · {c.subcriterion} · {tr('sco-corr-short-' + c.status)}"
            ),
            callback_data=CorrCb(correction_id=c.id, action="view"),
        )
    kb.button(
        text=tr("sco-btn-new-correction"),
        callback_data=ScoringCb(scheme_id=callback_data.scheme_id, action="corrnew"),
    )
    key, data = _back_setup(callback_data.scheme_id)
    kb.button(text=tr(key), callback_data=data)
    kb.adjust(1)
    await query.message.answer(tr("sco-corr-list", count=len(items)), reply_markup=kb.as_markup())


@router.callback_query(ScoringCb.filter(F.action == "corrnew"))
async def correction_target(
    query: CallbackQuery, callback_data: ScoringCb, services: Services
) -> None:
    targets = await services.scoring.targets(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    kb = InlineKeyboardBuilder()
    for target_id, label, _, _ in targets:
        kb.button(
            text=flow.button_label(label),
            callback_data=ScoringCb(
                scheme_id=callback_data.scheme_id, action="corrsub", item=target_id
            ),
        )
    kb.button(
        text=tr("nxt-btn-back-corrections"),
        callback_data=ScoringCb(scheme_id=callback_data.scheme_id, action="corrections"),
    )
    kb.adjust(1)
    await query.message.answer(tr("sco-corr-pick-target"), reply_markup=kb.as_markup())


@router.callback_query(ScoringCb.filter(F.action == "corrsub"))
async def correction_sub(
    query: CallbackQuery, callback_data: ScoringCb, services: Services
) -> None:
    v = await services.scoring.scheme_view(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    kb = InlineKeyboardBuilder()
    for s in v.subcriteria:
        kb.button(
            text=flow.button_label(f"{s.code} {s.title}"),
            callback_data=ScoringCb(
                scheme_id=v.id, action="corrreason", item=callback_data.item, extra=s.id
            ),
        )
    kb.button(text=tr("nxt-btn-back"), callback_data=ScoringCb(scheme_id=v.id, action="corrnew"))
    kb.adjust(1)
    await query.message.answer(tr("sco-corr-pick-sub"), reply_markup=kb.as_markup())


@router.callback_query(ScoringCb.filter(F.action.in_({"corrreason", "corredit"})))
async def correction_reason_ask(
    query: CallbackQuery, callback_data: ScoringCb, services: Services, state: FSMContext
) -> None:
    """The reason is asked only when a correction can be opened (the chief, scores locked,
    results not published, none under way for this sheet) — otherwise refused at once."""
    await services.scoring.check_open_correction(
        query.from_user.id, callback_data.item, callback_data.extra
    )
    await query.answer()
    await ask(
        query.message,
        state,
        ScoringForm.correction_reason,
        tr("sco-corr-ask-reason"),
        back=ScoringCb(
            scheme_id=callback_data.scheme_id, action="corrsub", item=callback_data.item
        ),
        sg_corr_scheme=callback_data.scheme_id,
        sg_corr_target=callback_data.item,
        sg_corr_sub=callback_data.extra,
        sg_corr_reason=None,
    )


@router.message(ScoringForm.correction_reason, _NOT_COMMAND)
async def correction_reason(message: Message, services: Services, state: FSMContext) -> None:
    """A correction decides about other people's scores (R-SCO-6): the reason is shown back
    with «Подтвердить» / «Изменить» first. A new text replaces the draft."""
    data = await state.get_data()
    reason = services.scoring.check_reason(message.text)
    await services.scoring.check_open_correction(
        message.from_user.id, data["sg_corr_target"], data["sg_corr_sub"]
    )
    await state.update_data(sg_corr_reason=reason)
    scheme_id, target, sub = (
        data.get("sg_corr_scheme") or 0,
        data["sg_corr_target"],
        data["sg_corr_sub"],
    )
    await message.answer(
        tr("sco-corr-reason-check", reason=reason),
        reply_markup=confirm_markup(
            ScoringCb(scheme_id=scheme_id, action="corrok", item=target, extra=sub),
            ScoringCb(scheme_id=scheme_id, action="corredit", item=target, extra=sub),
        ),
    )


@router.callback_query(ScoringCb.filter(F.action == "corrok"))
async def correction_open(
    query: CallbackQuery, callback_data: ScoringCb, services: Services, state: FSMContext
) -> None:
    """«Подтвердить»: only the draft of the prompt still open for this very sheet (after
    «Отмена» or a command the old button changes nothing); the service decides once."""
    data = await state.get_data()
    reason = data.get("sg_corr_reason")
    if (
        await state.get_state() != ScoringForm.correction_reason.state
        or (data.get("sg_corr_target"), data.get("sg_corr_sub"))
        != (callback_data.item, callback_data.extra)
        or not reason
    ):
        raise DomainError("guard_draft_lost")
    c = await services.scoring.open_correction(
        query.from_user.id, callback_data.item, callback_data.extra, reason
    )
    await state.set_state(None)
    await state.update_data(sg_corr_reason=None)
    await query.answer()
    kb = _steps(
        ("nxt-btn-correction", CorrCb(correction_id=c.id, action="view")),
        ("nxt-btn-back-corrections", ScoringCb(scheme_id=c.scheme_id, action="corrections")),
    )
    await _show(
        query,
        tr("sco-corr-opened", id=c.id, count=len(c.signers) - 1) + "\n\n" + _correction_text(c),
        kb,
    )


async def _correction_screen(
    services: Services, uid: int, correction_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    c = await services.scoring.correction(uid, correction_id)
    sheet = await services.scoring.correction_lines(uid, correction_id)
    text = _correction_text(c) + "\n\n" + _sheet_text(sheet)
    kb = InlineKeyboardBuilder()
    signed = c.approved if c.status == "approval" else c.confirmed
    if c.status in ("approval", "signing") and uid not in signed:
        kb.button(
            text=tr(
                "sco-btn-sign-correction" if c.status == "approval" else "sco-btn-sign-corrected"
            ),
            callback_data=CorrCb(correction_id=c.id, action="sign"),
        )
    if c.status == "open" and uid == c.opened_by:
        for ln in sheet.lines:
            kb.button(
                text=flow.button_label(tr("sco-btn-correct-aspect", code=ln.code)),
                callback_data=CorrCb(correction_id=c.id, action="aspect", aspect=ln.aspect_id),
            )
        kb.button(
            text=tr("sco-btn-relock"), callback_data=CorrCb(correction_id=c.id, action="relock")
        )
    key, data = _correction_back(c, uid)
    kb.button(text=tr(key), callback_data=data)
    kb.adjust(1)
    return text, kb.as_markup()


def _correction_back(c: CorrectionView, uid: int) -> Step:
    """The chief who opened it: back to the corrections; a signer: back to scoring."""
    if uid == c.opened_by:
        return "nxt-btn-back-corrections", ScoringCb(scheme_id=c.scheme_id, action="corrections")
    return _back_menu(c.scheme_id)


def _correction_steps(c: CorrectionView, uid: int) -> InlineKeyboardMarkup:
    return _steps(
        ("nxt-btn-back-correction", CorrCb(correction_id=c.id, action="view")),
        _correction_back(c, uid),
    )


@router.callback_query(CorrCb.filter(F.action == "view"))
async def correction_view(query: CallbackQuery, callback_data: CorrCb, services: Services) -> None:
    text, kb = await _correction_screen(services, query.from_user.id, callback_data.correction_id)
    await query.answer()
    await _long(query.message, text, kb)


@router.callback_query(CorrCb.filter(F.action == "sign"))
async def correction_sign(query: CallbackQuery, callback_data: CorrCb, services: Services) -> None:
    c = await services.scoring.sign_correction(query.from_user.id, callback_data.correction_id)
    await query.answer()
    await query.message.answer(
        tr("sco-corr-signed") + "\n" + _correction_text(c),
        reply_markup=_correction_steps(c, query.from_user.id),
    )


@router.callback_query(CorrCb.filter(F.action == "relock"))
async def correction_relock(
    query: CallbackQuery, callback_data: CorrCb, services: Services
) -> None:
    c = await services.scoring.relock_correction(query.from_user.id, callback_data.correction_id)
    await query.answer()
    await query.message.answer(
        tr("sco-corr-relocked") + "\n" + _correction_text(c),
        reply_markup=_correction_steps(c, query.from_user.id),
    )


async def _require_open(services: Services, uid: int, correction_id: int) -> None:
    """A stale «Исправить …» of a correction already relocked: refused at once, nothing offered."""
    c = await services.scoring.correction(uid, correction_id)
    if c.status != "open":
        raise DomainError("no_open_correction")


@router.callback_query(CorrCb.filter(F.action == "aspect"))
async def correction_aspect(
    query: CallbackQuery, callback_data: CorrCb, services: Services
) -> None:
    uid = query.from_user.id
    await _require_open(services, uid, callback_data.correction_id)
    sheet = await services.scoring.correction_lines(uid, callback_data.correction_id)
    line = next((ln for ln in sheet.lines if ln.aspect_id == callback_data.aspect), None)
    if line is None:
        raise DomainError("not_your_aspect")
    await query.answer()
    kb = InlineKeyboardBuilder()
    for expert, value in sorted(line.marks.items()):
        kb.button(
            text=flow.button_label(tr("sco-btn-correct-mark", expert=str(expert), value=value)),
            callback_data=CorrCb(
                correction_id=callback_data.correction_id,
                action="expert",
                aspect=line.aspect_id,
                expert=expert,
            ),
        )
    kb.button(
        text=tr("nxt-btn-back-correction"),
        callback_data=CorrCb(correction_id=callback_data.correction_id, action="view"),
    )
    kb.adjust(1)
    await query.message.answer(
        tr("sco-corr-pick-mark", code=line.code, title=line.title), reply_markup=kb.as_markup()
    )


@router.callback_query(CorrCb.filter(F.action == "expert"))
async def correction_expert(
    query: CallbackQuery, callback_data: CorrCb, services: Services
) -> None:
    await _require_open(services, query.from_user.id, callback_data.correction_id)
    sheet = await services.scoring.correction_lines(query.from_user.id, callback_data.correction_id)
    line = next((ln for ln in sheet.lines if ln.aspect_id == callback_data.aspect), None)
    if line is None:
        raise DomainError("not_your_aspect")
    await query.answer()
    kb = InlineKeyboardBuilder()
    for (
        o
    ) in line.options:  # the same marks as on the score-entry screen; the service checks the range
        kb.button(
            text=flow.button_label(_option_label(line.kind, o)),
            callback_data=CorrCb(
                correction_id=callback_data.correction_id,
                action="value",
                aspect=line.aspect_id,
                expert=callback_data.expert,
                value=o.value,
            ),
        )
    kb.button(
        text=tr("nxt-btn-back-correction"),
        callback_data=CorrCb(correction_id=callback_data.correction_id, action="view"),
    )
    kb.adjust(4 if line.kind == "judgement" else 2 if line.kind == "binary" else 1, 1)
    await query.message.answer(
        tr("sco-corr-pick-value", code=line.code, kind=_kind(line.kind)),
        reply_markup=kb.as_markup(),
    )


def _option_label(kind: str, option: Option) -> str:
    if kind == "binary":
        return tr("sco-yes") if option.value == 1 else tr("sco-no")
    return option.label


@router.callback_query(CorrCb.filter(F.action == "value"))
async def correction_value(query: CallbackQuery, callback_data: CorrCb, services: Services) -> None:
    uid = query.from_user.id
    c = await services.scoring.correction(uid, callback_data.correction_id)
    outcome = await services.scoring.enter_mark(
        uid, c.target_id, callback_data.aspect, callback_data.value, for_expert=callback_data.expert
    )
    await query.answer()
    text, kb = await _correction_screen(services, uid, callback_data.correction_id)
    note = tr("sco-corr-mark-saved", state=tr("sco-state-" + outcome.state))
    await _long(query.message, note + "\n\n" + text, kb)


# --------------------------------------------------------------------------- scheme upload


@router.message(Command("scheme"))
async def scheme_ask(message: Message, services: Services, state: FSMContext) -> None:
    schemes = [
        s for s in await services.scoring.schemes_for(message.from_user.id) if "chief" in s.roles
    ]
    chief_of = await services.scoring.chief_contests(message.from_user.id)
    if not chief_of and not services.scoring.is_admin(message.from_user.id):
        raise DomainError("not_chief")
    await ask(
        message,
        state,
        ScoringForm.scheme_file,
        tr("sco-scheme-send"),
        sg_contest=chief_of[0] if chief_of else (schemes[0].contest_id if schemes else None),
    )


@router.message(ScoringForm.scheme_file, F.document)
async def scheme_file(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    doc = message.document
    if (doc.file_size or 0) > MAX_DEFINITION_BYTES * 2:
        await message.answer(tr("sco-scheme-too-large"))
        return
    contest_id = (await state.get_data()).get("sg_contest")
    if contest_id is None:
        contests = await services.contests.contests()
        contest_id = contests[0].id if contests else None
    if contest_id is None:
        raise DomainError("no_contests")
    # «Проверяю файл…», then the result in its place; the file is read in a child process
    # bounded in time and memory, after the ZIP checks (issue #13: a styles or shared-strings
    # bomb froze the bot for 32–82 s)
    progress_msg = await message.answer(tr("heavy-checking"))
    sources = None
    try:
        raw = await fetch(bot, doc, MAX_DEFINITION_BYTES * 2)
        d, sources = await parse_scheme_file_bounded(raw, doc.file_name or "")
        result = await services.scoring.load_scheme(message.from_user.id, contest_id, d)
    except DefinitionInvalid as exc:
        errors = (
            sources.remap(exc.errors) if sources is not None else exc.errors
        )  # «лист «Схема», строка 17»
        await progress_msg.edit_text(
            render_definition_errors(errors, title_key="scheme-errors-title")
        )
        return
    except FileRefused as exc:  # too big to download, too slow or too complex to read
        await progress_msg.edit_text(error_text(exc))
        return
    await state.set_state(None)
    key = "sco-scheme-unchanged" if result.unchanged else "sco-scheme-loaded"
    kb = InlineKeyboardBuilder()
    try:  # issue #15: the next setup step; the chief's screen is the way back
        step_key, step_data = _setup_step(
            await services.scoring.scheme_view(message.from_user.id, result.scheme_id)
        )
        kb.button(text=tr(step_key), callback_data=step_data)
    except DomainError:  # loaded by an administrator who is not the chief: the screen only
        pass
    kb.button(
        text=tr("sco-btn-chief"),
        callback_data=ScoringCb(scheme_id=result.scheme_id, action="chief"),
    )
    kb.adjust(1)
    await progress_msg.edit_text(
        tr(key, criteria=result.criteria, aspects=result.aspects, groups=result.groups),
        reply_markup=kb.as_markup(),
    )


@router.message(ScoringForm.scheme_file, ~F.text.startswith("/"))
async def scheme_not_file(message: Message) -> None:
    await message.answer(tr("sco-scheme-need-file"))
