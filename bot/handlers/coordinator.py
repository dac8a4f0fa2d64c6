"""Coordinator: the verification queue, accept / reject with a reason (R-VER-3), reopening a
submitted application (R-APP-6). The services check the role on every call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import ContestCb, ContestThen
from bot.handlers.guardians import card_part as guardian_card_part
from bot.handlers.guardians import queue_part as guardian_queue_part
from bot.journey.contest import contest_picker
from bot.prompts import ReasonPrompt
from bot.screens import (
    Button,
    Screen,
    button_label,
    choices,
    confirm,
    keyboard,
    message_of,
    pager,
    show,
)
from bot.states import Coord
from bot.texts import format_dt, status_text, tr
from bot.verification_callbacks import (
    AppsCb,
    CardCb,
    DecideAction,
    DecideCb,
    QueueCb,
    ReopenCb,
    SnilsCb,
)
from models.clock import Clock
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.coordination import submission_rev
from models.views import VerificationCard

router = Router(name=__name__)

REASONS = ("reason-1", "reason-2", "reason-3")
#: «Другая причина…»: typed, shown back, applied from the live draft only (R-VER-3, issue #12)
REASON = ReasonPrompt(
    Coord.reason, "coord-ask-reason", rev_key="reason_rev", draft_key="reason_draft"
)


async def coordinated_contest(
    message: Message, services: Services, then: ContestThen
) -> int | None:
    roles = await services.coordination.staff_roles(message.from_user.id)
    if not roles.is_coordinator:
        raise Forbidden("not_coordinator")
    ids = sorted(roles.coordinator_contests)
    if len(ids) == 1:
        return ids[0]
    contests = [c for c in await services.contests.contests() if c.id in roles.coordinator_contests]
    await message.answer(tr("coord-choose-contest"), reply_markup=contest_picker(contests, then))
    return None


def _waiting(card: VerificationCard, now: datetime) -> str:
    days = (now - card.submitted_at).days if card.submitted_at else 0
    return tr("coord-waiting-days", days=days)


def _card_list(
    cards: list[VerificationCard],
    label: Callable[[VerificationCard], str],
    page: int,
    pages: int,
    page_cb: Callable[[int], CallbackData],
    tail: Sequence[Button | None] = (),
) -> InlineKeyboardMarkup | None:
    """A button per participant card, then ‹ › paging buttons when there is more than a page."""
    return choices(
        (
            (button_label(label(c), width=60), CardCb(participant_id=c.participant_id))
            for c in cards
        ),
        tail=[pager(page, pages, page_cb), *tail],
    )


async def _queue_screen(
    services: Services, clock: Clock, user_id: int, contest_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    cards, total, pages = await services.coordination.queue(user_id, contest_id, page)
    # R-ROLE-5: what minors lack
    minors, minors_button = await guardian_queue_part(services, user_id, contest_id)
    if total == 0:
        text = "\n".join([tr("coord-queue-empty"), *minors])
        return text, keyboard(minors_button)
    contest = await services.contests.contest(contest_id)
    now = clock.now()
    lines = [tr("coord-queue-title", contest=contest.title, total=total)]
    lines += [
        "• "
        + tr(
            "coord-queue-item",
            name=c.full_name,
            organisation=c.organisation,
            waiting=_waiting(c, now),
        )
        for c in cards
    ]
    kb = _card_list(
        cards,
        lambda c: c.full_name,
        page,
        pages,
        lambda n: QueueCb(contest_id=contest_id, page=n),
        tail=[minors_button],
    )
    return "\n".join(lines + minors), kb


@router.message(Command("queue"))
async def queue(message: Message, services: Services, clock: Clock) -> None:
    contest_id = await coordinated_contest(message, services, ContestThen.QUEUE)
    if contest_id is not None:
        text, kb = await _queue_screen(services, clock, message.from_user.id, contest_id, 0)
        await message.answer(text, reply_markup=kb)


@router.callback_query(QueueCb.filter())
async def queue_page(
    query: CallbackQuery, callback_data: QueueCb, services: Services, clock: Clock
) -> None:
    text, kb = await _queue_screen(
        services, clock, query.from_user.id, callback_data.contest_id, callback_data.page
    )
    await show(query, Screen(text, kb))


def _card_text(card: VerificationCard, tz: str = "Europe/Moscow") -> str:
    text = tr(
        "coord-card",
        name=card.full_name,
        snils=card.snils_masked,
        region=card.region,
        organisation=card.organisation,
        status=status_text(card.status),
        submitted=format_dt(card.submitted_at, tz),
    )
    if card.application_status:
        state = (
            tr("app-status-submitted", at="")
            if card.application_status == "submitted"
            else tr("app-status-draft")
        )
        text += "\n" + tr(
            "coord-card-application", state=state.strip(), nomination=card.nomination_title or "—"
        )
    return text


def _way_back(card: VerificationCard) -> InlineKeyboardMarkup | None:
    """A decision's result: the card again (СНИЛС, the consent, «Вернуть на доработку») and
    back to the queue — never a dead end, also for the winner of a double press (issue #15)."""
    return keyboard(
        (tr("btn-open-card"), CardCb(participant_id=card.participant_id)),
        (tr("btn-to-queue"), QueueCb(contest_id=card.contest_id)) if card.contest_id else None,
    )


@router.callback_query(CardCb.filter())
async def card(
    query: CallbackQuery, callback_data: CardCb, services: Services, state: FSMContext
) -> None:
    # A withdrawn participant's card is refused at once (issue #12, R-PD-1).
    c = await services.coordination.check(query.from_user.id, callback_data.participant_id, "open")
    await REASON.leave(state)
    pid, rev = c.participant_id, submission_rev(c)
    items: list[Button] = []
    if c.status == "pending":
        items.append(
            (tr("btn-accept"), DecideCb(participant_id=pid, action=DecideAction.ACCEPT, rev=rev))
        )
        items.append(
            (tr("btn-reject"), DecideCb(participant_id=pid, action=DecideAction.REJECT, rev=rev))
        )
    if c.application_status == "submitted" and c.status != "withdrawn":
        items.append((tr("btn-reopen"), ReopenCb(participant_id=pid)))
    if await services.coordination.may_show_snils(query.from_user.id, pid):
        items.append((tr("btn-show-snils"), SnilsCb(participant_id=pid)))
    # R-ROLE-5
    guardian_lines, guardian_items = await guardian_card_part(services, query.from_user.id, pid)
    items += guardian_items
    to_queue = (tr("btn-to-queue"), QueueCb(contest_id=c.contest_id)) if c.contest_id else None
    markup = choices(items, per_row=2, tail=[to_queue])
    await query.message.answer("\n".join([_card_text(c), *guardian_lines]), reply_markup=markup)


@router.callback_query(SnilsCb.filter())
async def show_snils(query: CallbackQuery, callback_data: SnilsCb, services: Services) -> None:
    """R-PD-2 (issue #15): the full СНИЛС once, in its own message that cannot be forwarded;
    the service checks the region and writes the audit row. Nothing here logs it."""
    shown = await services.coordination.show_snils(query.from_user.id, callback_data.participant_id)
    kb = keyboard((tr("btn-back"), CardCb(participant_id=callback_data.participant_id)))
    if shown.snils is None:
        await query.message.answer(
            tr("coord-snils-again", at=format_dt(shown.at, shown.timezone)), reply_markup=kb
        )
        return
    text = tr(
        "coord-snils-shown",
        name=shown.name,
        snils=shown.snils,
        at=format_dt(shown.at, shown.timezone),
    )
    await query.message.answer(text, reply_markup=kb, protect_content=True)


@router.callback_query(DecideCb.filter())
async def decide(
    query: CallbackQuery, callback_data: DecideCb, services: Services, state: FSMContext
) -> None:
    """R-VER-3. Every decision is one atomic service call; the loser of a race (a double
    press, a second coordinator, «Принять» with «Отказать») is told what already happened."""
    uid, pid = query.from_user.id, callback_data.participant_id
    action, rev = callback_data.action, callback_data.rev or None
    if action == DecideAction.ACCEPT:
        c = await services.coordination.decide(uid, pid, accept=True, expected_rev=rev)
        await REASON.leave(state)
        await show(query, Screen(tr("coord-accepted", name=c.full_name), _way_back(c)))
    elif action == DecideAction.REJECT:
        await services.coordination.check(uid, pid, "decide", rev)  # refused at once when stale
        await REASON.leave(state)
        ready = [
            (
                button_label(tr(key), width=60),
                DecideCb(
                    participant_id=pid, action=DecideAction.REASON, reason=i, rev=callback_data.rev
                ),
            )
            for i, key in enumerate(REASONS)
        ]
        other = DecideCb(participant_id=pid, action=DecideAction.OTHER, rev=callback_data.rev)
        markup = choices(ready, tail=[(tr("btn-other-reason"), other)])
        await query.message.answer(tr("coord-choose-reason"), reply_markup=markup)
    elif action == DecideAction.REASON and 0 <= callback_data.reason < len(REASONS):
        reason = tr(REASONS[callback_data.reason])
        c = await services.coordination.decide(
            uid, pid, accept=False, reason=reason, expected_rev=rev
        )
        await REASON.leave(state)
        await show(
            query, Screen(tr("coord-rejected", name=c.full_name, reason=reason), _way_back(c))
        )
    elif action == DecideAction.OTHER:
        # «Другая причина…» (and «Изменить» of a typed reason): refused before asking when
        # the participant was decided meanwhile; the prompt is bound to this participant.
        await services.coordination.check(uid, pid, "decide", rev)
        await REASON.ask(
            message_of(query), state, pid, callback_data.rev, CardCb(participant_id=pid)
        )
    elif action == DecideAction.CONFIRM:
        # Only the live prompt's own draft: not after «Отмена», another card, a command.
        draft = await REASON.draft(state, pid)
        if draft is None:
            raise DomainError("reason_draft_stale")
        c = await services.coordination.decide(
            uid, pid, accept=False, reason=draft, expected_rev=rev
        )
        await REASON.done(state)
        await show(
            query, Screen(tr("coord-rejected", name=c.full_name, reason=draft), _way_back(c))
        )


@router.message(Coord.reason, F.text)
async def reason_text(message: Message, services: Services, state: FSMContext) -> None:
    """A typed reason is shown back with «Подтвердить / Изменить / Отмена»; nothing is decided
    until «Подтвердить» (issue #12)."""
    typed = await REASON.typed(message, state)
    if typed is None:
        return
    pid, rev, reason = typed
    c = await services.coordination.check(message.from_user.id, pid, "decide", rev or None)
    await REASON.keep(
        message,
        state,
        reason,
        tr("coord-reason-confirm", name=c.full_name, reason=reason),
        DecideCb(participant_id=pid, action=DecideAction.CONFIRM, rev=rev),
        DecideCb(participant_id=pid, action=DecideAction.OTHER, rev=rev),
    )


async def _apps_screen(
    services: Services, user_id: int, contest_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    cards, total, pages = await services.coordination.applications(user_id, contest_id, page)
    if total == 0:
        return tr("coord-apps-empty"), None
    contest = await services.contests.contest(contest_id)
    kb = _card_list(
        cards,
        lambda c: f"{c.full_name} — {c.nomination_title}",
        page,
        pages,
        lambda n: AppsCb(contest_id=contest_id, page=n),
    )
    return tr("coord-apps-title", contest=contest.title, total=total), kb


@router.message(Command("applications"))
async def applications(message: Message, services: Services) -> None:
    contest_id = await coordinated_contest(message, services, ContestThen.APPS)
    if contest_id is not None:
        text, kb = await _apps_screen(services, message.from_user.id, contest_id, 0)
        await message.answer(text, reply_markup=kb)


@router.callback_query(AppsCb.filter())
async def applications_page(
    query: CallbackQuery, callback_data: AppsCb, services: Services
) -> None:
    text, kb = await _apps_screen(
        services, query.from_user.id, callback_data.contest_id, callback_data.page
    )
    await show(query, Screen(text, kb))


@router.callback_query(ReopenCb.filter())
async def reopen(query: CallbackQuery, callback_data: ReopenCb, services: Services) -> None:
    uid, pid = query.from_user.id, callback_data.participant_id
    if not callback_data.confirm:
        # refused at once when withdrawn, not submitted or already returned (issue #12)
        c = await services.coordination.check(uid, pid, "reopen")
        kb = confirm(
            ReopenCb(participant_id=pid, confirm=True),
            CardCb(participant_id=pid),
            yes_label=tr("btn-reopen-yes"),
            no_label=tr("btn-cancel"),
        )
        await query.message.answer(tr("coord-reopen-confirm", name=c.full_name), reply_markup=kb)
        return
    c = await services.coordination.reopen(uid, pid)
    await show(query, Screen(tr("coord-reopened", name=c.full_name), _way_back(c)))


@router.callback_query(ContestCb.filter(F.then.in_({ContestThen.QUEUE, ContestThen.APPS})))
async def contest_for_staff(
    query: CallbackQuery, callback_data: ContestCb, services: Services, clock: Clock
) -> None:
    uid, cid = query.from_user.id, callback_data.contest_id
    if callback_data.then == ContestThen.QUEUE:
        text, kb = await _queue_screen(services, clock, uid, cid, 0)
    else:
        text, kb = await _apps_screen(services, uid, cid, 0)
    await query.message.answer(text, reply_markup=kb)
