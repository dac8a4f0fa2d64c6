"""Use cases on SQLite and on real PostgreSQL: the participant's journey, the coordinator's
decisions, permissions, deadlines, withdrawal and contest re-loading."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

from models.contest_file import DefinitionInvalid
from models.errors import DomainError, Forbidden
from models.rules import ConditionAnswers
from models.services import Services, TelegramFile
from models.tables import AuditRecord, Delivery, Participant
from tests.builders import SNILS, USER, accepted, pdf, verified_form
from tests.conftest import ADMIN_ID, COORD_MOSCOW, COORD_OBLAST, EXAMPLE, FEDERAL, MSK, JobLog, ids


async def test_verification_form_goes_pending_and_snils_is_encrypted(
    services: Services, contest_id: int, engine
) -> None:
    pid = await verified_form(services, contest_id)
    view = await services.participants.view(USER, contest_id)
    assert view.status == "pending"  # R-VER-3 «На рассмотрении»
    assert view.full_name == "Иванова Анна Петровна"
    assert view.snils_masked == "***-***-*** 95"  # R-PD-2
    async with engine.connect() as conn:
        raw = (
            await conn.execute(
                text("SELECT snils_encrypted, snils_hmac FROM participants WHERE id = :i"),
                {"i": pid},
            )
        ).one()
        dump = " ".join(
            str(r) for r in (await conn.execute(text("SELECT * FROM participants"))).all()
        )
        audit = " ".join(
            str(r) for r in (await conn.execute(text("SELECT * FROM audit_log"))).all()
        )
    assert b"11223344595" not in bytes(raw[0])
    for needle in ("11223344595", "112-233-445", "112233445"):
        assert needle not in dump and needle not in audit


async def test_bad_snils_is_refused_and_nothing_changes(
    services: Services, contest_id: int
) -> None:
    p = services.participants
    await p.give_consent(USER, contest_id)
    await p.set_full_name(USER, contest_id, "Петров Пётр Петрович")
    for bad in ("112-233-445 96", "1234", "абв", "112-233-445 9", ""):
        with pytest.raises(DomainError) as err:
            await p.set_snils(USER, contest_id, bad)
        assert err.value.code == "snils_invalid"
    view = await p.view(USER, contest_id)
    assert view.full_name == "Петров Пётр Петрович" and view.snils_masked is None


async def test_same_snils_twice_in_a_contest_is_refused(
    services: Services, contest_id: int
) -> None:
    await verified_form(services, contest_id)
    await services.participants.give_consent(USER + 1, contest_id)
    with pytest.raises(DomainError) as err:
        await services.participants.set_snils(USER + 1, contest_id, "11223344595")
    assert err.value.code == "snils_taken"


async def test_form_is_frozen_while_pending(services: Services, contest_id: int) -> None:
    await verified_form(services, contest_id)
    with pytest.raises(DomainError) as err:
        await services.participants.set_full_name(USER, contest_id, "Сидорова Мария Ивановна")
    assert err.value.code == "verification_pending"


async def test_coordinator_sees_only_own_region_and_outsiders_are_refused(
    services: Services, contest_id: int
) -> None:
    moscow = await verified_form(services, contest_id, USER, SNILS, "77")
    oblast = await verified_form(services, contest_id, USER + 1, "123-456-789 64", "50")
    coord = services.coordination
    cards, total, _ = await coord.queue(COORD_MOSCOW, contest_id)
    assert total == 1 and [c.participant_id for c in cards] == [moscow]
    _, total_fed, _ = await coord.queue(FEDERAL, contest_id)
    assert total_fed == 2
    with pytest.raises(Forbidden) as err:
        await coord.decide(COORD_OBLAST, moscow, accept=True)
    assert err.value.code == "not_your_region"
    for outsider in (USER, USER + 1, 424242):
        with pytest.raises(Forbidden):
            await coord.decide(outsider, oblast, accept=True)
        with pytest.raises(Forbidden):
            await coord.queue(outsider, contest_id)
    assert (await services.participants.view(USER, contest_id)).status == "pending"
    await coord.decide(ADMIN_ID, oblast, accept=True)  # admins may act anywhere


async def test_decision_writes_audit_and_outbox_in_one_go(
    services: Services, contest_id: int, jobs: JobLog, engine
) -> None:
    pid = await verified_form(services, contest_id)
    jobs.take()
    with pytest.raises(DomainError) as err:
        await services.coordination.decide(COORD_MOSCOW, pid, accept=False, reason="  ")
    assert err.value.code == "reason_required"
    await services.coordination.decide(
        COORD_MOSCOW, pid, accept=False, reason="Место работы не соответствует данным Вашего СНИЛС"
    )
    view = await services.participants.view(USER, contest_id)
    assert view.status == "rejected" and "СНИЛС" in view.rejection_reason
    delivery_ids = jobs.take("deliver")
    assert len(delivery_ids) == 1
    async with services.ctx.sessionmaker() as s:
        d = await s.get(Delivery, delivery_ids[0])
        assert (
            d.message_key == "notify-verification-rejected"
            and d.recipient_chat_id == USER
            and d.status == "pending"
        )
        actions = [
            a.action
            for a in (await s.execute(select(AuditRecord).order_by(AuditRecord.id))).scalars()
        ]
    assert actions[-1] == "verification.reject" and "verification.submit" in actions
    with pytest.raises(DomainError) as err:
        await services.coordination.decide(COORD_MOSCOW, pid, accept=True)
    assert err.value.code == "already_decided"  # issue #12: says what happened, not a status word
    # after a rejection the participant fixes the form and sends it again
    await services.participants.set_full_name(USER, contest_id, "Иванова Анна Павловна")
    assert (await services.participants.submit_verification(USER, contest_id)).status == "pending"


async def test_nominations_only_after_acceptance_and_only_one(
    services: Services, contest_id: int
) -> None:
    known = await ids(services, contest_id)
    await verified_form(services, contest_id)
    p = services.participants
    with pytest.raises(DomainError) as err:
        await p.choose_nomination(USER, contest_id, known["noms"]["best_young_specialist"])
    assert err.value.code == "not_verified"  # R-APP-1
    pid = (await p.view(USER, contest_id)).id
    await services.coordination.decide(COORD_MOSCOW, pid, accept=True)
    # R-APP-3: conditions are checked before the application opens
    with pytest.raises(DomainError) as err:
        await p.choose_nomination(
            USER,
            contest_id,
            known["noms"]["best_social_worker"],
            ConditionAnswers(experience_years=2),
        )
    assert (
        err.value.code == "conditions_not_met"
        and err.value.args_["failures"][0].code == "experience_too_short"
    )
    assert (await p.view(USER, contest_id)).application is None
    young = ConditionAnswers(birth_date=datetime(1995, 5, 5).date())
    view = await p.choose_nomination(
        USER, contest_id, known["noms"]["best_young_specialist"], young
    )
    assert view.application.nomination.code == "best_young_specialist"
    with pytest.raises(DomainError) as err:  # R-APP-2
        await p.choose_nomination(
            USER,
            contest_id,
            known["noms"]["best_social_worker"],
            ConditionAnswers(experience_years=10),
        )
    assert err.value.code == "one_nomination"


async def test_application_fields_files_consents_and_submission(
    services: Services, contest_id: int, jobs: JobLog
) -> None:
    known = await ids(services, contest_id)
    await accepted(services, contest_id)
    p = services.participants
    await p.choose_nomination(
        USER, contest_id, known["noms"]["best_social_worker"], ConditionAnswers(experience_years=7)
    )
    with pytest.raises(DomainError) as err:
        await p.set_field(USER, contest_id, "experience_years", "семь")
    assert err.value.code == "field_years_format"  # issue #15: the стаж is a whole number of years
    with pytest.raises(DomainError) as err:
        await p.set_field(USER, contest_id, "hired_on", "31.02.2015")
    assert err.value.code == "field_not_date"
    await p.set_field(USER, contest_id, "position", "Социальный работник")
    await p.set_field(USER, contest_id, "experience_years", "7")
    await p.set_field(USER, contest_id, "hired_on", "1.9.2018")
    # files: wrong type, too large for the slot, too large for the cloud Bot API
    with pytest.raises(DomainError) as err:
        await p.add_file(USER, contest_id, "presentation", pdf("slides.exe"))
    assert err.value.code == "file_wrong_type"
    with pytest.raises(DomainError) as err:
        await p.add_file(USER, contest_id, "presentation", pdf(size=25 * 1024 * 1024))
    assert err.value.code == "file_too_large"
    video = TelegramFile("vid-1", "v1", "clip.mp4", "video/mp4", 50 * 1024 * 1024, True)
    with pytest.raises(DomainError) as err:
        await p.add_file(USER, contest_id, "video", video)
    assert err.value.code == "file_too_large_for_cloud"
    with pytest.raises(DomainError) as err:
        await p.submit_application(USER, contest_id)
    missing = err.value.args_["missing"]
    assert (
        missing.files == ("presentation", "video")
        and missing.consent_privacy
        and missing.consent_transfer
    )
    await p.add_file(USER, contest_id, "presentation", pdf(uid="a"))
    view = await p.add_file(
        USER, contest_id, "presentation", pdf("v2.pdf", uid="b")
    )  # replaces, keeps the old one
    assert [f.file_name for f in view.application.files_in("presentation")] == ["v2.pdf"]
    await p.add_file(
        USER,
        contest_id,
        "video",
        TelegramFile("vid-2", "v2", "clip.mp4", "video/mp4", 15 * 1024 * 1024, True),
    )
    assert len(jobs.take("download")) == 3
    await p.set_consent(USER, contest_id, "privacy", True)
    await p.set_consent(USER, contest_id, "transfer", True)
    view = await p.submit_application(USER, contest_id)
    assert view.application.status == "submitted"  # R-APP-6
    with pytest.raises(DomainError) as err:
        await p.set_field(USER, contest_id, "position", "Другое")
    assert err.value.code == "application_frozen"
    async with services.ctx.sessionmaker() as s:
        from models.tables import ApplicationFile

        rows = (
            (await s.execute(select(ApplicationFile).order_by(ApplicationFile.id))).scalars().all()
        )
    assert len(rows) == 3 and rows[0].replaced_at is not None  # nothing given is lost


async def test_coordinator_reopens_submitted_application(
    services: Services, contest_id: int, jobs: JobLog, clock
) -> None:
    known = await ids(services, contest_id)
    pid = await accepted(services, contest_id)
    p = services.participants
    await p.choose_nomination(
        USER,
        contest_id,
        known["noms"]["best_young_specialist"],
        ConditionAnswers(birth_date=datetime(1999, 1, 1).date()),
    )
    for code, value in (
        ("position", "Психолог"),
        ("education", "МГППУ, 2021"),
        ("experience_years", "3"),
    ):
        await p.set_field(USER, contest_id, code, value)
    await p.add_file(USER, contest_id, "presentation", pdf())
    await p.add_file(
        USER,
        contest_id,
        "video_presentation",
        TelegramFile("v", "v", "me.mov", "video/quicktime", 5_000_000),
    )
    await p.set_consent(USER, contest_id, "privacy", True)
    await p.set_consent(USER, contest_id, "transfer", True)
    await p.submit_application(USER, contest_id)
    with pytest.raises(Forbidden):
        await services.coordination.reopen(USER, pid)  # the participant cannot reopen
    with pytest.raises(Forbidden):
        await services.coordination.reopen(COORD_OBLAST, pid)
    jobs.take()
    await services.coordination.reopen(COORD_MOSCOW, pid)
    assert (await p.view(USER, contest_id)).application.status == "draft"
    assert len(jobs.take("deliver")) == 1
    await p.submit_application(USER, contest_id)
    clock.at = datetime(2027, 4, 2, 9, 0, tzinfo=MSK)
    with pytest.raises(DomainError) as err:
        await services.coordination.reopen(COORD_MOSCOW, pid)
    assert err.value.code == "reopen_after_deadline"
    assert (await p.view(USER, contest_id)).application.status == "submitted"


async def test_after_deadline_actions_are_refused_with_the_deadline(
    services: Services, contest_id: int, clock
) -> None:
    await services.participants.give_consent(USER, contest_id)
    clock.at = datetime(2027, 4, 1, 23, 59, tzinfo=MSK)
    await services.participants.set_full_name(
        USER, contest_id, "Иванов Иван Иванович"
    )  # still in time
    clock.at = datetime(2027, 4, 2, 0, 0, 1, tzinfo=MSK)
    for call in (
        services.participants.give_consent(USER + 5, contest_id),
        services.participants.set_snils(USER, contest_id, SNILS),
    ):
        with pytest.raises(DomainError) as err:
            await call
        assert err.value.code == "deadline_passed"
        assert err.value.args_["deadline"].astimezone(MSK) == datetime(
            2027, 4, 1, 23, 59, 59, tzinfo=MSK
        )


async def test_withdrawal_anonymises_and_ends_participation(
    services: Services, contest_id: int, engine
) -> None:
    known = await ids(services, contest_id)
    await accepted(services, contest_id)
    p = services.participants
    await p.choose_nomination(
        USER, contest_id, known["noms"]["best_social_worker"], ConditionAnswers(experience_years=4)
    )
    await p.set_field(USER, contest_id, "position", "Заведующая отделением")
    await p.add_file(USER, contest_id, "presentation", pdf())
    # a half-filled staff or appeal form's draft is personal data too (bot/storage.py)
    from aiogram.fsm.storage.base import StorageKey

    from bot.storage import DatabaseStorage

    storage = DatabaseStorage(
        services.ctx.sessionmaker, services.ctx.cipher, clock=services.ctx.clock
    )
    await storage.set_data(
        StorageKey(bot_id=1, chat_id=USER, user_id=USER), {"text": "Заведующая: черновик"}
    )
    await p.withdraw(USER, contest_id)
    assert await storage.get_data(StorageKey(bot_id=1, chat_id=USER, user_id=USER)) == {}
    view = await p.view(USER, contest_id)
    assert view.status == "withdrawn" and view.full_name is None and view.snils_masked is None
    assert view.application.field_values == {} and view.application.files == []
    async with engine.connect() as conn:
        dump = " ".join(
            str(r) for r in (await conn.execute(text("SELECT * FROM participants"))).all()
        )
        dump += " ".join(
            str(r) for r in (await conn.execute(text("SELECT * FROM applications"))).all()
        )
    assert "Иванова" not in dump and "Заведующая" not in dump
    with pytest.raises(DomainError) as err:
        await p.set_full_name(USER, contest_id, "Иванова Анна Петровна")
    assert err.value.code in ("participation_ended", "verification_accepted")
    with pytest.raises(DomainError) as err:
        await p.give_consent(USER, contest_id)
    assert err.value.code == "participation_ended"
    async with services.ctx.sessionmaker() as s:
        assert (
            await s.execute(select(AuditRecord).where(AuditRecord.action == "participant.withdraw"))
        ).scalar_one()


async def test_reloading_an_edited_contest_keeps_participants(
    services: Services, contest_id: int
) -> None:
    pid = await verified_form(services, contest_id)
    original = EXAMPLE.read_text(encoding="utf-8")
    edited = original.replace("Лучший социальный работник", "Лучший социальный работник года")
    # drop the organisation the participant chose from the registry
    org_code = next(
        code for code in (await ids(services, contest_id))["orgs"] if code.startswith("77")
    )
    lines = edited.splitlines()
    i = next(n for n, line in enumerate(lines) if f'"{org_code}"' in line)
    del lines[i : i + 2]
    result = await services.contests.load_definition(ADMIN_ID, "\n".join(lines).encode())
    assert not result.created and result.deactivated["organisations"] == 1
    view = await services.participants.view(USER, contest_id)
    assert view.id == pid and view.status == "pending" and view.organisation is not None
    titles = [n.title for n in await services.contests.nominations(contest_id)]
    assert "Лучший социальный работник года" in titles
    # a bad file changes nothing
    with pytest.raises(DefinitionInvalid):
        await services.contests.load_definition(
            ADMIN_ID, original.replace("timezone: Europe/Moscow", "timezone: Mars/Olympus").encode()
        )
    assert "Лучший социальный работник года" in [
        n.title for n in await services.contests.nominations(contest_id)
    ]
    with pytest.raises(Forbidden):
        await services.contests.load_definition(COORD_MOSCOW, original.encode())
    async with services.ctx.sessionmaker() as s:
        actions = [
            a.action
            for a in (
                await s.execute(select(AuditRecord).where(AuditRecord.entity == "contest"))
            ).scalars()
        ]
        assert actions == ["contest.load", "contest.reload"]
        assert (await s.get(Participant, pid)).organisation_id is not None


async def test_deliveries_are_unique_per_reason_subject_recipient_and_time(
    services: Services, contest_id: int
) -> None:
    async with services.contests.uow() as uow:
        first = await uow.notify(
            reason="r",
            subject="s",
            chat_id=1,
            key="notify-verification-accepted",
            args={"contest": "x"},
        )
        again = await uow.notify(
            reason="r",
            subject="s",
            chat_id=1,
            key="notify-verification-accepted",
            args={"contest": "x"},
        )
        later = await uow.notify(
            reason="r",
            subject="s",
            chat_id=1,
            key="notify-verification-accepted",
            due_at=uow.now + timedelta(hours=1),
        )
    assert first is not None and again is None and later is not None


async def test_journey_stage_follows_every_transition(services: Services, contest_id: int) -> None:
    """Reminders find unfinished participants by this column (R-REM-1)."""
    known = await ids(services, contest_id)

    async def stage() -> str:
        async with services.ctx.sessionmaker() as s:
            return (await s.execute(select(Participant.stage))).scalar_one()

    p = services.participants
    await p.give_consent(USER, contest_id)
    assert await stage() == "form"
    pid = await verified_form(services, contest_id)
    assert await stage() == "review"
    await services.coordination.decide(COORD_MOSCOW, pid, accept=False, reason="Нет в реестре")
    assert await stage() == "form"
    await p.submit_verification(USER, contest_id)
    await services.coordination.decide(COORD_MOSCOW, pid, accept=True)
    assert await stage() == "nomination"
    await p.choose_nomination(
        USER, contest_id, known["noms"]["best_social_worker"], ConditionAnswers(experience_years=9)
    )
    assert await stage() == "application"
    for code, value in (
        ("position", "Соцработник"),
        ("experience_years", "9"),
        ("hired_on", "01.02.2016"),
    ):
        await p.set_field(USER, contest_id, code, value)
    await p.add_file(USER, contest_id, "presentation", pdf())
    await p.add_file(USER, contest_id, "video", TelegramFile("v", "v", "v.mp4", "video/mp4", 1000))
    await p.set_consent(USER, contest_id, "privacy", True)
    await p.set_consent(USER, contest_id, "transfer", True)
    await p.submit_application(USER, contest_id)
    assert await stage() == "done"
    await services.coordination.reopen(COORD_MOSCOW, pid)
    assert await stage() == "application"
    await p.withdraw(USER, contest_id)
    assert await stage() == "withdrawn"
