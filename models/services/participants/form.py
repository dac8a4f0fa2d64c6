"""The verification form (R-VER-1..6): consent, ФИО, СНИЛС, region, organisation, sending it
to the coordinator; and the reads around it (the participant's state, regions, registry)."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select

from models import org_names, rules
from models.errors import DomainError, NotFound
from models.rules import VerificationStatus
from models.services.base import Service
from models.services.participants.guards import deadline_guard, form_guard, registration_guard
from models.services.participants.records import (
    ensure_person,
    find_participant,
    fresh_view,
    load_contest,
    require_participant,
    restage,
)
from models.services.participants.views import ORGANISATIONS_PAGE, participant_view
from models.tables import Organisation, Participant, Person, Region
from models.views import Choice, Page, ParticipantView


class VerificationFormService(Service):
    # ------------------------------------------------------------------ reading

    async def view(self, telegram_id: int, contest_id: int) -> ParticipantView | None:
        """R-VER-5: the participant's verification and application state, at any time."""
        async with self.read() as s:
            # the participant first: a person who is not one yet costs one statement (issue #13)
            p = await find_participant(s, telegram_id, contest_id)
            return None if p is None else participant_view(p, await load_contest(s, contest_id))

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
            contest = await load_contest(uow.session, contest_id)
            # Issue #12: the person's row is locked first, so a double «Согласен» creates one
            # participant (PostgreSQL would otherwise let both callers insert).
            person = await ensure_person(uow.session, telegram_id, uow.now, display_name)
            p = await find_participant(uow.session, telegram_id, contest_id)
            if p is not None and p.verification_status == VerificationStatus.WITHDRAWN:
                raise DomainError("participation_ended")
            if p is None:
                deadline_guard(contest, uow.now)
                registration_guard(contest, uow.now)  # R-VER-6: refused before any data is given
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
            return await fresh_view(uow.session, telegram_id, contest)

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
            contest = await load_contest(s, contest_id)
            p = await require_participant(s, telegram_id, contest_id)
            form_guard(p)
            deadline_guard(contest, uow.now)
            registration_guard(contest, uow.now, p)
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
            return await fresh_view(s, telegram_id, contest)

    async def submit_verification(self, telegram_id: int, contest_id: int) -> ParticipantView:
        """R-VER-3: the form goes to the coordinator; status «На рассмотрении»."""
        async with self.uow() as uow:
            s = uow.session
            contest = await load_contest(s, contest_id)
            p = await require_participant(s, telegram_id, contest_id)
            if p.verification_status == VerificationStatus.PENDING:
                # the loser of a double «Отправить на проверку» (issue #12)
                raise DomainError(
                    "form_already_submitted", at=p.submitted_at or "—", tz=contest.timezone
                )
            form_guard(p)
            deadline_guard(contest, uow.now)
            registration_guard(
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
            return await fresh_view(s, telegram_id, contest)

    async def check_form_open(self, telegram_id: int, contest_id: int) -> ParticipantView:
        """Refuse an «Изменить …» button at once — before asking for the new value — when
        the form can no longer change (submitted, accepted, withdrawn; R-VER-3, R-PD-1)."""
        async with self.read() as s:
            contest = await load_contest(s, contest_id)
            p = await find_participant(s, telegram_id, contest_id)
            if p is None or p.pd_consent_at is None:
                raise DomainError("consent_required")
            form_guard(p)
            deadline_guard(contest, self.ctx.clock.now())
            registration_guard(contest, self.ctx.clock.now(), p)
            return participant_view(p, contest)

    async def registration_refusal(self, telegram_id: int, contest_id: int) -> DomainError | None:
        """R-VER-6: the refusal a championship's registration would give this person now (a
        newcomer, or a form never sent, after the last day), or ``None`` while they may still
        register — so /start, /status and a stray message say registration is closed instead of
        asking questions whose answers can no longer be sent (issue #15, QA 1–2)."""
        async with self.read() as s:
            contest = await load_contest(s, contest_id)
            p = await find_participant(s, telegram_id, contest_id)
            try:
                registration_guard(contest, self.ctx.clock.now(), p)
            except DomainError as err:
                return err
        return None
