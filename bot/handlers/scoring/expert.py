"""Experts and mentors score (R-SCO-1…5): ``/scoring``, the scheme's menu, the worklist, one
aspect at a time, confirming the sheet; a mentor's sheets; a vote on a mentor's allowance.

Handlers stay thin: each button calls one service method, which checks the role again
(a forged button changes nothing) and refuses in Russian through ``handlers.common``.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, WebAppInfo

from bot.handlers.scoring.callbacks import (
    AllowCb,
    ChiefCb,
    ConfirmSheetCb,
    MentorSheetsCb,
    MenuCb,
    RescoreCb,
    ResultsAction,
    ResultsCb,
    ReviewCb,
    ScoreCb,
    ScoringProgressCb,
    SheetCb,
    SheetConfirmCb,
    WorklistCb,
)
from bot.handlers.scoring.common import (
    back_menu,
    item_screen,
    reply,
    saved_note,
    sheet_text,
    steps,
)
from bot.handlers.scoring.review import review_screen
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
async def scoring(
    message: Message,
    bot: Bot,
    services: Services,
    state: FSMContext,
    webapp_url: str | None = None,
) -> None:
    await state.set_state(None)
    uid = message.from_user.id
    schemes = await services.schemes.schemes_for(uid)
    if not schemes:
        await message.answer(tr("sco-no-schemes"))
        return
    if len(schemes) == 1:
        await send_to(bot, uid, await _menu(services, uid, schemes[0].id, webapp_url))
        return
    await send(message, _schemes_screen(schemes))


@router.callback_query(MenuCb.filter())
async def menu(
    query: CallbackQuery,
    callback_data: MenuCb,
    bot: Bot,
    services: Services,
    webapp_url: str | None = None,
) -> None:
    uid = query.from_user.id
    scheme_id = callback_data.scheme_id
    if scheme_id == 0:  # «⬅️ К оцениванию» where the scheme is not at hand: as /scoring
        schemes = await services.schemes.schemes_for(uid)
        if len(schemes) != 1:
            await reply(query, _schemes_screen(schemes))
            return
        scheme_id = schemes[0].id
    await send_to(bot, uid, await _menu(services, uid, scheme_id, webapp_url))


async def _menu(
    services: Services, uid: int, scheme_id: int, webapp_url: str | None = None
) -> Screen:
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
            # issue #16: the score sheet as a Mini App, when WEBAPP_URL is set
            (tr("sco-btn-webapp"), WebAppInfo(url=f"{webapp_url}/webapp/?scheme={scheme_id}"))
            if webapp_url and "expert" in roles
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
    # a fully scored participant opens their review (issue #16), the others the next aspect
    items: list[Button] = [
        (
            button_label(f"✅ {t.label} · {t.scored}/{t.total}"),
            ReviewCb(target_id=t.target_id),
        )
        if t.total and t.scored == t.total
        else (
            button_label(f"{t.label} · {t.scored}/{t.total}"),
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
    """The chat's aspect screen: a mark leads to the next aspect to score."""
    return item_screen(
        item,
        note,
        lambda v: ScoreCb(
            target_id=item.target_id, aspect_id=item.aspect_id, value=v, scheme_id=item.scheme_id
        ),
        [
            (tr("rev-btn-review"), ReviewCb(target_id=item.target_id)),
            (tr("sco-btn-back"), WorklistCb(scheme_id=item.scheme_id)),
        ],
    )


@router.callback_query(ScoreCb.filter())
async def score(query: CallbackQuery, callback_data: ScoreCb, services: Services) -> None:
    uid = query.from_user.id
    note = ""
    if callback_data.value >= 0:
        outcome = await services.marks.enter_mark(
            uid, callback_data.target_id, callback_data.aspect_id, callback_data.value
        )
        note = saved_note(outcome)  # «группа уведомлена» only when this mark flagged it
        item = await services.marks.score_item(uid, callback_data.target_id)
    else:
        item = await services.marks.score_item(
            uid, callback_data.target_id, callback_data.aspect_id or None
        )
    if item is None:  # every aspect scored: the participant's review, not a dead end
        done = tr("rev-all-done")
        note = f"{note}\n{done}" if note else done
        await show(query, await review_screen(services, uid, callback_data.target_id, 0, note))
        return
    await show(query, _item_screen(item, note))


@router.callback_query(RescoreCb.filter())
async def rescore(query: CallbackQuery, callback_data: RescoreCb, services: Services) -> None:
    """«Оценить заново» of a re-score notification: the aspect as a NEW message — the
    notification with the group's marks stays readable above it (issue #16)."""
    item = await services.marks.score_item(
        query.from_user.id, callback_data.target_id, callback_data.aspect_id
    )
    if item is None:  # not reached: an aspect asked by id is there or refused
        return
    await reply(query, _item_screen(item))


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
    # a last look at any participant before confirming (issue #16)
    reviews = (
        (
            button_label(
                tr("rev-btn-review-target", target=t.label, scored=t.scored, total=t.total)
            ),
            ReviewCb(target_id=t.target_id),
        )
        for t in wl.targets
    )
    tail = [
        (tr("sco-btn-confirm-yes"), ConfirmSheetCb(scheme_id=sid, sure=True)),
        (tr("sco-btn-back"), WorklistCb(scheme_id=sid)),
    ]
    await reply(query, Screen("\n".join(lines), choices(reviews, tail=tail)))


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
