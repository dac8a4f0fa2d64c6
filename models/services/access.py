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
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models.contest_file import ExpertStatus, Role
from models.errors import Forbidden, NotFound
from models.services.base import Service, ServiceContext
from models.tables import (
    Application,
    AssessmentGroup,
    Contest,
    EvaluationTarget,
    GroupMember,
    Participant,
    Person,
    Region,
    RoleAssignment,
    Scheme,
)
from models.views import StaffRoles

#: Languages with a catalogue. Person.language holds a language tag; a choice made with
#: /language carries this private-use suffix ("en-x-set", 8 characters, fits the column), so
#: it is told apart from the Telegram language remembered for people who never chose.
LANGUAGES = ("ru", "en")
LANGUAGE_CHOSEN = "-x-set"

# ---------------------------------------------------------------------------------------
# What a person MAY do: scope and role checks as plain functions over the caller's session
# (a unit of work's ``uow.session`` or a reading session). Every service asks these, in its
# own transaction (R-ROLE-1); no service reaches into another's private members for them.
# ---------------------------------------------------------------------------------------

#: the regions a coordinator acts for; None means "every region of the contest"
Scope = frozenset[str] | None

_COORDINATING = (Role.COORDINATOR, Role.FEDERAL_COORDINATOR)


def is_admin(ctx: ServiceContext, telegram_id: int | None) -> bool:
    return telegram_id is not None and telegram_id in ctx.admin_ids


async def active_roles(s: AsyncSession, telegram_id: int, contest_id: int) -> list[RoleAssignment]:
    """A person's roles in a contest that are in force now (a revoked role counts at once)."""
    return list(
        (
            await s.execute(
                select(RoleAssignment).where(
                    RoleAssignment.telegram_id == telegram_id,
                    RoleAssignment.contest_id == contest_id,
                    RoleAssignment.active.is_(True),
                )
            )
        ).scalars()
    )


async def active_ids(s: AsyncSession, contest_id: int, role: str) -> set[int]:
    """Telegram ids holding ``role`` in a contest now."""
    return set(
        (
            await s.execute(
                select(RoleAssignment.telegram_id).where(
                    RoleAssignment.contest_id == contest_id,
                    RoleAssignment.role == role,
                    RoleAssignment.active.is_(True),
                )
            )
        ).scalars()
    )


async def has_role(s: AsyncSession, telegram_id: int, contest_id: int, *roles: str) -> bool:
    return any(r.role in roles for r in await active_roles(s, telegram_id, contest_id))


async def coordinator_scope(
    s: AsyncSession, ctx: ServiceContext, telegram_id: int, contest_id: int
) -> Scope:
    """The regions a person coordinates in a contest (R-ROLE-1); raises :class:`Forbidden`
    if none. An admin coordinates every region."""
    if is_admin(ctx, telegram_id):
        return None
    rows = [r for r in await active_roles(s, telegram_id, contest_id) if r.role in _COORDINATING]
    if not rows:
        raise Forbidden("not_coordinator")
    if any(r.role == Role.FEDERAL_COORDINATOR for r in rows):
        return None
    return frozenset(code for r in rows for code in r.region_codes)


def in_scope(contest_id: int, scope: Scope) -> list[Any]:
    """The filter "participant of one of these regions" (nothing when all regions)."""
    if scope is None:
        return []
    return [
        Participant.region_id.in_(
            select(Region.id).where(Region.contest_id == contest_id, Region.code.in_(scope))
        )
    ]


def check_region(p: Participant, scope: Scope) -> None:
    """R-ROLE-1: a participant of one of the coordinator's regions (``p.region`` loaded)."""
    if scope is not None and (p.region is None or p.region.code not in scope):
        raise Forbidden("not_your_region")


async def participant_in_scope(
    s: AsyncSession, ctx: ServiceContext, telegram_id: int, participant_id: int
) -> Participant:
    """A participant of the coordinator's regions, with region, organisation and application
    loaded; "not yours" rather than "does not exist" to someone without the role."""
    p = await s.get(
        Participant,
        participant_id,
        options=[
            selectinload(Participant.region),
            selectinload(Participant.organisation),
            selectinload(Participant.application).selectinload(Application.nomination),
        ],
        populate_existing=True,
    )
    if p is None:
        if not is_admin(ctx, telegram_id):
            any_role = (
                await s.execute(
                    select(RoleAssignment.id).where(
                        RoleAssignment.telegram_id == telegram_id,
                        RoleAssignment.active.is_(True),
                    )
                )
            ).first()
            if any_role is None:
                raise Forbidden("not_coordinator")
        raise NotFound("participant_not_found")
    check_region(p, await coordinator_scope(s, ctx, telegram_id, p.contest_id))
    return p


async def is_coordinator(
    s: AsyncSession, ctx: ServiceContext, telegram_id: int, contest_id: int
) -> bool:
    return is_admin(ctx, telegram_id) or await has_role(s, telegram_id, contest_id, *_COORDINATING)


async def is_expert(s: AsyncSession, telegram_id: int, contest_id: int) -> bool:
    return await has_role(s, telegram_id, contest_id, Role.EXPERT)


async def is_chief(s: AsyncSession, telegram_id: int | None, scheme: Scheme) -> bool:
    """The chief expert of the scheme's nomination who still holds the expert role."""
    if telegram_id is None or scheme.chief_telegram_id != telegram_id:
        return False
    return await is_expert(s, telegram_id, scheme.contest_id)


async def require_chief(
    s: AsyncSession, ctx: ServiceContext, telegram_id: int | None, scheme: Scheme
) -> None:
    """R-ROLE-2: the chief expert of the nomination (an admin may act for them)."""
    if is_admin(ctx, telegram_id) or await is_chief(s, telegram_id, scheme):
        return
    raise Forbidden("not_chief")


async def competence_experts(s: AsyncSession, scheme: Scheme) -> set[int]:
    """«All experts of the competence» (R-ROLE-3): the chief, every group member and every
    mentor of the scheme who still holds the expert role."""
    people: set[int] = set()
    if scheme.chief_telegram_id:
        people.add(scheme.chief_telegram_id)
    people |= set(
        (
            await s.execute(
                select(GroupMember.telegram_id)
                .join(AssessmentGroup, AssessmentGroup.id == GroupMember.group_id)
                .where(AssessmentGroup.scheme_id == scheme.id)
            )
        ).scalars()
    )
    people |= {
        m
        for m in (
            await s.execute(
                select(EvaluationTarget.mentor_telegram_id).where(
                    EvaluationTarget.scheme_id == scheme.id
                )
            )
        ).scalars()
        if m
    }
    return people & await active_ids(s, scheme.contest_id, Role.EXPERT)


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
    ``CoordinatorService.staff_roles``, ``SchemeService.is_expert_anywhere``,
    ``CommissionService.is_member_anywhere``, ``InvitationService.menu_roles``)."""

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


__all__ = [
    "LANGUAGE_CHOSEN",
    "AccessService",
    "Grant",
    "Scope",
    "Viewer",
    "active_ids",
    "active_roles",
    "check_region",
    "competence_experts",
    "coordinator_scope",
    "has_role",
    "in_scope",
    "is_admin",
    "is_chief",
    "is_coordinator",
    "is_expert",
    "participant_in_scope",
    "require_chief",
]
