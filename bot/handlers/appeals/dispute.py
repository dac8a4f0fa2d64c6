"""``/dispute`` (R-APL-1): the chief expert puts a proposal to a vote of the experts
accredited at the site; each votes once; the chief closes the vote — without a quorum only
after confirming exactly that (issue #15) — and the protocol follows.

Every step of the draft keeps its answer in the FSM data and has «Отмена»; the draft's key is
carried by its buttons, so «Вынести» of an older draft opens nothing (issue #12)."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import ChiefCb
from bot.handlers.appeals.callbacks import (
    DisputeCloseCb,
    DisputeDraftCb,
    DisputeSchemeCb,
    DraftAction,
    PreAppealCb,
)
from bot.handlers.appeals.common import NOT_COMMAND, draft_key
from bot.handlers.protocols.callbacks import PubAction, PubCb
from bot.prompts import ask, cancel_markup
from bot.screens import Screen, button_label, choices, keyboard, message_of, send
from bot.texts import tr
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.appeals import MAX_TEXT, PreAppealView

router = Router(name=__name__)


class DisputeForm(StatesGroup):
    situation = State()
    proposal = State()
    penalty = State()
    confirm = State()


async def _chief_schemes(services: Services, uid: int) -> list[Any]:
    return [s for s in await services.schemes.schemes_for(uid) if "chief" in s.roles]


def _schemes_keyboard(schemes: list[Any]) -> InlineKeyboardMarkup | None:
    return choices(
        (button_label(f"{s.title} · {s.stage}"), DisputeSchemeCb(scheme_id=s.id)) for s in schemes
    )


@router.message(Command("dispute"))
async def dispute(message: Message, services: Services, state: FSMContext) -> None:
    await state.set_state(None)
    schemes = await _chief_schemes(services, message.from_user.id)
    if not schemes:
        raise Forbidden("not_chief")
    if len(schemes) == 1:
        await _dispute_start(message, state, schemes[0].id, schemes[0].title, back=None)
        return
    await send(message, Screen(tr("apl-dsp-choose-scheme"), _schemes_keyboard(schemes)))


@router.callback_query(DisputeSchemeCb.filter(F.scheme_id == 0))
async def dispute_list(query: CallbackQuery, services: Services, state: FSMContext) -> None:
    """«Вернуться» after «Отмена»: the list of the chief's competences again."""
    schemes = await _chief_schemes(services, query.from_user.id)
    if not schemes:
        raise Forbidden("not_chief")
    await state.set_state(None)
    await send(message_of(query), Screen(tr("apl-dsp-choose-scheme"), _schemes_keyboard(schemes)))


@router.callback_query(DisputeSchemeCb.filter())
async def dispute_scheme(
    query: CallbackQuery, callback_data: DisputeSchemeCb, services: Services, state: FSMContext
) -> None:
    schemes = await _chief_schemes(services, query.from_user.id)
    brief = next((s for s in schemes if s.id == callback_data.scheme_id), None)
    if brief is None:
        raise Forbidden("not_chief")
    await _dispute_start(
        message_of(query),
        state,
        brief.id,
        brief.title,
        back=DisputeSchemeCb() if len(schemes) > 1 else None,
    )


async def _dispute_start(
    message: Message, state: FSMContext, scheme_id: int, title: str, *, back: DisputeSchemeCb | None
) -> None:
    """A new draft (its own key); every step keeps its answer in the FSM data and has «Отмена»."""
    pre = {
        "scheme_id": scheme_id,
        "title": title,
        "key": draft_key(),
        "back": back.pack() if back else None,
    }
    await ask(
        message,
        state,
        DisputeForm.situation,
        tr("apl-dsp-ask-situation", title=title),
        back=back,
        apl_pre=pre,
    )


async def _pre_draft(state: FSMContext) -> dict[str, Any]:
    pre = (await state.get_data()).get("apl_pre")
    if not pre or "key" not in pre:
        raise DomainError("appeal_form_expired")
    return dict(pre)


@router.message(DisputeForm.situation, NOT_COMMAND)
async def dispute_situation(message: Message, state: FSMContext) -> None:
    pre = await _dispute_put(state, "situation", message.text or "")
    await ask(
        message, state, DisputeForm.proposal, tr("apl-dsp-ask-proposal"), back=pre.get("back")
    )


@router.message(DisputeForm.proposal, NOT_COMMAND)
async def dispute_proposal(message: Message, state: FSMContext) -> None:
    pre = await _dispute_put(state, "proposal", message.text or "")
    await ask(message, state, DisputeForm.penalty, tr("apl-dsp-ask-penalty"), back=pre.get("back"))


