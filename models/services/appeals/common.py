"""Steps the appeal services share, as module-level functions taking the session or the unit
of work: the rows they read, the refusals that say who already acted and when, the
commission's heads and who decides a case (R-APL-6), an appeal's view, a notice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import commission as cms
from models.contest_file import Role
from models.errors import DomainError, Forbidden, NotFound
from models.services.access import active_roles, competence_experts
from models.services.appeals.views import (
    AppealView,
    MemberView,
)
from models.services.base import UnitOfWork
from models.services.scoring.people import person_name
from models.services.scoring.protocols import target_label
from models.tables import (
    Appeal,
    AppealVote,
    AuditRecord,
    CommissionMember,
    Contest,
    EvaluationTarget,
    Organisation,
    PreAppeal,
    RoleAssignment,
    Scheme,
)


async def scheme_of(s: AsyncSession, scheme_id: int) -> Scheme:
    scheme = await s.get(Scheme, scheme_id)
    if scheme is None:
        raise NotFound("scheme_not_found")
    return scheme


async def tz_of(s: AsyncSession, contest_id: int) -> str:
    contest = await s.get(Contest, contest_id)
    return contest.timezone if contest else "Europe/Moscow"


async def accredited_experts(s: AsyncSession, scheme: Scheme) -> list[int]:
    """The experts accredited at the site of a competence: its chief, group members and
    mentors who hold the expert role now."""

    return sorted(await competence_experts(s, scheme))


async def who_name(s: AsyncSession, contest_id: int, telegram_id: int | None) -> str:
    """A staff member's name for a refusal («принято председателем Ивановой …»)."""
    if telegram_id is None:
        return "—"
    name = (
        await s.execute(
            select(CommissionMember.name).where(
                CommissionMember.contest_id == contest_id,
                CommissionMember.telegram_id == telegram_id,
            )
        )
    ).scalar_one_or_none()
    return name or await person_name(s, contest_id, telegram_id)


async def audited(
    s: AsyncSession, action: str, entity: str, entity_id: int, actor: int | None = None
) -> AuditRecord | None:
    """The latest audit row of a transition (when it happened, for the loser's message)."""
    q = select(AuditRecord).where(
        AuditRecord.action == action,
        AuditRecord.entity == entity,
        AuditRecord.entity_id == entity_id,
    )
    if actor is not None:
        q = q.where(AuditRecord.actor_telegram_id == actor)
    return (await s.execute(q.order_by(AuditRecord.id.desc()))).scalars().first()


async def closed_error(s: AsyncSession, row: PreAppeal, scheme: Scheme) -> DomainError:
    """The vote is over: by whom (or by itself — everyone voted), when, and its outcome."""
    return DomainError(
        "pre_appeal_closed_already",
        id=row.id,
        at=row.closed_at or row.opened_at,
        tz=await tz_of(s, scheme.contest_id),
        outcome=row.status,
        auto="yes" if row.closed_by is None else "no",
        by=await who_name(s, scheme.contest_id, row.closed_by),
    )


async def decided_error(s: AsyncSession, appeal: Appeal) -> DomainError:
    """R-APL-8: the decision is taken and final — what it was, by whom, when."""
    chair, _ = await heads(s, appeal.contest_id)
    # R-APL-6 (issue #15): the deputy's decision is credited to the deputy, not «председатель»
    role = "chair" if chair is None or appeal.decided_by in (None, chair.telegram_id) else "deputy"
    return DomainError(
        "appeal_decided_already",
        id=appeal.id,
        decision=appeal.decision or "rejected",
        at=appeal.decided_at or appeal.filed_at,
        tz=await tz_of(s, appeal.contest_id),
        by=await who_name(s, appeal.contest_id, appeal.decided_by),
        role=role,
    )


async def not_open_error(s: AsyncSession, appeal: Appeal) -> DomainError:
    """Why a registered-only action is refused: decided, refused as late, or not yet registered."""
    if appeal.status == "decided":
        return await decided_error(s, appeal)
    if appeal.status == "refused_late":
        return DomainError(
            "appeal_refused_late_already",
            id=appeal.id,
            deadline=appeal.deadline_at,
            tz=await tz_of(s, appeal.contest_id),
        )
    return DomainError("appeal_not_open")


async def tell(
    uow: UnitOfWork,
    telegram_id: int,
    subject: str,
    key: str,
    args: dict[str, Any],
    *,
    reason: str,
    keyboard: list[list[dict[str, str]]] | None = None,
    due_at: datetime | None = None,
) -> int | None:
    return await uow.notify_person(
        telegram_id,
        reason=reason,
        subject=subject,
        key=key,
        args=args,
        keyboard=keyboard,
        due_at=due_at,
    )


async def members_of(s: AsyncSession, contest_id: int) -> list[MemberView]:
    rows = (
        await s.execute(
            select(CommissionMember)
            .where(CommissionMember.contest_id == contest_id)
            .order_by(CommissionMember.id)
        )
    ).scalars()
    return [MemberView(m.telegram_id, m.name, m.role, m.organisation_code) for m in rows]


async def require_member(s: AsyncSession, actor: int, contest_id: int) -> CommissionMember:
    row = (
        await s.execute(
            select(CommissionMember).where(
                CommissionMember.contest_id == contest_id, CommissionMember.telegram_id == actor
            )
        )
    ).scalar_one_or_none()
    if row is None or not any(
        r.role == Role.COMMISSION_MEMBER for r in await active_roles(s, actor, contest_id)
    ):
        raise Forbidden("not_commission_member")
    return row


