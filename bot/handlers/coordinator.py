"""Coordinator: the verification queue, accept / reject with a reason (R-VER-3), reopening a
submitted application (R-APP-6). The services check the role on every call."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import flow
from bot.callbacks import AppsCb, CardCb, ContestCb, DecideCb, QueueCb, ReopenCb, SnilsCb
from bot.flow import Coord
from bot.handlers.guardians import card_part as guardian_card_part
from bot.handlers.guardians import queue_part as guardian_queue_part
from bot.prompts import ask, confirm_markup
from bot.texts import format_dt, status_text, tr
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.coordination import MAX_REASON, submission_rev
from models.views import VerificationCard

router = Router(name=__name__)

REASONS = ("reason-1", "reason-2", "reason-3")


async def _coordinated_contest(message: Message, services: Services, then: str) -> int | None:
    roles = await services.coordination.staff_roles(message.from_user.id)
    if not roles.is_coordinator:
        raise Forbidden("not_coordinator")
    ids = sorted(roles.coordinator_contests)
    if len(ids) == 1:
        return ids[0]
    contests = [c for c in await services.contests.contests() if c.id in roles.coordinator_contests]
    await message.answer(
        tr("coord-choose-contest"), reply_markup=flow.contest_picker(contests, then)
    )
    return None


def _waiting(card: VerificationCard, now) -> str:  # type: ignore[no-untyped-def]
    days = (now - card.submitted_at).days if card.submitted_at else 0
    return tr("coord-waiting-days", days=days)


def _card_list(
    cards: list[VerificationCard], label, page: int, pages: int, page_cb
) -> InlineKeyboardMarkup:  # type: ignore[no-untyped-def]
    """A button per participant card, then ‹ › paging buttons when there is more than a page."""
    kb = InlineKeyboardBuilder()
    for c in cards:
        kb.button(
            text=flow.button_label(label(c), width=60),
            callback_data=CardCb(participant_id=c.participant_id),
        )
    nav = 0
    if page > 0:
        kb.button(text=tr("btn-prev"), callback_data=page_cb(page - 1))
        nav += 1
    if page < pages - 1:
        kb.button(text=f"{tr('btn-next')} {page + 1}/{pages}", callback_data=page_cb(page + 1))
        nav += 1
    kb.adjust(*([1] * len(cards)), *([nav] if nav else []))
    return kb.as_markup()


async def _queue_screen(
    services: Services, user_id: int, contest_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    cards, total, pages = await services.coordination.queue(user_id, contest_id, page)
    minors, minors_button = await guardian_queue_part(
        services, user_id, contest_id
    )  # R-ROLE-5: what minors lack
    if total == 0:
        if minors_button is None:
            return tr("coord-queue-empty"), None
        return "\n".join([tr("coord-queue-empty"), *minors]), InlineKeyboardMarkup(
            inline_keyboard=[[minors_button]]
        )
    contest = await services.contests.contest(contest_id)
    now = services.ctx.clock.now()
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
        cards, lambda c: c.full_name, page, pages, lambda n: QueueCb(contest_id=contest_id, page=n)
    )
    if minors_button is not None:
        kb.inline_keyboard.append([minors_button])
    return "\n".join(lines + minors), kb


@router.message(Command("queue"))
async def queue(message: Message, services: Services) -> None:
    contest_id = await _coordinated_contest(message, services, "queue")
    if contest_id is not None:
        text, kb = await _queue_screen(services, message.from_user.id, contest_id, 0)
        await message.answer(text, reply_markup=kb)


@router.callback_query(QueueCb.filter())
async def queue_page(query: CallbackQuery, callback_data: QueueCb, services: Services) -> None:
    text, kb = await _queue_screen(
        services, query.from_user.id, callback_data.contest_id, callback_data.page
    )
    await query.answer()
    await query.message.edit_text(text, reply_markup=kb)


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


def _way_back(card: VerificationCard) -> InlineKeyboardMarkup:
    """A decision's result: the card again (СНИЛС, the consent, «Вернуть на доработку») and
    back to the queue — never a dead end, also for the winner of a double press (issue #15)."""
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("btn-open-card"), callback_data=CardCb(participant_id=card.participant_id))
    if card.contest_id:
        kb.button(text=tr("btn-to-queue"), callback_data=QueueCb(contest_id=card.contest_id))
    kb.adjust(1)
    return kb.as_markup()


