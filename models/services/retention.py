"""R-PD-3: personal data are kept for the contest and five years after it (002 §4.7), then
anonymised; and an admin can export everything held about one person (a subject-access
request, R-PD-1/R-PD-2).

What the purge removes, per contest whose end lies more than ``years`` ago:

- participants: name, СНИЛС (ciphertext, HMAC, last digits), refusal reason; their
  applications' answers and materials (Telegram references, file names, stored copies no
  other application shares) — exactly what withdrawal removes
  (``participants.erase_personal_data``); the rows stay, with their statuses and dates;
- task submissions' file references and names;
- names on the contest's role assignments (the roles themselves stay, inactive);
- Telegram display names of people with no participation or role in a contest still kept;
- the texts of outbox messages older than the period (``message_args``, buttons).

What stays, because the rules require it: protocols with their versions, signers and
signatures (the signed documents name their signatories), the appeal commission and the
appeals with their decisions, evaluation targets and scores (by number, without names), and
the audit log (which never holds a plain СНИЛС). The contest's own definition stays.

A contest's end is its last stage's evaluation deadline (else its start); a contest whose
stages carry no dates at all is never purged automatically and is reported as undated.
Running the purge twice changes nothing the second time."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models.db import truncate_wal
from models.errors import Forbidden
from models.services.base import Service
from models.services.guardian_facts import erase_guardians
from models.services.participants.erasure import (
    delete_stored_files,
    erase_personal_data,
    erase_task_answers,
    unshared_files,
)
from models.tables import (
    Appeal,
    Application,
    AuditRecord,
    CommissionMember,
    Contest,
    Delivery,
    Nomination,
    Organisation,
    Participant,
    Person,
    ProtocolSigner,
    Region,
    RoleAssignment,
    Stage,
)

#: R-PD-3 (002 §4.7)
RETENTION_YEARS = 5


def add_years(moment: datetime, years: int) -> datetime:
    """The same calendar moment ``years`` later (29 February → 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def contest_end(stages: list[Stage]) -> datetime | None:
    """The last stage's evaluation deadline, else its start; else the latest date any
    stage carries; None when no stage carries a date."""
    ordered = sorted(stages, key=lambda st: (st.position, st.id or 0))
    if ordered:
        last = ordered[-1]
        if last.evaluation_deadline or last.starts_at:
            return last.evaluation_deadline or last.starts_at
    dates = [
        d
        for st in stages
        for d in (st.evaluation_deadline, st.application_deadline, st.starts_at)
        if d is not None
    ]
    return max(dates) if dates else None


def purge_due(stages: list[Stage], now: datetime, years: int = RETENTION_YEARS) -> bool:
    end = contest_end(stages)
    return end is not None and now >= add_years(end, years)


@dataclass
class ContestPurge:
    contest_id: int
    code: str
    ended_at: str
    participants: int = 0
    files_deleted: int = 0
    submissions: int = 0
    roles: int = 0


@dataclass
class RetentionReport:
    """What one run did. A second run over the same data reports zeros."""

    contests: list[ContestPurge] = field(default_factory=list)
    undated: list[str] = field(default_factory=list)
    persons: int = 0
    deliveries: int = 0

    @property
    def participants(self) -> int:
        return sum(c.participants for c in self.contests)

    @property
    def files_deleted(self) -> int:
        return sum(c.files_deleted for c in self.contests)

    @property
    def changed(self) -> bool:
        return bool(
            self.persons
            or self.deliveries
            or any(
                c.participants or c.submissions or c.roles or c.files_deleted for c in self.contests
            )
        )


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


class RetentionService(Service):
    async def purge(self, years: int = RETENTION_YEARS) -> RetentionReport:
        """Anonymise the personal data of every contest that ended more than ``years``
        ago (one transaction per contest; idempotent)."""
        now = self.ctx.clock.now()
        report = RetentionReport()
        async with self.read() as s:
            contests = (
                (
                    await s.execute(
                        select(Contest).options(selectinload(Contest.stages)).order_by(Contest.id)
                    )
                )
                .scalars()
                .all()
            )
        expired: list[Contest] = []
        for contest in contests:
            if contest_end(contest.stages) is None:
                report.undated.append(contest.code)
            elif purge_due(contest.stages, now, years):
                expired.append(contest)
        kept_ids = {c.id for c in contests} - {c.id for c in expired}
        for contest in expired:
            report.contests.append(await self._purge_contest(contest, kept_ids, years))
        report.persons = await self._purge_persons(kept_ids, {c.id for c in expired})
        report.deliveries = await self._purge_deliveries(add_years(now, -years))
        if report.changed:  # SQLite: the old pages leave the write-ahead log (issue #15)
            await truncate_wal(self.ctx.sessionmaker)
        return report

    async def _purge_contest(
        self, contest: Contest, kept_ids: set[int], years: int
    ) -> ContestPurge:
        end = contest_end(contest.stages)
        result = ContestPurge(contest.id, contest.code, _iso(end) or "")
        candidates: set[str] = set()
        async with self.uow() as uow:
            s = uow.session
            participants = (
                (
                    await s.execute(
                        select(Participant)
                        .where(Participant.contest_id == contest.id)
                        .options(
                            selectinload(Participant.application).selectinload(Application.files)
                        )
                        .order_by(Participant.id)
                    )
                )
                .scalars()
                .all()
            )
            for p in participants:
                changed, shas = erase_personal_data(p, uow.now)
                candidates |= shas
                result.participants += int(changed)
            result.submissions, answer_shas = await erase_task_answers(
                s, [p.id for p in participants]
            )
            candidates |= answer_shas
            # R-ROLE-5 consents
            candidates |= await erase_guardians(s, [p.id for p in participants])
            for role in (
                await s.execute(
                    select(RoleAssignment).where(RoleAssignment.contest_id == contest.id)
                )
            ).scalars():
                if role.name is not None or role.active:
                    role.name, role.active = None, False
                    result.roles += 1
            orphans = await unshared_files(s, candidates)
            if result.participants or result.submissions or result.roles:
                uow.audit(
                    None,
                    "retention.purge",
                    "contest",
                    contest.id,
                    contest_id=contest.id,
                    after={
                        "years": years,
                        "ended_at": result.ended_at,
                        "participants": result.participants,
                        "submissions": result.submissions,
                        "roles": result.roles,
                    },
                )
        result.files_deleted = delete_stored_files(self.ctx.files_dir, orphans)
        return result

    async def _purge_persons(self, kept_ids: set[int], expired_ids: set[int]) -> int:
        """Drop the display name of people known only from purged contests."""
        if not expired_ids:
            return 0
        async with self.uow() as uow:
            s = uow.session
            in_expired = set(
                (
                    await s.execute(
                        select(Participant.person_id).where(Participant.contest_id.in_(expired_ids))
                    )
                ).scalars()
            )
            staff = set(
                (
                    await s.execute(
                        select(RoleAssignment.telegram_id).where(
                            RoleAssignment.contest_id.in_(expired_ids)
                        )
                    )
                ).scalars()
            )
            kept_people: set[int] = set()
            kept_staff: set[int] = set()
            if kept_ids:
                kept_people = set(
                    (
                        await s.execute(
                            select(Participant.person_id).where(
                                Participant.contest_id.in_(kept_ids)
                            )
                        )
                    ).scalars()
                )
                kept_staff = set(
                    (
                        await s.execute(
                            select(RoleAssignment.telegram_id).where(
                                RoleAssignment.contest_id.in_(kept_ids)
                            )
                        )
                    ).scalars()
                )
            rows = (
                (
                    await s.execute(
                        select(Person).where(
                            Person.display_name.is_not(None),
                            or_(
                                Person.id.in_(in_expired or {0}),
                                Person.telegram_id.in_(staff or {0}),
                            ),
                        )
                    )
                )
                .scalars()
                .all()
            )
            count = 0
            for person in rows:
                if person.id in kept_people or person.telegram_id in kept_staff:
                    continue
                person.display_name = None
                count += 1
            return count

    async def _purge_deliveries(self, before: datetime) -> int:
        """Outbox messages created before the period: their texts' arguments and buttons go
        (they may quote names); the rows stay as the record that something was sent."""
        async with self.uow() as uow:
            rows = (
                (
                    await uow.session.execute(
                        select(Delivery).where(
                            Delivery.created_at < before,
                            Delivery.status.not_in(("pending", "sending")),
                        )
                    )
                )
                .scalars()
                .all()
            )
            count = 0
            for row in rows:
                if row.message_args or row.keyboard:
                    row.message_args, row.keyboard = {}, None
                    count += 1
            return count

    # ------------------------------------------------------------------ subject access

    async def export_person(
        self, actor: int | None, telegram_id: int, *, operator: bool = False
    ) -> dict[str, Any]:
        """Everything held about one person (a subject-access request), for an admin.

        The person is entitled to their own data, so the export carries their СНИЛС
        decrypted (R-PD-2 protects it from others; this file goes to the admin who answers
        the request, and is not kept by the bot). Nobody else's data are included: audit
        records where the person acted on someone else carry only the action and its
        subject's id, outbox messages only their kind and status, not their texts."""
        if not (
            operator or self.is_admin(actor)
        ):  # operator: the server's CLI (python -m bot export-person)
            raise Forbidden("forbidden")
        async with self.uow() as uow:
            s = uow.session
            data = await self._collect(s, telegram_id)
            uow.audit(
                actor,
                "person.export",
                "person",
                telegram_id,
                after={"participants": len(data["participants"])},
            )
        data["exported_at"] = _iso(uow.now)
        return data

    async def export_person_json(self, actor: int | None, telegram_id: int) -> bytes:
        return json.dumps(
            await self.export_person(actor, telegram_id), ensure_ascii=False, indent=2
        ).encode()

    async def _collect(self, s: AsyncSession, telegram_id: int) -> dict[str, Any]:
        person = (
            await s.execute(select(Person).where(Person.telegram_id == telegram_id))
        ).scalar_one_or_none()
        out: dict[str, Any] = {
            "telegram_id": telegram_id,
            "person": None,
            "participants": [],
            "roles": [],
            "protocol_signers": [],
            "commission": [],
            "appeals_filed": [],
            "deliveries": [],
            "audit": [],
        }
        participant_ids: list[int] = []
        chat_ids = {telegram_id}
        if person is not None:
            chat_ids.add(person.chat_id or telegram_id)
            out["person"] = {
                "display_name": person.display_name,
                "chat_id": person.chat_id,
                "language": person.language,
                "mute_reminders": person.mute_reminders,
                "blocked_bot_at": _iso(person.blocked_bot_at),
                "created_at": _iso(person.created_at),
            }
            participants = (
                (
                    await s.execute(
                        select(Participant)
                        .where(Participant.person_id == person.id)
                        .options(
                            selectinload(Participant.application).selectinload(Application.files)
                        )
                        .order_by(Participant.id)
                    )
                )
                .scalars()
                .all()
            )
            for p in participants:
                participant_ids.append(p.id)
                out["participants"].append(await self._participant(s, p))
        for role in (
            await s.execute(
                select(RoleAssignment)
                .where(RoleAssignment.telegram_id == telegram_id)
                .order_by(RoleAssignment.id)
            )
        ).scalars():
            out["roles"].append(
                {
                    "contest": await self._contest_code(s, role.contest_id),
                    "role": role.role,
                    "name": role.name,
                    "regions": list(role.region_codes or []),
                    "expert_status": role.expert_status,
                    "commission_role": role.commission_role,
                    "organisation_code": role.organisation_code,
                    "active": role.active,
                }
            )
        for signer in (
            await s.execute(
                select(ProtocolSigner)
                .where(ProtocolSigner.telegram_id == telegram_id)
                .order_by(ProtocolSigner.id)
            )
        ).scalars():
            out["protocol_signers"].append(
                {"protocol_id": signer.protocol_id, "role": signer.role, "name": signer.name}
            )
        for member in (
            await s.execute(
                select(CommissionMember)
                .where(CommissionMember.telegram_id == telegram_id)
                .order_by(CommissionMember.id)
            )
        ).scalars():
            out["commission"].append(
                {
                    "contest": await self._contest_code(s, member.contest_id),
                    "role": member.role,
                    "name": member.name,
                    "organisation_code": member.organisation_code,
                }
            )
        for appeal in (
            await s.execute(
                select(Appeal)
                .where(Appeal.applicant_telegram_id == telegram_id)
                .order_by(Appeal.id)
            )
        ).scalars():
            out["appeals_filed"].append(
                {
                    "id": appeal.id,
                    "contest": await self._contest_code(s, appeal.contest_id),
                    "kind": appeal.kind,
                    "role": appeal.applicant_role,
                    "status": appeal.status,
                    "decision": appeal.decision,
                }
            )
        for d in (
            await s.execute(
                select(Delivery)
                .where(Delivery.recipient_chat_id.in_(chat_ids))
                .order_by(Delivery.id)
            )
        ).scalars():
            out["deliveries"].append(
                {
                    "reason": d.reason,
                    "message": d.message_key,
                    "status": d.status,
                    "due_at": _iso(d.due_at),
                    "sent_at": _iso(d.sent_at),
                }
            )
        subject = AuditRecord.entity.in_(("participant",)) & AuditRecord.entity_id.in_(
            participant_ids or [0]
        )
        person_subject = (AuditRecord.entity == "person") & (AuditRecord.entity_id == telegram_id)
        audit = (
            await s.execute(
                select(AuditRecord)
                .where(or_(AuditRecord.actor_telegram_id == telegram_id, subject, person_subject))
                .order_by(AuditRecord.id)
            )
        ).scalars()
        for a in audit:
            about_them = (a.entity == "participant" and a.entity_id in participant_ids) or (
                a.entity == "person" and a.entity_id == telegram_id
            )
            record: dict[str, Any] = {
                "at": _iso(a.at),
                "action": a.action,
                "entity": a.entity,
                "entity_id": a.entity_id,
                "as": "subject" if about_them else "actor",
            }
            if about_them:
                record["by"] = (
                    "self"
                    if a.actor_telegram_id == telegram_id
                    else ("system" if a.actor_telegram_id is None else "staff")
                )
                record["before"], record["after"] = a.before, a.after
            out["audit"].append(record)
        return out

    async def _participant(self, s: AsyncSession, p: Participant) -> dict[str, Any]:
        snils = None
        if p.snils_encrypted:
            try:
                snils = self.ctx.cipher.decrypt(p.snils_encrypted)
            except ValueError:
                snils = f"*** (cannot be decrypted; ends with {p.snils_last2 or '??'})"
        region = await s.get(Region, p.region_id) if p.region_id else None
        org = await s.get(Organisation, p.organisation_id) if p.organisation_id else None
        item: dict[str, Any] = {
            "contest": await self._contest_code(s, p.contest_id),
            "full_name": p.full_name,
            "snils": snils,
            "region": region.name if region else None,
            "organisation": org.name if org else None,
            "verification_status": p.verification_status,
            "rejection_reason": p.rejection_reason,
            "pd_consent_at": _iso(p.pd_consent_at),
            "submitted_at": _iso(p.submitted_at),
            "decided_at": _iso(p.decided_at),
            "withdrawn_at": _iso(p.withdrawn_at),
            "created_at": _iso(p.created_at),
            "application": None,
        }
        app = p.application
        if app is not None:
            nomination = await s.get(Nomination, app.nomination_id)
            item["application"] = {
                "nomination": nomination.title if nomination else None,
                "status": app.status,
                "fields": dict(app.field_values or {}),
                "conditions": dict(app.condition_answers or {}),
                "consent_privacy_at": _iso(app.consent_privacy_at),
                "consent_transfer_at": _iso(app.consent_transfer_at),
                "submitted_at": _iso(app.submitted_at),
                "files": [
                    {
                        "slot": f.slot,
                        "file_name": f.file_name,
                        "mime_type": f.mime_type,
                        "size": f.size,
                        "sha256": f.sha256,
                        "stored": bool(f.storage_path),
                        "uploaded_at": _iso(f.uploaded_at),
                        "replaced_at": _iso(f.replaced_at),
                    }
                    for f in app.files
                ],
            }
        return item

    async def _contest_code(self, s: AsyncSession, contest_id: int | None) -> str | None:
        if contest_id is None:
            return None
        contest = await s.get(Contest, contest_id)
        return contest.code if contest else None


def report_dict(report: RetentionReport) -> dict[str, Any]:
    return {
        "contests": [asdict(c) for c in report.contests],
        "undated": report.undated,
        "participants": report.participants,
        "files_deleted": report.files_deleted,
        "persons": report.persons,
        "deliveries": report.deliveries,
    }
