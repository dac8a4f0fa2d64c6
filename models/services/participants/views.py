"""What the participant sees of their journey: the participant view (R-VER-5), the
application view with what is missing (R-APP-6), and the values the front end passes in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models import rules
from models.services.contests import contest_brief, nomination_view
from models.services.guardian_facts import ContestFacts, contest_facts, summary_of
from models.tables import Application, Contest, Participant
from models.views import (
    ApplicationView,
    Choice,
    ContestBrief,
    NominationView,
    ParticipantView,
    StoredFile,
)

#: organisations shown per page of the registry (R-VER-1)
ORGANISATIONS_PAGE = 8


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


def participant_view(
    p: Participant, contest: Contest | ContestBrief, guardian_facts: ContestFacts | None = None
) -> ParticipantView:
    if guardian_facts is None and isinstance(contest, Contest):
        guardian_facts = contest_facts(contest)
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
