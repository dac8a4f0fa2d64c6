"""Marks, points, places and medals (R-SCH, R-SCO, R-RES); the scheme lock (R-SCH-3).

Pure rules: plain functions over plain types, no database, no Telegram. Each rule cites
its id in ``../shared/SPEC.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

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


def rescore_outliers(marks: Mapping[int, int]) -> frozenset[int]:
    """R-SCO-1, the chief expert's marking analytics (issue #16): who stood apart in a
    compared set of marks (a re-score or a tie) — the expert(s) whose mark is farthest from
    the median of the compared marks; a tie for farthest names each of them.

    Our decision: when every mark is equally far from the median (a split such as 0 0 3 3,
    or 2 «Да» against 2 «Нет»), nobody stands apart and nobody is named; fewer than two
    marks name nobody. ``marks`` maps an expert to their mark (any integer scale)."""
    if len(marks) < 2:
        return frozenset()
    ordered = sorted(marks.values())
    middle = len(ordered) // 2
    # twice the median, so that an even count's median stays an integer
    median2 = 2 * ordered[middle] if len(ordered) % 2 else ordered[middle - 1] + ordered[middle]
    distance = {who: abs(2 * value - median2) for who, value in marks.items()}
    farthest = max(distance.values())
    named = frozenset(who for who, d in distance.items() if d == farthest)
    return frozenset() if len(named) == len(marks) else named


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


#: R-SCH-3: the chief expert locks the scheme at least this long before the stage starts
SCHEME_LOCK_LEAD = timedelta(days=2)


def scheme_lock_late(stage_starts_at: datetime | None, now: datetime) -> bool:
    """R-SCH-3: locking the scheme now is late — less than 2 days before the stage starts.
    A late lock is still made and recorded; the chief expert is warned first. A stage with
    no start date is never late."""
    return stage_starts_at is not None and stage_starts_at - now < SCHEME_LOCK_LEAD
