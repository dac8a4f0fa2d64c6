"""Coordinators: the verification queue of their regions, decisions (R-VER-3), reopening a
submitted application (R-APP-6). Every method checks the role here, whatever the caller
shows or sends."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules
from models.contest_file import Role
from models.errors import DomainError, Forbidden, NotFound
from models.rules import ApplicationStatus, VerificationStatus
from models.services.access import coordinator_scope, in_scope, is_admin, participant_in_scope
from models.services.base import Service, ServiceContext, count_rows, lock
from models.services.contests import application_deadline
from models.services.participants.records import restage
from models.tables import (
    Application,
    AuditRecord,
    Contest,
    Participant,
    Person,
    Region,
    RoleAssignment,
)
from models.views import StaffRoles, VerificationCard

QUEUE_PAGE = 6
MAX_REASON = 500


def decision_reason(accept: bool, reason: str | None) -> str | None:
    """The reason of a coordinator's decision (R-VER-3, R-ROLE-5): trimmed; required to refuse
    or return, at most ``MAX_REASON`` characters."""
    reason = (reason or "").strip() or None
    if not accept and reason is None:
        raise DomainError("reason_required")
    if reason is not None and len(reason) > MAX_REASON:
        raise DomainError("reason_too_long", limit=MAX_REASON)
    return reason


#: the audit action of one showing of a full СНИЛС, and the double-tap window (issue #15)
SNILS_SHOWN = "participant.snils_shown"
SNILS_REPEAT = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class SnilsShown:
    """A showing of the full СНИЛС: ``snils`` None when it was shown to this coordinator at
    ``at`` a moment ago (nothing shown again)."""

    snils: str | None
    name: str
    at: datetime
    timezone: str


def submission_rev(p: Participant | VerificationCard) -> int:
    """Which submission of the form a card showed (its moment, in seconds): a decision made
    from a card of an earlier submission is refused (issue #12)."""
    return int(p.submitted_at.timestamp()) if p.submitted_at else 0


async def staff_roles(s: AsyncSession, ctx: ServiceContext, telegram_id: int) -> StaffRoles:
    """The contests (and regions; None = all) a person coordinates; an admin coordinates all."""
    rows = (
        await s.execute(
            select(RoleAssignment).where(
                RoleAssignment.telegram_id == telegram_id,
                RoleAssignment.active.is_(True),
                RoleAssignment.role.in_([Role.COORDINATOR, Role.FEDERAL_COORDINATOR]),
            )
        )
    ).scalars()
    contests: dict[int, frozenset[str] | None] = {}
    for r in rows:
        if r.role == Role.FEDERAL_COORDINATOR:
            contests[r.contest_id] = None
        elif r.contest_id not in contests or contests[r.contest_id] is not None:
            contests[r.contest_id] = (contests.get(r.contest_id) or frozenset()) | frozenset(
                r.region_codes
            )
    if is_admin(ctx, telegram_id):
        for (cid,) in await s.execute(select(Contest.id)):
            contests[cid] = None
    return StaffRoles(is_admin(ctx, telegram_id), contests)


async def refuse_withdrawn(s: AsyncSession, p: Participant) -> NoReturn:
    """A decision about a participant who withdrew (R-PD-1) is refused, saying when."""
    contest = await s.get(Contest, p.contest_id)
    raise DomainError(
        "participant_withdrawn",
        at=p.withdrawn_at or "—",
        tz=contest.timezone if contest else "Europe/Moscow",
    )


async def who_decided(
    s: AsyncSession, contest_id: int, actor: int, decider: int | None
) -> dict[str, str]:
    """Who decided, for a refusal: "you", a named coordinator (the name from the contest
    file, else the Telegram name we know), or "another coordinator"."""
    if decider is None:
        return {"by": "other", "name": ""}
    if decider == actor:
        return {"by": "you", "name": ""}
    name = (
        await s.execute(
            select(RoleAssignment.name)
            .where(
                RoleAssignment.contest_id == contest_id,
                RoleAssignment.telegram_id == decider,
                RoleAssignment.name.is_not(None),
            )
            .limit(1)
        )
    ).scalar_one_or_none()
    if not name:
        name = (
            await s.execute(select(Person.display_name).where(Person.telegram_id == decider))
        ).scalar_one_or_none()
    return {"by": "named", "name": name} if name else {"by": "other", "name": ""}


class CoordinatorService(Service):
    async def staff_roles(self, telegram_id: int) -> StaffRoles:
        async with self.read() as s:
            return await staff_roles(s, self.ctx, telegram_id)

    async def queue(
        self, telegram_id: int, contest_id: int, page: int = 0
    ) -> tuple[list[VerificationCard], int, int]:
        """Pending verification requests of the coordinator's regions, oldest first."""
        async with self.read() as s:
            scope = await coordinator_scope(s, self.ctx, telegram_id, contest_id)
            cond: list[Any] = [
                Participant.contest_id == contest_id,
                Participant.verification_status == VerificationStatus.PENDING,
            ]
            cond += in_scope(contest_id, scope)
            total = await count_rows(s, Participant, *cond)
            pages = max(1, math.ceil(total / QUEUE_PAGE))
            page = min(max(page, 0), pages - 1)
            rows = (
                await s.execute(
                    select(Participant)
                    .where(*cond)
                    .options(
                        selectinload(Participant.region),
                        selectinload(Participant.organisation),
                        selectinload(Participant.application),
                    )
                    .order_by(Participant.submitted_at, Participant.id)
                    .offset(page * QUEUE_PAGE)
                    .limit(QUEUE_PAGE)
                )
            ).scalars()
            contest = await s.get(Contest, contest_id)
            return [self._card(p, contest) for p in rows], total, pages

    async def applications(
        self, telegram_id: int, contest_id: int, page: int = 0
    ) -> tuple[list[VerificationCard], int, int]:
        """Submitted applications of the coordinator's regions, newest first."""
        async with self.read() as s:
            scope = await coordinator_scope(s, self.ctx, telegram_id, contest_id)
            cond: list[Any] = [
                Participant.contest_id == contest_id,
                Application.status == ApplicationStatus.SUBMITTED,
                # a withdrawn participant's application is out of the contest (R-PD-1, issue #12)
                Participant.verification_status != VerificationStatus.WITHDRAWN,
            ]
            cond += in_scope(contest_id, scope)
            base = (
                select(Participant)
                .join(Application, Application.participant_id == Participant.id)
                .where(*cond)
            )
            total = (
                await s.execute(select(func.count()).select_from(base.subquery()))
            ).scalar_one()
            pages = max(1, math.ceil(total / QUEUE_PAGE))
            page = min(max(page, 0), pages - 1)
            rows = (
                await s.execute(
                    base.options(
                        selectinload(Participant.region),
                        selectinload(Participant.organisation),
                        selectinload(Participant.application).selectinload(Application.nomination),
                    )
                    .order_by(Application.submitted_at.desc(), Participant.id)
                    .offset(page * QUEUE_PAGE)
                    .limit(QUEUE_PAGE)
                )
            ).scalars()
            contest = await s.get(Contest, contest_id)
            return [self._card(p, contest) for p in rows], total, pages

    async def card(self, telegram_id: int, participant_id: int) -> VerificationCard:
        async with self.read() as s:
            p = await participant_in_scope(s, self.ctx, telegram_id, participant_id)
            contest = await s.get(Contest, p.contest_id)
            return self._card(p, contest)

    # ------------------------------------------------------------------ the full СНИЛС (R-PD-2)

    async def _snils_region_coordinator(
        self, s: AsyncSession, telegram_id: int, p: Participant
    ) -> bool:
        """Only a coordinator whose own regions include the participant's region (issue #15) —
        not a coordinator of another region, not a federal coordinator, not an admin."""
        region = await s.get(Region, p.region_id) if p.region_id else None
        if region is None:
            return False
        rows = (
            await s.execute(
                select(RoleAssignment.region_codes).where(
                    RoleAssignment.telegram_id == telegram_id,
                    RoleAssignment.contest_id == p.contest_id,
                    RoleAssignment.role == Role.COORDINATOR,
                    RoleAssignment.active.is_(True),
                )
            )
        ).scalars()
        return any(region.code in (codes or []) for codes in rows)

    async def may_show_snils(self, telegram_id: int, participant_id: int) -> bool:
        """Whether the card offers «Показать СНИЛС» to this person (the service decides again)."""
        async with self.read() as s:
            p = await s.get(Participant, participant_id)
            return (
                p is not None
                and p.snils_encrypted is not None
                and await self._snils_region_coordinator(s, telegram_id, p)
            )

    async def show_snils(self, telegram_id: int, participant_id: int) -> SnilsShown:
        """R-PD-2 (issue #15): the full СНИЛС for the coordinator of the participant's region,
        one audit row per showing (masked value only; the number itself is never logged nor
        stored anywhere but its ciphertext). A repeat by the same coordinator within
        ``SNILS_REPEAT`` (a double tap) shows nothing new and says when it was shown."""
        async with self.uow() as uow:
            s = uow.session
            p = await lock(s, Participant, participant_id)  # one showing at a time per participant
            if p is None or not await self._snils_region_coordinator(s, telegram_id, p):
                raise Forbidden("snils_not_your_region")
            if p.snils_encrypted is None:
                raise DomainError("snils_none")
            contest = await s.get(Contest, p.contest_id)
            tz = contest.timezone if contest else "Europe/Moscow"
            last = (
                await s.execute(
                    select(AuditRecord.at)
                    .where(
                        AuditRecord.action == SNILS_SHOWN,
                        AuditRecord.entity == "participant",
                        AuditRecord.entity_id == p.id,
                        AuditRecord.actor_telegram_id == telegram_id,
                        AuditRecord.at > uow.now - SNILS_REPEAT,
                    )
                    .order_by(AuditRecord.at.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
            if last is not None:
                return SnilsShown(None, p.full_name or "—", last, tz)
            try:
                snils = self.ctx.cipher.decrypt(p.snils_encrypted)
            except ValueError:
                raise DomainError("snils_unreadable") from None
            uow.audit(
                telegram_id,
                SNILS_SHOWN,
                "participant",
                p.id,
                contest_id=p.contest_id,
                after={"snils": rules.snils_mask(rules.snils_digits(snils) or snils)},
            )
            return SnilsShown(
                rules.snils_format(rules.snils_digits(snils) or snils),
                p.full_name or "—",
                uow.now,
                tz,
            )

    async def decide(
        self,
        telegram_id: int,
        participant_id: int,
        accept: bool,
        reason: str | None = None,
        expected_rev: int | None = None,
    ) -> VerificationCard:
        """R-VER-3: accept, or reject with a reason shown to the participant; the participant
        is told through the outbox (R-VER-5), never from the handler. ``expected_rev`` (from
        the card the coordinator saw, :func:`submission_rev`) refuses a decision about a form
        that was sent again since."""
        reason = decision_reason(accept, reason)
        async with self.uow() as uow:
            s = uow.session
            # Issue #12: the participant's row is locked before it is read — a double press,
            # two coordinators of a region, «Принять» with «Отказать»: one decision wins, the
            # other caller is told which one, by whom and when.
            await lock(s, Participant, participant_id)
            p = await participant_in_scope(s, self.ctx, telegram_id, participant_id)
            await self._decision_guard(s, telegram_id, p, expected_rev)
            before = p.verification_status
            p.verification_status = (
                VerificationStatus.ACCEPTED if accept else VerificationStatus.REJECTED
            )
            restage(p, None)
            p.rejection_reason = None if accept else reason
            p.decided_at = uow.now
            p.decided_by = telegram_id
            contest = await s.get(Contest, p.contest_id)
            if contest is None:
                raise NotFound("contest_not_found")
            uow.audit(
                telegram_id,
                "verification.accept" if accept else "verification.reject",
                "participant",
                p.id,
                contest_id=p.contest_id,
                before={"status": before},
                after={"status": p.verification_status, "reason": p.rejection_reason},
            )
            person = await s.get(Person, p.person_id)
            if person is None:
                raise NotFound("participant_not_found")
            await uow.notify(
                reason="verification_status",
                subject=f"participant:{p.id}",
                chat_id=person.chat_id or person.telegram_id,
                language=person.language,
                key="notify-verification-accepted" if accept else "notify-verification-rejected",
                args={"contest": contest.title, "reason": reason or ""},
                keyboard=[
                    [
                        {
                            "text": "btn-choose-nomination" if accept else "btn-fix-form",
                            "action": "nominations" if accept else "form",
                            "contest_id": str(p.contest_id),
                        }
                    ]
                ],
            )
            await s.flush()
            return self._card(p, contest)

    async def reopen(self, telegram_id: int, participant_id: int) -> VerificationCard:
        """R-APP-6: a coordinator returns a submitted application to the participant."""
        async with self.uow() as uow:
            s = uow.session
            await lock(s, Participant, participant_id)  # issue #12: one reopening, one notice
            p = await participant_in_scope(s, self.ctx, telegram_id, participant_id)
            await self._reopen_guard(s, telegram_id, p)
            app = p.application
            assert app is not None
            contest = await s.get(Contest, p.contest_id, options=[selectinload(Contest.stages)])
            if contest is None:
                raise NotFound("contest_not_found")
            deadline = application_deadline(contest)
            if rules.deadline_passed(deadline, uow.now):
                # reopening now would take the application out of evaluation for good
                raise DomainError("reopen_after_deadline", deadline=deadline, tz=contest.timezone)
            app.status = ApplicationStatus.DRAFT
            restage(p, app.status)
            app.reopened_at = uow.now
            uow.audit(
                telegram_id,
                "application.reopen",
                "application",
                app.id,
                contest_id=p.contest_id,
                before={
                    "status": ApplicationStatus.SUBMITTED,
                    "submitted_at": app.submitted_at.isoformat() if app.submitted_at else None,
                },
                after={"status": ApplicationStatus.DRAFT},
            )
            app.submitted_at = None
            person = await s.get(Person, p.person_id)
            if person is None:
                raise NotFound("participant_not_found")
            await uow.notify(
                reason="application_reopened",
                subject=f"application:{app.id}",
                chat_id=person.chat_id or person.telegram_id,
                language=person.language,
                key="notify-application-reopened",
                args={"contest": contest.title, "nomination": app.nomination.title},
                keyboard=[
                    [
                        {
                            "text": "btn-open-application",
                            "action": "application",
                            "contest_id": str(p.contest_id),
                        }
                    ]
                ],
            )
            await s.flush()
            return self._card(p, contest)

    async def check(
        self, telegram_id: int, participant_id: int, action: str, expected_rev: int | None = None
    ) -> VerificationCard:
        """Refuse a card's button at once, before any reason is asked (issue #12): ``action``
        is "decide" (the card's «Отказать», «Другая причина…») or "reopen" (the first step of
        «Вернуть на доработку»), "open" for the card itself. The same guards run again,
        under the lock, when the decision is applied."""
        async with self.read() as s:
            p = await participant_in_scope(s, self.ctx, telegram_id, participant_id)
            if action == "decide":
                await self._decision_guard(s, telegram_id, p, expected_rev)
            elif action == "reopen":
                await self._reopen_guard(s, telegram_id, p)
            elif p.verification_status == VerificationStatus.WITHDRAWN:
                await refuse_withdrawn(s, p)
            contest = await s.get(Contest, p.contest_id)
            return self._card(p, contest)

    async def _decision_guard(
        self, s: AsyncSession, telegram_id: int, p: Participant, expected_rev: int | None
    ) -> None:
        """R-VER-3: only a pending form is decided, once; the refusal says what happened."""
        status = p.verification_status
        if status == VerificationStatus.WITHDRAWN:
            await refuse_withdrawn(s, p)
        contest = await s.get(Contest, p.contest_id)
        tz = contest.timezone if contest else "Europe/Moscow"
        if status in (VerificationStatus.ACCEPTED, VerificationStatus.REJECTED):
            who = await who_decided(s, p.contest_id, telegram_id, p.decided_by)
            raise DomainError(
                "already_decided",
                outcome="accepted" if status == VerificationStatus.ACCEPTED else "rejected",
                reason=p.rejection_reason or "—",
                at=p.decided_at or "—",
                tz=tz,
                **who,
            )
        if status != VerificationStatus.PENDING:
            raise DomainError("form_not_submitted")
        if expected_rev and submission_rev(p) != expected_rev:
            raise DomainError("form_resubmitted", at=p.submitted_at or "—", tz=tz)

    async def _reopen_guard(self, s: AsyncSession, telegram_id: int, p: Participant) -> None:
        """R-APP-6: only a submitted application of a participant still in the contest."""
        if p.verification_status == VerificationStatus.WITHDRAWN:
            await refuse_withdrawn(s, p)  # and no notice goes to the withdrawn person
        app = p.application
        if (
            app is not None
            and app.status == ApplicationStatus.DRAFT
            and app.reopened_at is not None
        ):
            actor = (
                await s.execute(
                    select(AuditRecord.actor_telegram_id)
                    .where(
                        AuditRecord.action == "application.reopen",
                        AuditRecord.entity == "application",
                        AuditRecord.entity_id == app.id,
                    )
                    .order_by(AuditRecord.id.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
            contest = await s.get(Contest, p.contest_id)
            who = await who_decided(s, p.contest_id, telegram_id, actor)
            raise DomainError(
                "already_reopened",
                at=app.reopened_at,
                tz=contest.timezone if contest else "Europe/Moscow",
                **who,
            )
        if app is None or app.status != ApplicationStatus.SUBMITTED:
            raise DomainError("not_submitted")

    @staticmethod
    def _card(p: Participant, contest: Contest | None) -> VerificationCard:
        app = p.application
        return VerificationCard(
            participant_id=p.id,
            contest_title=contest.title if contest else "",
            full_name=p.full_name or "—",
            snils_masked=rules.snils_mask("0" * 9 + p.snils_last2) if p.snils_last2 else "—",
            region=p.region.name if p.region else "—",
            organisation=p.organisation.name if p.organisation else "—",
            status=p.verification_status,
            submitted_at=p.submitted_at,
            rejection_reason=p.rejection_reason,
            application_status=app.status if app else None,
            nomination_title=app.nomination.title
            if app is not None and "nomination" in app.__dict__
            else None,
            application_id=app.id if app else None,
            contest_id=p.contest_id,
        )
