"""Pure rules of disputes (R-APL-1, R-APL-3, R-APL-7): deadlines at their edges, in time
zones other than Moscow and across a DST change, and the pre-appeal vote."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from models import commission as cms
from models.errors import DomainError
from models.rules import (
    appeal_decision_day,
    appeal_filing_deadline,
    appeal_needs_time_confirmation,
    pre_appeal_outcome,
)

MSK = ZoneInfo("Europe/Moscow")
VLAD = ZoneInfo("Asia/Vladivostok")
BERLIN = ZoneInfo("Europe/Berlin")  # has DST: 2027-03-28 02:00 → 03:00, 2027-10-31 03:00 → 02:00


def at(day: int, hour: int, minute: int = 0, tz: ZoneInfo = MSK, month: int = 3) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=tz)


@pytest.mark.parametrize(
    ("dispute", "deadline"),
    [
        (at(10, 20, 59), at(10, 21, 0)),  # R-APL-3: by 21:00 that day
        (at(10, 21, 0), at(10, 21, 0)),  # exactly 21:00 is not "after 21:00"
        (at(10, 21, 1), at(11, 12, 0)),  # after 21:00: until 12:00 the next day
        (at(10, 23, 59), at(11, 12, 0)),
        (at(11, 0, 0), at(11, 21, 0)),  # midnight starts a new day
        (at(10, 8, 0, VLAD), at(10, 21, 0, VLAD)),  # in the event's own zone
        (at(10, 22, 15, VLAD), at(11, 12, 0, VLAD)),
    ],
)
def test_filing_deadline_edges(dispute: datetime, deadline: datetime) -> None:
    got = appeal_filing_deadline(dispute)
    assert got == deadline and got.utcoffset() == deadline.utcoffset()


def test_filing_deadline_is_in_the_disputes_own_zone_not_moscow() -> None:
    dispute = at(10, 20, 0, VLAD)  # 13:00 in Moscow
    assert appeal_filing_deadline(dispute).astimezone(UTC) == datetime(
        2027, 3, 10, 11, 0, tzinfo=UTC
    )  # 21:00 +10


def test_filing_deadline_across_a_dst_change() -> None:
    # the night Berlin moves its clocks forward: 12:00 next day is still 12:00 on the wall
    dispute = at(27, 21, 30, BERLIN)
    deadline = appeal_filing_deadline(dispute)
    assert (deadline.hour, deadline.minute, deadline.date()) == (12, 0, date(2027, 3, 28))
    assert deadline.utcoffset() == timedelta(hours=2)  # CEST
    assert deadline.astimezone(UTC) - dispute.astimezone(UTC) == timedelta(hours=13, minutes=30)
    # and back in October
    dispute = at(30, 22, 0, BERLIN, month=10)
    deadline = appeal_filing_deadline(dispute)
    assert deadline.utcoffset() == timedelta(hours=1)  # CET again
    assert deadline.astimezone(UTC) - dispute.astimezone(UTC) == timedelta(hours=15)


def test_time_confirmation_only_after_21() -> None:
    assert not appeal_needs_time_confirmation(at(10, 21, 0))
    assert appeal_needs_time_confirmation(at(10, 21, 1))


@pytest.mark.parametrize(
    ("registered", "day"),
    [
        (at(10, 17, 59), date(2027, 3, 10)),  # R-APL-7: before 18:00 — that day
        (at(10, 18, 0), date(2027, 3, 11)),  # 18:00 is no longer "before 18:00"
        (at(10, 23, 30), date(2027, 3, 11)),
        (at(10, 0, 0), date(2027, 3, 10)),
        (at(10, 17, 59, VLAD), date(2027, 3, 10)),
    ],
)
def test_decision_day(registered: datetime, day: date) -> None:
    assert appeal_decision_day(registered) == day


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        appeal_filing_deadline(datetime(2027, 3, 10, 20, 0))
    with pytest.raises(ValueError):
        appeal_decision_day(datetime(2027, 3, 10, 20, 0))


@pytest.mark.parametrize(
    ("accredited", "votes_for", "votes_against", "outcome"),
    [
        (10, 5, 3, "accepted"),  # 8 of 10 voted: quorum; 5 of 8 is more than half
        (10, 4, 4, "rejected"),  # a tie is not more than half
        (10, 5, 2, "no_quorum"),  # 7 of 10 < 80 %
        (5, 3, 1, "accepted"),  # 4 of 5 = 80 %: quorum exactly
        (5, 2, 2, "rejected"),
        (6, 2, 2, "no_quorum"),  # 4 of 6 = 66.7 %
        (4, 0, 4, "rejected"),
        (1, 1, 0, "accepted"),
    ],
)
def test_pre_appeal_outcome(
    accredited: int, votes_for: int, votes_against: int, outcome: str
) -> None:
    assert pre_appeal_outcome(accredited, votes_for, votes_against) == outcome


@pytest.mark.parametrize("args", [(0, 0, 0), (5, 4, 2), (5, -1, 0), (5, True, 0), (5, 2.0, 1)])
def test_pre_appeal_outcome_refuses_impossible_counts(args: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError):
        pre_appeal_outcome(*args)


# --------------------------------------------------------------------------- R-APL-9 bounds


@pytest.mark.parametrize(
    ("total", "points", "locked", "restoration", "refused"),
    [
        (Decimal("10"), Decimal("10"), True, False, None),  # down to zero: allowed
        (Decimal("10"), Decimal("10.01"), True, False, "cms_deduction_below_zero"),
        (Decimal("10"), Decimal("50"), False, False, None),  # not locked: results floor at 0
        (Decimal("10"), Decimal("0"), True, False, None),  # zero is no measure
        (Decimal("95"), Decimal("5"), False, True, None),  # up to the maximum
        (Decimal("95"), Decimal("5.01"), False, True, "cms_restore_over_max"),
        (Decimal("95"), Decimal("5.01"), True, True, "cms_restore_over_max"),
        (Decimal("100"), Decimal("0"), True, True, None),
    ],
)
def test_measure_bounds(
    total: Decimal, points: Decimal, locked: bool, restoration: bool, refused: str | None
) -> None:
    """R-APL-9 (issue #15): one check for a decision's deduction or restoration, the same at
    the step and at the decision."""
    if refused is None:
        cms.check_measure(total, points, who="№1", locked=locked, restoration=restoration)
        return
    with pytest.raises(DomainError) as err:
        cms.check_measure(total, points, who="№1", locked=locked, restoration=restoration)
    assert err.value.code == refused
    assert err.value.code in cms.FIXABLE_REFUSALS  # the decider corrects it in place