@router.callback_query(CardCb.filter())
async def card(
    query: CallbackQuery, callback_data: CardCb, services: Services, state: FSMContext
) -> None:
    # A withdrawn participant's card is refused at once (issue #12, R-PD-1).
    c = await services.coordination.check(query.from_user.id, callback_data.participant_id, "open")
    await query.answer()
    await _leave_reason_prompt(state)
    kb = InlineKeyboardBuilder()
    rev = submission_rev(c)
    if c.status == "pending":
        kb.button(
            text=tr("btn-accept"),
            callback_data=DecideCb(participant_id=c.participant_id, action="accept", rev=rev),
        )
        kb.button(
            text=tr("btn-reject"),
            callback_data=DecideCb(participant_id=c.participant_id, action="reject", rev=rev),
        )
    if c.application_status == "submitted" and c.status != "withdrawn":
        kb.button(text=tr("btn-reopen"), callback_data=ReopenCb(participant_id=c.participant_id))
    if await services.coordination.may_show_snils(query.from_user.id, c.participant_id):
        kb.button(text=tr("btn-show-snils"), callback_data=SnilsCb(participant_id=c.participant_id))
    guardian_lines, guardian_buttons = await guardian_card_part(
        services, query.from_user.id, c.participant_id
    )  # R-ROLE-5
    for button in guardian_buttons:
        kb.add(button)
    kb.adjust(2)
    if c.contest_id:
        kb.row(
            InlineKeyboardButton(
                text=tr("btn-to-queue"), callback_data=QueueCb(contest_id=c.contest_id).pack()
            )
        )
    await query.message.answer(
        "\n".join([_card_text(c), *guardian_lines]), reply_markup=kb.as_markup()
    )


@router.callback_query(SnilsCb.filter())
async def show_snils(query: CallbackQuery, callback_data: SnilsCb, services: Services) -> None:
    """R-PD-2 (issue #15): the full СНИЛС once, in its own message that cannot be forwarded;
    the service checks the region and writes the audit row. Nothing here logs it."""
    shown = await services.coordination.show_snils(query.from_user.id, callback_data.participant_id)
    await query.answer()
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr("btn-back"), callback_data=CardCb(participant_id=callback_data.participant_id)
    )
    if shown.snils is None:
        await query.message.answer(
            tr("coord-snils-again", at=format_dt(shown.at, shown.timezone)),
            reply_markup=kb.as_markup(),
        )
        return
    text = tr(
        "coord-snils-shown",
        name=shown.name,
        snils=shown.snils,
        at=format_dt(shown.at, shown.timezone),
    )
    await query.message.answer(text, reply_markup=kb.as_markup(), protect_content=True)


async def _leave_reason_prompt(state: FSMContext) -> None:
    """Another card or decision: a reason prompt asked earlier no longer takes text, so a
    later «Спасибо, всё понятно» can never become somebody's rejection reason (issue #12)."""
    if await state.get_state() == Coord.reason.state:
        await state.set_state(None)


