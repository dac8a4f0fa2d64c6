"""Shared fixtures: databases (SQLite file and real PostgreSQL), services with a clock the
test moves, the real dispatcher over a fake Bot API session, and a loaded contest."""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from models.clock import FixedClock
from models.crypto import PersonalDataCipher
from models.db import create_engine, create_sessionmaker
from models.migrate import upgrade
from models.services import ServiceContext, Services
from models.tables import Base

# The builders own the shared constants and the job log; re-exported here for the test
# modules that import them from the conftest.
from tests.builders import (  # noqa: F401
    ADMIN_ID,
    COORD_MOSCOW,
    COORD_OBLAST,
    EXAMPLE,
    EXPERT,
    FEDERAL,
    IN_PERIOD,
    MSK,
    ROOT,
    TEST_KEY,
    JobLog,
    ids,
    make_world,
)
from tests.fakes import FakeBotAPI, FakeTelegramSession, make_bot
from tests.snapshots import snapshot_of

#: pytest-xdist's worker name ("gw0", "gw1", …), None in a plain run (``-n0``, ``-p no:xdist``).
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
#: The PostgreSQL the run was given; under xdist each worker works on its own database,
#: ``<name>_<worker>``, cloned from ``<name>_tpl`` (migrated once per run), so workers never
#: see each other's rows.
BASE_PG_URL = os.environ.get("TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI") == "true"

#: Redis databases per worker: slot 0 is the worker's common one (``REDIS_URL``); the other
#: slots are the own databases of tests that start real processes or flush theirs
#: (:func:`redis_url`). Worker n uses ``base + n * REDIS_SLOTS + slot`` of the Redis the run
#: was given, so parallel workers never share a key (scripts/services.sh starts Redis with
#: 64 databases).
REDIS_SLOTS = 5
_REDIS_BASE = os.environ.get("TEST_REDIS_URL")


def redis_url(slot: int = 0) -> str | None:
    if not _REDIS_BASE:
        return None
    assert 0 <= slot < REDIS_SLOTS
    head, _, db = _REDIS_BASE.rpartition("/")
    base = int(db) if db.isdigit() else 0
    worker = int(WORKER[2:]) if WORKER and WORKER[2:].isdigit() else 0
    return f"{head}/{base + worker * REDIS_SLOTS + slot}"


REDIS_URL = redis_url()


def _database(url: str, suffix: str) -> str:
    u = make_url(url)
    return u.set(database=f"{u.database}_{suffix}").render_as_string(hide_password=False)


PG_URL = _database(BASE_PG_URL, WORKER) if BASE_PG_URL and WORKER else BASE_PG_URL


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


#: Tests that take the longest (real processes; the double-press crawl): started first, so that
#: under xdist (``--dist worksteal``, scripts/test.sh) the quick ones fill the other workers
#: around them instead of a long test starting last and running alone.
SLOW_FIRST = ("e2e", "browser", "test_double_press", "test_delivery_faults", "test_rehearsal_clock")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def slow(item: pytest.Item) -> bool:
        return any(part in SLOW_FIRST for part in (item.path.parent.name, item.path.stem))

    items.sort(key=lambda item: not slow(item))  # stable: the order within each part is kept


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


async def _admin(url: str, *statements: str) -> None:
    """Run statements outside a transaction (CREATE/DROP DATABASE) on ``url``'s server."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


@contextmanager
def _run_lock() -> Iterator[Path]:
    """A lock shared by the workers of one run (and a directory for their marks)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "plain")
    folder = Path(tempfile.gettempdir()) / f"contest-tests-{run}"
    folder.mkdir(exist_ok=True)
    with (folder / "lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # the workers queue here; the test has not started
        try:
            yield folder
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


async def _clone_template(url: str) -> None:
    """The worker's database as a copy of the template, which the first worker migrates."""
    assert BASE_PG_URL
    template = make_url(_database(BASE_PG_URL, "tpl")).database
    own = make_url(url).database
    with _run_lock() as folder:
        if not (folder / "template-ready").exists():
            await _admin(
                BASE_PG_URL,
                f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)',
                f'CREATE DATABASE "{template}"',
            )
            await upgrade(_database(BASE_PG_URL, "tpl"))
            (folder / "template-ready").touch()
        await _admin(
            BASE_PG_URL,
            f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)',
            f'CREATE DATABASE "{own}" TEMPLATE "{template}"',
        )


async def reset_postgres(url: str) -> None:
    """Migrate once per session (under xdist: clone the migrated template), then empty every
    table before each test."""
    global _pg_migrated
    if not _pg_migrated:
        if WORKER:
            await _clone_template(url)
        else:
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
    """examples/contest.yaml loaded: through the service once per session, then a snapshot
    (tests/snapshots.py); the tests of loading itself call ``load_definition`` directly."""

    async def load() -> int:
        return (await services.contests.load_definition(None, EXAMPLE.read_bytes())).contest_id

    return await snapshot_of(services, "contest loaded", load)


def run(coro: Any) -> Any:
    return asyncio.get_event_loop().run_until_complete(coro)


# --------------------------------------------------------------------------- Dramatiq worker


@pytest.fixture
def telegram():  # type: ignore[no-untyped-def]
    return FakeTelegramSession()


@pytest.fixture
def worker(db_url: str, services: Services, telegram, clock: FixedClock, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real Dramatiq worker on the in-memory broker. Its runtime (engine, bot, send gate)
    is built on the worker's own event loop and reads the test's clock."""
    # imported here: importing workers.actors builds the process-wide Dramatiq broker and
    # declares the actors; only the tests that run a worker need that
    import dramatiq

    from bot.callbacks import button_data
    from notifications.ratelimit import SendGate
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
            buttons=button_data,
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
    """The dispatcher over a fake Bot API session, on SQLite (see tests/bot/test_bot_journey.py)."""
    async for w in make_world(sqlite_url, tmp_path):
        yield w


def drain(w) -> None:  # type: ignore[no-untyped-def]
    """Wait until the sweep, the deliveries and the downloads queued so far are done."""
    # imported here for the same reason as in ``worker``
    from workers.actors import broadcast_progress, broker, deliver, download_file, sweep

    for actor in (sweep, broadcast_progress, deliver, download_file):
        broker.join(actor.queue_name, fail_fast=True)
    w.join()


# --------------------------------------------------------------------------- the Bot API stand-in


@pytest.fixture
async def api():  # type: ignore[no-untyped-def]
    """A local HTTP stand-in of the Bot API (127.0.0.1) for the real ``python -m bot``."""
    async with FakeBotAPI() as server:
        yield server
