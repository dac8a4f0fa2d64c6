"""Monitoring (R-COO-2): /progress and its Excel export — exact counts on SQLite and on
PostgreSQL, region scoping, refusals, the workbook, and the bot's command and button."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram.methods import SendDocument
from aiogram.types import BufferedInputFile
from openpyxl import load_workbook

from models.clock import FixedClock
from models.crypto import PersonalDataCipher
from models.db import create_engine, create_sessionmaker
from models.errors import Forbidden
from models.services import ServiceContext, Services
from models.services.monitoring import ProgressReport
from notifications.exports import progress_workbook
from tests.builders import (
    PRACTICE,
    SOCIAL,
    YOUNG,
    World,
    accepted_in,
    application,
    dispatcher_for,
    form,
)
from tests.conftest import (
    ADMIN_ID,
    COORD_MOSCOW,
    COORD_OBLAST,
    EXAMPLE,
    EXPERT,
    FEDERAL,
    IN_PERIOD,
    TEST_KEY,
    JobLog,
)
from tests.fakes import FakeTelegramSession, make_bot


async def populate(services: Services, contest_id: int, clock: FixedClock) -> None:
    """Moscow (77): a draft form, two pending (one sent 4 days ago), three accepted (no
    nomination yet; a draft application; a submitted one), one rejected, one withdrawn with a
    draft application. Moscow oblast (50): one pending (sent a day ago), one accepted with a
    submitted application. Plus someone who only consented (no region yet)."""
    now = clock.at
    clock.at = now - timedelta(days=4)
    await form(services, contest_id, 701, "77")  # oldest pending
    clock.at = now - timedelta(days=1)
    await form(services, contest_id, 751, "50")
    clock.at = now
    await form(services, contest_id, 700, "77", submit=False)
    await form(services, contest_id, 702, "77")
    await accepted_in(services, contest_id, 703, "77")
    await accepted_in(services, contest_id, 704, "77")
    await application(services, contest_id, 704, SOCIAL, submit=False)
    await accepted_in(services, contest_id, 705, "77")
    await application(services, contest_id, 705, YOUNG, submit=True)
    rejected = await form(services, contest_id, 706, "77")
    await services.coordination.decide(
        COORD_MOSCOW,
        rejected,
        accept=False,
        reason="Место работы не соответствует данным Вашего СНИЛС",
    )
    await accepted_in(services, contest_id, 707, "77")
    await application(services, contest_id, 707, SOCIAL, submit=False)
    await services.participants.withdraw(707, contest_id)
    await accepted_in(services, contest_id, 752, "50")
    await application(services, contest_id, 752, SOCIAL, submit=True)
    await form(services, contest_id, 799, None)


def counts(report: ProgressReport) -> dict[str, int]:
    v = report.verification
    return {
        "draft": v.draft,
        "pending": v.pending,
        "accepted": v.accepted,
        "rejected": v.rejected,
        "withdrawn": v.withdrawn,
    }


def matrix(report: ProgressReport) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (a.region_code, a.nomination_code): (a.drafts, a.submitted) for a in report.applications
    }


# --------------------------------------------------------------------------- the service


async def test_federal_and_admin_see_every_region(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    await populate(services, contest_id, clock)
    for who in (FEDERAL, ADMIN_ID):
        report = await services.monitoring.progress(who, contest_id)
        assert report.scope is None
        assert counts(report) == {
            "draft": 2,
            "pending": 3,
            "accepted": 4,
            "rejected": 1,
            "withdrawn": 1,
        }
        assert report.verification.total == 11
        assert report.verification.oldest_pending_at == IN_PERIOD - timedelta(days=4)
        assert (
            report.oldest_pending_age == timedelta(days=4) and report.oldest_pending_overdue
        )  # R-VER-4
        # the withdrawn participant's draft no longer counts (R-PD-1)
        assert matrix(report) == {
            ("77", SOCIAL): (1, 0),
            ("77", YOUNG): (0, 1),
            ("77", PRACTICE): (0, 0),
            ("50", SOCIAL): (0, 1),
            ("50", YOUNG): (0, 0),
            ("50", PRACTICE): (0, 0),
        }
        assert (report.drafts, report.submitted) == (1, 2)
        by_region = {r.code: r for r in report.regions}
        assert list(by_region) == ["77", "50", None]  # definition order; no region last
        moscow, oblast, nowhere = by_region["77"], by_region["50"], by_region[None]
        assert (moscow.name, moscow.drafts, moscow.submitted, moscow.no_application) == (
            "г. Москва",
            1,
            1,
            1,
        )
        assert (moscow.verification.pending, moscow.verification.withdrawn) == (2, 1)
        assert (
            oblast.drafts,
            oblast.submitted,
            oblast.no_application,
            oblast.verification.pending,
        ) == (0, 1, 0, 1)
        assert oblast.verification.oldest_pending_at == IN_PERIOD - timedelta(days=1)
        assert (nowhere.verification.draft, nowhere.verification.total) == (1, 1)
        # not built yet: honest zero rows
        assert report.scoring == () and report.signatures == ()


async def test_regional_coordinators_see_only_their_regions(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    await populate(services, contest_id, clock)
    moscow = await services.monitoring.progress(COORD_MOSCOW, contest_id)
    assert moscow.scope == ("77",)
    assert counts(moscow) == {
        "draft": 1,
        "pending": 2,
        "accepted": 3,
        "rejected": 1,
        "withdrawn": 1,
    }
    assert [r.code for r in moscow.regions] == ["77"]
    assert matrix(moscow) == {
        ("77", SOCIAL): (1, 0),
        ("77", YOUNG): (0, 1),
        ("77", PRACTICE): (0, 0),
    }
    assert moscow.oldest_pending_age == timedelta(days=4)

    oblast = await services.monitoring.progress(COORD_OBLAST, contest_id)
    assert oblast.scope == ("50",)
    assert counts(oblast) == {
        "draft": 0,
        "pending": 1,
        "accepted": 1,
        "rejected": 0,
        "withdrawn": 0,
    }
    assert [r.code for r in oblast.regions] == ["50"]
    assert matrix(oblast) == {
        ("50", SOCIAL): (0, 1),
        ("50", YOUNG): (0, 0),
        ("50", PRACTICE): (0, 0),
    }
    assert oblast.verification.oldest_pending_at == IN_PERIOD - timedelta(days=1)
    assert oblast.oldest_pending_age == timedelta(days=1) and not oblast.oldest_pending_overdue


async def test_outsiders_are_refused(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    await populate(services, contest_id, clock)
    for outsider in (701, 752, EXPERT, 424242):
        with pytest.raises(Forbidden) as err:
            await services.monitoring.progress(outsider, contest_id)
        assert err.value.code == "not_coordinator"
        with pytest.raises(Forbidden):
            progress_workbook(await services.monitoring.progress(outsider, contest_id))


async def test_empty_contest_is_all_zeros(services: Services, contest_id: int) -> None:
    report = await services.monitoring.progress(COORD_MOSCOW, contest_id)
    assert counts(report) == dict.fromkeys(
        ("draft", "pending", "accepted", "rejected", "withdrawn"), 0
    )
    assert report.verification.oldest_pending_at is None and report.oldest_pending_age is None
    assert set(matrix(report).values()) == {(0, 0)} and len(report.applications) == 3
    assert report.export_file_name == "progress-soc-2027-2027-02-01.xlsx"


async def test_workbook_opens_and_holds_the_numbers(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    await populate(services, contest_id, clock)
    book = load_workbook(
        io.BytesIO(progress_workbook(await services.monitoring.progress(FEDERAL, contest_id)))
    )
    assert book.sheetnames == ["Верификация", "Заявки", "Оценивание", "Подписи"]
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2"
        assert all(cell.font.bold for cell in ws[1] if cell.value is not None)
        assert ws.column_dimensions["A"].width >= 8
    rows = [list(r) for r in book["Верификация"].iter_rows(values_only=True)]
    assert rows[0][:3] == ["Регион", "Анкета не отправлена", "На рассмотрении"]
    moscow = next(r for r in rows if r[0] == "г. Москва")
    # draft, pending, oldest (local time), days waiting, accepted, no nomination, rejected, withdrawn, total
    assert moscow[1:3] == [1, 2] and moscow[3].strftime("%d.%m.%Y %H:%M") == "28.01.2027 10:00"
    assert moscow[4:] == [4, 3, 1, 1, 1, 8]
    assert next(r for r in rows if r[0] == "Регион не указан")[1] == 1
    assert next(r for r in rows if r[0] == "Итого")[1:3] == [2, 3]
    applications = [list(r) for r in book["Заявки"].iter_rows(values_only=True)]
    assert applications[0] == ["Регион", "Номинация", "Черновики", "Поданы", "Всего"]
    assert ["г. Москва", "Лучший социальный работник", 1, 0, 1] in applications
    assert ["Московская область", "Лучший социальный работник", 0, 1, 1] in applications
    assert applications[-1] == ["Итого", None, 1, 2, 3]
    assert book["Оценивание"]["A2"].value == "оценивание ещё не начато"
    assert book["Подписи"]["A2"].value == "неподписанных протоколов нет"

    mine = load_workbook(
        io.BytesIO(progress_workbook(await services.monitoring.progress(COORD_OBLAST, contest_id)))
    )
    regions = {r[0] for r in mine["Заявки"].iter_rows(min_row=2, values_only=True)}
    assert regions == {"Московская область", "Итого"}


def test_workbook_of_future_sections_renders_rows() -> None:
    """The scoring and signature sheets already render rows once the service fills them."""
    from models.services.monitoring import MissingSignature, ScoringProgress, VerificationCounts

    report = ProgressReport(
        1,
        "c",
        "Конкурс",
        "Europe/Moscow",
        IN_PERIOD,
        None,
        VerificationCounts(),
        (),
        (),
        (ScoringProgress("г. Москва", "Лучший социальный работник", 4, 3),),
        (MissingSignature("Протокол блокировки оценок", "Орлов Д. И.", IN_PERIOD),),
    )
    book = load_workbook(io.BytesIO(progress_workbook(report)))
    assert list(book["Оценивание"].iter_rows(min_row=2, values_only=True)) == [
        ("г. Москва", "Лучший социальный работник", 4, 3, 75)
    ]
    assert book["Подписи"]["B2"].value == "Орлов Д. И."
    assert book["Заявки"]["A2"].value == "Заявок пока нет"


# --------------------------------------------------------------------------- the bot


@pytest.fixture
async def world(sqlite_url: str, tmp_path: Path) -> AsyncIterator[World]:
    engine = create_engine(sqlite_url)
    clock = FixedClock(IN_PERIOD)
    jobs = JobLog()
    ctx = ServiceContext(
        sessionmaker=create_sessionmaker(engine),
        cipher=PersonalDataCipher(TEST_KEY),
        clock=clock,
        jobs=jobs,
        admin_ids=frozenset({ADMIN_ID}),
        files_dir=tmp_path / "files",
    )
    services = Services(ctx)
    await services.contests.load_definition(None, EXAMPLE.read_bytes())
    session = FakeTelegramSession()
    yield World(
        services,
        dispatcher_for(services),
        make_bot(session),
        session,
        jobs,
        clock,
        tmp_path / "files",
    )
    await engine.dispose()


def documents(world: World) -> list[SendDocument]:
    return [r for r in world.session.requests if isinstance(r, SendDocument)]


async def test_progress_command_and_excel_export(world: World) -> None:
    await populate(world.services, 1, world.clock)
    coord = world.person(COORD_MOSCOW, "Ольга")
    assert "/progress — ход конкурса и выгрузка в Excel" in await coord.send("/help")
    reply = await coord.send("/progress")
    assert "Ход конкурса" in reply and "Регионы: г. Москва" in reply
    assert "На рассмотрении: 2 · подтверждено: 3 · отказано: 1" in reply
    assert "⚠️ Самый давний запрос ждёт 4 дня" in reply
    assert "черновики / поданы: 1 / 1" in reply and "Лучший молодой специалист: 0 / 1" in reply
    assert "Московская область" not in reply
    assert "оценивание ещё не начато" in reply and "неподписанных протоколов нет" in reply
    assert coord.has_button("Выгрузить в Excel")
    await coord.press("Выгрузить в Excel")
    [sent] = documents(world)
    assert str(sent.chat_id) == str(COORD_MOSCOW) and world.session.succeeded(sent)
    assert isinstance(sent.document, BufferedInputFile)
    assert sent.document.filename == "progress-soc-2027-2027-02-01.xlsx"
    book = load_workbook(io.BytesIO(sent.document.data))
    assert ["г. Москва", "Лучший молодой специалист", 0, 1, 1] in [
        list(r) for r in book["Заявки"].iter_rows(values_only=True)
    ]
    assert coord.answered_all_callbacks()


async def test_progress_is_refused_to_others_even_with_a_forged_button(world: World) -> None:
    await populate(world.services, 1, world.clock)
    outsider = world.person(701, "Мария")
    assert "только координатору" in await outsider.send("/progress")
    reply = await outsider.press_data("pg:1")
    assert "только координатору" in reply
    assert documents(world) == []


async def test_a_coordinator_of_several_contests_chooses_one(world: World) -> None:
    second = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace("code: soc-2027", "code: soc-2028")
        .replace("(2027)", "(2028)")
    )
    await world.services.contests.load_definition(None, second.encode())
    admin = world.person(ADMIN_ID, "Админ")
    assert "Выберите конкурс" in await admin.send("/progress")
    reply = await admin.press("(2028)")
    assert "Ход конкурса" in reply and "(2028)" in reply and "Все регионы" in reply
    assert "Заявок пока нет" in reply
    await admin.press("Выгрузить в Excel")
    [sent] = documents(world)
    assert sent.document.filename == "progress-soc-2028-2027-02-01.xlsx"


def test_a_long_summary_fits_one_message() -> None:
    """Federal scope over many regions: the message lists the first ones and fits Telegram's
    4096 characters; the workbook has them all."""
    from bot.handlers.scoring.contest_progress import MESSAGE_REGIONS, summary_text
    from models.services.monitoring import NominationProgress, RegionProgress, VerificationCounts

    regions = tuple(
        RegionProgress(
            f"{n:02d}",
            f"Регион № {n} с очень длинным названием" * 2,
            VerificationCounts(pending=1),
            2,
            3,
            4,
        )
        for n in range(90)
    )
    apps = tuple(
        NominationProgress(r.code, r.name, f"nom{k}", f"Номинация {k}", 1, 1)
        for r in regions
        for k in range(3)
    )
    report = ProgressReport(
        1,
        "c",
        "Конкурс",
        "Europe/Moscow",
        IN_PERIOD,
        None,
        VerificationCounts(pending=90),
        regions,
        apps,
        (),
        (),
    )
    text = summary_text(report)
    assert len(text) <= 4096
    assert (
        f"…и ещё регионов: {90 - MESSAGE_REGIONS}" in text
        or "полный отчёт — в выгрузке Excel" in text
    )
    assert len(load_workbook(io.BytesIO(progress_workbook(report)))["Заявки"]["A"]) == 1 + 270 + 1
