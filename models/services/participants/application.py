"""Nomination and application (R-APP-1..3, R-APP-5, R-APP-6, R-ROLE-4): choosing the
nomination after the entry questions, the application's fields and consents, submission."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from models import rules
from models.errors import DomainError, NotFound
from models.rules import ApplicationStatus, ConditionAnswers, ConditionFailure
from models.services.base import Service
from models.services.contests import application_stage, contest_tz, nomination_view, stage_start_day
from models.services.guardian_facts import require_accepted
from models.services.participants.guards import accepted_guard, deadline_guard, draft_guard
from models.services.participants.records import (
    find_participant,
    fresh_view,
    load_contest,
    load_draft,
    require_participant,
    restage,
)
from models.services.participants.views import EntryQuestions, application_view, participant_view
from models.tables import Application, Nomination, Participant
from models.views import NominationView, ParticipantView


def experience_field(app: Application, nomination: NominationView, raw: str) -> str:
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


def clean_field(kind: str, max_length: int, raw: str, today: date) -> str:
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


class ApplicationService(Service):
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
            contest = await load_contest(s, contest_id)
            p = await require_participant(s, telegram_id, contest_id)
            accepted_guard(p)
            if p.application is not None:
                raise DomainError("one_nomination", title=p.application.nomination.title)
            deadline_guard(contest, uow.now)
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
            return await fresh_view(s, telegram_id, contest)

    async def set_field(
        self, telegram_id: int, contest_id: int, code: str, raw: str
    ) -> ParticipantView:
        async with self.uow() as uow:
            s = uow.session
            contest, app = await load_draft(uow, telegram_id, contest_id)
            nomination = nomination_view(app.nomination)
            spec = next((f for f in nomination.fields if f.code == code), None)
            if spec is None:
                raise NotFound("field_not_found")
            if code == rules.EXPERIENCE_FIELD:
                value = experience_field(app, nomination, raw)
            else:
                value = clean_field(
                    spec.kind, spec.max_length, raw, uow.now.astimezone(contest_tz(contest)).date()
                )
            app.field_values = {**(app.field_values or {}), code: value}
            return await fresh_view(s, telegram_id, contest)

    async def set_consent(
        self, telegram_id: int, contest_id: int, which: str, given: bool
    ) -> ParticipantView:
        """R-APP-5: «Согласен(а) с Политикой конфиденциальности», «… на передачу материалов»."""
        if which not in ("privacy", "transfer"):
            raise NotFound("consent_not_found")
        async with self.uow() as uow:
            s = uow.session
            contest, app = await load_draft(uow, telegram_id, contest_id)
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
            return await fresh_view(s, telegram_id, contest)

    async def submit_application(self, telegram_id: int, contest_id: int) -> ParticipantView:
        """R-APP-6: «Отправить» → the application is «принята» and frozen."""
        async with self.uow() as uow:
            s = uow.session
            contest, app = await load_draft(uow, telegram_id, contest_id, submitting=True)
            view = application_view(app)
            if not view.missing.nothing:
                raise DomainError("application_incomplete", missing=view.missing)
            # R-ROLE-5: a minor's application waits for the parental consent to be accepted
            await require_accepted(s, app, contest)
            app.status = ApplicationStatus.SUBMITTED
            app.submitted_at = uow.now
            p = await s.get(Participant, app.participant_id)
            if p is None:
                raise NotFound("participant_not_found")
            restage(p, app.status)
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
            return await fresh_view(s, telegram_id, contest)

    async def check_draft_open(self, telegram_id: int, contest_id: int) -> ParticipantView:
        """Refuse an application button at once when the application no longer takes
        changes (submitted, participant withdrawn; R-APP-6, R-PD-1)."""
        async with self.read() as s:
            contest = await load_contest(s, contest_id)
            p = await find_participant(s, telegram_id, contest_id)
            if p is None or p.pd_consent_at is None:
                raise DomainError("consent_required")
            draft_guard(p, contest)
            return participant_view(p, contest)

    async def check_may_choose(self, telegram_id: int, contest_id: int) -> None:
        """A nomination may still be chosen (R-APP-1, R-APP-2): refused before the condition
        questions are asked."""
        async with self.read() as s:
            p = await find_participant(s, telegram_id, contest_id)
            if p is None or p.pd_consent_at is None:
                raise DomainError("consent_required")
            accepted_guard(p)
            if p.application is not None:
                raise DomainError("one_nomination", title=p.application.nomination.title)

    async def entry_questions(self, contest_id: int, nomination_id: int) -> EntryQuestions:
        """The questions to ask before the nomination opens (R-APP-3; R-ROLE-4 in a championship)."""
        async with self.read() as s:
            contest = await load_contest(s, contest_id)
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
