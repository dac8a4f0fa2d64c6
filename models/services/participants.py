"""The participant's journey: consent → verification form → nomination → application →
submission; withdrawal of consent (R-VER-*, R-APP-*, R-PD-1)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import org_names, rules
from models.db import truncate_wal
from models.errors import DomainError, NotFound
from models.filetypes import content_matches
from models.rules import (
    ApplicationStatus,
    ConditionAnswers,
    ConditionFailure,
    OfferedFile,
    VerificationStatus,
)
from models.services.access import LANGUAGE_CHOSEN, LANGUAGES
from models.services.base import Service, UnitOfWork, lock
from models.services.contests import (
    application_deadline,
    application_stage,
    contest_brief,
    nomination_view,
)
from models.tables import (
    Application,
    ApplicationFile,
    Contest,
    ConversationState,
    GuardianConsent,
    Nomination,
    Organisation,
    Participant,
    Person,
    Region,
    TaskSubmission,
)
from models.views import (
    ApplicationView,
    Choice,
    ContestBrief,
    NominationView,
    Page,
    ParticipantView,
    StoredFile,
)

ORGANISATIONS_PAGE = 8
#: statuses in which the participant may still edit the verification form
_FORM_OPEN = {VerificationStatus.DRAFT, VerificationStatus.REJECTED}


@dataclass(frozen=True, slots=True)
class EntryQuestions:
    """What is asked before a nomination opens (R-APP-3, R-ROLE-4): the nomination with the
    questions of its conditions (a championship adds the birth date) and, in a championship,
    the day the stage starts — the day the age is counted on."""

    nomination: NominationView
    championship: bool = False
    stage_day: date | None = None


@dataclass(frozen=True, slots=True)
class TelegramFile:
    """A file as Telegram describes it in a message."""

    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None
    size: int | None
    is_video_message: bool = False
    #: the content's first bytes, read by the front end before the file is offered (issue #15)
    head: bytes | None = None


def _participant_query() -> Any:
    return select(Participant).options(
        selectinload(Participant.region),
        selectinload(Participant.organisation),
        selectinload(Participant.application).selectinload(Application.nomination),
        selectinload(Participant.application).selectinload(Application.files),
        selectinload(Participant.guardian_consent),  # R-ROLE-5 (models.services.guardians)
    )


def application_view(app: Application) -> ApplicationView:
    nomination = nomination_view(app.nomination)
    active = [f for f in app.files if f.replaced_at is None]
    counts: dict[str, int] = {}
    for f in active:
        counts[f.slot] = counts.get(f.slot, 0) + 1
    missing = rules.missing_for_submission(
        [rules.FieldRequirement(f.code, f.required) for f in nomination.fields],
        app.field_values or {},
        [s.requirement for s in nomination.files],
        counts,
        app.consent_privacy_at is not None,
        app.consent_transfer_at is not None,
    )
    return ApplicationView(
        id=app.id,
        status=app.status,
        nomination=nomination,
        field_values=dict(app.field_values or {}),
        files=[StoredFile(f.id, f.slot, f.file_name, f.size) for f in active],
        consent_privacy=app.consent_privacy_at is not None,
        consent_transfer=app.consent_transfer_at is not None,
        submitted_at=app.submitted_at,
        missing=missing,
    )


def erase_personal_data(p: Participant, now: datetime) -> tuple[bool, set[str]]:
    """R-PD-1, R-PD-3: remove a participant's personal data — name, СНИЛС, the refusal
    reason, the application's answers and its materials (Telegram references and stored
    copies) — keeping the row, its statuses and dates (what protocols and statistics need).
    Returns whether anything changed and the sha256 of stored contents that may now be
    unused (the application must be loaded with its files)."""
    changed = any(
        v is not None
        for v in (p.full_name, p.snils_encrypted, p.snils_hmac, p.snils_last2, p.rejection_reason)
    )
    p.full_name = None
    p.snils_encrypted = None
    p.snils_hmac = None
    p.snils_last2 = None
    p.rejection_reason = None
    candidates: set[str] = set()
    app = p.application
    if app is not None:
        changed = changed or bool(app.field_values) or bool(app.condition_answers)
        if app.field_values:
            app.field_values = {}
        if app.condition_answers:
            app.condition_answers = {}
        for f in app.files:
            if f.sha256:
                candidates.add(f.sha256)
            if f.telegram_file_id or f.file_unique_id or f.file_name or f.sha256 or f.storage_path:
                changed = True
                f.telegram_file_id = ""
                f.file_unique_id = ""
                f.file_name = None
                f.sha256 = None
                f.storage_path = None
                f.replaced_at = f.replaced_at or now
    return changed, candidates


async def erase_task_answers(s: AsyncSession, participant_ids: list[int]) -> tuple[int, set[str]]:
    """R-PD-1, R-PD-3: the participants' answers to tasks lose their file references, names and
    stored copies (issue #15: answers are kept in the store). Returns how many rows changed
    and the sha256 of contents that may now be unused."""
    if not participant_ids:
        return 0, set()
    count, candidates = 0, set()
    for sub in (
        await s.execute(
            select(TaskSubmission).where(TaskSubmission.participant_id.in_(participant_ids))
        )
    ).scalars():
        if sub.sha256:
            candidates.add(sub.sha256)
        if (
            sub.telegram_file_id
            or sub.file_unique_id
            or sub.file_name
            or sub.sha256
            or sub.storage_path
        ):
            sub.telegram_file_id, sub.file_unique_id, sub.file_name = "", "", None
            sub.sha256, sub.storage_path = None, None
            count += 1
    return count, candidates


async def unshared_files(s: AsyncSession, candidates: set[str]) -> set[str]:
    """Of these contents, those no application file or task answer refers to any more (after
    a flush)."""
    if not candidates:
        return set()
    await s.flush()
    rows = await s.execute(
        select(ApplicationFile.sha256).where(ApplicationFile.sha256.in_(candidates))
    )
    answers = await s.execute(
        select(TaskSubmission.sha256).where(TaskSubmission.sha256.in_(candidates))
    )
    forms = await s.execute(
        select(GuardianConsent.sha256).where(GuardianConsent.sha256.in_(candidates))
    )  # R-ROLE-5
    return candidates - {r[0] for r in rows} - {r[0] for r in answers} - {r[0] for r in forms}


def delete_stored_files(files_dir: Path | None, shas: set[str]) -> int:
    """Delete content-addressed copies (``files_dir/ab/abcd…``); returns how many existed."""
    deleted = 0
    if files_dir is None:
        return 0
    for sha in shas:
        path = Path(files_dir) / sha[:2] / sha
        if path.exists():
            deleted += 1
        path.unlink(missing_ok=True)
    return deleted


def file_refusal_error(
    refusal: rules.FileRefusal, types: tuple[str, ...], size: int | None
) -> DomainError:
    """R-APP-4: the refusal of an offered file, with what it really is when its signature
    disagrees with its name (``err-file-wrong-content``)."""
    return DomainError(
        f"file_{refusal.code}",
        types=", ".join(types),
        limit=rules.size_mb(refusal.limit) if refusal.limit else "",
        size=rules.size_mb(size or 0),
        claimed=refusal.claimed or "",
        actual=refusal.actual or "",
        actual_name=refusal.actual_name or "",
    )


def restage(p: Participant, application_status: str | None) -> None:
    """Keep the journey stage in step with a transition (reminders search by it)."""
    p.stage = rules.journey_stage(p.verification_status, application_status)


class ParticipantService(Service):
    # ------------------------------------------------------------------ reading

    async def view(self, telegram_id: int, contest_id: int) -> ParticipantView | None:
        """R-VER-5: the participant's verification and application state, at any time."""
        async with self.read() as s:
            # the participant first: a person who is not one yet costs one statement (issue #13)
            p = await self._find(s, telegram_id, contest_id)
            return None if p is None else self._view(p, await self._contest(s, contest_id))

    async def contests_of(self, telegram_id: int) -> list[int]:
        async with self.read() as s:
            rows = await s.execute(
                select(Participant.contest_id)
                .join(Person, Person.id == Participant.person_id)
                .where(Person.telegram_id == telegram_id)
            )
            return [r[0] for r in rows]

    async def regions(self, contest_id: int) -> list[Choice]:
        async with self.read() as s:
            rows = await s.execute(
                select(Region)
                .where(Region.contest_id == contest_id, Region.active.is_(True))
                .order_by(Region.name)
            )
            return [Choice(r.id, r.name) for r in rows.scalars()]

    async def organisations(
        self, contest_id: int, region_id: int, query: str | None = None, page: int = 0
    ) -> Page:
        """The region's registry, paged and searchable (R-VER-1). Issue #15: the query's words
        match in any order, ignoring case, quotes and «ё/е», with the registry's abbreviations
        and their expansions interchangeable («ТЦСО Арбат»); when nothing matches, the closest
        names by spelling are offered (``Page.closest``), one page of them, best first.

        The words are matched here, not in SQL: a region's registry is hundreds of names, and
        the match is computed from the name itself, so rows loaded before issue #15 (whose
        ``search_name`` was only lower-cased) are found the same way."""
        async with self.read() as s:
            region = await s.get(Region, region_id)
            if region is None or region.contest_id != contest_id:
                raise NotFound("region_not_found")
            rows = await s.execute(
                select(Organisation.id, Organisation.name)
                .where(Organisation.region_id == region_id, Organisation.active.is_(True))
                .order_by(Organisation.name)
            )
        names: list[tuple[int, str]] = [(r[0], r[1]) for r in rows.all()]
        wanted = org_names.words(query or "")
        found = [(i, n) for i, n in names if org_names.matches(n, wanted)] if wanted else names
        if wanted and not found:
            near = org_names.closest(names, wanted, ORGANISATIONS_PAGE)
            return Page([Choice(i, n) for i, n in near], 0, 1, len(near), closest=True)
        total = len(found)
        pages = max(1, math.ceil(total / ORGANISATIONS_PAGE))
        page = min(max(page, 0), pages - 1)
        chunk = found[page * ORGANISATIONS_PAGE : (page + 1) * ORGANISATIONS_PAGE]
        return Page([Choice(i, n) for i, n in chunk], page, pages, total)

    # ------------------------------------------------------------------ verification form

    async def give_consent(
        self, telegram_id: int, contest_id: int, display_name: str | None = None
    ) -> ParticipantView:
        """R-APP-5 / R-PD-1: consent to personal-data processing opens the verification form."""
        async with self.uow() as uow:
            contest = await self._contest(uow.session, contest_id)
            # Issue #12: the person's row is locked first, so a double «Согласен» creates one
            # participant (PostgreSQL would otherwise let both callers insert).
            person = await self._person(uow.session, telegram_id, uow.now, display_name)
            p = await self._find(uow.session, telegram_id, contest_id)
            if p is not None and p.verification_status == VerificationStatus.WITHDRAWN:
                raise DomainError("participation_ended")
            if p is None:
                self._deadline_guard(contest, uow.now)
                self._registration_guard(
                    contest, uow.now
                )  # R-VER-6: refused before any data is given
                p = Participant(
                    contest_id=contest_id,
                    person_id=person.id,
                    verification_status=VerificationStatus.DRAFT,
                    stage=rules.JourneyStage.FORM,
                    created_at=uow.now,
                )
                uow.session.add(p)
            if p.pd_consent_at is None:
                p.pd_consent_at = uow.now
                await uow.session.flush()
                uow.audit(
                    telegram_id,
                    "participant.consent",
                    "participant",
                    p.id,
                    contest_id=contest_id,
                    after={"pd_consent": True},
                )
            return await self._fresh_view(uow.session, telegram_id, contest)

    async def set_full_name(self, telegram_id: int, contest_id: int, value: str) -> ParticipantView:
        name = rules.normalize_full_name(value or "")
        if name is None:
            raise DomainError("full_name_invalid")
        return await self._edit_form(telegram_id, contest_id, full_name=name)

    async def set_snils(self, telegram_id: int, contest_id: int, value: str) -> ParticipantView:
        """R-VER-2: a wrong СНИЛС is refused and the form stays where it was."""
        if not rules.snils_is_valid(value or ""):
            raise DomainError("snils_invalid")
        digits = rules.snils_digits(value)
        assert digits is not None
        return await self._edit_form(telegram_id, contest_id, snils=digits)

    async def set_region(
        self, telegram_id: int, contest_id: int, region_id: int
    ) -> ParticipantView:
        return await self._edit_form(telegram_id, contest_id, region_id=region_id)

    async def set_organisation(
        self, telegram_id: int, contest_id: int, organisation_id: int
    ) -> ParticipantView:
        return await self._edit_form(telegram_id, contest_id, organisation_id=organisation_id)

    async def _edit_form(
        self, telegram_id: int, contest_id: int, **changes: Any
    ) -> ParticipantView:
        async with self.uow() as uow:
            s = uow.session
            contest = await self._contest(s, contest_id)
            p = await self._require(s, telegram_id, contest_id)
            self._form_guard(p)
            self._deadline_guard(contest, uow.now)
            self._registration_guard(contest, uow.now, p)
            if "full_name" in changes:
                p.full_name = changes["full_name"]
            if "snils" in changes:
                digits = changes["snils"]
                digest = self.ctx.cipher.digest(digits)
                taken = await s.execute(
                    select(Participant.id).where(
                        Participant.contest_id == contest_id,
                        Participant.snils_hmac == digest,
                        Participant.id != p.id,
                        Participant.verification_status != VerificationStatus.WITHDRAWN,
                    )
                )
                if taken.first() is not None:
                    raise DomainError("snils_taken")
                p.snils_encrypted = self.ctx.cipher.encrypt(digits)
                p.snils_hmac = digest
                p.snils_last2 = digits[-2:]
            if "region_id" in changes:
                region = await s.get(Region, changes["region_id"])
                if region is None or region.contest_id != contest_id or not region.active:
                    raise NotFound("region_not_found")
                if p.region_id != region.id:
                    p.region_id = region.id
                    p.organisation_id = None  # the organisation belongs to the old region
            if "organisation_id" in changes:
                org = await s.get(Organisation, changes["organisation_id"])
                if org is None or not org.active or org.region_id != p.region_id:
                    raise NotFound("organisation_not_found")
                p.organisation_id = org.id
            return await self._fresh_view(s, telegram_id, contest)

    async def submit_verification(self, telegram_id: int, contest_id: int) -> ParticipantView:
        """R-VER-3: the form goes to the coordinator; status «На рассмотрении»."""
        async with self.uow() as uow:
            s = uow.session
            contest = await self._contest(s, contest_id)
            p = await self._require(s, telegram_id, contest_id)
            if p.verification_status == VerificationStatus.PENDING:
                # the loser of a double «Отправить на проверку» (issue #12)
                raise DomainError(
                    "form_already_submitted", at=p.submitted_at or "—", tz=contest.timezone
                )
            self._form_guard(p)
            self._deadline_guard(contest, uow.now)
            self._registration_guard(
                contest, uow.now, p
            )  # R-VER-6, checked again at the registration itself
            if not (p.full_name and p.snils_encrypted and p.region_id and p.organisation_id):
                raise DomainError("verification_incomplete")
            before = p.verification_status
            p.verification_status = VerificationStatus.PENDING
            restage(p, None)
            p.submitted_at = uow.now
            p.rejection_reason = None
            uow.audit(
                telegram_id,
                "verification.submit",
                "participant",
                p.id,
                contest_id=contest_id,
                before={"status": before},
                after={
                    "status": VerificationStatus.PENDING,
                    "snils": rules.snils_mask("00" + (p.snils_last2 or "")),
                    "region_id": p.region_id,
                    "organisation_id": p.organisation_id,
                },
            )
            return await self._fresh_view(s, telegram_id, contest)

    # ------------------------------------------------------------------ nomination and application

    async def choose_nomination(
        self,
        telegram_id: int,
        contest_id: int,
        nomination_id: int,
        answers: ConditionAnswers | None = None,
    ) -> ParticipantView:
        """R-APP-1 (only after acceptance), R-APP-2 (one nomination), R-APP-3 (conditions); in a
        championship R-ROLE-4 (at least 14 on the stage date; the birth date is asked of every
        participant and kept with the answers, where R-ROLE-5 reads it). The стаж answered here
        fills the application's стаж field, so it is asked once (issue #15)."""
        answers = answers or ConditionAnswers()
        async with self.uow() as uow:
            s = uow.session
            contest = await self._contest(s, contest_id)
            p = await self._require(s, telegram_id, contest_id)
            self._accepted_guard(p)
            if p.application is not None:
                raise DomainError("one_nomination", title=p.application.nomination.title)
            self._deadline_guard(contest, uow.now)
            nom = await s.get(Nomination, nomination_id)
            if nom is None or nom.contest_id != contest_id or not nom.active:
                raise NotFound("nomination_not_found")
            view = nomination_view(nom)
            today = uow.now.astimezone(contest_tz(contest)).date()
            championship = contest.kind == rules.CHAMPIONSHIP
            stage_day = stage_start_day(contest) if championship else None
            if answers.birth_date is not None:
                problem = rules.birth_date_out_of_range(answers.birth_date, today)
                if problem is not None:
                    raise DomainError(f"birth_date_{problem}", limit=rules.BIRTH_DATE_MAX_YEARS)
                if championship and not rules.championship_old_enough(
                    answers.birth_date, stage_day or today
                ):
                    raise DomainError(
                        "championship_too_young",
                        limit=rules.CHAMPIONSHIP_MIN_AGE,
                        age=rules.age_on(answers.birth_date, stage_day or today),
                        day=f"{stage_day or today:%d.%m.%Y}",
                    )
            conditions = rules.entry_conditions(view.conditions, contest.kind)
            failures = rules.check_conditions(conditions, answers, today, age_day=stage_day)
            if failures:
                raise DomainError("conditions_not_met", failures=failures, title=nom.title)
            stage = application_stage(contest)
            fields: dict[str, str] = {}
            if answers.experience_years is not None and any(
                f.code == rules.EXPERIENCE_FIELD for f in view.fields
            ):
                fields[rules.EXPERIENCE_FIELD] = str(
                    answers.experience_years
                )  # asked once (issue #15)
            app = Application(
                participant_id=p.id,
                nomination_id=nom.id,
                stage_id=stage.id if stage else None,
                status=ApplicationStatus.DRAFT,
                field_values=fields,
                condition_answers={
                    "birth_date": answers.birth_date.isoformat() if answers.birth_date else None,
                    "experience_years": answers.experience_years,
                    "has_practice": answers.has_practice,
                },
                created_at=uow.now,
            )
            s.add(app)
            restage(p, ApplicationStatus.DRAFT)
            await s.flush()
            uow.audit(
                telegram_id,
                "application.create",
                "application",
                app.id,
                contest_id=contest_id,
                after={"nomination": nom.code},
            )
            return await self._fresh_view(s, telegram_id, contest)

    async def set_field(
        self, telegram_id: int, contest_id: int, code: str, raw: str
    ) -> ParticipantView:
        async with self.uow() as uow:
            s = uow.session
            contest, app = await self._draft(uow, telegram_id, contest_id)
            nomination = nomination_view(app.nomination)
            spec = next((f for f in nomination.fields if f.code == code), None)
            if spec is None:
                raise NotFound("field_not_found")
            if code == rules.EXPERIENCE_FIELD:
                value = self._experience_field(app, nomination, raw)
            else:
                value = _clean_field(
                    spec.kind, spec.max_length, raw, uow.now.astimezone(contest_tz(contest)).date()
                )
            app.field_values = {**(app.field_values or {}), code: value}
            return await self._fresh_view(s, telegram_id, contest)

    async def add_file(
        self, telegram_id: int, contest_id: int, slot: str, offered: TelegramFile
    ) -> ParticipantView:
        """R-APP-4: a file of an allowed type and size fills a slot; its content is downloaded
        by a queued job. A replaced file is kept, not deleted."""
        async with self.uow() as uow:
            s = uow.session
            contest, app = await self._draft(uow, telegram_id, contest_id)
            spec = next((f for f in nomination_view(app.nomination).files if f.code == slot), None)
            if spec is None:
                raise NotFound("file_slot_not_found")
            refusal = rules.check_file(
                spec.requirement,
                OfferedFile(
                    offered.file_name,
                    offered.mime_type,
                    offered.size,
                    offered.is_video_message,
                    offered.head,
                ),
                self.ctx.download_limit,
            )
            if refusal is not None:
                raise file_refusal_error(refusal, spec.requirement.types, offered.size)
            active = [f for f in app.files if f.slot == slot and f.replaced_at is None]
            same = next((f for f in active if f.file_unique_id == offered.file_unique_id), None)
            if same is None:
                if spec.requirement.max_count == 1:
                    for old in active:
                        old.replaced_at = uow.now
                elif len(active) >= spec.requirement.max_count:
                    raise DomainError("file_too_many", limit=spec.requirement.max_count)
                row = ApplicationFile(
                    application_id=app.id,
                    slot=slot,
                    telegram_file_id=offered.file_id,
                    file_unique_id=offered.file_unique_id,
                    file_name=offered.file_name,
                    mime_type=offered.mime_type,
                    size=offered.size or 0,
                    uploaded_at=uow.now,
                )
                s.add(row)
                await s.flush()
                uow.after_commit("download", row.id)
            return await self._fresh_view(s, telegram_id, contest)

    async def refuse_stored_content(self, file_id: int, head: bytes) -> bool:
        """R-APP-4 (issue #15), checked again before a download is stored: a file whose
        content's signature disagrees with its name no longer fills its slot, its content is
        not kept, and its sender is told. Returns whether it was refused (idempotent)."""
        async with self.uow() as uow:
            s = uow.session
            row = await lock(s, ApplicationFile, file_id)
            if row is None or not row.telegram_file_id:
                return False
            claimed = rules.file_extension(OfferedFile(row.file_name, row.mime_type, row.size))
            found = content_matches(claimed or "", head) if claimed else None
            if found is None:
                return False
            if row.download_error != f"wrong_content:{found.kind}":
                row.download_error = f"wrong_content:{found.kind}"
                row.replaced_at = row.replaced_at or uow.now
                app = await s.get(Application, row.application_id)
                p = await s.get(Participant, app.participant_id) if app else None
                person = await s.get(Person, p.person_id) if p else None
                nom = await s.get(Nomination, app.nomination_id) if app else None
                slot = (
                    next((f for f in nomination_view(nom).files if f.code == row.slot), None)
                    if nom
                    else None
                )
                uow.audit(
                    None,
                    "application.file_refused",
                    "application",
                    row.application_id,
                    contest_id=p.contest_id if p else None,
                    after={"file_id": row.id, "actual": found.kind},
                )
                if person is not None and person.telegram_id is not None:
                    await uow.notify_person(
                        person.telegram_id,
                        reason="file_refused",
                        subject=f"application_file:{row.id}",
                        key="file-stored-refused",
                        args={
                            "name": row.file_name or "—",
                            "claimed": (claimed or "").upper(),
                            "title": slot.title if slot else row.slot,
                        },
                    )
            return True

    async def remove_file(self, telegram_id: int, contest_id: int, file_id: int) -> ParticipantView:
        """Take a file out of a draft; the row and its content stay on record."""
        async with self.uow() as uow:
            s = uow.session
            contest, app = await self._draft(uow, telegram_id, contest_id)
            row = next((f for f in app.files if f.id == file_id and f.replaced_at is None), None)
            if row is None:
                raise NotFound("file_not_found")
            row.replaced_at = uow.now
            return await self._fresh_view(s, telegram_id, contest)

    async def set_consent(
        self, telegram_id: int, contest_id: int, which: str, given: bool
    ) -> ParticipantView:
        """R-APP-5: «Согласен(а) с Политикой конфиденциальности», «… на передачу материалов»."""
        if which not in ("privacy", "transfer"):
            raise NotFound("consent_not_found")
        async with self.uow() as uow:
            s = uow.session
            contest, app = await self._draft(uow, telegram_id, contest_id)
            column = "consent_privacy_at" if which == "privacy" else "consent_transfer_at"
            # Setting a consent to what it already is changes nothing (a double press):
            # the moment it was first given is kept, and one audit row says so.
            if (getattr(app, column) is not None) != given:
                setattr(app, column, uow.now if given else None)
                uow.audit(
                    telegram_id,
                    "application.consent",
                    "application",
                    app.id,
                    contest_id=contest_id,
                    before={which: not given},
                    after={which: given},
                )
            return await self._fresh_view(s, telegram_id, contest)

    async def submit_application(self, telegram_id: int, contest_id: int) -> ParticipantView:
        """R-APP-6: «Отправить» → the application is «принята» and frozen."""
        async with self.uow() as uow:
            s = uow.session
            contest, app = await self._draft(uow, telegram_id, contest_id, submitting=True)
            view = application_view(app)
            if not view.missing.nothing:
                raise DomainError("application_incomplete", missing=view.missing)
            from models.services.guardians import GuardianService

            # R-ROLE-5: a minor's application waits for the parental consent to be accepted
            await GuardianService.require_accepted(s, app, contest)
            app.status = ApplicationStatus.SUBMITTED
            app.submitted_at = uow.now
            restage(await s.get(Participant, app.participant_id), app.status)
            uow.audit(
                telegram_id,
                "application.submit",
                "application",
                app.id,
                contest_id=contest_id,
                before={"status": ApplicationStatus.DRAFT},
                after={
                    "status": ApplicationStatus.SUBMITTED,
                    "nomination": app.nomination.code,
                    "files": [f.id for f in app.files if f.replaced_at is None],
                    "fields": sorted(app.field_values or {}),
                },
            )
            return await self._fresh_view(s, telegram_id, contest)

    # ------------------------------------------------------------------ /settings

    async def reminders_muted(self, telegram_id: int) -> bool:
        async with self.read() as s:
            muted = (
                await s.execute(
                    select(Person.mute_reminders).where(Person.telegram_id == telegram_id)
                )
            ).scalar_one_or_none()
            return bool(muted)

    async def mute_reminders(
        self, telegram_id: int, muted: bool, display_name: str | None = None
    ) -> bool:
        """Mute non-essential reminders; deadline and appeal notices are not muteable
        (their kinds say so), whatever this flag says."""
        async with self.uow() as uow:
            person = await self._person(uow.session, telegram_id, uow.now, display_name)
            if person.mute_reminders != muted:
                person.mute_reminders = muted
                uow.audit(
                    telegram_id,
                    "person.mute_reminders",
                    "person",
                    person.id,
                    before={"muted": not muted},
                    after={"muted": muted},
                )
            return muted

    # ------------------------------------------------------------------ language (/language)

    async def language_for(self, telegram_id: int, detected: str) -> str:
        """The language to talk to this person in: their /language choice, else ``detected``
        (their Telegram language), which is remembered on the person so that notifications
        from the outbox follow it too."""
        async with self.read() as s:
            stored = (
                await s.execute(select(Person.language).where(Person.telegram_id == telegram_id))
            ).scalar_one_or_none()
        if stored is None:
            return detected
        if stored.endswith(LANGUAGE_CHOSEN):
            return stored.removesuffix(LANGUAGE_CHOSEN)
        if stored != detected:
            async with self.uow() as uow:
                await uow.session.execute(
                    update(Person)
                    .where(
                        Person.telegram_id == telegram_id,
                        Person.language.not_like(f"%{LANGUAGE_CHOSEN}"),
                    )
                    .values(language=detected)
                )
        return detected

    async def set_language(
        self, telegram_id: int, language: str, display_name: str | None = None
    ) -> str:
        """/language: the person's own choice; it wins over their Telegram language from now on."""
        if language not in LANGUAGES:
            raise DomainError("not_found")
        async with self.uow() as uow:
            person = await self._person(uow.session, telegram_id, uow.now, display_name)
            before = person.language
            person.language = language + LANGUAGE_CHOSEN
            if before != person.language:
                uow.audit(
                    telegram_id,
                    "person.language",
                    "person",
                    person.id,
                    before={"language": before},
                    after={"language": person.language},
                )
        return language

    # ------------------------------------------------------------------ withdrawal (R-PD-1)

    async def withdraw(self, telegram_id: int, contest_id: int) -> None:
        """Withdrawal of consent ends participation; the person's data are anonymised. The
        audit log keeps that it happened (what the rules require), not the data."""
        async with self.uow() as uow:
            s = uow.session
            p = await self._require(s, telegram_id, contest_id)
            if p.verification_status == VerificationStatus.WITHDRAWN:
                # the loser of a double confirmation: anonymised once, said so (issue #12)
                contest = await self._contest(s, contest_id)
                raise DomainError(
                    "already_withdrawn", at=p.withdrawn_at or "—", tz=contest.timezone
                )
            before = {
                "status": p.verification_status,
                "application": p.application.status if p.application else None,
            }
            _, orphan_candidates = erase_personal_data(p, uow.now)
            orphan_candidates |= (await erase_task_answers(s, [p.id]))[1]
            orphan_candidates |= _erase_guardian(
                p
            )  # R-ROLE-5 consent: names, phone, the signed form
            p.verification_status = VerificationStatus.WITHDRAWN
            restage(p, None)
            p.withdrawn_at = uow.now
            person = await s.get(Person, p.person_id)
            if person is not None:
                person.display_name = None
            uow.audit(
                telegram_id,
                "participant.withdraw",
                "participant",
                p.id,
                contest_id=contest_id,
                before=before,
                after={"status": VerificationStatus.WITHDRAWN},
            )
            # drafts of half-filled forms may hold personal data too (R-PD-1)
            await s.execute(
                delete(ConversationState).where(ConversationState.user_id == telegram_id)
            )
            await s.flush()
            orphans = await unshared_files(s, orphan_candidates)
        delete_stored_files(self.ctx.files_dir, orphans)
        await truncate_wal(
            self.ctx.sessionmaker
        )  # no copy of the name left in SQLite's log (issue #15)

    # ------------------------------------------------------------------ helpers

    async def _contest(self, s: AsyncSession, contest_id: int) -> Contest:
        contest = await s.get(Contest, contest_id, options=[selectinload(Contest.stages)])
        if contest is None:
            raise NotFound("contest_not_found")
        return contest

    async def _find(self, s: AsyncSession, telegram_id: int, contest_id: int) -> Participant | None:
        stmt = (
            _participant_query()
            .join(Person, Person.id == Participant.person_id)
            .where(Person.telegram_id == telegram_id, Participant.contest_id == contest_id)
            .execution_options(populate_existing=True)
        )
        return (await s.execute(stmt)).scalars().first()

    async def _fresh_view(
        self, s: AsyncSession, telegram_id: int, contest: Contest
    ) -> ParticipantView:
        """Flush this transaction's changes and read the participant back as a view."""
        brief = contest_brief(contest)
        facts = _guardian_facts(contest)  # read while the contest is loaded (R-ROLE-5)
        await s.flush()
        s.expire_all()  # reload relationships changed in this transaction
        p = await self._find(s, telegram_id, brief.id)
        return self._view(p, brief, facts)

    async def _require(self, s: AsyncSession, telegram_id: int, contest_id: int) -> Participant:
        """The participant, locked for this unit of work (issue #12): every transition of a
        participant or of their application takes this row's lock first — the same lock a
        coordinator's decision or reopening takes — so two calls run one after the other and
        the second one reads the state the first one left."""
        pid = (
            await s.execute(
                select(Participant.id)
                .join(Person, Person.id == Participant.person_id)
                .where(Person.telegram_id == telegram_id, Participant.contest_id == contest_id)
            )
        ).scalar_one_or_none()
        if pid is not None:
            await lock(s, Participant, pid)
        p = await self._find(s, telegram_id, contest_id) if pid is not None else None
        if p is None or p.pd_consent_at is None:
            raise DomainError("consent_required")
        return p

    async def _person(
        self, s: AsyncSession, telegram_id: int, now: datetime, display_name: str | None
    ) -> Person:
        """The person, created if new and locked for this unit of work: two first presses
        at once create one row (``INSERT … ON CONFLICT DO NOTHING``), then wait for each other."""
        dialect = s.bind.dialect.name if s.bind is not None else "sqlite"
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await s.execute(
            insert(Person)
            .values(
                telegram_id=telegram_id,
                chat_id=telegram_id,
                display_name=display_name,
                language="ru",
                mute_reminders=False,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["telegram_id"])
        )
        stmt = (
            select(Person)
            .where(Person.telegram_id == telegram_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await s.execute(stmt)).scalar_one()

    async def _draft(
        self, uow: UnitOfWork, telegram_id: int, contest_id: int, submitting: bool = False
    ) -> tuple[Contest, Application]:
        contest = await self._contest(uow.session, contest_id)
        p = await self._require(uow.session, telegram_id, contest_id)
        self._draft_guard(p, contest, submitting)
        self._deadline_guard(contest, uow.now)
        assert p.application is not None
        return contest, p.application

    @classmethod
    def _draft_guard(
        cls, p: Participant, contest: Contest | ContestBrief, submitting: bool = False
    ) -> None:
        cls._accepted_guard(p)
        app = p.application
        if app is None:
            raise DomainError("no_application")
        if app.status != ApplicationStatus.DRAFT:
            if submitting:  # the loser of a double «Отправить» (issue #12)
                raise DomainError(
                    "application_already_submitted", at=app.submitted_at or "—", tz=contest.timezone
                )
            raise DomainError("application_frozen")  # R-APP-6

    @staticmethod
    def _accepted_guard(p: Participant) -> None:
        if p.verification_status == VerificationStatus.WITHDRAWN:
            raise DomainError("participation_ended")
        if p.verification_status != VerificationStatus.ACCEPTED:
            raise DomainError("not_verified")

    # ------------------------------------------------------------------ stale buttons (issue #12)

    async def check_form_open(self, telegram_id: int, contest_id: int) -> ParticipantView:
        """Refuse an «Изменить …» button at once — before asking for the new value — when
        the form can no longer change (submitted, accepted, withdrawn; R-VER-3, R-PD-1)."""
        async with self.read() as s:
            contest = await self._contest(s, contest_id)
            p = await self._find(s, telegram_id, contest_id)
            if p is None or p.pd_consent_at is None:
                raise DomainError("consent_required")
            self._form_guard(p)
            self._deadline_guard(contest, self.ctx.clock.now())
            self._registration_guard(contest, self.ctx.clock.now(), p)
            return self._view(p, contest)

    async def check_draft_open(self, telegram_id: int, contest_id: int) -> ParticipantView:
        """Refuse an application button at once when the application no longer takes
        changes (submitted, participant withdrawn; R-APP-6, R-PD-1)."""
        async with self.read() as s:
            contest = await self._contest(s, contest_id)
            p = await self._find(s, telegram_id, contest_id)
            if p is None or p.pd_consent_at is None:
                raise DomainError("consent_required")
            self._draft_guard(p, contest)
            return self._view(p, contest)

    async def check_may_withdraw(self, telegram_id: int, contest_id: int) -> None:
        """/withdraw of a participant who already withdrew: said at once, with when (R-PD-1)."""
        async with self.read() as s:
            p = await self._find(s, telegram_id, contest_id)
            if p is not None and p.verification_status == VerificationStatus.WITHDRAWN:
                contest = await self._contest(s, contest_id)
                raise DomainError(
                    "already_withdrawn", at=p.withdrawn_at or "—", tz=contest.timezone
                )

    async def registration_refusal(self, telegram_id: int, contest_id: int) -> DomainError | None:
        """R-VER-6: the refusal a championship's registration would give this person now (a
        newcomer, or a form never sent, after the last day), or ``None`` while they may still
        register — so /start, /status and a stray message say registration is closed instead of
        asking questions whose answers can no longer be sent (issue #15, QA 1–2)."""
        async with self.read() as s:
            contest = await self._contest(s, contest_id)
            p = await self._find(s, telegram_id, contest_id)
            try:
                self._registration_guard(contest, self.ctx.clock.now(), p)
            except DomainError as err:
                return err
        return None

    async def check_may_choose(self, telegram_id: int, contest_id: int) -> None:
        """A nomination may still be chosen (R-APP-1, R-APP-2): refused before the condition
        questions are asked."""
        async with self.read() as s:
            p = await self._find(s, telegram_id, contest_id)
            if p is None or p.pd_consent_at is None:
                raise DomainError("consent_required")
            self._accepted_guard(p)
            if p.application is not None:
                raise DomainError("one_nomination", title=p.application.nomination.title)

    @staticmethod
    def _form_guard(p: Participant) -> None:
        status = VerificationStatus(p.verification_status)
        if status == VerificationStatus.WITHDRAWN:
            raise DomainError("participation_ended")
        if status == VerificationStatus.PENDING:
            raise DomainError("verification_pending")
        if status == VerificationStatus.ACCEPTED:
            raise DomainError("verification_accepted")

    @staticmethod
    def _deadline_guard(contest: Contest, now: datetime) -> None:
        """R-APP-7: after the deadline the action is refused with the deadline named."""
        deadline = application_deadline(contest)
        if rules.deadline_passed(deadline, now):
            raise DomainError("deadline_passed", deadline=deadline, tz=contest.timezone)

    @staticmethod
    def _registration_guard(contest: Contest, now: datetime, p: Participant | None = None) -> None:
        """R-VER-6 (002 §4.7: «должны быть зарегистрированы … не позднее чем за 5 календарных
        дней до Чемпионата»). Our reading of "registered": the verification form sent — the
        moment the participant's data reach the coordinator for verification. So a new
        participant, the form of one who has never sent it, and its first sending are refused
        after the last day; a form sent in time and returned by the coordinator
        (``submitted_at`` kept) is the same registration and may be corrected and sent again."""
        if contest.kind != rules.CHAMPIONSHIP or (p is not None and p.submitted_at is not None):
            return
        stage = application_stage(contest)
        event_day = stage_start_day(contest)
        if stage is None or event_day is None:
            return
        today = now.astimezone(contest_tz(contest)).date()
        if not rules.championship_registration_open(event_day, today):
            raise DomainError(
                "championship_registration_closed",
                last_day=f"{rules.championship_registration_last_day(event_day):%d.%m.%Y}",
                start=f"{event_day:%d.%m.%Y}",
                stage=stage.title,
                days=rules.CHAMPIONSHIP_REGISTRATION_DAYS,
            )

    @staticmethod
    def _experience_field(app: Application, nomination: NominationView, raw: str) -> str:
        """The стаж field (issue #15): whole years only («5,5» refused); when the nomination's
        condition asks for it too (R-APP-3) the corrected value must still meet it, and the
        condition's answer follows the field, so the two always agree."""
        problem = rules.experience_years_problem(raw)
        if problem is not None:
            raise DomainError(f"field_years_{problem}", limit=rules.EXPERIENCE_MAX_YEARS)
        years = int(raw.strip())
        least = nomination.conditions.min_experience_years
        if least is not None and years < least:
            failure = ConditionFailure("experience_too_short", least)
            raise DomainError("conditions_not_met", failures=[failure], title=nomination.title)
        if nomination.conditions.asks_experience:
            app.condition_answers = {**(app.condition_answers or {}), "experience_years": years}
        return str(years)

    async def entry_questions(self, contest_id: int, nomination_id: int) -> EntryQuestions:
        """The questions to ask before the nomination opens (R-APP-3; R-ROLE-4 in a championship)."""
        async with self.read() as s:
            contest = await self._contest(s, contest_id)
            nom = await s.get(Nomination, nomination_id)
            if nom is None or nom.contest_id != contest_id or not nom.active:
                raise NotFound("nomination_not_found")
            view = nomination_view(nom)
            championship = contest.kind == rules.CHAMPIONSHIP
            return EntryQuestions(
                nomination=replace(
                    view, conditions=rules.entry_conditions(view.conditions, contest.kind)
                ),
                championship=championship,
                stage_day=stage_start_day(contest) if championship else None,
            )

    def _view(
        self, p: Participant, contest: Contest | ContestBrief, guardian_facts: Any = None
    ) -> ParticipantView:
        from models.services.guardians import summary_of

        if guardian_facts is None and isinstance(contest, Contest):
            guardian_facts = _guardian_facts(contest)
        return ParticipantView(
            id=p.id,
            contest=contest if isinstance(contest, ContestBrief) else contest_brief(contest),
            status=p.verification_status,
            full_name=p.full_name,
            snils_masked=rules.snils_mask("0" * 9 + p.snils_last2) if p.snils_last2 else None,
            region=Choice(p.region.id, p.region.name) if p.region else None,
            organisation=Choice(p.organisation.id, p.organisation.name) if p.organisation else None,
            pd_consent=p.pd_consent_at is not None,
            rejection_reason=p.rejection_reason,
            submitted_at=p.submitted_at,
            application=application_view(p.application) if p.application else None,
            guardian=summary_of(p, guardian_facts),  # R-ROLE-5: a minor's parental consent
        )


def _erase_guardian(p: Participant) -> set[str]:
    from models.services.guardians import erase_guardian

    return erase_guardian(p.__dict__.get("guardian_consent"))


def _guardian_facts(contest: Contest) -> Any:
    from models.services.guardians import contest_facts

    return contest_facts(contest)


def contest_tz(contest: Contest) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(contest.timezone)


def stage_start_day(contest: Contest) -> date | None:
    """The day, in the contest's time zone, the stage participants register for starts: the
    championship's "event" of R-VER-6 and the stage date of R-ROLE-4/5."""
    stage = application_stage(contest)
    if stage is None or stage.starts_at is None:
        return None
    return stage.starts_at.astimezone(contest_tz(contest)).date()


def _clean_field(kind: str, max_length: int, raw: str, today: date) -> str:
    text = (raw or "").strip()
    if not text:
        raise DomainError("field_empty")
    if kind == "number":
        if not re.fullmatch(r"\d{1,9}([.,]\d{1,2})?", text):
            raise DomainError("field_not_number")
        return text.replace(",", ".")
    if kind == "date":
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
        try:
            if not match:
                raise ValueError
            d = date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            raise DomainError("field_not_date") from None
        return d.strftime("%d.%m.%Y")
    if len(text) > max_length:
        raise DomainError("field_too_long", limit=max_length, length=len(text))
    return text
