"""A minor's parental consent and accompanying adult (R-ROLE-5; seed 002 §4.7, §5.3).

A championship participant under 18 on the stage date (the birth date is asked of every
championship participant with the nomination, R-ROLE-4, and kept with the application's
answers) gives, in the chat: who gives the consent (ФИО and who they are: мать, отец, опекун…),
a scan or photo of the signed form («согласие на участие несовершеннолетнего в Чемпионате и на
сопровождение его доверенным лицом», 002 §4.7) and the accompanying adult («сопровождающий
конкурсанта», 002 §5.3: ФИО, phone). The coordinator of the participant's region checks it like
the verification form (R-VER-3): accepts it, or returns it with a reason; the participant is
told through the outbox. The application of a minor cannot be submitted (R-APP-6) until the
consent is accepted — the one final state that requires it: a submitted application is what
goes to the stage.

Every transition locks the participant's row first (the lock the participant's own transitions
and the verification decision take) and moves the consent with one conditional write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules
from models.errors import DomainError, NotFound
from models.guardian_rules import (
    CHAMPIONSHIP,
    CONSENT_FILE,
    EDITABLE,
    RELATIONS,
    GuardianStatus,
    GuardianSummary,
    complete,
    parse_phone,
)
from models.rules import OfferedFile, VerificationStatus
from models.services.access import coordinator_scope, in_scope, participant_in_scope
from models.services.base import Service, lock, move
from models.services.contests import application_deadline
from models.services.coordination import decision_reason, refuse_withdrawn, who_decided
from models.services.guardian_facts import (
    ContestFacts,
    birth_date_of,
    consent_rev,
    contest_facts,
    erase_guardian,
    erase_guardians,
    require_accepted,
    summary_of,
)
from models.services.participants.views import TelegramFile
from models.tables import Application, Contest, GuardianConsent, Participant, Person

#: the text limit of a name or a phone as typed
MAX_TEXT = 200


@dataclass(frozen=True, slots=True)
class GuardianView:
    """The consent screen (participant) and its part of the participant card (coordinator)."""

    participant_id: int
    contest_id: int
    contest_title: str
    timezone: str
    full_name: str
    summary: GuardianSummary
    guardian_name: str | None
    relation: str | None
    form_name: str | None
    has_form: bool
    companion_name: str | None
    companion_phone: str | None
    return_reason: str | None
    submitted_at: datetime | None
    decided_at: datetime | None
    rev: int

    @property
    def editable(self) -> bool:
        return self.summary.status in EDITABLE

    @property
    def complete(self) -> bool:
        return complete(self.summary.gaps)


@dataclass(frozen=True, slots=True)
class MinorLine:
    """A minor in the coordinator's list, with what is missing (R-ROLE-5)."""

    participant_id: int
    full_name: str
    summary: GuardianSummary


