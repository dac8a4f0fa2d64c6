"""Entry: statuses, deadlines (R-APP-7), conditions (R-APP-3), the championship (R-VER-6, R-ROLE-4/5).

Pure rules: plain functions over plain types, no database, no Telegram. Each rule cites
its id in ``../shared/SPEC.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

# --------------------------------------------------------------------------- statuses


class VerificationStatus(StrEnum):
    """R-VER-3. ``draft`` is the form being filled, before it is sent."""

    DRAFT = "draft"
    PENDING = "pending"  # «На рассмотрении»
    ACCEPTED = "accepted"  # «Принято»
    REJECTED = "rejected"  # «Отказано»
    WITHDRAWN = "withdrawn"  # R-PD-1: consent withdrawn, participation ended


class ApplicationStatus(StrEnum):
    """R-APP-6: a draft is being filled; a submitted application is frozen."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


# --------------------------------------------------------------------------- deadlines (R-APP-7)


def deadline_passed(deadline: datetime | None, now: datetime) -> bool:
    """R-APP-7: an action is refused once its deadline has passed (the deadline minute itself
    still counts as in time)."""
    return deadline is not None and now > deadline


# --------------------------------------------------------------------------- conditions (R-APP-3)


def age_on(birth_date: date, on: date) -> int:
    """Full years of age on a day."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


@dataclass(frozen=True, slots=True)
class Conditions:
    """A nomination's extra conditions (R-APP-3)."""

    min_age: int | None = None
    max_age: int | None = None
    min_experience_years: int | None = None
    requires_practice: bool = False
    #: asked without an age limit of the nomination: a championship asks every participant
    #: (R-ROLE-4, see :func:`entry_conditions`)
    birth_date_required: bool = False

    @property
    def asks_birth_date(self) -> bool:
        return self.min_age is not None or self.max_age is not None or self.birth_date_required

    @property
    def asks_experience(self) -> bool:
        return self.min_experience_years is not None

    @property
    def is_empty(self) -> bool:
        return not (self.asks_birth_date or self.asks_experience or self.requires_practice)


@dataclass(frozen=True, slots=True)
class ConditionAnswers:
    birth_date: date | None = None
    experience_years: int | None = None
    has_practice: bool | None = None


@dataclass(frozen=True, slots=True)
class ConditionFailure:
    """Why a participant does not meet a condition: a catalogue key and its arguments."""

    code: str
    limit: int | None = None


def check_conditions(
    conditions: Conditions, answers: ConditionAnswers, today: date, age_day: date | None = None
) -> list[ConditionFailure]:
    """R-APP-3: every unmet condition of a nomination (empty when all are met). Ages are
    counted on ``age_day`` when given (a championship: the stage date, R-ROLE-4), else today."""
    failures: list[ConditionFailure] = []
    if conditions.asks_birth_date:
        if answers.birth_date is None:
            failures.append(ConditionFailure("birth_date_missing"))
        else:
            age = age_on(answers.birth_date, age_day or today)
            if conditions.min_age is not None and age < conditions.min_age:
                failures.append(ConditionFailure("too_young", conditions.min_age))
            if conditions.max_age is not None and age > conditions.max_age:
                failures.append(ConditionFailure("too_old", conditions.max_age))
    if conditions.min_experience_years is not None:  # asks_experience
        if answers.experience_years is None:
            failures.append(ConditionFailure("experience_missing"))
        elif answers.experience_years < conditions.min_experience_years:
            failures.append(
                ConditionFailure("experience_too_short", conditions.min_experience_years)
            )
    if conditions.requires_practice and not answers.has_practice:
        failures.append(ConditionFailure("practice_required"))
    return failures


