"""Shared fixtures: databases (SQLite file and real PostgreSQL), services with a clock the
test moves, the real dispatcher over a fake Bot API session, and a loaded contest."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from models.clock import FixedClock
from models.crypto import PersonalDataCipher
from models.db import create_engine, create_sessionmaker
from models.migrate import upgrade
from models.services import ServiceContext, Services
from models.tables import Base

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "contest.yaml"
MSK = ZoneInfo("Europe/Moscow")
#: A day in the application period of the example contest (deadline 2027-04-01 23:59 МСК).
IN_PERIOD = datetime(2027, 2, 1, 10, 0, tzinfo=MSK)
TEST_KEY = PersonalDataCipher.generate_key().encode()

PG_URL = os.environ.get("TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
IN_CI = os.environ.get("CI") == "true"


def needs_postgres() -> None:
    if not PG_URL:
        if IN_CI:
            pytest.fail("TEST_POSTGRES_URL is not set in CI")
        pytest.skip("TEST_POSTGRES_URL is not set (bash scripts/test.sh starts PostgreSQL)")


def needs_redis() -> None:
    if not REDIS_URL:
        if IN_CI:
            pytest.fail("TEST_REDIS_URL is not set in CI")
        pytest.skip("TEST_REDIS_URL is not set (bash scripts/test.sh starts Redis)")


_sqlite_template: Path | None = None
_pg_migrated = False


async def _sqlite_db(tmp_path: Path) -> str:
    """A migrated SQLite file: migrations run once, each test gets a copy."""
    global _sqlite_template
    if _sqlite_template is None or not _sqlite_template.exists():
        template = (
            Path(os.environ.get("PYTEST_TMP_TEMPLATE", "/tmp"))
            / f"contest-template-{os.getpid()}.sqlite3"
        )
        template.unlink(missing_ok=True)
        await upgrade(f"sqlite+aiosqlite:///{template}")
        _sqlite_template = template
    target = tmp_path / "contest.sqlite3"
    shutil.copy(_sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


async def reset_postgres(url: str) -> None:
    """Migrate once per session, then empty every table before each test."""
    global _pg_migrated
    if not _pg_migrated:
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
        await upgrade(url)
        _pg_migrated = True
    engine = create_engine(url)
    async with engine.begin() as conn:
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        needs_postgres()
        await reset_postgres(PG_URL)
        return PG_URL
    return await _sqlite_db(tmp_path)


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    return await _sqlite_db(tmp_path)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(db_url)
    yield eng
    await eng.dispose()


@dataclass
class JobLog:
    """The queue as the services see it: jobs handed over after commit."""

    jobs: list[tuple[str, int]] = field(default_factory=list)

    def __call__(self, job: str, entity_id: int) -> None:
        self.jobs.append((job, entity_id))

    def take(self, kind: str | None = None) -> list[int]:
        taken = [i for j, i in self.jobs if kind is None or j == kind]
        self.jobs = [(j, i) for j, i in self.jobs if kind is not None and j != kind]
        return taken


ADMIN_ID = 900001
#: people of examples/contest.yaml
COORD_MOSCOW = 100001
COORD_OBLAST = 100002
FEDERAL = 100003
EXPERT = 100004


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(IN_PERIOD)


@pytest.fixture
def jobs() -> JobLog:
    return JobLog()


@pytest.fixture
def services(engine: AsyncEngine, clock: FixedClock, jobs: JobLog, tmp_path: Path) -> Services:
    ctx = ServiceContext(
        sessionmaker=create_sessionmaker(engine),
        cipher=PersonalDataCipher(TEST_KEY),
        clock=clock,
        jobs=jobs,
        admin_ids=frozenset({ADMIN_ID}),
        files_dir=tmp_path / "files",
    )
    return Services(ctx)


@pytest.fixture
async def contest_id(services: Services) -> int:
    result = await services.contests.load_definition(None, EXAMPLE.read_bytes())
    return result.contest_id


async def ids(services: Services, contest_id: int) -> dict[str, Any]:
    """Handy ids of the example contest: regions, organisations, nominations by code."""
    from sqlalchemy import select

    from models.tables import Nomination, Organisation, Region

    async with services.ctx.sessionmaker() as s:
        regions = {
            r.code: r.id
            for r in (
                await s.execute(select(Region).where(Region.contest_id == contest_id))
            ).scalars()
        }
        orgs = {
            o.code: o.id
            for o in (
                await s.execute(
                    select(Organisation).where(Organisation.region_id.in_(regions.values()))
                )
            ).scalars()
        }
        noms = {
            n.code: n.id
            for n in (
                await s.execute(select(Nomination).where(Nomination.contest_id == contest_id))
            ).scalars()
        }
    return {"regions": regions, "orgs": orgs, "noms": noms}


def run(coro: Any) -> Any:
    return asyncio.get_event_loop().run_until_complete(coro)


# --------------------------------------------------------------------------- Dramatiq worker


@pytest.fixture
def telegram():  # type: ignore[no-untyped-def]
    from tests.fakes import FakeTelegramSession

    return FakeTelegramSession()


@pytest.fixture
def worker(db_url: str, services: Services, telegram, clock: FixedClock, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real Dramatiq worker on the in-memory broker. Its runtime (engine, bot, send gate)
    is built on the worker's own event loop and reads the test's clock."""
    import dramatiq

    from notifications.ratelimit import SendGate
    from tests.fakes import make_bot
    from workers import runtime as worker_runtime
    from workers.actors import broker
    from workers.runtime import WorkerRuntime

    async def factory() -> WorkerRuntime:
        engine = create_engine(db_url)
        return WorkerRuntime(
            bot=make_bot(telegram),
            sessionmaker=create_sessionmaker(engine),
            clock=clock,
            services=services,
            files_dir=tmp_path / "files",
            engine=engine,
            gate=SendGate.for_settings(None, rate=1000),
        )

    worker_runtime.configure(factory)
    broker.flush_all()
    w = dramatiq.Worker(broker, worker_timeout=50, worker_threads=4)
    w.start()
    yield w
    w.stop()
    worker_runtime.configure(None)


@pytest.fixture
async def world(sqlite_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The dispatcher over a fake Bot API session, on SQLite (see tests/test_bot_journey.py)."""
    from tests.test_bot_journey import make_world

    async for w in make_world(sqlite_url, tmp_path):
        yield w


def drain(w) -> None:  # type: ignore[no-untyped-def]
    """Wait until the sweep, the deliveries and the downloads queued so far are done."""
    from workers.actors import broadcast_progress, broker, deliver, download_file, sweep

    for actor in (sweep, broadcast_progress, deliver, download_file):
        broker.join(actor.queue_name, fail_fast=True)
    w.join()


# --------------------------------------------------------------------------- the Bot API stand-in


@pytest.fixture
async def api():  # type: ignore[no-untyped-def]
    """A local HTTP stand-in of the Bot API (127.0.0.1) for the real ``python -m bot``."""
    from tests.fakes import FakeBotAPI

    async with FakeBotAPI() as server:
        yield server
