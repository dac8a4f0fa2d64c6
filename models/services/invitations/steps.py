"""The steps of invitations that several of its services share: the inviter's scope, the
checks of an invitation, issuing one, finding an open one by its token (R-ROLE-1)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.contest_file import ExpertStatus, Role
from models.errors import DomainError, Forbidden, NotFound
from models.services.access import active_roles, is_admin
from models.services.base import ServiceContext, UnitOfWork, count_rows, lock
from models.services.invitations.specs import (
    ALL,
    COMMISSION_ROLES,
    EMAIL,
    INVITATION_TTL,
    REGIONAL_ROLES,
    TOKEN_PREFIX,
    InviteSpec,
    hash_token,
    new_token,
)
from models.services.staff_history import contest_tz, last_action
from models.tables import Invitation, Nomination, Participant, Region, RoleAssignment
from models.teams import representatives_allowed


async def inviter_scope(
    s: AsyncSession, ctx: ServiceContext, actor: int, contest_id: int
) -> frozenset[str] | None:
    """What ``actor`` may invite to in a contest: :data:`ALL` (None) = anything (admin,
    federal coordinator), else coordinators and experts of these regions (a coordinator).
    Its own meaning — not access.coordinator_scope — built on the same role rows."""
    if is_admin(ctx, actor):
        return ALL
    rows = [
        r
        for r in await active_roles(s, actor, contest_id)
        if r.role in (Role.COORDINATOR, Role.FEDERAL_COORDINATOR)
    ]
    if not rows:
        raise Forbidden("inv_not_allowed")
    if any(r.role == Role.FEDERAL_COORDINATOR for r in rows):
        return ALL
    return frozenset(code for r in rows for code in r.region_codes)


async def require_staff_manager(
    s: AsyncSession, ctx: ServiceContext, actor: int, contest_id: int
) -> None:
    """The staff list and revoking roles: admins and federal coordinators."""
    try:
        scope = await inviter_scope(s, ctx, actor, contest_id)
    except Forbidden:
        raise Forbidden("inv_staff_only") from None
    if scope is not ALL:
        raise Forbidden("inv_staff_only")


async def check_spec(
    s: AsyncSession,
    contest_id: int,
    scope: frozenset[str] | None,
    spec: InviteSpec,
    now: datetime,
) -> InviteSpec:
    """An invitation as asked for, checked: name, role within the inviter's scope, regions,
    status, nominations (R-ROLE-1, R-ROLE-2); a team representative only while there is room."""
    name = " ".join(spec.name.split())
    if not 3 <= len(name) <= 200 or not any(ch.isalpha() for ch in name):
        raise DomainError("inv_bad_name")
    if spec.role not in {r.value for r in Role}:
        raise DomainError("inv_bad_role")
    if scope is not ALL and spec.role not in REGIONAL_ROLES:
        raise Forbidden("inv_role_not_allowed")
    if spec.email is not None and not EMAIL.match(spec.email):
        raise DomainError("inv_bad_email")
    known = set(
        (
            await s.execute(
                select(Region.code).where(Region.contest_id == contest_id, Region.active.is_(True))
            )
        ).scalars()
    )
    for code in spec.regions:
        if code not in known:
            raise DomainError("inv_unknown_region", region=code)
    if spec.role == Role.COORDINATOR and not spec.regions:
        raise DomainError("inv_needs_region")
    if spec.role == Role.TEAM_REPRESENTATIVE and len(spec.regions) != 1:
        raise DomainError("inv_team_one_region")
    if scope is not ALL and spec.role == Role.VOLUNTEER and not spec.regions:
        raise DomainError(
            "inv_volunteer_needs_region"
        )  # a regional coordinator's volunteer is of their region
    if scope is not ALL and not set(spec.regions) <= scope:
        raise Forbidden("inv_region_out_of_scope")
    if spec.role == Role.TEAM_REPRESENTATIVE:
        await team_has_room(s, contest_id, spec.regions[0], now)
    if spec.role == Role.EXPERT:
        if spec.expert_status not in {st.value for st in ExpertStatus}:
            raise DomainError("inv_needs_status")
    elif spec.expert_status is not None or spec.chief_for:
        raise DomainError("inv_status_needs_expert")
    if spec.chief_for:
        if scope is not ALL:
            raise Forbidden("inv_role_not_allowed")
        noms = set(
            (
                await s.execute(select(Nomination.code).where(Nomination.contest_id == contest_id))
            ).scalars()
        )
        for code in spec.chief_for:
            if code not in noms:
                raise DomainError("inv_unknown_nomination", nomination=code)
    commission_role = spec.commission_role
    if spec.role == Role.COMMISSION_MEMBER:
        commission_role = commission_role or "member"
        if commission_role not in COMMISSION_ROLES:
            raise DomainError("inv_bad_role")
    elif commission_role is not None:
        raise DomainError("inv_bad_role")
    return InviteSpec(
        role=spec.role,
        name=name,
        regions=tuple(spec.regions),
        expert_status=spec.expert_status,
        chief_for=tuple(spec.chief_for),
        commission_role=commission_role,
        email=spec.email,
        organisation_code=spec.organisation_code,
    )


async def team_has_room(s: AsyncSession, contest_id: int, code: str, now: datetime) -> None:
    """002 §5.3 (R-APL-2): at most one team representative per 15 participants of the
    region (:func:`models.teams.representatives_allowed`), counting the representatives in
    force and the invitations still open. The region's row is locked first, so two
    coordinators inviting at once cannot both take the last place."""
    region_id = (
        await s.execute(
            select(Region.id).where(Region.contest_id == contest_id, Region.code == code)
        )
    ).scalar_one()
    region = await lock(s, Region, region_id)
    if region is None:
        raise NotFound("region_not_found")
    participants = await count_rows(
        s,
        Participant,
        Participant.contest_id == contest_id,
        Participant.region_id == region_id,
        Participant.withdrawn_at.is_(None),
    )
    bound = [
        r
        for r in (
            await s.execute(
                select(RoleAssignment).where(
                    RoleAssignment.contest_id == contest_id,
                    RoleAssignment.role == Role.TEAM_REPRESENTATIVE,
                    RoleAssignment.active.is_(True),
                )
            )
        ).scalars()
        if code in (r.region_codes or [])
    ]
    pending = [
        i
        for i in (
            await s.execute(
                select(Invitation).where(
                    Invitation.contest_id == contest_id,
                    Invitation.role == Role.TEAM_REPRESENTATIVE,
                    Invitation.used_at.is_(None),
                    Invitation.revoked_at.is_(None),
                )
            )
        ).scalars()
        if code in (i.region_codes or []) and (i.expires_at is None or i.expires_at > now)
    ]
    allowed = representatives_allowed(int(participants))
    if len(bound) + len(pending) >= allowed:
        raise DomainError(
            "inv_team_full",
            region=region.name,
            count=len(bound) + len(pending),
            allowed=allowed,
            participants=int(participants),
            names=", ".join(
                [r.name or str(r.telegram_id) for r in bound] + [i.name for i in pending]
            ),
        )


def add_invitation(
    uow: UnitOfWork, actor: int | None, contest_id: int, spec: InviteSpec, source: str
) -> tuple[Invitation, str]:
    token, digest = new_token()
    inv = Invitation(
        contest_id=contest_id,
        token_hash=digest,
        role=spec.role,
        name=spec.name,
        email=spec.email,
        region_codes=list(spec.regions),
        expert_status=spec.expert_status,
        chief_for=list(spec.chief_for),
        commission_role=spec.commission_role,
        organisation_code=spec.organisation_code,
        source=source,
        created_by=actor,
        created_at=uow.now,
        expires_at=uow.now + INVITATION_TTL,
    )
    uow.session.add(inv)
    return inv, token


async def by_token(
    s: AsyncSession, token: str, actor: int, now: datetime, *, for_update: bool = False
) -> Invitation:
    """The invitation of a link, refused (with what happened and when) unless it can still
    be accepted. ``for_update``: the row is locked first, so two «Да, это я», or an
    acceptance racing a revocation, are settled once (issue #12)."""
    token = token.removeprefix(TOKEN_PREFIX)
    inv_id = None
    if token and len(token) <= 64:
        inv_id = (
            await s.execute(select(Invitation.id).where(Invitation.token_hash == hash_token(token)))
        ).scalar_one_or_none()
    inv = None
    if inv_id is not None:
        inv = (
            await lock(s, Invitation, inv_id)
            if for_update
            else await s.get(Invitation, inv_id, populate_existing=True)
        )
    if inv is None or inv.token_hash != hash_token(token):  # a new link was issued meanwhile
        raise NotFound("inv_unknown")
    await still_open(s, inv, actor, now)
    return inv


async def still_open(s: AsyncSession, inv: Invitation, actor: int | None, now: datetime) -> None:
    tz = await contest_tz(s, inv.contest_id)
    if inv.used_at is not None:
        code = "inv_already_yours" if actor is not None and inv.used_by == actor else "inv_used"
        raise DomainError(code, at=inv.used_at, tz=tz)
    if inv.revoked_at is not None:
        seen = await last_action(s, "invitation", inv.id, ["invitation.revoke"], inv.contest_id)
        # no audit row of its own: revoked by a re-load of the contest file
        raise DomainError("inv_revoked", who=seen.who if seen else "none", at=inv.revoked_at, tz=tz)
    if inv.expires_at is None or inv.expires_at <= now:
        raise DomainError("inv_expired")


async def own_invitation(
    s: AsyncSession, ctx: ServiceContext, actor: int, invitation_id: int, now: datetime
) -> Invitation:
    """A pending invitation the actor manages, locked for a transition (revoke, new link):
    a used or revoked one is refused with who and when (issue #12)."""
    inv = await lock(s, Invitation, invitation_id)
    if inv is None:
        raise NotFound("inv_unknown")
    scope = await inviter_scope(s, ctx, actor, inv.contest_id)
    if scope is not ALL and inv.created_by != actor:
        raise Forbidden("inv_not_allowed")
    tz = await contest_tz(s, inv.contest_id)
    if inv.used_at is not None:
        raise DomainError("inv_already_accepted", name=inv.name, at=inv.used_at, tz=tz)
    if inv.revoked_at is not None:
        await still_open(s, inv, None, now)
    return inv


async def role_revoked(s: AsyncSession, r: RoleAssignment) -> DomainError:
    seen = await last_action(s, "role_assignment", r.id, ["role.revoke"], r.contest_id)
    if seen is None:
        return DomainError("inv_role_not_found")
    return DomainError(
        "inv_role_revoked",
        name=r.name or str(r.telegram_id),
        **seen.args(await contest_tz(s, r.contest_id)),
    )
