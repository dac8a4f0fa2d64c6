"""Where a participant is on their way, and when to remind them (R-REM-*).

Pure rules: plain functions over plain types, no database, no Telegram. Each rule cites
its id in ``../shared/SPEC.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from models.rules.entry import ApplicationStatus, VerificationStatus
from models.rules.files import Missing

# --------------------------------------------------------------------------- journey and reminders (R-REM-*)


class JourneyStage(StrEnum):
    """Where a participant is; kept on the row so reminders find the unfinished ones."""

    FORM = "form"  # verification form not sent (or rejected: to fix and resend)
    REVIEW = "review"  # «На рассмотрении»
    NOMINATION = "nomination"  # accepted, no nomination chosen yet
    APPLICATION = "application"  # application being filled
    DONE = "done"  # application submitted
    WITHDRAWN = "withdrawn"


#: stages in which the participant still has something to do before the deadline (R-REM-1)
UNFINISHED_STAGES = (JourneyStage.FORM, JourneyStage.NOMINATION, JourneyStage.APPLICATION)


def journey_stage(verification: str, application: str | None) -> JourneyStage:
    if verification == VerificationStatus.WITHDRAWN:
        return JourneyStage.WITHDRAWN
    if verification == VerificationStatus.PENDING:
        return JourneyStage.REVIEW
    if verification != VerificationStatus.ACCEPTED:
        return JourneyStage.FORM
    if application is None:
        return JourneyStage.NOMINATION
    return (
        JourneyStage.DONE
        if application == ApplicationStatus.SUBMITTED
        else JourneyStage.APPLICATION
    )


#: R-REM-1, our decision: 7 days, 1 day and 3 hours before the application deadline
DEADLINE_REMINDER_OFFSETS: tuple[timedelta, ...] = (
    timedelta(days=7),
    timedelta(days=1),
    timedelta(hours=3),
)


def current_deadline_reminder(
    deadline: datetime, now: datetime, offsets: tuple[timedelta, ...] = DEADLINE_REMINDER_OFFSETS
) -> timedelta | None:
    """The deadline reminder due now: the latest offset whose moment has come, before the
    deadline; ``None`` before the first or once the deadline has passed (nothing is sent
    after it). An earlier offset missed (the system was down) is superseded, not sent late."""
    if now >= deadline:
        return None
    due = [off for off in offsets if deadline - off <= now]
    return min(due) if due else None


def superseded_offsets(
    deadline: datetime, now: datetime, offsets: tuple[timedelta, ...] = DEADLINE_REMINDER_OFFSETS
) -> list[timedelta]:
    current = current_deadline_reminder(deadline, now, offsets)
    return [off for off in offsets if current is not None and off > current]


@dataclass(frozen=True, slots=True)
class Gap:
    """One thing a participant still has to do: ``kind`` (form_field, form_resend,
    nomination, field, file, consent) and which one."""

    kind: str
    code: str = ""


def participant_gaps(
    stage: str,
    *,
    form: dict[str, bool] | None = None,
    rejected: bool = False,
    missing: Missing | None = None,
) -> list[Gap]:
    """R-REM-1: what is missing, in the order the participant would do it."""
    if stage == JourneyStage.FORM:
        absent = [name for name, present in (form or {}).items() if not present]
        gaps = [Gap("form_field", name) for name in absent]
        if not absent:
            gaps.append(Gap("form_resend" if rejected else "form_send"))
        return gaps
    if stage == JourneyStage.NOMINATION:
        return [Gap("nomination")]
    if stage == JourneyStage.APPLICATION and missing is not None:
        gaps = [Gap("field", c) for c in missing.fields] + [Gap("file", c) for c in missing.files]
        if missing.consent_privacy:
            gaps.append(Gap("consent", "privacy"))
        if missing.consent_transfer:
            gaps.append(Gap("consent", "transfer"))
        return gaps or [Gap("submit")]
    return []


#: R-VER-4 / R-REM-2: coordinators are reminded of requests pending this long; the contest's
#: federal coordinators get those pending the escalation time (our decision)
VERIFICATION_REMIND_AFTER = timedelta(days=3)
VERIFICATION_ESCALATE_AFTER = timedelta(days=5)


def daily_due(now: datetime, tz: ZoneInfo, hour: int = 9) -> datetime:
    """Today's digest moment (``hour``:00 local time) if it has come, else yesterday's."""
    local = now.astimezone(tz)
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if at > local:
        at -= timedelta(days=1)
    return at


def format_local(value: datetime, tz: str) -> str:
    """A moment as people of the contest read it: ``01.04.2027 23:59 (МСК)`` in the
    contest's time zone (deadlines are named in every refusal, R-APP-7)."""
    zone = "МСК" if tz == "Europe/Moscow" else tz
    return f"{value.astimezone(ZoneInfo(tz)):%d.%m.%Y %H:%M} ({zone})"
