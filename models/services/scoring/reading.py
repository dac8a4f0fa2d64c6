"""A read the scoring modules share, below ``common`` and ``protocols``: the aspects of a
scheme in the scheme's own order (criterion, subcriterion, aspect)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import SchemeAspect, SchemeCriterion, SchemeSubcriterion


async def scheme_aspects(s: AsyncSession, scheme_id: int, *where: Any) -> list[SchemeAspect]:
    """The scheme's aspects in its order; ``where``: further conditions on the aspect or its
    subcriterion (one subcriterion, the subcriteria of some groups)."""
    return list(
        (
            await s.execute(
                select(SchemeAspect)
                .join(SchemeSubcriterion, SchemeSubcriterion.id == SchemeAspect.subcriterion_id)
                .join(SchemeCriterion, SchemeCriterion.id == SchemeSubcriterion.criterion_id)
                .where(SchemeAspect.scheme_id == scheme_id, *where)
                .order_by(
                    SchemeCriterion.position, SchemeSubcriterion.position, SchemeAspect.position
                )
            )
        ).scalars()
    )
