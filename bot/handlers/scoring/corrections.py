"""Corrections after the score lock (R-SCO-6): the chief opens one with a reason, corrects
marks, re-locks; the group signs. Each step is checked again by the service."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.handlers.scoring.callbacks import (
    ChiefAction,
    ChiefCb,
    CorrAction,
    CorrCb,
    CorrDraftAction,
    CorrDraftCb,
    CorrMarkCb,
    CorrTargetCb,
)
from bot.handlers.scoring.common import (
    NOT_COMMAND,
    ScoringForm,
    Step,
    back_menu,
    kind_name,
    mark_label,
    option_label,
    option_width,
    reply,
    sheet_text,
    steps,
)
from bot.prompts import ask_chat, confirm_markup
from bot.screens import Button, Screen, button_label, choices, show
from bot.texts import tr
from models.errors import DomainError
from models.services import Services
from models.services.scoring import CorrectionView

router = Router(name=__name__)


def _list_of(scheme_id: int) -> ChiefCb:
    return ChiefCb(scheme_id=scheme_id, action=ChiefAction.CORRECTIONS)


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


@router.callback_query(ChiefCb.filter(F.action == ChiefAction.CORRECTIONS))
async def corrections(query: CallbackQuery, callback_data: ChiefCb, services: Services) -> None:
    sid = callback_data.scheme_id
    items = await services.corrections.corrections(query.from_user.id, sid)
    buttons: list[Button] = [
        (
            button_label(
                f"№{c.id} {c.target_label} · {c.subcriterion} · {tr('sco-corr-short-' + c.status)}"
            ),
            CorrCb(correction_id=c.id),
        )
        for c in items
    ]
    tail: list[Button] = [
        (tr("sco-btn-new-correction"), ChiefCb(scheme_id=sid, action=ChiefAction.NEW_CORRECTION)),
        (tr("nxt-btn-back-setup"), ChiefCb(scheme_id=sid)),
    ]
    await reply(query, Screen(tr("sco-corr-list", count=len(items)), choices(buttons, tail=tail)))


@router.callback_query(ChiefCb.filter(F.action == ChiefAction.NEW_CORRECTION))
async def correction_target(
    query: CallbackQuery, callback_data: ChiefCb, services: Services
) -> None:
    sid = callback_data.scheme_id
    targets = await services.scoring_setup.targets(query.from_user.id, sid)
    items = (
        (button_label(label), CorrTargetCb(scheme_id=sid, target_id=target_id))
        for target_id, label, _, _ in targets
    )
    back = (tr("nxt-btn-back-corrections"), _list_of(sid))
    await reply(query, Screen(tr("sco-corr-pick-target"), choices(items, tail=[back])))


@router.callback_query(CorrTargetCb.filter())
async def correction_sub(
    query: CallbackQuery, callback_data: CorrTargetCb, services: Services
) -> None:
    v = await services.schemes.scheme_view(query.from_user.id, callback_data.scheme_id)
    items = (
        (
            button_label(f"{s.code} {s.title}"),
            CorrDraftCb(scheme_id=v.id, target_id=callback_data.target_id, subcriterion_id=s.id),
        )
        for s in v.subcriteria
    )
    back = (tr("nxt-btn-back"), ChiefCb(scheme_id=v.id, action=ChiefAction.NEW_CORRECTION))
    await reply(query, Screen(tr("sco-corr-pick-sub"), choices(items, tail=[back])))


@router.callback_query(
    CorrDraftCb.filter(F.action.in_({CorrDraftAction.REASON, CorrDraftAction.EDIT}))
)
async def correction_reason_ask(
    query: CallbackQuery,
    callback_data: CorrDraftCb,
    bot: Bot,
    services: Services,
    state: FSMContext,
) -> None:
    """The reason is asked only when a correction can be opened (the chief, scores locked,
    results not published, none under way for this sheet) — otherwise refused at once."""
    await services.corrections.check_open_correction(
        query.from_user.id, callback_data.target_id, callback_data.subcriterion_id
    )
    await ask_chat(
        bot,
        query.from_user.id,
        state,
        ScoringForm.correction_reason,
        tr("sco-corr-ask-reason"),
        back=CorrTargetCb(scheme_id=callback_data.scheme_id, target_id=callback_data.target_id),
        sg_corr_scheme=callback_data.scheme_id,
        sg_corr_target=callback_data.target_id,
        sg_corr_sub=callback_data.subcriterion_id,
        sg_corr_reason=None,
    )


@router.message(ScoringForm.correction_reason, NOT_COMMAND)
async def correction_reason(message: Message, services: Services, state: FSMContext) -> None:
    """A correction decides about other people's scores (R-SCO-6): the reason is shown back
    with «Подтвердить» / «Изменить» first. A new text replaces the draft."""
    data = await state.get_data()
    reason = services.corrections.check_reason(message.text)
    await services.corrections.check_open_correction(
        message.from_user.id, data["sg_corr_target"], data["sg_corr_sub"]
    )
    await state.update_data(sg_corr_reason=reason)
    draft = CorrDraftCb(
        scheme_id=data.get("sg_corr_scheme") or 0,
        target_id=data["sg_corr_target"],
        subcriterion_id=data["sg_corr_sub"],
    )
    await message.answer(
        tr("sco-corr-reason-check", reason=reason),
        reply_markup=confirm_markup(
            draft.model_copy(update={"action": CorrDraftAction.OK}),
            draft.model_copy(update={"action": CorrDraftAction.EDIT}),
        ),
    )


@router.callback_query(CorrDraftCb.filter(F.action == CorrDraftAction.OK))
async def correction_open(
    query: CallbackQuery, callback_data: CorrDraftCb, services: Services, state: FSMContext
) -> None:
    """«Подтвердить»: only the draft of the prompt still open for this very sheet (after
    «Отмена» or a command the old button changes nothing); the service decides once."""
    data = await state.get_data()
    reason = data.get("sg_corr_reason")
    if (
        await state.get_state() != ScoringForm.correction_reason.state
        or (data.get("sg_corr_target"), data.get("sg_corr_sub"))
        != (callback_data.target_id, callback_data.subcriterion_id)
        or not reason
    ):
        raise DomainError("guard_draft_lost")
    c = await services.corrections.open_correction(
        query.from_user.id, callback_data.target_id, callback_data.subcriterion_id, reason
    )
    await state.set_state(None)
    await state.update_data(sg_corr_reason=None)
    kb = steps(
        ("nxt-btn-correction", CorrCb(correction_id=c.id)),
        ("nxt-btn-back-corrections", _list_of(c.scheme_id)),
    )
    text = tr("sco-corr-opened", id=c.id, count=len(c.signers) - 1) + "\n\n" + _correction_text(c)
    await show(query, Screen(text, kb))


async def _correction_screen(services: Services, uid: int, correction_id: int) -> Screen:
    c = await services.corrections.correction(uid, correction_id)
    sheet = await services.corrections.correction_lines(uid, correction_id)
    text = _correction_text(c) + "\n\n" + sheet_text(sheet)
    items: list[Button] = []
    signed = c.approved if c.status == "approval" else c.confirmed
    if c.status in ("approval", "signing") and uid not in signed:
        key = "sco-btn-sign-correction" if c.status == "approval" else "sco-btn-sign-corrected"
        items.append((tr(key), CorrCb(correction_id=c.id, action=CorrAction.SIGN)))
    if c.status == "open" and uid == c.opened_by:
        items += [
            (
                button_label(tr("sco-btn-correct-aspect", code=ln.code)),
                CorrMarkCb(correction_id=c.id, aspect_id=ln.aspect_id),
            )
            for ln in sheet.lines
        ]
        items.append((tr("sco-btn-relock"), CorrCb(correction_id=c.id, action=CorrAction.RELOCK)))
    key, data = _correction_back(c, uid)
    items.append((tr(key), data))
    return Screen(text, choices(items))


def _correction_back(c: CorrectionView, uid: int) -> Step:
    """The chief who opened it: back to the corrections; a signer: back to scoring."""
    if uid == c.opened_by:
        return "nxt-btn-back-corrections", _list_of(c.scheme_id)
    return back_menu(c.scheme_id)


def _after(c: CorrectionView, uid: int, key: str) -> Screen:
    kb = steps(("nxt-btn-back-correction", CorrCb(correction_id=c.id)), _correction_back(c, uid))
    return Screen(tr(key) + "\n" + _correction_text(c), kb)


@router.callback_query(CorrCb.filter(F.action == CorrAction.VIEW))
async def correction_view(query: CallbackQuery, callback_data: CorrCb, services: Services) -> None:
    screen = await _correction_screen(services, query.from_user.id, callback_data.correction_id)
    await reply(query, screen)


@router.callback_query(CorrCb.filter(F.action == CorrAction.SIGN))
async def correction_sign(query: CallbackQuery, callback_data: CorrCb, services: Services) -> None:
    c = await services.corrections.sign_correction(query.from_user.id, callback_data.correction_id)
    await reply(query, _after(c, query.from_user.id, "sco-corr-signed"))


@router.callback_query(CorrCb.filter(F.action == CorrAction.RELOCK))
async def correction_relock(
    query: CallbackQuery, callback_data: CorrCb, services: Services
) -> None:
    c = await services.corrections.relock_correction(
        query.from_user.id, callback_data.correction_id
    )
    await reply(query, _after(c, query.from_user.id, "sco-corr-relocked"))


async def _require_open(services: Services, uid: int, correction_id: int) -> None:
    """A stale «Исправить …» of a correction already relocked: refused at once, nothing offered."""
    c = await services.corrections.correction(uid, correction_id)
    if c.status != "open":
        raise DomainError("no_open_correction")


@router.callback_query(CorrMarkCb.filter(F.value < 0))
async def correction_pick(
    query: CallbackQuery, callback_data: CorrMarkCb, services: Services
) -> None:
    """An aspect to correct: whose mark (``expert_id`` 0), then the new value."""
    uid, cid = query.from_user.id, callback_data.correction_id
    await _require_open(services, uid, cid)
    sheet = await services.corrections.correction_lines(uid, cid)
    line = next((ln for ln in sheet.lines if ln.aspect_id == callback_data.aspect_id), None)
    if line is None:
        raise DomainError("not_your_aspect")
    back = (tr("nxt-btn-back-correction"), CorrCb(correction_id=cid))
    if not callback_data.expert_id:
        # by name (issue #16: «Эксперт 100005: 3» told the chief nothing)
        items = (
            (
                button_label(
                    tr(
                        "sco-btn-correct-mark",
                        expert=sheet.name(expert),
                        value=mark_label(line.kind, line.options, value, short=True),
                    )
                ),
                CorrMarkCb(correction_id=cid, aspect_id=line.aspect_id, expert_id=expert),
            )
            for expert, value in sorted(line.marks.items(), key=lambda m: sheet.name(m[0]))
        )
        text = tr("sco-corr-pick-mark", code=line.code, title=line.title)
        await reply(query, Screen(text, choices(items, tail=[back])))
        return
    # the same marks as on the score-entry screen; the service checks the range
    options = (
        (
            button_label(option_label(line.kind, o)),
            callback_data.model_copy(update={"value": o.value}),
        )
        for o in line.options
    )
    kb = choices(options, per_row=option_width(line.kind), tail=[back])
    expert = callback_data.expert_id
    text = tr(
        "sco-corr-pick-value",
        code=line.code,
        kind=kind_name(line.kind),
        expert=sheet.name(expert),
        current=mark_label(line.kind, line.options, line.marks.get(expert)),
    )
    await reply(query, Screen(text, kb))


@router.callback_query(CorrMarkCb.filter(F.value >= 0))
async def correction_value(
    query: CallbackQuery, callback_data: CorrMarkCb, services: Services
) -> None:
    uid = query.from_user.id
    c = await services.corrections.correction(uid, callback_data.correction_id)
    outcome = await services.marks.enter_mark(
        uid,
        c.target_id,
        callback_data.aspect_id,
        callback_data.value,
        for_expert=callback_data.expert_id,
    )
    screen = await _correction_screen(services, uid, callback_data.correction_id)
    note = tr("sco-corr-mark-saved", state=tr("sco-state-" + outcome.state))
    await reply(query, Screen(note + "\n\n" + screen.text, screen.keyboard))
