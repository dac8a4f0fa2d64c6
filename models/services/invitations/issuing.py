"""Inviting staff (R-ROLE-1): who may invite to what, one invitation in the chat, a bulk list."""

from __future__ import annotations

from sqlalchemy import select

from models.contest_file import ExpertStatus, Role
from models.errors import DomainError
from models.services.base import Service
from models.services.invitations.lists import (
    ROLE_WORDS,
    STATUS_WORDS,
    columns_of,
    read_table_bounded,
    words_of,
)
from models.services.invitations.specs import (
    ALL,
    MAX_BULK_ROWS,
    REGIONAL_ROLES,
    BulkResult,
    BulkRow,
    InviteSpec,
    IssuedInvitation,
)
from models.services.invitations.steps import add_invitation, check_spec, inviter_scope
from models.tables import Contest, Invitation, Nomination, Region, RoleAssignment


class InviteService(Service):
    # ------------------------------------------------------------------ reading

    async def inviter_contests(self, actor: int) -> list[tuple[int, str]]:
        """The contests in which ``actor`` may invite someone, (id, title)."""
        async with self.read() as s:
            stmt = select(Contest.id, Contest.title).order_by(Contest.id)
            if not self.is_admin(actor):
                stmt = stmt.where(
                    Contest.id.in_(
                        select(RoleAssignment.contest_id).where(
                            RoleAssignment.telegram_id == actor,
                            RoleAssignment.active.is_(True),
                            RoleAssignment.role.in_([Role.COORDINATOR, Role.FEDERAL_COORDINATOR]),
                        )
                    )
                )
            return [(cid, title) for cid, title in await s.execute(stmt)]

    async def choices(
        self, actor: int, contest_id: int
    ) -> tuple[list[str], list[tuple[str, str]], list[tuple[str, str]]]:
        """For the chat flow: the roles ``actor`` may invite to, the regions (code, name) and
        the nominations (code, title) they may choose from."""
        async with self.read() as s:
            scope = await inviter_scope(s, self.ctx, actor, contest_id)
            regions = [
                (r.code, r.name)
                for r in (
                    await s.execute(
                        select(Region)
                        .where(Region.contest_id == contest_id, Region.active.is_(True))
                        .order_by(Region.id)
                    )
                ).scalars()
                if scope is ALL or r.code in scope
            ]
            nominations = (
                [
                    (n.code, n.title)
                    for n in (
                        await s.execute(
                            select(Nomination)
                            .where(Nomination.contest_id == contest_id, Nomination.active.is_(True))
                            .order_by(Nomination.position)
                        )
                    ).scalars()
                ]
                if scope is ALL
                else []
            )
            roles = [r.value for r in Role] if scope is ALL else [r.value for r in REGIONAL_ROLES]
            return roles, regions, nominations

    async def menu_roles(self, telegram_id: int) -> frozenset[str]:
        """The roles that shape a person's command menu: participant (everyone), coordinator,
        federal_coordinator, expert, chief, mentor, commission_member, admin."""
        async with self.read() as s:
            rows = (
                (
                    await s.execute(
                        select(RoleAssignment).where(
                            RoleAssignment.telegram_id == telegram_id,
                            RoleAssignment.active.is_(True),
                        )
                    )
                )
                .scalars()
                .all()
            )
        roles = {"participant"}
        for r in rows:
            roles.add(r.role)
            if r.role == Role.EXPERT and r.chief_for:
                roles.add("chief")
            if r.role == Role.EXPERT and r.expert_status == ExpertStatus.MENTOR:
                roles.add("mentor")
        if self.is_admin(telegram_id):
            roles.add("admin")
        return frozenset(roles)

    async def create(self, actor: int, contest_id: int, spec: InviteSpec) -> IssuedInvitation:
        """One invitation, created in the chat (/invite)."""
        async with self.uow() as uow:
            scope = await inviter_scope(uow.session, self.ctx, actor, contest_id)
            spec = await check_spec(uow.session, contest_id, scope, spec, uow.now)
            inv, token = add_invitation(uow, actor, contest_id, spec, "chat")
            await uow.session.flush()
            uow.audit(
                actor,
                "invitation.create",
                "invitation",
                inv.id,
                contest_id=contest_id,
                after={"role": spec.role},
            )
            assert inv.expires_at is not None
            return IssuedInvitation(inv.id, token, inv.name, inv.role, inv.expires_at)

    async def create_bulk(
        self, actor: int, contest_id: int, filename: str, data: bytes
    ) -> BulkResult:
        """Invitations from a CSV/XLSX list (ФИО, роль, регион, e-mail, статус). Each row is
        checked on its own: good rows get links, bad ones an error by row number."""
        table = await read_table_bounded(filename, data)  # off the event loop (issue #13)
        while table and not any(table[0]):
            table.pop(0)
        if not table:
            raise DomainError("inv_bad_header")
        header, body = table[0], table[1:]
        columns = columns_of(header)
        if len(body) > MAX_BULK_ROWS:
            raise DomainError("inv_too_many_rows", limit=MAX_BULK_ROWS)
        result = BulkResult(header=header)
        async with self.uow() as uow:
            s = uow.session
            scope = await inviter_scope(s, self.ctx, actor, contest_id)
            regions = {
                key: r.code
                for r in (
                    await s.execute(
                        select(Region).where(
                            Region.contest_id == contest_id, Region.active.is_(True)
                        )
                    )
                ).scalars()
                for key in (r.code.casefold(), r.name.casefold())
            }
            pending: list[tuple[BulkRow, Invitation, str]] = []
            for i, cells in enumerate(body, start=2):
                if not any(cells):
                    continue
                row = BulkRow(i, cells)
                result.rows.append(row)

                def get(key: str, cells: list[str] = cells) -> str:
                    j = columns.get(key)
                    return cells[j].strip() if j is not None and j < len(cells) else ""

                try:
                    role_word = get("role").lower()
                    if role_word not in ROLE_WORDS:
                        raise DomainError("inv_bad_role")
                    role, commission_role = ROLE_WORDS[role_word]
                    codes = []
                    for word in words_of(get("region")):
                        if word.casefold() not in regions:
                            raise DomainError("inv_unknown_region", region=word)
                        codes.append(regions[word.casefold()])
                    status_word = get("status").lower()
                    status = STATUS_WORDS.get(status_word) if status_word else None
                    if status_word and status is None:
                        raise DomainError("inv_bad_status", status=get("status"))
                    spec = await check_spec(
                        s,
                        contest_id,
                        scope,
                        InviteSpec(
                            role=str(role),
                            name=get("name"),
                            regions=tuple(codes),
                            expert_status=str(status) if status else None,
                            commission_role=commission_role,
                            email=get("email") or None,
                        ),
                        uow.now,
                    )
                except DomainError as exc:
                    row.error = exc
                    continue
                inv, token = add_invitation(uow, actor, contest_id, spec, "bulk")
                pending.append((row, inv, token))
            await s.flush()
            for row, inv, token in pending:
                assert inv.expires_at is not None
                row.issued = IssuedInvitation(inv.id, token, inv.name, inv.role, inv.expires_at)
            uow.audit(
                actor,
                "invitation.bulk",
                "contest",
                contest_id,
                contest_id=contest_id,
                after={"created": result.created, "failed_rows": result.failed},
            )
        return result
