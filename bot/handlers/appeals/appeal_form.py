"""``/appeal`` (R-APL-2…5): the mentor, the team representative or the regional head files an
appeal in a guided form — the participant, the kind, the dispute's time (its deadline said at
once, in the event's zone), the fields of R-APL-4, the evidence — reviews it and files it;
and the chief expert confirms the time of a dispute that arose after 21:00 (R-APL-3).

The answers live in the FSM data until the service accepts them, so a refusal loses nothing.
``/appeal`` with a kept draft offers «Продолжить» / «Начать заново» (issue #12)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.handlers.appeals.callbacks import (
    AppealAction,
    AppealCb,
    AppealEditCb,
    AppealFormCb,
    AppealKindCb,
    AppealTargetCb,
    FormAction,
)
from bot.handlers.appeals.common import NOT_COMMAND, draft_key, kind_title, left, row
from bot.prompts import BACK_KEY, cancel_markup
from bot.screens import Screen, button_label, choices, keyboard, message_of, send
from bot.texts import error_text, format_dt, tr
from models import rules
from models.clock import Clock
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.appeals import APPEAL_KINDS, MAX_EVIDENCE, MAX_TEXT

router = Router(name=__name__)

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


class AppealForm(StatesGroup):
    text = State()
    evidence = State()


@router.message(Command("appeal"))
async def appeal(message: Message, services: Services, state: FSMContext) -> None:
    """The form, or — when a half-filled one is kept — «Продолжить» / «Начать заново»."""
    uid = message.from_user.id
    await state.set_state(None)
    form = (await state.get_data()).get("apl_form")
    if form and form.get("target_id") and not form.get("filed_id"):
        key = form.get("key", "")
        kb = keyboard(
            (tr("apl-frm-btn-continue"), AppealFormCb(action=FormAction.RESUME, key=key)),
            (tr("apl-frm-btn-restart"), AppealFormCb(action=FormAction.RESTART, key=key)),
        )
        filled, total = _filled(form)
        text = tr("apl-frm-draft-found", target=form.get("target", "—"), filled=filled, total=total)
        await send(message, Screen(text, kb))
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
    kb = choices(
        (button_label(label), AppealTargetCb(contest_id=contest_id, target_id=tid))
        for contest_id, tid, label in targets
    )
    await send(message, Screen(tr("apl-frm-choose-target"), kb))


def _filled(form: dict[str, Any]) -> tuple[int, int]:
    parts = ("kind", *STEPS)
    done = sum(1 for p in parts if form.get(p)) + (
        1 if form.get("evidence") and form.get("evidence_done") else 0
    )
    return done, len(parts) + 1


@router.callback_query(AppealFormCb.filter(F.action == FormAction.RESTART))
async def appeal_restart(
    query: CallbackQuery, callback_data: AppealFormCb, services: Services, state: FSMContext
) -> None:
    await _form(services, query.from_user.id, state, callback_data.key)
    await state.set_state(None)
    await state.update_data(apl_form=None)
    await _targets(message_of(query), query.from_user.id, services)


@router.callback_query(AppealFormCb.filter(F.action == FormAction.RESUME))
async def appeal_resume(
    query: CallbackQuery,
    callback_data: AppealFormCb,
    bot: Bot,
    services: Services,
    state: FSMContext,
    clock: Clock,
) -> None:
    """«Продолжить» a kept draft, or «Вернуться» after «Отмена» of a step: where it was."""
    await _form(services, query.from_user.id, state, callback_data.key)
    await _next(bot, query.from_user.id, state, clock)


@router.callback_query(AppealFormCb.filter(F.action == FormAction.REVIEW))
async def appeal_back_to_review(
    query: CallbackQuery,
    callback_data: AppealFormCb,
    bot: Bot,
    services: Services,
    state: FSMContext,
    clock: Clock,
) -> None:
    """«Вернуться» after «Отмена» of an edit: the review as it was (the old answer kept)."""
    form = await _form(services, query.from_user.id, state, callback_data.key)
    form.pop("editing", None)
    form.pop("evidence_new", None)
    await state.update_data(apl_form=form)
    await _next(bot, query.from_user.id, state, clock)


@router.callback_query(AppealTargetCb.filter())
async def appeal_target(
    query: CallbackQuery,
    callback_data: AppealTargetCb,
    bot: Bot,
    services: Services,
    state: FSMContext,
    clock: Clock,
) -> None:
    uid = query.from_user.id
    targets = dict(await services.appeals.targets_for_applicant(uid, callback_data.contest_id))
    label = targets.get(callback_data.target_id)
    if label is None:  # R-APL-2: why not — another region's team, a team with its representative
        await services.appeals.check_applicant(uid, callback_data.target_id)
        raise Forbidden("not_an_applicant")
    contest = await services.contests.contest(callback_data.contest_id)
    await state.update_data(
        apl_form={
            "contest_id": contest.id,
            "tz": contest.timezone,
            "target_id": callback_data.target_id,
            "target": label,
            "evidence": [],
            "key": draft_key(),
        }
    )
    await _next(bot, uid, state, clock)


@router.callback_query(AppealKindCb.filter())
async def appeal_kind(
    query: CallbackQuery,
    callback_data: AppealKindCb,
    bot: Bot,
    services: Services,
    state: FSMContext,
    clock: Clock,
) -> None:
    form = await _form(services, query.from_user.id, state, callback_data.key)
    if callback_data.kind not in APPEAL_KINDS:
        # R-APL-5: anything else is refused with the reason; the form stays as it was
        await bot.send_message(
            query.from_user.id,
            error_text(DomainError("appeal_kind_not_accepted")) + "\n" + tr("apl-frm-kept"),
        )
        return
    form["kind"] = callback_data.kind
    if form.get("editing") == "kind":
        form.pop("editing")
    await state.update_data(apl_form=form)
    await _next(bot, query.from_user.id, state, clock)


@router.message(AppealForm.text, NOT_COMMAND)
async def appeal_text(
    message: Message, bot: Bot, services: Services, state: FSMContext, clock: Clock
) -> None:
    form = await _form(services, message.from_user.id, state)
    step = form.get("step")
    text = message.text.strip()
    if step == "dispute_at":
        dispute_at = _parse_local(text, form["tz"])
        if dispute_at is None:
            await message.answer(tr("apl-frm-bad-datetime"), reply_markup=cancel_markup())
            return
        now = clock.now()
        if dispute_at > now:
            raise DomainError("dispute_in_future")
        deadline, needs_chief = await services.appeals.filing_deadline(
            form["target_id"], dispute_at
        )
        if now > deadline:  # R-APL-3: refused at once
            raise DomainError("appeal_late", deadline=deadline, tz=form["tz"])
        form["dispute_at"] = dispute_at.isoformat()
        lines = [
            tr(
                "apl-frm-deadline",
                deadline=format_dt(deadline, form["tz"]),
                left=left(deadline, now),
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
    await _next(bot, message.from_user.id, state, clock)


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
    done = AppealFormCb(action=FormAction.DONE, key=form.get("key", ""))
    return cancel_markup(*([row((tr("apl-frm-btn-done"), done))] if form.get(into) else []))


@router.callback_query(AppealFormCb.filter(F.action == FormAction.DONE))
async def appeal_evidence_done(
    query: CallbackQuery,
    callback_data: AppealFormCb,
    bot: Bot,
    services: Services,
    state: FSMContext,
    clock: Clock,
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
    await _next(bot, query.from_user.id, state, clock)


@router.callback_query(AppealEditCb.filter())
async def appeal_edit(
    query: CallbackQuery,
    callback_data: AppealEditCb,
    bot: Bot,
    services: Services,
    state: FSMContext,
    clock: Clock,
) -> None:
    """Ask one field again; its old answer stays until a new one comes («Отмена» keeps it)."""
    form = await _form(services, query.from_user.id, state, callback_data.key)
    if callback_data.field in (*STEPS, "kind", "evidence"):
        form["editing"] = callback_data.field
        form.pop("evidence_new", None)
    await state.update_data(apl_form=form)
    await _next(bot, query.from_user.id, state, clock)


@router.callback_query(AppealFormCb.filter(F.action == FormAction.SUBMIT))
async def appeal_submit(
    query: CallbackQuery,
    callback_data: AppealFormCb,
    bot: Bot,
    services: Services,
    state: FSMContext,
    clock: Clock,
) -> None:
    uid = query.from_user.id
    form = await _form(services, uid, state, callback_data.key)
    if _first_missing(form) is not None:
        await _next(bot, uid, state, clock)
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
        review = _review(form, clock.now())
        await bot.send_message(uid, error_text(err) + "\n" + tr("apl-frm-kept"))
        await bot.send_message(uid, review.text, reply_markup=review.keyboard)
        return
    # the draft is kept, marked filed: a second «Подать» is told which appeal it filed
    form["filed_id"] = view.id
    await state.set_state(None)
    await state.update_data(apl_form=form)
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


@router.callback_query(AppealFormCb.filter(F.action == FormAction.CANCEL))
async def appeal_cancel(
    query: CallbackQuery, callback_data: AppealFormCb, services: Services, state: FSMContext
) -> None:
    """«Отменить» the whole form (on the review): the draft is dropped, nothing is filed."""
    await _form(services, query.from_user.id, state, callback_data.key)
    await state.set_state(None)
    await state.update_data(apl_form=None)
    await message_of(query).answer(tr("apl-cancelled"))


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


async def _next(bot: Bot, uid: int, state: FSMContext, clock: Clock) -> None:
    """Ask for the field being edited, else the first thing the form still lacks, else
    show the review. Every prompt has «Отмена»: back to the review (an edit) or to this
    step again (filling in), nothing changed."""
    form = (await state.get_data()).get("apl_form") or {}
    if not form:
        raise DomainError("appeal_form_expired")
    key = form.get("key", "")
    editing = form.get("editing")
    missing = editing or _first_missing(form)
    back = AppealFormCb(action=FormAction.REVIEW if editing else FormAction.RESUME, key=key)
    await state.update_data({BACK_KEY: back.pack()})
    if missing == "kind":
        await state.set_state(None)
        kb = choices(
            (
                (button_label(kind_title(kind), width=60), AppealKindCb(kind=kind, key=key))
                for kind in (*APPEAL_KINDS, "other")
            ),
            tail=[(tr("apl-btn-cancel"), AppealFormCb(action=FormAction.CANCEL, key=key))],
        )
        await bot.send_message(
            uid, tr("apl-frm-choose-kind", target=form["target"]), reply_markup=kb
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
        review = _review(form, clock.now())
        await bot.send_message(uid, review.text, reply_markup=review.keyboard)


def _review(form: dict[str, Any], now: datetime) -> Screen:
    tz = form["tz"]
    key = form.get("key", "")
    dispute_at = datetime.fromisoformat(form["dispute_at"]).astimezone(ZoneInfo(tz))
    deadline = rules.appeal_filing_deadline(dispute_at)  # R-APL-3
    lines = [
        tr(
            "apl-frm-review",
            target=form["target"],
            kind=kind_title(form["kind"]),
            dispute=format_dt(dispute_at, tz),
            evidence=len(form["evidence"]),
            **{f: form[f] for f in TEXT_FIELDS},
        ),
    ]
    if now <= deadline:
        lines.append(
            tr("apl-frm-deadline", deadline=format_dt(deadline, tz), left=left(deadline, now))
        )
    if rules.appeal_needs_time_confirmation(dispute_at):
        lines.append(tr("apl-frm-needs-chief"))
    edits = [
        (
            tr("apl-frm-btn-edit", field=tr(f"apl-frm-field-{field}")),
            AppealEditCb(field=field, key=key),
        )
        for field in ("kind", *STEPS, "evidence")
    ]
    rest = [*edits, (tr("apl-btn-cancel"), AppealFormCb(action=FormAction.CANCEL, key=key))]
    kb = keyboard(
        (tr("apl-frm-btn-submit"), AppealFormCb(action=FormAction.SUBMIT, key=key)),
        *(rest[i : i + 2] for i in range(0, len(rest), 2)),
    )
    return Screen("\n\n".join(lines), kb)


def _parse_local(text: str, tz: str) -> datetime | None:
    m = _DATETIME.match(text)
    if m is None:
        return None
    day, month, year, hour, minute = (int(x) for x in m.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))
    except ValueError:
        return None


# ------------------------------------------------- the chief confirms a late dispute's time (R-APL-3)


@router.callback_query(AppealCb.filter(F.action == AppealAction.TIME))
async def appeal_time(query: CallbackQuery, callback_data: AppealCb, services: Services) -> None:
    view = await services.appeals.confirm_time(query.from_user.id, callback_data.appeal_id)
    await message_of(query).answer(
        tr("apl-time-confirmed", id=view.id, decide_by=format_dt(view.decide_by, view.timezone))
    )
