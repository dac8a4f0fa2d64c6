"""R-APL-9: the measures of an upheld appeal — the bounds of a deduction or a restoration
(the participant's total now) and their rows in the results."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from models import commission as cms
from models.services.appeals.common import (
    scheme_of,
)
from models.services.appeals.views import (
    PointsBound,
)
from models.services.base import UnitOfWork
from models.services.scoring.protocols import target_label
from models.services.scoring.results import scheme_results
from models.tables import (
    Appeal,
    EvaluationTarget,
    ResultAdjustment,
)


async def points_bound(s: AsyncSession, appeal: Appeal, target: EvaluationTarget) -> PointsBound:
    """R-APL-9 (issue #15): the participant's total now, and whether the scores are locked
    (only then does the total bind a deduction)."""
    totals = {ln.target_id: ln.total for ln in (await scheme_results(s, appeal.scheme_id)).lines}
    locked = (await scheme_of(s, appeal.scheme_id)).scores_locked_at is not None
    return PointsBound(target.id, target_label(target), totals.get(target.id, Decimal(0)), locked)


async def apply_to_results(
    uow: UnitOfWork,
    appeal: Appeal,
    hit: int,
    points: Decimal,
    disqualify: bool,
    restored: Decimal,
) -> list[ResultAdjustment]:
    """R-APL-9: a decided appeal's deduction or disqualification (of ``hit``) and its
    restoration (to the appellant's participant, a negative adjustment) count in the
    results, in the decision's transaction."""
    rows = []
    if points or disqualify:
        rows.append(
            ResultAdjustment(
                scheme_id=appeal.scheme_id,
                target_id=hit,
                appeal_id=appeal.id,
                points=points,
                disqualified=disqualify,
                created_at=uow.now,
            )
        )
    if restored:
        rows.append(
            ResultAdjustment(
                scheme_id=appeal.scheme_id,
                target_id=appeal.target_id,
                appeal_id=appeal.id,
                points=-restored,
                disqualified=False,
                created_at=uow.now,
            )
        )
    uow.session.add_all(rows)
    await uow.session.flush()
    return rows


def check_bound(bound: PointsBound, points: Decimal, *, restoration: bool = False) -> None:
    """R-APL-9 (issue #15): a deduction or a restoration against the participant's total now
    (:func:`models.commission.check_measure`), the participant named in the refusal."""
    cms.check_measure(
        bound.total, points, who=bound.label, locked=bound.locked, restoration=restoration
    )
