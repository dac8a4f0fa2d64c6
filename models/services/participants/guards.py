"""The refusals of the participant's journey: form open (R-VER-3), deadline (R-APP-7),
championship registration (R-VER-6), accepted participant and open draft (R-APP-1, R-APP-6)."""

from __future__ import annotations

from datetime import datetime

from models import rules
from models.errors import DomainError
from models.rules import ApplicationStatus, VerificationStatus
from models.services.contests import (
    application_deadline,
    application_stage,
    contest_tz,
    stage_start_day,
)
from models.tables import Contest, Participant
from models.views import ContestBrief


def draft_guard(p: Participant, contest: Contest | ContestBrief, submitting: bool = False) -> None:
    accepted_guard(p)
    app = p.application
    if app is None:
        raise DomainError("no_application")
    if app.status != ApplicationStatus.DRAFT:
        if submitting:  # the loser of a double «Отправить» (issue #12)
            raise DomainError(
                "application_already_submitted", at=app.submitted_at or "—", tz=contest.timezone
            )
        raise DomainError("application_frozen")  # R-APP-6


def accepted_guard(p: Participant) -> None:
    if p.verification_status == VerificationStatus.WITHDRAWN:
        raise DomainError("participation_ended")
    if p.verification_status != VerificationStatus.ACCEPTED:
        raise DomainError("not_verified")


def form_guard(p: Participant) -> None:
    status = VerificationStatus(p.verification_status)
    if status == VerificationStatus.WITHDRAWN:
        raise DomainError("participation_ended")
    if status == VerificationStatus.PENDING:
        raise DomainError("verification_pending")
    if status == VerificationStatus.ACCEPTED:
        raise DomainError("verification_accepted")


def deadline_guard(contest: Contest, now: datetime) -> None:
    """R-APP-7: after the deadline the action is refused with the deadline named."""
    deadline = application_deadline(contest)
    if rules.deadline_passed(deadline, now):
        raise DomainError("deadline_passed", deadline=deadline, tz=contest.timezone)


def registration_guard(contest: Contest, now: datetime, p: Participant | None = None) -> None:
    """R-VER-6 (002 §4.7: «должны быть зарегистрированы … не позднее чем за 5 календарных
    дней до Чемпионата»). Our reading of "registered": the verification form sent — the
    moment the participant's data reach the coordinator for verification. So a new
    participant, the form of one who has never sent it, and its first sending are refused
    after the last day; a form sent in time and returned by the coordinator
    (``submitted_at`` kept) is the same registration and may be corrected and sent again."""
    if contest.kind != rules.CHAMPIONSHIP or (p is not None and p.submitted_at is not None):
        return
    stage = application_stage(contest)
    event_day = stage_start_day(contest)
    if stage is None or event_day is None:
        return
    today = now.astimezone(contest_tz(contest)).date()
    if not rules.championship_registration_open(event_day, today):
        raise DomainError(
            "championship_registration_closed",
            last_day=f"{rules.championship_registration_last_day(event_day):%d.%m.%Y}",
            start=f"{event_day:%d.%m.%Y}",
            stage=stage.title,
            days=rules.CHAMPIONSHIP_REGISTRATION_DAYS,
        )
