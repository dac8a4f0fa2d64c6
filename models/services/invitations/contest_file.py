"""Staff declared in the contest file without a Telegram id become invitations (R-ROLE-1)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models.contest_file import PersonDef, Role
from models.services.base import UnitOfWork
from models.tables import Invitation, RoleAssignment


def file_key(p: PersonDef) -> str:
    return f"{p.role.value}|{p.name.casefold()}|{(p.email or '').casefold()}"


async def apply_file_invitations(
    uow: UnitOfWork, contest_id: int, people: list[PersonDef]
) -> set[tuple[int, str]]:
    """Contest-file staff without a Telegram id become invitations (their link is issued from
    /staff). On re-load an entry is matched by role, name and e-mail: a pending invitation
    takes the new details, an accepted one passes them on to the bound role, and an entry
    the file no longer lists is revoked (its role too). Returns the (telegram id, role) of
    roles bound through invitations that the re-load must keep."""
    s = uow.session
    existing = {
        i.file_key: i
        for i in (
            await s.execute(
                select(Invitation).where(
                    Invitation.contest_id == contest_id,
                    Invitation.source == "file",
                    Invitation.revoked_at.is_(None),
                )
            )
        ).scalars()
    }
    wanted: set[str] = set()
    for p in people:
        key = file_key(p)
        wanted.add(key)
        details: dict[str, Any] = dict(
            name=p.name,
            email=p.email,
            region_codes=list(p.regions),
            expert_status=p.expert_status.value if p.expert_status else None,
            chief_for=list(p.chief_for),
            commission_role=p.commission_role
            or ("member" if p.role is Role.COMMISSION_MEMBER else None),
            organisation_code=p.organisation,
        )
        inv = existing.get(key)
        if inv is None:
            s.add(
                Invitation(
                    contest_id=contest_id,
                    role=p.role.value,
                    source="file",
                    file_key=key,
                    created_at=uow.now,
                    **details,
                )
            )
            continue
        for k, v in details.items():
            setattr(inv, k, v)
        if inv.used_at is not None and inv.role_assignment_id is not None:
            bound = await s.get(RoleAssignment, inv.role_assignment_id)
            if bound is not None:
                for k, v in details.items():
                    if k != "email":
                        setattr(bound, k, v)
    for old_key, inv in existing.items():
        if old_key in wanted:
            continue
        if inv.used_at is None:
            inv.revoked_at = uow.now
        elif inv.role_assignment_id is not None:
            bound = await s.get(RoleAssignment, inv.role_assignment_id)
            if bound is not None:
                bound.active = False
            inv.revoked_at = uow.now
    await s.flush()
    kept = (
        await s.execute(
            select(Invitation.used_by, Invitation.role).where(
                Invitation.contest_id == contest_id,
                Invitation.used_by.is_not(None),
                Invitation.revoked_at.is_(None),
            )
        )
    ).all()
    return {(int(tg), role) for tg, role in kept if tg is not None}
