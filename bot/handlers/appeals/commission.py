"""``/commission`` (R-APL-6…8): the federal coordinator forms the commission against a stage
and names the deputy chair (shown back with all five before it is formed); a member sees the
queue and a case's card, votes once (changing a vote is a deliberate press), declares a
conflict of interest (asked first, issue #15), and receives the evidence."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.handlers.appeals.callbacks import (
    AppealAction,
    AppealCb,
    CommissionAction,
    CommissionCb,
)
from bot.handlers.appeals.common import kind_title, points_text, row
from bot.prompts import BACK_KEY, cancel_markup, confirm_markup
from bot.screens import Screen, button_label, choices, keyboard, message_of, send
from bot.texts import error_text, format_dt, tr
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.appeals import AppealView, MemberView, StageChoice

router = Router(name=__name__)


async def _membership(services: Services, uid: int) -> list[tuple[int, MemberView]]:
    out = []
    for c in await services.contests.contests():
        me = next(
            (m for m in await services.commission.members(c.id) if m.telegram_id == uid), None
        )
        if me is not None:
            out.append((c.id, me))
    return out


async def _commission_screen(services: Services, contest_id: int) -> Screen:
    """The federal coordinator's view of a contest's commission (R-APL-6): the stage it
    serves, its five with the deputy chair, and the way to form or re-form it."""
    members = await services.commission.members(contest_id)
    stage = await services.commission.commission_stage(contest_id)
    lines = [tr("apl-cms-title")]
    if stage is not None:
        starts = format_dt(stage.starts_at, stage.timezone)
        lines.append(tr("cms-stage-line", stage=stage.title, starts=starts))
    lines += [tr("cms-member", role=m.role, name=m.name) for m in members] or [
        tr("apl-cms-not-formed")
    ]
    form = CommissionCb(contest_id=contest_id, action=CommissionAction.FORM)
    label = tr("cms-btn-reform" if members else "apl-cms-btn-form")
    return Screen("\n".join(lines), keyboard((label, form)))


@router.message(Command("commission"))
async def commission(message: Message, services: Services, state: FSMContext) -> None:
    uid = message.from_user.id
    await state.set_state(None)
    roles = await services.coordination.staff_roles(uid)
    shown = False
    for c in await services.contests.contests():
        # federal (or admin): no regions to the scope
        if c.id in roles.coordinator_contests and roles.coordinator_contests[c.id] is None:
            shown = True
            await send(message, await _commission_screen(services, c.id))
    for contest_id, _ in await _membership(services, uid):
        shown = True
        await send(message, await _queue_screen(services, uid, contest_id))
    if not shown:
        raise Forbidden("federal_only" if roles.is_coordinator else "not_commission_member")


@router.callback_query(CommissionCb.filter(F.action == CommissionAction.SHOW))
async def commission_show(
    query: CallbackQuery, callback_data: CommissionCb, services: Services, state: FSMContext
) -> None:
    # the federal coordinator's screen only
    await services.commission.commission_stages(query.from_user.id, callback_data.contest_id)
    await state.set_state(None)
    await send(message_of(query), await _commission_screen(services, callback_data.contest_id))


@router.callback_query(
    CommissionCb.filter(F.action.in_({CommissionAction.FORM, CommissionAction.CHANGE}))
)
async def commission_form(
    query: CallbackQuery, callback_data: CommissionCb, services: Services, state: FSMContext
) -> None:
    """Step 1: the stage the commission serves, chosen explicitly (R-APL-6, issue #15)."""
    cid = callback_data.contest_id
    stages = await services.commission.commission_stages(query.from_user.id, cid)
    # a wrong composition is said now, not after two steps
    await services.commission.deputy_candidates(query.from_user.id, cid)
    await state.set_state(None)
    show = CommissionCb(contest_id=cid, action=CommissionAction.SHOW)
    await state.update_data({BACK_KEY: show.pack()})
    await _stage_picker(message_of(query), cid, stages)


def _stage_name(st: StageChoice) -> str:
    return tr("cms-btn-stage", title=st.title, starts=format_dt(st.starts_at, st.timezone))


async def _stage_picker(
    message: Message, cid: int, stages: list[StageChoice], note: str = ""
) -> None:
    """The stages a commission may be formed for now (R-APL-6, issue #15): a stage less than
    two days before its start is not offered — it is named, with why."""
    if not stages:
        await message.answer(note + tr("cms-no-stages"), reply_markup=cancel_markup())
        return
    rows = [
        row(
            (
                button_label(_stage_name(st)),
                CommissionCb(contest_id=cid, action=CommissionAction.STAGE, stage=st.id),
            )
        )
        for st in stages
        if st.formable
    ]
    late = ", ".join(_stage_name(st) for st in stages if not st.formable)
    text = note + tr("cms-choose-stage")
    if late:
        text += "\n" + tr("cms-stages-too-late", stages=late)
    if not rows:
        text = note + tr("cms-no-formable-stages", stages=late)
    await message.answer(text, reply_markup=cancel_markup(*rows))


@router.callback_query(CommissionCb.filter(F.action == CommissionAction.STAGE))
async def commission_stage(
    query: CallbackQuery, callback_data: CommissionCb, services: Services, state: FSMContext
) -> None:
    """Step 2: the deputy chair, one of the three voting members (R-APL-6)."""
    uid, cid = query.from_user.id, callback_data.contest_id
    candidates = await services.commission.deputy_candidates(uid, cid)
    try:  # issue #15: a stage too late is refused here, at step 1, with the picker again
        await services.commission.check_commission_stage(uid, cid, callback_data.stage)
    except DomainError as err:
        if err.code not in ("cms_stage_too_late", "cms_stage_unknown"):
            raise
        stages = await services.commission.commission_stages(uid, cid)
        await _stage_picker(message_of(query), cid, stages, note=error_text(err) + "\n\n")
        return
    show = CommissionCb(contest_id=cid, action=CommissionAction.SHOW)
    await state.update_data({BACK_KEY: show.pack()})
    rows = [
        row(
            (
                button_label(m.name),
                CommissionCb(
                    contest_id=cid,
                    action=CommissionAction.DEPUTY,
                    stage=callback_data.stage,
                    deputy=m.telegram_id,
                ),
            )
        )
        for m in candidates
    ]
    rows.append(
        row((tr("nxt-btn-back"), CommissionCb(contest_id=cid, action=CommissionAction.FORM)))
    )
    await message_of(query).answer(tr("cms-choose-deputy"), reply_markup=cancel_markup(*rows))


@router.callback_query(CommissionCb.filter(F.action == CommissionAction.DEPUTY))
async def commission_deputy(
    query: CallbackQuery, callback_data: CommissionCb, services: Services, state: FSMContext
) -> None:
    """Shown back before anything is decided about other people: «Подтвердить / Изменить / Отмена»."""
    uid, cid = query.from_user.id, callback_data.contest_id
    stages = {st.id: st for st in await services.commission.commission_stages(uid, cid)}
    names = {m.telegram_id: m.name for m in await services.commission.deputy_candidates(uid, cid)}
    stage = stages.get(callback_data.stage)
    if stage is None:
        raise DomainError("cms_stage_unknown")
    if callback_data.deputy not in names:
        raise DomainError("cms_deputy_invalid")
    five = await services.commission.commission_preview(uid, cid, callback_data.deputy)
    show = CommissionCb(contest_id=cid, action=CommissionAction.SHOW)
    await state.update_data({BACK_KEY: show.pack()})
    text = tr(
        "cms-confirm",
        stage=stage.title,
        starts=format_dt(stage.starts_at, stage.timezone),
        deputy=names[callback_data.deputy],
    )
    # issue #15: all five
    text += "\n" + "\n".join(tr("cms-member", role=m.role, name=m.name) for m in five)
    markup = confirm_markup(
        CommissionCb(
            contest_id=cid,
            action=CommissionAction.OK,
            stage=stage.id,
            deputy=callback_data.deputy,
        ),
        CommissionCb(contest_id=cid, action=CommissionAction.CHANGE),
    )
    await message_of(query).answer(text, reply_markup=markup)


@router.callback_query(CommissionCb.filter(F.action == CommissionAction.OK))
async def commission_ok(
    query: CallbackQuery, callback_data: CommissionCb, services: Services, state: FSMContext
) -> None:
    uid, cid = query.from_user.id, callback_data.contest_id
    try:
        members = await services.commission.form_commission(
            uid, cid, stage_id=callback_data.stage, deputy=callback_data.deputy
        )
    except DomainError as err:
        if err.code != "cms_stage_too_late":
            raise
        # the stage became too late meanwhile: the picker again, not a dead end
        stages = await services.commission.commission_stages(uid, cid)
        await _stage_picker(message_of(query), cid, stages, note=error_text(err) + "\n\n")
        return
    stage = await services.commission.commission_stage(cid)
    await state.update_data({BACK_KEY: None})
    lines = [tr("cms-formed", stage=stage.title if stage else "—")] + [
        tr("cms-member", role=m.role, name=m.name) for m in members
    ]
    back = CommissionCb(contest_id=cid, action=CommissionAction.SHOW)
    await send(message_of(query), Screen("\n".join(lines), keyboard((tr("cms-btn-back"), back))))


@router.callback_query(CommissionCb.filter(F.action == CommissionAction.QUEUE))
async def commission_queue(
    query: CallbackQuery, callback_data: CommissionCb, services: Services, state: FSMContext
) -> None:
    """«К очереди апелляций» from a result screen (issue #15): the member's queue again."""
    # the service checks membership
    screen = await _queue_screen(services, query.from_user.id, callback_data.contest_id)
    await state.set_state(None)
    await send(message_of(query), screen)


async def next_after_case(services: Services, view: AppealView) -> InlineKeyboardMarkup | None:
    """A result screen's next step and way back (issue #15): the case, the queue."""
    contest_id = await _contest_of(services, view)
    queue = (
        None
        if contest_id is None
        else (
            tr("cms-btn-queue"),
            CommissionCb(contest_id=contest_id, action=CommissionAction.QUEUE),
        )
    )
    case = AppealCb(appeal_id=view.id, action=AppealAction.VIEW)
    return keyboard((tr("cms-btn-open-case", id=view.id), case), queue)


async def _queue_screen(services: Services, uid: int, contest_id: int) -> Screen:
    items = await services.appeal_decisions.queue(uid, contest_id)
    if not items:
        return Screen(tr("apl-cms-title") + "\n" + tr("apl-cms-queue-empty"))
    lines = [tr("apl-cms-queue", count=len(items))]
    for a in items:
        decide_by = format_dt(a.decide_by, a.timezone)
        lines.append(tr("apl-cms-queue-item", id=a.id, target=a.target_label, decide_by=decide_by))
    kb = choices(
        (button_label(f"№{a.id} {a.target_label}"), AppealCb(appeal_id=a.id)) for a in items
    )
    return Screen("\n".join(lines), kb)


async def _contest_of(services: Services, view: AppealView) -> int | None:
    for c in await services.contests.contests():
        if view.scheme_id in await services.schemes.scheme_ids(c.id):
            return c.id
    return None


def _card_text(v: AppealView, members: list[MemberView]) -> str:
    tz = v.timezone
    names = {m.telegram_id: m.name for m in members}
    lines = [
        tr(
            "apl-card",
            id=v.id,
            status=v.status,
            target=v.target_label,
            kind=kind_title(v.kind),
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
                deduction=points_text(v.deduction),
                disqualified="yes" if v.disqualified else "no",
            )
            + tr(
                "cms-card-effects",
                restore="yes" if v.restored else "no",
                restored=points_text(v.restored),
                other="yes" if v.penalised else "no",
                penalised=v.penalised_label or "—",
            )
        )
    elif v.status == "registered":  # R-APL-6: who records the decision — the chair, or the deputy
        chair = any(m.telegram_id == v.decider and m.role == "chair" for m in members)
        who = "none" if v.decider is None else "chair" if chair else "deputy"
        lines.append(tr("cms-card-decider", who=who, name=names.get(v.decider or 0, "—")))
    return "\n".join(lines)


async def _card(services: Services, uid: int, v: AppealView) -> Screen:
    members = await services.commission.members(await _contest_of(services, v) or 0)
    member = next((m for m in members if m.telegram_id == uid), None)

    def act(action: AppealAction) -> AppealCb:
        return AppealCb(appeal_id=v.id, action=action)

    rows: list[Any] = []
    if v.evidence:
        rows.append((tr("apl-btn-evidence", count=len(v.evidence)), act(AppealAction.EVIDENCE)))
    if member is not None and v.status == "registered" and uid not in v.excluded:
        mine = dict(v.voters).get(uid)
        if member.role != "secretary" and mine is None:
            rows.append(
                [
                    (tr("apl-btn-uphold"), act(AppealAction.UPHOLD)),
                    (tr("apl-btn-reject"), act(AppealAction.REJECT)),
                ]
            )
        elif member.role != "secretary":
            # a vote is cast once; changing it is a separate, deliberate press (issue #12)
            change = AppealAction.CHANGE_REJECT if mine else AppealAction.CHANGE_UPHOLD
            rows.append((tr("apl-btn-change-vote", uphold="no" if mine else "yes"), act(change)))
        rows.append((tr("apl-btn-conflict"), act(AppealAction.CONFLICT)))
        if v.decider == uid:  # R-APL-6: the chair, or the deputy when the chair is excluded
            rows.append((tr("apl-btn-decide"), act(AppealAction.DECIDE)))
    return Screen(_card_text(v, members), keyboard(*rows))


@router.callback_query(AppealCb.filter(F.action == AppealAction.VIEW))
async def appeal_view(query: CallbackQuery, callback_data: AppealCb, services: Services) -> None:
    uid = query.from_user.id
    view = await services.appeal_decisions.view(uid, callback_data.appeal_id)
    await send(message_of(query), await _card(services, uid, view))


_VOTES = {
    AppealAction.UPHOLD: (True, False),
    AppealAction.REJECT: (False, False),
    AppealAction.CHANGE_UPHOLD: (True, True),
    AppealAction.CHANGE_REJECT: (False, True),
}


@router.callback_query(AppealCb.filter(F.action.in_(set(_VOTES))))
async def appeal_vote(query: CallbackQuery, callback_data: AppealCb, services: Services) -> None:
    uid = query.from_user.id
    uphold, change = _VOTES[callback_data.action]
    view = await services.appeal_decisions.vote(uid, callback_data.appeal_id, uphold, change=change)
    card = await _card(services, uid, view)
    voted = tr("apl-voted", uphold="yes" if uphold else "no")
    await send(message_of(query), Screen(voted + "\n\n" + card.text, card.keyboard))


@router.callback_query(AppealCb.filter(F.action == AppealAction.CONFLICT))
async def appeal_conflict(
    query: CallbackQuery, callback_data: AppealCb, services: Services
) -> None:
    """«Конфликт интересов» is irreversible: asked first (issue #15), declared on «Подтвердить»."""
    appeal_id = callback_data.appeal_id
    # a member, an open case
    await services.appeal_decisions.check_vote(query.from_user.id, appeal_id)
    kb = keyboard(
        (tr("nxt-btn-confirm"), AppealCb(appeal_id=appeal_id, action=AppealAction.CONFLICT_OK)),
        (tr("nxt-btn-back"), AppealCb(appeal_id=appeal_id, action=AppealAction.VIEW)),
    )
    await send(message_of(query), Screen(tr("cms-conflict-ask", id=appeal_id), kb))


@router.callback_query(AppealCb.filter(F.action == AppealAction.CONFLICT_OK))
async def appeal_conflict_ok(
    query: CallbackQuery, callback_data: AppealCb, services: Services
) -> None:
    view = await services.appeal_decisions.declare_conflict(
        query.from_user.id, callback_data.appeal_id
    )
    text = tr("apl-conflict-declared", id=view.id)
    await send(message_of(query), Screen(text, await next_after_case(services, view)))


@router.callback_query(AppealCb.filter(F.action == AppealAction.EVIDENCE))
async def appeal_evidence_send(
    query: CallbackQuery, callback_data: AppealCb, bot: Bot, services: Services
) -> None:
    uid = query.from_user.id
    view = await services.appeal_decisions.view(uid, callback_data.appeal_id)
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
