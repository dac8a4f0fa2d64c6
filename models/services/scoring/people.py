"""How scoring names people: the name on their role in the contest, else their id (issue #16:
sheets, buttons and protocols name the experts). Below ``common`` and ``protocols``, which
both use it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import RoleAssignment


async def person_name(s: AsyncSession, contest_id: int, telegram_id: int | None) -> str:
    """How a refusal names who already acted: the name on their role, else their id."""
    if telegram_id is None:
        return "—"
    name = (
        (
            await s.execute(
                select(RoleAssignment.name).where(
                    RoleAssignment.contest_id == contest_id,
                    RoleAssignment.telegram_id == telegram_id,
                    RoleAssignment.name.is_not(None),
                )
            )
        )
        .scalars()
        .first()
    )
    return name or str(telegram_id)


async def person_names(s: AsyncSession, contest_id: int, telegram_ids: Any) -> dict[int, str]:
    """:func:`person_name` of several people in one query (issue #16: sheets and buttons
    name the experts): the name on their role in the contest, else their id as text."""
    ids = sorted(set(telegram_ids))
    names = {tid: str(tid) for tid in ids}
    if ids:
        rows = await s.execute(
            select(RoleAssignment.telegram_id, RoleAssignment.name)
            .where(
                RoleAssignment.contest_id == contest_id,
                RoleAssignment.telegram_id.in_(ids),
                RoleAssignment.name.is_not(None),
            )
            .order_by(RoleAssignment.id)
        )
        for tid, name in rows.all():
            if names[tid] == str(tid) and name:
                names[tid] = name
    return names