@router.message(DisputeForm.penalty, NOT_COMMAND)
async def dispute_penalty(message: Message, state: FSMContext) -> None:
    text = message.text.strip()
    pre = await _dispute_put(state, "penalty", "" if text in ("-", "—", "–") else text)
    await state.set_state(DisputeForm.confirm)
    key = pre["key"]
    kb = keyboard(
        (tr("apl-dsp-btn-open"), DisputeDraftCb(action=DraftAction.OPEN, key=key)),
        (tr("apl-dsp-btn-change"), DisputeDraftCb(action=DraftAction.CHANGE, key=key)),
        (tr("apl-btn-cancel"), DisputeDraftCb(action=DraftAction.CANCEL, key=key)),
    )
    text = tr(
        "apl-dsp-confirm",
        situation=pre["situation"],
        proposal=pre["proposal"],
        penalty=pre["penalty"] or "—",
    )
    await send(message, Screen(text, kb))


@router.message(DisputeForm.situation, ~F.text)
@router.message(DisputeForm.proposal, ~F.text)
@router.message(DisputeForm.penalty, ~F.text)
async def dispute_not_text(message: Message) -> None:
    await message.answer(tr("apl-dsp-need-text"), reply_markup=cancel_markup())


@router.message(DisputeForm.confirm, NOT_COMMAND)
@router.message(DisputeForm.confirm, ~F.text)
async def dispute_wait_confirm(message: Message) -> None:
    await message.answer(tr("apl-dsp-wait-confirm"))


async def _dispute_put(state: FSMContext, key: str, value: str) -> dict[str, Any]:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise DomainError("appeal_field_too_long", field=key, limit=MAX_TEXT)
    pre = await _pre_draft(state)
    pre[key] = value
    await state.update_data(apl_pre=pre)
    return pre


async def _dispute_of(state: FSMContext, key: str) -> dict[str, Any]:
    """The draft a confirmation's button belongs to — or why it is gone."""
    pre = (await state.get_data()).get("apl_pre") or {}
    if pre.get("key") != key:
        raise DomainError("appeal_form_old" if pre else "appeal_form_expired")
    if pre.get("cancelled"):
        raise DomainError("dispute_draft_cancelled")
    return dict(pre)


@router.callback_query(DisputeDraftCb.filter(F.action == DraftAction.OPEN))
async def dispute_open(
    query: CallbackQuery, callback_data: DisputeDraftCb, services: Services, state: FSMContext
) -> None:
    uid = query.from_user.id
    pre = await _dispute_of(state, callback_data.key)
    if "proposal" not in pre:
        raise DomainError("appeal_form_expired")
    # the draft stays: a second press of this button is refused by the service (its key)
    view = await services.disputes.open_pre_appeal(
        uid,
        pre["scheme_id"],
        pre.get("situation", ""),
        pre["proposal"],
        pre.get("penalty") or None,
        draft_key=pre["key"],
    )
    await state.set_state(None)
    screen = await _pre_screen(services, uid, view)
    opened = tr("apl-dsp-opened", id=view.id, count=view.accredited)
    await send(message_of(query), Screen(opened + "\n\n" + screen.text, screen.keyboard))


@router.callback_query(DisputeDraftCb.filter(F.action == DraftAction.CHANGE))
async def dispute_change(
    query: CallbackQuery, callback_data: DisputeDraftCb, state: FSMContext
) -> None:
    pre = await _dispute_of(state, callback_data.key)
    # the way back is always the list of schemes; a draft kept from before issue #14 holds
    # the old "dp:list:0:" there, which DisputeSchemeCb.unpack would refuse
    back = DisputeSchemeCb() if pre.get("back") else None
    await _dispute_start(
        message_of(query), state, pre["scheme_id"], pre.get("title", ""), back=back
    )


@router.callback_query(DisputeDraftCb.filter(F.action == DraftAction.CANCEL))
async def dispute_cancel(
    query: CallbackQuery, callback_data: DisputeDraftCb, state: FSMContext
) -> None:
    pre = (await state.get_data()).get("apl_pre") or {}
    if callback_data.key and pre.get("key") == callback_data.key:
        await state.update_data(apl_pre={"key": pre["key"], "cancelled": True})
        await state.set_state(None)
    await message_of(query).answer(tr("apl-cancelled"))


