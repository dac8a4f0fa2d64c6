"""Load, lock and show a scheme (R-SCH-1…3): the chief expert before the contest."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models.contest_file import Role
from models.definition_file import DefinitionError, DefinitionInvalid
from models.errors import DomainError, Forbidden, NotFound
from models.scheme_file import SchemeDef, scheme_sha256
from models.services.access import (
    is_admin,
    is_chief,
    is_coordinator,
    is_expert,
    require_chief,
)
from models.services.base import Service, ServiceContext, UnitOfWork, count_rows
from models.services.scoring import protocols as docs
from models.services.scoring.common import (
    contest_tz,
    groups_of,
    person_name,
    scheme_row,
    scores_unlocked,
)
from models.services.scoring.views import (
    GroupView,
    SchemeBrief,
    SchemeLoadResult,
    SchemeView,
    SubcriterionView,
)
from models.tables import (
    AssessmentGroup,
    Contest,
    EvaluationTarget,
    GroupMember,
    MentorAllowanceVote,
    Nomination,
    RoleAssignment,
    Scheme,
    SchemeAspect,
    SchemeCriterion,
    SchemeSubcriterion,
    Stage,
)


async def apply_scheme(
    uow: UnitOfWork, ctx: ServiceContext, actor: int | None, contest_id: int, d: SchemeDef
) -> SchemeLoadResult:
    """:meth:`load_scheme` inside a caller's transaction (a contest file with schemes)."""
    s = uow.session
    contest = await s.get(Contest, contest_id)
    if contest is None:
        raise NotFound("contest_not_found")
    nomination = (
        await s.execute(
            select(Nomination).where(
                Nomination.contest_id == contest_id, Nomination.code == d.nomination
            )
        )
    ).scalar_one_or_none()
    stage = (
        await s.execute(select(Stage).where(Stage.contest_id == contest_id, Stage.code == d.stage))
    ).scalar_one_or_none()
    errors: list[DefinitionError] = []
    if nomination is None or not nomination.active:
        errors.append(DefinitionError("nomination", "unknown_nomination", {"code": d.nomination}))
    if stage is None or not stage.active:
        errors.append(DefinitionError("stage", "unknown_stage", {"code": d.stage}))
    experts = set(
        (
            await s.execute(
                select(RoleAssignment.telegram_id).where(
                    RoleAssignment.contest_id == contest_id,
                    RoleAssignment.role == Role.EXPERT,
                    RoleAssignment.active.is_(True),
                )
            )
        ).scalars()
    )
    for i, g in enumerate(d.groups):
        for m in g.members:
            if m not in experts:
                errors.append(
                    DefinitionError(f"groups[{i + 1}].members", "not_an_expert", {"code": m})
                )
    if errors:
        raise DefinitionInvalid(errors)
    assert nomination is not None and stage is not None
    chiefs = [
        r.telegram_id
        for r in (
            await s.execute(
                select(RoleAssignment).where(
                    RoleAssignment.contest_id == contest_id,
                    RoleAssignment.role == Role.EXPERT,
                    RoleAssignment.active.is_(True),
                )
            )
        ).scalars()
        if d.nomination in (r.chief_for or [])
    ]
    chief = chiefs[0] if chiefs else None
    if actor is not None and not is_admin(ctx, actor) and actor != chief:
        raise Forbidden("not_chief")
    sha = scheme_sha256(d)
    scheme = (
        await s.execute(
            select(Scheme)
            .where(
                Scheme.contest_id == contest_id,
                Scheme.nomination_id == nomination.id,
                Scheme.stage_id == stage.id,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    created = scheme is None
    if scheme is not None:
        if scheme.source_sha256 == sha:
            return SchemeLoadResult(
                scheme.id, False, True, len(d.criteria), len(d.aspects()), len(d.groups)
            )
        if scheme.locked_at is not None:
            raise DefinitionInvalid([DefinitionError("—", "scheme_locked")])
        before = {"sha256": scheme.source_sha256}
        await s.execute(delete(SchemeCriterion).where(SchemeCriterion.scheme_id == scheme.id))
        await s.execute(delete(AssessmentGroup).where(AssessmentGroup.scheme_id == scheme.id))
    else:
        before = None
        scheme = Scheme(contest_id=contest_id, nomination_id=nomination.id, stage_id=stage.id)
        s.add(scheme)
    scheme.title = d.title or nomination.title
    scheme.ranking = d.ranking
    scheme.chief_telegram_id = chief
    scheme.source_sha256 = sha
    scheme.loaded_at = uow.now
    scheme.loaded_by = actor
    await s.flush()
    groups: dict[str, AssessmentGroup] = {}
    for g in d.groups:
        row = AssessmentGroup(
            scheme_id=scheme.id,
            code=g.code,
            name=g.name or g.code,
            leader_telegram_id=g.leader,
            created_at=uow.now,
        )
        row.members = [GroupMember(telegram_id=m) for m in g.members]
        s.add(row)
        groups[g.code] = row
    await s.flush()
    for ci, c in enumerate(d.criteria):
        crit = SchemeCriterion(scheme_id=scheme.id, code=c.code, title=c.title, position=ci)
        s.add(crit)
        await s.flush()
        for si, sub in enumerate(c.subcriteria):
            subrow = SchemeSubcriterion(
                scheme_id=scheme.id,
                criterion_id=crit.id,
                code=sub.code,
                title=sub.title,
                position=si,
                group_id=groups[sub.group].id if sub.group else None,
            )
            s.add(subrow)
            await s.flush()
            s.add_all(
                [
                    SchemeAspect(
                        scheme_id=scheme.id,
                        subcriterion_id=subrow.id,
                        code=a.code,
                        title=a.title,
                        kind=a.kind.value,
                        max_points=a.max_points,
                        options=[{"label": o.label, "points": str(o.points)} for o in a.options],
                        position=ai,
                    )
                    for ai, a in enumerate(sub.aspects)
                ]
            )
    await s.flush()
    uow.audit(
        actor,
        "scheme.load" if created else "scheme.reload",
        "scheme",
        scheme.id,
        contest_id=contest_id,
        before=before,
        after={
            "sha256": sha,
            "criteria": len(d.criteria),
            "aspects": len(d.aspects()),
            "groups": len(d.groups),
        },
    )
    return SchemeLoadResult(
        scheme.id, created, False, len(d.criteria), len(d.aspects()), len(d.groups)
    )


class SchemeService(Service):
    """Load, lock and show a scheme (R-SCH-1…3): the chief expert before the contest."""

    async def load_scheme(
        self, actor: int | None, contest_id: int, d: SchemeDef
    ) -> SchemeLoadResult:
        """Load or replace a scheme (the chief expert of its nomination, an admin, or the
        command line with ``actor=None``). A locked scheme never changes (R-SCH-3); loading
        the same content again is a no-op. Raises :class:`DefinitionInvalid` for problems
        that need the contest (unknown nomination, stage, experts)."""
        async with self.uow() as uow:
            return await apply_scheme(uow, self.ctx, actor, contest_id, d)

    async def lock_scheme(self, actor: int | None, scheme_id: int) -> SchemeView:
        """R-SCH-3: the chief expert locks the scheme; the lock record keeps the date and
        time. Every subcriterion must have its group first (R-SCH-4)."""
        async with self.uow() as uow:
            s = uow.session
            scheme = await scheme_row(s, scheme_id, lock=True)
            await self._lock_scheme_checks(s, actor, scheme)
            unassigned = (
                (
                    await s.execute(
                        select(SchemeSubcriterion.code).where(
                            SchemeSubcriterion.scheme_id == scheme_id,
                            SchemeSubcriterion.group_id.is_(None),
                        )
                    )
                )
                .scalars()
                .all()
            )
            if unassigned:
                raise DomainError("subcriteria_without_group", codes=", ".join(unassigned))
            scheme.locked_at = uow.now
            scheme.locked_by = actor
            uow.audit(
                actor,
                "scheme.lock",
                "scheme",
                scheme.id,
                contest_id=scheme.contest_id,
                after={"locked_at": uow.now.isoformat(), "sha256": scheme.source_sha256},
            )
            await docs.scheme_lock(uow, scheme, actor)  # R-PRO-1
        return await self.scheme_view(actor, scheme_id)

    async def _lock_scheme_checks(self, s: AsyncSession, actor: int | None, scheme: Scheme) -> None:
        """Who may lock, and whether it is still to be done: a second «Заблокировать» is told
        who locked it and when (R-SCH-3)."""
        await require_chief(s, self.ctx, actor, scheme)
        if scheme.locked_at is not None:
            raise DomainError(
                "scheme_locked_by",
                who=await person_name(s, scheme.contest_id, scheme.locked_by),
                at=scheme.locked_at,
                tz=await contest_tz(s, scheme.contest_id),
            )

    async def check_lock_scheme(self, actor: int, scheme_id: int) -> None:
        """Before «Заблокировать схему?» is asked: refused at once if it can no longer be done."""
        async with self.read() as s:
            await self._lock_scheme_checks(s, actor, await scheme_row(s, scheme_id))

    async def check_scores_open(self, actor: int, scheme_id: int, *, chief: bool = True) -> None:
        """Before a chief's step that needs open scores (lock, a new group) is offered or
        confirmed: refused at once with who locked them and when."""
        async with self.read() as s:
            scheme = await scheme_row(s, scheme_id)
            if chief:
                await require_chief(s, self.ctx, actor, scheme)
            await scores_unlocked(s, scheme)

    async def schemes_for(
        self, telegram_id: int, contest_id: int | None = None
    ) -> list[SchemeBrief]:
        """The schemes a person has a part in, with that part."""
        async with self.read() as s:
            stmt = (
                select(Scheme, Nomination.title, Stage.title)
                .join(Nomination, Nomination.id == Scheme.nomination_id)
                .join(Stage, Stage.id == Scheme.stage_id)
            )
            if contest_id is not None:
                stmt = stmt.where(Scheme.contest_id == contest_id)
            out = []
            for scheme, nom_title, stage_title in (await s.execute(stmt.order_by(Scheme.id))).all():
                roles: set[str] = set()
                if await is_chief(s, telegram_id, scheme):
                    roles.add("chief")
                if await is_expert(s, telegram_id, scheme.contest_id):
                    if await groups_of(s, telegram_id, scheme.id):
                        roles.add("expert")
                    mentor = await count_rows(
                        s,
                        EvaluationTarget,
                        EvaluationTarget.scheme_id == scheme.id,
                        EvaluationTarget.mentor_telegram_id == telegram_id,
                    )
                    if mentor:
                        roles.add("mentor")
                    voting = (
                        await s.execute(
                            select(func.count())
                            .select_from(MentorAllowanceVote)
                            .join(
                                EvaluationTarget,
                                EvaluationTarget.id == MentorAllowanceVote.target_id,
                            )
                            .where(
                                EvaluationTarget.scheme_id == scheme.id,
                                MentorAllowanceVote.telegram_id == telegram_id,
                            )
                        )
                    ).scalar_one()
                    if voting:
                        roles.add("voter")
                if await is_coordinator(s, self.ctx, telegram_id, scheme.contest_id):
                    roles.add("coordinator")
                if roles:
                    out.append(
                        SchemeBrief(
                            scheme.id,
                            scheme.contest_id,
                            scheme.title,
                            nom_title,
                            stage_title,
                            scheme.locked_at is not None,
                            scheme.scores_locked_at is not None,
                            scheme.results_published_at is not None,
                            frozenset(roles),
                        )
                    )
            return out

    async def scheme_view(self, actor: int | None, scheme_id: int) -> SchemeView:
        async with self.read() as s:
            scheme = await scheme_row(s, scheme_id)
            if not (
                actor is None
                or self.is_admin(actor)
                or await is_expert(s, actor, scheme.contest_id)
                or await is_coordinator(s, self.ctx, actor, scheme.contest_id)
            ):
                raise Forbidden("not_expert")
            return await self._scheme_view(s, scheme)

    async def _scheme_view(self, s: AsyncSession, scheme: Scheme) -> SchemeView:
        contest = await s.get(Contest, scheme.contest_id)
        nomination = await s.get(Nomination, scheme.nomination_id)
        stage = await s.get(Stage, scheme.stage_id)
        groups = (
            (
                await s.execute(
                    select(AssessmentGroup)
                    .where(AssessmentGroup.scheme_id == scheme.id)
                    .options(selectinload(AssessmentGroup.members))
                    .order_by(AssessmentGroup.id)
                )
            )
            .scalars()
            .all()
        )
        by_group = {g.id: g for g in groups}
        subs = (
            await s.execute(
                select(
                    SchemeSubcriterion,
                    func.count(SchemeAspect.id),
                    func.coalesce(func.sum(SchemeAspect.max_points), 0),
                )
                .join(SchemeCriterion, SchemeCriterion.id == SchemeSubcriterion.criterion_id)
                .outerjoin(SchemeAspect, SchemeAspect.subcriterion_id == SchemeSubcriterion.id)
                .where(SchemeSubcriterion.scheme_id == scheme.id)
                .group_by(SchemeSubcriterion.id, SchemeCriterion.position)
                .order_by(SchemeCriterion.position, SchemeSubcriterion.position)
            )
        ).all()
        sub_views = [
            SubcriterionView(
                sub.id,
                sub.code,
                sub.title,
                n,
                Decimal(str(pts)),
                sub.group_id,
                by_group[sub.group_id].code if sub.group_id in by_group else None,
            )
            for sub, n, pts in subs
        ]
        kinds = dict(
            (
                await s.execute(
                    select(SchemeAspect.kind, func.count())
                    .where(SchemeAspect.scheme_id == scheme.id)
                    .group_by(SchemeAspect.kind)
                )
            ).all()
        )
        criteria = await count_rows(s, SchemeCriterion, SchemeCriterion.scheme_id == scheme.id)
        targets = await count_rows(s, EvaluationTarget, EvaluationTarget.scheme_id == scheme.id)
        return SchemeView(
            id=scheme.id,
            contest_id=scheme.contest_id,
            title=scheme.title,
            nomination=nomination.title if nomination else "",
            stage=stage.title if stage else "",
            timezone=contest.timezone if contest else "Europe/Moscow",
            criteria=criteria,
            aspects=sum(v.aspects for v in sub_views),
            total=sum((v.points for v in sub_views), Decimal(0)),
            kinds=kinds,
            subcriteria=sub_views,
            groups=[
                GroupView(
                    g.id,
                    g.code,
                    g.name,
                    tuple(m.telegram_id for m in g.members),
                    g.leader_telegram_id,
                    tuple(v.code for v in sub_views if v.group_id == g.id),
                )
                for g in groups
            ],
            targets=targets,
            chief=scheme.chief_telegram_id,
            locked_at=scheme.locked_at,
            locked_by=scheme.locked_by,
            scores_locked_at=scheme.scores_locked_at,
            evaluation_deadline=stage.evaluation_deadline if stage else None,
            stage_starts_at=stage.starts_at if stage else None,
        )

    async def scheme_ids(self, contest_id: int) -> list[int]:
        async with self.read() as s:
            return list(
                (
                    await s.execute(
                        select(Scheme.id).where(Scheme.contest_id == contest_id).order_by(Scheme.id)
                    )
                ).scalars()
            )

    async def chief_contests(self, telegram_id: int) -> list[int]:
        """Contests where this person is the chief expert of some nomination (R-ROLE-2)."""
        async with self.read() as s:
            rows = (
                await s.execute(
                    select(RoleAssignment).where(
                        RoleAssignment.telegram_id == telegram_id,
                        RoleAssignment.role == Role.EXPERT,
                        RoleAssignment.active.is_(True),
                    )
                )
            ).scalars()
            return sorted({r.contest_id for r in rows if r.chief_for})

    async def is_expert_anywhere(self, telegram_id: int) -> bool:
        async with self.read() as s:
            row = (
                await s.execute(
                    select(RoleAssignment.id).where(
                        RoleAssignment.telegram_id == telegram_id,
                        RoleAssignment.role == Role.EXPERT,
                        RoleAssignment.active.is_(True),
                    )
                )
            ).first()
            return row is not None
