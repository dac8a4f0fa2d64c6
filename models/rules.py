"""Pure domain rules: plain functions over plain types, no database, no Telegram.

Each rule cites its id in ``../shared/SPEC.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

# --------------------------------------------------------------------------- СНИЛС (R-VER-2)

_SNILS_SHAPE = re.compile(r"^\s*([0-9]{3})[ -]?([0-9]{3})[ -]?([0-9]{3})[ -]?([0-9]{2})\s*$")
#: Numbers up to 001-001-998 were issued before the checksum existed and are not checked.
_SNILS_UNCHECKED_MAX = 1001998


def snils_digits(value: str) -> str | None:
    """The 11 digits of a СНИЛС written as ``XXX-XXX-XXX YY``, ``XXXXXXXXXXX`` or with
    spaces between the groups; ``None`` for anything else."""
    if not isinstance(value, str):
        return None
    match = _SNILS_SHAPE.match(value)
    if match is None:
        return None
    return "".join(match.groups())


def snils_checksum(first_nine: str) -> int:
    """R-VER-2: sum of digit[i]·(9−i); < 100 → the sum; 100, 101 → 0; > 101 → sum mod 101
    (and a remainder of 100 → 0)."""
    total = sum(int(d) * (9 - i) for i, d in enumerate(first_nine))
    if total < 100:
        return total
    if total in (100, 101):
        return 0
    rest = total % 101
    return 0 if rest == 100 else rest


def snils_is_valid(value: str) -> bool:
    """R-VER-2: is ``value`` a well-formed СНИЛС with a correct checksum? Never raises."""
    try:
        digits = snils_digits(value)
        if digits is None:
            return False
        number = int(digits[:9])
        if number <= _SNILS_UNCHECKED_MAX:
            return number > 0
        return snils_checksum(digits[:9]) == int(digits[9:])
    except Exception:  # pragma: no cover - defensive: the contract is "never an exception"
        return False


def snils_format(digits: str) -> str:
    """``11223344595`` → ``112-233-445 95``."""
    return f"{digits[0:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:11]}"


def snils_mask(digits: str) -> str:
    """R-PD-2: what a screen may show of a СНИЛС: ``***-***-*** 95``."""
    return f"***-***-*** {digits[-2:]}"


# --------------------------------------------------------------------------- names

_NAME_PART = re.compile(r"^[А-ЯЁA-Z][а-яёa-z]+(?:-[А-ЯЁA-Z][а-яёa-z]+)*$")


def normalize_full_name(value: str) -> str | None:
    """ФИО (R-VER-1): two to four words of letters (hyphenated parts allowed), each
    capitalised on return; ``None`` when it does not look like a name."""
    words = value.split()
    if not 2 <= len(words) <= 4:
        return None
    fixed = ["-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")) for w in words]
    if not all(_NAME_PART.match(w) for w in fixed):
        return None
    return " ".join(fixed)


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
    if conditions.asks_experience:
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


# --------------------------------------------------------------------------- files (R-APP-4)


class FileKind(StrEnum):
    DOCUMENT = "document"
    VIDEO = "video"


@dataclass(frozen=True, slots=True)
class FileRequirement:
    """What a nomination asks for in one file slot (R-APP-4)."""

    code: str
    kind: FileKind
    types: tuple[str, ...]  # allowed extensions, lower case, without the dot
    max_size: int  # bytes, as declared by the nomination
    required: bool = True
    max_count: int = 1


@dataclass(frozen=True, slots=True)
class OfferedFile:
    file_name: str | None
    mime_type: str | None
    size: int | None
    is_video_message: bool = False
    #: the content's first bytes when the caller could read them (models.filetypes.HEAD_BYTES)
    head: bytes | None = None


_MIME_EXTENSIONS = {
    "application/pdf": "pdf",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/x-msvideo": "avi",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/zip": "zip",
}


def file_extension(offered: OfferedFile) -> str | None:
    """The type of an offered file: its name's extension, else one implied by its MIME type."""
    if offered.file_name:
        suffix = PurePosixPath(offered.file_name).suffix.lower().lstrip(".")
        if suffix:
            return "jpg" if suffix == "jpeg" else suffix
    if offered.mime_type:
        return _MIME_EXTENSIONS.get(offered.mime_type.lower())
    return None


