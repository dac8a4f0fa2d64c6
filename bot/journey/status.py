"""The participant's /status card (R-VER-5) and "what comes next" after an answer."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot
from aiogram.fsm.context import FSMContext

from bot.journey.application import application_menu, guardian_status_line, nominations_screen
from bot.journey.form import (
    consent_keyboard,
    consent_text,
    registration_closed,
    show_form_step,
    show_registration_closed,
)
from bot.screens import Screen, send_to
from bot.texts import format_dt, status_text, tr
from models.errors import DomainError
from models.rules import ApplicationStatus, VerificationStatus
from models.services import Services
from models.services.access import Viewer
from models.views import ParticipantView

#: FSM data key: why the last nomination choice was refused (R-ROLE-4, R-APP-3) —
#: ``{"contest_id", "text"}`` — so /status can say it (QA 3 of issue #15); nothing is stored
#: in the database for a refusal.
ENTRY_REFUSED_KEY = "entry_refused"


async def show_next(
    bot: Bot,
    chat_id: int,
    services: Services,
    state: FSMContext,
    user_id: int,
    contest_id: int,
    view: ParticipantView | None = None,
    *,
    not_participant: bool = False,
) -> None:
    """Show the participant the first thing still to do (resuming where they stopped:
    every answer is already saved in the database). ``view``: the participant as the service
    call that just saved an answer returned it (read after its write, in its transaction),
    so it is not read again (issue #13). ``not_participant``: this update already read that the
    person takes no part in this contest (bot.viewer) — nothing to read."""
    if (view is None or view.contest.id != contest_id) and not not_participant:
        view = await services.participants.view(user_id, contest_id)
    elif view is not None and view.contest.id != contest_id:
        view = None
    if view is None or not view.pd_consent:
        contest = await services.contests.contest(contest_id)
        await state.set_state(None)
        # one message, not two: under Telegram's 30 messages/s a burst of /start is answered
        # twice as fast (issue #13)
        text = tr("welcome", contest=contest.title) + "\n\n" + consent_text(contest)
        await send_to(bot, chat_id, Screen(text, consent_keyboard(contest_id)))
        return
    status = VerificationStatus(view.status)
    if status in (VerificationStatus.DRAFT, VerificationStatus.REJECTED):
        closed = await registration_closed(services, user_id, view.contest, view)
        if closed is not None:  # R-VER-6: not asked what can no longer be sent (QA 1 of issue #15)
            await show_registration_closed(bot, chat_id, state, contest_id, closed)
            return
        await show_form_step(bot, chat_id, services, state, view)
        return
    await state.set_state(None)
    if status == VerificationStatus.ACCEPTED and view.application is None:
        await send_to(bot, chat_id, await nominations_screen(services, contest_id))
    elif (
        status == VerificationStatus.ACCEPTED
        and view.application is not None
        and view.application.status == ApplicationStatus.DRAFT
    ):
        await send_to(bot, chat_id, application_menu(view))
    else:
        await send_to(bot, chat_id, Screen(status_card(view)))


def greets_as_staff(who: Viewer) -> bool:
    """Staff who take part in nothing are greeted with their tools, not a participant's consent
    form (/start); a stray message of theirs is not pointed at that form either."""
    roles = who.staff_roles()
    # R-APL-2, R-RES-3
    team = any(r in who.menu_roles() for r in ("team_representative", "volunteer"))
    staff = (
        roles.is_coordinator or roles.is_admin or who.is_expert or who.is_commission_member or team
    )
    return staff and not who.participations


def status_card(
    view: ParticipantView, notes: Sequence[str] = (), closed: DomainError | None = None
) -> str:
    """The participant's /status. ``notes``: lines known to the conversation only (why a
    nomination was refused, QA 3 of issue #15); ``closed``: the championship's registration
    closed before the form was sent (R-VER-6) — said instead of the applications' deadline."""
    lines = [tr("status-card", contest=view.contest.title, status=status_text(view.status))]
    if view.status == VerificationStatus.REJECTED and view.rejection_reason:
        lines.append(tr("status-reason", reason=view.rejection_reason))
    if view.status != VerificationStatus.WITHDRAWN:
        lines.append(
            tr(
                "status-form",
                full_name=view.full_name or "—",
                snils=view.snils_masked or "—",
                region=view.region.title if view.region else "—",
                organisation=view.organisation.title if view.organisation else "—",
            )
        )
    if view.status == VerificationStatus.PENDING:
        lines.append(tr("status-pending-hint"))
    app = view.application
    if app is None:
        state = tr("app-status-none")
    elif app.status == ApplicationStatus.SUBMITTED:
        state = tr("app-status-submitted", at=format_dt(app.submitted_at, view.contest.timezone))
    else:
        state = tr("app-status-draft")
    lines.append(tr("status-application", state=state))
    if app is not None:
        lines.append(tr("status-nomination", nomination=app.nomination.title))
    if view.guardian is not None:  # R-ROLE-5
        lines.append(guardian_status_line(view.guardian))
    lines += notes
    if closed is not None:
        lines.append(
            tr("status-registration-closed", last_day=str(closed.args_.get("last_day", "—")))
        )
    elif view.contest.application_deadline:
        deadline = format_dt(view.contest.application_deadline, view.contest.timezone)
        lines.append(tr("status-deadline", deadline=deadline))
    return "\n".join(lines)


__all__ = ["ENTRY_REFUSED_KEY", "greets_as_staff", "show_next", "status_card"]
