"""Who is this? The person's language, roles and participations in ONE statement, read once
per update (issue #13, item 2) instead of one query per middleware and handler.

The answer (:class:`Viewer`) decides what a person is *shown* — the language of every
text, the /start greeting (participant form or staff tools), /help, the command menu. It
never authorises anything: every service still checks the roles it needs in its own
transaction (R-ROLE-1), so a role revoked a moment ago is refused by the service even in the
update that read the viewer just before the revocation. Nothing is cached across updates:
each update reads afresh, so a revoked role or a new /language choice shows at the person's
next update (no TTL, nothing to invalidate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Integer, String, cast, literal, null, select, union_all, update

from models.contest_file import ExpertStatus, Role
from models.services.base import Service
from models.services.participants import LANGUAGE_CHOSEN  # suffix of a /language choice
from models.tables import Contest, Participant, Person, RoleAssignment
from models.views import StaffRoles


@dataclass(frozen=True, slots=True)
class Grant:
    """One active role assignment, as the viewer needs it."""

    contest_id: int
    role: str
    region_codes: tuple[str, ...] = ()
    expert_status: str | None = None
    chief_for: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Viewer:
    """The person behind an update: stored language, active roles, the contests they take
    part in. Derived answers follow the services' own rules (same results as
    ``CoordinatorService.staff_roles``, ``ScoringService.is_expert_anywhere``,
    ``AppealService.is_member_anywhere``, ``InvitationService.menu_roles``)."""

    telegram_id: int
    stored_language: str | None  # persons.language as stored; None: the bot never met them
    grants: tuple[Grant, ...]
    participations: tuple[int, ...]  # contest ids they are a participant of
    is_admin: bool
    all_contests: tuple[int, ...] = ()  # admins only: every contest (they coordinate all)

    @property
    def known(self) -> bool:
        return self.stored_language is not None

    @property
    def chosen_language(self) -> str | None:
        """The /language choice, if the person made one."""
        stored = self.stored_language
        return (
            stored.removesuffix(LANGUAGE_CHOSEN)
            if stored and stored.endswith(LANGUAGE_CHOSEN)
            else None
        )

    def language(self, detected: str) -> str:
        """Their /language choice, else ``detected`` (their Telegram language)."""
        return self.chosen_language or detected

    def staff_roles(self) -> StaffRoles:
        contests: dict[int, frozenset[str] | None] = {}
        for g in self.grants:
            if g.role == Role.FEDERAL_COORDINATOR:
                contests[g.contest_id] = None
            elif g.role == Role.COORDINATOR and (
                g.contest_id not in contests or contests[g.contest_id] is not None
            ):
                contests[g.contest_id] = (contests.get(g.contest_id) or frozenset()) | frozenset(
                    g.region_codes
                )
        if self.is_admin:
            for cid in self.all_contests:
                contests[cid] = None
        return StaffRoles(self.is_admin, contests)

    @property
    def is_expert(self) -> bool:
        return any(g.role == Role.EXPERT for g in self.grants)

    @property
    def is_commission_member(self) -> bool:
        return any(g.role == Role.COMMISSION_MEMBER for g in self.grants)

    @property
    def is_staff(self) -> bool:
        return self.is_admin or any(
            g.role
            in (Role.COORDINATOR, Role.FEDERAL_COORDINATOR, Role.EXPERT, Role.COMMISSION_MEMBER)
            for g in self.grants
        )

    def menu_roles(self) -> frozenset[str]:
        """The roles that shape the command menu (bot.menus), as ``InvitationService.menu_roles``."""
        roles = {"participant"}
        for g in self.grants:
            roles.add(g.role)
            if g.role == Role.EXPERT and g.chief_for:
                roles.add("chief")
            if g.role == Role.EXPERT and g.expert_status == ExpertStatus.MENTOR:
                roles.add("mentor")
        if self.is_admin:
            roles.add("admin")
        return frozenset(roles)


def _row(
    kind: str,
    contest_id: Any = None,
    role: Any = None,
    text: Any = None,
    regions: Any = None,
    chief: Any = None,
) -> list[Any]:
    def nul(t: Any) -> Any:
        return cast(null(), t)

    return [
        literal(kind, String).label("kind"),
        (contest_id if contest_id is not None else nul(Integer)).label("contest_id"),
        (role if role is not None else nul(String)).label("role"),
        (text if text is not None else nul(String)).label("text"),
        (regions if regions is not None else nul(JSON)).label("regions"),
        (chief if chief is not None else nul(JSON)).label("chief"),
    ]


class AccessService(Service):
    def viewer_statement(self, telegram_id: int) -> Any:
        """One ``UNION ALL``: the role rows, the language row, the participation rows (and,
        for an admin, every contest id)."""
        R = RoleAssignment
        parts = [
            select(
                *_row("r", R.contest_id, R.role, R.expert_status, R.region_codes, R.chief_for)
            ).where(R.telegram_id == telegram_id, R.active.is_(True)),
            select(*_row("l", text=Person.language)).where(Person.telegram_id == telegram_id),
            select(*_row("p", contest_id=Participant.contest_id))
            .join(Person, Person.id == Participant.person_id)
            .where(Person.telegram_id == telegram_id),
        ]
        if self.is_admin(telegram_id):
            parts.append(select(*_row("c", contest_id=Contest.id)))
        return union_all(*parts)

    async def viewer(self, telegram_id: int) -> Viewer:
        """Who this is: one statement, one connection, no transaction held."""
        async with self.read() as s:
            rows = (await s.execute(self.viewer_statement(telegram_id))).all()
        language: str | None = None
        grants: list[Grant] = []
        mine: list[int] = []
        every: list[int] = []
        for kind, contest_id, role, text, regions, chief in rows:
            if kind == "l":
                language = text
            elif kind == "r":
                grants.append(
                    Grant(contest_id, role, tuple(regions or ()), text, tuple(chief or ()))
                )
            elif kind == "p":
                mine.append(contest_id)
            else:
                every.append(contest_id)
        return Viewer(
            telegram_id,
            language,
            tuple(grants),
            tuple(sorted(mine)),
            self.is_admin(telegram_id),
            tuple(sorted(every)),
        )

    async def remember_language(self, telegram_id: int, detected: str) -> None:
        """Keep the person's Telegram language on their row (the outbox speaks it), unless
        they chose one with /language — only called when it changed."""
        async with self.uow() as uow:
            await uow.session.execute(
                update(Person)
                .where(
                    Person.telegram_id == telegram_id,
                    Person.language.not_like(f"%{LANGUAGE_CHOSEN}"),
                )
                .values(language=detected)
            )


__all__ = ["LANGUAGE_CHOSEN", "AccessService", "Grant", "Viewer"]
