"""Due times and "what is missing", without a database (R-REM-1, R-REM-2, R-VER-4)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models import rules
from models.rules import Gap, JourneyStage, Missing

MSK = ZoneInfo("Europe/Moscow")
DEADLINE = datetime(2027, 4, 1, 23, 59, 59, tzinfo=MSK)


def test_deadline_reminder_moments() -> None:
    at = lambda **kw: DEADLINE - timedelta(**kw)  # noqa: E731
    assert rules.current_deadline_reminder(DEADLINE, at(days=8)) is None
    assert rules.current_deadline_reminder(DEADLINE, at(days=7)) == timedelta(days=7)
    assert rules.current_deadline_reminder(DEADLINE, at(days=2)) == timedelta(days=7)
    assert rules.current_deadline_reminder(DEADLINE, at(hours=23)) == timedelta(days=1)
    assert rules.current_deadline_reminder(DEADLINE, at(hours=3)) == timedelta(hours=3)
    assert rules.current_deadline_reminder(DEADLINE, at(seconds=1)) == timedelta(hours=3)
    # nothing after the deadline
    assert rules.current_deadline_reminder(DEADLINE, DEADLINE) is None
    assert rules.current_deadline_reminder(DEADLINE, DEADLINE + timedelta(minutes=1)) is None


def test_a_missed_earlier_reminder_is_superseded_not_sent_late() -> None:
    now = DEADLINE - timedelta(hours=2)  # the system was down for a week
    assert rules.current_deadline_reminder(DEADLINE, now) == timedelta(hours=3)
    assert rules.superseded_offsets(DEADLINE, now) == [timedelta(days=7), timedelta(days=1)]


def test_journey_stage() -> None:
    assert rules.journey_stage("draft", None) == JourneyStage.FORM
    assert rules.journey_stage("rejected", None) == JourneyStage.FORM
    assert rules.journey_stage("pending", None) == JourneyStage.REVIEW
    assert rules.journey_stage("accepted", None) == JourneyStage.NOMINATION
    assert rules.journey_stage("accepted", "draft") == JourneyStage.APPLICATION
    assert rules.journey_stage("accepted", "submitted") == JourneyStage.DONE
    assert rules.journey_stage("withdrawn", "submitted") == JourneyStage.WITHDRAWN
    assert (
        JourneyStage.REVIEW not in rules.UNFINISHED_STAGES
        and JourneyStage.DONE not in rules.UNFINISHED_STAGES
    )


def test_gaps_name_what_is_missing_in_order() -> None:
    form = {"full_name": True, "snils": False, "region": True, "organisation": False}
    assert rules.participant_gaps("form", form=form) == [
        Gap("form_field", "snils"),
        Gap("form_field", "organisation"),
    ]
    full = dict.fromkeys(form, True)
    assert rules.participant_gaps("form", form=full) == [Gap("form_send")]
    assert rules.participant_gaps("form", form=full, rejected=True) == [Gap("form_resend")]
    assert rules.participant_gaps("nomination") == [Gap("nomination")]
    missing = Missing(
        fields=("position",),
        files=("video_presentation",),
        consent_privacy=False,
        consent_transfer=True,
    )
    assert rules.participant_gaps("application", missing=missing) == [
        Gap("field", "position"),
        Gap("file", "video_presentation"),
        Gap("consent", "transfer"),
    ]
    assert rules.participant_gaps("application", missing=Missing()) == [Gap("submit")]
    assert rules.participant_gaps("review") == [] and rules.participant_gaps("done") == []


def test_daily_digest_moment() -> None:
    before_nine = datetime(2027, 3, 10, 8, 30, tzinfo=MSK)
    after_nine = datetime(2027, 3, 10, 9, 0, tzinfo=MSK)
    assert rules.daily_due(before_nine, MSK) == datetime(2027, 3, 9, 9, 0, tzinfo=MSK)
    assert rules.daily_due(after_nine, MSK) == after_nine