class GuardianService(Service):
    """R-ROLE-5. The coordinator's side shares the verification's scope rules (a coordinator of
    the participant's region, a federal coordinator, an admin): models.services.access."""

    # ------------------------------------------------------------------ the participant

    async def view(self, telegram_id: int, contest_id: int) -> GuardianView:
        """The participant's consent screen; refused when no consent is needed."""
        async with self.read() as s:
            contest = await self._load_contest(s, contest_id)
            p = await self._own(s, telegram_id, contest_id, for_update=False)
            row = await self._row(s, p.id)
            return self._guardian_view(p, row, contest)

    async def set_guardian_name(
        self, telegram_id: int, contest_id: int, value: str
    ) -> GuardianView:
        """Who gives the consent: the parent's or guardian's ФИО."""
        name = _full_name(value)
        return await self._edit(telegram_id, contest_id, "guardian.who", guardian_name=name)

    async def set_relation(self, telegram_id: int, contest_id: int, relation: str) -> GuardianView:
        """Who they are to the participant: мать, отец, опекун, попечитель, иной законный представитель."""
        if relation not in RELATIONS:
            raise DomainError("guardian_relation_unknown")
        return await self._edit(telegram_id, contest_id, "guardian.who", guardian_relation=relation)

    async def set_companion_name(
        self, telegram_id: int, contest_id: int, value: str
    ) -> GuardianView:
        """The accompanying adult (002 §5.3): ФИО; not the participant themself."""
        name = _full_name(value)
        return await self._edit(telegram_id, contest_id, "guardian.companion", companion_name=name)

    async def set_companion_phone(
        self, telegram_id: int, contest_id: int, value: str
    ) -> GuardianView:
        phone = parse_phone((value or "")[:MAX_TEXT])
        if phone is None:
            raise DomainError("guardian_phone_invalid")
        return await self._edit(
            telegram_id, contest_id, "guardian.companion", companion_phone=phone
        )

    async def set_form(
        self, telegram_id: int, contest_id: int, offered: TelegramFile
    ) -> GuardianView:
        """The signed form, a scan (PDF) or a photo (JPEG/PNG) — checked like an application file
        (R-APP-4) and downloaded into the content-addressed store by a queued job. A new form
        replaces the old one; the old one's reference stays in the audit log."""
        refusal = rules.check_file(
            CONSENT_FILE,
            OfferedFile(
                offered.file_name,
                offered.mime_type,
                offered.size,
                False,
                getattr(offered, "head", None),
            ),
            self.ctx.download_limit,
        )
        if refusal is not None:
            raise DomainError(
                f"file_{refusal.code}",
                types=", ".join(CONSENT_FILE.types),
                limit=rules.size_mb(refusal.limit) if refusal.limit else "",
                size=rules.size_mb(offered.size or 0),
                claimed=getattr(refusal, "claimed", None) or "",
                actual=getattr(refusal, "actual", None) or "",
                actual_name=getattr(refusal, "actual_name", None) or "",
            )
        return await self._edit(telegram_id, contest_id, "guardian.form", form=offered)

    async def submit(self, telegram_id: int, contest_id: int) -> GuardianView:
        """The consent goes to the coordinator, «на проверке»: once (a double press is told
        when it was sent), only when complete."""
        async with self.uow() as uow:
            s = uow.session
            contest = await self._load_contest(s, contest_id)
            p = await self._own(s, telegram_id, contest_id, for_update=True)
            self._deadline(contest, uow.now)
            row = await self._row(s, p.id, for_update=True)
            view = self._guardian_view(p, row, contest)
            if row is not None and row.status == GuardianStatus.PENDING:
                raise DomainError(
                    "guardian_already_submitted", at=row.submitted_at or "—", tz=contest.timezone
                )
            if row is not None and row.status == GuardianStatus.ACCEPTED:
                raise DomainError(
                    "guardian_already_accepted", at=row.decided_at or "—", tz=contest.timezone
                )
            if row is None or not view.complete:
                gaps = view.summary.gaps
                raise DomainError(
                    "guardian_incomplete",
                    consent=int("no_consent" in gaps),
                    companion=int("no_companion" in gaps),
                )
            before = row.status
            if not await move(
                s,
                GuardianConsent,
                row.id,
                "status",
                sorted(EDITABLE),
                status=GuardianStatus.PENDING,
                submitted_at=uow.now,
                return_reason=None,
            ):
                raise DomainError(
                    "guardian_already_submitted", at=row.submitted_at or "—", tz=contest.timezone
                )
            uow.audit(
                telegram_id,
                "guardian.submit",
                "guardian_consent",
                row.id,
                contest_id=contest_id,
                before={"status": before},
                after={"status": GuardianStatus.PENDING},
            )
            return await self._fresh(s, p, row.id, contest)

    async def _edit(
        self, telegram_id: int, contest_id: int, action: str, **changes: Any
    ) -> GuardianView:
        async with self.uow() as uow:
            s = uow.session
            contest = await self._load_contest(s, contest_id)
            p = await self._own(s, telegram_id, contest_id, for_update=True)
            self._deadline(contest, uow.now)
            row = await self._row(s, p.id, for_update=True)
            self._guardian_view(p, row, contest)  # refused when no consent is needed
            if row is None:
                row = GuardianConsent(
                    participant_id=p.id, status=GuardianStatus.DRAFT, created_at=uow.now
                )
                s.add(row)
                await s.flush()
            elif row.status not in EDITABLE:
                raise DomainError(
                    "guardian_consent_frozen",
                    state=row.status,
                    at=(
                        row.decided_at
                        if row.status == GuardianStatus.ACCEPTED
                        else row.submitted_at
                    )
                    or "—",
                    tz=contest.timezone,
                )
            if (
                changes.get("companion_name")
                and p.full_name
                and changes["companion_name"] == p.full_name
            ):
                raise DomainError("guardian_companion_is_participant")  # 002 §5.3
            offered: TelegramFile | None = changes.pop("form", None)
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            for key, value in changes.items():
                if getattr(row, key) != value:
                    before[key], after[key] = (
                        bool(getattr(row, key)),
                        True,
                    )  # that it changed, not the data
                    setattr(row, key, value)
            if offered is not None and offered.file_unique_id != row.file_unique_id:
                before["form"] = row.sha256 or row.file_unique_id
                after["form"] = offered.file_unique_id
                row.file_telegram_id = offered.file_id
                row.file_unique_id = offered.file_unique_id
                row.file_name = offered.file_name
                row.mime_type = offered.mime_type
                row.size = offered.size or 0
                row.sha256 = None
                row.storage_path = None
                row.downloaded_at = None
                row.download_error = None
                row.uploaded_at = uow.now
                uow.after_commit("guardian_download", row.id)
            if after:
                uow.audit(
                    telegram_id,
                    action,
                    "guardian_consent",
                    row.id,
                    contest_id=contest_id,
                    before=before,
                    after=after,
                )
            return await self._fresh(s, p, row.id, contest)

    # ------------------------------------------------------------------ the coordinator

    async def for_coordinator(self, telegram_id: int, participant_id: int) -> GuardianView | None:
        """The consent part of a participant card (None when no consent is needed)."""
        async with self.read() as s:
            p = await participant_in_scope(s, self.ctx, telegram_id, participant_id)
            contest = await self._load_contest(s, p.contest_id)
            p = await self._load(s, p.id)
            row = await self._row(s, p.id)
            summary = summary_of(p, contest_facts(contest), row)
            return None if summary is None else self._guardian_view(p, row, contest)

    async def form_file(
        self, telegram_id: int, participant_id: int
    ) -> tuple[str, str | None, str | None]:
        """The signed form to show the coordinator: (Telegram file id, name, MIME type)."""
        async with self.read() as s:
            p = await participant_in_scope(s, self.ctx, telegram_id, participant_id)
            row = await self._row(s, p.id)
            if row is None or not row.file_telegram_id:
                raise NotFound("guardian_form_missing")
            return row.file_telegram_id, row.file_name, row.mime_type

    async def check_decision(
        self, telegram_id: int, participant_id: int, expected_rev: int | None
    ) -> GuardianView:
        """Refuse «Принять» / «Вернуть» at once, before a confirmation or a reason is asked."""
        async with self.read() as s:
            p = await participant_in_scope(s, self.ctx, telegram_id, participant_id)
            contest = await self._load_contest(s, p.contest_id)
            p = await self._load(s, p.id)
            row = await self._row(s, p.id)
            await self._consent_guard(s, telegram_id, p, row, contest, expected_rev)
            return self._guardian_view(p, row, contest)

    async def decide(
        self,
        telegram_id: int,
        participant_id: int,
        accept: bool,
        reason: str | None = None,
        expected_rev: int | None = None,
    ) -> GuardianView:
        """R-ROLE-5 checked like R-VER-3: accept, or return with a reason shown to the
        participant; one decision (the participant's row locked, then one conditional write of
        the consent), one audit row, one notice to the participant."""
        reason = decision_reason(accept, reason)
        async with self.uow() as uow:
            s = uow.session
            await lock(s, Participant, participant_id)
            p = await participant_in_scope(s, self.ctx, telegram_id, participant_id)
            contest = await self._load_contest(s, p.contest_id)
            p = await self._load(s, p.id)
            row = await self._row(s, p.id, for_update=True)
            await self._consent_guard(s, telegram_id, p, row, contest, expected_rev)
            assert row is not None
            new = GuardianStatus.ACCEPTED if accept else GuardianStatus.RETURNED
            moved = await move(
                s,
                GuardianConsent,
                row.id,
                "status",
                GuardianStatus.PENDING,
                status=new,
                decided_at=uow.now,
                decided_by=telegram_id,
                return_reason=None if accept else reason,
            )
            if (
                not moved
            ):  # cannot happen under the lock; the conditional write is the verdict anyway
                raise DomainError("guardian_not_submitted")
            uow.audit(
                telegram_id,
                "guardian.accept" if accept else "guardian.return",
                "guardian_consent",
                row.id,
                contest_id=p.contest_id,
                before={"status": GuardianStatus.PENDING},
                after={"status": new, "reason": reason},
            )
            person = await s.get(Person, p.person_id)
            assert person is not None
            await uow.notify(
                reason="guardian_status",
                subject=f"guardian:{row.id}:{consent_rev(row)}",
                chat_id=person.chat_id or person.telegram_id,
                language=person.language,
                key="guardian-notify-accepted" if accept else "guardian-notify-returned",
                args={"contest": contest.title, "reason": reason or ""},
                keyboard=[
                    [
                        {
                            "text": "btn-guardian-open",
                            "action": "guardian",
                            "contest_id": str(p.contest_id),
                        }
                    ]
                ],
            )
            return await self._fresh(s, p, row.id, contest)

    async def minors(self, telegram_id: int, contest_id: int) -> list[MinorLine]:
        """The coordinator's list of minors (R-ROLE-5) in their regions with what is missing:
        consents to check first, then returned and unfinished ones, accepted last."""
        async with self.read() as s:
            scope = await coordinator_scope(s, self.ctx, telegram_id, contest_id)
            contest = await self._load_contest(s, contest_id)
            facts = contest_facts(contest)
            if facts.kind != CHAMPIONSHIP:
                return []
            rows = (
                await s.execute(
                    select(Participant)
                    .join(Application, Application.participant_id == Participant.id)
                    .where(
                        Participant.contest_id == contest_id,
                        Participant.verification_status == VerificationStatus.ACCEPTED,
                        *in_scope(contest_id, scope),
                    )
                    .options(
                        selectinload(Participant.application),
                        # a backref (models/tables/participants.py), unseen by mypy
                        selectinload(Participant.guardian_consent),  # type: ignore[attr-defined]
                    )
                    .order_by(Participant.id)
                )
            ).scalars()
            order = {
                GuardianStatus.PENDING: 0,
                GuardianStatus.RETURNED: 1,
                GuardianStatus.DRAFT: 2,
                GuardianStatus.ACCEPTED: 3,
            }
            lines = [
                MinorLine(p.id, p.full_name or "—", sm)
                for p in rows
                if (sm := summary_of(p, facts)) is not None
            ]
            return sorted(
                lines,
                key=lambda m: (order.get(GuardianStatus(m.summary.status), 9), m.participant_id),
            )

    # ------------------------------------------------------------------ helpers

    async def _load_contest(self, s: AsyncSession, contest_id: int) -> Contest:
        contest = await s.get(Contest, contest_id, options=[selectinload(Contest.stages)])
        if contest is None:
            raise NotFound("contest_not_found")
        return contest

    async def _load(self, s: AsyncSession, participant_id: int) -> Participant:
        stmt = (
            select(Participant)
            .where(Participant.id == participant_id)
            .options(selectinload(Participant.application))
            .execution_options(populate_existing=True)
        )
        return (await s.execute(stmt)).scalar_one()

    async def _own(
        self, s: AsyncSession, telegram_id: int, contest_id: int, *, for_update: bool
    ) -> Participant:
        """The caller's own participation (locked for a transition), verified and not withdrawn."""
        pid = (
            await s.execute(
                select(Participant.id)
                .join(Person, Person.id == Participant.person_id)
                .where(Person.telegram_id == telegram_id, Participant.contest_id == contest_id)
            )
        ).scalar_one_or_none()
        if pid is None:
            raise DomainError("consent_required")
        if for_update:
            await lock(s, Participant, pid)
        p = await self._load(s, pid)
        if p.pd_consent_at is None:
            raise DomainError("consent_required")
        if p.verification_status == VerificationStatus.WITHDRAWN:
            raise DomainError("participation_ended")
        if p.verification_status != VerificationStatus.ACCEPTED:
            raise DomainError("not_verified")
        return p

    @staticmethod
    async def _row(
        s: AsyncSession, participant_id: int, for_update: bool = False
    ) -> GuardianConsent | None:
        stmt = (
            select(GuardianConsent)
            .where(GuardianConsent.participant_id == participant_id)
            .execution_options(populate_existing=True)
        )
        if for_update:
            stmt = stmt.with_for_update()
        return (await s.execute(stmt)).scalar_one_or_none()

    @staticmethod
    def _deadline(contest: Contest, now: datetime) -> None:
        """R-APP-7: after the application deadline nothing of the application changes."""
        deadline = application_deadline(contest)
        if rules.deadline_passed(deadline, now):
            raise DomainError("deadline_passed", deadline=deadline, tz=contest.timezone)

    async def _fresh(
        self, s: AsyncSession, p: Participant, row_id: int, contest: Contest
    ) -> GuardianView:
        await s.flush()
        row = await s.get(GuardianConsent, row_id, populate_existing=True)
        return self._guardian_view(p, row, contest)

    async def _consent_guard(
        self,
        s: AsyncSession,
        telegram_id: int,
        p: Participant,
        row: GuardianConsent | None,
        contest: Contest,
        expected_rev: int | None,
    ) -> None:
        """Only a consent sent for checking is decided, once; the refusal says what happened."""
        if p.verification_status == VerificationStatus.WITHDRAWN:
            await refuse_withdrawn(s, p)
        if row is None or row.status == GuardianStatus.DRAFT:
            raise DomainError("guardian_not_submitted")
        if row.status in (GuardianStatus.ACCEPTED, GuardianStatus.RETURNED):
            who = await who_decided(s, p.contest_id, telegram_id, row.decided_by)
            raise DomainError(
                "guardian_already_decided",
                outcome=row.status,
                reason=row.return_reason or "—",
                at=row.decided_at or "—",
                tz=contest.timezone,
                **who,
            )
        if expected_rev and consent_rev(row) != expected_rev:
            raise DomainError(
                "guardian_resubmitted", at=row.submitted_at or "—", tz=contest.timezone
            )

    def _guardian_view(
        self, p: Participant, row: GuardianConsent | None, contest: Contest
    ) -> GuardianView:
        summary = summary_of(p, contest_facts(contest), row)
        if summary is None:
            raise DomainError("guardian_not_needed")
        return GuardianView(
            participant_id=p.id,
            contest_id=p.contest_id,
            contest_title=contest.title,
            timezone=contest.timezone,
            full_name=p.full_name or "—",
            summary=summary,
            guardian_name=row.guardian_name if row else None,
            relation=row.guardian_relation if row else None,
            form_name=row.file_name if row else None,
            has_form=bool(row and row.file_telegram_id),
            companion_name=row.companion_name if row else None,
            companion_phone=row.companion_phone if row else None,
            return_reason=row.return_reason if row else None,
            submitted_at=row.submitted_at if row else None,
            decided_at=row.decided_at if row else None,
            rev=consent_rev(row),
        )


def _full_name(value: str | None) -> str:
    """A parent's or an accompanying adult's ФИО, as the participant's own is checked."""
    name = rules.normalize_full_name((value or "")[:MAX_TEXT])
    if name is None:
        raise DomainError("guardian_name_invalid")
    return name


__all__ = [
    "ContestFacts",
    "GuardianService",
    "GuardianView",
    "MinorLine",
    "birth_date_of",
    "consent_rev",
    "contest_facts",
    "erase_guardian",
    "erase_guardians",
    "require_accepted",
    "summary_of",
]