@dataclass(frozen=True, slots=True)
class FileRefusal:
    code: str  # wrong_type | wrong_content | too_large | too_large_for_cloud | size_unknown
    limit: int | None = None
    #: wrong_content: the claimed extension and what the signature says it is (filetypes.Detected)
    claimed: str | None = None
    actual: str | None = None
    actual_name: str | None = None


def check_file(
    requirement: FileRequirement, offered: OfferedFile, download_limit: int
) -> FileRefusal | None:
    """R-APP-4: may this file fill this slot? ``download_limit`` is what the Bot API in use
    lets the bot download (20 MB on the cloud Bot API)."""
    ext = file_extension(offered)
    if ext is None or ext not in requirement.types:
        return FileRefusal("wrong_type")
    if offered.head is not None:  # the name is a claim, the signature is evidence (issue #15)
        from models.filetypes import content_matches

        found = content_matches(ext, offered.head)
        if found is not None:
            return FileRefusal(
                "wrong_content", claimed=ext, actual=found.kind, actual_name=found.name
            )
    if offered.size is None:
        return FileRefusal("size_unknown")
    if offered.size > requirement.max_size:
        return FileRefusal("too_large", requirement.max_size)
    if offered.size > download_limit:
        return FileRefusal("too_large_for_cloud", download_limit)
    return None


def effective_size_limit(requirement: FileRequirement, download_limit: int) -> int:
    return min(requirement.max_size, download_limit)


# --------------------------------------------------------------------------- application completeness


@dataclass(frozen=True, slots=True)
class FieldRequirement:
    code: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class Missing:
    """What still keeps an application from being submitted (R-APP-4, R-APP-5)."""

    fields: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    consent_privacy: bool = False
    consent_transfer: bool = False

    @property
    def nothing(self) -> bool:
        return not (self.fields or self.files or self.consent_privacy or self.consent_transfer)


def missing_for_submission(
    fields: list[FieldRequirement],
    field_values: dict[str, str],
    files: list[FileRequirement],
    file_counts: dict[str, int],
    consent_privacy: bool,
    consent_transfer: bool,
) -> Missing:
    """R-APP-4/5: the required fields, files and consents that are not there yet."""
    return Missing(
        fields=tuple(f.code for f in fields if f.required and not field_values.get(f.code)),
        files=tuple(f.code for f in files if f.required and file_counts.get(f.code, 0) == 0),
        consent_privacy=not consent_privacy,
        consent_transfer=not consent_transfer,
    )


def size_mb(size: int) -> str:
    """Bytes as megabytes for a person: ``20 МБ``, ``1,5 МБ``."""
    mb = max(size / (1024 * 1024), 0.1) if size > 0 else 0.0
    text = f"{mb:.0f}" if mb >= 10 or mb == int(mb) else f"{mb:.1f}"
    return text.replace(".", ",")


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


# --------------------------------------------------------------------------- scoring (R-SCH, R-SCO, R-RES)

#: R-SCH-1: the shape of a marking scheme.
SCHEME_MIN_CRITERIA, SCHEME_MAX_CRITERIA = 3, 9
SCHEME_MIN_ASPECTS, SCHEME_MAX_ASPECTS = 50, 200
ASPECT_MAX_POINTS = Decimal(2)
SCHEME_TOTAL_POINTS = Decimal(100)
#: R-SCH-4: an assessment group has exactly four experts.
GROUP_SIZE = 4
#: Points are shown and summed with two decimals (our decision), rounded half up.
POINTS_QUANTUM = Decimal("0.01")


class AspectKind(StrEnum):
    """R-SCH-2."""

    JUDGEMENT = "judgement"  # судейская
    BINARY = "binary"  # измеримая, да/нет
    DISCRETE = "discrete"  # измеримая, по таблице


def _mark(value: object, low: int, high: int) -> int:
    # bool is an int in Python; a mark of True is a caller's mistake, not a 1
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"mark {value!r} is outside {low}..{high}")
    return value


def judgement_marks(marks: Sequence[int]) -> list[int]:
    """R-SCO-1: each judgement mark is an integer 0–3; anything else raises ``ValueError``."""
    return [_mark(m, 0, 3) for m in marks]