@router.callback_query(DecideCb.filter())
async def decide(
    query: CallbackQuery, callback_data: DecideCb, services: Services, state: FSMContext
) -> None:
    """R-VER-3. Every decision is one atomic service call; the loser of a race (a double
    press, a second coordinator, «Принять» with «Отказать») is told what already happened."""
    uid, pid = query.from_user.id, callback_data.participant_id
    action, rev = callback_data.action, callback_data.rev or None
    if action == "accept":
        c = await services.coordination.decide(uid, pid, accept=True, expected_rev=rev)
        await query.answer()
        await _leave_reason_prompt(state)
        await query.message.edit_text(
            tr("coord-accepted", name=c.full_name), reply_markup=_way_back(c)
        )
    elif action == "reject":
        await services.coordination.check(uid, pid, "decide", rev)  # refused at once when stale
        await query.answer()
        await _leave_reason_prompt(state)
        kb = InlineKeyboardBuilder()
        for i, key in enumerate(REASONS):
            kb.button(
                text=flow.button_label(tr(key), width=60),
                callback_data=DecideCb(
                    participant_id=pid, action="reason", reason=i, rev=callback_data.rev
                ),
            )
        kb.button(
            text=tr("btn-other-reason"),
            callback_data=DecideCb(participant_id=pid, action="other", rev=callback_data.rev),
        )
        kb.adjust(1)
        await query.message.answer(tr("coord-choose-reason"), reply_markup=kb.as_markup())
    elif action == "reason" and 0 <= callback_data.reason < len(REASONS):
        reason = tr(REASONS[callback_data.reason])
        c = await services.coordination.decide(
            uid, pid, accept=False, reason=reason, expected_rev=rev
        )
        await query.answer()
        await _leave_reason_prompt(state)
        await query.message.edit_text(
            tr("coord-rejected", name=c.full_name, reason=reason), reply_markup=_way_back(c)
        )
    elif action == "other":
        # «Другая причина…» (and «Изменить» of a typed reason): refused before asking when
        # the participant was decided meanwhile; the prompt is bound to this participant.
        await services.coordination.check(uid, pid, "decide", rev)
        await query.answer()
        await ask(
            query.message,
            state,
            Coord.reason,
            tr("coord-ask-reason"),
            back=CardCb(participant_id=pid),
            participant_id=pid,
            reason_rev=callback_data.rev,
            reason_draft=None,
        )
    elif action == "confirm":
        data = await state.get_data()
        draft = data.get("reason_draft")
        # Only the live prompt's own draft: not after «Отмена», another card, a command.
        live = await state.get_state() == Coord.reason.state
        if not live or not draft or data.get("participant_id") != pid:
            raise DomainError("reason_draft_stale")
        c = await services.coordination.decide(
            uid, pid, accept=False, reason=draft, expected_rev=rev
        )
        await query.answer()
        await state.set_state(None)
        await state.update_data(reason_draft=None)
        await query.message.edit_text(
            tr("coord-rejected", name=c.full_name, reason=draft), reply_markup=_way_back(c)
        )
    else:
        await query.answer()


@router.message(Coord.reason, F.text)
async def reason_text(message: Message, services: Services, state: FSMContext) -> None:
    """A typed reason is shown back with «Подтвердить / Изменить / Отмена»; nothing is decided
    until «Подтвердить» (issue #12)."""
    data = await state.get_data()
    pid, rev = data["participant_id"], data.get("reason_rev") or 0
    reason = message.text.strip()
    if not reason:
        await message.answer(tr("coord-reason-empty"))
        return
    if len(reason) > MAX_REASON:
        raise DomainError("reason_too_long", limit=MAX_REASON)
    c = await services.coordination.check(message.from_user.id, pid, "decide", rev or None)
    await state.update_data(reason_draft=reason)
    markup = confirm_markup(
        DecideCb(participant_id=pid, action="confirm", rev=rev),
        DecideCb(participant_id=pid, action="other", rev=rev),
    )
    await message.answer(
        tr("coord-reason-confirm", name=c.full_name, reason=reason), reply_markup=markup
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
    contest_id = await _coordinated_contest(message, services, "apps")
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
    await query.answer()
    await query.message.edit_text(text, reply_markup=kb)


@router.callback_query(ReopenCb.filter())
async def reopen(query: CallbackQuery, callback_data: ReopenCb, services: Services) -> None:
    uid, pid = query.from_user.id, callback_data.participant_id
    if not callback_data.confirm:
        # refused at once when withdrawn, not submitted or already returned (issue #12)
        c = await services.coordination.check(uid, pid, "reopen")
        await query.answer()
        kb = InlineKeyboardBuilder()
        kb.button(
            text=tr("btn-reopen-yes"), callback_data=ReopenCb(participant_id=pid, confirm=True)
        )
        kb.button(text=tr("btn-cancel"), callback_data=CardCb(participant_id=pid))
        kb.adjust(1)
        await query.message.answer(
            tr("coord-reopen-confirm", name=c.full_name), reply_markup=kb.as_markup()
        )
        return
    c = await services.coordination.reopen(uid, pid)
    await query.answer()
    await query.message.edit_text(tr("coord-reopened", name=c.full_name), reply_markup=_way_back(c))


@router.callback_query(ContestCb.filter(F.then.in_({"queue", "apps"})))
async def contest_for_staff(
    query: CallbackQuery, callback_data: ContestCb, services: Services
) -> None:
    screen = _queue_screen if callback_data.then == "queue" else _apps_screen
    text, kb = await screen(services, query.from_user.id, callback_data.contest_id, 0)
    await query.answer()
    await query.message.answer(text, reply_markup=kb)
