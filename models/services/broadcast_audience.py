"""A broadcast's audience (R-COO-1): who it reaches, checked against the sender's regions,
and the recipients as SQL — participants as one ``SELECT`` (for the ``INSERT … SELECT``),
staff as a list of chats."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.contest_file import Role
from models.errors import Forbidden, NotFound
from models.rules import JourneyStage, VerificationStatus
from models.tables import Application, Nomination, Participant, Person, Region, RoleAssignment


class Audience(BaseModel):
    """Who receives a broadcast (R-COO-1). Empty lists mean "all" (within the sender's
    regions for a regional coordinator)."""

    role: Literal["participants", "coordinators", "experts"] = "participants"
    regions: list[str] = Field(default_factory=list)
    nominations: list[int] = Field(default_factory=list)
    state: Literal["all", "verified_no_application", "submitted"] = "all"


async def check_audience(
    s: AsyncSession, contest_id: int, audience: Audience, scope: frozenset[str] | None
) -> None:
    """A regional coordinator reaches only their own regions (checked here, whatever
    the buttons sent)."""
    if scope is not None:
        if audience.role == "experts":
            raise Forbidden("experts_federal_only")
        if not set(audience.regions) <= scope:
            raise Forbidden("not_your_region")
    known = {
        c for (c,) in await s.execute(select(Region.code).where(Region.contest_id == contest_id))
    }
    if not set(audience.regions) <= known:
        raise NotFound("region_not_found")
    if audience.nominations:
        ids = {
            i
            for (i,) in await s.execute(
                select(Nomination.id).where(Nomination.contest_id == contest_id)
            )
        }
        if not set(audience.nominations) <= ids:
            raise NotFound("nomination_not_found")


def participants_query(contest_id: int, audience: Audience, scope: frozenset[str] | None) -> Any:
    chat = func.coalesce(Person.chat_id, Person.telegram_id)
    q = (
        select(chat.label("chat"), func.min(Person.language).label("language"))
        .select_from(Participant)
        .join(Person, Person.id == Participant.person_id)
        .where(
            Participant.contest_id == contest_id,
            Participant.verification_status != VerificationStatus.WITHDRAWN,
        )
    )
    regions = audience.regions or (sorted(scope) if scope is not None else None)
    if regions is not None:
        q = q.where(
            Participant.region_id.in_(
                select(Region.id).where(Region.contest_id == contest_id, Region.code.in_(regions))
            )
        )
    if audience.nominations:
        q = q.where(
            Participant.id.in_(
                select(Application.participant_id).where(
                    Application.nomination_id.in_(audience.nominations)
                )
            )
        )
    if audience.state == "verified_no_application":
        q = q.where(Participant.stage == JourneyStage.NOMINATION)
    elif audience.state == "submitted":
        q = q.where(Participant.stage == JourneyStage.DONE)
    return q.group_by(chat)


async def staff_chats(
    s: AsyncSession, contest_id: int, audience: Audience, scope: frozenset[str] | None
) -> list[int]:
    role = Role.EXPERT if audience.role == "experts" else Role.COORDINATOR
    rows = (
        await s.execute(
            select(RoleAssignment).where(
                RoleAssignment.contest_id == contest_id,
                RoleAssignment.active.is_(True),
                RoleAssignment.role.in_(
                    [role] if role == Role.EXPERT else [Role.COORDINATOR, Role.FEDERAL_COORDINATOR]
                ),
            )
        )
    ).scalars()
    wanted = set(audience.regions) or (scope if scope is not None else None)
    out = set()
    for r in rows:
        if role == Role.COORDINATOR and wanted is not None:
            if r.role == Role.FEDERAL_COORDINATOR or not (set(r.region_codes) & wanted):
                continue
        out.add(r.telegram_id)
    return sorted(out)


async def audience_count(
    s: AsyncSession, contest_id: int, audience: Audience, scope: frozenset[str] | None
) -> int:
    if audience.role == "participants":
        sub = participants_query(contest_id, audience, scope).subquery()
        return (await s.execute(select(func.count()).select_from(sub))).scalar_one()
    return len(await staff_chats(s, contest_id, audience, scope))
