"""Loading and locking a participant's rows for one unit of work: the steps every part of the
journey shares (module functions taking the session, issue #14)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules
from models.errors import DomainError, NotFound
from models.services.base import UnitOfWork, lock
from models.services.contests import contest_brief
from models.services.guardian_facts import contest_facts
from models.services.participants.guards import deadline_guard, draft_guard
from models.services.participants.views import participant_view
from models.tables import Application, Contest, Participant, Person
from models.views import ParticipantView


def participant_query() -> Any:
    return select(Participant).options(
        selectinload(Participant.region),
        selectinload(Participant.organisation),
        selectinload(Participant.application).selectinload(Application.nomination),
        selectinload(Participant.application).selectinload(Application.files),
        # R-ROLE-5; a backref declared in models/tables/participants.py, unseen by mypy
        selectinload(Participant.guardian_consent),  # type: ignore[attr-defined]
    )


def restage(p: Participant, application_status: str | None) -> None:
    """Keep the journey stage in step with a transition (reminders search by it)."""
    p.stage = rules.journey_stage(p.verification_status, application_status)


async def load_contest(s: AsyncSession, contest_id: int) -> Contest:
    contest = await s.get(Contest, contest_id, options=[selectinload(Contest.stages)])
    if contest is None:
        raise NotFound("contest_not_found")
    return contest


async def find_participant(
    s: AsyncSession, telegram_id: int, contest_id: int
) -> Participant | None:
    stmt = (
        participant_query()
        .join(Person, Person.id == Participant.person_id)
        .where(Person.telegram_id == telegram_id, Participant.contest_id == contest_id)
        .execution_options(populate_existing=True)
    )
    return (await s.execute(stmt)).scalars().first()


async def fresh_view(s: AsyncSession, telegram_id: int, contest: Contest) -> ParticipantView:
    """Flush this transaction's changes and read the participant back as a view."""
    brief = contest_brief(contest)
    facts = contest_facts(contest)  # read while the contest is loaded (R-ROLE-5)
    await s.flush()
    s.expire_all()  # reload relationships changed in this transaction
    p = await find_participant(s, telegram_id, brief.id)
    if p is None:
        raise NotFound("participant_not_found")
    return participant_view(p, brief, facts)


async def require_participant(s: AsyncSession, telegram_id: int, contest_id: int) -> Participant:
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
    p = await find_participant(s, telegram_id, contest_id) if pid is not None else None
    if p is None or p.pd_consent_at is None:
        raise DomainError("consent_required")
    return p


async def ensure_person(
    s: AsyncSession, telegram_id: int, now: datetime, display_name: str | None
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


async def load_draft(
    uow: UnitOfWork, telegram_id: int, contest_id: int, submitting: bool = False
) -> tuple[Contest, Application]:
    contest = await load_contest(uow.session, contest_id)
    p = await require_participant(uow.session, telegram_id, contest_id)
    draft_guard(p, contest, submitting)
    deadline_guard(contest, uow.now)
    assert p.application is not None
    return contest, p.application
