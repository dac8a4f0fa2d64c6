"""The appeal commission (R-APL-6): the federal coordinator forms it against a stage, names
the deputy chair; a re-formed commission recomputes the exclusions of the waiting cases."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import commission as cms
from models import rules
from models.contest_file import Role
from models.errors import DomainError, Forbidden, NotFound
from models.services.access import active_roles
from models.services.appeals.common import (
    audited,
    check_decider,
    conflicts,
    decider_of,
    heads,
    members_of,
    tell,
    tz_of,
    who_name,
)
from models.services.appeals.views import (
    MemberView,
    StageChoice,
)
from models.services.base import Service, UnitOfWork, lock
from models.services.scoring.protocols import target_label
from models.tables import (
    Appeal,
    AppealVote,
    AuditRecord,
    CommissionMember,
    Contest,
    EvaluationTarget,
    RoleAssignment,
    Stage,
)


class CommissionService(Service):
    """The federal coordinator forming the commission, and who is in it (R-APL-6)."""

    async def _federal(self, s: AsyncSession, actor: int, contest_id: int) -> None:
        if not self.is_admin(actor) and not any(
            r.role == Role.FEDERAL_COORDINATOR for r in await active_roles(s, actor, contest_id)
        ):
            raise Forbidden("federal_only")

    async def _commission_people(self, s: AsyncSession, contest_id: int) -> list[RoleAssignment]:
        """The contest file's commission (R-APL-6): exactly five, one chair, one secretary."""
        people = (
            (
                await s.execute(
                    select(RoleAssignment)
                    .where(
                        RoleAssignment.contest_id == contest_id,
                        RoleAssignment.role == Role.COMMISSION_MEMBER,
                        RoleAssignment.active.is_(True),
                    )
                    .order_by(RoleAssignment.id)
                )
            )
            .scalars()
            .all()
        )
        roles = [p.commission_role or "member" for p in people]
        if (
            len(people) != rules.COMMISSION_SIZE
            or roles.count("chair") != 1
            or roles.count("secretary") != 1
        ):
            raise DomainError(
                "commission_composition", count=len(people), size=rules.COMMISSION_SIZE
            )
        return list(people)

    async def commission_stages(self, actor: int, contest_id: int) -> list[StageChoice]:
        """The stages a commission may serve (R-APL-6, issue #15: chosen explicitly, not «the
        next stage that starts»), for the federal coordinator's picker."""
        async with self.read() as s:
            await self._federal(s, actor, contest_id)
            tz = await tz_of(s, contest_id)
            serves = await self._served_stage(s, contest_id)
            now = self.ctx.clock.now()
            rows = (
                await s.execute(
                    select(Stage)
                    .where(Stage.contest_id == contest_id, Stage.active.is_(True))
                    .order_by(Stage.position, Stage.id)
                )
            ).scalars()
            return [
                StageChoice(
                    st.id,
                    st.title,
                    st.starts_at,
                    tz,
                    cms.stage_formable(st.starts_at, now, serves_it_now=st.id == serves),
                )
                for st in rows
            ]

    async def _served_stage(self, s: AsyncSession, contest_id: int) -> int | None:
        return (
            await s.execute(
                select(CommissionMember.stage_id)
                .where(CommissionMember.contest_id == contest_id)
                .limit(1)
            )
        ).scalar_one_or_none()

    def _too_late(self, stage: Stage, tz_name: str) -> DomainError:
        return DomainError(
            "cms_stage_too_late",
            stage=stage.title,
            starts=rules.format_local(stage.starts_at, tz_name) if stage.starts_at else "—",
        )

    async def check_commission_stage(
        self, actor: int, contest_id: int, stage_id: int
    ) -> StageChoice:
        """Step 1 of forming (R-APL-6, issue #15): the stage chosen is refused at once when it
        is unknown or too late — not after the deputy is picked and confirmed."""
        async with self.read() as s:
            await self._federal(s, actor, contest_id)
            stage = await s.get(Stage, stage_id)
            if stage is None or stage.contest_id != contest_id or not stage.active:
                raise DomainError("cms_stage_unknown")
            tz_name = await tz_of(s, contest_id)
            serves = await self._served_stage(s, contest_id)
            if not cms.stage_formable(
                stage.starts_at, self.ctx.clock.now(), serves_it_now=stage.id == serves
            ):
                raise self._too_late(stage, tz_name)
            return StageChoice(stage.id, stage.title, stage.starts_at, tz_name)

    async def commission_preview(
        self, actor: int, contest_id: int, deputy: int
    ) -> list[MemberView]:
        """The five as they would be formed with ``deputy`` (issue #15: the confirmation shows
        all of them, not only the stage and the deputy)."""
        async with self.read() as s:
            await self._federal(s, actor, contest_id)
            people = await self._commission_people(s, contest_id)
            chosen = next((p for p in people if p.telegram_id == deputy), None)
            if chosen is None or not cms.may_be_deputy(chosen.commission_role or "member"):
                raise DomainError("cms_deputy_invalid")
            return [
                MemberView(
                    p.telegram_id,
                    p.name or str(p.telegram_id),
                    cms.DEPUTY if p.telegram_id == deputy else p.commission_role or "member",
                    p.organisation_code,
                )
                for p in people
            ]

    async def deputy_candidates(self, actor: int, contest_id: int) -> list[MemberView]:
        """The voting members one of whom the coordinator names deputy chair (R-APL-6: one of
        the five, with a vote — not the chair, not the secretary). Refused at once when the
        contest file's commission is not five people."""
        async with self.read() as s:
            await self._federal(s, actor, contest_id)
            people = await self._commission_people(s, contest_id)
            return [
                MemberView(
                    p.telegram_id,
                    p.name or str(p.telegram_id),
                    p.commission_role or "member",
                    p.organisation_code,
                )
                for p in people
                if cms.may_be_deputy(p.commission_role or "member")
            ]

    async def commission_stage(self, contest_id: int) -> StageChoice | None:
        """The stage the formed commission serves (None: not formed)."""
        async with self.read() as s:
            stage_id = (
                await s.execute(
                    select(CommissionMember.stage_id)
                    .where(CommissionMember.contest_id == contest_id)
                    .limit(1)
                )
            ).scalar_one_or_none()
            stage = await s.get(Stage, stage_id) if stage_id is not None else None
            return (
                None
                if stage is None
                else StageChoice(stage.id, stage.title, stage.starts_at, await tz_of(s, contest_id))
            )

    async def form_commission(
        self, actor: int, contest_id: int, *, stage_id: int, deputy: int
    ) -> list[MemberView]:
        """A federal coordinator forms the commission from the contest's commission members
        (R-APL-6): exactly five, one chair, one secretary, and names a deputy chair among the
        three voting members; against the stage it serves, chosen explicitly (issue #15), at
        least two days before that stage starts. Forming the same commission again is refused
        with who formed it and when (a double press). For the same stage, another deputy or a
        changed contest file re-forms it at any time (our decision: the two-day rule fixes
        when the commission is formed, not when a member who cannot sit is replaced); the
        exclusions of the appeals waiting for a decision are recomputed."""
        async with self.uow() as uow:
            s = uow.session
            if (
                await lock(s, Contest, contest_id) is None
            ):  # two coordinators at once: the second waits
                raise NotFound("contest_not_found")
            await self._federal(s, actor, contest_id)
            people = await self._commission_people(s, contest_id)
            stage = await s.get(Stage, stage_id)
            if stage is None or stage.contest_id != contest_id or not stage.active:
                raise DomainError("cms_stage_unknown")
            chosen = next((p for p in people if p.telegram_id == deputy), None)
            if chosen is None or not cms.may_be_deputy(chosen.commission_role or "member"):
                raise DomainError("cms_deputy_invalid")
            tz_name = await tz_of(s, contest_id)

            def role_of(p: RoleAssignment) -> str:
                return cms.DEPUTY if p.telegram_id == deputy else p.commission_role or "member"

            formed = (
                (
                    await s.execute(
                        select(CommissionMember).where(CommissionMember.contest_id == contest_id)
                    )
                )
                .scalars()
                .all()
            )
            same_stage = bool(formed) and formed[0].stage_id == stage.id
            if same_stage and {(m.telegram_id, m.role) for m in formed} == {
                (p.telegram_id, role_of(p)) for p in people
            }:
                first = formed[0]
                raise DomainError(
                    "commission_formed_already",
                    by=await who_name(s, contest_id, first.formed_by),
                    at=first.formed_at,
                    tz=tz_name,
                )
            if not cms.stage_formable(stage.starts_at, uow.now, serves_it_now=same_stage):
                raise self._too_late(stage, tz_name)
            old_deputy = next((m.telegram_id for m in formed if m.role == cms.DEPUTY), None)
            alarmed = {m.telegram_id for m in formed if m.role == cms.SECRETARY} | {
                m.formed_by for m in formed[:1] if m.formed_by
            }
            await s.execute(
                delete(CommissionMember).where(CommissionMember.contest_id == contest_id)
            )
            for p in people:
                s.add(
                    CommissionMember(
                        contest_id=contest_id,
                        telegram_id=p.telegram_id,
                        role=role_of(p),
                        name=p.name or str(p.telegram_id),
                        organisation_code=p.organisation_code,
                        formed_by=actor,
                        formed_at=uow.now,
                        stage_id=stage.id,
                    )
                )
            uow.audit(
                actor,
                "commission.form",
                "contest",
                contest_id,
                contest_id=contest_id,
                after={
                    "members": [p.telegram_id for p in people],
                    "stage_id": stage.id,
                    "deputy": deputy,
                },
            )
            await s.flush()
            if formed:
                await self._refresh_exclusions(uow, contest_id, alarmed=alarmed | {actor})
            if deputy != old_deputy:  # issue #15: the new deputy is told, with the cases now theirs
                await self._tell_deputy_named(uow, contest_id, deputy, stage.title)
            return await members_of(s, contest_id)

    async def _tell_deputy_named(
        self, uow: UnitOfWork, contest_id: int, deputy: int, stage: str
    ) -> None:
        s = uow.session
        waiting = (
            (
                await s.execute(
                    select(Appeal)
                    .where(Appeal.contest_id == contest_id, Appeal.status == "registered")
                    .order_by(Appeal.id)
                )
            )
            .scalars()
            .all()
        )
        theirs = [a.id for a in waiting if await decider_of(s, a) == deputy]
        await tell(
            uow,
            deputy,
            f"commission:{contest_id}:deputy",
            "cms-note-deputy-named",
            {
                "stage": stage,
                "count": len(theirs),
                "ids": ", ".join(f"№{i}" for i in theirs) or "—",
            },
            reason="appeal",
        )

    async def _refresh_exclusions(
        self, uow: UnitOfWork, contest_id: int, *, alarmed: set[int] | None = None
    ) -> None:
        """A re-formed commission (R-APL-6): the appeals waiting for a decision exclude the new
        members of the same organisation, keep the close relations declared by those who
        stay, drop the votes of people no longer in it, and tell the coordinator when a case
        is still left without anyone able to decide it."""
        s = uow.session
        present = {m.telegram_id for m in await members_of(s, contest_id)}
        waiting = (
            (
                await s.execute(
                    select(Appeal.id).where(
                        Appeal.contest_id == contest_id, Appeal.status == "registered"
                    )
                )
            )
            .scalars()
            .all()
        )
        for appeal_id in waiting:
            appeal = await lock(s, Appeal, appeal_id)
            if appeal is None or appeal.status != "registered":
                continue
            stuck = (
                await audited(s, "appeal.no_decider", "appeal", appeal.id) is not None
                and await audited(s, "appeal.decider_restored", "appeal", appeal.id) is None
            )
            t = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(EvaluationTarget.id == appeal.target_id)
                    .options(selectinload(EvaluationTarget.participant))
                )
            ).scalar_one()
            declared = (
                (
                    await s.execute(
                        select(AuditRecord.actor_telegram_id).where(
                            AuditRecord.action == "appeal.conflict",
                            AuditRecord.entity == "appeal",
                            AuditRecord.entity_id == appeal.id,
                        )
                    )
                )
                .scalars()
                .all()
            )
            auto = await conflicts(s, appeal, t)
            appeal.excluded = list(dict.fromkeys([*auto, *(d for d in declared if d in present)]))
            await s.execute(
                delete(AppealVote).where(
                    AppealVote.appeal_id == appeal.id,
                    AppealVote.telegram_id.not_in(present - set(appeal.excluded)),
                )
            )
            await check_decider(uow, appeal, t)
            decider = await decider_of(s, appeal)
            if stuck and decider is not None:  # issue #15: those alarmed are told it is resolved
                chair, _ = await heads(s, contest_id)
                uow.audit(
                    None,
                    "appeal.decider_restored",
                    "appeal",
                    appeal.id,
                    contest_id=contest_id,
                    after={"decider": decider},
                )
                args = {
                    "id": appeal.id,
                    "target": target_label(t),
                    "role": "chair" if chair and decider == chair.telegram_id else "deputy",
                    "name": await who_name(s, contest_id, decider),
                }
                for who in sorted(alarmed or set()):
                    await tell(
                        uow,
                        who,
                        f"appeal:{appeal.id}:decider-restored",
                        "cms-note-decider-restored",
                        args,
                        reason="appeal",
                    )

    async def is_member_anywhere(self, telegram_id: int) -> bool:
        """Holds the commission-member role in some contest (for /help and /start)."""
        async with self.read() as s:
            row = (
                await s.execute(
                    select(RoleAssignment.id).where(
                        RoleAssignment.telegram_id == telegram_id,
                        RoleAssignment.role == Role.COMMISSION_MEMBER,
                        RoleAssignment.active.is_(True),
                    )
                )
            ).first()
            return row is not None

    async def members(self, contest_id: int) -> list[MemberView]:
        async with self.read() as s:
            return await members_of(s, contest_id)
