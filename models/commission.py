"""Pure rules of the appeal commission (R-APL-6) and of an upheld appeal's effect on the
results (R-APL-9). No database, no aiogram: the service calls these and tests them alone.

The seed (002 §8) fixes the commission at five people — a Directorate chair, a Directorate
secretary without a vote, and three others — and says nothing about a deputy chair. Our
decision (issue #15): the deputy chair (заместитель председателя) is one of those five, named
by the federal coordinator when the commission is formed, and must hold a vote — so one of
the three members, never the chair or the secretary. The deputy decides a case from which
the chair is excluded (same organisation, declared close relation); when both are excluded
nobody may decide it, and the coordinator is told whom to replace.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from models.errors import DomainError
from models.rules import POINTS_QUANTUM, SCHEME_TOTAL_POINTS

#: R-APL-6: the roles of the commission's five people (the deputy is one of the members)
CHAIR, DEPUTY, SECRETARY, MEMBER = "chair", "deputy", "secretary", "member"
#: R-APL-6: the commission is formed no later than two days before the stage it serves starts
FORM_BEFORE = timedelta(days=2)


def stage_formable(starts_at: datetime | None, now: datetime, *, serves_it_now: bool) -> bool:
    """R-APL-6: may a commission be formed for a stage now — at least two days before it
    starts; the stage it already serves may be re-formed at any time (another deputy, a member
    who cannot sit). A stage with no start date cannot be checked, so it is not offered."""
    return serves_it_now or (starts_at is not None and starts_at - now >= FORM_BEFORE)


def may_be_deputy(role: str) -> bool:
    """R-APL-6 (our decision): the deputy is a voting member of the five — not the chair,
    not the secretary (who has no vote, 002 §8)."""
    return role in (MEMBER, DEPUTY)


def appeal_decider(chair: int | None, deputy: int | None, excluded: Collection[int]) -> int | None:
    """R-APL-6: who records the decision of a case — the chair; the deputy when the chair is
    excluded from it; ``None`` when both are excluded (nobody may decide: the case waits for
    the coordinator to name another deputy)."""
    if chair is not None and chair not in excluded:
        return chair
    if deputy is not None and deputy not in excluded:
        return deputy
    return None


def parse_points(raw: str | Decimal | None, code: str) -> Decimal:
    """A number of points typed by a person («2,5», «1.00», « 3 ») — non-negative, 0.01
    steps, at most the scheme's 100 points (R-SCH-1); ``None`` / «» is 0. Anything else is
    refused with ``code`` (its message says what a good number looks like)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Decimal(0)
    try:
        points = Decimal(str(raw).strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise DomainError(code) from None
    if (
        not points.is_finite()
        or points < 0
        or points > SCHEME_TOTAL_POINTS
        or points != points.quantize(POINTS_QUANTUM)
    ):
        raise DomainError(code)
    return points


def points_text(value: Decimal) -> str:
    """Points as a person reads them: «7,00»."""
    return f"{value.quantize(POINTS_QUANTUM)}".replace(".", ",")


_pts = points_text


def check_deduction(current: Decimal, points: Decimal, *, who: str) -> None:
    """R-APL-9: a deduction cannot take a participant's total below zero — refused with the
    total they have now and the most that can be deducted."""
    if points > current:
        raise DomainError(
            "cms_deduction_below_zero", who=who, points=_pts(points), current=_pts(current)
        )


def check_penalty(points: Decimal, disqualify: bool, *, who: str) -> None:
    """R-APL-9: a measure against another participant must be one — a deduction above zero
    or a disqualification; «0» and «Нет» together is no measure at all."""
    if not points and not disqualify:
        raise DomainError("cms_penalty_missing", who=who)


def check_restoration(
    current: Decimal, points: Decimal, *, who: str, maximum: Decimal = SCHEME_TOTAL_POINTS
) -> None:
    """R-APL-9: a restoration (a scoring error in the appellant's disfavour) cannot take the
    total above the scheme's maximum — refused with the total now and the most restorable."""
    if current + points > maximum:
        raise DomainError(
            "cms_restore_over_max",
            who=who,
            points=_pts(points),
            current=_pts(current),
            maximum=_pts(maximum),
            most=_pts(max(maximum - current, Decimal(0))),
        )


def check_measure(
    total: Decimal, points: Decimal, *, who: str, locked: bool, restoration: bool = False
) -> None:
    """R-APL-9 (issue #15): the one bound check of a number a decision carries. A restoration
    never takes the total above the scheme's maximum; a deduction never takes it below zero —
    checked only once the scores are ``locked`` (before, the total is not final and the
    results floor it at zero). Zero is no measure and passes."""
    if not points:
        return
    if restoration:
        check_restoration(total, points, who=who)
    elif locked:
        check_deduction(total, points, who=who)


#: the refusals of a decision's number or measure (R-APL-9) the decider corrects in place
#: («Изменить»): the draft stays, nothing typed is lost
FIXABLE_REFUSALS = frozenset(
    {
        "bad_deduction",
        "cms_bad_deduction_other",
        "cms_bad_restoration",
        "cms_deduction_below_zero",
        "cms_restore_over_max",
        "cms_penalty_missing",
        "cms_restore_and_penalise_same",
        "cms_penalised_not_in_scheme",
    }
)


__all__ = [
    "CHAIR",
    "DEPUTY",
    "FIXABLE_REFUSALS",
    "FORM_BEFORE",
    "MEMBER",
    "SECRETARY",
    "appeal_decider",
    "check_deduction",
    "check_measure",
    "check_penalty",
    "check_restoration",
    "may_be_deputy",
    "parse_points",
    "points_text",
    "stage_formable",
]
