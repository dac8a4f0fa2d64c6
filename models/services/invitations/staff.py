"""Managing staff (R-ROLE-1): revoking an invitation or issuing a new link, the staff list,
revoking a role (buttons already on screen stop working at once)."""

from __future__ import annotations

from sqlalchemy import select

from models.errors import NotFound
from models.services.base import Service, lock
from models.services.invitations.specs import (
    INVITATION_TTL,
    IssuedInvitation,
    PendingInvitation,
    StaffEntry,
    StaffList,
    new_token,
)
from models.services.invitations.steps import own_invitation, require_staff_manager, role_revoked
from models.tables import Contest, Invitation, RoleAssignment


class StaffService(Service):
    async def revoke_invitation(self, actor: int, invitation_id: int) -> str:
        """Cancel a link not yet used; returns the invited name. Settled once against an
        acceptance of the same link: both lock the invitation first."""
        async with self.uow() as uow:
            inv = await own_invitation(uow.session, self.ctx, actor, invitation_id, uow.now)
            inv.revoked_at = uow.now
            uow.audit(actor, "invitation.revoke", "invitation", inv.id, contest_id=inv.contest_id)
            return inv.name

    async def issue_link(self, actor: int, invitation_id: int) -> IssuedInvitation:
        """A new link for a pending invitation (a contest-file entry, or a lost link): the
        old token stops working."""
        async with self.uow() as uow:
            inv = await own_invitation(uow.session, self.ctx, actor, invitation_id, uow.now)
            token, inv.token_hash = new_token()
            inv.expires_at = uow.now + INVITATION_TTL
            uow.audit(actor, "invitation.issue", "invitation", inv.id, contest_id=inv.contest_id)
            return IssuedInvitation(inv.id, token, inv.name, inv.role, inv.expires_at)

    async def staff(self, actor: int, contest_id: int) -> StaffList:
        """Active roles and pending invitations of a contest (admins, federal coordinators)."""
        async with self.read() as s:
            await require_staff_manager(s, self.ctx, actor, contest_id)
            contest = await s.get(Contest, contest_id)
            if contest is None:
                raise NotFound("contest_not_found")
            roles = [
                StaffEntry(
                    r.id,
                    r.telegram_id,
                    r.name or str(r.telegram_id),
                    r.role,
                    list(r.region_codes),
                    r.expert_status,
                    r.commission_role,
                )
                for r in (
                    await s.execute(
                        select(RoleAssignment)
                        .where(
                            RoleAssignment.contest_id == contest_id, RoleAssignment.active.is_(True)
                        )
                        .order_by(RoleAssignment.role, RoleAssignment.name, RoleAssignment.id)
                    )
                ).scalars()
            ]
            now = self.ctx.clock.now()
            pending = [
                PendingInvitation(
                    i.id, i.name, i.role, i.source, i.expires_at if i.token_hash else None
                )
                for i in (
                    await s.execute(
                        select(Invitation)
                        .where(
                            Invitation.contest_id == contest_id,
                            Invitation.used_at.is_(None),
                            Invitation.revoked_at.is_(None),
                        )
                        .order_by(Invitation.id)
                    )
                ).scalars()
                if i.token_hash is None or (i.expires_at is not None and i.expires_at > now)
            ]
            return StaffList(contest.id, contest.title, roles, pending)

    async def role_entry(self, actor: int, role_id: int) -> StaffEntry:
        async with self.read() as s:
            r = await s.get(RoleAssignment, role_id)
            if r is None:
                raise NotFound("inv_role_not_found")
            await require_staff_manager(s, self.ctx, actor, r.contest_id)
            if (
                not r.active
            ):  # «Отозвать» of a role already revoked: refused before the confirmation
                raise await role_revoked(s, r)
            return StaffEntry(
                r.id,
                r.telegram_id,
                r.name or str(r.telegram_id),
                r.role,
                list(r.region_codes),
                r.expert_status,
                r.commission_role,
            )

    async def revoke_role(self, actor: int, role_id: int) -> StaffEntry:
        """Take a role away at once: every check reads ``active``, so the person's buttons
        already on screen are refused from now on."""
        async with self.uow() as uow:
            r = await lock(uow.session, RoleAssignment, role_id)
            if r is None:
                raise NotFound("inv_role_not_found")
            await require_staff_manager(uow.session, self.ctx, actor, r.contest_id)
            if not r.active:
                raise await role_revoked(uow.session, r)
            r.active = False
            uow.audit(
                actor,
                "role.revoke",
                "role_assignment",
                r.id,
                contest_id=r.contest_id,
                before={"role": r.role},
                after={"active": False},
            )
            return StaffEntry(
                r.id,
                r.telegram_id,
                r.name or str(r.telegram_id),
                r.role,
                list(r.region_codes),
                r.expert_status,
                r.commission_role,
            )