@router.callback_query(DisputeCloseCb.filter(~F.without_quorum))
async def dispute_close(
    query: CallbackQuery, callback_data: DisputeCloseCb, services: Services
) -> None:
    """«Подвести итог»: with a quorum the vote closes; without one (R-APL-1) the chief is asked
    first — «Кворума нет: 5 из 8, нужно 7. Закрыть голосование без решения?» (issue #15)."""
    uid = query.from_user.id
    # the chief only, a vote still open
    view = await services.disputes.check_close_pre_appeal(uid, callback_data.pre_appeal_id)
    quorum = view.quorum  # R-APL-1: models.rules.pre_appeal_quorum
    if quorum.reached:
        await _dispute_closed(query, services, uid, view.id, without_quorum=False)
        return
    kb = keyboard(
        (tr("nxt-btn-confirm"), DisputeCloseCb(pre_appeal_id=view.id, without_quorum=True)),
        (tr("nxt-btn-back"), PreAppealCb(pre_appeal_id=view.id, vote=-1)),
    )
    text = tr(
        "nxt-pre-no-quorum-ask",
        cast=quorum.cast,
        accredited=quorum.accredited,
        needed=quorum.needed,
    )
    await send(message_of(query), Screen(text, kb))


@router.callback_query(DisputeCloseCb.filter(F.without_quorum))
async def dispute_close_no_quorum(
    query: CallbackQuery, callback_data: DisputeCloseCb, services: Services
) -> None:
    """«Подтвердить» closing without quorum; the service checks the quorum again under its lock."""
    await _dispute_closed(
        query, services, query.from_user.id, callback_data.pre_appeal_id, without_quorum=True
    )


async def _dispute_closed(
    query: CallbackQuery, services: Services, uid: int, pre_appeal_id: int, *, without_quorum: bool
) -> None:
    view = await services.disputes.close_pre_appeal(
        uid, pre_appeal_id, without_quorum=without_quorum
    )
    card = await _pre_screen(services, uid, view)
    # issue #15: the result screen offers the next step (the protocol to sign) and the way back
    kb = keyboard(
        (tr("nxt-btn-protocols"), PubCb(scheme_id=view.scheme_id, action=PubAction.LIST)),
        (tr("nxt-btn-back-setup"), ChiefCb(scheme_id=view.scheme_id)),
    )
    await send(message_of(query), Screen(tr("apl-dsp-closed") + "\n\n" + card.text, kb))


@router.callback_query(PreAppealCb.filter())
async def pre_appeal_vote(
    query: CallbackQuery, callback_data: PreAppealCb, services: Services
) -> None:
    uid = query.from_user.id
    note = ""
    if callback_data.vote in (0, 1):
        view = await services.disputes.vote_pre_appeal(
            uid, callback_data.pre_appeal_id, callback_data.vote == 1
        )
        note = tr("apl-dsp-voted") + "\n\n"
    else:
        view = await services.disputes.pre_appeal(uid, callback_data.pre_appeal_id)
    screen = await _pre_screen(services, uid, view)
    await send(message_of(query), Screen(note + screen.text, screen.keyboard))


async def _pre_screen(services: Services, uid: int, v: PreAppealView) -> Screen:
    q = v.quorum  # R-APL-1: the pure rule the service closes the vote by (issue #15)
    quorum = tr(
        "nxt-quorum-reached" if q.reached else "nxt-quorum-missing",
        cast=q.cast,
        accredited=q.accredited,
        needed=q.needed,
        missing=q.missing,
    )
    text = tr(
        "apl-dsp-card",
        id=v.id,
        situation=v.situation,
        proposal=v.proposal,
        penalty=v.penalty or "—",
        accredited=v.accredited,
        cast=v.votes_for + v.votes_against,
        yes=v.votes_for,
        no=v.votes_against,
        status=v.status,
        quorum=quorum,
    )
    if v.status != "voting":
        return Screen(text)
    chief = any(
        s.id == v.scheme_id and "chief" in s.roles for s in await services.schemes.schemes_for(uid)
    )
    # only the accredited and the chief see this screen (the service checks)
    votes = [
        (tr("apl-btn-for"), PreAppealCb(pre_appeal_id=v.id, vote=1)),
        (tr("apl-btn-against"), PreAppealCb(pre_appeal_id=v.id, vote=0)),
    ]
    return Screen(
        text,
        keyboard(
            votes if uid not in v.voted else None,
            (tr("apl-dsp-btn-close"), DisputeCloseCb(pre_appeal_id=v.id)) if chief else None,
        ),
    )
