"""What R-ROLE-5 knows of a participant without a service: whether a minor's consent is
needed and what it lacks (``summary_of``), the check that holds a minor's application back
(``require_accepted``), and the erasure of a consent's personal data (R-PD-1, R-PD-3).

Plain functions, read by the participant's journey (models.services.participants), the
guardian service (models.services.guardians) and retention — so none of those needs another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import rules
from models.errors import DomainError, NotFound
from models.guardian_rules import (
    CHAMPIONSHIP,
    GuardianStatus,
    GuardianSummary,
    complete,
    consent_gaps,
    needs_guardian,
)
from models.services.contests import stage_start_day
from models.tables import Application, Contest, GuardianConsent, Participant


@dataclass(frozen=True, slots=True)
class ContestFacts:
    """What R-ROLE-5 needs of a contest, read while the contest is loaded."""

    kind: str
    stage_day: date | None


def contest_facts(contest: Contest) -> ContestFacts:
    return ContestFacts(
        contest.kind, stage_start_day(contest) if contest.kind == CHAMPIONSHIP else None
    )


def birth_date_of(p: Participant, app: Application | None = None) -> date | None:
    """The birth date the participant gave with the nomination (R-ROLE-4), if loaded and given."""
    app = app if app is not None else p.__dict__.get("application")
    raw = (app.condition_answers or {}).get("birth_date") if app is not None else None
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return None


def summary_of(
    p: Participant,
    facts: ContestFacts | None,
    row: GuardianConsent | None = None,
    app: Application | None = None,
) -> GuardianSummary | None:
    """R-ROLE-5: the consent of a minor at a glance, or None when none is needed (not a
    championship, 18 or older on the stage date, birth date not given yet). ``row``: the
    consent when the caller loaded it; else the participant's loaded relationship."""
    if facts is None or facts.kind != CHAMPIONSHIP or facts.stage_day is None:
        return None
    born = birth_date_of(p, app)
    if born is None or not needs_guardian(born, facts.stage_day):
        return None
    if row is None:
        row = p.__dict__.get("guardian_consent")
    status = row.status if row is not None else GuardianStatus.DRAFT
    gaps = consent_gaps(
        status=status,
        guardian_name=row.guardian_name if row else None,
        relation=row.guardian_relation if row else None,
        has_form=bool(row and row.file_telegram_id),
        companion_name=row.companion_name if row else None,
        companion_phone=row.companion_phone if row else None,
    )
    return GuardianSummary(
        status=status,
        age=rules.age_on(born, facts.stage_day),
        stage_date=facts.stage_day,
        gaps=gaps,
    )


def consent_rev(row: GuardianConsent | None) -> int:
    """Which sending of the consent a coordinator's card showed (its moment, in seconds)."""
    return int(row.submitted_at.timestamp()) if row is not None and row.submitted_at else 0


def erase_guardian(row: GuardianConsent | None) -> set[str]:
    """R-PD-1, R-PD-3: remove the personal data of a consent (names, phone, the signed form's
    references); returns the sha256 of the stored form, which may now be unused."""
    if row is None:
        return set()
    shas = {row.sha256} if row.sha256 else set()
    row.guardian_name = None
    row.companion_name = None
    row.companion_phone = None
    row.file_telegram_id = None
    row.file_unique_id = None
    row.file_name = None
    row.sha256 = None
    row.storage_path = None
    row.return_reason = None
    return shas


async def erase_guardians(s: AsyncSession, participant_ids: list[int]) -> set[str]:
    """R-PD-3: :func:`erase_guardian` for the consents of many participants (retention)."""
    if not participant_ids:
        return set()
    shas: set[str] = set()
    rows = await s.execute(
        select(GuardianConsent).where(GuardianConsent.participant_id.in_(participant_ids))
    )
    for row in rows.scalars():
        shas |= erase_guardian(row)
    return shas


async def require_accepted(s: AsyncSession, app: Application, contest: Contest) -> None:
    """R-ROLE-5: a minor's application is not submitted until the consent is accepted.
    Called by the application's submission, under the participant's lock."""
    p = await s.get(Participant, app.participant_id)
    if p is None:
        raise NotFound("participant_not_found")
    facts = contest_facts(contest)
    if facts.kind != CHAMPIONSHIP:
        return
    row = (
        await s.execute(
            select(GuardianConsent)
            .where(GuardianConsent.participant_id == p.id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    summary = summary_of(p, facts, row, app)
    if summary is None or summary.accepted:
        return
    raise DomainError(
        "guardian_consent_required",
        age=summary.age,
        day=f"{summary.stage_date:%d.%m.%Y}",
        state=summary.status
        if complete(summary.gaps) or summary.status != GuardianStatus.DRAFT
        else "missing",
    )
