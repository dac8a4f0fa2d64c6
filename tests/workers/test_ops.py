"""Operations (issue 8, items 4–5): health and readiness endpoints, Prometheus metrics that
count, JSON logs that still mask the СНИЛС, the retention purge (R-PD-3) under a clock the
test moves, and the subject-access export (the person's data, nobody else's)."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import socket
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import REGISTRY
from sqlalchemy import select, text

from models.clock import FixedClock
from models.db import create_engine
from models.errors import Forbidden
from models.rules import ConditionAnswers
from models.services import Services, TelegramFile
from models.tables import (
    Application,
    ApplicationFile,
    AuditRecord,
    Participant,
    Person,
    Protocol,
    ProtocolSigner,
)
from tests.conftest import ADMIN_ID, COORD_MOSCOW, EXAMPLE, REDIS_URL, ids

UTC = ZoneInfo("UTC")
ANNA, PETR = 555101, 555102
ANNA_SNILS, PETR_SNILS = "112-233-445 95", "123-456-789 64"
ANNA_NAME, PETR_NAME = "Иванова Анна Петровна", "Петров Пётр Петрович"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


# --------------------------------------------------------------------------- metrics


async def test_an_update_is_counted_and_timed_by_its_handler_and_exposed(world) -> None:  # type: ignore[no-untyped-def]
    from bot.health import health_app

    before = {
        s.labels["handler"]: s.value
        for m in REGISTRY.collect()
        if m.name == "contest_bot_updates"
        for s in m.samples
        if s.name.endswith("_total") and s.labels["outcome"] == "ok"
    }
    await world.person(555001, "Анна").send("/start")
    after = {
        s.labels["handler"]: s.value
        for m in REGISTRY.collect()
        if m.name == "contest_bot_updates"
        for s in m.samples
        if s.name.endswith("_total") and s.labels["outcome"] == "ok"
    }
    grown = [h for h, v in after.items() if v > before.get(h, 0)]
    assert len(grown) == 1 and grown[0] != "unhandled", grown
    handler = grown[0]
    assert sample("contest_bot_update_seconds_count", handler=handler) >= 1

    engine = world.services.ctx.sessionmaker.kw["bind"]
    async with TestClient(TestServer(health_app(engine, None, None))) as client:
        resp = await client.get("/metrics")
        assert resp.status == 200
        body = await resp.text()
        assert f'contest_bot_updates_total{{handler="{handler}",outcome="ok"}}' in body
        assert "contest_deliveries" in body and "contest_sweep_seconds" in body
        assert (await client.get("/healthz")).status == 200
        ready = await client.get("/readyz")
        assert ready.status == 200 and (await ready.json()) == {"database": "ok"}


async def test_readiness_fails_when_the_database_is_unreachable() -> None:
    from bot.health import health_app

    broken = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        async with TestClient(TestServer(health_app(broken, None, None))) as client:
            resp = await client.get("/readyz")
            assert resp.status == 503
            assert (await resp.json())["database"] != "ok"
            assert (await client.get("/healthz")).status == 200  # alive, just not ready
    finally:
        await broken.dispose()


def test_worker_and_scheduler_endpoint_thread(sqlite_url: str) -> None:
    from ops.http import Probe, serve

    port = free_port()
    server = serve(port, Probe(sqlite_url, REDIS_URL))
    assert server is not None
    try:
        assert get(f"http://127.0.0.1:{port}/healthz") == (200, "ok\n")
        status, body = get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200 and json.loads(body)["database"] == "ok"
        if REDIS_URL:
            assert json.loads(body)["redis"] == "ok"
        status, body = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200 and "contest_deliveries" in body and "contest_queue_depth" in body
        assert serve(port, Probe(sqlite_url, None)) is None  # port taken: a warning, not a crash
    finally:
        server.shutdown()
        server.server_close()

    port = free_port()
    broken = serve(
        port, Probe("postgresql+asyncpg://nobody@127.0.0.1:1/none", "redis://127.0.0.1:1/0")
    )
    assert broken is not None
    try:
        status, body = get(f"http://127.0.0.1:{port}/readyz")
        assert status == 503
        checks = json.loads(body)
        assert checks["database"] != "ok" and checks["redis"] != "ok"
    finally:
        broken.shutdown()
        broken.server_close()


def test_queue_depth_of_the_in_memory_broker() -> None:
    from dramatiq.brokers.stub import StubBroker

    from ops.metrics import queue_depths

    broker = StubBroker()
    broker.declare_queue("deliveries")
    broker.queues["deliveries"].put(b"x")
    depths = queue_depths(broker)
    assert depths["deliveries"] == 1 and depths["deliveries.DQ"] == 0


async def test_sweep_duration_and_sent_messages_are_counted(
    services: Services, contest_id: int, jobs, clock, telegram
) -> None:  # type: ignore[no-untyped-def]
    from bot.callbacks import button_data
    from notifications.delivery import Outcome, deliver
    from notifications.sweep import sweep
    from tests.builders import verified_form
    from tests.fakes import make_bot

    sweeps = sample("contest_sweep_seconds_count")
    await sweep(services.ctx.sessionmaker, clock.now(), lambda job, i: None)
    assert sample("contest_sweep_seconds_count") == sweeps + 1

    pid = await verified_form(services, contest_id, ANNA)
    await services.coordination.decide(COORD_MOSCOW, pid, accept=True)
    sent = sample("contest_reminders_sent_total", kind="verification_status")
    bot = make_bot(telegram)
    outcomes = [
        await deliver(bot, services.ctx.sessionmaker, clock, i, buttons=button_data)
        for i in jobs.take("deliver")
    ]
    assert Outcome.SENT in outcomes
    assert sample(
        "contest_reminders_sent_total", kind="verification_status"
    ) == sent + outcomes.count(Outcome.SENT)


def test_json_logs_keep_the_snils_mask() -> None:
    from models.logsafe import MaskingFormatter
    from ops.logs import json_formatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter(json_formatter()))
    record = logging.LogRecord(
        "bot", logging.INFO, __file__, 1, "input %s", ("112-233-445 95",), None
    )
    line = handler.format(record)
    parsed = json.loads(line)
    assert parsed["level"] == "INFO" and parsed["logger"] == "bot"
    assert "445" not in line and "***-***-*** **" in parsed["message"]


# --------------------------------------------------------------------------- retention (R-PD-3)


async def _participant(
    services: Services, contest_id: int, user: int, name: str, snils: str, display: str
) -> int:
    known = await ids(services, contest_id)
    p = services.participants
    await p.give_consent(user, contest_id, display)
    await p.set_full_name(user, contest_id, name)
    await p.set_snils(user, contest_id, snils)
    await p.set_region(user, contest_id, known["regions"]["77"])
    await p.set_organisation(
        user, contest_id, known["orgs"][next(c for c in known["orgs"] if c.startswith("77"))]
    )
    view = await p.submit_verification(user, contest_id)
    await services.coordination.decide(COORD_MOSCOW, view.id, accept=True)
    return view.id


async def _application(
    services: Services, contest_id: int, user: int, content: bytes, uid: str
) -> str:
    """A nomination, a field and one presentation stored in the files directory."""
    known = await ids(services, contest_id)
    p = services.participants
    await p.choose_nomination(
        user, contest_id, known["noms"]["best_social_worker"], ConditionAnswers(experience_years=7)
    )
    await p.set_field(user, contest_id, "position", f"Должность {user}")
    await p.add_file(
        user,
        contest_id,
        "presentation",
        TelegramFile(f"id-{uid}", uid, f"{uid}.pdf", "application/pdf", len(content)),
    )
    sha = hashlib.sha256(content).hexdigest()
    path = Path(services.ctx.files_dir) / sha[:2] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    async with services.ctx.sessionmaker() as s, s.begin():
        row = (
            await s.execute(
                select(ApplicationFile)
                .join(Application, Application.id == ApplicationFile.application_id)
                .join(Participant, Participant.id == Application.participant_id)
                .join(Person, Person.id == Participant.person_id)
                .where(Person.telegram_id == user, Participant.contest_id == contest_id)
            )
        ).scalar_one()
        row.sha256, row.storage_path = sha, str(path)
    return sha


def _later_contest() -> bytes:
    """The example contest a year later, under another code."""
    raw = EXAMPLE.read_text(encoding="utf-8").replace("code: soc-2027", "code: soc-2028")
    return raw.replace("2027-", "2028-").replace("2026-", "2027-").encode()


async def _two_contests(services: Services, clock: FixedClock) -> tuple[int, int]:
    old = (await services.contests.load_definition(None, EXAMPLE.read_bytes())).contest_id
    await _participant(services, old, ANNA, ANNA_NAME, ANNA_SNILS, "Анна")
    await _participant(services, old, PETR, PETR_NAME, PETR_SNILS, "Пётр")
    await _application(services, old, ANNA, b"anna's presentation", "anna")
    await _application(services, old, PETR, b"petr's presentation", "petr")
    async with services.ctx.sessionmaker() as s, s.begin():
        protocol = Protocol(
            contest_id=old,
            kind="results",
            subject_key="results:regional",
            title="Итоговый протокол",
            status="complete",
            current_version=1,
            created_at=clock.now(),
        )
        s.add(protocol)
        await s.flush()
        s.add(
            ProtocolSigner(
                protocol_id=protocol.id,
                telegram_id=COORD_MOSCOW,
                role="chair",
                name="Председатель Комиссии",
            )
        )
    # Anna takes part in next year's contest too
    recent = (await services.contests.load_definition(None, _later_contest())).contest_id
    clock.at = datetime(2028, 2, 1, 10, 0, tzinfo=UTC)
    await _participant(services, recent, ANNA, ANNA_NAME, ANNA_SNILS, "Анна")
    return old, recent


async def test_retention_anonymises_a_contest_five_years_after_its_end(
    services: Services, clock: FixedClock, engine
) -> None:  # type: ignore[no-untyped-def]
    old, recent = await _two_contests(services, clock)
    files_dir = Path(services.ctx.files_dir)
    assert len([p for p in files_dir.rglob("*") if p.is_file()]) == 2

    # the old contest ends 2027-08-01 (its federal stage's evaluation deadline): kept until 2032-08-01
    clock.at = datetime(2032, 7, 31, 12, 0, tzinfo=UTC)
    report = await services.retention.purge(5)
    assert not report.changed and report.contests == []

    clock.at = datetime(2032, 8, 2, 12, 0, tzinfo=UTC)
    report = await services.retention.purge(5)
    assert [c.code for c in report.contests] == ["soc-2027"]
    assert (
        report.participants == 2 and report.files_deleted == 2 and report.persons == 1
    )  # Пётр's name; Анна is in 2028

    async with engine.connect() as conn:
        old_rows = " ".join(
            str(r)
            for r in (
                await conn.execute(text(f"SELECT * FROM participants WHERE contest_id = {old}"))
            ).all()
        )
        old_rows += " ".join(
            str(r)
            for r in (
                await conn.execute(text("SELECT field_values, condition_answers FROM applications"))
            ).all()
        )
        old_rows += " ".join(
            str(r)
            for r in (
                await conn.execute(
                    text(
                        "SELECT telegram_file_id, file_name, sha256, storage_path FROM application_files"
                    )
                )
            ).all()
        )
    for gone in ("Иванова", "Петров", "Должность 555102", "anna.pdf", "petr.pdf", "id-anna"):
        assert gone not in old_rows, gone
    assert not [p for p in files_dir.rglob("*") if p.is_file()]  # stored copies deleted
    async with services.ctx.sessionmaker() as s:
        olds = (
            (await s.execute(select(Participant).where(Participant.contest_id == old)))
            .scalars()
            .all()
        )
        assert all(
            p.full_name is None
            and p.snils_encrypted is None
            and p.snils_hmac is None
            and p.snils_last2 is None
            for p in olds
        )
        assert {p.verification_status for p in olds} == {"accepted"}  # statuses stay for statistics
        kept = (
            await s.execute(select(Participant).where(Participant.contest_id == recent))
        ).scalar_one()
        assert (
            kept.full_name == ANNA_NAME and kept.snils_encrypted is not None
        )  # a recent contest is untouched
        names = {p.telegram_id: p.display_name for p in (await s.execute(select(Person))).scalars()}
        assert names[ANNA] == "Анна" and names[PETR] is None
        signer = (await s.execute(select(ProtocolSigner))).scalar_one()  # protocol records stay
        assert signer.name == "Председатель Комиссии"
        assert (
            await s.execute(select(Protocol).where(Protocol.contest_id == old))
        ).scalar_one().title == "Итоговый протокол"
        audits = (
            (await s.execute(select(AuditRecord).where(AuditRecord.action == "retention.purge")))
            .scalars()
            .all()
        )
        assert len(audits) == 1 and audits[0].contest_id == old

    again = await services.retention.purge(5)  # idempotent
    assert not again.changed and again.participants == 0 and again.files_deleted == 0
    async with services.ctx.sessionmaker() as s:
        assert (
            len(
                (
                    await s.execute(
                        select(AuditRecord).where(AuditRecord.action == "retention.purge")
                    )
                )
                .scalars()
                .all()
            )
            == 1
        )


async def test_subject_access_export_holds_the_person_and_nobody_else(
    services: Services, clock: FixedClock
) -> None:
    await _two_contests(services, clock)
    data = await services.retention.export_person(ADMIN_ID, ANNA)
    dump = json.dumps(data, ensure_ascii=False)
    assert data["person"]["display_name"] == "Анна"
    assert len(data["participants"]) == 2 and {p["contest"] for p in data["participants"]} == {
        "soc-2027",
        "soc-2028",
    }
    first = data["participants"][0]
    assert first["full_name"] == ANNA_NAME
    assert (
        "".join(ch for ch in first["snils"] if ch.isdigit()) == "11223344595"
    )  # hers, decrypted (R-PD-2: her own data)
    assert first["application"]["fields"]["position"] == f"Должность {ANNA}"
    assert [f["file_name"] for f in first["application"]["files"]] == ["anna.pdf"]
    assert any(a["action"] == "participant.consent" or a["as"] == "subject" for a in data["audit"])
    for other in (PETR_NAME, "Пётр", PETR_SNILS, "12345678964", "petr.pdf", f"Должность {PETR}"):
        assert other not in dump, other
    with pytest.raises(Forbidden):
        await services.retention.export_person(PETR, ANNA)
    async with services.ctx.sessionmaker() as s:
        assert (
            await s.execute(select(AuditRecord).where(AuditRecord.action == "person.export"))
        ).scalar_one().actor_telegram_id == ADMIN_ID


async def test_export_person_command_is_for_admins_only(world) -> None:  # type: ignore[no-untyped-def]
    from aiogram.methods import SendDocument

    from tests.builders import register

    anna = await register(world, 555001)
    reply = await anna.send("/export_person 555001")
    assert "только администратору" in reply
    assert not world.session.calls(SendDocument)

    admin = world.person(ADMIN_ID, "Админ")
    assert "Укажите Telegram ID" in await admin.send("/export_person")
    await admin.send("/export_person 555001")
    docs = [d for d in world.session.calls(SendDocument) if str(d.chat_id) == str(ADMIN_ID)]
    assert len(docs) == 1
    data = json.loads(docs[0].document.data.decode())
    assert (
        data["telegram_id"] == 555001
        and data["participants"][0]["full_name"] == "Иванова Анна Петровна"
    )
    assert "ничего не хранится" in await admin.send("/export_person 999999999")


def test_add_years_and_contest_end() -> None:
    from models.services.retention import add_years

    assert add_years(datetime(2024, 2, 29, tzinfo=UTC), 5) == datetime(2029, 2, 28, tzinfo=UTC)
    assert add_years(datetime(2027, 8, 1, tzinfo=UTC), 5) == datetime(2032, 8, 1, tzinfo=UTC)


def test_retention_is_scheduled_daily_and_the_cli_runs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import main
    from workers.scheduler import add_retention_job

    class Recorder:
        def __init__(self) -> None:
            self.jobs: list[tuple[object, object, dict[str, object]]] = []

        def add_job(self, func: object, trigger: object, **kw: object) -> None:
            self.jobs.append((func, trigger, kw))

    sched = Recorder()
    add_retention_job(sched)
    func, trigger, kw = sched.jobs[0]
    assert (
        kw["id"] == "retention"
        and "hour='2'" in str(trigger)
        and getattr(func, "__self__", None).actor_name == "retention"
    )

    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    for name in ("DATABASE_URL", "REDIS_URL", "PD_ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert main(["retention"]) == 0
    assert "Срок хранения 5 лет" in capsys.readouterr().out
    out = tmp_path / "person.json"
    assert main(["export-person", "555001", "--output", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["telegram_id"] == 555001 and data["participants"] == []
