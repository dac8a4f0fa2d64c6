"""Disputes in the chat (R-APL-1…9): ``/dispute`` — the chief expert puts a proposal to a
vote of the experts accredited at the site; ``/appeal`` — the mentor (or the head of the
regional coordination centre) files an appeal in a guided form; ``/commission`` — the
federal coordinator forms the commission, members see the queue and vote, the chair
records the final decision.

Handlers stay thin: every button calls one service method, which checks the role again;
refusals come from the services and are rendered by ``handlers.common``. The answers of a
form live in the FSM data until the service accepts them, so a refusal loses nothing.

Issue #12: every free-text prompt has «Отмена» (``bot.prompts.ask`` / ``cancel_markup``) that
changes nothing and offers the way back; a draft (dispute, appeal form, decision) has a key
its buttons carry, so a button of another or an older draft is refused, and the service
opens or files one thing per key; the chair's decision is shown back with «Подтвердить /
Изменить» and applied only from that screen; a button of an appeal that no longer allows
the action is refused before any input is asked; ``/appeal`` with a kept draft offers
«Продолжить» / «Начать заново».
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import flow
from bot.callbacks import AppealCb, PreAppealCb, ScoringCb
from bot.handlers.protocols import PubCb
from bot.prompts import BACK_KEY, ask, cancel_markup, confirm_markup
from bot.texts import error_text, format_dt, tr
from models import commission as cms
from models import rules
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.appeals import (
    APPEAL_KINDS,
    MAX_EVIDENCE,
    MAX_TEXT,
    AppealView,
    MemberView,
    PreAppealView,
)

router = Router(name=__name__)

_NOT_COMMAND = F.text & ~F.text.startswith("/")
_DATETIME = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})[\s,]+(\d{1,2})[:.](\d{2})\s*$")
#: the text steps of the appeal form, in order (R-APL-4); evidence comes after them
STEPS = (
    "dispute_at",
    "place",
    "violators",
    "witnesses",
    "description",
    "demands",
    "applicant_name",
    "applicant_category",
    "contacts",
)
TEXT_FIELDS = STEPS[1:]


class DisputeCb(CallbackData, prefix="dp"):
    action: str  # scheme | list | open | change | cancel | close
    item: int = 0  # scheme id (scheme) or pre-appeal id (close)
    key: str = ""  # the draft a confirmation belongs to (open | change | cancel)


class AplFormCb(CallbackData, prefix="ax"):
    action: str  # target | kind | done | edit | submit | cancel | resume | review | restart
    target: int = 0
    contest: int = 0
    value: str = ""
    key: str = ""  # the draft (form) this button belongs to: a button of another form is refused


class CommissionCb(CallbackData, prefix="cm"):
    contest_id: int
    action: str  # show | form | change | stage | deputy | ok
    stage: int = 0  # R-APL-6 (issue #15): the stage the commission serves, chosen explicitly
    deputy: int = 0  # the deputy chair's Telegram id


class DecisionCb(CallbackData, prefix="ad"):
    appeal_id: int
    action: str  # upheld | rejected | dq | nodq | ok | change | cancel | other | pick | restore | noother
    key: str = ""  # the decision draft: «Подтвердить» of an older one applies nothing
    target: int = 0  # R-APL-9 (issue #15): the other participant penalised (pick)


class DisputeForm(StatesGroup):
    situation = State()
    proposal = State()
    penalty = State()
    confirm = State()


class AppealForm(StatesGroup):
    text = State()
    evidence = State()


class DecisionForm(StatesGroup):
    text = State()
    deduction = State()
    confirm = State()
    restore = State()  # R-APL-9 (issue #15): points restored to the appellant's participant


def _kind_title(kind: str) -> str:
    return tr("apl-kind-" + kind.replace("_", "-"))


def _left(deadline: datetime, now: datetime) -> str:
    minutes = max(int((deadline - now).total_seconds() // 60), 0)
    return tr("apl-left", hours=minutes // 60, minutes=minutes % 60)


def _key() -> str:
    """A draft's name: carried by its buttons and given to the service, so a double
    «Вынести» / «Подать» of one draft opens or files once (issue #12)."""
    return secrets.token_hex(6)


# --------------------------------------------------------------------------- /dispute (R-APL-1)


async def _chief_schemes(services: Services, uid: int) -> list[Any]:
    return [s for s in await services.scoring.schemes_for(uid) if "chief" in s.roles]


@router.message(Command("dispute"))
async def dispute(message: Message, services: Services, state: FSMContext) -> None:
    await state.set_state(None)
    schemes = await _chief_schemes(services, message.from_user.id)
    if not schemes:
        raise Forbidden("not_chief")
    if len(schemes) == 1:
        await _dispute_start(message, state, schemes[0].id, schemes[0].title, back=None)
        return
    await message.answer(tr("apl-dsp-choose-scheme"), reply_markup=_schemes_keyboard(schemes))


def _schemes_keyboard(schemes: list[Any]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for s in schemes:
        kb.button(
            text=flow.button_label(f"{s.title} · {s.stage}"),
            callback_data=DisputeCb(action="scheme", item=s.id),
        )
    kb.adjust(1)
    return kb.as_markup()


@router.callback_query(DisputeCb.filter(F.action == "list"))
async def dispute_list(query: CallbackQuery, services: Services, state: FSMContext) -> None:
    """«Вернуться» after «Отмена»: the list of the chief's competences again."""
    schemes = await _chief_schemes(services, query.from_user.id)
    if not schemes:
        raise Forbidden("not_chief")
    await state.set_state(None)
    await query.answer()
    await query.message.answer(tr("apl-dsp-choose-scheme"), reply_markup=_schemes_keyboard(schemes))


@router.callback_query(DisputeCb.filter(F.action == "scheme"))
async def dispute_scheme(
    query: CallbackQuery, callback_data: DisputeCb, services: Services, state: FSMContext
) -> None:
    schemes = await _chief_schemes(services, query.from_user.id)
    brief = next((s for s in schemes if s.id == callback_data.item), None)
    if brief is None:
        raise Forbidden("not_chief")
    await query.answer()
    await _dispute_start(
        query.message,
        state,
        brief.id,
        brief.title,
        back=DisputeCb(action="list") if len(schemes) > 1 else None,
    )


async def _dispute_start(
    message: Message, state: FSMContext, scheme_id: int, title: str, *, back: DisputeCb | None
) -> None:
    """A new draft (its own key); every step keeps its answer in the FSM data and has «Отмена»."""
    pre = {
        "scheme_id": scheme_id,
        "title": title,
        "key": _key(),
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


@router.message(DisputeForm.situation, _NOT_COMMAND)
async def dispute_situation(message: Message, state: FSMContext) -> None:
    pre = await _dispute_put(state, "situation", message.text)
    await ask(
        message, state, DisputeForm.proposal, tr("apl-dsp-ask-proposal"), back=pre.get("back")
    )


@router.message(DisputeForm.proposal, _NOT_COMMAND)
async def dispute_proposal(message: Message, state: FSMContext) -> None:
    pre = await _dispute_put(state, "proposal", message.text)
    await ask(message, state, DisputeForm.penalty, tr("apl-dsp-ask-penalty"), back=pre.get("back"))


@router.message(DisputeForm.penalty, _NOT_COMMAND)
async def dispute_penalty(message: Message, state: FSMContext) -> None:
    text = message.text.strip()
    pre = await _dispute_put(state, "penalty", "" if text in ("-", "—", "–") else text)
    await state.set_state(DisputeForm.confirm)
    key = pre["key"]
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("apl-dsp-btn-open"), callback_data=DisputeCb(action="open", key=key))
    kb.button(text=tr("apl-dsp-btn-change"), callback_data=DisputeCb(action="change", key=key))
    kb.button(text=tr("apl-btn-cancel"), callback_data=DisputeCb(action="cancel", key=key))
    kb.adjust(1)
    await message.answer(
        tr(
            "apl-dsp-confirm",
            situation=pre["situation"],
            proposal=pre["proposal"],
            penalty=pre["penalty"] or "—",
        ),
        reply_markup=kb.as_markup(),
    )


@router.message(DisputeForm.situation, ~F.text)
@router.message(DisputeForm.proposal, ~F.text)
@router.message(DisputeForm.penalty, ~F.text)
async def dispute_not_text(message: Message) -> None:
    await message.answer(tr("apl-dsp-need-text"), reply_markup=cancel_markup())


@router.message(DisputeForm.confirm, _NOT_COMMAND)
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


@router.callback_query(DisputeCb.filter(F.action == "open"))
async def dispute_open(
    query: CallbackQuery, callback_data: DisputeCb, services: Services, state: FSMContext
) -> None:
    uid = query.from_user.id
    pre = await _dispute_of(state, callback_data.key)
    if "proposal" not in pre:
        raise DomainError("appeal_form_expired")
    # the draft stays: a second press of this button is refused by the service (its key)
    view = await services.appeals.open_pre_appeal(
        uid,
        pre["scheme_id"],
        pre.get("situation", ""),
        pre["proposal"],
        pre.get("penalty") or None,
        draft_key=pre["key"],
    )
    await state.set_state(None)
    await query.answer()
    text, kb = await _pre_screen(services, uid, view)
    await query.message.answer(
        tr("apl-dsp-opened", id=view.id, count=view.accredited) + "\n\n" + text, reply_markup=kb
    )


@router.callback_query(DisputeCb.filter(F.action == "change"))
async def dispute_change(query: CallbackQuery, callback_data: DisputeCb, state: FSMContext) -> None:
    pre = await _dispute_of(state, callback_data.key)
    await query.answer()
    back = DisputeCb.unpack(pre["back"]) if pre.get("back") else None
    await _dispute_start(query.message, state, pre["scheme_id"], pre.get("title", ""), back=back)


@router.callback_query(DisputeCb.filter(F.action == "cancel"))
async def dispute_cancel(query: CallbackQuery, callback_data: DisputeCb, state: FSMContext) -> None:
    pre = (await state.get_data()).get("apl_pre") or {}
    if callback_data.key and pre.get("key") == callback_data.key:
        await state.update_data(apl_pre={"key": pre["key"], "cancelled": True})
        await state.set_state(None)
    await query.answer()
    await query.message.answer(tr("apl-cancelled"))


@router.callback_query(DisputeCb.filter(F.action == "close"))
async def dispute_close(query: CallbackQuery, callback_data: DisputeCb, services: Services) -> None:
    """«Подвести итог»: with a quorum the vote closes; without one (R-APL-1) the chief is asked
    first — «Кворума нет: 5 из 8, нужно 7. Закрыть голосование без решения?» (issue #15)."""
    uid = query.from_user.id
    view = await services.appeals.check_close_pre_appeal(
        uid, callback_data.item
    )  # chief, still open
    quorum = view.quorum
    if quorum.reached:
        await _dispute_closed(query, services, uid, view.id, without_quorum=False)
        return
    await query.answer()
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("nxt-btn-confirm"), callback_data=DisputeCb(action="closenq", item=view.id))
    kb.button(text=tr("nxt-btn-back"), callback_data=PreAppealCb(pre_appeal_id=view.id, vote=-1))
    kb.adjust(1)
    await query.message.answer(
        tr(
            "nxt-pre-no-quorum-ask",
            cast=quorum.cast,
            accredited=quorum.accredited,
            needed=quorum.needed,
        ),
        reply_markup=kb.as_markup(),
    )


@router.callback_query(DisputeCb.filter(F.action == "closenq"))
async def dispute_close_no_quorum(
    query: CallbackQuery, callback_data: DisputeCb, services: Services
) -> None:
    """«Подтвердить» closing without quorum; the service checks the quorum again under its lock."""
    await _dispute_closed(
        query, services, query.from_user.id, callback_data.item, without_quorum=True
    )


async def _dispute_closed(
    query: CallbackQuery, services: Services, uid: int, pre_appeal_id: int, *, without_quorum: bool
) -> None:
    view = await services.appeals.close_pre_appeal(
        uid, pre_appeal_id, without_quorum=without_quorum
    )
    await query.answer()
    text, _ = await _pre_screen(services, uid, view)
    # issue #15: the result screen offers the next step (the protocol to sign) and the way back
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr("nxt-btn-protocols"), callback_data=PubCb(scheme_id=view.scheme_id, action="list")
    )
    kb.button(
        text=tr("nxt-btn-back-setup"),
        callback_data=ScoringCb(scheme_id=view.scheme_id, action="chief"),
    )
    kb.adjust(1)
    await query.message.answer(tr("apl-dsp-closed") + "\n\n" + text, reply_markup=kb.as_markup())


