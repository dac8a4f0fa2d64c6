"""The rehearsal clock (issue #12 §4, models/clock.py): ``CLOCK_START`` starts every process's
clock at a moment of the contest and lets it run at normal speed, so the worker-enforced
deadlines (R-REM-1/3, R-APL-3/7/8) can be rehearsed against the real processes.

Unit tests of the clock, the common anchor (processes agree), the refusal with a production
database, /help for admins — and one end-to-end rehearsal: the real bot, ``dramatiq`` worker
and scheduler processes on PostgreSQL + Redis, the clock set 15 seconds before the R-REM-1
«3 hours before the application deadline» reminder, and the Bot API stand-in receives it."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from models.clock import (
    REHEARSAL_ACTION,
    ClockMisconfigured,
    FixedClock,
    RehearsalClock,
    SystemClock,
    clock_from_settings,
    resolve_anchor,
)
from models.crypto import PersonalDataCipher
from models.db import create_engine, create_sessionmaker
from models.services import ServiceContext, Services
from models.settings import Settings
from models.tables import AuditRecord, Delivery
from notifications.rehearsal import check_clock, resolve_clock
from tests.conftest import (
    ADMIN_ID,
    COORD_MOSCOW,
    EXAMPLE,
    IN_PERIOD,
    PG_URL,
    REDIS_URL,
    needs_postgres,
    needs_redis,
    reset_postgres,
)

MSK = ZoneInfo("Europe/Moscow")
ROOT = Path(__file__).resolve().parents[2]
START = datetime(2027, 6, 2, 20, 55, tzinfo=MSK)
NO_DB = {"DATABASE_URL": None, "REDIS_URL": None}


def settings(**values: object) -> Settings:
    """Settings as a process reads them, without the developer's .env."""
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


# --------------------------------------------------------------------------- the clock


