"""Before scoring: experts, assessment groups, assignment, targets, mentors and their
allowance, the task briefing (R-SCH-4, R-ROLE-3)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules
from models.contest_file import ExpertStatus, Role
from models.errors import DomainError, Forbidden, NotFound
from models.rules import ApplicationStatus, VerificationStatus
from models.services.access import (
    active_roles,
    competence_experts,
    is_chief,
    is_coordinator,
    is_expert,
    require_chief,
)
from models.services.base import Service, count_rows
from models.services.base import lock as lock_row
from models.services.scoring import protocols as docs
from models.services.scoring.common import (
    contest_tz,
    scheme_row,
    scores_unlocked,
    target_row,
    tell,
)
from models.services.scoring.protocols import target_label
from models.services.scoring.views import (
    GroupView,
    SubcriterionView,
)
from models.tables import (
    Application,
    AssessmentGroup,
    EvaluationTarget,
    GroupMember,
    MentorAllowanceVote,
    Participant,
    RoleAssignment,
    SchemeAspect,
    SchemeSubcriterion,
    Score,
    SheetConfirmation,
)


class ScoringSetupService(Service):
    """Before scoring: experts, assessment groups, assignment, targets, mentors and their
    allowance, the task briefing (R-SCH-4, R-ROLE-3)."""

    async def experts(self, actor: int, scheme_id: int) -> list[tuple[int, str, str | None]]:
        """The contest's active experts (telegram id, name, status), for the chief to pick."""
        async with self.read() as s:
            scheme = await scheme_row(s, scheme_id)
            await require_chief(s, self.ctx, actor, scheme)
            rows = (
                await s.execute(
                    select(RoleAssignment)
                    .where(
                        RoleAssignment.contest_id == scheme.contest_id,
                        RoleAssignment.role == Role.EXPERT,
                        RoleAssignment.active.is_(True),
                    )
                    .order_by(RoleAssignment.name)
                )
            ).scalars()
            return [(r.telegram_id, r.name or str(r.telegram_id), r.expert_status) for r in rows]

    async def _marks_exist(self, s: AsyncSession, subcriterion_ids: Iterable[int]) -> bool:
        ids = list(subcriterion_ids)
        if not ids:
            return False
        n = (
            await s.execute(
                select(func.count())
                .select_from(Score)
                .join(SchemeAspect, SchemeAspect.id == Score.aspect_id)
                .where(SchemeAspect.subcriterion_id.in_(ids))
            )
        ).scalar_one()
        return n > 0

    async def create_group(
        self,
        actor: int,
        scheme_id: int,
        members: list[int],
        *,
        name: str | None = None,
        leader: int | None = None,
    ) -> GroupView:
        """The chief expert forms a group of exactly four experts of the contest."""
        async with self.uow() as uow:
            s = uow.session
            scheme = await scheme_row(s, scheme_id, lock=True)
            await require_chief(s, self.ctx, actor, scheme)
            await scores_unlocked(s, scheme)
            unique = list(dict.fromkeys(members))
            if len(unique) != rules.GROUP_SIZE:
                raise DomainError("group_size", size=rules.GROUP_SIZE, count=len(unique))
            experts = {
                r.telegram_id
                for r in (
                    await s.execute(
                        select(RoleAssignment).where(
                            RoleAssignment.contest_id == scheme.contest_id,
                            RoleAssignment.role == Role.EXPERT,
                            RoleAssignment.active.is_(True),
                        )
                    )
                ).scalars()
            }
            if any(m not in experts for m in unique):
                raise DomainError("group_member_not_expert")
            if leader is not None and leader not in unique:
                raise DomainError("leader_not_member")
            # a second «Создать группу» (a double tap) finds the group the first one made
            for other in (
                await s.execute(
                    select(AssessmentGroup)
                    .where(AssessmentGroup.scheme_id == scheme_id)
                    .options(selectinload(AssessmentGroup.members))
                )
            ).scalars():
                if {m.telegram_id for m in other.members} == set(unique):
                    raise DomainError(
                        "group_exists",
                        group=other.code,
                        at=other.created_at,
                        tz=await contest_tz(s, scheme.contest_id),
                    )
            count = await count_rows(s, AssessmentGroup, AssessmentGroup.scheme_id == scheme_id)
            code = f"G{count + 1}"
            while (
                await s.execute(
                    select(AssessmentGroup.id).where(
                        AssessmentGroup.scheme_id == scheme_id, AssessmentGroup.code == code
                    )
                )
            ).first():
                count += 1
                code = f"G{count + 1}"
            group = AssessmentGroup(
                scheme_id=scheme_id,
                code=code,
                name=(name or "").strip()[:200] or code,
                leader_telegram_id=leader,
                created_at=uow.now,
            )
            group.members = [GroupMember(telegram_id=m) for m in unique]
            s.add(group)
            await s.flush()
            uow.audit(
                actor,
                "group.create",
                "group",
                group.id,
                contest_id=scheme.contest_id,
                after={"code": code, "members": unique, "leader": leader},
            )
            return GroupView(group.id, code, group.name, tuple(unique), leader)

    async def assign_subcriterion(
        self, actor: int, subcriterion_id: int, group_id: int
    ) -> SubcriterionView:
        """R-SCH-4: one subcriterion, one group. Not once marks exist for it."""
        async with self.uow() as uow:
            s = uow.session
            sub = await s.get(SchemeSubcriterion, subcriterion_id)
            if sub is None:
                raise NotFound("subcriterion_not_found")
            scheme = await scheme_row(s, sub.scheme_id, lock=True)
            await s.refresh(
                sub
            )  # as it is now that the scheme is held (another assignment may have committed)
            await require_chief(s, self.ctx, actor, scheme)
            group = await s.get(AssessmentGroup, group_id)
            if group is None or group.scheme_id != scheme.id:
                raise NotFound("group_not_found")
            if sub.group_id == group_id:  # a double tap: the first one did it
                raise DomainError("subcriterion_already_assigned", sub=sub.code, group=group.code)
            if await self._marks_exist(s, [sub.id]):
                raise DomainError("subcriterion_has_marks")
            before = sub.group_id
            sub.group_id = group_id
            uow.audit(
                actor,
                "subcriterion.assign",
                "subcriterion",
                sub.id,
                contest_id=scheme.contest_id,
                before={"group_id": before},
                after={"group_id": group_id},
            )
            n, pts = (
                await s.execute(
                    select(func.count(), func.coalesce(func.sum(SchemeAspect.max_points), 0)).where(
                        SchemeAspect.subcriterion_id == sub.id
                    )
                )
            ).one()
            return SubcriterionView(
                sub.id, sub.code, sub.title, n, Decimal(str(pts)), group.id, group.code
            )

    async def build_targets(self, actor: int, scheme_id: int) -> int:
        """Put every accepted participant with a submitted application in the scheme's
        nomination on the evaluation list (R-APP-6). Returns how many were added."""
        async with self.uow() as uow:
            s = uow.session
            scheme = await scheme_row(s, scheme_id, lock=True)
            if not (
                await is_chief(s, actor, scheme)
                or await is_coordinator(s, self.ctx, actor, scheme.contest_id)
            ):
                raise Forbidden("not_chief")
            await scores_unlocked(s, scheme)
            have = set(
                (
                    await s.execute(
                        select(EvaluationTarget.participant_id).where(
                            EvaluationTarget.scheme_id == scheme_id
                        )
                    )
                ).scalars()
            )
            number = (
                await s.execute(
                    select(func.coalesce(func.max(EvaluationTarget.number), 0)).where(
                        EvaluationTarget.scheme_id == scheme_id
                    )
                )
            ).scalar_one()
            rows = (
                await s.execute(
                    select(Participant)
                    .join(Application, Application.participant_id == Participant.id)
                    .where(
                        Participant.contest_id == scheme.contest_id,
                        Participant.verification_status == VerificationStatus.ACCEPTED,
                        Participant.withdrawn_at.is_(None),
                        Application.nomination_id == scheme.nomination_id,
                        Application.status == ApplicationStatus.SUBMITTED,
                    )
                    .order_by(Application.submitted_at, Participant.id)
                )
            ).scalars()
            added = 0
            for p in rows:
                if p.id in have:
                    continue
                number += 1
                s.add(
                    EvaluationTarget(
                        scheme_id=scheme_id,
                        participant_id=p.id,
                        number=number,
                        region_id=p.region_id,
                        created_at=uow.now,
                    )
                )
                added += 1
            if added:
                # new participants mean new marks to give: earlier confirmations no longer cover the sheet
                await s.execute(
                    update(SheetConfirmation)
                    .where(
                        SheetConfirmation.scheme_id == scheme_id,
                        SheetConfirmation.kind == "expert",
                        SheetConfirmation.revoked_at.is_(None),
                    )
                    .values(revoked_at=uow.now)
                )
                uow.audit(
                    actor,
                    "targets.build",
                    "scheme",
                    scheme_id,
                    contest_id=scheme.contest_id,
                    after={"added": added},
                )
            return added

    async def targets(self, actor: int, scheme_id: int) -> list[tuple[int, str, int | None, bool]]:
        """(target id, label, mentor, mentor allowed) — for the chief expert."""
        async with self.read() as s:
            scheme = await scheme_row(s, scheme_id)
            await require_chief(s, self.ctx, actor, scheme)
            rows = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(EvaluationTarget.scheme_id == scheme_id)
                    .options(selectinload(EvaluationTarget.participant))
                    .order_by(EvaluationTarget.number)
                )
            ).scalars()
            return [
                (t.id, target_label(t), t.mentor_telegram_id, t.mentor_allowed_at is not None)
                for t in rows
            ]

    async def mentor_targets(self, actor: int, scheme_id: int) -> list[tuple[int, str]]:
        """The participants this mentor represents in a scheme (R-ROLE-3)."""
        async with self.read() as s:
            scheme = await scheme_row(s, scheme_id)
            if not await is_expert(s, actor, scheme.contest_id):
                raise Forbidden("not_expert")
            rows = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(
                        EvaluationTarget.scheme_id == scheme_id,
                        EvaluationTarget.mentor_telegram_id == actor,
                    )
                    .options(selectinload(EvaluationTarget.participant))
                    .order_by(EvaluationTarget.number)
                )
            ).scalars()
            return [(t.id, target_label(t)) for t in rows]

    async def set_mentor(self, actor: int, target_id: int, mentor: int | None) -> None:
        """R-ROLE-3: an эксперт-наставник represents exactly one participant."""
        async with self.uow() as uow:
            s = uow.session
            await lock_row(s, EvaluationTarget, target_id)  # one designation at a time (R-ROLE-3)
            target, scheme = await target_row(s, target_id)
            await require_chief(s, self.ctx, actor, scheme)
            votes = await count_rows(
                s, MentorAllowanceVote, MentorAllowanceVote.target_id == target_id
            )
            if (
                target.mentor_telegram_id == mentor
                and target.mentor_allowed_at is None
                and not votes
            ):
                return  # already so (a double tap): nothing to change, nothing to record
            if mentor is not None:
                roles = await active_roles(s, mentor, scheme.contest_id)
                if not any(
                    r.role == Role.EXPERT and r.expert_status == ExpertStatus.MENTOR for r in roles
                ):
                    raise DomainError("not_a_mentor")
                other = (
                    await s.execute(
                        select(EvaluationTarget.id).where(
                            EvaluationTarget.scheme_id == scheme.id,
                            EvaluationTarget.mentor_telegram_id == mentor,
                            EvaluationTarget.id != target_id,
                        )
                    )
                ).first()
                if other is not None:
                    raise DomainError("mentor_has_participant")
            before = target.mentor_telegram_id
            target.mentor_telegram_id = mentor
            target.mentor_allowed_at = None
            await s.execute(
                delete(MentorAllowanceVote).where(MentorAllowanceVote.target_id == target_id)
            )
            uow.audit(
                actor,
                "target.mentor",
                "target",
                target_id,
                contest_id=scheme.contest_id,
                before={"mentor": before},
                after={"mentor": mentor},
            )

    async def ask_mentor_allowance(self, actor: int, target_id: int) -> int:
        """R-ROLE-3: the chief asks every expert of the competence whether this mentor may
        score their own participant. Returns how many were asked."""
        async with self.uow() as uow:
            s = uow.session
            await lock_row(
                s, EvaluationTarget, target_id
            )  # one round at a time (a double tap asks once)
            target, scheme = await target_row(s, target_id)
            await require_chief(s, self.ctx, actor, scheme)
            if target.mentor_telegram_id is None:
                raise DomainError("no_mentor")
            round_ = (
                (
                    await s.execute(
                        select(MentorAllowanceVote).where(
                            MentorAllowanceVote.target_id == target_id
                        )
                    )
                )
                .scalars()
                .all()
            )
            if (
                round_
                and not any(v.allow is False for v in round_)
                and any(v.allow is None for v in round_)
            ):
                raise DomainError(
                    "allowance_pending",
                    at=min(v.asked_at for v in round_),
                    tz=await contest_tz(s, scheme.contest_id),
                    voted=sum(1 for v in round_ if v.allow is not None),
                    asked=len(round_),
                )
            voters = await competence_experts(s, scheme)
            await s.execute(
                delete(MentorAllowanceVote).where(MentorAllowanceVote.target_id == target_id)
            )
            if target.mentor_allowed_at is not None:  # asking again withdraws an earlier grant
                uow.audit(
                    actor,
                    "mentor_allowance.reset",
                    "target",
                    target_id,
                    contest_id=scheme.contest_id,
                    before={"allowed_at": target.mentor_allowed_at.isoformat()},
                )
                target.mentor_allowed_at = None
            for v in sorted(voters):
                s.add(MentorAllowanceVote(target_id=target_id, telegram_id=v, asked_at=uow.now))
                await tell(
                    uow,
                    v,
                    f"target:{target_id}:{uow.now.timestamp():.0f}",
                    "sco-note-allowance-ask",
                    {"target": target_label(target), "scheme": scheme.title},
                    reason="mentor-allowance",
                    keyboard=[
                        [
                            {
                                "text": "sco-btn-allow",
                                "action": "allow",
                                "contest_id": str(scheme.contest_id),
                                "target": str(target_id),
                                "value": "1",
                            },
                            {
                                "text": "sco-btn-deny",
                                "action": "allow",
                                "contest_id": str(scheme.contest_id),
                                "target": str(target_id),
                                "value": "0",
                            },
                        ]
                    ],
                )
            uow.audit(
                actor,
                "mentor_allowance.ask",
                "target",
                target_id,
                contest_id=scheme.contest_id,
                after={"voters": len(voters)},
            )
            return len(voters)

    async def vote_mentor_allowance(self, actor: int, target_id: int, allow: bool) -> str:
        """One expert's vote. Returns "allowed" once every expert said yes, "denied" if any
        said no, "waiting" otherwise."""
        async with self.uow() as uow:
            s = uow.session
            # votes on one target one at a time: the last two "yes" arriving together must
            # not each see the other as not yet voted (and leave the allowance ungranted)
            await lock_row(s, EvaluationTarget, target_id)
            target, scheme = await target_row(s, target_id)
            if not await is_expert(s, actor, scheme.contest_id):
                raise Forbidden("not_expert")
            vote = (
                await s.execute(
                    select(MentorAllowanceVote)
                    .where(
                        MentorAllowanceVote.target_id == target_id,
                        MentorAllowanceVote.telegram_id == actor,
                    )
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if vote is None:
                raise Forbidden("not_a_voter")
            if vote.allow is not None:
                raise DomainError(
                    "allowance_already_voted",
                    allow="yes" if vote.allow else "no",
                    at=vote.voted_at,
                    tz=await contest_tz(s, scheme.contest_id),
                )
            vote.allow = allow
            vote.voted_at = uow.now
            await s.flush()
            votes = (
                (
                    await s.execute(
                        select(MentorAllowanceVote).where(
                            MentorAllowanceVote.target_id == target_id
                        )
                    )
                )
                .scalars()
                .all()
            )
            uow.audit(
                actor,
                "mentor_allowance.vote",
                "target",
                target_id,
                contest_id=scheme.contest_id,
                after={"allow": allow},
            )
            if any(v.allow is False for v in votes):
                outcome = "denied"
            elif all(v.allow for v in votes):
                outcome = "allowed"
                target.mentor_allowed_at = uow.now
                uow.audit(
                    actor,
                    "mentor_allowance.granted",
                    "target",
                    target_id,
                    contest_id=scheme.contest_id,
                    after={"voters": [v.telegram_id for v in votes]},
                )
            else:
                return "waiting"
            await tell(
                uow,
                scheme.chief_telegram_id,
                f"allowance:{target_id}:{outcome}",
                "sco-note-allowance-" + outcome,
                {"target": target_label(target)},
                reason="mentor-allowance",
            )
            return outcome

    async def issue_briefing(self, actor: int, scheme_id: int) -> int:
        """The chief expert issues the task-briefing protocol (R-PRO-1) for the participants
        on the list; each signs it in the chat. Returns the protocol id."""
        async with self.uow() as uow:
            scheme = await scheme_row(uow.session, scheme_id)
            await require_chief(uow.session, self.ctx, actor, scheme)
            targets = await count_rows(
                uow.session, EvaluationTarget, EvaluationTarget.scheme_id == scheme_id
            )
            if not targets:
                raise DomainError("no_targets")
            pid, _, _ = await docs.task_briefing(uow, scheme, actor)
            return pid