async def heads(s: AsyncSession, contest_id: int) -> tuple[MemberView | None, MemberView | None]:
    """(chair, deputy) of the formed commission."""
    members = await members_of(s, contest_id)
    return (
        next((m for m in members if m.role == cms.CHAIR), None),
        next((m for m in members if m.role == cms.DEPUTY), None),
    )


async def decider_of(s: AsyncSession, appeal: Appeal) -> int | None:
    chair, deputy = await heads(s, appeal.contest_id)
    return cms.appeal_decider(
        chair.telegram_id if chair else None,
        deputy.telegram_id if deputy else None,
        appeal.excluded,
    )


async def check_decider(uow: UnitOfWork, appeal: Appeal, t: EvaluationTarget) -> None:
    """R-APL-6: a case is never left without anyone able to decide it. When the chair is
    excluded the deputy is told the case is theirs; when both are excluded the coordinator
    who formed the commission and the secretary (Directorate staff) are told whom to
    replace (name another deputy in /commission)."""
    s = uow.session
    chair, deputy = await heads(s, appeal.contest_id)
    decider = await decider_of(s, appeal)
    if decider is not None and deputy is not None and decider == deputy.telegram_id:
        await tell(
            uow,
            decider,
            f"appeal:{appeal.id}:deputy",
            "cms-note-deputy-decides",
            {"id": appeal.id, "target": target_label(t), "chair": chair.name if chair else "—"},
            reason="appeal",
            keyboard=[
                [
                    {
                        "text": "apl-btn-open",
                        "action": "appeal",
                        "contest_id": str(appeal.contest_id),
                        "id": str(appeal.id),
                        "do": "view",
                    }
                ]
            ],
        )
    if decider is not None:
        return
    formed_by = (
        await s.execute(
            select(CommissionMember.formed_by)
            .where(CommissionMember.contest_id == appeal.contest_id)
            .limit(1)
        )
    ).scalar_one_or_none()
    secretary = next(
        (m.telegram_id for m in await members_of(s, appeal.contest_id) if m.role == cms.SECRETARY),
        None,
    )
    args = {
        "id": appeal.id,
        "target": target_label(t),
        "chair": chair.name if chair else "—",
        "deputy": deputy.name if deputy else "—",
    }
    uow.audit(
        None,
        "appeal.no_decider",
        "appeal",
        appeal.id,
        contest_id=appeal.contest_id,
        after={"excluded": appeal.excluded},
    )
    for who in dict.fromkeys(x for x in (formed_by, secretary) if x is not None):
        await tell(
            uow,
            who,
            f"appeal:{appeal.id}:no-decider:{len(appeal.excluded)}",
            "cms-note-no-decider",
            args,
            reason="appeal",
        )


async def conflicts(s: AsyncSession, appeal: Appeal, t: EvaluationTarget) -> list[int]:
    """R-APL-6: a member does not decide a case about a person of their organisation or a
    close relative (declared with ``DecisionService.declare_conflict``)."""
    org = None
    if t.participant is not None and t.participant.organisation_id is not None:
        org = (
            await s.execute(
                select(Organisation.code).where(Organisation.id == t.participant.organisation_id)
            )
        ).scalar_one_or_none()
    applicant_org = (
        (
            await s.execute(
                select(RoleAssignment.organisation_code).where(
                    RoleAssignment.contest_id == appeal.contest_id,
                    RoleAssignment.telegram_id == appeal.applicant_telegram_id,
                )
            )
        )
        .scalars()
        .first()
    )
    out = []
    for m in await members_of(s, appeal.contest_id):
        if m.organisation_code and m.organisation_code in (org, applicant_org):
            out.append(m.telegram_id)
    return out


async def appeal_view(s: AsyncSession, a: Appeal) -> AppealView:
    t = (
        await s.execute(
            select(EvaluationTarget)
            .where(EvaluationTarget.id == a.target_id)
            .options(selectinload(EvaluationTarget.participant))
        )
    ).scalar_one()
    votes = (
        (await s.execute(select(AppealVote).where(AppealVote.appeal_id == a.id))).scalars().all()
    )
    return AppealView(
        a.id,
        a.scheme_id,
        a.target_id,
        target_label(t),
        a.applicant_telegram_id,
        a.applicant_role,
        a.kind,
        dict(a.fields),
        list(a.evidence),
        a.dispute_at,
        a.deadline_at,
        a.filed_at,
        a.registered_at,
        a.decide_by,
        a.status,
        tuple(a.excluded),
        sum(1 for v in votes if v.uphold),
        sum(1 for v in votes if not v.uphold),
        a.decision,
        a.decision_text,
        a.deduction,
        a.disqualified,
        a.decided_at,
        await tz_of(s, a.contest_id),
        tuple((v.telegram_id, v.uphold) for v in votes),
        decider=await decider_of(s, a),
        restored=a.restored,
        penalised=a.penalised_target_id,
        penalised_label=await target_label_of(s, a.penalised_target_id),
    )


async def target_label_of(s: AsyncSession, target_id: int | None) -> str | None:
    if target_id is None:
        return None
    t = (
        await s.execute(
            select(EvaluationTarget)
            .where(EvaluationTarget.id == target_id)
            .options(selectinload(EvaluationTarget.participant))
        )
    ).scalar_one_or_none()
    return None if t is None else target_label(t)
