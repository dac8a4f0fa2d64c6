"""Experts and mentors score (R-SCO-1…5): ``/scoring``, the scheme's menu, the worklist, one
aspect at a time, confirming the sheet; a mentor's sheets; a vote on a mentor's allowance.

Handlers stay thin: each button calls one service method, which checks the role again
(a forged button changes nothing) and refuses in Russian through ``handlers.common``.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.handlers.scoring.callbacks import (
    AllowCb,
    ChiefCb,
    ConfirmSheetCb,
    MentorSheetsCb,
    MenuCb,
    ResultsAction,
    ResultsCb,
    ScoreCb,
    ScoringProgressCb,
    SheetCb,
    SheetConfirmCb,
    WorklistCb,
)
from bot.handlers.scoring.common import (
    back_menu,
    kind_name,
    option_label,
    option_width,
    points,
    reply,
    sheet_text,
    steps,
)
from bot.screens import Button, Screen, button_label, choices, keyboard, send, send_to, show
from bot.texts import tr
from models.errors import DomainError
from models.services import Services
from models.services.scoring import SchemeBrief, ScoreItem

router = Router(name=__name__)


# --------------------------------------------------------------------------- entry points


def _schemes_screen(schemes: list[SchemeBrief]) -> Screen:
    return Screen(
        tr("sco-choose-scheme") if schemes else tr("sco-no-schemes"),
        choices((button_label(f"{s.title} · {s.stage}"), MenuCb(scheme_id=s.id)) for s in schemes),
    )


@router.message(Command("scoring"))
async def scoring(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    await state.set_state(None)
    uid = message.from_user.id
    schemes = await services.schemes.schemes_for(uid)
    if not schemes:
        await message.answer(tr("sco-no-schemes"))
        return
    if len(schemes) == 1:
        await send_to(bot, uid, await _menu(services, uid, schemes[0].id))
        return
    await send(message, _schemes_screen(schemes))


@router.callback_query(MenuCb.filter())
async def menu(query: CallbackQuery, callback_data: MenuCb, bot: Bot, services: Services) -> None:
    uid = query.from_user.id
    scheme_id = callback_data.scheme_id
    if scheme_id == 0:  # «⬅️ К оцениванию» where the scheme is not at hand: as /scoring
        schemes = await services.schemes.schemes_for(uid)
        if len(schemes) != 1:
            await reply(query, _schemes_screen(schemes))
            return
        scheme_id = schemes[0].id
    await send_to(bot, uid, await _menu(services, uid, scheme_id))


async def _menu(services: Services, uid: int, scheme_id: int) -> Screen:
    brief = next((s for s in await services.schemes.schemes_for(uid) if s.id == scheme_id), None)
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
    roles = brief.roles
    coordinator = "coordinator" in roles
    return Screen(
        "\n".join(lines),
        keyboard(
            (tr("sco-btn-my-sheet"), WorklistCb(scheme_id=scheme_id))
            if "expert" in roles
            else None,
            (tr("sco-btn-mentor-sheets"), MentorSheetsCb(scheme_id=scheme_id))
            if "mentor" in roles
            else None,
            (tr("sco-btn-chief"), ChiefCb(scheme_id=scheme_id)) if "chief" in roles else None,
            (tr("sco-btn-progress"), ScoringProgressCb(scheme_id=scheme_id))
            if coordinator or "chief" in roles
            else None,
            (tr("sco-btn-results"), ResultsCb(scheme_id=scheme_id)) if coordinator else None,
            (tr("sco-btn-export"), ResultsCb(scheme_id=scheme_id, action=ResultsAction.EXPORT))
            if coordinator
            else None,
        ),
    )


# --------------------------------------------------------------------------- expert: entry


@router.callback_query(WorklistCb.filter())
async def worklist(query: CallbackQuery, callback_data: WorklistCb, services: Services) -> None:
    await reply(
        query, await _worklist_screen(services, query.from_user.id, callback_data.scheme_id)
    )


async def _worklist_screen(services: Services, uid: int, scheme_id: int) -> Screen:
    wl = await services.marks.worklist(uid, scheme_id)
    lines = [
        tr("sco-worklist-title", title=wl.title),
        tr("sco-progress", scored=wl.scored, total=wl.total),
    ]
    if wl.confirmed:
        lines.append(tr("sco-worklist-confirmed"))
    items: list[Button] = [
        (
            button_label(f"{'✅ ' if t.scored == t.total else ''}{t.label} · {t.scored}/{t.total}"),
            ScoreCb(target_id=t.target_id, scheme_id=scheme_id),
        )
        for t in wl.targets
    ]
    if not wl.targets:
        lines.append(tr("sco-worklist-empty"))
    if wl.targets and wl.scored == wl.total and not wl.confirmed and not wl.scores_locked:
        items.append((tr("sco-btn-confirm"), ConfirmSheetCb(scheme_id=scheme_id)))
    key, data = back_menu(scheme_id)
    return Screen("\n".join(lines), choices(items, tail=[(tr(key), data)]))


def _item_screen(item: ScoreItem, note: str = "") -> Screen:
    lines = []
    if note:
        lines.append(note)
    lines += [
        tr("sco-item-target", target=item.target_label),
        tr("sco-item-subcriterion", subcriterion=item.subcriterion),
        tr("sco-item-aspect", code=item.code, title=item.title),
        tr("sco-item-kind", kind=kind_name(item.kind), points=points(item.max_points)),
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
    options = (
        (
            button_label(option_label(item.kind, o)),
            ScoreCb(
                target_id=item.target_id,
                aspect_id=item.aspect_id,
                value=o.value,
                scheme_id=item.scheme_id,
            ),
        )
        for o in item.options
    )
    back = (tr("sco-btn-back"), WorklistCb(scheme_id=item.scheme_id))
    return Screen("\n".join(lines), choices(options, per_row=option_width(item.kind), tail=[back]))


def _current_label(item: ScoreItem) -> str:
    if item.kind == "binary":
        return tr("sco-yes") if item.current == 1 else tr("sco-no")
    if item.kind == "discrete":
        return next((o.label for o in item.options if o.value == item.current), str(item.current))
    return str(item.current)


@router.callback_query(ScoreCb.filter())
async def score(query: CallbackQuery, callback_data: ScoreCb, services: Services) -> None:
    uid = query.from_user.id
    note = ""
    if callback_data.value >= 0:
        outcome = await services.marks.enter_mark(
            uid, callback_data.target_id, callback_data.aspect_id, callback_data.value
        )
        note = tr("sco-saved")
        if outcome.state in ("rescore", "tie"):
            note = tr(f"sco-saved-{outcome.state}")
        item = await services.marks.score_item(uid, callback_data.target_id)
    else:
        item = await services.marks.score_item(
            uid, callback_data.target_id, callback_data.aspect_id or None
        )
    if item is None:
        target_done = tr("sco-target-done")
        scheme_id = callback_data.scheme_id or await _scheme_of_target(
            services, uid, callback_data.target_id
        )
        wl = await _worklist_screen(services, uid, scheme_id)
        await show(query, Screen(f"{note}\n{target_done}\n\n{wl.text}".strip(), wl.keyboard))
        return
    await show(query, _item_screen(item, note))


async def _scheme_of_target(services: Services, uid: int, target_id: int) -> int:
    for s in await services.schemes.schemes_for(uid):
        wl = await services.marks.worklist(uid, s.id) if "expert" in s.roles else None
        if wl is not None and any(t.target_id == target_id for t in wl.targets):
            return s.id
    raise DomainError("not_in_scheme")


@router.callback_query(ConfirmSheetCb.filter(~F.sure))
async def confirm_ask(
    query: CallbackQuery, callback_data: ConfirmSheetCb, services: Services
) -> None:
    # already confirmed, or the scores locked meanwhile: said at once, nothing asked
    sid = callback_data.scheme_id
    await services.marks.check_confirm_sheet(query.from_user.id, sid)
    wl = await services.marks.worklist(query.from_user.id, sid)
    lines = [tr("sco-confirm-ask", title=wl.title, scored=wl.scored)]
    lines += [f"• {t.label}: {t.scored}/{t.total}" for t in wl.targets]
    kb = keyboard(
        (tr("sco-btn-confirm-yes"), ConfirmSheetCb(scheme_id=sid, sure=True)),
        (tr("sco-btn-back"), WorklistCb(scheme_id=sid)),
    )
    await reply(query, Screen("\n".join(lines), kb))


@router.callback_query(ConfirmSheetCb.filter(F.sure))
async def confirm(query: CallbackQuery, callback_data: ConfirmSheetCb, services: Services) -> None:
    sid = callback_data.scheme_id
    await services.marks.confirm_sheet(query.from_user.id, sid)
    kb = steps(("nxt-btn-back-worklist", WorklistCb(scheme_id=sid)), back_menu(sid))
    await show(query, Screen(tr("sco-confirmed"), kb))


# --------------------------------------------------------------------------- mentors (R-SCO-5)


@router.callback_query(MentorSheetsCb.filter())
async def mentor_list(
    query: CallbackQuery, callback_data: MentorSheetsCb, services: Services
) -> None:
    targets = await services.scoring_setup.mentor_targets(
        query.from_user.id, callback_data.scheme_id
    )
    key, data = back_menu(callback_data.scheme_id)
    kb = choices(
        ((button_label(label), SheetCb(target_id=tid)) for tid, label in targets),
        tail=[(tr(key), data)],
    )
    await reply(query, Screen(tr("sco-mentor-title"), kb))


@router.callback_query(SheetCb.filter())
async def sheet(query: CallbackQuery, callback_data: SheetCb, services: Services) -> None:
    s = await services.score_lock.target_sheet(query.from_user.id, callback_data.target_id)
    key, data = back_menu(s.scheme_id)
    kb = keyboard(
        (tr("sco-btn-mentor-confirm"), SheetConfirmCb(target_id=s.target_id))
        if s.confirmed_at is None
        else None,
        (tr(key), data),
    )
    text = sheet_text(s)
    if s.confirmed_at is not None:
        text += "\n" + tr("sco-mentor-confirmed-at")
    await reply(query, Screen(text, kb))


@router.callback_query(SheetConfirmCb.filter())
async def sheet_confirm(
    query: CallbackQuery, callback_data: SheetConfirmCb, services: Services
) -> None:
    await services.score_lock.confirm_mentor_sheet(query.from_user.id, callback_data.target_id)
    s = await services.score_lock.target_sheet(query.from_user.id, callback_data.target_id)
    back = ("nxt-btn-back-mentors", MentorSheetsCb(scheme_id=s.scheme_id))
    await reply(query, Screen(tr("sco-mentor-confirmed"), steps(back, back_menu(s.scheme_id))))


@router.callback_query(AllowCb.filter())
async def allowance_vote(query: CallbackQuery, callback_data: AllowCb, services: Services) -> None:
    outcome = await services.scoring_setup.vote_mentor_allowance(
        query.from_user.id, callback_data.target_id, callback_data.allow
    )
    text = tr("sco-allow-voted", allow="yes" if callback_data.allow else "no", outcome=outcome)
    await reply(query, Screen(text, steps(back_menu(0))))
