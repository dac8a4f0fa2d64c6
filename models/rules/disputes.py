"""Disputes and appeals (R-APL): filing deadlines, decision day, pre-appeal quorum.

Pure rules: plain functions over plain types, no database, no Telegram. Each rule cites
its id in ``../shared/SPEC.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

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
