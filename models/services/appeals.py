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
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules
from models.contest_file import Role
from models.errors import DomainError, Forbidden, NotFound
from models.services.base import Service, UnitOfWork, active_roles, lock
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
APPEAL_FIELDS = ("applicant_name", "applicant_category", "contacts", "place", "violators", "witnesses", "description", "demands")
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

    async def _roles(self, s: AsyncSession, telegram_id: int, contest_id: int) -> list[RoleAssignment]:
        return await active_roles(s, telegram_id, contest_id)

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
        from models.services.scoring import ScoringService

        return sorted(await ScoringService(self.ctx)._competence_experts(s, scheme))

    async def _who(self, s: AsyncSession, contest_id: int, telegram_id: int | None) -> str:
        """A staff member's name for a refusal («принято председателем Ивановой …»)."""
        if telegram_id is None:
            return "—"
        name = (
            await s.execute(
                select(CommissionMember.name).where(CommissionMember.contest_id == contest_id, CommissionMember.telegram_id == telegram_id)
            )
        ).scalar_one_or_none()
        if name is None:
            name = (
                await s.execute(
                    select(RoleAssignment.name).where(
                        RoleAssignment.contest_id == contest_id, RoleAssignment.telegram_id == telegram_id, RoleAssignment.name.is_not(None)
                    )
                )
            ).scalars().first()
        return name or str(telegram_id)

    async def _audited(self, s: AsyncSession, action: str, entity: str, entity_id: int, actor: int | None = None) -> AuditRecord | None:
        """The latest audit row of a transition (when it happened, for the loser's message)."""
        q = select(AuditRecord).where(AuditRecord.action == action, AuditRecord.entity == entity, AuditRecord.entity_id == entity_id)
        if actor is not None:
            q = q.where(AuditRecord.actor_telegram_id == actor)
        return (await s.execute(q.order_by(AuditRecord.id.desc()))).scalars().first()

    async def _closed(self, s: AsyncSession, row: PreAppeal, scheme: Scheme) -> DomainError:
        """The vote is over: by whom (or by itself — everyone voted), when, and its outcome."""
        return DomainError(
            "pre_appeal_closed_already", id=row.id, at=row.closed_at or row.opened_at, tz=await self._tz(s, scheme.contest_id),
            outcome=row.status, auto="yes" if row.closed_by is None else "no", by=await self._who(s, scheme.contest_id, row.closed_by),
        )

    async def _decided(self, s: AsyncSession, appeal: Appeal) -> DomainError:
        """R-APL-8: the decision is taken and final — what it was, by whom, when."""
        return DomainError(
            "appeal_decided_already", id=appeal.id, decision=appeal.decision or "rejected", at=appeal.decided_at or appeal.filed_at,
            tz=await self._tz(s, appeal.contest_id), by=await self._who(s, appeal.contest_id, appeal.decided_by),
        )

    async def _not_open(self, s: AsyncSession, appeal: Appeal) -> DomainError:
        """Why a registered-only action is refused: decided, refused as late, or not yet registered."""
        if appeal.status == "decided":
            return await self._decided(s, appeal)
        if appeal.status == "refused_late":
            return DomainError("appeal_refused_late_already", id=appeal.id, deadline=appeal.deadline_at, tz=await self._tz(s, appeal.contest_id))
        return DomainError("appeal_not_open")

    async def _tell(self, uow: UnitOfWork, telegram_id: int, subject: str, key: str, args: dict[str, Any], *, reason: str,
                    keyboard: list[list[dict[str, str]]] | None = None, due_at: datetime | None = None) -> int | None:
        return await uow.notify_person(telegram_id, reason=reason, subject=subject, key=key, args=args, keyboard=keyboard, due_at=due_at)

    # ----------------------------------------------------------------- pre-appeal (R-APL-1)

    async def open_pre_appeal(
        self, actor: int, scheme_id: int, situation: str, proposal: str, penalty: str | None, *, draft_key: str | None = None,
    ) -> PreAppealView:
        """The chief expert puts a proposal to a vote of the experts accredited at the site.
        ``draft_key`` names the chat draft: it opens one vote, however often it is sent."""
        situation, proposal = _text(situation, "situation"), _text(proposal, "proposal")
        penalty = (penalty or "").strip() or None
        if penalty is not None and len(penalty) > MAX_TEXT:
            raise DomainError("appeal_field_too_long", field="penalty", limit=MAX_TEXT)
        async with self.uow() as uow:
            s = uow.session
            scheme = await lock(s, Scheme, scheme_id)  # two «Вынести» of one draft: the second waits here
            if scheme is None:
                raise NotFound("scheme_not_found")
            if scheme.chief_telegram_id != actor or not any(r.role == Role.EXPERT for r in await self._roles(s, actor, scheme.contest_id)):
                raise Forbidden("not_chief")
            if draft_key:
                opened = (
                    await s.execute(select(PreAppeal).where(PreAppeal.opened_by == actor, PreAppeal.draft_key == draft_key))
                ).scalar_one_or_none()
                if opened is not None:
                    raise DomainError("pre_appeal_opened_already", id=opened.id, at=opened.opened_at, tz=await self._tz(s, scheme.contest_id))
            accredited = await self._accredited(s, scheme)
            if not accredited:
                raise DomainError("no_accredited_experts")
            row = PreAppeal(scheme_id=scheme_id, situation=situation, proposal=proposal, penalty=penalty, accredited=accredited,
                            status="voting", opened_by=actor, opened_at=uow.now, draft_key=draft_key or None)
            s.add(row)
            await s.flush()
            uow.audit(actor, "pre_appeal.open", "pre_appeal", row.id, contest_id=scheme.contest_id, after={"accredited": len(accredited)})
            for e in accredited:
                await self._tell(
                    uow, e, f"pre_appeal:{row.id}", "apl-note-pre-vote",
                    {"situation": situation, "proposal": proposal, "penalty": penalty or "—", "scheme": scheme.title},
                    reason="pre-appeal",
                    keyboard=[[
                        {"text": "apl-btn-for", "action": "preappeal", "contest_id": str(scheme.contest_id), "id": str(row.id), "vote": "1"},
                        {"text": "apl-btn-against", "action": "preappeal", "contest_id": str(scheme.contest_id), "id": str(row.id), "vote": "0"},
                    ]],
                )
            return await self._pre_view(s, row)

    async def _pre_view(self, s: AsyncSession, row: PreAppeal) -> PreAppealView:
        votes = (await s.execute(select(PreAppealVote).where(PreAppealVote.pre_appeal_id == row.id))).scalars().all()
        return PreAppealView(row.id, row.scheme_id, row.situation, row.proposal, row.penalty, row.status, len(row.accredited),
                             sum(1 for v in votes if v.vote), sum(1 for v in votes if not v.vote), tuple(v.telegram_id for v in votes))

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
            if actor not in row.accredited or not any(r.role == Role.EXPERT for r in await self._roles(s, actor, scheme.contest_id)):
                raise Forbidden("not_accredited")
            if row.status != "voting":
                raise await self._closed(s, row, scheme)
            cast = (
                await s.execute(select(PreAppealVote).where(PreAppealVote.pre_appeal_id == row.id, PreAppealVote.telegram_id == actor))
            ).scalar_one_or_none()
            if cast is not None:
                raise DomainError("pre_appeal_voted_already", id=row.id, vote="yes" if cast.vote else "no", at=cast.at,
                                  tz=await self._tz(s, scheme.contest_id))
            s.add(PreAppealVote(pre_appeal_id=row.id, telegram_id=actor, vote=vote, at=uow.now))
            await s.flush()
            uow.audit(actor, "pre_appeal.vote", "pre_appeal", row.id, contest_id=scheme.contest_id, after={"vote": vote})
            view = await self._pre_view(s, row)
            if len(view.voted) == len(row.accredited):
                await self._close_pre(uow, row, scheme, actor, auto=True)
                view = await self._pre_view(s, row)
            return view

    async def close_pre_appeal(self, actor: int, pre_appeal_id: int) -> PreAppealView:
        """The chief expert closes the vote: the outcome follows R-APL-1 (quorum 80 %,
        more than half of the votes cast) and becomes a protocol signed by the voters."""
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
            await self._close_pre(uow, row, scheme, actor)
            return await self._pre_view(s, row)

    async def _close_pre(self, uow: UnitOfWork, row: PreAppeal, scheme: Scheme, actor: int, *, auto: bool = False) -> None:
        """Close a vote the caller holds locked (``row.status`` is still «voting»)."""
        s = uow.session
        votes = (await s.execute(select(PreAppealVote).where(PreAppealVote.pre_appeal_id == row.id).order_by(PreAppealVote.at))).scalars().all()
        yes = sum(1 for v in votes if v.vote)
        row.status = rules.pre_appeal_outcome(len(row.accredited), yes, len(votes) - yes)
        row.closed_at = uow.now
        row.closed_by = None if auto else actor
        uow.audit(actor, "pre_appeal.close", "pre_appeal", row.id, contest_id=scheme.contest_id, after={"status": row.status, "for": yes, "against": len(votes) - yes})
        names = dict((await s.execute(select(RoleAssignment.telegram_id, RoleAssignment.name).where(RoleAssignment.contest_id == scheme.contest_id))).all())
        outcome = {"accepted": "принято", "rejected": "отклонено", "no_quorum": "кворума нет"}[row.status]
        await ProtocolService(self.ctx).issue(
            uow, contest_id=scheme.contest_id, scheme_id=scheme.id, kind="pre_appeal", subject_key=f"pre_appeal:{row.id}",
            title=f"Доапелляционное рассмотрение №{row.id}",
            paragraphs=[
                f"Ситуация: {row.situation}", f"Предложение: {row.proposal}", f"Штрафные санкции: {row.penalty or 'нет'}",
                f"Аккредитовано экспертов: {len(row.accredited)}; проголосовали: {len(votes)} (за — {yes}, против — {len(votes) - yes}). Кворум — не менее 80 %, решение — больше половины голосов (R-APL-1).",
                f"Итог: {outcome}.",
            ],
            tables=[table("Голоса", ["Эксперт", "Голос"], [[names.get(v.telegram_id) or str(v.telegram_id), "за" if v.vote else "против"] for v in votes], [0.7, 0.3])],
            signers=[(v.telegram_id, "expert") for v in votes],
            actor=actor,
        )
        # R-APL-1: an accepted penalty reaches the results with this protocol (issue #12)
        from models.services.results_changes import apply_pre_appeal

        await apply_pre_appeal(self.ctx, uow, row, actor)
        for e in row.accredited:
            await self._tell(uow, e, f"pre_appeal:{row.id}:closed", "apl-note-pre-closed", {"outcome": row.status, "proposal": row.proposal}, reason="pre-appeal")

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

    async def form_commission(self, actor: int, contest_id: int) -> list[MemberView]:
        """A federal coordinator forms the commission from the contest's commission members:
        exactly five, one chair, one secretary; at least two days before the next stage.
        Forming the same five again is refused with who formed it and when (a double press);
        a changed contest file re-forms it."""
        async with self.uow() as uow:
            s = uow.session
            if await lock(s, Contest, contest_id) is None:  # two coordinators at once: the second waits
                raise NotFound("contest_not_found")
            if not self.is_admin(actor) and not any(r.role == Role.FEDERAL_COORDINATOR for r in await self._roles(s, actor, contest_id)):
                raise Forbidden("federal_only")
            people = (
                await s.execute(
                    select(RoleAssignment).where(
                        RoleAssignment.contest_id == contest_id, RoleAssignment.role == Role.COMMISSION_MEMBER, RoleAssignment.active.is_(True)
                    ).order_by(RoleAssignment.id)
                )
            ).scalars().all()
            roles = [p.commission_role or "member" for p in people]
            if len(people) != rules.COMMISSION_SIZE or roles.count("chair") != 1 or roles.count("secretary") != 1:
                raise DomainError("commission_composition", count=len(people), size=rules.COMMISSION_SIZE)
            upcoming = (
                await s.execute(
                    select(Stage).where(Stage.contest_id == contest_id, Stage.active.is_(True), Stage.starts_at.is_not(None), Stage.starts_at > uow.now).order_by(Stage.starts_at)
                )
            ).scalars().first()
            if upcoming is None or upcoming.starts_at - uow.now < timedelta(days=2):
                raise DomainError("commission_too_late")
            formed = (await s.execute(select(CommissionMember).where(CommissionMember.contest_id == contest_id))).scalars().all()
            if formed and {(m.telegram_id, m.role) for m in formed} == {(p.telegram_id, p.commission_role or "member") for p in people}:
                first = formed[0]
                raise DomainError("commission_formed_already", by=await self._who(s, contest_id, first.formed_by), at=first.formed_at,
                                  tz=await self._tz(s, contest_id))
            await s.execute(delete(CommissionMember).where(CommissionMember.contest_id == contest_id))
            for p in people:
                s.add(CommissionMember(contest_id=contest_id, telegram_id=p.telegram_id, role=p.commission_role or "member",
                                       name=p.name or str(p.telegram_id), organisation_code=p.organisation_code, formed_by=actor, formed_at=uow.now))
            uow.audit(actor, "commission.form", "contest", contest_id, contest_id=contest_id, after={"members": [p.telegram_id for p in people]})
            await s.flush()
            return await self._members(s, contest_id)

    async def _members(self, s: AsyncSession, contest_id: int) -> list[MemberView]:
        rows = (await s.execute(select(CommissionMember).where(CommissionMember.contest_id == contest_id).order_by(CommissionMember.id))).scalars()
        return [MemberView(m.telegram_id, m.name, m.role, m.organisation_code) for m in rows]

    async def is_member_anywhere(self, telegram_id: int) -> bool:
        """Holds the commission-member role in some contest (for /help and /start)."""
        async with self.read() as s:
            row = (
                await s.execute(
                    select(RoleAssignment.id).where(
                        RoleAssignment.telegram_id == telegram_id, RoleAssignment.role == Role.COMMISSION_MEMBER, RoleAssignment.active.is_(True)
                    )
                )
            ).first()
            return row is not None

    async def members(self, contest_id: int) -> list[MemberView]:
        async with self.read() as s:
            return await self._members(s, contest_id)

    async def _member(self, s: AsyncSession, actor: int, contest_id: int) -> CommissionMember:
        row = (
            await s.execute(select(CommissionMember).where(CommissionMember.contest_id == contest_id, CommissionMember.telegram_id == actor))
        ).scalar_one_or_none()
        if row is None or not any(r.role == Role.COMMISSION_MEMBER for r in await self._roles(s, actor, contest_id)):
            raise Forbidden("not_commission_member")
        return row

    # ----------------------------------------------------------------- filing (R-APL-2…5)

    async def targets_for_applicant(self, actor: int, contest_id: int) -> list[tuple[int, str]]:
        """The participants this person may appeal for (R-APL-2): those they are the mentor
        of; for a regional coordinator, those of their regions without a mentor."""
        async with self.read() as s:
            out = []
            rows = (
                await s.execute(
                    select(EvaluationTarget).join(Scheme, Scheme.id == EvaluationTarget.scheme_id).where(Scheme.contest_id == contest_id)
                    .options(selectinload(EvaluationTarget.participant)).order_by(EvaluationTarget.scheme_id, EvaluationTarget.number)
                )
            ).scalars()
            for t in rows:
                if await self._applicant_role(s, actor, t, contest_id) is not None:
                    out.append((t.id, target_label(t)))
            return out

    async def _applicant_role(self, s: AsyncSession, actor: int, t: EvaluationTarget, contest_id: int) -> str | None:
        roles = await self._roles(s, actor, contest_id)
        if t.mentor_telegram_id == actor and any(r.role == Role.EXPERT for r in roles):
            return "mentor"
        if t.mentor_telegram_id is None and t.region_id is not None:
            code = (await s.execute(select(Region.code).where(Region.id == t.region_id))).scalar_one_or_none()
            if any(r.role == Role.COORDINATOR and code in (r.region_codes or []) for r in roles):
                return "regional_head"
        return None

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
        self, actor: int, target_id: int, *, kind: str, dispute_at: datetime, fields: dict[str, str], evidence: list[dict[str, str]],
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
            if await lock(s, EvaluationTarget, target_id) is None:  # a double «Подать»: the second waits here
                raise NotFound("target_not_found")
            t = (
                await s.execute(select(EvaluationTarget).where(EvaluationTarget.id == target_id).options(selectinload(EvaluationTarget.participant)))
            ).scalar_one()
            scheme = await self._scheme(s, t.scheme_id)
            role = await self._applicant_role(s, actor, t, scheme.contest_id)
            if role is None:
                raise Forbidden("not_an_applicant")
            tz_name = await self._tz(s, scheme.contest_id)
            if draft_key:
                filed = await self._filed(s, actor, draft_key)
                if filed is not None:
                    raise DomainError("appeal_filed_already", id=filed.id, at=filed.filed_at, tz=tz_name)
            local = dispute_at.astimezone(ZoneInfo(tz_name))
            if local > uow.now:
                raise DomainError("dispute_in_future")
            deadline = rules.appeal_filing_deadline(local)
            if uow.now > deadline:
                raise DomainError("appeal_late", deadline=deadline, tz=tz_name)
            awaiting = rules.appeal_needs_time_confirmation(local)
            appeal = Appeal(
                contest_id=scheme.contest_id, scheme_id=scheme.id, target_id=t.id, applicant_telegram_id=actor, applicant_role=role,
                kind=kind, fields=clean, evidence=evidence, dispute_at=local, deadline_at=deadline, filed_at=uow.now,
                status="awaiting_time" if awaiting else "registered", draft_key=draft_key or None,
            )
            s.add(appeal)
            await s.flush()
            uow.audit(actor, "appeal.file", "appeal", appeal.id, contest_id=scheme.contest_id, after={"kind": kind, "target_id": t.id, "awaiting_time": awaiting})
            if awaiting:
                await self._tell(
                    uow, scheme.chief_telegram_id or actor, f"appeal:{appeal.id}:time", "apl-note-confirm-time",
                    {"target": target_label(t), "dispute": rules.format_local(local, tz_name), "id": appeal.id}, reason="appeal",
                    keyboard=[[{"text": "apl-btn-confirm-time", "action": "appeal", "contest_id": str(scheme.contest_id), "id": str(appeal.id), "do": "time"}]],
                )
            else:
                await self._register(uow, appeal, t, scheme, tz_name)
            return await self._view(s, appeal)

    async def _filed(self, s: AsyncSession, actor: int, draft_key: str) -> Appeal | None:
        return (
            await s.execute(select(Appeal).where(Appeal.applicant_telegram_id == actor, Appeal.draft_key == draft_key))
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
            if scheme.chief_telegram_id != actor or not any(r.role == Role.EXPERT for r in await self._roles(s, actor, scheme.contest_id)):
                raise Forbidden("not_chief")
            if appeal.status == "refused_late":
                raise await self._not_open(s, appeal)
            if appeal.status != "awaiting_time":
                if appeal.time_confirmed_by is None:
                    raise DomainError("appeal_time_already_confirmed")
                raise DomainError("appeal_time_confirmed_already", id=appeal.id, by=await self._who(s, appeal.contest_id, appeal.time_confirmed_by),
                                  at=appeal.time_confirmed_at, tz=await self._tz(s, appeal.contest_id))
            tz_name = await self._tz(s, scheme.contest_id)
            if uow.now > appeal.deadline_at:
                raise DomainError("appeal_late", deadline=appeal.deadline_at, tz=tz_name)
            appeal.time_confirmed_by, appeal.time_confirmed_at = actor, uow.now
            t = (await s.execute(select(EvaluationTarget).where(EvaluationTarget.id == appeal.target_id).options(selectinload(EvaluationTarget.participant)))).scalar_one()
            uow.audit(actor, "appeal.time_confirmed", "appeal", appeal.id, contest_id=scheme.contest_id)
            await self._register(uow, appeal, t, scheme, tz_name)
            return await self._view(s, appeal)

    async def _register(self, uow: UnitOfWork, appeal: Appeal, t: EvaluationTarget, scheme: Scheme, tz_name: str) -> None:
        s = uow.session
        appeal.status = "registered"
        appeal.registered_at = uow.now
        tz = ZoneInfo(tz_name)
        day = rules.appeal_decision_day(uow.now.astimezone(tz))
        appeal.decide_by = datetime.combine(day, time(23, 59, 59)).replace(tzinfo=tz)
        appeal.excluded = await self._conflicts(s, appeal, t)
        uow.audit(None, "appeal.register", "appeal", appeal.id, contest_id=appeal.contest_id, after={"decide_by": appeal.decide_by.isoformat(), "excluded": appeal.excluded})
        for m in await self._members(s, appeal.contest_id):
            await self._tell(
                uow, m.telegram_id, f"appeal:{appeal.id}:registered", "apl-note-registered",
                {"id": appeal.id, "target": target_label(t), "decide_by": rules.format_local(appeal.decide_by, tz_name),
                 "excluded": "yes" if m.telegram_id in appeal.excluded else "no"},
                reason="appeal",
                keyboard=[[{"text": "apl-btn-open", "action": "appeal", "contest_id": str(appeal.contest_id), "id": str(appeal.id), "do": "view"}]],
            )
        await self._tell(uow, appeal.applicant_telegram_id, f"appeal:{appeal.id}:registered", "apl-note-applicant-registered",
                         {"id": appeal.id, "decide_by": rules.format_local(appeal.decide_by, tz_name)}, reason="appeal")

    async def _conflicts(self, s: AsyncSession, appeal: Appeal, t: EvaluationTarget) -> list[int]:
        """R-APL-6: a member does not decide a case about a person of their organisation or a
        close relative (declared with :meth:`declare_conflict`)."""
        org = None
        if t.participant is not None and t.participant.organisation_id is not None:
            org = (await s.execute(select(Organisation.code).where(Organisation.id == t.participant.organisation_id))).scalar_one_or_none()
        applicant_org = (
            await s.execute(select(RoleAssignment.organisation_code).where(RoleAssignment.contest_id == appeal.contest_id, RoleAssignment.telegram_id == appeal.applicant_telegram_id))
        ).scalars().first()
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
                raise DomainError("appeal_conflict_declared_already", id=appeal.id, at=declared.at, tz=await self._tz(s, appeal.contest_id))
            appeal.excluded = [*appeal.excluded, actor]
            await s.execute(delete(AppealVote).where(AppealVote.appeal_id == appeal.id, AppealVote.telegram_id == actor))
            uow.audit(actor, "appeal.conflict", "appeal", appeal.id, contest_id=appeal.contest_id)
            return await self._view(s, appeal)

    # ----------------------------------------------------------------- deciding (R-APL-7…9)

    async def queue(self, actor: int, contest_id: int) -> list[AppealView]:
        """The commission's queue: registered appeals in order of registration."""
        async with self.read() as s:
            await self._member(s, actor, contest_id)
            rows = (
                await s.execute(select(Appeal).where(Appeal.contest_id == contest_id, Appeal.status == "registered").order_by(Appeal.registered_at, Appeal.id))
            ).scalars().all()
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
        t = (await s.execute(select(EvaluationTarget).where(EvaluationTarget.id == a.target_id).options(selectinload(EvaluationTarget.participant)))).scalar_one()
        votes = (await s.execute(select(AppealVote).where(AppealVote.appeal_id == a.id))).scalars().all()
        return AppealView(
            a.id, a.scheme_id, a.target_id, target_label(t), a.applicant_telegram_id, a.applicant_role, a.kind, dict(a.fields), list(a.evidence),
            a.dispute_at, a.deadline_at, a.filed_at, a.registered_at, a.decide_by, a.status, tuple(a.excluded),
            sum(1 for v in votes if v.uphold), sum(1 for v in votes if not v.uphold), a.decision, a.decision_text,
            a.deduction, a.disqualified, a.decided_at, await self._tz(s, a.contest_id), tuple((v.telegram_id, v.uphold) for v in votes),
        )

    async def vote(self, actor: int, appeal_id: int, uphold: bool, *, change: bool = False) -> AppealView:
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
            existing = (await s.execute(select(AppealVote).where(AppealVote.appeal_id == appeal.id, AppealVote.telegram_id == actor))).scalar_one_or_none()
            if existing is not None and (not change or existing.uphold == uphold):
                raise DomainError("appeal_voted_already", id=appeal.id, vote="yes" if existing.uphold else "no", at=existing.at,
                                  tz=await self._tz(s, appeal.contest_id))
            if existing is not None:
                existing.uphold, existing.at = uphold, uow.now
            else:
                s.add(AppealVote(appeal_id=appeal.id, telegram_id=actor, uphold=uphold, at=uow.now))
            uow.audit(actor, "appeal.vote", "appeal", appeal.id, contest_id=appeal.contest_id, after={"uphold": uphold})
            await s.flush()
            return await self._view(s, appeal)

    async def decide(
        self, actor: int, appeal_id: int, *, uphold: bool, text: str, deduction: str | Decimal | None = None, disqualify: bool = False,
    ) -> AppealView:
        """The chair records the decision — final (R-APL-8). A deduction or a
        disqualification (R-APL-9) is applied to the results with the decision's protocol;
        the extract goes to the applicant and the chief expert through the outbox now, and
        the workers check it arrived within the hour."""
        text = _text(text, "decision_text")
        points = Decimal(0)
        if deduction not in (None, ""):
            try:
                points = Decimal(str(deduction).replace(",", "."))
            except InvalidOperation:
                raise DomainError("bad_deduction") from None
            if not points.is_finite() or points < 0 or points > rules.SCHEME_TOTAL_POINTS or points != points.quantize(rules.POINTS_QUANTUM):
                raise DomainError("bad_deduction")
        if (points or disqualify) and not uphold:
            raise DomainError("penalty_needs_upheld")
        async with self.uow() as uow:
            s = uow.session
            appeal = await lock(s, Appeal, appeal_id)  # two decisions at once: the second waits, then is refused
            if appeal is None:
                raise NotFound("appeal_not_found")
            await self._may_decide(s, actor, appeal)
            appeal.status = "decided"
            appeal.decision = "upheld" if uphold else "rejected"
            appeal.decision_text = text
            appeal.deduction = points if points else None
            appeal.disqualified = disqualify
            appeal.decided_by, appeal.decided_at = actor, uow.now
            uow.audit(actor, "appeal.decide", "appeal", appeal.id, contest_id=appeal.contest_id,
                      after={"decision": appeal.decision, "deduction": str(points), "disqualified": disqualify})
            await self._apply_to_results(uow, appeal, points, disqualify)
            scheme = await self._scheme(s, appeal.scheme_id)
            t = (await s.execute(select(EvaluationTarget).where(EvaluationTarget.id == appeal.target_id).options(selectinload(EvaluationTarget.participant)))).scalar_one()
            tz_name = await self._tz(s, appeal.contest_id)
            votes = (await s.execute(select(AppealVote).where(AppealVote.appeal_id == appeal.id))).scalars().all()
            names = {m.telegram_id: m.name for m in await self._members(s, appeal.contest_id)}
            kind_title = {"scoring_procedure": "нарушение процедуры оценивания", "unfair_advantage": "несправедливое преимущество",
                          "removed_from_task": "отстранение от выполнения задания"}[appeal.kind]
            await ProtocolService(self.ctx).issue(
                uow, contest_id=appeal.contest_id, scheme_id=appeal.scheme_id, kind="appeal", subject_key=f"appeal:{appeal.id}",
                title=f"Решение по апелляции №{appeal.id}",
                paragraphs=[
                    f"Участник: {target_label(t)}. Вид нарушения: {kind_title}. Спорная ситуация: {rules.format_local(appeal.dispute_at, tz_name)}.",
                    f"Описание: {appeal.fields.get('description', '')}", f"Требования: {appeal.fields.get('demands', '')}",
                    f"Решение: {'апелляция удовлетворена' if uphold else 'в удовлетворении отказано'}. {text}",
                    f"Вычет баллов: {points}." if points else "Вычета баллов нет.",
                    "Участник дисквалифицирован." if disqualify else "",
                    "Решение апелляционной комиссии окончательное и обжалованию не подлежит (R-APL-8).",
                ],
                tables=[table("Голоса членов комиссии", ["Член комиссии", "Голос"],
                              [[names.get(v.telegram_id, str(v.telegram_id)), "удовлетворить" if v.uphold else "отказать"] for v in votes], [0.7, 0.3])],
                signers=[(actor, "chair")],
                actor=actor,
            )
            # R-APL-9: after publication the change is announced, never silent (issue #12)
            from models.services.results_changes import results_changed

            await results_changed(self.ctx, uow, appeal.scheme_id, f"appeal:{appeal.id}", actor)
            extract = {"id": appeal.id, "target": target_label(t), "decision": appeal.decision, "text": text,
                       "deduction": f"{points}".replace(".", ","), "penalty": "yes" if points else "no", "disqualified": "yes" if disqualify else "no"}
            for who in dict.fromkeys([appeal.applicant_telegram_id, scheme.chief_telegram_id]):
                if who is not None:
                    await self._tell(uow, who, f"appeal:{appeal.id}:extract", "apl-note-extract", extract, reason="appeal-extract")
            return await self._view(s, appeal)

    async def _apply_to_results(self, uow: UnitOfWork, appeal: Appeal, points: Decimal, disqualify: bool) -> None:
        """R-APL-9: a decided appeal's deduction or disqualification counts in the results,
        in the decision's transaction."""
        if points or disqualify:
            uow.session.add(ResultAdjustment(scheme_id=appeal.scheme_id, target_id=appeal.target_id, appeal_id=appeal.id,
                                             points=points, disqualified=disqualify, created_at=uow.now))

    async def _may_decide(self, s: AsyncSession, actor: int, appeal: Appeal) -> None:
        """The chair, not excluded, of a registered appeal — else refused with why."""
        member = await self._member(s, actor, appeal.contest_id)
        if member.role != "chair":
            raise Forbidden("chair_only")
        if actor in appeal.excluded:
            raise Forbidden("member_conflict")
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


__all__ = ["APPEAL_FIELDS", "APPEAL_KINDS", "AppealService", "AppealView", "MemberView", "PreAppealView"]