@router.callback_query(PreAppealCb.filter())
async def pre_appeal_vote(
    query: CallbackQuery, callback_data: PreAppealCb, services: Services
) -> None:
    uid = query.from_user.id
    note = ""
    if callback_data.vote in (0, 1):
        view = await services.appeals.vote_pre_appeal(
            uid, callback_data.pre_appeal_id, callback_data.vote == 1
        )
        note = tr("apl-dsp-voted") + "\n\n"
    else:
        view = await services.appeals.pre_appeal(uid, callback_data.pre_appeal_id)
    await query.answer()
    text, kb = await _pre_screen(services, uid, view)
    await query.message.answer(note + text, reply_markup=kb)


async def _pre_screen(
    services: Services, uid: int, v: PreAppealView
) -> tuple[str, InlineKeyboardMarkup | None]:
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
        return text, None
    chief = any(
        s.id == v.scheme_id and "chief" in s.roles for s in await services.scoring.schemes_for(uid)
    )
    kb = InlineKeyboardBuilder()
    if uid not in v.voted:  # only the accredited and the chief see this screen (the service checks)
        kb.button(text=tr("apl-btn-for"), callback_data=PreAppealCb(pre_appeal_id=v.id, vote=1))
        kb.button(text=tr("apl-btn-against"), callback_data=PreAppealCb(pre_appeal_id=v.id, vote=0))
    if chief:
        kb.button(text=tr("apl-dsp-btn-close"), callback_data=DisputeCb(action="close", item=v.id))
    kb.adjust(2, 1)
    return text, kb.as_markup()


# --------------------------------------------------------------------------- /appeal (R-APL-2…5)


@router.message(Command("appeal"))
async def appeal(message: Message, services: Services, state: FSMContext) -> None:
    """The form, or — when a half-filled one is kept — «Продолжить» / «Начать заново»."""
    uid = message.from_user.id
    await state.set_state(None)
    form = (await state.get_data()).get("apl_form")
    if form and form.get("target_id") and not form.get("filed_id"):
        kb = InlineKeyboardBuilder()
        kb.button(
            text=tr("apl-frm-btn-continue"),
            callback_data=AplFormCb(action="resume", key=form.get("key", "")),
        )
        kb.button(
            text=tr("apl-frm-btn-restart"),
            callback_data=AplFormCb(action="restart", key=form.get("key", "")),
        )
        kb.adjust(1)
        filled, total = _filled(form)
        await message.answer(
            tr("apl-frm-draft-found", target=form.get("target", "—"), filled=filled, total=total),
            reply_markup=kb.as_markup(),
        )
        return
    await _targets(message, uid, services)


async def _targets(message: Message, uid: int, services: Services) -> None:
    targets = []
    for c in await services.contests.contests():
        targets += [
            (c.id, tid, label)
            for tid, label in await services.appeals.targets_for_applicant(uid, c.id)
        ]
    if not targets:
        # R-APL-2 (issue #15): a regional head whose team has a representative is told who it is
        for c in await services.contests.contests():
            reason = await services.appeals.no_targets_reason(uid, c.id)
            if reason is not None:
                raise reason
        raise Forbidden("not_an_applicant")
    kb = InlineKeyboardBuilder()
    for contest_id, tid, label in targets:
        kb.button(
            text=flow.button_label(label),
            callback_data=AplFormCb(action="target", target=tid, contest=contest_id),
        )
    kb.adjust(1)
    await message.answer(tr("apl-frm-choose-target"), reply_markup=kb.as_markup())