def judgement_needs_rescore(marks: Sequence[int]) -> bool:
    """R-SCO-1: the aspect must be re-scored when the marks differ by more than one."""
    checked = judgement_marks(marks)
    return bool(checked) and max(checked) - min(checked) > 1


def quantize_points(value: Decimal) -> Decimal:
    return value.quantize(POINTS_QUANTUM, rounding=ROUND_HALF_UP)


def judgement_points(marks: Sequence[int], max_points: Decimal) -> Decimal:
    """R-SCO-1, our decision: max points × mean(marks) / 3, to two decimals (half up)."""
    checked = judgement_marks(marks)
    if not checked:
        raise ValueError("no marks")
    max_points = Decimal(max_points)
    if max_points < 0:
        raise ValueError("negative max points")
    return quantize_points(max_points * Decimal(sum(checked)) / Decimal(3 * len(checked)))


def _vote(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(f"vote {value!r} is not yes or no")


def binary_points(votes: Sequence[bool], max_points: Decimal) -> Decimal | None:
    """R-SCO-2: the group's simple majority gives max points or zero; a tie is not a result
    (our decision: ``None``, the group leader re-runs the vote)."""
    checked = [_vote(v) for v in votes]
    if not checked:
        raise ValueError("no votes")
    yes = sum(checked)
    no = len(checked) - yes
    if yes == no:
        return None
    return quantize_points(Decimal(max_points)) if yes > no else Decimal("0.00")


def discrete_points(option: int, table: Sequence[Decimal]) -> Decimal:
    """R-SCO-3: points from the scheme's declared table, by option index."""
    _mark(option, 0, len(table) - 1)
    return quantize_points(Decimal(table[option]))


def discrete_group_points(options: Sequence[int], table: Sequence[Decimal]) -> Decimal | None:
    """R-SCO-3 with a group of four (our decision): the option chosen by a majority of the
    group; without a majority the group agrees again (``None``), as for a binary tie."""
    checked = [_mark(o, 0, len(table) - 1) for o in options]
    if not checked:
        raise ValueError("no marks")
    counts: dict[int, int] = {}
    for o in checked:
        counts[o] = counts.get(o, 0) + 1
    best, votes = max(counts.items(), key=lambda kv: kv[1])
    if votes * 2 <= len(checked):
        return None
    return discrete_points(best, table)


def competition_places(totals: Mapping[str, Decimal]) -> dict[str, int]:
    """R-RES-1, our decision: standard competition ranking (1, 1, 3): a place is one more
    than the number of strictly better totals. One sort, so n log n."""
    ordered = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    places: dict[str, int] = {}
    place, previous = 0, None
    for i, (key, total) in enumerate(ordered):
        if previous is None or total != previous:
            place, previous = i + 1, total
        places[key] = place
    return places


_MEDALS = {1: "gold", 2: "silver", 3: "bronze"}


def award_medals(totals: Mapping[str, Decimal]) -> dict[str, str | None]:
    """R-RES-1: gold, silver and bronze for places 1–3; equal totals share a medal, and the
    places they fill are skipped (two golds mean no silver)."""
    return medals_for(competition_places(totals))


def medals_for(places: Mapping[str, int]) -> dict[str, str | None]:
    """The medal of each place (R-RES-1): places 1, 2, 3 — gold, silver, bronze."""
    return {key: _MEDALS.get(place) for key, place in places.items()}


# --------------------------------------------------------------------------- disputes (R-APL)

#: R-APL-3: an appeal is filed by 21:00 on the day of the dispute …
APPEAL_SAME_DAY_UNTIL = time(21, 0)
#: … or, for a dispute after 21:00, by 12:00 the next day
APPEAL_NEXT_DAY_UNTIL = time(12, 0)
#: R-APL-7: appeals registered before 18:00 are decided that day
APPEAL_DECIDE_SAME_DAY_BEFORE = time(18, 0)
#: R-APL-1: the quorum of a pre-appeal vote, in percent of the accredited experts
PRE_APPEAL_QUORUM_PERCENT = 80
#: R-APL-6
COMMISSION_SIZE = 5
#: R-APL-8: the extract of a decision reaches the applicant and the chief expert within
EXTRACT_WITHIN = timedelta(hours=1)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("an aware datetime is required (the event's time zone)")
    return value


def appeal_filing_deadline(dispute_at: datetime) -> datetime:
    """R-APL-3, in ``dispute_at``'s own time zone: 21:00 that day; for a dispute after
    21:00 (its time confirmed by the chief expert), 12:00 the next day. A dispute at
    exactly 21:00 is not "after 21:00". Wall-clock times, so a DST change is honoured."""
    _aware(dispute_at)
    tz = dispute_at.tzinfo
    day = dispute_at.date()
    if dispute_at.timetz().replace(tzinfo=None) > APPEAL_SAME_DAY_UNTIL:
        return _wall(day + timedelta(days=1), APPEAL_NEXT_DAY_UNTIL, tz)
    return _wall(day, APPEAL_SAME_DAY_UNTIL, tz)


def _wall(day: date, at: time, tz: object) -> datetime:
    """A wall-clock time of a day in a zone (``fold`` 0 for a repeated hour)."""
    return datetime.combine(day, at).replace(tzinfo=tz)  # type: ignore[arg-type]


def appeal_needs_time_confirmation(dispute_at: datetime) -> bool:
    """R-APL-3: a dispute after 21:00 gets the next-day deadline only with its time
    confirmed by the chief expert."""
    _aware(dispute_at)
    return dispute_at.timetz().replace(tzinfo=None) > APPEAL_SAME_DAY_UNTIL


def appeal_decision_day(registered_at: datetime) -> date:
    """R-APL-7: an appeal registered before 18:00 (in its own time zone) is decided that
    day; one registered at 18:00 or later may be decided the next day."""
    _aware(registered_at)
    day = registered_at.date()
    if registered_at.timetz().replace(tzinfo=None) < APPEAL_DECIDE_SAME_DAY_BEFORE:
        return day
    return day + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Quorum:
    """Where a vote stands against its quorum (R-APL-1): ``needed`` votes make a quorum
    (at least 80 % of ``accredited``, rounded up), ``cast`` were given; ``missing`` more
    are still needed (0 once ``reached``)."""

    accredited: int
    cast: int
    needed: int

    @property
    def reached(self) -> bool:
        return self.cast >= self.needed

    @property
    def missing(self) -> int:
        return max(self.needed - self.cast, 0)


def pre_appeal_quorum(accredited: int, cast: int) -> Quorum:
    """R-APL-1: the quorum of a pre-appeal vote — at least 80 % of the experts accredited at
    the site (8 accredited → 7 votes, 7 → 6, 5 → 4). The one place this is computed: the
    service closes the vote by it and the chat card shows it (issue #15)."""
    for value in (accredited, cast):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("counts are non-negative integers")
    if accredited == 0:
        raise ValueError("no accredited experts")
    if cast > accredited:
        raise ValueError("more votes than accredited experts")
    needed = -(
        -accredited * PRE_APPEAL_QUORUM_PERCENT // 100
    )  # the smallest n with n·100 ≥ 80·accredited
    return Quorum(accredited, cast, needed)


def pre_appeal_outcome(accredited: int, votes_for: int, votes_against: int) -> str:
    """R-APL-1: quorum when at least 80 % of the experts accredited at the site voted; the
    proposal passes with more than half of the votes cast (50 % + 1)."""
    for value in (accredited, votes_for, votes_against):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("counts are non-negative integers")
    cast = votes_for + votes_against
    if not pre_appeal_quorum(accredited, cast).reached:
        return "no_quorum"
    return "accepted" if votes_for * 2 > cast else "rejected"


#: R-SCH-3: the chief expert locks the scheme at least this long before the stage starts
SCHEME_LOCK_LEAD = timedelta(days=2)


def scheme_lock_late(stage_starts_at: datetime | None, now: datetime) -> bool:
    """R-SCH-3: locking the scheme now is late — less than 2 days before the stage starts.
    A late lock is still made and recorded; the chief expert is warned first. A stage with
    no start date is never late."""
    return stage_starts_at is not None and stage_starts_at - now < SCHEME_LOCK_LEAD
