"""Filing an appeal (R-APL-2…5): who may appeal for whom, the form's fields and evidence, the
deadline in the event's zone, the chief expert's confirmation of a late dispute's time, and
the registration that puts the case before the commission."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules, teams
from models.contest_file import Role
from models.errors import DomainError, Forbidden, NotFound
from models.services.access import active_roles
from models.services.appeals.common import (
    appeal_view,
    check_decider,
    conflicts,
    members_of,
    not_open_error,
    scheme_of,
    tell,
    tz_of,
    who_name,
)
from models.services.appeals.views import (
    APPEAL_FIELDS,
    APPEAL_KINDS,
    MAX_EVIDENCE,
    AppealView,
    clean_text,
)
from models.services.base import Service, UnitOfWork, lock
from models.services.scoring.protocols import target_label
from models.tables import (
    Appeal,
    EvaluationTarget,
    Region,
    RoleAssignment,
    Scheme,
)


class AppealFormService(Service):
    """The applicant (mentor, team representative, regional head) and the chief expert confirming a time (R-APL-2…5)."""

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
            scheme = await scheme_of(s, t.scheme_id)
            if await self._applicant_role(s, actor, t, scheme.contest_id) is None:
                raise await self._not_applicant(s, actor, t, scheme.contest_id)

    async def filing_deadline(self, target_id: int, dispute_at: datetime) -> tuple[datetime, bool]:
        """(deadline, needs the chief expert's confirmation of the time) for a dispute, in
        the event's time zone (R-APL-3)."""
        async with self.read() as s:
            t = await s.get(EvaluationTarget, target_id)
            if t is None:
                raise NotFound("target_not_found")
            scheme = await scheme_of(s, t.scheme_id)
            tz = ZoneInfo(await tz_of(s, scheme.contest_id))
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
        clean = {f: clean_text(fields.get(f), f) for f in APPEAL_FIELDS}
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
            scheme = await scheme_of(s, t.scheme_id)
            role = await self._applicant_role(s, actor, t, scheme.contest_id)
            if role is None:
                raise await self._not_applicant(s, actor, t, scheme.contest_id)
            tz_name = await tz_of(s, scheme.contest_id)
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
                await tell(
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
            return await appeal_view(s, appeal)

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
            return None if appeal is None else await appeal_view(s, appeal)

    async def confirm_time(self, actor: int, appeal_id: int) -> AppealView:
        """R-APL-3: the chief expert confirms the time of a dispute that arose after 21:00;
        the appeal is then registered (if its 12:00 deadline has not passed). Races the
        worker's automatic refusal at 12:00 (``AppealLateRefusal``): one of them wins."""
        async with self.uow() as uow:
            s = uow.session
            appeal = await lock(s, Appeal, appeal_id)
            if appeal is None:
                raise NotFound("appeal_not_found")
            scheme = await scheme_of(s, appeal.scheme_id)
            if scheme.chief_telegram_id != actor or not any(
                r.role == Role.EXPERT for r in await active_roles(s, actor, scheme.contest_id)
            ):
                raise Forbidden("not_chief")
            if appeal.status == "refused_late":
                raise await not_open_error(s, appeal)
            if appeal.status != "awaiting_time":
                if appeal.time_confirmed_by is None:
                    raise DomainError("appeal_time_already_confirmed")
                raise DomainError(
                    "appeal_time_confirmed_already",
                    id=appeal.id,
                    by=await who_name(s, appeal.contest_id, appeal.time_confirmed_by),
                    at=appeal.time_confirmed_at,
                    tz=await tz_of(s, appeal.contest_id),
                )
            tz_name = await tz_of(s, scheme.contest_id)
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
            return await appeal_view(s, appeal)

    async def _register(
        self, uow: UnitOfWork, appeal: Appeal, t: EvaluationTarget, scheme: Scheme, tz_name: str
    ) -> None:
        s = uow.session
        appeal.status = "registered"
        appeal.registered_at = uow.now
        tz = ZoneInfo(tz_name)
        day = rules.appeal_decision_day(uow.now.astimezone(tz))
        appeal.decide_by = datetime.combine(day, time(23, 59, 59)).replace(tzinfo=tz)
        appeal.excluded = await conflicts(s, appeal, t)
        uow.audit(
            None,
            "appeal.register",
            "appeal",
            appeal.id,
            contest_id=appeal.contest_id,
            after={"decide_by": appeal.decide_by.isoformat(), "excluded": appeal.excluded},
        )
        for m in await members_of(s, appeal.contest_id):
            await tell(
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
        await tell(
            uow,
            appeal.applicant_telegram_id,
            f"appeal:{appeal.id}:registered",
            "apl-note-applicant-registered",
            {"id": appeal.id, "decide_by": rules.format_local(appeal.decide_by, tz_name)},
            reason="appeal",
        )
        await check_decider(
            uow, appeal, t
        )  # R-APL-6: the deputy told, or the coordinator when nobody may decide