def _filled(form: dict[str, Any]) -> tuple[int, int]:
    parts = ("kind", *STEPS)
    done = sum(1 for p in parts if form.get(p)) + (
        1 if form.get("evidence") and form.get("evidence_done") else 0
    )
    return done, len(parts) + 1


@router.callback_query(AplFormCb.filter(F.action == "restart"))
async def appeal_restart(
    query: CallbackQuery, callback_data: AplFormCb, services: Services, state: FSMContext
) -> None:
    await _form(services, query.from_user.id, state, callback_data.key)
    await state.set_state(None)
    await state.update_data(apl_form=None)
    await query.answer()
    await _targets(query.message, query.from_user.id, services)


@router.callback_query(AplFormCb.filter(F.action == "resume"))
async def appeal_resume(
    query: CallbackQuery, callback_data: AplFormCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    """«Продолжить» a kept draft, or «Вернуться» after «Отмена» of a step: where it was."""
    await _form(services, query.from_user.id, state, callback_data.key)
    await query.answer()
    await _next(bot, query.from_user.id, services, state)


@router.callback_query(AplFormCb.filter(F.action == "review"))
async def appeal_back_to_review(
    query: CallbackQuery, callback_data: AplFormCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    """«Вернуться» after «Отмена» of an edit: the review as it was (the old answer kept)."""
    form = await _form(services, query.from_user.id, state, callback_data.key)
    form.pop("editing", None)
    form.pop("evidence_new", None)
    await state.update_data(apl_form=form)
    await query.answer()
    await _next(bot, query.from_user.id, services, state)


@router.callback_query(AplFormCb.filter(F.action == "target"))
async def appeal_target(
    query: CallbackQuery, callback_data: AplFormCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    uid = query.from_user.id
    label = dict(await services.appeals.targets_for_applicant(uid, callback_data.contest)).get(
        callback_data.target
    )
    if label is None:  # R-APL-2: why not — another region's team, a team with its representative
        await services.appeals.check_applicant(uid, callback_data.target)
        raise Forbidden("not_an_applicant")
    contest = await services.contests.contest(callback_data.contest)
    await state.update_data(
        apl_form={
            "contest_id": contest.id,
            "tz": contest.timezone,
            "target_id": callback_data.target,
            "target": label,
            "evidence": [],
            "key": _key(),
        }
    )
    await query.answer()
    await _next(bot, uid, services, state)


@router.callback_query(AplFormCb.filter(F.action == "kind"))
async def appeal_kind(
    query: CallbackQuery, callback_data: AplFormCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    form = await _form(services, query.from_user.id, state, callback_data.key)
    if callback_data.value not in APPEAL_KINDS:
        # R-APL-5: anything else is refused with the reason; the form stays as it was
        await query.answer()
        await bot.send_message(
            query.from_user.id,
            error_text(DomainError("appeal_kind_not_accepted")) + "\n" + tr("apl-frm-kept"),
        )
        return
    form["kind"] = callback_data.value
    if form.get("editing") == "kind":
        form.pop("editing")
    await state.update_data(apl_form=form)
    await query.answer()
    await _next(bot, query.from_user.id, services, state)


@router.message(AppealForm.text, _NOT_COMMAND)
async def appeal_text(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    form = await _form(services, message.from_user.id, state)
    step = form.get("step")
    text = message.text.strip()
    if step == "dispute_at":
        dispute_at = _parse_local(text, form["tz"])
        if dispute_at is None:
            await message.answer(tr("apl-frm-bad-datetime"), reply_markup=cancel_markup())
            return
        now = services.ctx.clock.now()
        if dispute_at > now:
            raise DomainError("dispute_in_future")
        deadline, needs_chief = await services.appeals.filing_deadline(
            form["target_id"], dispute_at
        )
        if now > deadline:
            raise DomainError(
                "appeal_late", deadline=deadline, tz=form["tz"]
            )  # R-APL-3: refused at once
        form["dispute_at"] = dispute_at.isoformat()
        lines = [
            tr(
                "apl-frm-deadline",
                deadline=format_dt(deadline, form["tz"]),
                left=_left(deadline, now),
            )
        ]
        if needs_chief:
            lines.append(tr("apl-frm-needs-chief"))
        await message.answer("\n".join(lines))
    elif step in TEXT_FIELDS:
        if not text:
            raise DomainError("appeal_field_missing", field=step)
        if len(text) > MAX_TEXT:
            raise DomainError("appeal_field_too_long", field=step, limit=MAX_TEXT)
        form[step] = text
    else:
        await state.set_state(None)
        await message.answer(tr("session-expired"))
        return
    if form.get("editing") == step:
        form.pop("editing")
    await state.update_data(apl_form=form)
    await _next(bot, message.from_user.id, services, state)


@router.message(AppealForm.text, ~F.text)
async def appeal_not_text(message: Message) -> None:
    await message.answer(tr("apl-frm-need-text"), reply_markup=cancel_markup())


@router.message(AppealForm.evidence, F.photo | F.video | F.document)
async def appeal_evidence(message: Message, services: Services, state: FSMContext) -> None:
    form = await _form(services, message.from_user.id, state)
    into = "evidence_new" if form.get("editing") == "evidence" else "evidence"
    if len(form.get(into, [])) >= MAX_EVIDENCE:
        raise DomainError("appeal_too_much_evidence", limit=MAX_EVIDENCE)
    if message.photo:
        item = {"kind": "photo", "file_id": message.photo[-1].file_id, "name": ""}
    elif message.video:
        item = {
            "kind": "video",
            "file_id": message.video.file_id,
            "name": message.video.file_name or "",
        }
    else:
        item = {
            "kind": "document",
            "file_id": message.document.file_id,
            "name": message.document.file_name or "",
        }
    form[into] = [*form.get(into, []), item]
    await state.update_data(apl_form=form)
    await message.answer(
        tr("apl-frm-file-added", count=len(form[into])), reply_markup=_done_keyboard(form)
    )


@router.message(AppealForm.evidence, ~F.text.startswith("/"))
async def appeal_evidence_not_file(message: Message, services: Services, state: FSMContext) -> None:
    form = await _form(services, message.from_user.id, state)
    await message.answer(tr("apl-frm-need-file"), reply_markup=_done_keyboard(form))


def _done_keyboard(form: dict[str, Any]) -> InlineKeyboardMarkup:
    into = "evidence_new" if form.get("editing") == "evidence" else "evidence"
    rows = []
    if form.get(into):
        rows.append(
            [
                InlineKeyboardButton(
                    text=tr("apl-frm-btn-done"),
                    callback_data=AplFormCb(action="done", key=form.get("key", "")).pack(),
                )
            ]
        )
    return cancel_markup(*rows)


@router.callback_query(AplFormCb.filter(F.action == "done"))
async def appeal_evidence_done(
    query: CallbackQuery, callback_data: AplFormCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    form = await _form(services, query.from_user.id, state, callback_data.key)
    if form.get("editing") == "evidence":
        if form.get("evidence_new"):
            form["evidence"] = form.pop("evidence_new")
        form.pop("editing")
    if not form.get("evidence"):
        raise DomainError("appeal_field_missing", field="evidence")
    form["evidence_done"] = True
    await state.update_data(apl_form=form)
    await query.answer()
    await _next(bot, query.from_user.id, services, state)


@router.callback_query(AplFormCb.filter(F.action == "edit"))
async def appeal_edit(
    query: CallbackQuery, callback_data: AplFormCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    """Ask one field again; its old answer stays until a new one comes («Отмена» keeps it)."""
    form = await _form(services, query.from_user.id, state, callback_data.key)
    field = callback_data.value
    if field in (*STEPS, "kind", "evidence"):
        form["editing"] = field
        form.pop("evidence_new", None)
    await state.update_data(apl_form=form)
    await query.answer()
    await _next(bot, query.from_user.id, services, state)


@router.callback_query(AplFormCb.filter(F.action == "submit"))
async def appeal_submit(
    query: CallbackQuery, callback_data: AplFormCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    uid = query.from_user.id
    form = await _form(services, uid, state, callback_data.key)
    if _first_missing(form) is not None:
        await query.answer()
        await _next(bot, uid, services, state)
        return
    try:
        view = await services.appeals.file(
            uid,
            form["target_id"],
            kind=form["kind"],
            dispute_at=datetime.fromisoformat(form["dispute_at"]),
            fields={f: form[f] for f in TEXT_FIELDS},
            evidence=form["evidence"],
            draft_key=form.get("key") or None,
        )
    except DomainError as err:
        if err.code == "appeal_filed_already":
            raise
        # nothing typed is lost: the answers stay in the form, the review comes back
        await query.answer()
        text, kb = _review(form, services.ctx.clock.now())
        await bot.send_message(uid, error_text(err) + "\n" + tr("apl-frm-kept"))
        await bot.send_message(uid, text, reply_markup=kb)
        return
    # the draft is kept, marked filed: a second «Подать» is told which appeal it filed
    form["filed_id"] = view.id
    await state.set_state(None)
    await state.update_data(apl_form=form)
    await query.answer()
    tz = view.timezone
    if view.status == "awaiting_time":
        text = tr(
            "apl-frm-filed-awaiting",
            id=view.id,
            filed=format_dt(view.filed_at, tz),
            deadline=format_dt(view.deadline_at, tz),
        )
    else:
        text = tr(
            "apl-frm-filed-registered",
            id=view.id,
            filed=format_dt(view.filed_at, tz),
            decide_by=format_dt(view.decide_by, tz),
        )
    await bot.send_message(uid, text)


@router.callback_query(AplFormCb.filter(F.action == "cancel"))
async def appeal_cancel(
    query: CallbackQuery, callback_data: AplFormCb, services: Services, state: FSMContext
) -> None:
    """«Отменить» the whole form (on the review): the draft is dropped, nothing is filed."""
    await _form(services, query.from_user.id, state, callback_data.key)
    await state.set_state(None)
    await state.update_data(apl_form=None)
    await query.answer()
    await query.message.answer(tr("apl-cancelled"))


async def _form(
    services: Services, uid: int, state: FSMContext, key: str | None = None
) -> dict[str, Any]:
    """The draft a button (``key``) or an answer belongs to — or why it is gone: filed
    already (which appeal, when), replaced by a newer form, or expired."""
    form = (await state.get_data()).get("apl_form")
    if key is not None and key and (not form or form.get("key") != key):
        filed = await services.appeals.filed_from_draft(uid, key)
        if filed is not None:
            raise DomainError(
                "appeal_filed_already", id=filed.id, at=filed.filed_at, tz=filed.timezone
            )
        raise DomainError("appeal_form_old" if form else "appeal_form_expired")
    if not form:
        raise DomainError("appeal_form_expired")
    if form.get("filed_id"):
        filed = await services.appeals.filed_from_draft(uid, form.get("key", ""))
        if filed is not None:
            raise DomainError(
                "appeal_filed_already", id=filed.id, at=filed.filed_at, tz=filed.timezone
            )
        raise DomainError("appeal_form_expired")
    return dict(form)


def _first_missing(form: dict[str, Any]) -> str | None:
    if not form.get("kind"):
        return "kind"
    for step in STEPS:
        if not form.get(step):
            return step
    if not form.get("evidence") or not form.get("evidence_done"):
        return "evidence"
    return None


async def _next(bot: Bot, uid: int, services: Services, state: FSMContext) -> None:
    """Ask for the field being edited, else the first thing the form still lacks, else
    show the review. Every prompt has «Отмена»: back to the review (an edit) or to this
    step again (filling in), nothing changed."""
    form = (await state.get_data()).get("apl_form") or {}
    if not form:
        raise DomainError("appeal_form_expired")
    key = form.get("key", "")
    editing = form.get("editing")
    missing = editing or _first_missing(form)
    back = AplFormCb(action="review" if editing else "resume", key=key).pack()
    await state.update_data(**{BACK_KEY: back})
    if missing == "kind":
        await state.set_state(None)
        kb = InlineKeyboardBuilder()
        for kind in (*APPEAL_KINDS, "other"):
            kb.button(
                text=flow.button_label(_kind_title(kind), width=60),
                callback_data=AplFormCb(action="kind", value=kind, key=key),
            )
        kb.button(text=tr("apl-btn-cancel"), callback_data=AplFormCb(action="cancel", key=key))
        kb.adjust(1)
        await bot.send_message(
            uid, tr("apl-frm-choose-kind", target=form["target"]), reply_markup=kb.as_markup()
        )
    elif missing == "evidence":
        await state.set_state(AppealForm.evidence)
        await bot.send_message(uid, tr("apl-frm-ask-evidence"), reply_markup=_done_keyboard(form))
    elif missing is not None:
        form["step"] = missing
        await state.update_data(apl_form=form)
        await state.set_state(AppealForm.text)
        zone = "МСК" if form["tz"] == "Europe/Moscow" else form["tz"]
        await bot.send_message(
            uid, tr(f"apl-frm-ask-{missing}", zone=zone), reply_markup=cancel_markup()
        )
    else:
        await state.set_state(None)
        text, kb = _review(form, services.ctx.clock.now())
        await bot.send_message(uid, text, reply_markup=kb)


def _review(form: dict[str, Any], now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    tz = form["tz"]
    key = form.get("key", "")
    dispute_at = datetime.fromisoformat(form["dispute_at"])
    deadline = rules.appeal_filing_deadline(dispute_at.astimezone(ZoneInfo(tz)))
    lines = [
        tr(
            "apl-frm-review",
            target=form["target"],
            kind=_kind_title(form["kind"]),
            dispute=format_dt(dispute_at, tz),
            evidence=len(form["evidence"]),
            **{f: form[f] for f in TEXT_FIELDS},
        ),
    ]
    if now <= deadline:
        lines.append(
            tr("apl-frm-deadline", deadline=format_dt(deadline, tz), left=_left(deadline, now))
        )
    if rules.appeal_needs_time_confirmation(dispute_at.astimezone(ZoneInfo(tz))):
        lines.append(tr("apl-frm-needs-chief"))
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("apl-frm-btn-submit"), callback_data=AplFormCb(action="submit", key=key))
    for field in ("kind", *STEPS, "evidence"):
        kb.button(
            text=tr("apl-frm-btn-edit", field=tr(f"apl-frm-field-{field}")),
            callback_data=AplFormCb(action="edit", value=field, key=key),
        )
    kb.button(text=tr("apl-btn-cancel"), callback_data=AplFormCb(action="cancel", key=key))
    kb.adjust(1, 2)
    return "\n\n".join(lines), kb.as_markup()


def _parse_local(text: str, tz: str) -> datetime | None:
    m = _DATETIME.match(text)
    if m is None:
        return None
    day, month, year, hour, minute = (int(x) for x in m.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))
    except ValueError:
        return None


# --------------------------------------------------------------------------- the chief confirms a late dispute's time (R-APL-3)


@router.callback_query(AppealCb.filter(F.action == "time"))
async def appeal_time(query: CallbackQuery, callback_data: AppealCb, services: Services) -> None:
    view = await services.appeals.confirm_time(query.from_user.id, callback_data.appeal_id)
    await query.answer()
    await query.message.answer(
        tr("apl-time-confirmed", id=view.id, decide_by=format_dt(view.decide_by, view.timezone))
    )


# --------------------------------------------------------------------------- /commission (R-APL-6…9)


async def _membership(services: Services, uid: int) -> list[tuple[int, MemberView]]:
    out = []
    for c in await services.contests.contests():
        me = next((m for m in await services.appeals.members(c.id) if m.telegram_id == uid), None)
        if me is not None:
            out.append((c.id, me))
    return out


async def _commission_screen(
    services: Services, contest_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    """The federal coordinator's view of a contest's commission (R-APL-6): the stage it
    serves, its five with the deputy chair, and the way to form or re-form it."""
    members = await services.appeals.members(contest_id)
    stage = await services.appeals.commission_stage(contest_id)
    lines = [tr("apl-cms-title")]
    if stage is not None:
        lines.append(
            tr(
                "cms-stage-line",
                stage=stage.title,
                starts=format_dt(stage.starts_at, stage.timezone),
            )
        )
    lines += [tr("cms-member", role=m.role, name=m.name) for m in members] or [
        tr("apl-cms-not-formed")
    ]
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr("cms-btn-reform" if members else "apl-cms-btn-form"),
        callback_data=CommissionCb(contest_id=contest_id, action="form"),
    )
    return "\n".join(lines), kb.as_markup()


@router.message(Command("commission"))
async def commission(message: Message, services: Services, state: FSMContext) -> None:
    uid = message.from_user.id
    await state.set_state(None)
    roles = await services.coordination.staff_roles(uid)
    shown = False
    for c in await services.contests.contests():
        if (
            c.id in roles.coordinator_contests and roles.coordinator_contests[c.id] is None
        ):  # federal (or admin)
            shown = True
            text, kb = await _commission_screen(services, c.id)
            await message.answer(text, reply_markup=kb)
    for contest_id, _ in await _membership(services, uid):
        shown = True
        text, kb = await _queue_screen(services, uid, contest_id)
        await message.answer(text, reply_markup=kb)
    if not shown:
        raise Forbidden("federal_only" if roles.is_coordinator else "not_commission_member")


@router.callback_query(CommissionCb.filter(F.action == "show"))
async def commission_show(
    query: CallbackQuery, callback_data: CommissionCb, services: Services, state: FSMContext
) -> None:
    await services.appeals.commission_stages(
        query.from_user.id, callback_data.contest_id
    )  # the federal coordinator's screen only
    await state.set_state(None)
    await query.answer()
    text, kb = await _commission_screen(services, callback_data.contest_id)
    await query.message.answer(text, reply_markup=kb)


@router.callback_query(CommissionCb.filter(F.action.in_({"form", "change"})))
async def commission_form(
    query: CallbackQuery, callback_data: CommissionCb, services: Services, state: FSMContext
) -> None:
    """Step 1: the stage the commission serves, chosen explicitly (R-APL-6, issue #15)."""
    cid = callback_data.contest_id
    stages = await services.appeals.commission_stages(query.from_user.id, cid)
    await services.appeals.deputy_candidates(
        query.from_user.id, cid
    )  # a wrong composition is said now, not after two steps
    await state.set_state(None)
    await state.update_data(**{BACK_KEY: CommissionCb(contest_id=cid, action="show").pack()})
    await query.answer()
    await _stage_picker(query.message, cid, stages)


async def _stage_picker(message: Message, cid: int, stages: list[Any], note: str = "") -> None:
    """The stages a commission may be formed for now (R-APL-6, issue #15): a stage less than
    two days before its start is not offered — it is named, with why."""
    if not stages:
        await message.answer(note + tr("cms-no-stages"), reply_markup=cancel_markup())
        return
    rows = [
        [
            InlineKeyboardButton(
                text=flow.button_label(
                    tr("cms-btn-stage", title=st.title, starts=format_dt(st.starts_at, st.timezone))
                ),
                callback_data=CommissionCb(contest_id=cid, action="stage", stage=st.id).pack(),
            )
        ]
        for st in stages
        if st.formable
    ]
    late = [st for st in stages if not st.formable]
    text = note + tr("cms-choose-stage")
    if late:
        text += "\n" + tr(
            "cms-stages-too-late",
            stages=", ".join(
                tr("cms-btn-stage", title=st.title, starts=format_dt(st.starts_at, st.timezone))
                for st in late
            ),
        )
    if not rows:
        text = note + tr(
            "cms-no-formable-stages",
            stages=", ".join(
                tr("cms-btn-stage", title=st.title, starts=format_dt(st.starts_at, st.timezone))
                for st in late
            ),
        )
    await message.answer(text, reply_markup=cancel_markup(*rows))


@router.callback_query(CommissionCb.filter(F.action == "stage"))
async def commission_stage(
    query: CallbackQuery, callback_data: CommissionCb, services: Services, state: FSMContext
) -> None:
    """Step 2: the deputy chair, one of the three voting members (R-APL-6)."""
    cid = callback_data.contest_id
    candidates = await services.appeals.deputy_candidates(query.from_user.id, cid)
    try:  # issue #15: a stage too late is refused here, at step 1, with the picker again
        await services.appeals.check_commission_stage(query.from_user.id, cid, callback_data.stage)
    except DomainError as err:
        if err.code not in ("cms_stage_too_late", "cms_stage_unknown"):
            raise
        await query.answer()
        stages = await services.appeals.commission_stages(query.from_user.id, cid)
        await _stage_picker(query.message, cid, stages, note=error_text(err) + "\n\n")
        return
    await state.update_data(**{BACK_KEY: CommissionCb(contest_id=cid, action="show").pack()})
    await query.answer()
    rows = [
        [
            InlineKeyboardButton(
                text=flow.button_label(m.name),
                callback_data=CommissionCb(
                    contest_id=cid, action="deputy", stage=callback_data.stage, deputy=m.telegram_id
                ).pack(),
            )
        ]
        for m in candidates
    ]
    rows.append(
        [
            InlineKeyboardButton(
                text=tr("nxt-btn-back"),
                callback_data=CommissionCb(contest_id=cid, action="form").pack(),
            )
        ]
    )
    await query.message.answer(tr("cms-choose-deputy"), reply_markup=cancel_markup(*rows))


@router.callback_query(CommissionCb.filter(F.action == "deputy"))
async def commission_deputy(
    query: CallbackQuery, callback_data: CommissionCb, services: Services, state: FSMContext
) -> None:
    """Shown back before anything is decided about other people: «Подтвердить / Изменить / Отмена»."""
    cid = callback_data.contest_id
    stages = {st.id: st for st in await services.appeals.commission_stages(query.from_user.id, cid)}
    names = {
        m.telegram_id: m.name
        for m in await services.appeals.deputy_candidates(query.from_user.id, cid)
    }
    stage = stages.get(callback_data.stage)
    if stage is None:
        raise DomainError("cms_stage_unknown")
    if callback_data.deputy not in names:
        raise DomainError("cms_deputy_invalid")
    five = await services.appeals.commission_preview(query.from_user.id, cid, callback_data.deputy)
    await state.update_data(**{BACK_KEY: CommissionCb(contest_id=cid, action="show").pack()})
    await query.answer()
    text = tr(
        "cms-confirm",
        stage=stage.title,
        starts=format_dt(stage.starts_at, stage.timezone),
        deputy=names[callback_data.deputy],
    )
    text += "\n" + "\n".join(
        tr("cms-member", role=m.role, name=m.name) for m in five
    )  # issue #15: all five
    markup = confirm_markup(
        CommissionCb(contest_id=cid, action="ok", stage=stage.id, deputy=callback_data.deputy),
        CommissionCb(contest_id=cid, action="change"),
    )
    await query.message.answer(text, reply_markup=markup)


@router.callback_query(CommissionCb.filter(F.action == "ok"))
async def commission_ok(
    query: CallbackQuery, callback_data: CommissionCb, services: Services, state: FSMContext
) -> None:
    cid = callback_data.contest_id
    try:
        members = await services.appeals.form_commission(
            query.from_user.id, cid, stage_id=callback_data.stage, deputy=callback_data.deputy
        )
    except DomainError as err:
        if err.code != "cms_stage_too_late":
            raise
        await (
            query.answer()
        )  # the stage became too late meanwhile: the picker again, not a dead end
        await _stage_picker(
            query.message,
            cid,
            await services.appeals.commission_stages(query.from_user.id, cid),
            note=error_text(err) + "\n\n",
        )
        return
    stage = await services.appeals.commission_stage(cid)
    await state.update_data(**{BACK_KEY: None})
    await query.answer()
    lines = [tr("cms-formed", stage=stage.title if stage else "—")] + [
        tr("cms-member", role=m.role, name=m.name) for m in members
    ]
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("cms-btn-back"), callback_data=CommissionCb(contest_id=cid, action="show"))
    await query.message.answer("\n".join(lines), reply_markup=kb.as_markup())


@router.callback_query(CommissionCb.filter(F.action == "queue"))
async def commission_queue(
    query: CallbackQuery, callback_data: CommissionCb, services: Services, state: FSMContext
) -> None:
    """«К очереди апелляций» from a result screen (issue #15): the member's queue again."""
    text, kb = await _queue_screen(
        services, query.from_user.id, callback_data.contest_id
    )  # the service checks membership
    await state.set_state(None)
    await query.answer()
    await query.message.answer(text, reply_markup=kb)


async def _next_after_case(services: Services, view: AppealView) -> InlineKeyboardMarkup:
    """A result screen's next step and way back (issue #15): the case, the queue."""
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr("cms-btn-open-case", id=view.id),
        callback_data=AppealCb(appeal_id=view.id, action="view"),
    )
    contest_id = await _contest_of(services, view)
    if contest_id is not None:
        kb.button(
            text=tr("cms-btn-queue"),
            callback_data=CommissionCb(contest_id=contest_id, action="queue"),
        )
    kb.adjust(1)
    return kb.as_markup()


async def _queue_screen(
    services: Services, uid: int, contest_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    items = await services.appeals.queue(uid, contest_id)
    if not items:
        return tr("apl-cms-title") + "\n" + tr("apl-cms-queue-empty"), None
    lines = [tr("apl-cms-queue", count=len(items))]
    kb = InlineKeyboardBuilder()
    for a in items:
        lines.append(
            tr(
                "apl-cms-queue-item",
                id=a.id,
                target=a.target_label,
                decide_by=format_dt(a.decide_by, a.timezone),
            )
        )
        kb.button(
            text=flow.button_label(f"№{a.id} {a.target_label}"),
            callback_data=AppealCb(appeal_id=a.id, action="view"),
        )
    kb.adjust(1)
    return "\n".join(lines), kb.as_markup()


async def _contest_of(services: Services, view: AppealView) -> int | None:
    for c in await services.contests.contests():
        if view.scheme_id in await services.scoring.scheme_ids(c.id):
            return c.id
    return None


async def _member_of(services: Services, uid: int, view: AppealView) -> MemberView | None:
    contest_id = await _contest_of(services, view)
    if contest_id is None:
        return None
    return next(
        (m for m in await services.appeals.members(contest_id) if m.telegram_id == uid), None
    )


async def _card(
    services: Services, uid: int, v: AppealView
) -> tuple[str, InlineKeyboardMarkup | None]:
    tz = v.timezone
    member = await _member_of(services, uid, v)
    services_members = await services.appeals.members(await _contest_of(services, v) or 0)
    names = {m.telegram_id: m.name for m in services_members}
    lines = [
        tr(
            "apl-card",
            id=v.id,
            status=v.status,
            target=v.target_label,
            kind=_kind_title(v.kind),
            role=v.applicant_role,
            applicant_name=v.fields.get("applicant_name", "—"),
            applicant_category=v.fields.get("applicant_category", "—"),
            contacts=v.fields.get("contacts", "—"),
            dispute=format_dt(v.dispute_at, tz),
            place=v.fields.get("place", "—"),
            violators=v.fields.get("violators", "—"),
            witnesses=v.fields.get("witnesses", "—"),
            description=v.fields.get("description", "—"),
            demands=v.fields.get("demands", "—"),
            evidence=len(v.evidence),
            filed=format_dt(v.filed_at, tz),
            deadline=format_dt(v.deadline_at, tz),
            registered=format_dt(v.registered_at, tz),
            decide_by=format_dt(v.decide_by, tz),
            uphold=v.votes_uphold,
            reject=v.votes_reject,
            excluded=", ".join(names.get(x, str(x)) for x in v.excluded) or "—",
        )
    ]
    if v.decision is not None:
        lines.append(
            tr(
                "apl-card-decision",
                decision=v.decision,
                text=v.decision_text or "",
                deduction=_points(v.deduction),
                disqualified="yes" if v.disqualified else "no",
            )
            + tr(
                "cms-card-effects",
                restore="yes" if v.restored else "no",
                restored=_points(v.restored),
                other="yes" if v.penalised else "no",
                penalised=v.penalised_label or "—",
            )
        )
    elif v.status == "registered":  # R-APL-6: who records the decision — the chair, or the deputy
        who = (
            "none"
            if v.decider is None
            else "chair"
            if _is_chair(services_members, v.decider)
            else "deputy"
        )
        lines.append(tr("cms-card-decider", who=who, name=names.get(v.decider or 0, "—")))
    kb = InlineKeyboardBuilder()
    if v.evidence:
        kb.button(
            text=tr("apl-btn-evidence", count=len(v.evidence)),
            callback_data=AppealCb(appeal_id=v.id, action="evidence"),
        )
    if member is not None and v.status == "registered" and uid not in v.excluded:
        mine = dict(v.voters).get(uid)
        if member.role != "secretary" and mine is None:
            kb.button(
                text=tr("apl-btn-uphold"), callback_data=AppealCb(appeal_id=v.id, action="uphold")
            )
            kb.button(
                text=tr("apl-btn-reject"), callback_data=AppealCb(appeal_id=v.id, action="reject")
            )
        elif member.role != "secretary":
            # a vote is cast once; changing it is a separate, deliberate press (issue #12)
            kb.button(
                text=tr("apl-btn-change-vote", uphold="no" if mine else "yes"),
                callback_data=AppealCb(
                    appeal_id=v.id, action="change_reject" if mine else "change_uphold"
                ),
            )
        kb.button(
            text=tr("apl-btn-conflict"), callback_data=AppealCb(appeal_id=v.id, action="conflict")
        )
        if v.decider == uid:  # R-APL-6: the chair, or the deputy when the chair is excluded
            kb.button(
                text=tr("apl-btn-decide"), callback_data=AppealCb(appeal_id=v.id, action="decide")
            )
    kb.adjust(1, 2, 1, 1)
    return "\n".join(lines), kb.as_markup()


#: refusals of a decision the chair corrects with «Изменить» (R-APL-9): nothing they typed is lost
_DECISION_FIXABLE = frozenset(
    {
        "bad_deduction",
        "cms_bad_deduction_other",
        "cms_bad_restoration",
        "cms_deduction_below_zero",
        "cms_restore_over_max",
        "cms_penalty_missing",
        "cms_restore_and_penalise_same",
        "cms_penalised_not_in_scheme",
    }
)


def _is_chair(members: list[MemberView], telegram_id: int) -> bool:
    return any(m.telegram_id == telegram_id and m.role == "chair" for m in members)


def _points(value: Decimal | None) -> str:
    return "0" if not value else f"{value.normalize():f}".replace(".", ",")


@router.callback_query(AppealCb.filter(F.action == "view"))
async def appeal_view(query: CallbackQuery, callback_data: AppealCb, services: Services) -> None:
    uid = query.from_user.id
    view = await services.appeals.view(uid, callback_data.appeal_id)
    await query.answer()
    text, kb = await _card(services, uid, view)
    await query.message.answer(text, reply_markup=kb)


@router.callback_query(
    AppealCb.filter(F.action.in_({"uphold", "reject", "change_uphold", "change_reject"}))
)
async def appeal_vote(query: CallbackQuery, callback_data: AppealCb, services: Services) -> None:
    uid = query.from_user.id
    uphold = callback_data.action.endswith("uphold")
    view = await services.appeals.vote(
        uid, callback_data.appeal_id, uphold, change=callback_data.action.startswith("change_")
    )
    await query.answer()
    text, kb = await _card(services, uid, view)
    await query.message.answer(
        tr("apl-voted", uphold="yes" if uphold else "no") + "\n\n" + text, reply_markup=kb
    )


@router.callback_query(AppealCb.filter(F.action == "conflict"))
async def appeal_conflict(
    query: CallbackQuery, callback_data: AppealCb, services: Services
) -> None:
    """«Конфликт интересов» is irreversible: asked first (issue #15), declared on «Подтвердить»."""
    await services.appeals.check_vote(
        query.from_user.id, callback_data.appeal_id
    )  # a member, an open case
    await query.answer()
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr("nxt-btn-confirm"),
        callback_data=AppealCb(appeal_id=callback_data.appeal_id, action="conflictok"),
    )
    kb.button(
        text=tr("nxt-btn-back"),
        callback_data=AppealCb(appeal_id=callback_data.appeal_id, action="view"),
    )
    kb.adjust(1)
    await query.message.answer(
        tr("cms-conflict-ask", id=callback_data.appeal_id), reply_markup=kb.as_markup()
    )


@router.callback_query(AppealCb.filter(F.action == "conflictok"))
async def appeal_conflict_ok(
    query: CallbackQuery, callback_data: AppealCb, services: Services
) -> None:
    view = await services.appeals.declare_conflict(query.from_user.id, callback_data.appeal_id)
    await query.answer()
    await query.message.answer(
        tr("apl-conflict-declared", id=view.id), reply_markup=await _next_after_case(services, view)
    )


@router.callback_query(AppealCb.filter(F.action == "evidence"))
async def appeal_evidence_send(
    query: CallbackQuery, callback_data: AppealCb, bot: Bot, services: Services
) -> None:
    uid = query.from_user.id
    view = await services.appeals.view(uid, callback_data.appeal_id)
    await query.answer()
    count = len(view.evidence)
    for n, item in enumerate(view.evidence, start=1):
        caption = tr("apl-evidence-item", n=n, count=count, id=view.id)
        kind, file_id = item.get("kind"), item.get("file_id")
        if kind == "photo":
            await bot.send_photo(uid, file_id, caption=caption)
        elif kind == "video":
            await bot.send_video(uid, file_id, caption=caption)
        else:
            await bot.send_document(uid, file_id, caption=caption)


# --------------------------------------------------------------------------- the chair's decision (R-APL-8/9)


@router.callback_query(AppealCb.filter(F.action == "decide"))
async def decide_start(
    query: CallbackQuery, callback_data: AppealCb, services: Services, state: FSMContext
) -> None:
    """«Записать решение»: refused at once when the appeal no longer allows it (decided,
    refused as late, the chair's role revoked) — before anything is asked."""
    uid = query.from_user.id
    await services.appeals.check_decide(uid, callback_data.appeal_id)
    await state.set_state(None)
    dec = {"appeal_id": callback_data.appeal_id, "key": _key()}
    await state.update_data(
        apl_dec=dec, **{BACK_KEY: AppealCb(appeal_id=callback_data.appeal_id, action="view").pack()}
    )
    await query.answer()
    await _decision_choose(query.message, dec)


async def _decision_choose(message: Message, dec: dict[str, Any]) -> None:
    appeal_id, key = dec["appeal_id"], dec["key"]
    rows = [
        [
            InlineKeyboardButton(
                text=tr("apl-dec-btn-upheld"),
                callback_data=DecisionCb(appeal_id=appeal_id, action="upheld", key=key).pack(),
            )
        ],
        [
            InlineKeyboardButton(
                text=tr("apl-dec-btn-rejected"),
                callback_data=DecisionCb(appeal_id=appeal_id, action="rejected", key=key).pack(),
            )
        ],
    ]
    await message.answer(tr("apl-dec-choose", id=appeal_id), reply_markup=cancel_markup(*rows))


async def _decision(
    state: FSMContext, appeal_id: int | None = None, key: str | None = None
) -> dict[str, Any]:
    dec = (await state.get_data()).get("apl_dec")
    if not dec or (appeal_id is not None and dec.get("appeal_id") != appeal_id):
        raise DomainError("appeal_form_expired")
    if key is not None and key and dec.get("key") != key:
        raise DomainError("appeal_form_old")
    return dict(dec)


def _card_back(dec: dict[str, Any]) -> str:
    return AppealCb(appeal_id=dec["appeal_id"], action="view").pack()


@router.callback_query(DecisionCb.filter(F.action.in_({"upheld", "rejected"})))
async def decide_kind(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    # decided meanwhile, or the role revoked: refused before the text is asked
    await services.appeals.check_decide(query.from_user.id, callback_data.appeal_id)
    dec = await _decision(state, callback_data.appeal_id, callback_data.key)
    dec.update(
        uphold=callback_data.action == "upheld",
        deduction="",
        disqualify=False,
        penalised=None,
        penalised_label="",
        restore="",
    )
    await query.answer()
    if dec.get(
        "text"
    ):  # issue #15: «Изменить» keeps the text typed — kept with a press, or replaced
        rows = [
            [
                InlineKeyboardButton(
                    text=tr("cms-dec-btn-keep-text"),
                    callback_data=DecisionCb(
                        appeal_id=dec["appeal_id"], action="keeptext", key=dec["key"]
                    ).pack(),
                )
            ]
        ]
        await ask(
            query.message,
            state,
            DecisionForm.text,
            tr("cms-dec-ask-text-again", text=dec["text"]),
            back=_card_back(dec),
            rows=rows,
            apl_dec=dec,
        )
        return
    await ask(
        query.message,
        state,
        DecisionForm.text,
        tr("apl-dec-ask-text"),
        back=_card_back(dec),
        apl_dec=dec,
    )


@router.callback_query(DecisionCb.filter(F.action == "keeptext"))
async def decide_keep_text(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    await services.appeals.check_decide(query.from_user.id, callback_data.appeal_id)
    dec = await _decision(state, callback_data.appeal_id, callback_data.key)
    if not dec.get("text") or "uphold" not in dec:
        raise DomainError("appeal_form_expired")
    await query.answer()
    await _after_text(query.message, state, dec)


@router.message(DecisionForm.text, _NOT_COMMAND)
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
            [
                InlineKeyboardButton(
                    text=tr("cms-dec-btn-other"),
                    callback_data=DecisionCb(
                        appeal_id=dec["appeal_id"], action="other", key=dec["key"]
                    ).pack(),
                )
            ],
            [
                InlineKeyboardButton(
                    text=tr("cms-dec-btn-restore"),
                    callback_data=DecisionCb(
                        appeal_id=dec["appeal_id"], action="restore", key=dec["key"]
                    ).pack(),
                )
            ],
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


@router.message(DecisionForm.deduction, _NOT_COMMAND)
async def decide_deduction(message: Message, services: Services, state: FSMContext) -> None:
    """R-APL-9 (issue #15): the number is checked now against the participant's total (once
    the scores are locked) — the step stays on a bad one, the limit named."""
    dec = await _decision(state)
    try:
        points = await services.appeals.check_decision_points(
            message.from_user.id,
            dec["appeal_id"],
            deduction=message.text,
            penalised=dec.get("penalised"),
        )
    except DomainError as err:
        if err.code not in _DECISION_FIXABLE:
            raise
        await message.answer(
            error_text(err), reply_markup=cancel_markup()
        )  # the step stays: type the number again
        return
    dec["deduction"] = "" if points == 0 else str(points)
    await state.update_data(apl_dec=dec)
    await state.set_state(None)
    await _ask_disqualify(message, dec)


async def _ask_disqualify(message: Message, dec: dict[str, Any], note: str = "") -> None:
    rows = [
        [
            InlineKeyboardButton(
                text=tr("apl-dec-btn-dq"),
                callback_data=DecisionCb(
                    appeal_id=dec["appeal_id"], action="dq", key=dec["key"]
                ).pack(),
            ),
            InlineKeyboardButton(
                text=tr("apl-dec-btn-nodq"),
                callback_data=DecisionCb(
                    appeal_id=dec["appeal_id"], action="nodq", key=dec["key"]
                ).pack(),
            ),
        ]
    ]
    if note and dec.get(
        "penalised"
    ):  # refused «0» + «Нет»: type a deduction again for the same participant
        rows.append(
            [
                InlineKeyboardButton(
                    text=tr("cms-dec-btn-change-deduction"),
                    callback_data=DecisionCb(
                        appeal_id=dec["appeal_id"],
                        action="pick",
                        key=dec["key"],
                        target=dec["penalised"],
                    ).pack(),
                )
            ]
        )
    await message.answer(note + tr("apl-dec-ask-disqualify"), reply_markup=cancel_markup(*rows))


@router.callback_query(DecisionCb.filter(F.action == "other"))
async def decide_other(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    """R-APL-9 (issue #15): the participant who gained the advantage — another one of the same
    competence at the same stage."""
    others = await services.appeals.decision_targets(query.from_user.id, callback_data.appeal_id)
    dec = await _decision(state, callback_data.appeal_id, callback_data.key)
    if "text" not in dec:
        raise DomainError("appeal_form_expired")
    await state.set_state(None)
    await query.answer()
    if not others:
        await query.message.answer(tr("cms-dec-no-others"), reply_markup=cancel_markup())
        return
    rows = [
        [
            InlineKeyboardButton(
                text=flow.button_label(label),
                callback_data=DecisionCb(
                    appeal_id=dec["appeal_id"], action="pick", key=dec["key"], target=tid
                ).pack(),
            )
        ]
        for tid, label in others
    ]
    await query.message.answer(tr("cms-dec-choose-other"), reply_markup=cancel_markup(*rows))


@router.callback_query(DecisionCb.filter(F.action == "pick"))
async def decide_pick(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    others = dict(
        await services.appeals.decision_targets(query.from_user.id, callback_data.appeal_id)
    )
    dec = await _decision(state, callback_data.appeal_id, callback_data.key)
    if "text" not in dec:
        raise DomainError("appeal_form_expired")
    if callback_data.target not in others:
        raise DomainError("cms_penalised_not_in_scheme")
    bound = await services.appeals.decision_bound(
        query.from_user.id, callback_data.appeal_id, callback_data.target
    )
    dec.update(penalised=callback_data.target, penalised_label=others[callback_data.target])
    await query.answer()
    # issue #15: the limit is this participant's total, named; «0» is no measure for another participant
    await ask(
        query.message,
        state,
        DecisionForm.deduction,
        tr(
            "cms-dec-ask-deduction-other",
            who=others[callback_data.target],
            current=cms.points_text(bound.total),
            most=cms.points_text(bound.most_deducted),
            locked="yes" if bound.locked else "no",
        ),
        back=_card_back(dec),
        apl_dec=dec,
    )


@router.callback_query(DecisionCb.filter(F.action == "restore"))
async def decide_restore(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    await services.appeals.check_decide(query.from_user.id, callback_data.appeal_id)
    view = await services.appeals.view(query.from_user.id, callback_data.appeal_id)
    dec = await _decision(state, callback_data.appeal_id, callback_data.key)
    if "text" not in dec:
        raise DomainError("appeal_form_expired")
    await query.answer()
    await ask(
        query.message,
        state,
        DecisionForm.restore,
        tr("cms-dec-ask-restore", who=view.target_label),
        back=_card_back(dec),
    )


@router.message(DecisionForm.restore, _NOT_COMMAND)
async def decide_restore_points(message: Message, services: Services, state: FSMContext) -> None:
    """The number is checked now against the scheme's maximum and the total now (issue #15:
    the step stays on a bad one, the most restorable named); again when it is recorded."""
    dec = await _decision(state)
    try:
        points = await services.appeals.check_decision_points(
            message.from_user.id, dec["appeal_id"], restore=message.text
        )
    except DomainError as err:
        if err.code not in _DECISION_FIXABLE:
            raise
        await message.answer(error_text(err), reply_markup=cancel_markup())
        return
    dec["restore"] = "" if points == 0 else str(points)
    await state.update_data(apl_dec=dec)
    await state.set_state(None)
    rows = [
        [
            InlineKeyboardButton(
                text=tr("cms-dec-btn-other"),
                callback_data=DecisionCb(
                    appeal_id=dec["appeal_id"], action="other", key=dec["key"]
                ).pack(),
            )
        ],
        [
            InlineKeyboardButton(
                text=tr("cms-dec-btn-no-other"),
                callback_data=DecisionCb(
                    appeal_id=dec["appeal_id"], action="noother", key=dec["key"]
                ).pack(),
            )
        ],
    ]
    await message.answer(
        tr("cms-dec-after-restore", points=_points(points)), reply_markup=cancel_markup(*rows)
    )


@router.callback_query(DecisionCb.filter(F.action == "noother"))
async def decide_no_other(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    await services.appeals.check_decide(query.from_user.id, callback_data.appeal_id)
    dec = await _decision(state, callback_data.appeal_id, callback_data.key)
    if "text" not in dec:
        raise DomainError("appeal_form_expired")
    await query.answer()
    await _decision_confirm(query.message, state, dec)


@router.message(DecisionForm.text, ~F.text)
@router.message(DecisionForm.deduction, ~F.text)
@router.message(DecisionForm.restore, ~F.text)
async def decide_not_text(message: Message) -> None:
    await message.answer(tr("apl-dec-need-text"), reply_markup=cancel_markup())


@router.message(DecisionForm.confirm, _NOT_COMMAND)
@router.message(DecisionForm.confirm, ~F.text)
async def decide_wait_confirm(message: Message) -> None:
    await message.answer(tr("apl-dec-wait-confirm"))


@router.callback_query(DecisionCb.filter(F.action.in_({"dq", "nodq"})))
async def decide_disqualify(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    await services.appeals.check_decide(query.from_user.id, callback_data.appeal_id)
    dec = await _decision(state, callback_data.appeal_id, callback_data.key)
    if "text" not in dec:
        raise DomainError("appeal_form_expired")
    dec["disqualify"] = callback_data.action == "dq"
    await query.answer()
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
            await _ask_disqualify(
                query.message,
                dec,
                note=error_text(err) + "\n" + tr("cms-dec-penalty-hint") + "\n\n",
            )
            return
    await state.update_data(apl_dec=dec)
    await _decision_confirm(query.message, state, dec)


async def _decision_confirm(message: Message, state: FSMContext, dec: dict[str, Any]) -> None:
    """The decision about another person, shown back: «Подтвердить» / «Изменить» / «Отмена»
    (issue #12). Only «Подтвердить» of this very screen, while it waits, records it."""
    await state.set_state(DecisionForm.confirm)
    await state.update_data(**{BACK_KEY: _card_back(dec)})
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
    markup = confirm_markup(
        DecisionCb(appeal_id=dec["appeal_id"], action="ok", key=dec["key"]),
        DecisionCb(appeal_id=dec["appeal_id"], action="change", key=dec["key"]),
    )
    await message.answer(text, reply_markup=markup)


@router.callback_query(DecisionCb.filter(F.action == "ok"))
async def decide_ok(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    # decided already (a double press, another session): say by whom and when, not «устарела»
    await services.appeals.check_decide(query.from_user.id, callback_data.appeal_id)
    dec = await _decision(state, callback_data.appeal_id, callback_data.key)
    if "text" not in dec:
        raise DomainError("appeal_form_expired")
    if await state.get_state() != DecisionForm.confirm.state:
        raise DomainError("decision_not_confirming")  # «Отмена» was pressed, or the person left
    try:
        view = await services.appeals.decide(
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
        if (
            e.code in _DECISION_FIXABLE
        ):  # R-APL-9 bounds: the draft stays — «Изменить» corrects it (text kept)
            await query.answer()
            change = DecisionCb(appeal_id=dec["appeal_id"], action="change", key=dec["key"]).pack()
            await query.message.answer(
                error_text(e),
                reply_markup=cancel_markup(
                    [InlineKeyboardButton(text=tr("btn-prompt-change"), callback_data=change)]
                ),
            )
            return
        await state.set_state(None)  # decided by someone else meanwhile: this draft is over
        await state.update_data(apl_dec=None)
        raise
    await state.set_state(None)
    await state.update_data(apl_dec=None)
    await query.answer()
    await query.message.answer(
        tr("apl-dec-recorded", id=view.id), reply_markup=await _next_after_case(services, view)
    )


@router.callback_query(DecisionCb.filter(F.action == "change"))
async def decide_change(
    query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext
) -> None:
    await services.appeals.check_decide(query.from_user.id, callback_data.appeal_id)
    dec = await _decision(state, callback_data.appeal_id, callback_data.key)
    await state.set_state(None)
    await query.answer()
    await _decision_choose(query.message, dec)


@router.callback_query(DecisionCb.filter(F.action == "cancel"))
async def decide_cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(None)
    await state.update_data(apl_dec=None)
    await query.answer()
    await query.message.answer(tr("apl-cancelled"))
