"""The chief expert sets scoring up (R-SCH-3/4, R-ROLE-3, R-SCO-5): the setup screen, the
scheme lock, assessment groups and their subcriteria, the list of participants, mentors and
their allowance, the briefing protocol, the score lock; and the scoring progress the chief
and the coordinators watch (counts and names, never marks)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from bot.handlers.scoring.analytics import AnalyticsCb
from bot.handlers.scoring.callbacks import (
    AllowAskCb,
    AssignGroupCb,
    AssignSubCb,
    ChiefAction,
    ChiefCb,
    GroupToggleCb,
    MentorPickCb,
    ScoringProgressCb,
    SetMentorCb,
)
from bot.handlers.scoring.common import (
    Step,
    back_menu,
    back_setup,
    chief_next,
    kind_name,
    points,
    reply,
    setup_step,
    steps,
)
from bot.handlers.scoring.paper import paper_button
from bot.screens import Button, Screen, button_label, choices, confirm, show
from bot.texts import format_dt, tr
from models import rules
from models.clock import Clock
from models.services import Services
from models.services.scoring import ScoringProgress

router = Router(name=__name__)


def _on(action: ChiefAction) -> CallbackQueryFilter:
    return ChiefCb.filter(F.action == action)


def _chief(scheme_id: int, action: ChiefAction = ChiefAction.VIEW) -> ChiefCb:
    return ChiefCb(scheme_id=scheme_id, action=action)


async def _chief_screen(services: Services, uid: int, scheme_id: int) -> Screen:
    v = await services.schemes.scheme_view(uid, scheme_id)
    kinds = ", ".join(f"{kind_name(k)} — {n}" for k, n in sorted(v.kinds.items()))
    lines = [
        tr("sco-chief-title", title=v.title, stage=v.stage),
        tr(
            "sco-chief-scheme",
            criteria=v.criteria,
            aspects=v.aspects,
            total=points(v.total),
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
    items: list[Button] = []
    if v.scores_locked_at is None:
        items += [
            (tr("sco-btn-new-group"), _chief(scheme_id, ChiefAction.NEW_GROUP)),
            (tr("sco-btn-assign"), _chief(scheme_id, ChiefAction.ASSIGN)),
            (tr("sco-btn-build-targets"), _chief(scheme_id, ChiefAction.BUILD)),
            (tr("sco-btn-mentors"), _chief(scheme_id, ChiefAction.MENTORS)),
        ]
    if v.targets:
        items.append((tr("sco-btn-briefing"), _chief(scheme_id, ChiefAction.BRIEFING)))
    if v.locked_at is None:
        items.append((tr("sco-btn-lock-scheme"), _chief(scheme_id, ChiefAction.LOCK)))
    elif v.scores_locked_at is None:
        items.append((tr("sco-btn-lock-scores"), _chief(scheme_id, ChiefAction.LOCK_SCORES)))
    else:
        items.append((tr("sco-btn-corrections"), _chief(scheme_id, ChiefAction.CORRECTIONS)))
    items.append(paper_button(scheme_id))  # issue #16: paper backup sheets (002 §6.7)
    items.append((tr("mka-btn-open"), AnalyticsCb(scheme_id=scheme_id)))  # issue #16
    items.append((tr("sco-btn-progress"), ScoringProgressCb(scheme_id=scheme_id)))
    key, data = back_menu(scheme_id)
    items.append((tr(key), data))
    return Screen("\n".join(lines), choices(items))


@router.callback_query(_on(ChiefAction.VIEW))
async def chief(query: CallbackQuery, callback_data: ChiefCb, services: Services) -> None:
    await reply(query, await _chief_screen(services, query.from_user.id, callback_data.scheme_id))


def _confirm_kb(scheme_id: int, action: ChiefAction) -> InlineKeyboardMarkup:
    return confirm(
        _chief(scheme_id, action),
        _chief(scheme_id),
        yes_label=tr("sco-btn-yes-lock"),
        no_label=tr("sco-btn-cancel"),
    )


@router.callback_query(_on(ChiefAction.LOCK))
async def lock_ask(
    query: CallbackQuery, callback_data: ChiefCb, services: Services, clock: Clock
) -> None:
    uid, sid = query.from_user.id, callback_data.scheme_id
    await services.schemes.check_lock_scheme(uid, sid)  # already locked: who and when
    v = await services.schemes.scheme_view(uid, sid)
    text = tr("sco-lock-scheme-ask")
    if rules.scheme_lock_late(v.stage_starts_at, clock.now()):
        # R-SCH-3: the lock is due 2 days before the start; a late lock is still recorded
        text += "\n" + tr("sco-lock-late", start=format_dt(v.stage_starts_at, v.timezone))
    await reply(query, Screen(text, _confirm_kb(sid, ChiefAction.LOCK_OK)))


@router.callback_query(_on(ChiefAction.LOCK_OK))
async def lock(query: CallbackQuery, callback_data: ChiefCb, services: Services) -> None:
    v = await services.schemes.lock_scheme(query.from_user.id, callback_data.scheme_id)
    kb = await chief_next(services, query.from_user.id, callback_data.scheme_id)
    await show(query, Screen(tr("sco-scheme-locked", at=format_dt(v.locked_at, v.timezone)), kb))


@router.callback_query(_on(ChiefAction.LOCK_SCORES))
async def lock_scores_ask(query: CallbackQuery, callback_data: ChiefCb, services: Services) -> None:
    uid, sid = query.from_user.id, callback_data.scheme_id
    await services.schemes.check_scores_open(uid, sid)  # already locked: who and when
    p = await services.results.progress(uid, sid)
    text = tr("sco-lock-scores-ask", title=p.title, targets=p.targets)
    await reply(query, Screen(text, _confirm_kb(sid, ChiefAction.LOCK_SCORES_OK)))


@router.callback_query(_on(ChiefAction.LOCK_SCORES_OK))
async def lock_scores(query: CallbackQuery, callback_data: ChiefCb, services: Services) -> None:
    asked = await services.score_lock.lock_scores(query.from_user.id, callback_data.scheme_id)
    kb = await chief_next(services, query.from_user.id, callback_data.scheme_id)
    await show(query, Screen(tr("sco-scores-locked", mentors=asked), kb))


@router.callback_query(_on(ChiefAction.BRIEFING))
async def briefing(query: CallbackQuery, callback_data: ChiefCb, services: Services) -> None:
    await services.scoring_setup.issue_briefing(query.from_user.id, callback_data.scheme_id)
    kb = await chief_next(services, query.from_user.id, callback_data.scheme_id)
    await reply(query, Screen(tr("sco-briefing-issued"), kb))


@router.callback_query(_on(ChiefAction.BUILD))
async def build(query: CallbackQuery, callback_data: ChiefCb, services: Services) -> None:
    sid = callback_data.scheme_id
    added = await services.scoring_setup.build_targets(query.from_user.id, sid)
    # R-ROLE-3: the mentors of the participants just listed come next, then the lock
    mentors_step = ("nxt-btn-mentors", _chief(sid, ChiefAction.MENTORS))
    kb = await chief_next(services, query.from_user.id, sid, mentors_step)
    await reply(query, Screen(tr("sco-targets-built", added=added), kb))


# groups: pick four experts with toggles, then «Создать группу»


async def _group_picker(services: Services, uid: int, scheme_id: int, chosen: list[int]) -> Screen:
    experts = await services.scoring_setup.experts(uid, scheme_id)
    items: list[Button] = []
    for tid, name, status in experts:
        mark = "☑️ " if tid in chosen else "▫️ "
        status_text = tr(f"sco-status-{status}") if status else ""
        items.append(
            (
                button_label(f"{mark}{name} {status_text}".strip()),
                GroupToggleCb(scheme_id=scheme_id, expert_id=tid),
            )
        )
    tail: list[Button] = [
        (tr("sco-btn-create-group", count=len(chosen)), _chief(scheme_id, ChiefAction.GROUP_OK)),
        (tr("sco-btn-cancel"), _chief(scheme_id)),
    ]
    return Screen(tr("sco-group-pick", count=len(chosen)), choices(items, tail=tail))


@router.callback_query(_on(ChiefAction.NEW_GROUP))
async def new_group(
    query: CallbackQuery, callback_data: ChiefCb, services: Services, state: FSMContext
) -> None:
    await services.schemes.check_scores_open(query.from_user.id, callback_data.scheme_id)
    await state.update_data(sg_chosen=[])
    screen = await _group_picker(services, query.from_user.id, callback_data.scheme_id, [])
    await reply(query, screen)


@router.callback_query(GroupToggleCb.filter())
async def toggle(
    query: CallbackQuery, callback_data: GroupToggleCb, services: Services, state: FSMContext
) -> None:
    chosen = list((await state.get_data()).get("sg_chosen", []))
    if callback_data.expert_id in chosen:
        chosen.remove(callback_data.expert_id)
    else:
        chosen.append(callback_data.expert_id)
    await state.update_data(sg_chosen=chosen)
    await show(
        query, await _group_picker(services, query.from_user.id, callback_data.scheme_id, chosen)
    )


@router.callback_query(_on(ChiefAction.GROUP_OK))
async def group_ok(
    query: CallbackQuery, callback_data: ChiefCb, services: Services, state: FSMContext
) -> None:
    chosen = list((await state.get_data()).get("sg_chosen", []))
    # the choice stays until «Новая группа»: a second tap is told the group already exists
    g = await services.scoring_setup.create_group(
        query.from_user.id, callback_data.scheme_id, chosen, leader=chosen[0] if chosen else None
    )
    kb = await chief_next(services, query.from_user.id, callback_data.scheme_id)
    await show(query, Screen(tr("sco-group-created", code=g.code, size=len(g.members)), kb))


@router.callback_query(_on(ChiefAction.ASSIGN))
async def assign(query: CallbackQuery, callback_data: ChiefCb, services: Services) -> None:
    v = await services.schemes.scheme_view(query.from_user.id, callback_data.scheme_id)
    items = (
        (
            button_label(f"{s.code} {s.title} → {s.group_code or '—'}"),
            AssignSubCb(scheme_id=v.id, subcriterion_id=s.id),
        )
        for s in v.subcriteria
    )
    key, data = back_setup(v.id)
    await reply(query, Screen(tr("sco-assign-pick-sub"), choices(items, tail=[(tr(key), data)])))


@router.callback_query(AssignSubCb.filter())
async def assign_sub(query: CallbackQuery, callback_data: AssignSubCb, services: Services) -> None:
    v = await services.schemes.scheme_view(query.from_user.id, callback_data.scheme_id)
    if not v.groups:
        kb = steps(setup_step(v), back_setup(v.id))
        await reply(query, Screen(tr("sco-assign-no-groups"), kb))
        return
    items = (
        (
            button_label(f"{g.code} {g.name}"),
            AssignGroupCb(
                scheme_id=v.id, subcriterion_id=callback_data.subcriterion_id, group_id=g.id
            ),
        )
        for g in v.groups
    )
    back = (tr("nxt-btn-back"), _chief(v.id, ChiefAction.ASSIGN))
    await reply(query, Screen(tr("sco-assign-pick-group"), choices(items, tail=[back])))


@router.callback_query(AssignGroupCb.filter())
async def assign_group(
    query: CallbackQuery, callback_data: AssignGroupCb, services: Services
) -> None:
    s = await services.scoring_setup.assign_subcriterion(
        query.from_user.id, callback_data.subcriterion_id, callback_data.group_id
    )
    kb = await chief_next(services, query.from_user.id, callback_data.scheme_id)
    text = tr("sco-assigned", sub=f"{s.code} {s.title}", group=s.group_code or "—")
    await show(query, Screen(text, kb))


# mentors (R-ROLE-3)


@router.callback_query(_on(ChiefAction.MENTORS))
async def mentors(query: CallbackQuery, callback_data: ChiefCb, services: Services) -> None:
    uid, sid = query.from_user.id, callback_data.scheme_id
    targets = await services.scoring_setup.targets(uid, sid)
    experts = {tid: name for tid, name, _ in await services.scoring_setup.experts(uid, sid)}
    if not targets:
        kb = steps(("nxt-btn-build", _chief(sid, ChiefAction.BUILD)), back_setup(sid))
        await reply(query, Screen(tr("sco-no-targets"), kb))
        return
    items: list[Button] = []
    for target_id, label, mentor, allowed in targets:
        who = experts.get(mentor, "—") if mentor else "—"
        if allowed:
            who += " " + tr("sco-mentor-allowed")
        items.append(
            (button_label(f"{label} · {who}"), MentorPickCb(scheme_id=sid, target_id=target_id))
        )
    key, data = back_setup(sid)
    await reply(query, Screen(tr("sco-mentors-title"), choices(items, tail=[(tr(key), data)])))


@router.callback_query(MentorPickCb.filter())
async def mentor_pick(
    query: CallbackQuery, callback_data: MentorPickCb, services: Services
) -> None:
    sid, tid = callback_data.scheme_id, callback_data.target_id
    experts = await services.scoring_setup.experts(query.from_user.id, sid)
    items = [
        (button_label(name), SetMentorCb(scheme_id=sid, target_id=tid, mentor_id=expert))
        for expert, name, status in experts
        if status == "mentor"
    ]
    tail: list[Button] = [
        (tr("sco-btn-no-mentor"), SetMentorCb(scheme_id=sid, target_id=tid)),
        (tr("sco-btn-ask-allowance"), AllowAskCb(scheme_id=sid, target_id=tid)),
        (tr("nxt-btn-back-mentors"), _chief(sid, ChiefAction.MENTORS)),
    ]
    await reply(query, Screen(tr("sco-mentor-pick"), choices(items, tail=tail)))


@router.callback_query(SetMentorCb.filter())
async def set_mentor(query: CallbackQuery, callback_data: SetMentorCb, services: Services) -> None:
    sid = callback_data.scheme_id
    await services.scoring_setup.set_mentor(
        query.from_user.id, callback_data.target_id, callback_data.mentor_id or None
    )
    back = ("nxt-btn-back-mentors", _chief(sid, ChiefAction.MENTORS))
    kb = await chief_next(services, query.from_user.id, sid, back)
    key = "sco-mentor-set" if callback_data.mentor_id else "sco-mentor-cleared"
    await show(query, Screen(tr(key), kb))


@router.callback_query(AllowAskCb.filter())
async def allowance_ask(
    query: CallbackQuery, callback_data: AllowAskCb, services: Services
) -> None:
    sid = callback_data.scheme_id
    asked = await services.scoring_setup.ask_mentor_allowance(
        query.from_user.id, callback_data.target_id
    )
    back = ("nxt-btn-back-mentors", _chief(sid, ChiefAction.MENTORS))
    kb = await chief_next(services, query.from_user.id, sid, back)
    await show(query, Screen(tr("sco-allow-asked", count=asked), kb))


# progress (coordinators and the chief): counts and names, never marks


@router.callback_query(ScoringProgressCb.filter())
async def progress(
    query: CallbackQuery, callback_data: ScoringProgressCb, services: Services
) -> None:
    p = await services.results.progress(query.from_user.id, callback_data.scheme_id)
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
    kb = await _progress_steps(services, query.from_user.id, p)
    await reply(query, Screen("\n".join(lines), kb))


async def _progress_steps(services: Services, uid: int, p: ScoringProgress) -> InlineKeyboardMarkup:
    """The chief: «Дальше: заблокировать оценки» once everything is scored and confirmed
    (R-SCO-5; the service checks again), «🔄 Обновить» while not, «⬅️ К настройке»;
    a coordinator: «⬅️ К оцениванию»."""
    sid = p.scheme_id
    refresh: Step = ("nxt-btn-refresh", ScoringProgressCb(scheme_id=sid))
    brief = next((s for s in await services.schemes.schemes_for(uid) if s.id == sid), None)
    if brief is None or "chief" not in brief.roles:
        return steps(refresh, back_menu(sid))
    if p.scores_locked:
        return await chief_next(services, uid, sid)
    done = (
        bool(p.groups)
        and all(g.scored == g.total for g in p.groups)
        and not p.flagged
        and not p.unconfirmed
    )
    step = ("nxt-btn-lockscores", _chief(sid, ChiefAction.LOCK_SCORES)) if done else refresh
    return steps(step, back_setup(sid))
