"""The scoring engine (R-SCH-1…4, R-SCO-1…7, R-RES-1, R-APP-8).

One engine for both kinds of contest: what is scored is an *evaluation target* — a
participant's performance at a site (championship) or a submitted application (the
Ministry's contest). A scheme belongs to one nomination (competence) at one stage.

Every method checks the actor's role here, whatever the chat shows: the chief expert of the
nomination, a member of the assessment group, the mentor of a participant, a coordinator.
Each mark is entered under a row lock on the aspect's group result, so two experts (or two
sessions of one expert) entering at once lose nothing, and the group's result is always
computed from every mark by the rules in ``models.rules``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules
from models.contest_file import DefinitionError, DefinitionInvalid, ExpertStatus, Role
from models.errors import DomainError, Forbidden, NotFound
from models.rules import ApplicationStatus, AspectKind, VerificationStatus
from models.scheme_file import SchemeDef, scheme_sha256
from models.services import scoring_protocols as docs
from models.services.access import (
    active_roles,
    competence_experts,
    coordinator_scope,
    is_chief,
    is_coordinator,
    is_expert,
    require_chief,
)
from models.services.base import Service, UnitOfWork
from models.services.base import lock as lock_row
from models.services.protocols import ProtocolService
from models.services.scoring_protocols import target_label
from models.tables import (
    Application,
    AspectResult,
    AssessmentGroup,
    Contest,
    Correction,
    CorrectionSignature,
    EvaluationTarget,
    GroupMember,
    MentorAllowanceVote,
    Nomination,
    Participant,
    Region,
    ResultAdjustment,
    RoleAssignment,
    Scheme,
    SchemeAspect,
    SchemeCriterion,
    SchemeSubcriterion,
    Score,
    SheetConfirmation,
    Stage,
)

# --------------------------------------------------------------------------- views


@dataclass(frozen=True, slots=True)
class SchemeBrief:
    id: int
    contest_id: int
    title: str
    nomination: str
    stage: str
    locked: bool
    scores_locked: bool
    published: bool
    #: what the asking person is in this scheme: chief, expert, mentor, coordinator
    roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class SubcriterionView:
    id: int
    code: str
    title: str
    aspects: int
    points: Decimal
    group_id: int | None
    group_code: str | None


@dataclass(frozen=True, slots=True)
class GroupView:
    id: int
    code: str
    name: str
    members: tuple[int, ...]
    leader: int | None
    subcriteria: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SchemeView:
    id: int
    contest_id: int
    title: str
    nomination: str
    stage: str
    timezone: str
    criteria: int
    aspects: int
    total: Decimal
    kinds: dict[str, int]
    subcriteria: list[SubcriterionView]
    groups: list[GroupView]
    targets: int
    chief: int | None
    locked_at: Any
    locked_by: int | None
    scores_locked_at: Any
    evaluation_deadline: Any
    #: R-SCH-3: the scheme is to be locked at least 2 days before this
    stage_starts_at: Any = None


@dataclass(frozen=True, slots=True)
class SchemeLoadResult:
    scheme_id: int
    created: bool
    unchanged: bool
    criteria: int
    aspects: int
    groups: int


@dataclass(frozen=True, slots=True)
class TargetProgress:
    target_id: int
    number: int
    label: str
    scored: int
    total: int


@dataclass(frozen=True, slots=True)
class Worklist:
    scheme_id: int
    title: str
    targets: list[TargetProgress]
    scored: int
    total: int
    confirmed: bool
    scores_locked: bool


@dataclass(frozen=True, slots=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True, slots=True)
class ScoreItem:
    """One aspect of one target for one expert: what the score-entry screen shows."""

    scheme_id: int
    target_id: int
    target_label: str
    aspect_id: int
    code: str
    title: str
    kind: str
    max_points: Decimal
    options: list[Option]
    current: int | None
    rescore: bool
    scored: int
    total: int
    #: the subcriterion's code and title
    subcriterion: str


@dataclass(frozen=True, slots=True)
class MarkOutcome:
    state: str  # incomplete | scored | rescore | tie
    points: Decimal | None
    scored: int
    total: int
    changed: bool


@dataclass(frozen=True, slots=True)
class SheetLine:
    aspect_id: int
    code: str
    title: str
    kind: str
    max_points: Decimal
    marks: dict[int, int]
    state: str
    points: Decimal | None
    #: the marks that may be given (as on the score-entry screen)
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class TargetSheet:
    """A participant's score sheet (for the mentor after the lock, R-SCO-5)."""

    scheme_id: int
    target_id: int
    label: str
    lines: list[SheetLine]
    total: Decimal
    confirmed_at: Any
    locked: bool


@dataclass(frozen=True, slots=True)
class CorrectionView:
    id: int
    scheme_id: int
    target_id: int
    target_label: str
    subcriterion_id: int
    subcriterion: str
    reason: str
    status: str
    signers: tuple[int, ...]
    approved: tuple[int, ...]
    confirmed: tuple[int, ...]
    opened_by: int


@dataclass(frozen=True, slots=True)
class ResultLine:
    target_id: int
    number: int
    label: str
    region: str | None
    total: Decimal
    place: int
    medal: str | None
    advances: bool
    #: R-APL-9: points deducted on appeal (already taken off ``total``) and disqualification
    deducted: Decimal = Decimal(0)
    disqualified: bool = False


@dataclass(frozen=True, slots=True)
class Results:
    scheme_id: int
    title: str
    complete: bool
    lines: list[ResultLine]


@dataclass(frozen=True, slots=True)
class ExpertProgress:
    telegram_id: int
    name: str
    groups: tuple[str, ...]
    scored: int
    total: int
    confirmed: bool


@dataclass(frozen=True, slots=True)
class GroupProgress:
    code: str
    name: str
    scored: int
    total: int


@dataclass(frozen=True, slots=True)
class FlaggedAspect:
    target_label: str
    aspect_code: str
    state: str


@dataclass(frozen=True, slots=True)
class ScoringProgress:
    scheme_id: int
    title: str
    targets: int
    groups: list[GroupProgress]
    experts: list[ExpertProgress]
    flagged: list[FlaggedAspect]
    unassigned: list[str]
    unconfirmed: list[str]
    mentors_unconfirmed: list[str]
    scores_locked: bool
    open_corrections: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


MAX_REASON = 1000


def _insert(s: AsyncSession) -> Any:
    return postgresql.insert if s.bind.dialect.name == "postgresql" else sqlite.insert


