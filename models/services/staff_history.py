"""What already happened to a staff object, for the loser of a race (issue #12, guarantee 1).

When a transition of a broadcast, an invitation, a role or a remote connection is refused
because someone else moved it first, the refusal says who did it and when — read from the
audit log that the winning transition wrote (one row per transition)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import AuditRecord, Contest, Person, RoleAssignment


@dataclass(frozen=True, slots=True)
class Happened:
    """The last matching audit row: who (a name, never an id alone when a name is known)
    and when."""

    who: str
    at: datetime
    actor: int | None

    def args(self, tz: str) -> dict[str, object]:
        """Arguments of a refusal: ``who``, ``at`` (formatted by the front end in ``tz``)."""
        return {"who": self.who, "at": self.at, "tz": tz}


async def actor_name(s: AsyncSession, contest_id: int | None, telegram_id: int | None) -> str:
    """A staff member's name as the contest knows it, else their Telegram display name."""
    if telegram_id is None:
        return "—"
    if contest_id is not None:
        name = (
            await s.execute(
                select(RoleAssignment.name)
                .where(
                    RoleAssignment.contest_id == contest_id,
                    RoleAssignment.telegram_id == telegram_id,
                    RoleAssignment.name.is_not(None),
                )
                .order_by(RoleAssignment.active.desc(), RoleAssignment.id)
                .limit(1)
            )
        ).scalar_one_or_none()
        if name:
            return name
    display = (
        await s.execute(select(Person.display_name).where(Person.telegram_id == telegram_id))
    ).scalar_one_or_none()
    return display or f"id {telegram_id}"


async def last_action(
    s: AsyncSession,
    entity: str,
    entity_id: int,
    actions: Iterable[str],
    contest_id: int | None = None,
) -> Happened | None:
    """The latest audit row of ``entity``/``entity_id`` among ``actions``, with the actor's name."""
    row = (
        await s.execute(
            select(AuditRecord.actor_telegram_id, AuditRecord.at)
            .where(
                AuditRecord.entity == entity,
                AuditRecord.entity_id == entity_id,
                AuditRecord.action.in_(list(actions)),
            )
            .order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    actor, at = row
    return Happened(await actor_name(s, contest_id, actor), at, actor)


async def contest_tz(s: AsyncSession, contest_id: int) -> str:
    return (
        await s.execute(select(Contest.timezone).where(Contest.id == contest_id))
    ).scalar_one_or_none() or "Europe/Moscow"


__all__ = ["Happened", "actor_name", "contest_tz", "last_action"]
