"""Issue #15, files and personal data: a file's type judged by its content (R-APP-4), task
answers kept in the content-addressed store (R-COO-4), «Показать СНИЛС» for the coordinator
of the participant's region only (R-PD-2), and anonymisation that leaves no copy on disk
(R-PD-1, R-PD-3)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.texts import error_text
from models import rules
from models.db import create_engine, create_sessionmaker
from models.errors import DomainError, Forbidden
from models.filetypes import content_matches, detect
from models.services import Services, TelegramFile
from models.settings import Settings
from models.tables import ApplicationFile, AuditRecord, Delivery, TaskSubmission
from tests.builders import SNILS, USER, World, accepted, pdf, verified_form
from tests.conftest import COORD_MOSCOW, COORD_OBLAST, FEDERAL, ids
from tests.fakes import document

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 64
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 64


def office(part: str = "ppt/presentation.xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(part, "<x/>")
    return out.getvalue()


# --------------------------------------------------------------------------- the signature rule


def test_signature_decides_not_the_name() -> None:
    """R-APP-4 (issue #15): a .pdf beginning with an executable's header is an EXE."""
    assert content_matches("pdf", PDF) is None
    found = content_matches("pdf", EXE)
    assert found is not None and found.kind == "exe"
    assert content_matches("pdf", ELF).kind == "elf"  # type: ignore[union-attr]
    assert content_matches("pdf", b"just some text").kind == "unknown"  # type: ignore[union-attr]
    assert (
        content_matches("pptx", office()) is None
        and content_matches("docx", office("word/document.xml")) is None
    )
    assert content_matches("pptx", PDF).kind == "pdf"  # type: ignore[union-attr]
    # videos: an mp4 or a phone's QuickTime-branded .mp4, a .mov; not an executable
    assert (
        content_matches("mp4", MP4) is None
        and content_matches("mp4", MOV) is None
        and content_matches("mov", MOV) is None
    )
    assert content_matches("mp4", EXE).kind == "exe"  # type: ignore[union-attr]
    # a type without a signature (text) is accepted unless it is an executable
    assert (
        content_matches("txt", b"plain answer") is None and content_matches("txt", EXE) is not None
    )
    assert detect(b"").kind == "unknown"


def test_check_file_refuses_the_disguised_file_and_names_its_type() -> None:
    req = rules.FileRequirement(
        "presentation", rules.FileKind.DOCUMENT, ("pdf", "pptx"), 20 * 1024 * 1024
    )
    offered = rules.OfferedFile("slides.pdf", "application/pdf", len(EXE), head=EXE)
    refusal = rules.check_file(req, offered, 20 * 1024 * 1024)
    assert refusal == rules.FileRefusal(
        "wrong_content", claimed="pdf", actual="exe", actual_name="EXE"
    )
    assert (
        rules.check_file(
            req, rules.OfferedFile("slides.pdf", "application/pdf", 100, head=PDF), 20 * 1024 * 1024
        )
        is None
    )


async def _drafted(services: Services, contest_id: int) -> None:
    known = await ids(services, contest_id)
    await accepted(services, contest_id)
    await services.participants.choose_nomination(
        USER,
        contest_id,
        known["noms"]["best_social_worker"],
        rules.ConditionAnswers(experience_years=6),
    )


async def test_service_refuses_a_disguised_upload_and_changes_nothing(
    services: Services, contest_id: int
) -> None:
    await _drafted(services, contest_id)
    bad = TelegramFile("id-x", "ux", "slides.pdf", "application/pdf", len(EXE), head=EXE)
    with pytest.raises(DomainError) as err:
        await services.participants.add_file(USER, contest_id, "presentation", bad)
    text = error_text(err.value)
    assert (
        "Файл назван .pdf, но на самом деле это исполняемый файл (EXE)" in text
        and "pdf, pptx" in text
    )
    view = await services.participants.view(USER, contest_id)
    assert view.application.files == []
    good = TelegramFile("id-p", "up", "slides.pdf", "application/pdf", len(PDF), head=PDF)
    view = await services.participants.add_file(USER, contest_id, "presentation", good)
    assert [f.file_name for f in view.application.files] == ["slides.pdf"]


async def test_bot_refuses_a_disguised_presentation_at_upload(world: World) -> None:
    """In the chat: the first bytes are read before the file is accepted (issue #15)."""
    await _drafted(world.services, 1)
    p = world.person(USER)
    await p.send("/start")
    await p.press("Презентация")
    world.session.add_file("f-fake", EXE)
    reply = await p.send(
        document=document("f-fake", "Презентация.pdf", "application/pdf", len(EXE))
    )
    assert "Файл назван .pdf, но на самом деле это исполняемый файл (EXE)" in reply
    assert (await world.services.participants.view(USER, 1)).application.files == []
    world.session.add_file("f-real", PDF)
    assert "сохранён" in await p.send(
        document=document("f-real", "Презентация.pdf", "application/pdf", len(PDF))
    )


async def test_download_checks_the_signature_before_storing(world: World) -> None:
    """A file accepted without its head (Telegram did not give it out at once) is checked
    again before its copy is kept: refused, not stored, its sender told."""
    await _drafted(world.services, 1)
    world.jobs.jobs.clear()
    await world.services.participants.add_file(USER, 1, "presentation", pdf(uid="late"))
    world.session.add_file("id-late", EXE)
    results = await world.drain()
    assert "refused" in results
    async with world.services.ctx.sessionmaker() as s:
        row = (await s.execute(select(ApplicationFile))).scalar_one()
        notices = (
            (await s.execute(select(Delivery).where(Delivery.message_key == "file-stored-refused")))
            .scalars()
            .all()
        )
    assert row.sha256 is None and row.storage_path is None and row.replaced_at is not None
    assert row.download_error == "wrong_content:exe" and len(notices) == 1
    assert not list((world.files_dir).rglob("*")) or all(
        p.is_dir() or p.parent.name == "tmp" for p in world.files_dir.rglob("*")
    )
    assert "не сохранён" in world.session.sent_texts(USER)[-1]
    assert (await world.services.participants.view(USER, 1)).application.missing.files


# --------------------------------------------------------------------------- task answers (R-COO-4)


async def _task(services: Services, contest_id: int) -> int:
    await accepted(services, contest_id)
    task = await services.tasks.publish(
        FEDERAL, contest_id, "Кейс-задание", "task-file-1", "кейс.pdf", time_limit_minutes=60
    )
    await services.tasks.open(USER, task.id)
    return task.id


async def test_task_answer_is_stored_by_content(services: Services, contest_id: int) -> None:
    task_id = await _task(services, contest_id)
    answer = office("word/document.xml")
    offered = TelegramFile("ans-1", "ans-u1", "ответ.docx", "application/octet-stream", len(answer))
    await services.tasks.submit(USER, task_id, offered, answer)
    async with services.ctx.sessionmaker() as s:
        row = (await s.execute(select(TaskSubmission))).scalar_one()
    sha = hashlib.sha256(answer).hexdigest()
    assert row.sha256 == sha and row.telegram_file_id == "ans-1" and row.size == len(answer)
    assert Path(row.storage_path).read_bytes() == answer and Path(row.storage_path).name == sha


async def test_task_answer_refused_by_type_or_content_stores_nothing(
    services: Services, contest_id: int
) -> None:
    task_id = await _task(services, contest_id)
    with pytest.raises(DomainError) as err:
        services.tasks.check_answer_offer(TelegramFile("a", "a", "run.exe", None, 10))
    assert err.value.code == "file_wrong_type"
    with pytest.raises(DomainError) as err:
        await services.tasks.submit(
            USER, task_id, TelegramFile("a", "a", "ответ.pdf", "application/pdf", len(EXE)), EXE
        )
    assert "исполняемый файл (EXE)" in error_text(err.value)
    with pytest.raises(DomainError) as err:
        services.tasks.check_answer_offer(
            TelegramFile("b", "b", "ответ.pdf", "application/pdf", 25 * 1024 * 1024)
        )
    assert err.value.code == "file_too_large"
    async with services.ctx.sessionmaker() as s:
        assert (await s.execute(select(TaskSubmission))).first() is None
    assert not (services.ctx.files_dir and any(services.ctx.files_dir.rglob("*")))


async def test_answer_in_the_chat_is_stored_and_withdrawal_deletes_it(world: World) -> None:
    task_id = await _task(world.services, 1)
    p = world.person(USER)
    await p.press_data(f"tk:{task_id}:answer")
    world.session.add_file("ans-fake", EXE)
    reply = await p.send(document=document("ans-fake", "ответ.pdf", "application/pdf", len(EXE)))
    assert "исполняемый файл (EXE)" in reply
    world.session.add_file("ans-doc", PDF)
    reply = await p.send(document=document("ans-doc", "ответ.pdf", "application/pdf", len(PDF)))
    assert "Копия ответа сохранена" in reply and hashlib.sha256(PDF).hexdigest()[:16] in reply
    assert any(t == "Назад" or "Назад" in t for _, t, _ in p.buttons())
    async with world.services.ctx.sessionmaker() as s:
        row = (await s.execute(select(TaskSubmission))).scalar_one()
    stored = Path(row.storage_path)
    assert stored.read_bytes() == PDF
    await world.services.participants.withdraw(USER, 1)
    assert not stored.exists()
    async with world.services.ctx.sessionmaker() as s:
        row = (await s.execute(select(TaskSubmission))).scalar_one()
    assert row.sha256 is None and row.storage_path is None and row.telegram_file_id == ""


# --------------------------------------------------------------------------- «Показать СНИЛС» (R-PD-2)


async def test_snils_shown_to_the_regional_coordinator_once_and_audited(
    services: Services, contest_id: int, caplog
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    pid = await verified_form(services, contest_id)
    c = services.coordination
    assert await c.may_show_snils(COORD_MOSCOW, pid)
    assert not await c.may_show_snils(COORD_OBLAST, pid) and not await c.may_show_snils(
        FEDERAL, pid
    )
    shown = await c.show_snils(COORD_MOSCOW, pid)
    assert shown.snils == SNILS
    again = await c.show_snils(COORD_MOSCOW, pid)  # a double tap: nothing shown again
    assert again.snils is None and again.at == shown.at
    for other in (COORD_OBLAST, FEDERAL, 555999):
        with pytest.raises(Forbidden) as err:
            await c.show_snils(other, pid)
        assert "только координатор региона" in error_text(err.value)
    async with services.ctx.sessionmaker() as s:
        audit = (
            (
                await s.execute(
                    select(AuditRecord).where(AuditRecord.action == "participant.snils_shown")
                )
            )
            .scalars()
            .all()
        )
    assert (
        len(audit) == 1
        and audit[0].actor_telegram_id == COORD_MOSCOW
        and audit[0].after == {"snils": "***-***-*** 95"}
    )
    assert "112-233-445" not in caplog.text and "11223344595" not in caplog.text
    services.ctx.clock.advance(minutes=2)  # type: ignore[attr-defined]
    assert (await c.show_snils(COORD_MOSCOW, pid)).snils == SNILS  # a later showing: its own row


async def test_snils_double_tap_at_once_shows_it_once(services: Services, contest_id: int) -> None:
    """Two presses at once (two bot instances): the participant's row is locked, the second
    sees the first showing — one message with the number, one audit row."""
    pid = await verified_form(services, contest_id)
    results = await asyncio.gather(
        *(services.coordination.show_snils(COORD_MOSCOW, pid) for _ in range(2))
    )
    assert sorted(r.snils is None for r in results) == [False, True]
    async with services.ctx.sessionmaker() as s:
        rows = (
            (
                await s.execute(
                    select(AuditRecord).where(AuditRecord.action == "participant.snils_shown")
                )
            )
            .scalars()
            .all()
        )
    assert len(rows) == 1


async def test_snils_button_in_the_chat(world: World) -> None:
    pid = await verified_form(world.services, 1)
    coord = world.person(COORD_MOSCOW)
    await coord.press_data(f"vc:{pid}")
    assert coord.has_button("Показать СНИЛС")
    reply = await coord.press("Показать СНИЛС")
    assert SNILS in reply and "записан в журнал" in reply
    sent = [m for m in world.session.requests if getattr(m, "text", None) and SNILS in m.text]
    assert len(sent) == 1 and sent[0].protect_content is True
    reply = await coord.press_data(f"sn:{pid}")
    assert SNILS not in reply and "уже показан" in reply
    other = world.person(COORD_OBLAST)
    await other.press_data(f"vc:{pid}")
    assert not other.has_button("Показать СНИЛС")
    reply = await other.press_data(f"sn:{pid}")  # a forged button
    assert SNILS not in reply and "только координатор региона" in reply
    assert (
        sum(1 for m in world.session.requests if getattr(m, "text", None) and SNILS in m.text) == 1
    )
    # nothing keeps the number: no table row (inbox, outbox, audit, conversations) holds it
    from sqlalchemy import text

    from models.tables import Base

    async with world.services.ctx.sessionmaker() as s:
        dump = ""
        for table in Base.metadata.sorted_tables:
            dump += str((await s.execute(text(f"SELECT * FROM {table.name}"))).all())
    assert "112-233-445" not in dump and "11223344595" not in dump


# --------------------------------------------------------------------------- no copy on disk


async def test_withdrawal_leaves_no_copy_of_the_name_in_the_sqlite_files(
    sqlite_url: str, tmp_path: Path
) -> None:
    """R-PD-1 (issue #15): after the anonymising commit the name is in no database file —
    not in free pages (secure_delete), not in the write-ahead log (checkpoint, truncate)."""
    from models.clock import FixedClock
    from models.crypto import PersonalDataCipher
    from models.services.base import ServiceContext
    from tests.conftest import EXAMPLE, IN_PERIOD, TEST_KEY, JobLog

    engine = create_engine(sqlite_url)
    ctx = ServiceContext(
        sessionmaker=create_sessionmaker(engine),
        cipher=PersonalDataCipher(TEST_KEY),
        clock=FixedClock(IN_PERIOD),
        jobs=JobLog(),
        files_dir=tmp_path / "files",
    )
    services = Services(ctx)
    try:
        contest_id = (
            await services.contests.load_definition(None, EXAMPLE.read_bytes())
        ).contest_id
        await services.participants.give_consent(USER, contest_id)
        name = "Чрезвычайнова Уникалия Приметовна"
        await services.participants.set_full_name(USER, contest_id, name)
        db = Path(sqlite_url.split("///", 1)[1])
        needle = "Чрезвычайнова".encode()

        def on_disk() -> bool:
            return any(
                needle in p.read_bytes() for p in db.parent.glob(db.name + "*") if p.is_file()
            )

        assert on_disk()  # the test can see it before
        await services.participants.withdraw(USER, contest_id)
        assert not on_disk()
    finally:
        await engine.dispose()


def test_key_beside_the_database_is_reported(tmp_path: Path) -> None:
    settings = Settings(bot_token="1:x", data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert settings.key_beside_database() is None
    settings.encryption_key()
    assert settings.key_beside_database() == tmp_path / "pd.key"
    assert (
        Settings(
            bot_token="1:x", data_dir=tmp_path, pd_encryption_key="k" * 44, _env_file=None
        ).key_beside_database()
        is None
    )  # type: ignore[call-arg]