async def _share_row(s: AsyncSession, model: Any, row_id: int) -> Any:
    """Hold one row against a concurrent transition without blocking other readers of it:
    PostgreSQL ``SELECT … FOR SHARE`` (many marks are entered at once, but the score lock,
    which takes the row ``FOR UPDATE``, waits for them and they wait for it). SQLite: the unit
    of work already holds the write lock."""
    stmt = (
        select(model)
        .where(model.id == row_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    return (await s.execute(stmt)).scalar_one_or_none()


async def person_name(s: AsyncSession, contest_id: int, telegram_id: int | None) -> str:
    """How a refusal names who already acted: the name on their role, else their id."""
    if telegram_id is None:
        return "—"
    name = (
        (
            await s.execute(
                select(RoleAssignment.name).where(
                    RoleAssignment.contest_id == contest_id,
                    RoleAssignment.telegram_id == telegram_id,
                    RoleAssignment.name.is_not(None),
                )
            )
        )
        .scalars()
        .first()
    )
    return name or str(telegram_id)


async def contest_tz(s: AsyncSession, contest_id: int) -> str:
    contest = await s.get(Contest, contest_id)
    return contest.timezone if contest else "Europe/Moscow"


def _option_table(aspect: SchemeAspect) -> list[Decimal]:
    return [Decimal(str(o["points"])) for o in aspect.options]


def aspect_outcome(aspect: SchemeAspect, values: list[int]) -> tuple[str, Decimal | None]:
    """The group's result for an aspect once all of its marks are in (R-SCO-1…3)."""
    kind = AspectKind(aspect.kind)
    if kind is AspectKind.JUDGEMENT:
        if rules.judgement_needs_rescore(values):
            return "rescore", None
        return "scored", rules.judgement_points(values, aspect.max_points)
    if kind is AspectKind.BINARY:
        points = rules.binary_points([bool(v) for v in values], aspect.max_points)
        return ("tie", None) if points is None else ("scored", points)
    points = rules.discrete_group_points(values, _option_table(aspect))
    return ("tie", None) if points is None else ("scored", points)


def check_value(aspect: SchemeAspect, value: int) -> None:
    """A mark in the aspect's range (R-SCO-1…3), or a Russian refusal."""
    kind = AspectKind(aspect.kind)
    high = (
        3
        if kind is AspectKind.JUDGEMENT
        else 1
        if kind is AspectKind.BINARY
        else len(aspect.options) - 1
    )
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise DomainError("mark_out_of_range", high=high)


class ScoringService(Service):
    async def _scheme(self, s: AsyncSession, scheme_id: int, *, lock: bool = False) -> Scheme:
        if lock:  # the first read of a transition on the scheme (R-SCH-3, R-SCO-5)
            scheme = await lock_row(s, Scheme, scheme_id)
        else:
            scheme = (
                await s.execute(select(Scheme).where(Scheme.id == scheme_id))
            ).scalar_one_or_none()
        if scheme is None:
            raise NotFound("scheme_not_found")
        return scheme

    async def _target(self, s: AsyncSession, target_id: int) -> tuple[EvaluationTarget, Scheme]:
        target = (
            await s.execute(
                select(EvaluationTarget)
                .where(EvaluationTarget.id == target_id)
                .options(selectinload(EvaluationTarget.participant))
            )
        ).scalar_one_or_none()
        if target is None:
            raise NotFound("target_not_found")
        return target, await self._scheme(s, target.scheme_id)

    async def _groups_of(self, s: AsyncSession, telegram_id: int, scheme_id: int) -> list[int]:
        return list(
            (
                await s.execute(
                    select(GroupMember.group_id)
                    .join(AssessmentGroup, AssessmentGroup.id == GroupMember.group_id)
                    .where(
                        AssessmentGroup.scheme_id == scheme_id,
                        GroupMember.telegram_id == telegram_id,
                    )
                )
            ).scalars()
        )

    async def load_scheme(
        self, actor: int | None, contest_id: int, d: SchemeDef
    ) -> SchemeLoadResult:
        """Load or replace a scheme (the chief expert of its nomination, an admin, or the
        command line with ``actor=None``). A locked scheme never changes (R-SCH-3); loading
        the same content again is a no-op. Raises :class:`DefinitionInvalid` for problems
        that need the contest (unknown nomination, stage, experts)."""
        async with self.uow() as uow:
            return await self.apply_scheme(uow, actor, contest_id, d)

    async def apply_scheme(
        self, uow: UnitOfWork, actor: int | None, contest_id: int, d: SchemeDef
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
            await s.execute(
                select(Stage).where(Stage.contest_id == contest_id, Stage.code == d.stage)
            )
        ).scalar_one_or_none()
        errors: list[DefinitionError] = []
        if nomination is None or not nomination.active:
            errors.append(
                DefinitionError("nomination", "unknown_nomination", {"code": d.nomination})
            )
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
        if actor is not None and not self.is_admin(actor) and actor != chief:
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
                            options=[
                                {"label": o.label, "points": str(o.points)} for o in a.options
                            ],
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

    async def lock_scheme(self, actor: int | None, scheme_id: int) -> SchemeView:
        """R-SCH-3: the chief expert locks the scheme; the lock record keeps the date and
        time. Every subcriterion must have its group first (R-SCH-4)."""
        async with self.uow() as uow:
            s = uow.session
            scheme = await self._scheme(s, scheme_id, lock=True)
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
            await docs.scheme_lock(uow, ProtocolService(self.ctx), scheme, actor)  # R-PRO-1
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
            await self._lock_scheme_checks(s, actor, await self._scheme(s, scheme_id))

    async def _scores_unlocked(self, s: AsyncSession, scheme: Scheme) -> None:
        """The scores are still open; otherwise say who locked them and when (R-SCO-5)."""
        if scheme.scores_locked_at is not None:
            raise DomainError(
                "scores_locked_by",
                who=await person_name(s, scheme.contest_id, scheme.scores_locked_by),
                at=scheme.scores_locked_at,
                tz=await contest_tz(s, scheme.contest_id),
            )

    async def check_scores_open(self, actor: int, scheme_id: int, *, chief: bool = True) -> None:
        """Before a chief's step that needs open scores (lock, a new group) is offered or
        confirmed: refused at once with who locked them and when."""
        async with self.read() as s:
            scheme = await self._scheme(s, scheme_id)
            if chief:
                await require_chief(s, self.ctx, actor, scheme)
            await self._scores_unlocked(s, scheme)

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
                    if await self._groups_of(s, telegram_id, scheme.id):
                        roles.add("expert")
                    mentor = (
                        await s.execute(
                            select(func.count())
                            .select_from(EvaluationTarget)
                            .where(
                                EvaluationTarget.scheme_id == scheme.id,
                                EvaluationTarget.mentor_telegram_id == telegram_id,
                            )
                        )
                    ).scalar_one()
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
            scheme = await self._scheme(s, scheme_id)
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
        criteria = (
            await s.execute(
                select(func.count())
                .select_from(SchemeCriterion)
                .where(SchemeCriterion.scheme_id == scheme.id)
            )
        ).scalar_one()
        targets = (
            await s.execute(
                select(func.count())
                .select_from(EvaluationTarget)
                .where(EvaluationTarget.scheme_id == scheme.id)
            )
        ).scalar_one()
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

    # ----------------------------------------------------------------- groups (R-SCH-4)

    async def experts(self, actor: int, scheme_id: int) -> list[tuple[int, str, str | None]]:
        """The contest's active experts (telegram id, name, status), for the chief to pick."""
        async with self.read() as s:
            scheme = await self._scheme(s, scheme_id)
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
            scheme = await self._scheme(s, scheme_id, lock=True)
            await require_chief(s, self.ctx, actor, scheme)
            await self._scores_unlocked(s, scheme)
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
            count = (
                await s.execute(
                    select(func.count())
                    .select_from(AssessmentGroup)
                    .where(AssessmentGroup.scheme_id == scheme_id)
                )
            ).scalar_one()
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
            scheme = await self._scheme(s, sub.scheme_id, lock=True)
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

    # ----------------------------------------------------------------- targets and mentors

    async def build_targets(self, actor: int, scheme_id: int) -> int:
        """Put every accepted participant with a submitted application in the scheme's
        nomination on the evaluation list (R-APP-6). Returns how many were added."""
        async with self.uow() as uow:
            s = uow.session
            scheme = await self._scheme(s, scheme_id, lock=True)
            if not (
                await is_chief(s, actor, scheme)
                or await is_coordinator(s, self.ctx, actor, scheme.contest_id)
            ):
                raise Forbidden("not_chief")
            await self._scores_unlocked(s, scheme)
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
            scheme = await self._scheme(s, scheme_id)
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

    async def set_mentor(self, actor: int, target_id: int, mentor: int | None) -> None:
        """R-ROLE-3: an эксперт-наставник represents exactly one participant."""
        async with self.uow() as uow:
            s = uow.session
            await lock_row(s, EvaluationTarget, target_id)  # one designation at a time (R-ROLE-3)
            target, scheme = await self._target(s, target_id)
            await require_chief(s, self.ctx, actor, scheme)
            votes = (
                await s.execute(
                    select(func.count())
                    .select_from(MentorAllowanceVote)
                    .where(MentorAllowanceVote.target_id == target_id)
                )
            ).scalar_one()
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
            target, scheme = await self._target(s, target_id)
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
                await self._tell(
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
            target, scheme = await self._target(s, target_id)
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
            await self._tell(
                uow,
                scheme.chief_telegram_id,
                f"allowance:{target_id}:{outcome}",
                "sco-note-allowance-" + outcome,
                {"target": target_label(target)},
                reason="mentor-allowance",
            )
            return outcome

    async def _tell(
        self,
        uow: UnitOfWork,
        telegram_id: int | None,
        subject: str,
        key: str,
        args: dict[str, Any],
        *,
        reason: str,
        keyboard: list[list[dict[str, str]]] | None = None,
    ) -> None:
        if telegram_id is not None:
            await uow.notify_person(
                telegram_id, reason=reason, subject=subject, key=key, args=args, keyboard=keyboard
            )

    # ----------------------------------------------------------------- entry (R-SCO-1…4)

    async def _assigned_aspects(
        self, s: AsyncSession, telegram_id: int, scheme_id: int, groups: list[int] | None = None
    ) -> list[SchemeAspect]:
        if groups is None:
            groups = await self._groups_of(s, telegram_id, scheme_id)
        if not groups:
            return []
        return list(
            (
                await s.execute(
                    select(SchemeAspect)
                    .join(SchemeSubcriterion, SchemeSubcriterion.id == SchemeAspect.subcriterion_id)
                    .join(SchemeCriterion, SchemeCriterion.id == SchemeSubcriterion.criterion_id)
                    .where(
                        SchemeAspect.scheme_id == scheme_id, SchemeSubcriterion.group_id.in_(groups)
                    )
                    .order_by(
                        SchemeCriterion.position, SchemeSubcriterion.position, SchemeAspect.position
                    )
                )
            ).scalars()
        )

    async def _scoreable_targets(
        self, s: AsyncSession, telegram_id: int, scheme_id: int
    ) -> list[EvaluationTarget]:
        """The targets an expert scores: all but the one they are mentor of, unless every
        expert of the competence allowed it (R-ROLE-3)."""
        rows = (
            await s.execute(
                select(EvaluationTarget)
                .where(EvaluationTarget.scheme_id == scheme_id)
                .options(selectinload(EvaluationTarget.participant))
                .order_by(EvaluationTarget.number)
            )
        ).scalars()
        return [
            t
            for t in rows
            if t.mentor_telegram_id != telegram_id or t.mentor_allowed_at is not None
        ]

    async def _my_marks(
        self, s: AsyncSession, telegram_id: int, scheme_id: int, *, lock: bool = False
    ) -> dict[tuple[int, int], Score]:
        stmt = (
            select(Score)
            .join(EvaluationTarget, EvaluationTarget.id == Score.target_id)
            .where(EvaluationTarget.scheme_id == scheme_id, Score.expert_telegram_id == telegram_id)
        )
        if lock:
            stmt = stmt.with_for_update(of=Score)
        rows = (await s.execute(stmt)).scalars()
        return {(r.target_id, r.aspect_id): r for r in rows}

    async def _expert_scheme(self, s: AsyncSession, telegram_id: int, scheme_id: int) -> Scheme:
        scheme = await self._scheme(s, scheme_id)
        if not await is_expert(s, telegram_id, scheme.contest_id) or not await self._groups_of(
            s, telegram_id, scheme_id
        ):
            raise Forbidden("not_group_member")
        return scheme

    async def worklist(self, actor: int, scheme_id: int) -> Worklist:
        async with self.read() as s:
            scheme = await self._expert_scheme(s, actor, scheme_id)
            aspects = await self._assigned_aspects(s, actor, scheme_id)
            targets = await self._scoreable_targets(s, actor, scheme_id)
            done_by_target = dict(
                (
                    await s.execute(
                        select(Score.target_id, func.count())
                        .join(SchemeAspect, SchemeAspect.id == Score.aspect_id)
                        .join(
                            SchemeSubcriterion,
                            SchemeSubcriterion.id == SchemeAspect.subcriterion_id,
                        )
                        .where(
                            SchemeAspect.scheme_id == scheme_id,
                            Score.expert_telegram_id == actor,
                            Score.stale.is_(False),
                            SchemeSubcriterion.group_id.in_(
                                await self._groups_of(s, actor, scheme_id)
                            ),
                        )
                        .group_by(Score.target_id)
                    )
                ).all()
            )
            lines = [
                TargetProgress(
                    t.id, t.number, target_label(t), done_by_target.get(t.id, 0), len(aspects)
                )
                for t in targets
            ]
            confirmed = await self._confirmation(s, scheme_id, "expert", actor)
            return Worklist(
                scheme_id,
                scheme.title,
                lines,
                sum(x.scored for x in lines),
                sum(x.total for x in lines),
                confirmed is not None,
                scheme.scores_locked_at is not None,
            )

    async def _progress_of(
        self, s: AsyncSession, expert: int, scheme_id: int, target_id: int
    ) -> tuple[int, int]:
        """(marks given, marks due) of one expert for one target: two counts, no rows."""
        groups = await self._groups_of(s, expert, scheme_id)
        assigned = (
            select(SchemeAspect.id)
            .join(SchemeSubcriterion, SchemeSubcriterion.id == SchemeAspect.subcriterion_id)
            .where(SchemeAspect.scheme_id == scheme_id, SchemeSubcriterion.group_id.in_(groups))
        )
        total = (
            await s.execute(select(func.count()).select_from(assigned.subquery()))
        ).scalar_one()
        done = (
            await s.execute(
                select(func.count())
                .select_from(Score)
                .where(
                    Score.target_id == target_id,
                    Score.expert_telegram_id == expert,
                    Score.stale.is_(False),
                    Score.aspect_id.in_(assigned),
                )
            )
        ).scalar_one()
        return done, total

    async def _confirmation(
        self,
        s: AsyncSession,
        scheme_id: int,
        kind: str,
        telegram_id: int,
        target_id: int | None = None,
    ) -> SheetConfirmation | None:
        stmt = select(SheetConfirmation).where(
            SheetConfirmation.scheme_id == scheme_id,
            SheetConfirmation.kind == kind,
            SheetConfirmation.telegram_id == telegram_id,
            SheetConfirmation.revoked_at.is_(None),
        )
        if target_id is not None:
            stmt = stmt.where(SheetConfirmation.target_id == target_id)
        return (await s.execute(stmt.order_by(SheetConfirmation.id.desc()))).scalars().first()

    async def score_item(
        self, actor: int, target_id: int, aspect_id: int | None = None
    ) -> ScoreItem | None:
        """The aspect to show: ``aspect_id`` if given, else the first one still needing this
        expert's mark (never scored, or flagged for re-scoring). None when all are done."""
        async with self.read() as s:
            target, scheme = await self._target(s, target_id)
            # as _expert_scheme, without reading the scheme and the groups twice (issue #13)
            groups = await self._groups_of(s, actor, scheme.id)
            if not groups or not await is_expert(s, actor, scheme.contest_id):
                raise Forbidden("not_group_member")
            if target.mentor_telegram_id == actor and target.mentor_allowed_at is None:
                raise Forbidden("mentor_conflict")
            aspects = await self._assigned_aspects(s, actor, scheme.id, groups)
            marks = {
                m.aspect_id: m
                for m in (
                    await s.execute(
                        select(Score).where(
                            Score.target_id == target_id, Score.expert_telegram_id == actor
                        )
                    )
                ).scalars()
            }
            done = sum(1 for a in aspects if a.id in marks and not marks[a.id].stale)
            if aspect_id is None:
                pick = next((a for a in aspects if a.id not in marks or marks[a.id].stale), None)
            else:
                pick = next((a for a in aspects if a.id == aspect_id), None)
                if pick is None:
                    raise Forbidden("not_your_aspect")
            if pick is None:
                return None
            sub = await s.get(SchemeSubcriterion, pick.subcriterion_id)
            mark = marks.get(pick.id)
            return ScoreItem(
                scheme_id=scheme.id,
                target_id=target_id,
                target_label=target_label(target),
                aspect_id=pick.id,
                code=pick.code,
                title=pick.title,
                kind=pick.kind,
                max_points=Decimal(pick.max_points),
                options=self._options(pick),
                current=mark.value if mark is not None else None,
                rescore=bool(mark is not None and mark.stale),
                scored=done,
                total=len(aspects),
                subcriterion=f"{sub.code} {sub.title}" if sub else "",
            )

    @staticmethod
    def _options(aspect: SchemeAspect) -> list[Option]:
        kind = AspectKind(aspect.kind)
        if kind is AspectKind.JUDGEMENT:
            return [Option(v, str(v)) for v in range(4)]
        if kind is AspectKind.BINARY:
            return [Option(1, "yes"), Option(0, "no")]
        return [Option(i, f"{o['label']} — {o['points']}") for i, o in enumerate(aspect.options)]

    async def _open_correction(
        self, s: AsyncSession, target_id: int, subcriterion_id: int
    ) -> Correction | None:
        return (
            (
                await s.execute(
                    select(Correction).where(
                        Correction.target_id == target_id,
                        Correction.subcriterion_id == subcriterion_id,
                        Correction.status == "open",
                    )
                )
            )
            .scalars()
            .first()
        )

    async def enter_mark(
        self,
        actor: int,
        target_id: int,
        aspect_id: int,
        value: int,
        *,
        for_expert: int | None = None,
    ) -> MarkOutcome:
        """Enter or change one mark. An expert scores the aspects of their groups (R-SCO-4)
        before the score lock and the evaluation deadline (R-APP-7), never their own
        participant as mentor (R-ROLE-3). After the lock only the chief expert changes a
        mark, for another expert (``for_expert``), inside an open correction (R-SCO-6).
        Every change is audited with the old and new value (R-SCO-7)."""
        expert = for_expert if for_expert is not None else actor
        async with self.uow() as uow:
            s = uow.session
            target, scheme = await self._target(s, target_id)
            aspect = await s.get(SchemeAspect, aspect_id)
            if aspect is None or aspect.scheme_id != scheme.id:
                raise NotFound("aspect_not_found")
            sub = await s.get(SchemeSubcriterion, aspect.subcriterion_id)
            assert sub is not None
            correction: Correction | None = None
            if for_expert is not None:
                await require_chief(s, self.ctx, actor, scheme)
                correction = await self._open_correction(s, target_id, sub.id)
                if (
                    correction is not None
                ):  # held: the relock waits for this mark, or this mark sees the relock
                    correction = await lock_row(s, Correction, correction.id)
                if correction is None or correction.status != "open":
                    raise DomainError("no_open_correction")
            else:
                # held FOR SHARE: entries run side by side, the score lock and a confirmation wait
                scheme = await _share_row(s, Scheme, scheme.id)
                if not await is_expert(s, actor, scheme.contest_id):
                    raise Forbidden("not_expert")
                if scheme.scores_locked_at is not None:
                    raise DomainError("scores_locked")
                if scheme.locked_at is None:
                    raise DomainError("scheme_not_locked")
                stage = await s.get(Stage, scheme.stage_id)
                if stage is not None and rules.deadline_passed(stage.evaluation_deadline, uow.now):
                    contest = await s.get(Contest, scheme.contest_id)
                    raise DomainError(
                        "evaluation_closed",
                        deadline=stage.evaluation_deadline,
                        tz=contest.timezone if contest else "Europe/Moscow",
                    )
            if target.mentor_telegram_id == expert and target.mentor_allowed_at is None:
                raise Forbidden("mentor_conflict")
            group = await s.get(AssessmentGroup, sub.group_id) if sub.group_id else None
            members = (
                [
                    m
                    for m in (
                        await s.execute(
                            select(GroupMember.telegram_id).where(GroupMember.group_id == group.id)
                        )
                    ).scalars()
                ]
                if group is not None
                else []
            )
            if expert not in members:
                raise Forbidden("not_your_aspect")
            check_value(aspect, value)
            # the group's result row first, locked: entries of one aspect run one at a time
            await s.execute(
                _insert(s)(AspectResult)
                .values(
                    target_id=target_id,
                    aspect_id=aspect_id,
                    scheme_id=scheme.id,
                    state="incomplete",
                    marks=0,
                    rounds=0,
                    updated_at=uow.now,
                )
                .on_conflict_do_nothing(index_elements=["target_id", "aspect_id"])
            )
            result = (
                await s.execute(
                    select(AspectResult)
                    .where(AspectResult.target_id == target_id, AspectResult.aspect_id == aspect_id)
                    .with_for_update()
                )
            ).scalar_one()
            score = (
                await s.execute(
                    select(Score)
                    .where(
                        Score.target_id == target_id,
                        Score.aspect_id == aspect_id,
                        Score.expert_telegram_id == expert,
                    )
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if for_expert is None and score is not None and not score.stale:
                if await self._confirmation(s, scheme.id, "expert", expert) is not None:
                    raise DomainError("sheet_confirmed")
            old = None if score is None else score.value
            changed = score is None or score.value != value or score.stale
            if score is None:
                score = Score(
                    target_id=target_id,
                    aspect_id=aspect_id,
                    expert_telegram_id=expert,
                    value=value,
                    stale=False,
                    entered_at=uow.now,
                    updated_at=uow.now,
                )
                s.add(score)
            else:
                score.value = value
                score.stale = False
                score.updated_at = uow.now
            await s.flush()
            if changed:
                uow.audit(
                    actor,
                    "score.correct" if correction is not None else "score.enter",
                    "score",
                    score.id,
                    contest_id=scheme.contest_id,
                    before=None if old is None else {"value": old},
                    after={
                        "value": value,
                        "target_id": target_id,
                        "aspect": aspect.code,
                        "expert": expert,
                        **({"correction_id": correction.id} if correction else {}),
                    },
                )
            # the mentor of this participant does not score them (R-ROLE-3): the group's
            # result is then made of the other members' marks
            scorers = [
                m
                for m in members
                if m != target.mentor_telegram_id or target.mentor_allowed_at is not None
            ]
            await self._recompute(uow, scheme, target, aspect, group, scorers, result)
            done, total = await self._progress_of(s, expert, scheme.id, target_id)
            return MarkOutcome(result.state, result.points, done, total, changed)

    async def _recompute(
        self,
        uow: UnitOfWork,
        scheme: Scheme,
        target: EvaluationTarget,
        aspect: SchemeAspect,
        group: AssessmentGroup | None,
        members: list[int],
        result: AspectResult,
    ) -> None:
        """The group's result from every current mark (R-SCO-1…3). A spread over one (or a
        tie) makes every mark of the aspect stale, tells the group, and withdraws the
        members' confirmations: they score it again."""
        s = uow.session
        marks = (
            (
                await s.execute(
                    select(Score).where(
                        Score.target_id == target.id,
                        Score.aspect_id == aspect.id,
                        Score.expert_telegram_id.in_(members),
                    )
                )
            )
            .scalars()
            .all()
        )
        fresh = [m for m in marks if not m.stale]
        result.marks = len(fresh)
        result.updated_at = uow.now
        if len(fresh) < len(members) or not members:
            result.state = (
                "incomplete"
                if result.state not in ("rescore", "tie") or not any(m.stale for m in marks)
                else result.state
            )
            result.points = None
            return
        state, points = aspect_outcome(aspect, [m.value for m in fresh])
        result.state = state
        result.points = points
        if state == "scored":
            return
        result.rounds += 1
        result.marks = 0  # every mark of the aspect is to be given again
        for m in fresh:
            m.stale = True
        await s.execute(
            update(SheetConfirmation)
            .where(
                SheetConfirmation.scheme_id == scheme.id,
                SheetConfirmation.kind == "expert",
                SheetConfirmation.telegram_id.in_(members),
                SheetConfirmation.revoked_at.is_(None),
            )
            .values(revoked_at=uow.now)
        )
        uow.audit(
            None,
            "score.rescore" if state == "rescore" else "score.tie",
            "aspect_result",
            result.id,
            contest_id=scheme.contest_id,
            after={
                "target_id": target.id,
                "aspect": aspect.code,
                "marks": sorted(m.value for m in fresh),
                "round": result.rounds,
            },
        )
        for member in members:
            await self._tell(
                uow,
                member,
                f"{target.id}:{aspect.id}:{result.rounds}",
                "sco-note-" + state,
                {
                    "target": target_label(target),
                    "aspect": f"{aspect.code} {aspect.title}",
                    "marks": ", ".join(str(m.value) for m in fresh),
                    "scheme": scheme.title,
                },
                reason="rescore",
                keyboard=[
                    [
                        {
                            "text": "sco-btn-rescore",
                            "action": "score",
                            "contest_id": str(scheme.contest_id),
                            "target": str(target.id),
                            "aspect": str(aspect.id),
                        }
                    ]
                ],
            )

    async def confirm_sheet(self, actor: int, scheme_id: int) -> None:
        """«Подтвердить оценки»: every assigned aspect of every target scored, none waiting
        for a re-score (R-SCO-4)."""
        async with self.uow() as uow:
            s = uow.session
            # the scheme held first: a double tap confirms once, the score lock waits, and the
            # marks entered meanwhile (which hold the scheme FOR SHARE) are all seen below
            await self._scheme(s, scheme_id, lock=True)
            scheme = await self._confirm_sheet_checks(s, actor, scheme_id)
            # the confirmation first, then this expert's marks read under lock: a re-score
            # entered at the same time either withdraws this confirmation or is seen here as
            # a stale mark — never both missed (a refusal below rolls the row back)
            s.add(
                SheetConfirmation(
                    scheme_id=scheme_id, kind="expert", telegram_id=actor, confirmed_at=uow.now
                )
            )
            await s.flush()
            aspects = await self._assigned_aspects(s, actor, scheme_id)
            targets = await self._scoreable_targets(s, actor, scheme_id)
            marks = await self._my_marks(s, actor, scheme_id, lock=True)
            missing = sum(
                1
                for t in targets
                for a in aspects
                if (t.id, a.id) not in marks or marks[(t.id, a.id)].stale
            )
            if missing:
                raise DomainError("sheet_incomplete", missing=missing)
            if not targets:
                raise DomainError("no_targets")
            uow.audit(
                actor,
                "sheet.confirm",
                "scheme",
                scheme_id,
                contest_id=scheme.contest_id,
                after={"marks": len(targets) * len(aspects)},
            )

    async def _confirm_sheet_checks(self, s: AsyncSession, actor: int, scheme_id: int) -> Scheme:
        scheme = await self._expert_scheme(s, actor, scheme_id)
        await self._scores_unlocked(s, scheme)
        done = await self._confirmation(s, scheme_id, "expert", actor)
        if done is not None:
            raise DomainError(
                "sheet_already_confirmed",
                at=done.confirmed_at,
                tz=await contest_tz(s, scheme.contest_id),
            )
        return scheme

    async def check_confirm_sheet(self, actor: int, scheme_id: int) -> None:
        """Before «Подтвердить оценки?» is asked: refused at once if already done or locked."""
        async with self.read() as s:
            await self._confirm_sheet_checks(s, actor, scheme_id)

    # ----------------------------------------------------------------- lock (R-SCO-5)

    async def _lock_blockers(self, s: AsyncSession, scheme: Scheme) -> dict[str, int]:
        targets = (
            await s.execute(
                select(func.count())
                .select_from(EvaluationTarget)
                .where(EvaluationTarget.scheme_id == scheme.id)
            )
        ).scalar_one()
        aspects = (
            await s.execute(
                select(func.count())
                .select_from(SchemeAspect)
                .where(SchemeAspect.scheme_id == scheme.id)
            )
        ).scalar_one()
        scored = (
            await s.execute(
                select(func.count())
                .select_from(AspectResult)
                .where(AspectResult.scheme_id == scheme.id, AspectResult.state == "scored")
            )
        ).scalar_one()
        flagged = (
            await s.execute(
                select(func.count())
                .select_from(AspectResult)
                .where(
                    AspectResult.scheme_id == scheme.id, AspectResult.state.in_(["rescore", "tie"])
                )
            )
        ).scalar_one()
        members = set(
            (
                await s.execute(
                    select(GroupMember.telegram_id)
                    .join(AssessmentGroup, AssessmentGroup.id == GroupMember.group_id)
                    .where(AssessmentGroup.scheme_id == scheme.id)
                )
            ).scalars()
        )
        # a member whose expert role was withdrawn cannot confirm and does not hold the lock up
        members &= set(
            (
                await s.execute(
                    select(RoleAssignment.telegram_id).where(
                        RoleAssignment.contest_id == scheme.contest_id,
                        RoleAssignment.role == Role.EXPERT,
                        RoleAssignment.active.is_(True),
                    )
                )
            ).scalars()
        )
        confirmed = set(
            (
                await s.execute(
                    select(SheetConfirmation.telegram_id).where(
                        SheetConfirmation.scheme_id == scheme.id,
                        SheetConfirmation.kind == "expert",
                        SheetConfirmation.revoked_at.is_(None),
                    )
                )
            ).scalars()
        )
        return {
            "targets": targets,
            "unscored": targets * aspects - scored - flagged,
            "flagged": flagged,
            "unconfirmed": len(members - confirmed),
        }

    async def lock_scores(self, actor: int, scheme_id: int) -> int:
        """R-SCO-5: the chief expert locks the entered scores once every aspect of every
        target has its group result and every expert confirmed their sheet. Mentors are
        then asked to check their own participant's sheet. Returns how many were asked."""
        async with self.uow() as uow:
            s = uow.session
            scheme = await self._scheme(s, scheme_id, lock=True)
            await require_chief(s, self.ctx, actor, scheme)
            await self._scores_unlocked(s, scheme)
            blockers = await self._lock_blockers(s, scheme)
            if blockers["targets"] == 0:
                raise DomainError("no_targets")
            if blockers["unscored"] or blockers["flagged"] or blockers["unconfirmed"]:
                raise DomainError("cannot_lock_scores", **blockers)
            scheme.scores_locked_at = uow.now
            scheme.scores_locked_by = actor
            uow.audit(
                actor,
                "scores.lock",
                "scheme",
                scheme_id,
                contest_id=scheme.contest_id,
                after={"locked_at": uow.now.isoformat()},
            )
            protocols = ProtocolService(self.ctx)
            experts = sorted(await competence_experts(s, scheme) - {scheme.chief_telegram_id})
            await docs.score_lock(
                uow, protocols, scheme, actor, experts
            )  # R-PRO-1, signed by all experts
            asked = 0
            targets = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(EvaluationTarget.scheme_id == scheme_id)
                    .options(selectinload(EvaluationTarget.participant))
                )
            ).scalars()
            for t in targets:
                if t.mentor_telegram_id is None:
                    continue
                await docs.mentor_sheet(uow, protocols, scheme, t, actor)
                asked += 1
                await self._tell(
                    uow,
                    t.mentor_telegram_id,
                    f"sheet:{t.id}:{uow.now.timestamp():.0f}",
                    "sco-note-mentor-sheet",
                    {"target": target_label(t), "scheme": scheme.title},
                    reason="mentor-sheet",
                    keyboard=[
                        [
                            {
                                "text": "sco-btn-open-sheet",
                                "action": "sheet",
                                "contest_id": str(scheme.contest_id),
                                "target": str(t.id),
                            }
                        ]
                    ],
                )
            return asked

    async def target_sheet(self, actor: int, target_id: int) -> TargetSheet:
        """R-SCO-5: after the lock a mentor sees their own participant's sheet only; the
        chief expert sees any (to prepare a correction). Nobody sees it before the lock."""
        async with self.read() as s:
            target, scheme = await self._target(s, target_id)
            chief = self.is_admin(actor) or await is_chief(s, actor, scheme)
            is_mentor = target.mentor_telegram_id == actor and await is_expert(
                s, actor, scheme.contest_id
            )
            if not (chief or is_mentor):
                raise Forbidden("not_your_participant")
            if scheme.scores_locked_at is None:
                raise DomainError("scores_not_locked")
            return await self._sheet(s, target, scheme, actor if is_mentor else None)

    async def _sheet(
        self,
        s: AsyncSession,
        target: EvaluationTarget,
        scheme: Scheme,
        mentor: int | None,
        subcriterion_id: int | None = None,
    ) -> TargetSheet:
        stmt = (
            select(SchemeAspect)
            .join(SchemeSubcriterion, SchemeSubcriterion.id == SchemeAspect.subcriterion_id)
            .join(SchemeCriterion, SchemeCriterion.id == SchemeSubcriterion.criterion_id)
            .where(SchemeAspect.scheme_id == scheme.id)
            .order_by(SchemeCriterion.position, SchemeSubcriterion.position, SchemeAspect.position)
        )
        if subcriterion_id is not None:
            stmt = stmt.where(SchemeAspect.subcriterion_id == subcriterion_id)
        aspects = (await s.execute(stmt)).scalars().all()
        marks: dict[int, dict[int, int]] = defaultdict(dict)
        for sc in (await s.execute(select(Score).where(Score.target_id == target.id))).scalars():
            marks[sc.aspect_id][sc.expert_telegram_id] = sc.value
        results = {
            r.aspect_id: r
            for r in (
                await s.execute(select(AspectResult).where(AspectResult.target_id == target.id))
            ).scalars()
        }
        lines = [
            SheetLine(
                a.id,
                a.code,
                a.title,
                a.kind,
                Decimal(a.max_points),
                dict(marks.get(a.id, {})),
                results[a.id].state if a.id in results else "incomplete",
                Decimal(results[a.id].points)
                if a.id in results and results[a.id].points is not None
                else None,
                tuple(self._options(a)),
            )
            for a in aspects
        ]
        confirmed = (
            await self._confirmation(s, scheme.id, "mentor", mentor, target.id)
            if mentor is not None
            else None
        )
        return TargetSheet(
            scheme.id,
            target.id,
            target_label(target),
            lines,
            sum((ln.points for ln in lines if ln.points is not None), Decimal(0)),
            confirmed.confirmed_at if confirmed else None,
            scheme.scores_locked_at is not None,
        )

    async def _mentor_sheet_checks(
        self, s: AsyncSession, actor: int, target_id: int
    ) -> tuple[EvaluationTarget, Scheme]:
        target, scheme = await self._target(s, target_id)
        if target.mentor_telegram_id != actor or not await is_expert(s, actor, scheme.contest_id):
            raise Forbidden("not_your_participant")
        if scheme.scores_locked_at is None:
            raise DomainError("scores_not_locked")
        busy = (
            await s.execute(
                select(Correction.id).where(
                    Correction.target_id == target_id, Correction.status.in_(["approval", "open"])
                )
            )
        ).first()
        if busy is not None:
            raise DomainError("correction_in_progress")
        done = await self._confirmation(s, scheme.id, "mentor", actor, target_id)
        if done is not None:
            raise DomainError(
                "mentor_sheet_already_confirmed",
                at=done.confirmed_at,
                tz=await contest_tz(s, scheme.contest_id),
            )
        return target, scheme

    async def check_mentor_sheet(self, actor: int, target_id: int) -> None:
        """Before the mentor is asked to confirm: refused at once if it is no longer to do."""
        async with self.read() as s:
            await self._mentor_sheet_checks(s, actor, target_id)

    async def confirm_mentor_sheet(
        self, actor: int, target_id: int, *, version: int | None = None, over_refusal: bool = False
    ) -> None:
        """R-SCO-5: the mentor confirms their participant's locked sheet — the signature of
        the sheet's protocol (``version``: the one the button was sent with, R-PRO-2)."""
        async with self.uow() as uow:
            s = uow.session
            await lock_row(s, EvaluationTarget, target_id)  # a double tap confirms once
            target, scheme = await self._mentor_sheet_checks(s, actor, target_id)
            s.add(
                SheetConfirmation(
                    scheme_id=scheme.id,
                    kind="mentor",
                    telegram_id=actor,
                    target_id=target_id,
                    confirmed_at=uow.now,
                )
            )
            await ProtocolService(self.ctx).sign_in(
                uow,
                "mentor_sheet",
                f"mentor:{target_id}",
                actor,
                version=version,
                over_refusal=over_refusal,
            )
            uow.audit(
                actor, "sheet.mentor_confirm", "target", target_id, contest_id=scheme.contest_id
            )
            await self._tell(
                uow,
                scheme.chief_telegram_id,
                f"mentor-confirm:{target_id}:{uow.now.timestamp():.0f}",
                "sco-note-mentor-confirmed",
                {"target": target_label(target)},
                reason="mentor-sheet",
            )

    # ----------------------------------------------------------------- corrections (R-SCO-6)

    async def _correction(
        self, s: AsyncSession, correction_id: int, *, lock: bool = False
    ) -> tuple[Correction, EvaluationTarget, Scheme]:
        if lock:  # the first read of a transition on the correction (R-SCO-6)
            c = await lock_row(s, Correction, correction_id)
        else:
            c = (
                await s.execute(select(Correction).where(Correction.id == correction_id))
            ).scalar_one_or_none()
        if c is None:
            raise NotFound("correction_not_found")
        target, scheme = await self._target(s, c.target_id)
        return c, target, scheme

    async def _correction_view(
        self, s: AsyncSession, c: Correction, target: EvaluationTarget
    ) -> CorrectionView:
        sub = await s.get(SchemeSubcriterion, c.subcriterion_id)
        sigs = (
            (
                await s.execute(
                    select(CorrectionSignature).where(CorrectionSignature.correction_id == c.id)
                )
            )
            .scalars()
            .all()
        )
        return CorrectionView(
            c.id,
            c.scheme_id,
            c.target_id,
            target_label(target),
            c.subcriterion_id,
            f"{sub.code} {sub.title}" if sub else "",
            c.reason,
            c.status,
            tuple(c.signers),
            tuple(x.telegram_id for x in sigs if x.phase == "approve"),
            tuple(x.telegram_id for x in sigs if x.phase == "confirm"),
            c.opened_by,
        )

    async def correction(self, actor: int, correction_id: int) -> CorrectionView:
        async with self.read() as s:
            c, target, _scheme = await self._correction(s, correction_id)
            if actor not in c.signers and not self.is_admin(actor):
                raise Forbidden("not_a_signer")
            return await self._correction_view(s, c, target)

    async def corrections(self, actor: int, scheme_id: int) -> list[CorrectionView]:
        async with self.read() as s:
            scheme = await self._scheme(s, scheme_id)
            await require_chief(s, self.ctx, actor, scheme)
            rows = (
                (
                    await s.execute(
                        select(Correction)
                        .where(Correction.scheme_id == scheme_id)
                        .order_by(Correction.id)
                    )
                )
                .scalars()
                .all()
            )
            out = []
            for c in rows:
                target, _ = await self._target(s, c.target_id)
                out.append(await self._correction_view(s, c, target))
            return out

    async def _open_correction_checks(
        self, s: AsyncSession, actor: int, target_id: int, subcriterion_id: int
    ) -> tuple[EvaluationTarget, Scheme, SchemeSubcriterion]:
        target, scheme = await self._target(s, target_id)
        await require_chief(s, self.ctx, actor, scheme)
        if scheme.scores_locked_at is None:
            raise DomainError("scores_not_locked")
        if scheme.results_published_at is not None:
            raise DomainError("results_published")
        sub = await s.get(SchemeSubcriterion, subcriterion_id)
        if sub is None or sub.scheme_id != scheme.id or sub.group_id is None:
            raise NotFound("subcriterion_not_found")
        busy = (
            (
                await s.execute(
                    select(Correction).where(
                        Correction.target_id == target_id,
                        Correction.subcriterion_id == subcriterion_id,
                        Correction.status.in_(["approval", "open", "signing"]),
                    )
                )
            )
            .scalars()
            .first()
        )
        if busy is not None:
            raise DomainError(
                "correction_already_open",
                id=busy.id,
                who=await person_name(s, scheme.contest_id, busy.opened_by),
                at=busy.opened_at,
                tz=await contest_tz(s, scheme.contest_id),
                status=busy.status,
            )
        return target, scheme, sub

    async def check_open_correction(self, actor: int, target_id: int, subcriterion_id: int) -> None:
        """Before the chief is asked for a reason: refused at once if no correction can be
        opened (scores not locked, results published, one already under way)."""
        async with self.read() as s:
            await self._open_correction_checks(s, actor, target_id, subcriterion_id)

    @staticmethod
    def check_reason(reason: str | None) -> str:
        """A correction's reason: said, and not too long (the same check as when applied)."""
        reason = (reason or "").strip()
        if not reason:
            raise DomainError("reason_required")
        if len(reason) > MAX_REASON:
            raise DomainError("reason_too_long", limit=MAX_REASON)
        return reason

    async def open_correction(
        self, actor: int, target_id: int, subcriterion_id: int, reason: str
    ) -> CorrectionView:
        """The chief expert opens a correction of one locked sheet (a target's
        subcriterion). The chief, the participant's mentor and every member of the
        subcriterion's group must approve it before anything unlocks (R-SCO-6)."""
        reason = self.check_reason(reason)
        async with self.uow() as uow:
            s = uow.session
            # one correction per sheet, even on a double tap
            await lock_row(s, EvaluationTarget, target_id)
            target, scheme, sub = await self._open_correction_checks(
                s, actor, target_id, subcriterion_id
            )
            members = list(
                (
                    await s.execute(
                        select(GroupMember.telegram_id)
                        .where(GroupMember.group_id == sub.group_id)
                        .order_by(GroupMember.id)
                    )
                ).scalars()
            )
            signers = list(
                dict.fromkeys(
                    [
                        actor,
                        *([target.mentor_telegram_id] if target.mentor_telegram_id else []),
                        *members,
                    ]
                )
            )
            c = Correction(
                scheme_id=scheme.id,
                target_id=target_id,
                subcriterion_id=subcriterion_id,
                reason=reason,
                status="approval",
                signers=signers,
                opened_by=actor,
                opened_at=uow.now,
            )
            s.add(c)
            await s.flush()
            s.add(
                CorrectionSignature(
                    correction_id=c.id, telegram_id=actor, phase="approve", signed_at=uow.now
                )
            )
            uow.audit(
                actor,
                "correction.open",
                "correction",
                c.id,
                contest_id=scheme.contest_id,
                after={
                    "target_id": target_id,
                    "subcriterion": sub.code,
                    "reason": reason,
                    "signers": signers,
                },
            )
            protocols = ProtocolService(
                self.ctx
            )  # R-PRO-1: the correction protocol, signed by the same people
            await docs.correction(
                uow,
                protocols,
                scheme,
                target,
                sub,
                c.id,
                reason,
                signers,
                actor,
                target.mentor_telegram_id,
                actor,
                corrected=False,
            )
            await protocols.sign_in(uow, "correction", f"correction:{c.id}", actor)
            for signer in signers:
                if signer == actor:
                    continue
                await self._tell(
                    uow,
                    signer,
                    f"correction:{c.id}:approve",
                    "sco-note-correction-approve",
                    {
                        "target": target_label(target),
                        "subcriterion": f"{sub.code} {sub.title}",
                        "reason": reason,
                    },
                    reason="correction",
                    keyboard=[
                        [
                            {
                                "text": "sco-btn-correction",
                                "action": "correction",
                                "contest_id": str(scheme.contest_id),
                                "correction": str(c.id),
                            }
                        ]
                    ],
                )
            await s.flush()
            return await self._correction_view(s, c, target)

    async def _sign_correction_checks(
        self, s: AsyncSession, actor: int, c: Correction, scheme: Scheme
    ) -> tuple[str, set[int]]:
        if actor not in c.signers or not await is_expert(s, actor, scheme.contest_id):
            raise Forbidden("not_a_signer")
        if c.status not in ("approval", "signing"):
            raise DomainError("correction_closed", id=c.id, status=c.status)
        phase = "approve" if c.status == "approval" else "confirm"
        sigs = {
            x.telegram_id: x
            for x in (
                await s.execute(
                    select(CorrectionSignature).where(
                        CorrectionSignature.correction_id == c.id,
                        CorrectionSignature.phase == phase,
                    )
                )
            ).scalars()
        }
        if actor in sigs:
            raise DomainError(
                "correction_already_signed",
                id=c.id,
                at=sigs[actor].signed_at,
                tz=await contest_tz(s, scheme.contest_id),
            )
        return phase, set(sigs)

    async def check_sign_correction(self, actor: int, correction_id: int) -> None:
        """A stale «Согласовать»: refused at once with what happened to the correction."""
        async with self.read() as s:
            c, _target, scheme = await self._correction(s, correction_id)
            await self._sign_correction_checks(s, actor, c, scheme)

    async def sign_correction(
        self,
        actor: int,
        correction_id: int,
        *,
        version: int | None = None,
        over_refusal: bool = False,
    ) -> CorrectionView:
        """A required signer approves the correction (before the unlock) or the corrected
        sheet (after the relock). When everyone has, the correction moves on: unlocked for
        the chief to correct, or done. The correction row is held first: two signers at once
        both count, the move happens once, a double tap signs once."""
        async with self.uow() as uow:
            s = uow.session
            c, target, scheme = await self._correction(s, correction_id, lock=True)
            phase, have = await self._sign_correction_checks(s, actor, c, scheme)
            s.add(
                CorrectionSignature(
                    correction_id=c.id, telegram_id=actor, phase=phase, signed_at=uow.now
                )
            )
            have.add(actor)
            uow.audit(
                actor, f"correction.{phase}", "correction", c.id, contest_id=scheme.contest_id
            )
            await ProtocolService(self.ctx).sign_in(
                uow,
                "correction",
                f"correction:{c.id}",
                actor,
                version=version,
                over_refusal=over_refusal,
            )
            if set(c.signers) <= have:
                if phase == "approve":
                    c.status = "open"
                    c.unlocked_at = uow.now
                    uow.audit(
                        actor,
                        "correction.unlock",
                        "correction",
                        c.id,
                        contest_id=scheme.contest_id,
                        after={"subcriterion_id": c.subcriterion_id, "target_id": c.target_id},
                    )
                    await self._tell(
                        uow,
                        scheme.chief_telegram_id,
                        f"correction:{c.id}:open",
                        "sco-note-correction-open",
                        {"target": target_label(target)},
                        reason="correction",
                        keyboard=[
                            [
                                {
                                    "text": "sco-btn-correction",
                                    "action": "correction",
                                    "contest_id": str(scheme.contest_id),
                                    "correction": str(c.id),
                                }
                            ]
                        ],
                    )
                else:
                    c.status = "done"
                    c.done_at = uow.now
                    uow.audit(
                        actor, "correction.done", "correction", c.id, contest_id=scheme.contest_id
                    )
                    await self._tell(
                        uow,
                        scheme.chief_telegram_id,
                        f"correction:{c.id}:done",
                        "sco-note-correction-done",
                        {"target": target_label(target)},
                        reason="correction",
                    )
            await s.flush()
            return await self._correction_view(s, c, target)

    async def correction_lines(self, actor: int, correction_id: int) -> TargetSheet:
        """The sheet of the corrected subcriterion, for its signers."""
        async with self.read() as s:
            c, target, scheme = await self._correction(s, correction_id)
            if actor not in c.signers and not self.is_admin(actor):
                raise Forbidden("not_a_signer")
            return await self._sheet(s, target, scheme, None, c.subcriterion_id)

    async def relock_correction(self, actor: int, correction_id: int) -> CorrectionView:
        """The chief locks the corrected subcriterion again; the signers then confirm the
        corrected sheet (R-SCO-6)."""
        async with self.uow() as uow:
            s = uow.session
            c, target, scheme = await self._correction(s, correction_id, lock=True)
            await require_chief(s, self.ctx, actor, scheme)
            if (
                c.status in ("signing", "done") and c.relocked_at is not None
            ):  # a double tap: locked once
                raise DomainError(
                    "correction_relocked",
                    id=c.id,
                    at=c.relocked_at,
                    tz=await contest_tz(s, scheme.contest_id),
                    who=await person_name(s, scheme.contest_id, scheme.chief_telegram_id),
                )
            if c.status != "open":
                raise DomainError("correction_not_open")
            pending = (
                await s.execute(
                    select(func.count())
                    .select_from(AspectResult)
                    .join(SchemeAspect, SchemeAspect.id == AspectResult.aspect_id)
                    .where(
                        AspectResult.target_id == c.target_id,
                        SchemeAspect.subcriterion_id == c.subcriterion_id,
                        AspectResult.state != "scored",
                    )
                )
            ).scalar_one()
            if pending:
                raise DomainError("correction_unresolved", count=pending)
            c.status = "signing"
            c.relocked_at = uow.now
            s.add(
                CorrectionSignature(
                    correction_id=c.id, telegram_id=actor, phase="confirm", signed_at=uow.now
                )
            )
            await s.execute(
                update(SheetConfirmation)
                .where(
                    SheetConfirmation.target_id == c.target_id,
                    SheetConfirmation.kind == "mentor",
                    SheetConfirmation.revoked_at.is_(None),
                )
                .values(revoked_at=uow.now)
            )
            uow.audit(actor, "correction.relock", "correction", c.id, contest_id=scheme.contest_id)
            sub = await s.get(SchemeSubcriterion, c.subcriterion_id)
            # the corrected sheet is new content: a new version of the correction protocol (and
            # of the mentor's sheet), so every signature is given again (R-SCO-6, R-PRO-2)
            protocols = ProtocolService(self.ctx)
            await docs.correction(
                uow,
                protocols,
                scheme,
                target,
                sub,
                c.id,
                c.reason,
                list(c.signers),
                scheme.chief_telegram_id or actor,
                target.mentor_telegram_id,
                actor,
                corrected=True,
            )
            await protocols.sign_in(uow, "correction", f"correction:{c.id}", actor)
            if target.mentor_telegram_id:
                await docs.mentor_sheet(uow, protocols, scheme, target, actor)
            for signer in c.signers:
                if signer == actor:
                    continue
                await self._tell(
                    uow,
                    signer,
                    f"correction:{c.id}:confirm",
                    "sco-note-correction-confirm",
                    {
                        "target": target_label(target),
                        "subcriterion": f"{sub.code} {sub.title}" if sub else "",
                    },
                    reason="correction",
                    keyboard=[
                        [
                            {
                                "text": "sco-btn-correction",
                                "action": "correction",
                                "contest_id": str(scheme.contest_id),
                                "correction": str(c.id),
                            }
                        ]
                    ],
                )
            if set(c.signers) == {actor}:
                c.status = "done"
                c.done_at = uow.now
            await s.flush()
            return await self._correction_view(s, c, target)

    # ----------------------------------------------------------------- results (R-RES-1, R-APP-8)

    async def _totals(self, s: AsyncSession, scheme_id: int) -> dict[int, Decimal]:
        rows = await s.execute(
            select(AspectResult.target_id, func.coalesce(func.sum(AspectResult.points), 0))
            .where(AspectResult.scheme_id == scheme_id)
            .group_by(AspectResult.target_id)
        )
        return {tid: rules.quantize_points(Decimal(str(total))) for tid, total in rows}

    async def compute_results(self, scheme_id: int) -> Results:
        """Totals, places and medals from the group results kept at entry. Ranking is
        overall, or per region on a regional stage; a region's winners advance to the next
        stage's list (R-APP-8) when there is a next stage."""
        async with self.read() as s:
            return await self._results(s, scheme_id)

    async def _results(self, s: AsyncSession, scheme_id: int) -> Results:
        scheme = await self._scheme(s, scheme_id)
        totals = await self._totals(s, scheme_id)
        targets = (
            await s.execute(
                select(EvaluationTarget, Region.name)
                .outerjoin(Region, Region.id == EvaluationTarget.region_id)
                .where(EvaluationTarget.scheme_id == scheme_id)
                .options(selectinload(EvaluationTarget.participant))
            )
        ).all()
        stage = await s.get(Stage, scheme.stage_id)
        later = (
            await s.execute(
                select(Stage.id).where(
                    Stage.contest_id == scheme.contest_id,
                    Stage.active.is_(True),
                    Stage.position > (stage.position if stage else 0),
                )
            )
        ).first()
        # R-APL-9: deductions and disqualifications decided on appeal
        deducted: dict[int, Decimal] = defaultdict(Decimal)
        disqualified: set[int] = set()
        for adj in (
            await s.execute(select(ResultAdjustment).where(ResultAdjustment.scheme_id == scheme_id))
        ).scalars():
            deducted[adj.target_id] += Decimal(adj.points)
            if adj.disqualified:
                disqualified.add(adj.target_id)
        final = {
            t.id: max(totals.get(t.id, Decimal("0.00")) - deducted[t.id], Decimal("0.00"))
            for t, _ in targets
        }
        buckets: dict[str | None, dict[str, Decimal]] = defaultdict(dict)
        for t, region in targets:
            if t.id in disqualified:
                continue  # out of the ranking: no place, no medal
            key = region if scheme.ranking == "by_region" else None
            buckets[key][str(t.id)] = final[t.id]
        places: dict[str, int] = {}
        medals: dict[str, str | None] = {}
        for bucket in buckets.values():
            places.update(rules.competition_places(bucket))
            medals.update(rules.award_medals(bucket))
        lines = [
            ResultLine(
                t.id,
                t.number,
                target_label(t),
                region,
                final[t.id],
                places.get(str(t.id), 0),
                medals.get(str(t.id)),
                advances=later is not None and places.get(str(t.id)) == 1,
                deducted=deducted[t.id],
                disqualified=t.id in disqualified,
            )
            for t, region in targets
        ]
        lines.sort(
            key=lambda x: (
                x.region or "" if scheme.ranking == "by_region" else "",
                x.disqualified,
                x.place,
                x.number,
            )
        )
        return Results(scheme_id, scheme.title, scheme.scores_locked_at is not None, lines)

    async def results(self, actor: int, scheme_id: int) -> Results:
        """Results for a coordinator (R-RES-2: they publish them); a regional coordinator
        sees their regions' lines only. Experts do not see other participants' totals
        before publication (R-SCO-5)."""

        async with self.read() as s:
            scheme = await self._scheme(s, scheme_id)
            if not await is_coordinator(s, self.ctx, actor, scheme.contest_id):
                raise Forbidden("not_coordinator")
            scope = await coordinator_scope(s, self.ctx, actor, scheme.contest_id)
            results = await self._results(s, scheme_id)
            if scope is None:
                return results
            names = set(
                (
                    await s.execute(
                        select(Region.name).where(
                            Region.contest_id == scheme.contest_id, Region.code.in_(scope)
                        )
                    )
                ).scalars()
            )
            return Results(
                results.scheme_id,
                results.title,
                results.complete,
                [ln for ln in results.lines if ln.region in names],
            )

    async def promote_winners(self, actor: int, scheme_id: int) -> int:
        """R-APP-8: the regional winners' applications move to the next stage's scheme of the
        same nomination (materials are not uploaded again). Returns how many moved."""
        async with self.uow() as uow:
            s = uow.session
            scheme = await self._scheme(s, scheme_id)
            if not await is_coordinator(s, self.ctx, actor, scheme.contest_id):
                raise Forbidden("not_coordinator")
            if scheme.scores_locked_at is None:
                raise DomainError("scores_not_locked")
            stage = await s.get(Stage, scheme.stage_id)
            nxt = (
                (
                    await s.execute(
                        select(Scheme)
                        .join(Stage, Stage.id == Scheme.stage_id)
                        .where(
                            Scheme.contest_id == scheme.contest_id,
                            Scheme.nomination_id == scheme.nomination_id,
                            Stage.position > (stage.position if stage else 0),
                        )
                        .order_by(Stage.position)
                    )
                )
                .scalars()
                .first()
            )
            if nxt is None:
                raise DomainError("no_next_stage_scheme")
            results = await self._results(s, scheme_id)
            have = set(
                (
                    await s.execute(
                        select(EvaluationTarget.participant_id).where(
                            EvaluationTarget.scheme_id == nxt.id
                        )
                    )
                ).scalars()
            )
            number = (
                await s.execute(
                    select(func.coalesce(func.max(EvaluationTarget.number), 0)).where(
                        EvaluationTarget.scheme_id == nxt.id
                    )
                )
            ).scalar_one()
            moved = 0
            for line in results.lines:
                if not line.advances:
                    continue
                t = await s.get(EvaluationTarget, line.target_id)
                if t is None or t.participant_id in have:
                    continue
                number += 1
                s.add(
                    EvaluationTarget(
                        scheme_id=nxt.id,
                        participant_id=t.participant_id,
                        number=number,
                        region_id=t.region_id,
                        promoted_from_id=t.id,
                        created_at=uow.now,
                    )
                )
                moved += 1
            uow.audit(
                actor,
                "targets.promote",
                "scheme",
                scheme_id,
                contest_id=scheme.contest_id,
                after={"to_scheme": nxt.id, "moved": moved},
            )
            return moved

    # ----------------------------------------------------------------- coordinator view

    async def progress(self, actor: int, scheme_id: int) -> ScoringProgress:
        """Scoring progress per group and expert, aspects awaiting a re-score, sheets not
        confirmed — counts and names only, never marks or totals (R-SCO-5)."""
        async with self.read() as s:
            scheme = await self._scheme(s, scheme_id)
            if not (
                await is_coordinator(s, self.ctx, actor, scheme.contest_id)
                or await is_chief(s, actor, scheme)
            ):
                raise Forbidden("not_coordinator")
            targets = (
                (
                    await s.execute(
                        select(EvaluationTarget)
                        .where(EvaluationTarget.scheme_id == scheme_id)
                        .options(selectinload(EvaluationTarget.participant))
                        .order_by(EvaluationTarget.number)
                    )
                )
                .scalars()
                .all()
            )
            by_target = {t.id: t for t in targets}
            groups = (
                (
                    await s.execute(
                        select(AssessmentGroup)
                        .where(AssessmentGroup.scheme_id == scheme_id)
                        .options(selectinload(AssessmentGroup.members))
                        .order_by(AssessmentGroup.id)
                    )
                )
                .scalars()
                .all()
            )
            aspects_per_group = dict(
                (
                    await s.execute(
                        select(SchemeSubcriterion.group_id, func.count(SchemeAspect.id))
                        .join(SchemeAspect, SchemeAspect.subcriterion_id == SchemeSubcriterion.id)
                        .where(
                            SchemeSubcriterion.scheme_id == scheme_id,
                            SchemeSubcriterion.group_id.is_not(None),
                        )
                        .group_by(SchemeSubcriterion.group_id)
                    )
                ).all()
            )
            scored_per_group = dict(
                (
                    await s.execute(
                        select(SchemeSubcriterion.group_id, func.count(AspectResult.id))
                        .join(SchemeAspect, SchemeAspect.subcriterion_id == SchemeSubcriterion.id)
                        .join(AspectResult, AspectResult.aspect_id == SchemeAspect.id)
                        .where(
                            SchemeSubcriterion.scheme_id == scheme_id,
                            AspectResult.state == "scored",
                        )
                        .group_by(SchemeSubcriterion.group_id)
                    )
                ).all()
            )
            marks_per_expert = dict(
                (
                    await s.execute(
                        select(Score.expert_telegram_id, func.count())
                        .join(EvaluationTarget, EvaluationTarget.id == Score.target_id)
                        .where(EvaluationTarget.scheme_id == scheme_id, Score.stale.is_(False))
                        .group_by(Score.expert_telegram_id)
                    )
                ).all()
            )
            names = dict(
                (
                    await s.execute(
                        select(RoleAssignment.telegram_id, RoleAssignment.name).where(
                            RoleAssignment.contest_id == scheme.contest_id,
                            RoleAssignment.role == Role.EXPERT,
                        )
                    )
                ).all()
            )
            confirmed = set(
                (
                    await s.execute(
                        select(SheetConfirmation.telegram_id).where(
                            SheetConfirmation.scheme_id == scheme_id,
                            SheetConfirmation.kind == "expert",
                            SheetConfirmation.revoked_at.is_(None),
                        )
                    )
                ).scalars()
            )
            experts: dict[int, list[str]] = defaultdict(list)
            expected: dict[int, int] = defaultdict(int)
            for g in groups:
                for m in g.members:
                    experts[m.telegram_id].append(g.code)
                    own = sum(
                        1
                        for t in targets
                        if t.mentor_telegram_id == m.telegram_id and t.mentor_allowed_at is None
                    )
                    expected[m.telegram_id] += aspects_per_group.get(g.id, 0) * (len(targets) - own)
            expert_lines = [
                ExpertProgress(
                    tid,
                    names.get(tid) or str(tid),
                    tuple(codes),
                    min(marks_per_expert.get(tid, 0), expected[tid]),
                    expected[tid],
                    tid in confirmed,
                )
                for tid, codes in sorted(experts.items(), key=lambda kv: names.get(kv[0]) or "")
            ]
            flagged_rows = (
                await s.execute(
                    select(AspectResult.target_id, SchemeAspect.code, AspectResult.state)
                    .join(SchemeAspect, SchemeAspect.id == AspectResult.aspect_id)
                    .where(
                        AspectResult.scheme_id == scheme_id,
                        AspectResult.state.in_(["rescore", "tie"]),
                    )
                    .order_by(AspectResult.target_id, SchemeAspect.position)
                )
            ).all()
            unassigned = list(
                (
                    await s.execute(
                        select(SchemeSubcriterion.code).where(
                            SchemeSubcriterion.scheme_id == scheme_id,
                            SchemeSubcriterion.group_id.is_(None),
                        )
                    )
                ).scalars()
            )
            mentors_unconfirmed: list[str] = []
            if scheme.scores_locked_at is not None:
                done = set(
                    (
                        await s.execute(
                            select(SheetConfirmation.target_id).where(
                                SheetConfirmation.scheme_id == scheme_id,
                                SheetConfirmation.kind == "mentor",
                                SheetConfirmation.revoked_at.is_(None),
                            )
                        )
                    ).scalars()
                )
                mentors_unconfirmed = [
                    target_label(t) for t in targets if t.mentor_telegram_id and t.id not in done
                ]
            open_corrections = (
                await s.execute(
                    select(func.count())
                    .select_from(Correction)
                    .where(
                        Correction.scheme_id == scheme_id,
                        Correction.status.in_(["approval", "open", "signing"]),
                    )
                )
            ).scalar_one()
            return ScoringProgress(
                scheme_id=scheme_id,
                title=scheme.title,
                targets=len(targets),
                groups=[
                    GroupProgress(
                        g.code,
                        g.name,
                        scored_per_group.get(g.id, 0),
                        aspects_per_group.get(g.id, 0) * len(targets),
                    )
                    for g in groups
                ],
                experts=expert_lines,
                flagged=[
                    FlaggedAspect(
                        target_label(by_target[tid]) if tid in by_target else str(tid), code, state
                    )
                    for tid, code, state in flagged_rows
                ],
                unassigned=unassigned,
                unconfirmed=[e.name for e in expert_lines if not e.confirmed],
                mentors_unconfirmed=mentors_unconfirmed,
                scores_locked=scheme.scores_locked_at is not None,
                open_corrections=open_corrections,
            )

    async def issue_briefing(self, actor: int, scheme_id: int) -> int:
        """The chief expert issues the task-briefing protocol (R-PRO-1) for the participants
        on the list; each signs it in the chat. Returns the protocol id."""
        async with self.uow() as uow:
            scheme = await self._scheme(uow.session, scheme_id)
            await require_chief(uow.session, self.ctx, actor, scheme)
            targets = (
                await uow.session.execute(
                    select(func.count())
                    .select_from(EvaluationTarget)
                    .where(EvaluationTarget.scheme_id == scheme_id)
                )
            ).scalar_one()
            if not targets:
                raise DomainError("no_targets")
            pid, _, _ = await docs.task_briefing(uow, ProtocolService(self.ctx), scheme, actor)
            return pid

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

    async def mentor_targets(self, actor: int, scheme_id: int) -> list[tuple[int, str]]:
        """The participants this mentor represents in a scheme (R-ROLE-3)."""
        async with self.read() as s:
            scheme = await self._scheme(s, scheme_id)
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

    async def scheme_ids(self, contest_id: int) -> list[int]:
        async with self.read() as s:
            return list(
                (
                    await s.execute(
                        select(Scheme.id).where(Scheme.contest_id == contest_id).order_by(Scheme.id)
                    )
                ).scalars()
            )


__all__ = ["ScoringService", "aspect_outcome", "check_value"]