def parse_birth_date(value: str, today: date) -> date | None:
    """``ДД.ММ.ГГГГ`` → a date no later than today and no earlier than 100 years ago."""
    match = re.fullmatch(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*", value)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        result = date(year, month, day)
    except ValueError:
        return None
    if result > today or today.year - result.year > 100:
        return None
    return result


def parse_experience_years(value: str) -> int | None:
    """Whole years of work experience, 0 to 70."""
    text = value.strip()
    if not text.isdigit():
        return None
    years = int(text)
    return years if 0 <= years <= 70 else None


#: The oldest birth date accepted is this many years back (issue #15: an absurd date is refused).
BIRTH_DATE_MAX_YEARS = 100
#: Work experience is counted in whole years, up to this many.
EXPERIENCE_MAX_YEARS = 70
#: The application field that holds the стаж. When the nomination's conditions ask for it too
#: (R-APP-3 ``min_experience_years``), it is asked once: the condition's answer fills the field,
#: and a correction of the field is checked against the condition again (issue #15).
EXPERIENCE_FIELD = "experience_years"


def birth_date_problem(value: str, today: date) -> str | None:
    """Why ``value`` is not an acceptable birth date, as a code: ``format`` (not ДД.ММ.ГГГГ),
    ``no_such_date`` (ДД.ММ.ГГГГ, but no such day in the calendar: «31.02.2011», QA of issue
    #15), ``future`` (after today), ``too_old`` (more than 100 years ago); ``None`` when
    :func:`parse_birth_date` accepts it."""
    match = re.fullmatch(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*", value or "")
    if not match:
        return "format"
    day, month, year = (int(g) for g in match.groups())
    try:
        result = date(year, month, day)
    except ValueError:
        return "no_such_date"
    return birth_date_out_of_range(result, today)


def birth_date_out_of_range(value: date, today: date) -> str | None:
    """``future`` or ``too_old`` for a birth date no person can have; ``None`` when plausible."""
    if value > today:
        return "future"
    if today.year - value.year > BIRTH_DATE_MAX_YEARS:
        return "too_old"
    return None


def experience_years_problem(value: str) -> str | None:
    """Why ``value`` is not a стаж in whole years: ``fraction`` («5,5», «5.5» — refused, the
    стаж counts full years only), ``range`` (over 70), ``format`` (not a number); ``None`` when
    :func:`parse_experience_years` accepts it."""
    text = (value or "").strip()
    if re.fullmatch(r"\d{1,3}[.,]\d+", text):
        return "fraction"
    if not text.isdigit():
        return "format"
    return None if int(text) <= EXPERIENCE_MAX_YEARS else "range"


# --------------------------------------------------------------------------- championship (R-VER-6, R-ROLE-4/5)

#: ``Contest.kind`` of a «Профессионалы» championship (002)
CHAMPIONSHIP = "championship"
#: R-VER-6 (002 §4.7): registered «не позднее чем за 5 календарных дней до Чемпионата»
CHAMPIONSHIP_REGISTRATION_DAYS = 5
#: R-ROLE-4 (002 §5.1): «в возрасте от 14 лет – на момент проведения этапа Чемпионата»
CHAMPIONSHIP_MIN_AGE = 14
#: R-ROLE-5 (002 §4.7, §5.3): under this age a parent's consent and an accompanying adult
ADULT_AGE = 18


def championship_registration_last_day(event_day: date) -> date:
    """R-VER-6: the last day a championship participant may register — 5 calendar days
    before the day the stage starts (an event on 15.06 → registration by 10.06 inclusive)."""
    return event_day - timedelta(days=CHAMPIONSHIP_REGISTRATION_DAYS)


def championship_registration_open(event_day: date, today: date) -> bool:
    """R-VER-6: may a participant register today (both days in the contest's time zone)?"""
    return today <= championship_registration_last_day(event_day)


def championship_old_enough(birth_date: date, stage_day: date) -> bool:
    """R-ROLE-4: a championship participant is at least 14 on the day the stage starts."""
    return age_on(birth_date, stage_day) >= CHAMPIONSHIP_MIN_AGE


def is_minor_on(birth_date: date, stage_date: date) -> bool:
    """R-ROLE-5: under 18 on the stage date — a parent's consent and an accompanying adult
    are needed."""
    return age_on(birth_date, stage_date) < ADULT_AGE


def entry_conditions(conditions: Conditions, contest_kind: str) -> Conditions:
    """The questions asked before a nomination opens: the nomination's own (R-APP-3) and, in a
    championship, the birth date of every participant (R-ROLE-4)."""
    if contest_kind != CHAMPIONSHIP or conditions.asks_birth_date:
        return conditions
    return replace(conditions, birth_date_required=True)
