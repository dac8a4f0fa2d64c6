"""The decider's decision on an appeal (R-APL-6…9): upheld or rejected, its text, and for an
upheld one the measures — a deduction or a disqualification of the appellant's participant
or of another one of the same competence, points restored — each number checked at its step
against the participant's total (R-APL-9, issue #15). The decision is shown back with
«Подтвердить / Изменить» and recorded only from that screen (issue #12): it is final."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.handlers.appeals.callbacks import (
    AppealAction,
    AppealCb,
    DecisionAction,
    DecisionCb,
)
from bot.handlers.appeals.commission import next_after_case
from bot.handlers.appeals.common import NOT_COMMAND, draft_key, points_text, row
from bot.prompts import BACK_KEY, ask, cancel_markup, confirm_markup
from bot.screens import Screen, button_label, message_of, send
from bot.texts import error_text, tr
from models import commission as cms
from models.errors import DomainError
from models.services import Services
from models.services.appeals import MAX_TEXT

router = Router(name=__name__)


class DecisionForm(StatesGroup):
    text = State()
    deduction = State()
    confirm = State()
    restore = State()  # R-APL-9 (issue #15): points restored to the appellant's participant


def _cb(dec: dict[str, Any], action: DecisionAction, penalised: int = 0) -> DecisionCb:
    return DecisionCb(
        appeal_id=dec["appeal_id"], action=action, key=dec["key"], penalised=penalised
    )


@router.callback_query(AppealCb.filter(F.action == AppealAction.DECIDE))
async def decide_start(
    query: CallbackQuery, callback_data: AppealCb, services: Services, state: FSMContext
) -> None:
    """«Записать решение»: refused at once when the appeal no longer allows it (decided,
    refused as late, the chair's role revoked) — before anything is asked."""
    uid = query.from_user.id
    await services.appeal_decisions.check_decide(uid, callback_data.appeal_id)
    await state.set_state(None)
    dec = {"appeal_id": callback_data.appeal_id, "key": draft_key()}
    await state.update_data({"apl_dec": dec, BACK_KEY: _card_back(dec)})
    await _decision_choose(message_of(query), dec)


async def _decision_choose(message: Message, dec: dict[str, Any]) -> None:
    rows = [
        row((tr("apl-dec-btn-upheld"), _cb(dec, DecisionAction.UPHELD))),
        row((tr("apl-dec-btn-rejected"), _cb(dec, DecisionAction.REJECTED))),
    ]
    await message.answer(
        tr("apl-dec-choose", id=dec["appeal_id"]), reply_markup=cancel_markup(*rows)
    )


async def _decision(
    state: FSMContext, appeal_id: int | None = None, key: str | None = None
) -> dict[str, Any]:
    dec = (await state.get_data()).get("apl_dec")
    if not dec or (appeal_id is not None and dec.get("appeal_id") != appeal_id):
        raise DomainError("appeal_form_expired")
    if key is not None and key and dec.get("key") != key:
        raise DomainError("appeal_form_old")
    return dict(dec)


async def _decision_with_text(state: FSMContext, callback_data: DecisionCb) -> dict[str, Any]:
    """The draft of a step after the text — or why it is gone."""
    dec = await _decision(state, callback_data.appeal_id, callback_data.key)
    if "text" not in dec:
        raise DomainError("appeal_form_expired")
    return dec


def _card_back(dec: dict[str, Any]) -> str:
    return AppealCb(appeal_id=dec["appeal_id"], action=AppealAction.VIEW).pack()


@router.callback_query(
    DecisionCb.filter(F.action.in_({DecisionAction.UPHELD, DecisionAction.REJECTED}))
)
async def decide_kind(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    # decided meanwhile, or the role revoked: refused before the text is asked
    await services.appeal_decisions.check_decide(query.from_user.id, callback_data.appeal_id)
    dec = await _decision(state, callback_data.appeal_id, callback_data.key)
    dec.update(
        uphold=callback_data.action == DecisionAction.UPHELD,
        deduction="",
        disqualify=False,
        penalised=None,
        penalised_label="",
        restore="",
    )
    if dec.get(
        "text"
    ):  # issue #15: «Изменить» keeps the text typed — kept with a press, or replaced
        rows = [row((tr("cms-dec-btn-keep-text"), _cb(dec, DecisionAction.KEEP_TEXT)))]
        prompt = tr("cms-dec-ask-text-again", text=dec["text"])
        await ask(
            message_of(query),
            state,
            DecisionForm.text,
            prompt,
            back=_card_back(dec),
            rows=rows,
            apl_dec=dec,
        )
        return
    await ask(
        message_of(query),
        state,
        DecisionForm.text,
        tr("apl-dec-ask-text"),
        back=_card_back(dec),
        apl_dec=dec,
    )


@router.callback_query(DecisionCb.filter(F.action == DecisionAction.KEEP_TEXT))
async def decide_keep_text(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    await services.appeal_decisions.check_decide(query.from_user.id, callback_data.appeal_id)
    dec = await _decision(state, callback_data.appeal_id, callback_data.key)
    if not dec.get("text") or "uphold" not in dec:
        raise DomainError("appeal_form_expired")
    await _after_text(message_of(query), state, dec)


@router.message(DecisionForm.text, NOT_COMMAND)
async def decide_text(message: Message, state: FSMContext) -> None:
    dec = await _decision(state)
    text = message.text.strip()
    if len(text) > MAX_TEXT:
        raise DomainError("appeal_field_too_long", field="decision_text", limit=MAX_TEXT)
    dec["text"] = text
    await state.update_data(apl_dec=dec)
    await _after_text(message, state, dec)


async def _after_text(message: Message, state: FSMContext, dec: dict[str, Any]) -> None:
    if dec["uphold"]:
        # R-APL-9 (issue #15): the appellant's participant by default; or another participant,
        # or points restored to the appellant's participant
        rows = [
            row((tr("cms-dec-btn-other"), _cb(dec, DecisionAction.OTHER))),
            row((tr("cms-dec-btn-restore"), _cb(dec, DecisionAction.RESTORE))),
        ]
        await ask(
            message,
            state,
            DecisionForm.deduction,
            tr("apl-dec-ask-deduction"),
            back=_card_back(dec),
            rows=rows,
        )
        return
    await _decision_confirm(message, state, dec)


@router.message(DecisionForm.deduction, NOT_COMMAND)
async def decide_deduction(message: Message, services: Services, state: FSMContext) -> None:
    """R-APL-9 (issue #15): the number is checked now against the participant's total (once
    the scores are locked) — the step stays on a bad one, the limit named."""
    dec = await _decision(state)
    try:
        points = await services.appeal_decisions.check_decision_points(
            message.from_user.id,
            dec["appeal_id"],
            deduction=message.text,
            penalised=dec.get("penalised"),
        )
    except DomainError as err:
        if err.code not in cms.FIXABLE_REFUSALS:
            raise
        # the step stays: type the number again
        await message.answer(error_text(err), reply_markup=cancel_markup())
        return
    dec["deduction"] = "" if points == 0 else str(points)
    await state.update_data(apl_dec=dec)
    await state.set_state(None)
    await _ask_disqualify(message, dec)


async def _ask_disqualify(message: Message, dec: dict[str, Any], note: str = "") -> None:
    rows = [
        row(
            (tr("apl-dec-btn-dq"), _cb(dec, DecisionAction.DISQUALIFY)),
            (tr("apl-dec-btn-nodq"), _cb(dec, DecisionAction.NO_DISQUALIFY)),
        )
    ]
    if note and dec.get("penalised"):
        # refused «0» + «Нет»: type a deduction again for the same participant
        again = _cb(dec, DecisionAction.PICK, penalised=dec["penalised"])
        rows.append(row((tr("cms-dec-btn-change-deduction"), again)))
    await message.answer(note + tr("apl-dec-ask-disqualify"), reply_markup=cancel_markup(*rows))


@router.callback_query(DecisionCb.filter(F.action == DecisionAction.OTHER))
async def decide_other(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    """R-APL-9 (issue #15): the participant who gained the advantage — another one of the same
    competence at the same stage."""
    others = await services.appeal_decisions.decision_targets(
        query.from_user.id, callback_data.appeal_id
    )
    dec = await _decision_with_text(state, callback_data)
    await state.set_state(None)
    if not others:
        await message_of(query).answer(tr("cms-dec-no-others"), reply_markup=cancel_markup())
        return
    rows = [
        row((button_label(label), _cb(dec, DecisionAction.PICK, penalised=tid)))
        for tid, label in others
    ]
    await message_of(query).answer(tr("cms-dec-choose-other"), reply_markup=cancel_markup(*rows))


@router.callback_query(DecisionCb.filter(F.action == DecisionAction.PICK))
async def decide_pick(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    uid, appeal_id, penalised = query.from_user.id, callback_data.appeal_id, callback_data.penalised
    others = dict(await services.appeal_decisions.decision_targets(uid, appeal_id))
    dec = await _decision_with_text(state, callback_data)
    if penalised not in others:
        raise DomainError("cms_penalised_not_in_scheme")
    bound = await services.appeal_decisions.decision_bound(uid, appeal_id, penalised)
    dec.update(penalised=penalised, penalised_label=others[penalised])
    # issue #15: the limit is this participant's total, named; «0» is no measure for another one
    prompt = tr(
        "cms-dec-ask-deduction-other",
        who=others[penalised],
        current=cms.points_text(bound.total),
        most=cms.points_text(bound.most_deducted),
        locked="yes" if bound.locked else "no",
    )
    await ask(
        message_of(query), state, DecisionForm.deduction, prompt, back=_card_back(dec), apl_dec=dec
    )


@router.callback_query(DecisionCb.filter(F.action == DecisionAction.RESTORE))
async def decide_restore(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    await services.appeal_decisions.check_decide(query.from_user.id, callback_data.appeal_id)
    view = await services.appeal_decisions.view(query.from_user.id, callback_data.appeal_id)
    dec = await _decision_with_text(state, callback_data)
    await ask(
        message_of(query),
        state,
        DecisionForm.restore,
        tr("cms-dec-ask-restore", who=view.target_label),
        back=_card_back(dec),
    )


@router.message(DecisionForm.restore, NOT_COMMAND)
async def decide_restore_points(message: Message, services: Services, state: FSMContext) -> None:
    """The number is checked now against the scheme's maximum and the total now (issue #15:
    the step stays on a bad one, the most restorable named); again when it is recorded."""
    dec = await _decision(state)
    try:
        points = await services.appeal_decisions.check_decision_points(
            message.from_user.id, dec["appeal_id"], restore=message.text
        )
    except DomainError as err:
        if err.code not in cms.FIXABLE_REFUSALS:
            raise
        await message.answer(error_text(err), reply_markup=cancel_markup())
        return
    dec["restore"] = "" if points == 0 else str(points)
    await state.update_data(apl_dec=dec)
    await state.set_state(None)
    rows = [
        row((tr("cms-dec-btn-other"), _cb(dec, DecisionAction.OTHER))),
        row((tr("cms-dec-btn-no-other"), _cb(dec, DecisionAction.NO_OTHER))),
    ]
    await message.answer(
        tr("cms-dec-after-restore", points=points_text(points)), reply_markup=cancel_markup(*rows)
    )


@router.callback_query(DecisionCb.filter(F.action == DecisionAction.NO_OTHER))
async def decide_no_other(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    await services.appeal_decisions.check_decide(query.from_user.id, callback_data.appeal_id)
    dec = await _decision_with_text(state, callback_data)
    await _decision_confirm(message_of(query), state, dec)


@router.message(DecisionForm.text, ~F.text)
@router.message(DecisionForm.deduction, ~F.text)
@router.message(DecisionForm.restore, ~F.text)
async def decide_not_text(message: Message) -> None:
    await message.answer(tr("apl-dec-need-text"), reply_markup=cancel_markup())


@router.message(DecisionForm.confirm, NOT_COMMAND)
@router.message(DecisionForm.confirm, ~F.text)
async def decide_wait_confirm(message: Message) -> None:
    await message.answer(tr("apl-dec-wait-confirm"))


@router.callback_query(
    DecisionCb.filter(F.action.in_({DecisionAction.DISQUALIFY, DecisionAction.NO_DISQUALIFY}))
)
async def decide_disqualify(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    await services.appeal_decisions.check_decide(query.from_user.id, callback_data.appeal_id)
    dec = await _decision_with_text(state, callback_data)
    dec["disqualify"] = callback_data.action == DecisionAction.DISQUALIFY
    if dec.get(
        "penalised"
    ):  # R-APL-9 (issue #15): «0» and «Нет» for another participant is no measure
        try:
            cms.check_penalty(
                Decimal(dec.get("deduction") or 0),
                dec["disqualify"],
                who=dec.get("penalised_label") or "—",
            )
        except DomainError as err:
            note = error_text(err) + "\n" + tr("cms-dec-penalty-hint") + "\n\n"
            await _ask_disqualify(message_of(query), dec, note=note)
            return
    await state.update_data(apl_dec=dec)
    await _decision_confirm(message_of(query), state, dec)


async def _decision_confirm(message: Message, state: FSMContext, dec: dict[str, Any]) -> None:
    """The decision about another person, shown back: «Подтвердить» / «Изменить» / «Отмена»
    (issue #12). Only «Подтвердить» of this very screen, while it waits, records it."""
    await state.set_state(DecisionForm.confirm)
    await state.update_data({BACK_KEY: _card_back(dec)})
    text = tr(
        "apl-dec-confirm",
        id=dec["appeal_id"],
        decision="upheld" if dec["uphold"] else "rejected",
        text=dec["text"],
        deduction=dec["deduction"].replace(".", ",") if dec["deduction"] else "0",
        disqualified="yes" if dec["disqualify"] else "no",
    )
    if dec.get("penalised"):  # R-APL-9 (issue #15): whom the measures concern, what is restored
        text += "\n" + tr("cms-dec-confirm-other", who=dec.get("penalised_label") or "—")
    if dec.get("restore"):
        text += "\n" + tr("cms-dec-confirm-restore", points=dec["restore"].replace(".", ","))
    markup = confirm_markup(_cb(dec, DecisionAction.OK), _cb(dec, DecisionAction.CHANGE))
    await message.answer(text, reply_markup=markup)


@router.callback_query(DecisionCb.filter(F.action == DecisionAction.OK))
async def decide_ok(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    # decided already (a double press, another session): say by whom and when, not «устарела»
    await services.appeal_decisions.check_decide(query.from_user.id, callback_data.appeal_id)
    dec = await _decision_with_text(state, callback_data)
    if await state.get_state() != DecisionForm.confirm.state:
        raise DomainError("decision_not_confirming")  # «Отмена» was pressed, or the person left
    try:
        view = await services.appeal_decisions.decide(
            query.from_user.id,
            dec["appeal_id"],
            uphold=dec["uphold"],
            text=dec["text"],
            deduction=dec["deduction"] or None,
            disqualify=dec["disqualify"],
            penalised=dec.get("penalised"),
            restore=dec.get("restore") or None,
        )
    except DomainError as e:
        if e.code in cms.FIXABLE_REFUSALS:
            # R-APL-9 bounds: the draft stays — «Изменить» corrects it (text kept)
            change = _cb(dec, DecisionAction.CHANGE)
            await message_of(query).answer(
                error_text(e), reply_markup=cancel_markup(row((tr("btn-prompt-change"), change)))
            )
            return
        await state.set_state(None)  # decided by someone else meanwhile: this draft is over
        await state.update_data(apl_dec=None)
        raise
    await state.set_state(None)
    await state.update_data(apl_dec=None)
    recorded = tr("apl-dec-recorded", id=view.id)
    await send(message_of(query), Screen(recorded, await next_after_case(services, view)))


@router.callback_query(DecisionCb.filter(F.action == DecisionAction.CHANGE))
async def decide_change(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    await services.appeal_decisions.check_decide(query.from_user.id, callback_data.appeal_id)
    dec = await _decision(state, callback_data.appeal_id, callback_data.key)
    await state.set_state(None)
    await _decision_choose(message_of(query), dec)


@router.callback_query(DecisionCb.filter(F.action == DecisionAction.CANCEL))
async def decide_cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(None)
    await state.update_data(apl_dec=None)
    await message_of(query).answer(tr("apl-cancelled"))
