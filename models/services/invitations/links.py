"""Opening an invitation link: the preview («Это вы?») and the acceptance that binds this
Telegram account to the role, once (issue #12)."""

from __future__ import annotations

from sqlalchemy import select, update

from models.errors import DomainError
from models.services.base import Service
from models.services.invitations.specs import Bound, InvitationPreview
from models.services.invitations.steps import by_token
from models.tables import Contest, Invitation, Nomination, Region, RoleAssignment


class InvitationLinkService(Service):
    async def preview(self, actor: int, token: str) -> InvitationPreview:
        """What a link offers, before the person confirms it is them."""
        async with self.read() as s:
            inv = await by_token(s, token, actor, self.ctx.clock.now())
            contest = await s.get(Contest, inv.contest_id)
            assert contest is not None
            names = dict(
                (
                    await s.execute(
                        select(Region.code, Region.name).where(Region.contest_id == inv.contest_id)
                    )
                ).all()
            )
            noms = dict(
                (
                    await s.execute(
                        select(Nomination.code, Nomination.title).where(
                            Nomination.contest_id == inv.contest_id
                        )
                    )
                ).all()
            )
            return InvitationPreview(
                contest_id=contest.id,
                contest_title=contest.title,
                role=inv.role,
                name=inv.name,
                regions=[names.get(c, c) for c in inv.region_codes],
                expert_status=inv.expert_status,
                commission_role=inv.commission_role,
                chief_for=[noms.get(c, c) for c in inv.chief_for],
            )

    async def accept(self, actor: int, token: str) -> Bound:
        """«Да, это я»: bind this Telegram account to the invited role. Single use: a second
        acceptance — also a concurrent one — is refused."""
        async with self.uow() as uow:
            s = uow.session
            inv = await by_token(s, token, actor, uow.now, for_update=True)
            row = (
                await s.execute(
                    select(RoleAssignment)
                    .where(
                        RoleAssignment.contest_id == inv.contest_id,
                        RoleAssignment.telegram_id == actor,
                        RoleAssignment.role == inv.role,
                    )
                    .with_for_update()
                    .execution_options(populate_existing=True)
                )
            ).scalar_one_or_none()
            if row is None:
                row = RoleAssignment(contest_id=inv.contest_id, telegram_id=actor, role=inv.role)
                s.add(row)
            row.name = inv.name
            row.region_codes = list(inv.region_codes)
            row.expert_status = inv.expert_status
            row.chief_for = list(inv.chief_for)
            row.commission_role = inv.commission_role
            row.organisation_code = inv.organisation_code
            row.active = True
            await s.flush()
            taken = await s.execute(
                update(Invitation)
                .where(
                    Invitation.id == inv.id,
                    Invitation.used_at.is_(None),
                    Invitation.revoked_at.is_(None),
                )
                .values(used_at=uow.now, used_by=actor, role_assignment_id=row.id)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]  # cannot happen under the lock; kept as a guard
                raise DomainError(
                    "inv_used", at=uow.now, tz="Europe/Moscow"
                )  # the binding rolls back
            uow.audit(
                actor,
                "invitation.accept",
                "invitation",
                inv.id,
                contest_id=inv.contest_id,
                after={"role": inv.role},
            )
            contest = await s.get(Contest, inv.contest_id)
            assert contest is not None
            return Bound(contest.id, contest.title, inv.role, inv.name)
