"""Who stood apart in a re-score (R-SCO-1, the chief expert's marking analytics, issue #16),
and how the audit trail is tallied into outliers and changed marks."""

from __future__ import annotations

from typing import Any

import pytest

from models.rules.scoring import rescore_outliers
from models.services.scoring.analytics import tally_audit


@pytest.mark.parametrize(
    ("marks", "outliers"),
    [
        # the example: 0, 0, 2, 3 — median 1, the 3 is two away
        ({1: 0, 2: 0, 3: 2, 4: 3}, {4}),
        # 0, 2, 2, 1 (tests/services/test_scoring.py): median 1.5, the 0 is farthest
        ({1: 0, 2: 2, 3: 2, 4: 1}, {1}),
        # two equally far on either side: both named
        ({1: 0, 2: 1, 3: 2, 4: 3}, {1, 4}),
        # one far and three together
        ({1: 3, 2: 1, 3: 1, 4: 1}, {1}),
        # a split, everyone as far: nobody stands apart
        ({1: 0, 2: 0, 3: 3, 4: 3}, set()),
        ({1: 1, 2: 0, 3: 1, 4: 0}, set()),  # a yes/no tie
        # three scorers (the mentor sits out, R-ROLE-3): median is the middle mark
        ({1: 0, 2: 2, 3: 3}, {1}),
        ({1: 2}, set()),
        ({}, set()),
    ],
)
def test_farthest_from_the_median(marks: dict[int, int], outliers: set[int]) -> None:
    assert rescore_outliers(marks) == outliers


def test_order_of_experts_does_not_matter() -> None:
    marks = {10: 3, 20: 0, 30: 0, 40: 2}
    assert rescore_outliers(dict(reversed(list(marks.items())))) == rescore_outliers(marks) == {10}


def _enter(expert: int, value: int, old: int | None = None, *, item: int = 1) -> Any:
    after = {"value": value, "target_id": 7, "aspect": f"1.1.{item}", "expert": expert}
    return ("score.enter", None if old is None else {"value": old}, after)


def _rescore(by: dict[int, int] | None, *, item: int = 1) -> Any:
    after: dict[str, Any] = {"target_id": 7, "aspect": f"1.1.{item}", "round": 1}
    if by is not None:
        after["by_expert"] = {str(k): v for k, v in by.items()}
    return ("score.rescore", None, after)


def test_tally_counts_outliers_and_changes_not_rescore_entries() -> None:
    rows = [
        _enter(1, 0),
        _enter(1, 1, old=0),  # changed before confirmation
        _enter(2, 0),
        _enter(3, 2),
        _enter(4, 3),
        _rescore({1: 1, 2: 0, 3: 2, 4: 3}),  # median 1.5: 0 and 3 equally far
        _enter(1, 2, old=1),  # the re-score itself: not a change
        _enter(2, 2, old=0),
        _enter(3, 2, old=2),
        _enter(4, 2, old=3),
        _enter(4, 1, old=2),  # and then a change of mind
        ("score.correct", {"value": 2}, {"target_id": 7, "aspect": "1.1.1", "expert": 3}),
    ]
    tallies, named, unnamed = tally_audit(rows)
    assert (named, unnamed) == (1, 0)
    assert {e: (t.comparisons, t.outliers, t.changed, t.corrected) for e, t in tallies.items()} == {
        1: (1, 0, 1, 0),
        2: (1, 1, 0, 0),
        3: (1, 0, 0, 1),
        4: (1, 1, 1, 0),
    }


def test_older_rescore_rows_name_nobody_but_still_mark_the_rescore() -> None:
    rows = [
        _enter(1, 0),
        _enter(2, 3),
        _rescore(None),  # before issue #16: no by_expert
        _enter(1, 1, old=0),  # every scorer's next entry is the re-score
        _enter(2, 2, old=3),
        _enter(1, 2, old=1),  # a change of mind after it
    ]
    tallies, named, unnamed = tally_audit(rows)
    assert (named, unnamed) == (0, 1)
    assert {e: (t.comparisons, t.outliers, t.changed) for e, t in tallies.items()} == {1: (0, 0, 1)}
