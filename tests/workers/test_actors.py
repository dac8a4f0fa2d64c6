"""Actors through a real Dramatiq ``Worker`` on the in-memory broker (the embedded mode):
ids in, the database says what is still due, a row is sent once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dramatiq
from sqlalchemy import select

from models.services import Services
from models.tables import ApplicationFile, Delivery, Person
from tests.builders import USER, accepted, pdf, verified_form
from tests.conftest import COORD_MOSCOW, JobLog, drain
from tests.fakes import FakeTelegramSession
from workers.actors import enqueue


def run_queued(jobs: JobLog, w: dramatiq.Worker) -> None:
    for job, entity_id in jobs.jobs:
        enqueue(job, entity_id)
    jobs.jobs.clear()
    drain(w)


async def test_status_change_is_delivered_once_even_if_enqueued_twice(
    services: Services,
    contest_id: int,
    jobs: JobLog,
    worker: dramatiq.Worker,
    telegram: FakeTelegramSession,
) -> None:
    pid = await verified_form(services, contest_id)
    jobs.jobs.clear()
    await services.coordination.decide(COORD_MOSCOW, pid, accept=True)
    (delivery_id,) = [i for j, i in jobs.jobs if j == "deliver"]
    jobs.jobs.append(("deliver", delivery_id))  # a duplicate nudge (e.g. a sweep and the handler)
    run_queued(jobs, worker)
    texts = telegram.sent_texts(USER)
    assert len(texts) == 1 and "Подтверждено" in texts[0]
    async with services.ctx.sessionmaker() as s:
        row = await s.get(Delivery, delivery_id)
        assert row.status == "sent" and row.telegram_message_id is not None and row.attempts == 1


async def test_blocked_recipient_is_marked_and_not_retried(
    services: Services,
    contest_id: int,
    jobs: JobLog,
    worker: dramatiq.Worker,
    telegram: FakeTelegramSession,
) -> None:
    pid = await verified_form(services, contest_id)
    jobs.jobs.clear()
    await services.coordination.decide(
        COORD_MOSCOW, pid, accept=False, reason="Организация не из реестра"
    )
    telegram.queue_error("sendMessage", 403, "Forbidden: bot was blocked by the user")
    run_queued(jobs, worker)
    async with services.ctx.sessionmaker() as s:
        row = (await s.execute(select(Delivery))).scalar_one()
        person = (await s.execute(select(Person).where(Person.telegram_id == USER))).scalar_one()
    assert row.status == "blocked" and row.attempts == 1
    assert person.blocked_bot_at is not None
    assert telegram.sent_texts(USER) == []


async def test_uploaded_material_is_downloaded_and_content_addressed(
    services: Services,
    contest_id: int,
    jobs: JobLog,
    worker: dramatiq.Worker,
    telegram: FakeTelegramSession,
    tmp_path: Path,
) -> None:
    from models.rules import ConditionAnswers
    from tests.conftest import ids

    known = await ids(services, contest_id)
    await accepted(services, contest_id)
    await services.participants.choose_nomination(
        USER, contest_id, known["noms"]["best_social_worker"], ConditionAnswers(experience_years=5)
    )
    content = b"%PDF-1.4 " + b"x" * 300_000
    telegram.add_file("id-a", content)
    await services.participants.add_file(USER, contest_id, "presentation", pdf(uid="a"))
    jobs.jobs = [(j, i) for j, i in jobs.jobs if j == "download"]
    jobs.jobs.append(jobs.jobs[0])  # idempotent: a second run changes nothing
    run_queued(jobs, worker)
    async with services.ctx.sessionmaker() as s:
        row = (await s.execute(select(ApplicationFile))).scalar_one()
    sha = hashlib.sha256(content).hexdigest()
    assert row.sha256 == sha and row.size == len(content) and row.downloaded_at is not None
    stored = tmp_path / "files" / sha[:2] / sha
    assert row.storage_path == str(stored) and stored.read_bytes() == content
    assert not list((tmp_path / "files" / "tmp").iterdir())
