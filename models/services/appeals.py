"""Disputes (R-APL-1…9): the pre-appeal vote at the site, the appeal commission, appeals
with deadlines computed in the event's time zone, decisions applied to the results.

The event of a scheme (a competence at a site) is its stage; times are the contest's zone.
Every method checks the role here.

Every transition (issue #12, guarantee 1) takes its subject row first — :func:`lock`
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's unit of work already holds the write lock)
or :func:`move` (a conditional ``UPDATE``) — so a double press, two members, two instances
or the worker racing a person move it once: one audit row, one notice. The loser is refused
with what already happened, who and when (``err-*-already`` in ``guard_appeals.ftl``). A chat
draft carries a ``draft_key``: a second «Вынести» / «Подать» of it opens or files nothing. The workers' checks — the commission reminded and
alarmed on the decision day, an alarm if an extract is undelivered after an hour
(R-REM-4), and the automatic refusal of an appeal whose time was not confirmed by its
deadline — are reminder kinds in ``notifications/appeal_reminders.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import commission as cms
from models import rules, teams
from models.contest_file import Role
from models.errors import DomainError, Forbidden, NotFound
from models.services.access import active_roles, competence_experts
from models.services.base import Service, UnitOfWork, lock
from models.services.protocols import ProtocolService, table
from models.services.scoring_protocols import target_label
from models.tables import (
    Appeal,
    AppealVote,
    AuditRecord,
    CommissionMember,
    Contest,
    EvaluationTarget,
    Organisation,
    PreAppeal,
    PreAppealVote,
    Region,
    ResultAdjustment,
    RoleAssignment,
    Scheme,
    Stage,
)

#: R-APL-5: the only kinds of appeal the commission accepts
APPEAL_KINDS = ("scoring_procedure", "unfair_advantage", "removed_from_task")
#: R-APL-4: the fields an appeal must have (besides kind, dispute time and evidence)
APPEAL_FIELDS = (
    "applicant_name",
    "applicant_category",
    "contacts",
    "place",
    "violators",
    "witnesses",
    "description",
    "demands",
)
MAX_TEXT = 3000
MAX_EVIDENCE = 20


@dataclass(frozen=True, slots=True)
class PreAppealView:
    id: int
    scheme_id: int
    situation: str
    proposal: str
    penalty: str | None
    status: str
    accredited: int
    votes_for: int
    votes_against: int
    voted: tuple[int, ...]

    @property
    def quorum(self) -> rules.Quorum:
        """R-APL-1: where the vote stands against its quorum (the pure rule, as the service closes it)."""
        return rules.pre_appeal_quorum(self.accredited, self.votes_for + self.votes_against)


@dataclass(frozen=True, slots=True)
class AppealView:
    id: int
    scheme_id: int
    target_id: int
    target_label: str
    applicant: int
    applicant_role: str
    kind: str
    fields: dict[str, Any]
    evidence: list[Any]
    dispute_at: datetime
    deadline_at: datetime
    filed_at: datetime
    registered_at: datetime | None
    decide_by: datetime | None
    status: str
    excluded: tuple[int, ...]
    votes_uphold: int
    votes_reject: int
    decision: str | None
    decision_text: str | None
    deduction: Decimal | None
    disqualified: bool
    decided_at: datetime | None
    timezone: str
    #: (member, uphold) of the votes cast so far — a member's own card offers «Изменить голос»
    voters: tuple[tuple[int, bool], ...] = ()
    #: R-APL-6 (issue #15): who records the decision — the chair, or the deputy when the chair
    #: is excluded; None when both are excluded (the coordinator names another deputy)
    decider: int | None = None
    #: R-APL-9 (issue #15): points restored to the appellant's participant; the other
    #: participant ``deduction`` / ``disqualified`` applied to (None: the appellant's own)
    restored: Decimal | None = None
    penalised: int | None = None
    penalised_label: str | None = None


@dataclass(frozen=True, slots=True)
class StageChoice:
    """A stage the commission may be formed against (R-APL-6): the coordinator picks one."""

    id: int
    title: str
    starts_at: datetime | None
    timezone: str
    #: R-APL-6: may be chosen now — two days or more before it starts, or the stage the
    #: commission already serves (issue #15: a stage too late is not offered)
    formable: bool = True


@dataclass(frozen=True, slots=True)
class PointsBound:
    """R-APL-9 (issue #15): what bounds a number typed at a decision's step — the
    participant's total now, and whether it binds a deduction yet (only once the scores are
    locked; before, the results floor at zero)."""

    target_id: int
    label: str
    total: Decimal
    locked: bool

    @property
    def most_deducted(self) -> Decimal:
        return self.total if self.locked else rules.SCHEME_TOTAL_POINTS


@dataclass(frozen=True, slots=True)
class MemberView:
    telegram_id: int
    name: str
    role: str
    organisation_code: str | None


def _text(value: Any, field: str) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise DomainError("appeal_field_missing", field=field)
    if len(text) > MAX_TEXT:
        raise DomainError("appeal_field_too_long", field=field, limit=MAX_TEXT)
    return text


class AppealService(Service):
    # ----------------------------------------------------------------- helpers

    async def _scheme(self, s: AsyncSession, scheme_id: int) -> Scheme:
        scheme = await s.get(Scheme, scheme_id)
        if scheme is None:
            raise NotFound("scheme_not_found")
        return scheme

    async def _tz(self, s: AsyncSession, contest_id: int) -> str:
        contest = await s.get(Contest, contest_id)
        return contest.timezone if contest else "Europe/Moscow"

    async def _accredited(self, s: AsyncSession, scheme: Scheme) -> list[int]:
        """The experts accredited at the site of a competence: its chief, group members and
        mentors who hold the expert role now."""

        return sorted(await competence_experts(s, scheme))

    async def _who(self, s: AsyncSession, contest_id: int, telegram_id: int | None) -> str:
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
        if name is None:
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

    async def _audited(
        self, s: AsyncSession, action: str, entity: str, entity_id: int, actor: int | None = None
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

    async def _closed(self, s: AsyncSession, row: PreAppeal, scheme: Scheme) -> DomainError:
        """The vote is over: by whom (or by itself — everyone voted), when, and its outcome."""
        return DomainError(
            "pre_appeal_closed_already",
            id=row.id,
            at=row.closed_at or row.opened_at,
            tz=await self._tz(s, scheme.contest_id),
            outcome=row.status,
            auto="yes" if row.closed_by is None else "no",
            by=await self._who(s, scheme.contest_id, row.closed_by),
        )

    async def _decided(self, s: AsyncSession, appeal: Appeal) -> DomainError:
        """R-APL-8: the decision is taken and final — what it was, by whom, when."""
        chair, _ = await self._heads(s, appeal.contest_id)
        # R-APL-6 (issue #15): the deputy's decision is credited to the deputy, not «председатель»
        role = (
            "chair" if chair is None or appeal.decided_by in (None, chair.telegram_id) else "deputy"
        )
        return DomainError(
            "appeal_decided_already",
            id=appeal.id,
            decision=appeal.decision or "rejected",
            at=appeal.decided_at or appeal.filed_at,
            tz=await self._tz(s, appeal.contest_id),
            by=await self._who(s, appeal.contest_id, appeal.decided_by),
            role=role,
        )

    async def _not_open(self, s: AsyncSession, appeal: Appeal) -> DomainError:
        """Why a registered-only action is refused: decided, refused as late, or not yet registered."""
        if appeal.status == "decided":
            return await self._decided(s, appeal)
        if appeal.status == "refused_late":
            return DomainError(
                "appeal_refused_late_already",
                id=appeal.id,
                deadline=appeal.deadline_at,
                tz=await self._tz(s, appeal.contest_id),
            )
        return DomainError("appeal_not_open")

    async def _tell(
        self,
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

    # ----------------------------------------------------------------- pre-appeal (R-APL-1)

    async def open_pre_appeal(
        self,
        actor: int,
        scheme_id: int,
        situation: str,
        proposal: str,
        penalty: str | None,
        *,
        draft_key: str | None = None,
    ) -> PreAppealView:
        """The chief expert puts a proposal to a vote of the experts accredited at the site.
        ``draft_key`` names the chat draft: it opens one vote, however often it is sent."""
        situation, proposal = _text(situation, "situation"), _text(proposal, "proposal")
        penalty = (penalty or "").strip() or None
        if penalty is not None and len(penalty) > MAX_TEXT:
            raise DomainError("appeal_field_too_long", field="penalty", limit=MAX_TEXT)
        async with self.uow() as uow:
            s = uow.session
            scheme = await lock(
                s, Scheme, scheme_id
            )  # two «Вынести» of one draft: the second waits here
            if scheme is None:
                raise NotFound("scheme_not_found")
            if scheme.chief_telegram_id != actor or not any(
                r.role == Role.EXPERT for r in await active_roles(s, actor, scheme.contest_id)
            ):
                raise Forbidden("not_chief")
            if draft_key:
                opened = (
                    await s.execute(
                        select(PreAppeal).where(
                            PreAppeal.opened_by == actor, PreAppeal.draft_key == draft_key
                        )
                    )
                ).scalar_one_or_none()
                if opened is not None:
                    raise DomainError(
                        "pre_appeal_opened_already",
                        id=opened.id,
                        at=opened.opened_at,
                        tz=await self._tz(s, scheme.contest_id),
                    )
            accredited = await self._accredited(s, scheme)
            if not accredited:
                raise DomainError("no_accredited_experts")
            row = PreAppeal(
                scheme_id=scheme_id,
                situation=situation,
                proposal=proposal,
                penalty=penalty,
                accredited=accredited,
                status="voting",
                opened_by=actor,
                opened_at=uow.now,
                draft_key=draft_key or None,
            )
            s.add(row)
            await s.flush()
            uow.audit(
                actor,
                "pre_appeal.open",
                "pre_appeal",
                row.id,
                contest_id=scheme.contest_id,
                after={"accredited": len(accredited)},
            )
            for e in accredited:
                await self._tell(
                    uow,
                    e,
                    f"pre_appeal:{row.id}",
                    "apl-note-pre-vote",
                    {
                        "situation": situation,
                        "proposal": proposal,
                        "penalty": penalty or "—",
                        "scheme": scheme.title,
                    },
                    reason="pre-appeal",
                    keyboard=[
                        [
                            {
                                "text": "apl-btn-for",
                                "action": "preappeal",
                                "contest_id": str(scheme.contest_id),
                                "id": str(row.id),
                                "vote": "1",
                            },
                            {
                                "text": "apl-btn-against",
                                "action": "preappeal",
                                "contest_id": str(scheme.contest_id),
                                "id": str(row.id),
                                "vote": "0",
                            },
                        ]
                    ],
                )
            return await self._pre_view(s, row)

    async def _pre_view(self, s: AsyncSession, row: PreAppeal) -> PreAppealView:
        votes = (
            (await s.execute(select(PreAppealVote).where(PreAppealVote.pre_appeal_id == row.id)))
            .scalars()
            .all()
        )
        return PreAppealView(
            row.id,
            row.scheme_id,
            row.situation,
            row.proposal,
            row.penalty,
            row.status,
            len(row.accredited),
            sum(1 for v in votes if v.vote),
            sum(1 for v in votes if not v.vote),
            tuple(v.telegram_id for v in votes),
        )

    async def vote_pre_appeal(self, actor: int, pre_appeal_id: int, vote: bool) -> PreAppealView:
        """One accredited expert's vote, once (a double press counts once, and «За» and
        «Против» pressed together count the first); when everyone has voted the vote closes
        itself — once, whoever votes last."""
        async with self.uow() as uow:
            s = uow.session
            row = await lock(s, PreAppeal, pre_appeal_id)
            if row is None:
                raise NotFound("pre_appeal_not_found")
            scheme = await self._scheme(s, row.scheme_id)
            if actor not in row.accredited or not any(
                r.role == Role.EXPERT for r in await active_roles(s, actor, scheme.contest_id)
            ):
                raise Forbidden("not_accredited")
            if row.status != "voting":
                raise await self._closed(s, row, scheme)
            cast = (
                await s.execute(
                    select(PreAppealVote).where(
                        PreAppealVote.pre_appeal_id == row.id, PreAppealVote.telegram_id == actor
                    )
                )
            ).scalar_one_or_none()
            if cast is not None:
                raise DomainError(
                    "pre_appeal_voted_already",
                    id=row.id,
                    vote="yes" if cast.vote else "no",
                    at=cast.at,
                    tz=await self._tz(s, scheme.contest_id),
                )
            s.add(PreAppealVote(pre_appeal_id=row.id, telegram_id=actor, vote=vote, at=uow.now))
            await s.flush()
            uow.audit(
                actor,
                "pre_appeal.vote",
                "pre_appeal",
                row.id,
                contest_id=scheme.contest_id,
                after={"vote": vote},
            )
            view = await self._pre_view(s, row)
            if len(view.voted) == len(row.accredited):
                await self._close_pre(uow, row, scheme, actor, auto=True)
                view = await self._pre_view(s, row)
            return view

    async def close_pre_appeal(
        self, actor: int, pre_appeal_id: int, *, without_quorum: bool = False
    ) -> PreAppealView:
        """The chief expert closes the vote: the outcome follows R-APL-1 (quorum 80 %,
        more than half of the votes cast) and becomes a protocol signed by the voters.

        Issue #15: a vote without quorum closes with no decision only when the chief confirmed
        exactly that (``without_quorum``); otherwise it is refused with the count («5 из 8,
        нужно 7») and stays open. A vote that reached its quorum meanwhile closes with its
        decision either way — the votes decide, checked here under the row lock."""
        async with self.uow() as uow:
            s = uow.session
            row = await lock(s, PreAppeal, pre_appeal_id)
            if row is None:
                raise NotFound("pre_appeal_not_found")
            scheme = await self._scheme(s, row.scheme_id)
            if scheme.chief_telegram_id != actor:
                raise Forbidden("not_chief")
            if row.status != "voting":
                raise await self._closed(s, row, scheme)
            quorum = (await self._pre_view(s, row)).quorum
            if not quorum.reached and not without_quorum:
                raise DomainError(
                    "pre_appeal_no_quorum",
                    cast=quorum.cast,
                    accredited=quorum.accredited,
                    needed=quorum.needed,
                )
            await self._close_pre(uow, row, scheme, actor)
            return await self._pre_view(s, row)

    async def check_close_pre_appeal(self, actor: int, pre_appeal_id: int) -> PreAppealView:
        """What «Подвести итог» may ask (issue #15): only the chief expert, only an open vote
        (a closed one is refused at once with who closed it and when) — before any question."""
        async with self.read() as s:
            row = await s.get(PreAppeal, pre_appeal_id)
            if row is None:
                raise NotFound("pre_appeal_not_found")
            scheme = await self._scheme(s, row.scheme_id)
            if scheme.chief_telegram_id != actor:
                raise Forbidden("not_chief")
            if row.status != "voting":
                raise await self._closed(s, row, scheme)
            return await self._pre_view(s, row)

    async def _close_pre(
        self, uow: UnitOfWork, row: PreAppeal, scheme: Scheme, actor: int, *, auto: bool = False
    ) -> None:
        """Close a vote the caller holds locked (``row.status`` is still «voting»)."""
        s = uow.session
        votes = (
            (
                await s.execute(
                    select(PreAppealVote)
                    .where(PreAppealVote.pre_appeal_id == row.id)
                    .order_by(PreAppealVote.at)
                )
            )
            .scalars()
            .all()
        )
        yes = sum(1 for v in votes if v.vote)
        row.status = rules.pre_appeal_outcome(len(row.accredited), yes, len(votes) - yes)
        row.closed_at = uow.now
        row.closed_by = None if auto else actor
        uow.audit(
            actor,
            "pre_appeal.close",
            "pre_appeal",
            row.id,
            contest_id=scheme.contest_id,
            after={"status": row.status, "for": yes, "against": len(votes) - yes},
        )
        names = dict(
            (
                await s.execute(
                    select(RoleAssignment.telegram_id, RoleAssignment.name).where(
                        RoleAssignment.contest_id == scheme.contest_id
                    )
                )
            ).all()
        )
        outcome = {"accepted": "принято", "rejected": "отклонено", "no_quorum": "кворума нет"}[
            row.status
        ]
        await ProtocolService(self.ctx).issue(
            uow,
            contest_id=scheme.contest_id,
            scheme_id=scheme.id,
            kind="pre_appeal",
            subject_key=f"pre_appeal:{row.id}",
            title=f"Доапелляционное рассмотрение №{row.id}",
            paragraphs=[
                f"Ситуация: {row.situation}",
                f"Предложение: {row.proposal}",
                f"Штрафные санкции: {row.penalty or 'нет'}",
                f"Аккредитовано экспертов: {len(row.accredited)}; проголосовали: {len(votes)} (за — {yes}, против — {len(votes) - yes}). Кворум — не менее 80 %, решение — больше половины голосов (R-APL-1).",
                f"Итог: {outcome}.",
            ],
            tables=[
                table(
                    "Голоса",
                    ["Эксперт", "Голос"],
                    [
                        [
                            names.get(v.telegram_id) or str(v.telegram_id),
                            "за" if v.vote else "против",
                        ]
                        for v in votes
                    ],
                    [0.7, 0.3],
                )
            ],
            signers=[(v.telegram_id, "expert") for v in votes],
            actor=actor,
        )
        # R-APL-1: an accepted penalty reaches the results with this protocol (issue #12)
        from models.services.results_changes import apply_pre_appeal

        await apply_pre_appeal(self.ctx, uow, row, actor)
        for e in row.accredited:
            await self._tell(
                uow,
                e,
                f"pre_appeal:{row.id}:closed",
                "apl-note-pre-closed",
                {"outcome": row.status, "proposal": row.proposal},
                reason="pre-appeal",
            )

    async def pre_appeal(self, actor: int, pre_appeal_id: int) -> PreAppealView:
        async with self.read() as s:
            row = await s.get(PreAppeal, pre_appeal_id)
            if row is None:
                raise NotFound("pre_appeal_not_found")
            scheme = await self._scheme(s, row.scheme_id)
            if actor not in row.accredited and scheme.chief_telegram_id != actor:
                raise Forbidden("not_accredited")
            return await self._pre_view(s, row)

    # ----------------------------------------------------------------- the commission (R-APL-6)

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
            tz = await self._tz(s, contest_id)
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
            tz_name = await self._tz(s, contest_id)
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
                else StageChoice(
                    stage.id, stage.title, stage.starts_at, await self._tz(s, contest_id)
                )
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
            tz_name = await self._tz(s, contest_id)

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
                    by=await self._who(s, contest_id, first.formed_by),
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
            return await self._members(s, contest_id)

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
        theirs = [a.id for a in waiting if await self._decider(s, a) == deputy]
        await self._tell(
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
        present = {m.telegram_id for m in await self._members(s, contest_id)}
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
                await self._audited(s, "appeal.no_decider", "appeal", appeal.id) is not None
                and await self._audited(s, "appeal.decider_restored", "appeal", appeal.id) is None
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
            auto = await self._conflicts(s, appeal, t)
            appeal.excluded = list(dict.fromkeys([*auto, *(d for d in declared if d in present)]))
            await s.execute(
                delete(AppealVote).where(
                    AppealVote.appeal_id == appeal.id,
                    AppealVote.telegram_id.not_in(present - set(appeal.excluded)),
                )
            )
            await self._check_decider(uow, appeal, t)
            decider = await self._decider(s, appeal)
            if stuck and decider is not None:  # issue #15: those alarmed are told it is resolved
                chair, _ = await self._heads(s, contest_id)
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
                    "name": await self._who(s, contest_id, decider),
                }
                for who in sorted(alarmed or set()):
                    await self._tell(
                        uow,
                        who,
                        f"appeal:{appeal.id}:decider-restored",
                        "cms-note-decider-restored",
                        args,
                        reason="appeal",
                    )

    async def _heads(
        self, s: AsyncSession, contest_id: int
    ) -> tuple[MemberView | None, MemberView | None]:
        """(chair, deputy) of the formed commission."""
        members = await self._members(s, contest_id)
        return (
            next((m for m in members if m.role == cms.CHAIR), None),
            next((m for m in members if m.role == cms.DEPUTY), None),
        )

    async def _decider(self, s: AsyncSession, appeal: Appeal) -> int | None:
        chair, deputy = await self._heads(s, appeal.contest_id)
        return cms.appeal_decider(
            chair.telegram_id if chair else None,
            deputy.telegram_id if deputy else None,
            appeal.excluded,
        )

    async def _check_decider(self, uow: UnitOfWork, appeal: Appeal, t: EvaluationTarget) -> None:
        """R-APL-6: a case is never left without anyone able to decide it. When the chair is
        excluded the deputy is told the case is theirs; when both are excluded the coordinator
        who formed the commission and the secretary (Directorate staff) are told whom to
        replace (name another deputy in /commission)."""
        s = uow.session
        chair, deputy = await self._heads(s, appeal.contest_id)
        decider = await self._decider(s, appeal)
        if decider is not None and deputy is not None and decider == deputy.telegram_id:
            await self._tell(
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
            (
                m.telegram_id
                for m in await self._members(s, appeal.contest_id)
                if m.role == cms.SECRETARY
            ),
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
            await self._tell(
                uow,
                who,
                f"appeal:{appeal.id}:no-decider:{len(appeal.excluded)}",
                "cms-note-no-decider",
                args,
                reason="appeal",
            )

    async def _members(self, s: AsyncSession, contest_id: int) -> list[MemberView]:
        rows = (
            await s.execute(
                select(CommissionMember)
                .where(CommissionMember.contest_id == contest_id)
                .order_by(CommissionMember.id)
            )
        ).scalars()
        return [MemberView(m.telegram_id, m.name, m.role, m.organisation_code) for m in rows]

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
            return await self._members(s, contest_id)

    async def _member(self, s: AsyncSession, actor: int, contest_id: int) -> CommissionMember:
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

    # ----------------------------------------------------------------- filing (R-APL-2…5)

    async def targets_for_applicant(self, actor: int, contest_id: int) -> list[tuple[int, str]]:
        """The participants this person may appeal for (R-APL-2, :mod:`models.teams`): those
        they are the mentor of; for a team representative, the participants of their region;
        for a regional coordinator, those of their regions with neither a mentor nor a team
        representative."""
        async with self.read() as s:
            out = []
            rows = (
                await s.execute(
                    select(EvaluationTarget)
                    .join(Scheme, Scheme.id == EvaluationTarget.scheme_id)
                    .where(Scheme.contest_id == contest_id)
                    .options(selectinload(EvaluationTarget.participant))
                    .order_by(EvaluationTarget.scheme_id, EvaluationTarget.number)
                )
            ).scalars()
            for t in rows:
                if await self._applicant_role(s, actor, t, contest_id) is not None:
                    out.append((t.id, target_label(t)))
            return out

    async def _standing(
        self, s: AsyncSession, actor: int, t: EvaluationTarget, contest_id: int
    ) -> dict[str, Any]:
        """The facts R-APL-2 decides on (:func:`models.teams.appeal_applicant`), read from the
        roles in force now: a revoked representative neither appeals nor blocks the head."""
        roles = await active_roles(s, actor, contest_id)
        region_id = (
            t.region_id
            if t.region_id is not None
            else (t.participant.region_id if t.participant is not None else None)
        )
        code = None
        if region_id is not None:
            code = (
                await s.execute(select(Region.code).where(Region.id == region_id))
            ).scalar_one_or_none()
        own_teams = {
            c for r in roles if r.role == Role.TEAM_REPRESENTATIVE for c in (r.region_codes or [])
        }
        representatives = (
            (
                await s.execute(
                    select(RoleAssignment)
                    .where(
                        RoleAssignment.contest_id == contest_id,
                        RoleAssignment.role == Role.TEAM_REPRESENTATIVE,
                        RoleAssignment.active.is_(True),
                    )
                    .order_by(RoleAssignment.id)
                )
            )
            .scalars()
            .all()
        )
        team = [r for r in representatives if code is not None and code in (r.region_codes or [])]
        return {
            "is_mentor": t.mentor_telegram_id == actor
            and any(r.role == Role.EXPERT for r in roles),
            "represents_team": code is not None and code in own_teams,
            "represents_other_team": bool(own_teams) and code not in own_teams,
            "heads_region": code is not None
            and any(r.role == Role.COORDINATOR and code in (r.region_codes or []) for r in roles),
            "has_mentor": t.mentor_telegram_id is not None,
            "has_representative": bool(team),
            "code": code,
            "own_teams": sorted(own_teams),
            "representative": team[0].name if team else None,
        }

    async def _applicant_role(
        self, s: AsyncSession, actor: int, t: EvaluationTarget, contest_id: int
    ) -> str | None:
        f = await self._standing(s, actor, t, contest_id)
        role = teams.appeal_applicant(
            is_mentor=f["is_mentor"],
            represents_team=f["represents_team"],
            heads_region=f["heads_region"],
            has_mentor=f["has_mentor"],
            has_representative=f["has_representative"],
        )
        return None if role is None else role.value

    async def _not_applicant(
        self, s: AsyncSession, actor: int, t: EvaluationTarget, contest_id: int
    ) -> DomainError:
        """Why this person may not appeal for this participant (R-APL-2), said plainly: the
        representative of another region's team is told whose team it is; the regional head
        is told who represents the team."""
        f = await self._standing(s, actor, t, contest_id)
        code = teams.appeal_refusal(
            represents_other_team=f["represents_other_team"],
            heads_region=f["heads_region"],
            has_representative=f["has_representative"],
        )
        if code == "not_an_applicant":
            return Forbidden(code)
        names = dict(
            (
                await s.execute(
                    select(Region.code, Region.name).where(Region.contest_id == contest_id)
                )
            ).all()
        )
        return Forbidden(
            code,
            region=names.get(f["code"], f["code"] or "—"),
            own=", ".join(names.get(c, c) for c in f["own_teams"]) or "—",
            representative=f["representative"] or "—",
        )

    async def no_targets_reason(self, actor: int, contest_id: int) -> DomainError | None:
        """Why /appeal lists nobody for this person (R-APL-2, issue #15): a regional head whose
        region's team has a representative is told who represents it; None — the general rule."""
        async with self.read() as s:
            rows = (
                (
                    await s.execute(
                        select(EvaluationTarget)
                        .join(Scheme, Scheme.id == EvaluationTarget.scheme_id)
                        .where(Scheme.contest_id == contest_id)
                        .options(selectinload(EvaluationTarget.participant))
                        .order_by(EvaluationTarget.scheme_id, EvaluationTarget.number)
                    )
                )
                .scalars()
                .all()
            )
            for t in rows:
                f = await self._standing(s, actor, t, contest_id)
                if f["heads_region"] or f["represents_other_team"]:
                    err = await self._not_applicant(s, actor, t, contest_id)
                    if err.code != "not_an_applicant":
                        return err
            return None

    async def check_applicant(self, actor: int, target_id: int) -> None:
        """Refuse at once, with the reason, a participant this person may not appeal for (a
        stale button of the /appeal list) — before any question of the form is asked."""
        async with self.read() as s:
            t = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(EvaluationTarget.id == target_id)
                    .options(selectinload(EvaluationTarget.participant))
                )
            ).scalar_one_or_none()
            if t is None:
                raise NotFound("target_not_found")
            scheme = await self._scheme(s, t.scheme_id)
            if await self._applicant_role(s, actor, t, scheme.contest_id) is None:
                raise await self._not_applicant(s, actor, t, scheme.contest_id)

    async def filing_deadline(self, target_id: int, dispute_at: datetime) -> tuple[datetime, bool]:
        """(deadline, needs the chief expert's confirmation of the time) for a dispute, in
        the event's time zone (R-APL-3)."""
        async with self.read() as s:
            t = await s.get(EvaluationTarget, target_id)
            if t is None:
                raise NotFound("target_not_found")
            scheme = await self._scheme(s, t.scheme_id)
            tz = ZoneInfo(await self._tz(s, scheme.contest_id))
            local = dispute_at.astimezone(tz)
            return rules.appeal_filing_deadline(local), rules.appeal_needs_time_confirmation(local)

    async def file(
        self,
        actor: int,
        target_id: int,
        *,
        kind: str,
        dispute_at: datetime,
        fields: dict[str, str],
        evidence: list[dict[str, str]],
        draft_key: str | None = None,
    ) -> AppealView:
        """File an appeal. Only the allowed applicants (R-APL-2), only the three kinds
        (R-APL-5), every field of R-APL-4, before the deadline of R-APL-3 computed in the
        event's zone; a dispute after 21:00 waits for the chief expert to confirm its time.
        ``draft_key`` names the chat form: it files one appeal, however often it is sent."""
        if kind not in APPEAL_KINDS:
            raise DomainError("appeal_kind_not_accepted")
        clean = {f: _text(fields.get(f), f) for f in APPEAL_FIELDS}
        if not evidence:
            raise DomainError("appeal_field_missing", field="evidence")
        if len(evidence) > MAX_EVIDENCE:
            raise DomainError("appeal_too_much_evidence", limit=MAX_EVIDENCE)
        async with self.uow() as uow:
            s = uow.session
            if (
                await lock(s, EvaluationTarget, target_id) is None
            ):  # a double «Подать»: the second waits here
                raise NotFound("target_not_found")
            t = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(EvaluationTarget.id == target_id)
                    .options(selectinload(EvaluationTarget.participant))
                )
            ).scalar_one()
            scheme = await self._scheme(s, t.scheme_id)
            role = await self._applicant_role(s, actor, t, scheme.contest_id)
            if role is None:
                raise await self._not_applicant(s, actor, t, scheme.contest_id)
            tz_name = await self._tz(s, scheme.contest_id)
            if draft_key:
                filed = await self._filed(s, actor, draft_key)
                if filed is not None:
                    raise DomainError(
                        "appeal_filed_already", id=filed.id, at=filed.filed_at, tz=tz_name
                    )
            local = dispute_at.astimezone(ZoneInfo(tz_name))
            if local > uow.now:
                raise DomainError("dispute_in_future")
            deadline = rules.appeal_filing_deadline(local)
            if uow.now > deadline:
                raise DomainError("appeal_late", deadline=deadline, tz=tz_name)
            awaiting = rules.appeal_needs_time_confirmation(local)
            appeal = Appeal(
                contest_id=scheme.contest_id,
                scheme_id=scheme.id,
                target_id=t.id,
                applicant_telegram_id=actor,
                applicant_role=role,
                kind=kind,
                fields=clean,
                evidence=evidence,
                dispute_at=local,
                deadline_at=deadline,
                filed_at=uow.now,
                status="awaiting_time" if awaiting else "registered",
                draft_key=draft_key or None,
            )
            s.add(appeal)
            await s.flush()
            uow.audit(
                actor,
                "appeal.file",
                "appeal",
                appeal.id,
                contest_id=scheme.contest_id,
                after={"kind": kind, "target_id": t.id, "awaiting_time": awaiting},
            )
            if awaiting:
                await self._tell(
                    uow,
                    scheme.chief_telegram_id or actor,
                    f"appeal:{appeal.id}:time",
                    "apl-note-confirm-time",
                    {
                        "target": target_label(t),
                        "dispute": rules.format_local(local, tz_name),
                        "id": appeal.id,
                    },
                    reason="appeal",
                    keyboard=[
                        [
                            {
                                "text": "apl-btn-confirm-time",
                                "action": "appeal",
                                "contest_id": str(scheme.contest_id),
                                "id": str(appeal.id),
                                "do": "time",
                            }
                        ]
                    ],
                )
            else:
                await self._register(uow, appeal, t, scheme, tz_name)
            return await self._view(s, appeal)

    async def _filed(self, s: AsyncSession, actor: int, draft_key: str) -> Appeal | None:
        return (
            await s.execute(
                select(Appeal).where(
                    Appeal.applicant_telegram_id == actor, Appeal.draft_key == draft_key
                )
            )
        ).scalar_one_or_none()

    async def filed_from_draft(self, actor: int, draft_key: str) -> AppealView | None:
        """The appeal this person filed from a chat form, if any (a stale «Подать» is told which)."""
        async with self.read() as s:
            appeal = await self._filed(s, actor, draft_key)
            return None if appeal is None else await self._view(s, appeal)

    async def confirm_time(self, actor: int, appeal_id: int) -> AppealView:
        """R-APL-3: the chief expert confirms the time of a dispute that arose after 21:00;
        the appeal is then registered (if its 12:00 deadline has not passed). Races the
        worker's automatic refusal at 12:00 (``AppealLateRefusal``): one of them wins."""
        async with self.uow() as uow:
            s = uow.session
            appeal = await lock(s, Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            scheme = await self._scheme(s, appeal.scheme_id)
            if scheme.chief_telegram_id != actor or not any(
                r.role == Role.EXPERT for r in await active_roles(s, actor, scheme.contest_id)
            ):
                raise Forbidden("not_chief")
            if appeal.status == "refused_late":
                raise await self._not_open(s, appeal)
            if appeal.status != "awaiting_time":
                if appeal.time_confirmed_by is None:
                    raise DomainError("appeal_time_already_confirmed")
                raise DomainError(
                    "appeal_time_confirmed_already",
                    id=appeal.id,
                    by=await self._who(s, appeal.contest_id, appeal.time_confirmed_by),
                    at=appeal.time_confirmed_at,
                    tz=await self._tz(s, appeal.contest_id),
                )
            tz_name = await self._tz(s, scheme.contest_id)
            if uow.now > appeal.deadline_at:
                raise DomainError("appeal_late", deadline=appeal.deadline_at, tz=tz_name)
            appeal.time_confirmed_by, appeal.time_confirmed_at = actor, uow.now
            t = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(EvaluationTarget.id == appeal.target_id)
                    .options(selectinload(EvaluationTarget.participant))
                )
            ).scalar_one()
            uow.audit(
                actor, "appeal.time_confirmed", "appeal", appeal.id, contest_id=scheme.contest_id
            )
            await self._register(uow, appeal, t, scheme, tz_name)
            return await self._view(s, appeal)

    async def _register(
        self, uow: UnitOfWork, appeal: Appeal, t: EvaluationTarget, scheme: Scheme, tz_name: str
    ) -> None:
        s = uow.session
        appeal.status = "registered"
        appeal.registered_at = uow.now
        tz = ZoneInfo(tz_name)
        day = rules.appeal_decision_day(uow.now.astimezone(tz))
        appeal.decide_by = datetime.combine(day, time(23, 59, 59)).replace(tzinfo=tz)
        appeal.excluded = await self._conflicts(s, appeal, t)
        uow.audit(
            None,
            "appeal.register",
            "appeal",
            appeal.id,
            contest_id=appeal.contest_id,
            after={"decide_by": appeal.decide_by.isoformat(), "excluded": appeal.excluded},
        )
        for m in await self._members(s, appeal.contest_id):
            await self._tell(
                uow,
                m.telegram_id,
                f"appeal:{appeal.id}:registered",
                "apl-note-registered",
                {
                    "id": appeal.id,
                    "target": target_label(t),
                    "decide_by": rules.format_local(appeal.decide_by, tz_name),
                    "excluded": "yes" if m.telegram_id in appeal.excluded else "no",
                },
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
        await self._tell(
            uow,
            appeal.applicant_telegram_id,
            f"appeal:{appeal.id}:registered",
            "apl-note-applicant-registered",
            {"id": appeal.id, "decide_by": rules.format_local(appeal.decide_by, tz_name)},
            reason="appeal",
        )
        await self._check_decider(
            uow, appeal, t
        )  # R-APL-6: the deputy told, or the coordinator when nobody may decide

    async def _conflicts(self, s: AsyncSession, appeal: Appeal, t: EvaluationTarget) -> list[int]:
        """R-APL-6: a member does not decide a case about a person of their organisation or a
        close relative (declared with :meth:`declare_conflict`)."""
        org = None
        if t.participant is not None and t.participant.organisation_id is not None:
            org = (
                await s.execute(
                    select(Organisation.code).where(
                        Organisation.id == t.participant.organisation_id
                    )
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
        for m in await self._members(s, appeal.contest_id):
            if m.organisation_code and m.organisation_code in (org, applicant_org):
                out.append(m.telegram_id)
        return out

    async def declare_conflict(self, actor: int, appeal_id: int) -> AppealView:
        """A member declares a close relation to a party: excluded from this case (once; a
        second declaration is refused with when the first was made)."""
        async with self.uow() as uow:
            s = uow.session
            appeal = await lock(s, Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            await self._member(s, actor, appeal.contest_id)
            if appeal.status == "decided":
                raise await self._decided(s, appeal)
            if actor in appeal.excluded:
                declared = await self._audited(s, "appeal.conflict", "appeal", appeal.id, actor)
                if declared is None:  # excluded automatically: the same organisation
                    raise Forbidden("member_conflict")
                raise DomainError(
                    "appeal_conflict_declared_already",
                    id=appeal.id,
                    at=declared.at,
                    tz=await self._tz(s, appeal.contest_id),
                )
            appeal.excluded = [*appeal.excluded, actor]
            await s.execute(
                delete(AppealVote).where(
                    AppealVote.appeal_id == appeal.id, AppealVote.telegram_id == actor
                )
            )
            uow.audit(actor, "appeal.conflict", "appeal", appeal.id, contest_id=appeal.contest_id)
            chair, deputy = await self._heads(s, appeal.contest_id)
            if appeal.status == "registered" and actor in {
                m.telegram_id for m in (chair, deputy) if m is not None
            }:
                t = (
                    await s.execute(
                        select(EvaluationTarget)
                        .where(EvaluationTarget.id == appeal.target_id)
                        .options(selectinload(EvaluationTarget.participant))
                    )
                ).scalar_one()
                await self._check_decider(
                    uow, appeal, t
                )  # R-APL-6: never left without anyone able to decide
            return await self._view(s, appeal)

    # ----------------------------------------------------------------- deciding (R-APL-7…9)

    async def queue(self, actor: int, contest_id: int) -> list[AppealView]:
        """The commission's queue: registered appeals in order of registration."""
        async with self.read() as s:
            await self._member(s, actor, contest_id)
            rows = (
                (
                    await s.execute(
                        select(Appeal)
                        .where(Appeal.contest_id == contest_id, Appeal.status == "registered")
                        .order_by(Appeal.registered_at, Appeal.id)
                    )
                )
                .scalars()
                .all()
            )
            return [await self._view(s, a) for a in rows]

    async def view(self, actor: int, appeal_id: int) -> AppealView:
        async with self.read() as s:
            appeal = await s.get(Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            scheme = await self._scheme(s, appeal.scheme_id)
            if actor not in (appeal.applicant_telegram_id, scheme.chief_telegram_id):
                await self._member(s, actor, appeal.contest_id)
            return await self._view(s, appeal)

    async def _view(self, s: AsyncSession, a: Appeal) -> AppealView:
        t = (
            await s.execute(
                select(EvaluationTarget)
                .where(EvaluationTarget.id == a.target_id)
                .options(selectinload(EvaluationTarget.participant))
            )
        ).scalar_one()
        votes = (
            (await s.execute(select(AppealVote).where(AppealVote.appeal_id == a.id)))
            .scalars()
            .all()
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
            await self._tz(s, a.contest_id),
            tuple((v.telegram_id, v.uphold) for v in votes),
            decider=await self._decider(s, a),
            restored=a.restored,
            penalised=a.penalised_target_id,
            penalised_label=await self._label(s, a.penalised_target_id),
        )

    async def _label(self, s: AsyncSession, target_id: int | None) -> str | None:
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

    async def decision_targets(self, actor: int, appeal_id: int) -> list[tuple[int, str]]:
        """R-APL-9 (issue #15): the other participants of the same competence at the same stage
        (the appeal's scheme) the decider may penalise for an unfair advantage."""
        async with self.read() as s:
            appeal = await s.get(Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            await self._may_decide(s, actor, appeal)
            rows = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(
                        EvaluationTarget.scheme_id == appeal.scheme_id,
                        EvaluationTarget.id != appeal.target_id,
                    )
                    .options(selectinload(EvaluationTarget.participant))
                    .order_by(EvaluationTarget.number)
                )
            ).scalars()
            return [(t.id, target_label(t)) for t in rows]

    async def vote(
        self, actor: int, appeal_id: int, uphold: bool, *, change: bool = False
    ) -> AppealView:
        """A voting member's vote (the secretary has none; an excluded member neither).
        A vote is cast once: a second press — or «Удовлетворить» and «Отказать» pressed
        together — is refused with the vote already counted. A member changes their vote
        before the decision on purpose (``change``, the «Изменить голос» button)."""
        async with self.uow() as uow:
            s = uow.session
            appeal = await lock(s, Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            member = await self._member(s, actor, appeal.contest_id)
            if member.role == "secretary":
                raise Forbidden("secretary_no_vote")
            if actor in appeal.excluded:
                raise Forbidden("member_conflict")
            if appeal.status != "registered":
                raise await self._not_open(s, appeal)
            existing = (
                await s.execute(
                    select(AppealVote).where(
                        AppealVote.appeal_id == appeal.id, AppealVote.telegram_id == actor
                    )
                )
            ).scalar_one_or_none()
            if existing is not None and (not change or existing.uphold == uphold):
                raise DomainError(
                    "appeal_voted_already",
                    id=appeal.id,
                    vote="yes" if existing.uphold else "no",
                    at=existing.at,
                    tz=await self._tz(s, appeal.contest_id),
                )
            if existing is not None:
                existing.uphold, existing.at = uphold, uow.now
            else:
                s.add(AppealVote(appeal_id=appeal.id, telegram_id=actor, uphold=uphold, at=uow.now))
            uow.audit(
                actor,
                "appeal.vote",
                "appeal",
                appeal.id,
                contest_id=appeal.contest_id,
                after={"uphold": uphold},
            )
            await s.flush()
            return await self._view(s, appeal)

    async def decide(
        self,
        actor: int,
        appeal_id: int,
        *,
        uphold: bool,
        text: str,
        deduction: str | Decimal | None = None,
        disqualify: bool = False,
        penalised: int | None = None,
        restore: str | Decimal | None = None,
    ) -> AppealView:
        """The chair — or the deputy when the chair is excluded (R-APL-6) — records the
        decision: final (R-APL-8). An upheld appeal may (R-APL-9, issue #15) deduct points from
        or disqualify the participant who gained the advantage — the appellant's own, or
        ``penalised``, another participant of the same competence at the same stage — and
        restore points to the appellant's participant (a scoring error in their disfavour).
        Bounds: a deduction cannot take a total below zero (checked once the scores are locked —
        before, the total is not final and the results floor it at zero), a restoration cannot
        take the total above the scheme's maximum. Each is applied to the results with the decision's protocol; the
        extract goes to the applicant and the chief expert through the outbox now (the workers
        check it arrived within the hour), and each participant whose result moved is told."""
        text = _text(text, "decision_text")
        points = cms.parse_points(deduction, "bad_deduction")
        restored = cms.parse_points(restore, "cms_bad_restoration")
        if (points or disqualify or restored or penalised is not None) and not uphold:
            raise DomainError("penalty_needs_upheld")
        async with self.uow() as uow:
            s = uow.session
            appeal = await lock(
                s, Appeal, appeal_id
            )  # two decisions at once: the second waits, then is refused
            if appeal is None:
                raise NotFound("appeal_not_found")
            await self._may_decide(s, actor, appeal)
            t = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(EvaluationTarget.id == appeal.target_id)
                    .options(selectinload(EvaluationTarget.participant))
                )
            ).scalar_one()
            other: EvaluationTarget | None = None
            if penalised is not None and penalised != appeal.target_id:
                other = (
                    await s.execute(
                        select(EvaluationTarget)
                        .where(EvaluationTarget.id == penalised)
                        .options(selectinload(EvaluationTarget.participant))
                    )
                ).scalar_one_or_none()
                if other is None or other.scheme_id != appeal.scheme_id:
                    raise DomainError("cms_penalised_not_in_scheme")
                cms.check_penalty(points, disqualify, who=target_label(other))
            hit = other or t
            if restored and hit.id == t.id and (points or disqualify):
                raise DomainError("cms_restore_and_penalise_same")
            if points:
                cms_bound = await self._bound(s, appeal, hit)
                if (
                    cms_bound.locked
                ):  # before the scores are final the total is not known; results floor at zero
                    cms.check_deduction(cms_bound.total, points, who=cms_bound.label)
            if restored:
                cms_bound = await self._bound(s, appeal, t)
                cms.check_restoration(cms_bound.total, restored, who=cms_bound.label)
            appeal.status = "decided"
            appeal.decision = "upheld" if uphold else "rejected"
            appeal.decision_text = text
            appeal.deduction = points if points else None
            appeal.disqualified = disqualify
            appeal.restored = restored if restored else None
            appeal.penalised_target_id = other.id if other is not None else None
            appeal.decided_by, appeal.decided_at = actor, uow.now
            uow.audit(
                actor,
                "appeal.decide",
                "appeal",
                appeal.id,
                contest_id=appeal.contest_id,
                after={
                    "decision": appeal.decision,
                    "deduction": str(points),
                    "disqualified": disqualify,
                    "restored": str(restored),
                    "penalised": hit.id if (points or disqualify) else None,
                },
            )
            adjusted = await self._apply_to_results(
                uow, appeal, hit.id, points, disqualify, restored
            )
            scheme = await self._scheme(s, appeal.scheme_id)
            tz_name = await self._tz(s, appeal.contest_id)
            votes = (
                (await s.execute(select(AppealVote).where(AppealVote.appeal_id == appeal.id)))
                .scalars()
                .all()
            )
            names = {m.telegram_id: m.name for m in await self._members(s, appeal.contest_id)}
            chair, _ = await self._heads(s, appeal.contest_id)
            kind_title = {
                "scoring_procedure": "нарушение процедуры оценивания",
                "unfair_advantage": "несправедливое преимущество",
                "removed_from_task": "отстранение от выполнения задания",
            }[appeal.kind]
            pts = f"{points}".replace(".", ",")
            effects = []
            if points:
                effects.append(
                    f"Вычет баллов: {pts}."
                    if other is None
                    else f"Вычет баллов у участника {target_label(hit)} (несправедливое преимущество): {pts}."
                )
            if disqualify:
                effects.append(
                    "Участник дисквалифицирован."
                    if other is None
                    else f"Участник {target_label(hit)} дисквалифицирован."
                )
            if restored:
                effects.append(
                    f"Восстановлено баллов участнику {target_label(t)} (ошибка оценивания не в его пользу): {restored}".replace(
                        ".", ","
                    )
                    + "."
                )
            deputy_note = (
                f"Решение записал заместитель председателя {names.get(actor, actor)}: председатель не участвует в рассмотрении (R-APL-6)."
                if chair is not None and actor != chair.telegram_id
                else ""
            )
            await ProtocolService(self.ctx).issue(
                uow,
                contest_id=appeal.contest_id,
                scheme_id=appeal.scheme_id,
                kind="appeal",
                subject_key=f"appeal:{appeal.id}",
                title=f"Решение по апелляции №{appeal.id}",
                paragraphs=[
                    f"Участник: {target_label(t)}. Вид нарушения: {kind_title}. Спорная ситуация: {rules.format_local(appeal.dispute_at, tz_name)}.",
                    f"Описание: {appeal.fields.get('description', '')}",
                    f"Требования: {appeal.fields.get('demands', '')}",
                    f"Решение: {'апелляция удовлетворена' if uphold else 'в удовлетворении отказано'}. {text}",
                    " ".join(effects) if effects else "Вычета баллов нет.",
                    deputy_note,
                    "Решение апелляционной комиссии окончательное и обжалованию не подлежит (R-APL-8).",
                ],
                tables=[
                    table(
                        "Голоса членов комиссии",
                        ["Член комиссии", "Голос"],
                        [
                            [
                                names.get(v.telegram_id, str(v.telegram_id)),
                                "удовлетворить" if v.uphold else "отказать",
                            ]
                            for v in votes
                        ],
                        [0.7, 0.3],
                    )
                ],
                signers=[(actor, "deputy" if deputy_note else "chair")],
                actor=actor,
            )
            # R-APL-9: after publication the change is announced, never silent (issue #12);
            # before it, each participant whose result moved is told what changed (issue #15)
            from models.services.results_changes import results_changed, tell_adjusted

            await results_changed(self.ctx, uow, appeal.scheme_id, f"appeal:{appeal.id}", actor)
            await tell_adjusted(uow, appeal, adjusted)
            extract = {
                "id": appeal.id,
                "target": target_label(t),
                "decision": appeal.decision,
                "text": text,
                "deduction": pts,
                "penalty": "yes" if points else "no",
                "disqualified": "yes" if disqualify else "no",
            }
            key = "apl-note-extract"
            if (
                restored or other is not None
            ):  # R-APL-9 (issue #15): the extract names whom each measure concerns
                key = "cms-note-extract"
                extract.update(
                    penalised=target_label(hit),
                    restored=f"{restored}".replace(".", ","),
                    restore="yes" if restored else "no",
                )
            for who in dict.fromkeys([appeal.applicant_telegram_id, scheme.chief_telegram_id]):
                if who is not None:
                    await self._tell(
                        uow,
                        who,
                        f"appeal:{appeal.id}:extract",
                        key,
                        extract,
                        reason="appeal-extract",
                    )
            return await self._view(s, appeal)

    async def _bound(
        self, s: AsyncSession, appeal: Appeal, target: EvaluationTarget
    ) -> PointsBound:
        from models.services.scoring import ScoringService

        totals = {
            ln.target_id: ln.total
            for ln in (await ScoringService(self.ctx)._results(s, appeal.scheme_id)).lines
        }
        locked = (await self._scheme(s, appeal.scheme_id)).scores_locked_at is not None
        return PointsBound(
            target.id, target_label(target), totals.get(target.id, Decimal(0)), locked
        )

    async def decision_bound(
        self, actor: int, appeal_id: int, target_id: int | None = None
    ) -> PointsBound:
        """R-APL-9 (issue #15): the total of the participant a number at a decision's step
        concerns (the appellant's, or ``target_id`` — another one of the same scheme), for the
        prompt to name the limit and the step to refuse a number beyond it at once."""
        async with self.read() as s:
            appeal = await s.get(Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            await self._may_decide(s, actor, appeal)
            t = (
                await s.execute(
                    select(EvaluationTarget)
                    .where(EvaluationTarget.id == (target_id or appeal.target_id))
                    .options(selectinload(EvaluationTarget.participant))
                )
            ).scalar_one_or_none()
            if t is None or t.scheme_id != appeal.scheme_id:
                raise DomainError("cms_penalised_not_in_scheme")
            return await self._bound(s, appeal, t)

    async def check_decision_points(
        self,
        actor: int,
        appeal_id: int,
        *,
        deduction: str | Decimal | None = None,
        penalised: int | None = None,
        restore: str | Decimal | None = None,
    ) -> Decimal:
        """The number typed at a decision's step, checked now by the rules :meth:`decide`
        applies (R-APL-9, issue #15): a deduction not beyond the participant's total once the
        scores are locked (another participant's limit named in the refusal), a restoration
        not above the scheme's maximum. Returns the number; changes nothing."""
        if restore is not None:
            points = cms.parse_points(restore, "cms_bad_restoration")
            bound = await self.decision_bound(actor, appeal_id)
            if points:
                cms.check_restoration(bound.total, points, who=bound.label)
            return points
        bound = await self.decision_bound(actor, appeal_id, penalised)
        try:
            points = cms.parse_points(deduction, "bad_deduction")
        except DomainError:
            if penalised is None:
                raise
            raise DomainError(
                "cms_bad_deduction_other",
                who=bound.label,
                most=cms.points_text(bound.most_deducted),
                current=cms.points_text(bound.total),
            ) from None
        if points and bound.locked:
            cms.check_deduction(bound.total, points, who=bound.label)
        return points

    async def _apply_to_results(
        self,
        uow: UnitOfWork,
        appeal: Appeal,
        hit: int,
        points: Decimal,
        disqualify: bool,
        restored: Decimal,
    ) -> list[ResultAdjustment]:
        """R-APL-9: a decided appeal's deduction or disqualification (of ``hit``) and its
        restoration (to the appellant's participant, a negative adjustment) count in the
        results, in the decision's transaction."""
        rows = []
        if points or disqualify:
            rows.append(
                ResultAdjustment(
                    scheme_id=appeal.scheme_id,
                    target_id=hit,
                    appeal_id=appeal.id,
                    points=points,
                    disqualified=disqualify,
                    created_at=uow.now,
                )
            )
        if restored:
            rows.append(
                ResultAdjustment(
                    scheme_id=appeal.scheme_id,
                    target_id=appeal.target_id,
                    appeal_id=appeal.id,
                    points=-restored,
                    disqualified=False,
                    created_at=uow.now,
                )
            )
        uow.session.add_all(rows)
        await uow.session.flush()
        return rows

    async def _may_decide(self, s: AsyncSession, actor: int, appeal: Appeal) -> None:
        """The one who decides this registered appeal (R-APL-6): the chair, or the deputy when
        the chair is excluded — else refused with why; when both are excluded, refused with
        who must be replaced."""
        await self._member(s, actor, appeal.contest_id)
        chair, deputy = await self._heads(s, appeal.contest_id)
        decider = cms.appeal_decider(
            chair.telegram_id if chair else None,
            deputy.telegram_id if deputy else None,
            appeal.excluded,
        )
        if actor != decider:
            if decider is None and appeal.status == "registered":
                raise DomainError(
                    "cms_no_decider",
                    id=appeal.id,
                    chair=chair.name if chair else "—",
                    deputy=deputy.name if deputy else "—",
                )
            if deputy is not None and decider == deputy.telegram_id:
                raise Forbidden("cms_deputy_decides", name=deputy.name)
            if actor in appeal.excluded:
                raise Forbidden("member_conflict")
            raise Forbidden("chair_only")
        if appeal.status != "registered":
            raise await self._not_open(s, appeal)

    async def check_decide(self, actor: int, appeal_id: int) -> None:
        """Refuse at once a «Записать решение» button that no longer allows it (decided,
        refused as late, a revoked chair), before any text is asked for."""
        async with self.read() as s:
            appeal = await s.get(Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            await self._may_decide(s, actor, appeal)

    async def check_vote(self, actor: int, appeal_id: int) -> None:
        """The same for a member's vote buttons (nothing is asked, but the card explains)."""
        async with self.read() as s:
            appeal = await s.get(Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            await self._member(s, actor, appeal.contest_id)
            if appeal.status != "registered":
                raise await self._not_open(s, appeal)


__all__ = [
    "APPEAL_FIELDS",
    "APPEAL_KINDS",
    "AppealService",
    "AppealView",
    "MemberView",
    "PointsBound",
    "PreAppealView",
]
