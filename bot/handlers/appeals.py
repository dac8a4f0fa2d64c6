"""Disputes in the chat (R-APL-1…9): ``/dispute`` — the chief expert puts a proposal to a
vote of the experts accredited at the site; ``/appeal`` — the mentor (or the head of the
regional coordination centre) files an appeal in a guided form; ``/commission`` — the
federal coordinator forms the commission, members see the queue and vote, the chair
records the final decision.

Handlers stay thin: every button calls one service method, which checks the role again;
refusals come from the services and are rendered by ``handlers.common``. The answers of a
form live in the FSM data until the service accepts them, so a refusal loses nothing.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import flow
from bot.callbacks import AppealCb, PreAppealCb
from bot.texts import error_text, format_dt, tr
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
STEPS = ("dispute_at", "place", "violators", "witnesses", "description", "demands", "applicant_name", "applicant_category", "contacts")
TEXT_FIELDS = STEPS[1:]


class DisputeCb(CallbackData, prefix="dp"):
    action: str  # scheme | open | cancel | close
    item: int = 0  # scheme id (scheme) or pre-appeal id (close)


class AplFormCb(CallbackData, prefix="ax"):
    action: str  # target | kind | done | edit | submit | cancel
    target: int = 0
    contest: int = 0
    value: str = ""


class CommissionCb(CallbackData, prefix="cm"):
    contest_id: int
    action: str  # form


class DecisionCb(CallbackData, prefix="ad"):
    appeal_id: int
    action: str  # upheld | rejected | dq | nodq | ok | cancel


class DisputeForm(StatesGroup):
    situation = State()
    proposal = State()
    penalty = State()


class AppealForm(StatesGroup):
    text = State()
    evidence = State()


class DecisionForm(StatesGroup):
    text = State()
    deduction = State()


def _kind_title(kind: str) -> str:
    return tr("apl-kind-" + kind.replace("_", "-"))


def _left(deadline: datetime, now: datetime) -> str:
    minutes = max(int((deadline - now).total_seconds() // 60), 0)
    return tr("apl-left", hours=minutes // 60, minutes=minutes % 60)


# --------------------------------------------------------------------------- /dispute (R-APL-1)


@router.message(Command("dispute"))
async def dispute(message: Message, services: Services, state: FSMContext) -> None:
    await state.set_state(None)
    schemes = [s for s in await services.scoring.schemes_for(message.from_user.id) if "chief" in s.roles]
    if not schemes:
        raise Forbidden("not_chief")
    if len(schemes) == 1:
        await _dispute_start(message, state, schemes[0].id, schemes[0].title)
        return
    kb = InlineKeyboardBuilder()
    for s in schemes:
        kb.button(text=flow.button_label(f"{s.title} · {s.stage}"), callback_data=DisputeCb(action="scheme", item=s.id))
    kb.adjust(1)
    await message.answer(tr("apl-dsp-choose-scheme"), reply_markup=kb.as_markup())


@router.callback_query(DisputeCb.filter(F.action == "scheme"))
async def dispute_scheme(query: CallbackQuery, callback_data: DisputeCb, services: Services, state: FSMContext) -> None:
    brief = next((s for s in await services.scoring.schemes_for(query.from_user.id) if s.id == callback_data.item and "chief" in s.roles), None)
    if brief is None:
        raise Forbidden("not_chief")
    await query.answer()
    await _dispute_start(query.message, state, brief.id, brief.title)


async def _dispute_start(message: Message, state: FSMContext, scheme_id: int, title: str) -> None:
    await state.set_state(DisputeForm.situation)
    await state.update_data(apl_pre={"scheme_id": scheme_id})
    await message.answer(tr("apl-dsp-ask-situation", title=title))


@router.message(DisputeForm.situation, _NOT_COMMAND)
async def dispute_situation(message: Message, state: FSMContext) -> None:
    await _dispute_put(state, "situation", message.text)
    await state.set_state(DisputeForm.proposal)
    await message.answer(tr("apl-dsp-ask-proposal"))


@router.message(DisputeForm.proposal, _NOT_COMMAND)
async def dispute_proposal(message: Message, state: FSMContext) -> None:
    await _dispute_put(state, "proposal", message.text)
    await state.set_state(DisputeForm.penalty)
    await message.answer(tr("apl-dsp-ask-penalty"))


@router.message(DisputeForm.penalty, _NOT_COMMAND)
async def dispute_penalty(message: Message, state: FSMContext) -> None:
    text = message.text.strip()
    pre = await _dispute_put(state, "penalty", "" if text in ("-", "—", "–") else text)
    await state.set_state(None)
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("apl-dsp-btn-open"), callback_data=DisputeCb(action="open"))
    kb.button(text=tr("apl-btn-cancel"), callback_data=DisputeCb(action="cancel"))
    kb.adjust(1)
    await message.answer(
        tr("apl-dsp-confirm", situation=pre["situation"], proposal=pre["proposal"], penalty=pre["penalty"] or "—"), reply_markup=kb.as_markup()
    )


@router.message(DisputeForm.situation, ~F.text)
@router.message(DisputeForm.proposal, ~F.text)
@router.message(DisputeForm.penalty, ~F.text)
async def dispute_not_text(message: Message) -> None:
    await message.answer(tr("apl-dsp-need-text"))


async def _dispute_put(state: FSMContext, key: str, value: str) -> dict[str, Any]:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise DomainError("appeal_field_too_long", field=key, limit=MAX_TEXT)
    pre = dict((await state.get_data()).get("apl_pre") or {})
    pre[key] = value
    await state.update_data(apl_pre=pre)
    return pre


@router.callback_query(DisputeCb.filter(F.action == "open"))
async def dispute_open(query: CallbackQuery, services: Services, state: FSMContext) -> None:
    uid = query.from_user.id
    pre = (await state.get_data()).get("apl_pre") or {}
    if "proposal" not in pre:
        await query.answer()
        await query.message.answer(tr("session-expired"))
        return
    view = await services.appeals.open_pre_appeal(uid, pre["scheme_id"], pre.get("situation", ""), pre["proposal"], pre.get("penalty") or None)
    await state.update_data(apl_pre=None)
    await query.answer()
    text, kb = await _pre_screen(services, uid, view)
    await query.message.answer(tr("apl-dsp-opened", id=view.id, count=view.accredited) + "\n\n" + text, reply_markup=kb)


@router.callback_query(DisputeCb.filter(F.action == "cancel"))
async def dispute_cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(None)
    await state.update_data(apl_pre=None)
    await query.answer()
    await query.message.answer(tr("apl-cancelled"))


@router.callback_query(DisputeCb.filter(F.action == "close"))
async def dispute_close(query: CallbackQuery, callback_data: DisputeCb, services: Services) -> None:
    uid = query.from_user.id
    view = await services.appeals.close_pre_appeal(uid, callback_data.item)
    await query.answer()
    text, kb = await _pre_screen(services, uid, view)
    await query.message.answer(tr("apl-dsp-closed") + "\n\n" + text, reply_markup=kb)


@router.callback_query(PreAppealCb.filter())
async def pre_appeal_vote(query: CallbackQuery, callback_data: PreAppealCb, services: Services) -> None:
    uid = query.from_user.id
    note = ""
    if callback_data.vote in (0, 1):
        view = await services.appeals.vote_pre_appeal(uid, callback_data.pre_appeal_id, callback_data.vote == 1)
        note = tr("apl-dsp-voted") + "\n\n"
    else:
        view = await services.appeals.pre_appeal(uid, callback_data.pre_appeal_id)
    await query.answer()
    text, kb = await _pre_screen(services, uid, view)
    await query.message.answer(note + text, reply_markup=kb)


async def _pre_screen(services: Services, uid: int, v: PreAppealView) -> tuple[str, InlineKeyboardMarkup | None]:
    quorum = -(-v.accredited * rules.PRE_APPEAL_QUORUM_PERCENT // 100)
    text = tr(
        "apl-dsp-card", id=v.id, situation=v.situation, proposal=v.proposal, penalty=v.penalty or "—", accredited=v.accredited,
        cast=v.votes_for + v.votes_against, yes=v.votes_for, no=v.votes_against, status=v.status, quorum=quorum,
    )
    if v.status != "voting":
        return text, None
    chief = any(s.id == v.scheme_id and "chief" in s.roles for s in await services.scoring.schemes_for(uid))
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
    uid = message.from_user.id
    await state.set_state(None)
    targets = []
    for c in await services.contests.contests():
        targets += [(c.id, tid, label) for tid, label in await services.appeals.targets_for_applicant(uid, c.id)]
    if not targets:
        raise Forbidden("not_an_applicant")
    kb = InlineKeyboardBuilder()
    for contest_id, tid, label in targets:
        kb.button(text=flow.button_label(label), callback_data=AplFormCb(action="target", target=tid, contest=contest_id))
    kb.adjust(1)
    await message.answer(tr("apl-frm-choose-target"), reply_markup=kb.as_markup())


@router.callback_query(AplFormCb.filter(F.action == "target"))
async def appeal_target(query: CallbackQuery, callback_data: AplFormCb, bot: Bot, services: Services, state: FSMContext) -> None:
    uid = query.from_user.id
    label = dict(await services.appeals.targets_for_applicant(uid, callback_data.contest)).get(callback_data.target)
    if label is None:
        raise Forbidden("not_an_applicant")
    contest = await services.contests.contest(callback_data.contest)
    await state.update_data(apl_form={"contest_id": contest.id, "tz": contest.timezone, "target_id": callback_data.target, "target": label, "evidence": []})
    await query.answer()
    await _next(bot, uid, services, state)


@router.callback_query(AplFormCb.filter(F.action == "kind"))
async def appeal_kind(query: CallbackQuery, callback_data: AplFormCb, bot: Bot, services: Services, state: FSMContext) -> None:
    form = await _form(state)
    if callback_data.value not in APPEAL_KINDS:
        # R-APL-5: anything else is refused with the reason; the form stays as it was
        await query.answer()
        await bot.send_message(query.from_user.id, error_text(DomainError("appeal_kind_not_accepted")) + "\n" + tr("apl-frm-kept"))
        return
    form["kind"] = callback_data.value
    await state.update_data(apl_form=form)
    await query.answer()
    await _next(bot, query.from_user.id, services, state)


@router.message(AppealForm.text, _NOT_COMMAND)
async def appeal_text(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    form = await _form(state)
    step = form.get("step")
    text = message.text.strip()
    if step == "dispute_at":
        dispute_at = _parse_local(text, form["tz"])
        if dispute_at is None:
            await message.answer(tr("apl-frm-bad-datetime"))
            return
        now = services.ctx.clock.now()
        if dispute_at > now:
            raise DomainError("dispute_in_future")
        deadline, needs_chief = await services.appeals.filing_deadline(form["target_id"], dispute_at)
        if now > deadline:
            raise DomainError("appeal_late", deadline=deadline, tz=form["tz"])  # R-APL-3: refused at once
        form["dispute_at"] = dispute_at.isoformat()
        lines = [tr("apl-frm-deadline", deadline=format_dt(deadline, form["tz"]), left=_left(deadline, now))]
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
    await state.update_data(apl_form=form)
    await _next(bot, message.from_user.id, services, state)


@router.message(AppealForm.text, ~F.text)
async def appeal_not_text(message: Message) -> None:
    await message.answer(tr("apl-frm-need-text"))


@router.message(AppealForm.evidence, F.photo | F.video | F.document)
async def appeal_evidence(message: Message, state: FSMContext) -> None:
    form = await _form(state)
    if len(form.get("evidence", [])) >= MAX_EVIDENCE:
        raise DomainError("appeal_too_much_evidence", limit=MAX_EVIDENCE)
    if message.photo:
        item = {"kind": "photo", "file_id": message.photo[-1].file_id, "name": ""}
    elif message.video:
        item = {"kind": "video", "file_id": message.video.file_id, "name": message.video.file_name or ""}
    else:
        item = {"kind": "document", "file_id": message.document.file_id, "name": message.document.file_name or ""}
    form["evidence"] = [*form.get("evidence", []), item]
    await state.update_data(apl_form=form)
    await message.answer(tr("apl-frm-file-added", count=len(form["evidence"])), reply_markup=_done_keyboard())


@router.message(AppealForm.evidence, ~F.text.startswith("/"))
async def appeal_evidence_not_file(message: Message) -> None:
    await message.answer(tr("apl-frm-need-file"), reply_markup=_done_keyboard())


def _done_keyboard() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("apl-frm-btn-done"), callback_data=AplFormCb(action="done"))
    return kb.as_markup()


@router.callback_query(AplFormCb.filter(F.action == "done"))
async def appeal_evidence_done(query: CallbackQuery, bot: Bot, services: Services, state: FSMContext) -> None:
    form = await _form(state)
    if not form.get("evidence"):
        raise DomainError("appeal_field_missing", field="evidence")
    form["evidence_done"] = True
    await state.update_data(apl_form=form)
    await query.answer()
    await _next(bot, query.from_user.id, services, state)


@router.callback_query(AplFormCb.filter(F.action == "edit"))
async def appeal_edit(query: CallbackQuery, callback_data: AplFormCb, bot: Bot, services: Services, state: FSMContext) -> None:
    form = await _form(state)
    field = callback_data.value
    if field == "evidence":
        form["evidence"], form["evidence_done"] = [], False
    elif field in (*STEPS, "kind"):
        form.pop(field, None)
    await state.update_data(apl_form=form)
    await query.answer()
    await _next(bot, query.from_user.id, services, state)


@router.callback_query(AplFormCb.filter(F.action == "submit"))
async def appeal_submit(query: CallbackQuery, bot: Bot, services: Services, state: FSMContext) -> None:
    uid = query.from_user.id
    form = await _form(state)
    if _first_missing(form) is not None:
        await query.answer()
        await _next(bot, uid, services, state)
        return
    try:
        view = await services.appeals.file(
            uid, form["target_id"], kind=form["kind"], dispute_at=datetime.fromisoformat(form["dispute_at"]),
            fields={f: form[f] for f in TEXT_FIELDS}, evidence=form["evidence"],
        )
    except DomainError as err:
        # nothing typed is lost: the answers stay in the form, the review comes back
        await query.answer()
        text, kb = _review(form, services.ctx.clock.now())
        await bot.send_message(uid, error_text(err) + "\n" + tr("apl-frm-kept"))
        await bot.send_message(uid, text, reply_markup=kb)
        return
    await state.set_state(None)
    await state.update_data(apl_form=None)
    await query.answer()
    tz = view.timezone
    if view.status == "awaiting_time":
        text = tr("apl-frm-filed-awaiting", id=view.id, filed=format_dt(view.filed_at, tz), deadline=format_dt(view.deadline_at, tz))
    else:
        text = tr("apl-frm-filed-registered", id=view.id, filed=format_dt(view.filed_at, tz), decide_by=format_dt(view.decide_by, tz))
    await bot.send_message(uid, text)


@router.callback_query(AplFormCb.filter(F.action == "cancel"))
async def appeal_cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(None)
    await state.update_data(apl_form=None)
    await query.answer()
    await query.message.answer(tr("apl-cancelled"))


async def _form(state: FSMContext) -> dict[str, Any]:
    form = (await state.get_data()).get("apl_form")
    if not form:
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
    """Ask for the first thing the form still lacks, or show the review."""
    form = await _form(state)
    missing = _first_missing(form)
    if missing == "kind":
        await state.set_state(None)
        kb = InlineKeyboardBuilder()
        for kind in (*APPEAL_KINDS, "other"):
            kb.button(text=flow.button_label(_kind_title(kind), width=60), callback_data=AplFormCb(action="kind", value=kind))
        kb.button(text=tr("apl-btn-cancel"), callback_data=AplFormCb(action="cancel"))
        kb.adjust(1)
        await bot.send_message(uid, tr("apl-frm-choose-kind", target=form["target"]), reply_markup=kb.as_markup())
    elif missing == "evidence":
        await state.set_state(AppealForm.evidence)
        await bot.send_message(uid, tr("apl-frm-ask-evidence"), reply_markup=_done_keyboard() if form.get("evidence") else None)
    elif missing is not None:
        form["step"] = missing
        await state.update_data(apl_form=form)
        await state.set_state(AppealForm.text)
        zone = "МСК" if form["tz"] == "Europe/Moscow" else form["tz"]
        await bot.send_message(uid, tr(f"apl-frm-ask-{missing}", zone=zone))
    else:
        await state.set_state(None)
        text, kb = _review(form, services.ctx.clock.now())
        await bot.send_message(uid, text, reply_markup=kb)


def _review(form: dict[str, Any], now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    tz = form["tz"]
    dispute_at = datetime.fromisoformat(form["dispute_at"])
    deadline = rules.appeal_filing_deadline(dispute_at.astimezone(ZoneInfo(tz)))
    lines = [
        tr("apl-frm-review", target=form["target"], kind=_kind_title(form["kind"]), dispute=format_dt(dispute_at, tz),
           evidence=len(form["evidence"]), **{f: form[f] for f in TEXT_FIELDS}),
    ]
    if now <= deadline:
        lines.append(tr("apl-frm-deadline", deadline=format_dt(deadline, tz), left=_left(deadline, now)))
    if rules.appeal_needs_time_confirmation(dispute_at.astimezone(ZoneInfo(tz))):
        lines.append(tr("apl-frm-needs-chief"))
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("apl-frm-btn-submit"), callback_data=AplFormCb(action="submit"))
    for field in ("kind", *STEPS, "evidence"):
        kb.button(text=tr("apl-frm-btn-edit", field=tr(f"apl-frm-field-{field}")), callback_data=AplFormCb(action="edit", value=field))
    kb.button(text=tr("apl-btn-cancel"), callback_data=AplFormCb(action="cancel"))
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
    await query.message.answer(tr("apl-time-confirmed", id=view.id, decide_by=format_dt(view.decide_by, view.timezone)))


# --------------------------------------------------------------------------- /commission (R-APL-6…9)


async def _membership(services: Services, uid: int) -> list[tuple[int, MemberView]]:
    out = []
    for c in await services.contests.contests():
        me = next((m for m in await services.appeals.members(c.id) if m.telegram_id == uid), None)
        if me is not None:
            out.append((c.id, me))
    return out


@router.message(Command("commission"))
async def commission(message: Message, services: Services, state: FSMContext) -> None:
    uid = message.from_user.id
    await state.set_state(None)
    roles = await services.coordination.staff_roles(uid)
    shown = False
    for c in await services.contests.contests():
        if c.id in roles.coordinator_contests and roles.coordinator_contests[c.id] is None:  # federal (or admin)
            shown = True
            members = await services.appeals.members(c.id)
            lines = [tr("apl-cms-title")]
            lines += [tr("apl-cms-member", role=m.role, name=m.name) for m in members] or [tr("apl-cms-not-formed")]
            kb = InlineKeyboardBuilder()
            kb.button(text=tr("apl-cms-btn-form"), callback_data=CommissionCb(contest_id=c.id, action="form"))
            await message.answer("\n".join(lines), reply_markup=kb.as_markup())
    for contest_id, _ in await _membership(services, uid):
        shown = True
        text, kb = await _queue_screen(services, uid, contest_id)
        await message.answer(text, reply_markup=kb)
    if not shown:
        raise Forbidden("federal_only" if roles.is_coordinator else "not_commission_member")


@router.callback_query(CommissionCb.filter(F.action == "form"))
async def commission_form(query: CallbackQuery, callback_data: CommissionCb, services: Services) -> None:
    members = await services.appeals.form_commission(query.from_user.id, callback_data.contest_id)
    await query.answer()
    lines = [tr("apl-cms-formed")] + [tr("apl-cms-member", role=m.role, name=m.name) for m in members]
    await query.message.answer("\n".join(lines))


async def _queue_screen(services: Services, uid: int, contest_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    items = await services.appeals.queue(uid, contest_id)
    if not items:
        return tr("apl-cms-title") + "\n" + tr("apl-cms-queue-empty"), None
    lines = [tr("apl-cms-queue", count=len(items))]
    kb = InlineKeyboardBuilder()
    for a in items:
        lines.append(tr("apl-cms-queue-item", id=a.id, target=a.target_label, decide_by=format_dt(a.decide_by, a.timezone)))
        kb.button(text=flow.button_label(f"№{a.id} {a.target_label}"), callback_data=AppealCb(appeal_id=a.id, action="view"))
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
    return next((m for m in await services.appeals.members(contest_id) if m.telegram_id == uid), None)


async def _card(services: Services, uid: int, v: AppealView) -> tuple[str, InlineKeyboardMarkup | None]:
    tz = v.timezone
    member = await _member_of(services, uid, v)
    names = {m.telegram_id: m.name for m in await services.appeals.members(await _contest_of(services, v) or 0)}
    lines = [
        tr(
            "apl-card", id=v.id, status=v.status, target=v.target_label, kind=_kind_title(v.kind), role=v.applicant_role,
            applicant_name=v.fields.get("applicant_name", "—"), applicant_category=v.fields.get("applicant_category", "—"),
            contacts=v.fields.get("contacts", "—"), dispute=format_dt(v.dispute_at, tz), place=v.fields.get("place", "—"),
            violators=v.fields.get("violators", "—"), witnesses=v.fields.get("witnesses", "—"),
            description=v.fields.get("description", "—"), demands=v.fields.get("demands", "—"), evidence=len(v.evidence),
            filed=format_dt(v.filed_at, tz), deadline=format_dt(v.deadline_at, tz), registered=format_dt(v.registered_at, tz),
            decide_by=format_dt(v.decide_by, tz), uphold=v.votes_uphold, reject=v.votes_reject,
            excluded=", ".join(names.get(x, str(x)) for x in v.excluded) or "—",
        )
    ]
    if v.decision is not None:
        lines.append(
            tr("apl-card-decision", decision=v.decision, text=v.decision_text or "", deduction=_points(v.deduction),
               disqualified="yes" if v.disqualified else "no")
        )
    kb = InlineKeyboardBuilder()
    if v.evidence:
        kb.button(text=tr("apl-btn-evidence", count=len(v.evidence)), callback_data=AppealCb(appeal_id=v.id, action="evidence"))
    if member is not None and v.status == "registered" and uid not in v.excluded:
        if member.role != "secretary":
            kb.button(text=tr("apl-btn-uphold"), callback_data=AppealCb(appeal_id=v.id, action="uphold"))
            kb.button(text=tr("apl-btn-reject"), callback_data=AppealCb(appeal_id=v.id, action="reject"))
        kb.button(text=tr("apl-btn-conflict"), callback_data=AppealCb(appeal_id=v.id, action="conflict"))
        if member.role == "chair":
            kb.button(text=tr("apl-btn-decide"), callback_data=AppealCb(appeal_id=v.id, action="decide"))
    kb.adjust(1, 2, 1, 1)
    return "\n".join(lines), kb.as_markup()


def _points(value: Decimal | None) -> str:
    return "0" if not value else f"{value.normalize():f}".replace(".", ",")


@router.callback_query(AppealCb.filter(F.action == "view"))
async def appeal_view(query: CallbackQuery, callback_data: AppealCb, services: Services) -> None:
    uid = query.from_user.id
    view = await services.appeals.view(uid, callback_data.appeal_id)
    await query.answer()
    text, kb = await _card(services, uid, view)
    await query.message.answer(text, reply_markup=kb)


@router.callback_query(AppealCb.filter(F.action.in_({"uphold", "reject"})))
async def appeal_vote(query: CallbackQuery, callback_data: AppealCb, services: Services) -> None:
    uid = query.from_user.id
    uphold = callback_data.action == "uphold"
    view = await services.appeals.vote(uid, callback_data.appeal_id, uphold)
    await query.answer()
    text, kb = await _card(services, uid, view)
    await query.message.answer(tr("apl-voted", uphold="yes" if uphold else "no") + "\n\n" + text, reply_markup=kb)


@router.callback_query(AppealCb.filter(F.action == "conflict"))
async def appeal_conflict(query: CallbackQuery, callback_data: AppealCb, services: Services) -> None:
    view = await services.appeals.declare_conflict(query.from_user.id, callback_data.appeal_id)
    await query.answer()
    await query.message.answer(tr("apl-conflict-declared", id=view.id))


@router.callback_query(AppealCb.filter(F.action == "evidence"))
async def appeal_evidence_send(query: CallbackQuery, callback_data: AppealCb, bot: Bot, services: Services) -> None:
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
async def decide_start(query: CallbackQuery, callback_data: AppealCb, services: Services, state: FSMContext) -> None:
    uid = query.from_user.id
    view = await services.appeals.view(uid, callback_data.appeal_id)
    member = await _member_of(services, uid, view)
    if member is None or member.role != "chair":
        raise Forbidden("chair_only")
    if view.status == "decided":
        raise DomainError("appeal_decided")
    if view.status != "registered":
        raise DomainError("appeal_not_open")
    await state.set_state(None)
    await state.update_data(apl_dec={"appeal_id": view.id})
    await query.answer()
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("apl-dec-btn-upheld"), callback_data=DecisionCb(appeal_id=view.id, action="upheld"))
    kb.button(text=tr("apl-dec-btn-rejected"), callback_data=DecisionCb(appeal_id=view.id, action="rejected"))
    kb.button(text=tr("apl-btn-cancel"), callback_data=DecisionCb(appeal_id=view.id, action="cancel"))
    kb.adjust(1)
    await query.message.answer(tr("apl-dec-choose", id=view.id), reply_markup=kb.as_markup())


async def _decision(state: FSMContext, appeal_id: int | None = None) -> dict[str, Any]:
    dec = (await state.get_data()).get("apl_dec")
    if not dec or (appeal_id is not None and dec.get("appeal_id") != appeal_id):
        raise DomainError("appeal_form_expired")
    return dict(dec)


@router.callback_query(DecisionCb.filter(F.action.in_({"upheld", "rejected"})))
async def decide_kind(query: CallbackQuery, callback_data: DecisionCb, state: FSMContext) -> None:
    dec = await _decision(state, callback_data.appeal_id)
    dec.update(uphold=callback_data.action == "upheld", deduction="", disqualify=False)
    await state.update_data(apl_dec=dec)
    await state.set_state(DecisionForm.text)
    await query.answer()
    await query.message.answer(tr("apl-dec-ask-text"))


@router.message(DecisionForm.text, _NOT_COMMAND)
async def decide_text(message: Message, state: FSMContext) -> None:
    dec = await _decision(state)
    text = message.text.strip()
    if len(text) > MAX_TEXT:
        raise DomainError("appeal_field_too_long", field="decision_text", limit=MAX_TEXT)
    dec["text"] = text
    await state.update_data(apl_dec=dec)
    if dec["uphold"]:
        await state.set_state(DecisionForm.deduction)
        await message.answer(tr("apl-dec-ask-deduction"))
        return
    await state.set_state(None)
    await _decision_confirm(message, dec)


@router.message(DecisionForm.deduction, _NOT_COMMAND)
async def decide_deduction(message: Message, state: FSMContext) -> None:
    dec = await _decision(state)
    raw = message.text.strip().replace(",", ".").replace(" ", "")
    try:
        points = Decimal(raw)
    except InvalidOperation:
        raise DomainError("bad_deduction") from None
    if not points.is_finite() or points < 0 or points > rules.SCHEME_TOTAL_POINTS or points != points.quantize(rules.POINTS_QUANTUM):
        raise DomainError("bad_deduction")  # the step stays: type the number again
    dec["deduction"] = "" if points == 0 else str(points)
    await state.update_data(apl_dec=dec)
    await state.set_state(None)
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("apl-dec-btn-dq"), callback_data=DecisionCb(appeal_id=dec["appeal_id"], action="dq"))
    kb.button(text=tr("apl-dec-btn-nodq"), callback_data=DecisionCb(appeal_id=dec["appeal_id"], action="nodq"))
    kb.adjust(2)
    await message.answer(tr("apl-dec-ask-disqualify"), reply_markup=kb.as_markup())


@router.message(DecisionForm.text, ~F.text)
@router.message(DecisionForm.deduction, ~F.text)
async def decide_not_text(message: Message) -> None:
    await message.answer(tr("apl-dec-need-text"))


@router.callback_query(DecisionCb.filter(F.action.in_({"dq", "nodq"})))
async def decide_disqualify(query: CallbackQuery, callback_data: DecisionCb, state: FSMContext) -> None:
    dec = await _decision(state, callback_data.appeal_id)
    if "text" not in dec:
        raise DomainError("appeal_form_expired")
    dec["disqualify"] = callback_data.action == "dq"
    await state.update_data(apl_dec=dec)
    await query.answer()
    await _decision_confirm(query.message, dec)


async def _decision_confirm(message: Message, dec: dict[str, Any]) -> None:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("apl-dec-btn-ok"), callback_data=DecisionCb(appeal_id=dec["appeal_id"], action="ok"))
    kb.button(text=tr("apl-btn-cancel"), callback_data=DecisionCb(appeal_id=dec["appeal_id"], action="cancel"))
    kb.adjust(1)
    text = tr(
        "apl-dec-confirm", id=dec["appeal_id"], decision="upheld" if dec["uphold"] else "rejected", text=dec["text"],
        deduction=dec["deduction"].replace(".", ",") if dec["deduction"] else "0", disqualified="yes" if dec["disqualify"] else "no",
    )
    await message.answer(text, reply_markup=kb.as_markup())


@router.callback_query(DecisionCb.filter(F.action == "ok"))
async def decide_ok(query: CallbackQuery, callback_data: DecisionCb, services: Services, state: FSMContext) -> None:
    dec = await _decision(state, callback_data.appeal_id)
    if "text" not in dec:
        raise DomainError("appeal_form_expired")
    view = await services.appeals.decide(
        query.from_user.id, dec["appeal_id"], uphold=dec["uphold"], text=dec["text"], deduction=dec["deduction"] or None, disqualify=dec["disqualify"],
    )
    await state.update_data(apl_dec=None)
    await query.answer()
    await query.message.answer(tr("apl-dec-recorded", id=view.id))


@router.callback_query(DecisionCb.filter(F.action == "cancel"))
async def decide_cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(None)
    await state.update_data(apl_dec=None)
    await query.answer()
    await query.message.answer(tr("apl-cancelled"))