def test_starts_at_clock_start_and_runs_at_normal_speed() -> None:
    wall = FixedClock(datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    clock = RehearsalClock(START, anchor=wall.now(), wall=wall.now)
    assert clock.now() == START
    wall.advance(minutes=4, seconds=59)
    assert clock.now() == datetime(
        2027, 6, 2, 20, 59, 59, tzinfo=MSK
    )  # the 21:00 cut-off is a second away
    wall.advance(seconds=1)
    assert clock.now() == datetime(2027, 6, 2, 21, 0, tzinfo=MSK)
    assert clock.wall_at(datetime(2027, 6, 2, 21, 0, tzinfo=MSK)) == wall.now()


def test_real_wall_clock_advances_at_normal_speed() -> None:
    clock = RehearsalClock(START, anchor=datetime.now(UTC))
    first, t0 = clock.now(), time.monotonic()
    assert abs((first - START).total_seconds()) < 1
    time.sleep(0.3)
    elapsed = (clock.now() - first).total_seconds()
    assert abs(elapsed - (time.monotonic() - t0)) < 0.05


def test_settings_clock_start_naive_is_read_in_timezone_and_start_at_anchors_it() -> None:
    s = settings(
        clock_start="2027-06-02T20:55:00", clock_start_at="2025-03-01T12:00:00+03:00", **NO_DB
    )
    assert s.clock_start == START
    clock = clock_from_settings(s)
    assert isinstance(clock, RehearsalClock)
    assert clock.offset == START - datetime(2025, 3, 1, 12, 0, tzinfo=MSK)
    # two processes with the same settings read the same time
    other = clock_from_settings(
        settings(
            clock_start="2027-06-02T20:55:00+03:00", clock_start_at="2025-03-01T09:00:00Z", **NO_DB
        )
    )
    assert abs((other.now() - clock.now()).total_seconds()) < 0.05
    assert isinstance(clock_from_settings(settings(**NO_DB)), SystemClock)  # unset: the real clock


async def test_processes_agree_on_the_anchor(db_url: str) -> None:
    """The first process records the anchor; processes starting together and later, and a
    restarted one, read the same (SQLite and PostgreSQL)."""
    engines = [create_engine(db_url) for _ in range(4)]
    try:
        anchors = await asyncio.gather(
            *(resolve_anchor(create_sessionmaker(e), START) for e in engines)
        )
        assert len(set(anchors)) == 1
        again = await resolve_anchor(
            create_sessionmaker(engines[0]), START.astimezone(UTC)
        )  # same moment, another zone
        assert again == anchors[0]
        async with create_sessionmaker(engines[0])() as s:
            rows = (
                (await s.execute(select(AuditRecord).where(AuditRecord.action == REHEARSAL_ACTION)))
                .scalars()
                .all()
            )
        assert len(rows) == 1 and rows[0].after["clock_start"] == START.astimezone(UTC).isoformat()
        # another CLOCK_START is another rehearsal: its own anchor
        later = await resolve_anchor(create_sessionmaker(engines[1]), START + timedelta(hours=1))
        assert later >= anchors[0]
        async with create_sessionmaker(engines[0])() as s:
            assert (
                len(
                    (
                        await s.execute(
                            select(AuditRecord).where(AuditRecord.action == REHEARSAL_ACTION)
                        )
                    ).all()
                )
                == 2
            )
    finally:
        for e in engines:
            await e.dispose()


async def test_resolve_clock_gives_processes_the_same_time(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Bot, worker and scheduler each resolve the clock from their own settings: they read
    the same time, and each says so loudly (WARNING)."""
    env = {"database_url": sqlite_url, "redis_url": None, "clock_start": START}
    bot, worker = settings(**env), settings(**env)
    with caplog.at_level("WARNING", logger="models.clock"):
        bot_clock = await resolve_clock(bot, "bot")
        await asyncio.sleep(0.2)  # the worker starts later
        worker_clock = await resolve_clock(worker, "worker")
    assert worker.clock_start_at == bot.clock_start_at
    assert abs((worker_clock.now() - bot_clock.now()).total_seconds()) < 0.05
    assert (bot_clock.now() - START).total_seconds() >= 0.2  # it started with the first process
    assert [r.levelname for r in caplog.records if "REHEARSAL CLOCK" in r.getMessage()] == [
        "WARNING",
        "WARNING",
    ]
    # the services of a process built from these settings use it
    from notifications.wiring import build_context

    ctx = build_context(
        worker, create_sessionmaker(create_engine(sqlite_url)), jobs=lambda job, i: None
    )
    assert isinstance(ctx.clock, RehearsalClock) and ctx.clock.offset == bot_clock.offset  # type: ignore[attr-defined]


def test_sweep_runs_on_the_rehearsal_clock_minutes() -> None:
    """The scheduler sweeps when the rehearsal clock reads hh:mm:00, as the real one would."""
    from workers.scheduler import sweep_trigger

    wall = datetime.now(UTC)
    clock = RehearsalClock(datetime(2027, 6, 2, 20, 59, 47, tzinfo=MSK), anchor=wall)
    trigger = sweep_trigger(clock)
    fire = trigger.get_next_fire_time(None, datetime.now(UTC))
    assert (
        timedelta(seconds=12) < fire - wall < timedelta(seconds=14)
    )  # 21:00:00 by the rehearsal clock
    assert clock.now() + (fire - datetime.now(UTC)) >= datetime(2027, 6, 2, 21, 0, tzinfo=MSK)
    assert "cron" in type(sweep_trigger(SystemClock())).__name__.lower()


# --------------------------------------------------------------------------- refusal


def test_refused_with_a_production_database_unless_allowed() -> None:
    pg = "postgresql+asyncpg://contest@db/contest"
    key = PersonalDataCipher.generate_key()
    with pytest.raises(ClockMisconfigured) as refused:
        check_clock(settings(database_url=pg, pd_encryption_key=key, clock_start=START))
    text = str(refused.value)
    assert (
        "CLOCK_START" in text
        and "PostgreSQL" in text
        and "CLOCK_START_ALLOW_PRODUCTION=true" in text
    )
    check_clock(
        settings(
            database_url=pg,
            pd_encryption_key=key,
            clock_start=START,
            clock_start_allow_production=True,
        )
    )
    check_clock(settings(database_url=pg, pd_encryption_key=key))  # no rehearsal: nothing to refuse
    check_clock(settings(clock_start=START, **NO_DB))  # the embedded SQLite copy


def test_bot_process_refuses_to_start_with_a_production_database(tmp_path: Path) -> None:
    import subprocess

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CLOCK_START_ALLOW_PRODUCTION"}
    }
    env.update(
        DATABASE_URL="postgresql+asyncpg://contest@127.0.0.1:1/never",  # never reached
        PD_ENCRYPTION_KEY=PersonalDataCipher.generate_key(),
        CLOCK_START="2027-06-02T20:55:00+03:00",
        BOT_TOKEN="1:x",
        DATA_DIR=str(tmp_path),
    )
    out = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    assert (
        "CLOCK_START_ALLOW_PRODUCTION=true" in out.stderr
        and "не запускаются с рабочей базой" in out.stderr
    )


# --------------------------------------------------------------------------- /help


async def test_help_shows_the_rehearsal_clock_to_admins_only(world) -> None:  # type: ignore[no-untyped-def]
    admin, coordinator, stranger = (
        world.person(ADMIN_ID),
        world.person(COORD_MOSCOW),
        world.person(555123),
    )
    assert "Репетиция" not in await admin.send("/help")  # the real clock: nothing to say
    rehearsal = RehearsalClock(START, anchor=datetime.now(UTC) - timedelta(minutes=2))
    # the services' clock and the one the dispatcher injects into handlers (``clock``)
    world.services.ctx.clock = world.dp["clock"] = rehearsal
    shown = await admin.send("/help")
    assert (
        "Репетиция: часы бота идут с 02.06.2027 20:55:00 (МСК), сейчас по часам бота 02.06.2027 20:57"
        in shown
    )
    assert "Репетиция" not in await coordinator.send("/help")
    assert "Репетиция" not in await stranger.send("/help")


# --------------------------------------------------------------------------- end to end

DEADLINE = datetime(2027, 4, 1, 23, 59, 59, tzinfo=MSK)  # examples/contest.yaml, regional stage
REMINDER_3H = DEADLINE - timedelta(
    hours=3
)  # R-REM-1: 20:59:59; swept at 21:00:00 by the rehearsal clock
ANNA = 555777
#: about 20 s on an idle machine (the processes start in a few seconds, the reminder is swept
#: 15 s after the first one); generous for a loaded CI runner
WAIT = 120.0


@pytest.mark.e2e
async def test_rehearsal_with_the_real_processes(tmp_path: Path) -> None:
    """bot + dramatiq worker + scheduler, PostgreSQL + Redis: CLOCK_START is 15 s before the
    minute the R-REM-1 «3 hours before the deadline» reminder is swept; it reaches the
    participant through the stand-in — not before the rehearsal clock's due time, and within
    a bounded wait — and every process logs the rehearsal clock and agrees on it."""
    needs_postgres()
    needs_redis()
    from tests.e2ekit import Process, base_env, running
    from tests.fakes import FakeBotAPI

    await reset_postgres(PG_URL)
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    await client.flushdb()
    await client.aclose()
    key = PersonalDataCipher.generate_key()
    async with FakeBotAPI() as api:
        env = base_env(tmp_path, api)
        env.update(
            DATABASE_URL=PG_URL, REDIS_URL=REDIS_URL, PD_ENCRYPTION_KEY=key, METRICS_PORT="0"
        )
        engine = create_engine(PG_URL)
        try:
            # the contest and an unfinished participant, on the real clock (no rehearsal row yet)
            ctx = ServiceContext(
                create_sessionmaker(engine),
                PersonalDataCipher(key.encode()),
                FixedClock(IN_PERIOD),
                jobs=lambda j, i: None,
            )
            services = Services(ctx)
            loaded = await services.contests.load_definition(None, EXAMPLE.read_bytes())
            await services.participants.give_consent(
                ANNA, loaded.contest_id, "Анна"
            )  # the form is empty

            start = datetime(2027, 4, 1, 20, 59, 45, tzinfo=MSK)
            env.update(CLOCK_START=start.isoformat(), CLOCK_START_ALLOW_PRODUCTION="true")
            procs = (
                Process("bot", [sys.executable, "-m", "bot"], env, tmp_path / "bot.log"),
                Process(
                    "worker",
                    [
                        sys.executable,
                        "-m",
                        "dramatiq",
                        "bot.worker",
                        "--processes",
                        "1",
                        "--threads",
                        "2",
                    ],
                    env,
                    tmp_path / "worker.log",
                ),
                Process(
                    "scheduler",
                    [sys.executable, "-m", "workers.scheduler"],
                    env,
                    tmp_path / "scheduler.log",
                ),
            )
            async with running(*procs):
                arrived = await _wait_3h_reminder(api, create_sessionmaker(engine), within=WAIT)
                async with create_sessionmaker(engine)() as s:
                    rows = (
                        (
                            await s.execute(
                                select(AuditRecord).where(AuditRecord.action == REHEARSAL_ACTION)
                            )
                        )
                        .scalars()
                        .all()
                    )
                    sent = (
                        (
                            await s.execute(
                                select(Delivery).where(Delivery.recipient_chat_id == ANNA)
                            )
                        )
                        .scalars()
                        .all()
                    )
                texts = api.texts_to(ANNA)
                # the admin's /help, from the bot process, reads the same rehearsal clock
                api.push_message(ADMIN_ID, "/help")
                help_ = await api.wait_for(
                    lambda p: (
                        str(p.get("chat_id")) == str(ADMIN_ID)
                        and "Репетиция" in (p.get("text") or "")
                    ),
                    WAIT,
                )
        finally:
            await engine.dispose()
    assert len(rows) == 1, "every process uses the one anchor of the first one"
    anchor = datetime.fromisoformat(rows[0].after["anchor"])
    due_wall = anchor + (REMINDER_3H - start)
    # the 3-hour reminder reached the participant when the rehearsal clock reached its due
    # time — not before (a slow start only makes it later: the 1-day one is then superseded)
    assert arrived >= due_wall - timedelta(milliseconds=100), (arrived, due_wall)
    by_reason = {d.reason: d for d in sent}
    assert (
        set(by_reason) <= {"app_deadline:1d", "app_deadline:3h"} and "app_deadline:3h" in by_reason
    )
    three = by_reason["app_deadline:3h"]
    assert three.status == "sent" and three.sent_at is not None
    # sent by the worker on the rehearsal clock: 1 April 2027, just after 20:59:59 МСК
    assert REMINDER_3H <= three.sent_at <= REMINDER_3H + timedelta(seconds=WAIT)
    assert len([t for t in texts if "Приём заявок" in t]) == len(sent)  # each reminder once
    assert "01.04.2027 2" in help_["text"] and "сейчас по часам бота" in help_["text"]
    for p in procs:
        assert "REHEARSAL CLOCK" in p.log.read_text(errors="replace"), (
            p.name
        )  # said loudly by each process


async def _wait_3h_reminder(api, sm, within: float) -> datetime:  # type: ignore[no-untyped-def]
    """The wall-clock moment the stand-in received the R-REM-1 «3 hours» reminder for Anna
    (the last deadline reminder to arrive, once the outbox says it was sent)."""
    arrivals: list[datetime] = []
    deadline = time.monotonic() + within
    polls = 0
    while time.monotonic() < deadline:
        n = sum(1 for text in api.texts_to(ANNA) if "Приём заявок" in text)
        while len(arrivals) < n:
            arrivals.append(datetime.now(UTC))
        polls += 1
        if arrivals and polls % 10 == 0:
            async with sm() as s:
                reasons = (
                    (
                        await s.execute(
                            select(Delivery.reason).where(
                                Delivery.recipient_chat_id == ANNA, Delivery.status == "sent"
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
            if "app_deadline:3h" in reasons and len(arrivals) == len(reasons):
                return arrivals[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no 3-hour reminder in {within}s: {api.texts_to(ANNA)}")
