#!/usr/bin/env python
"""Statements per update on the hot paths (issue #13, item 2): /start (new person, known
participant, staff), /help, the participant's form answers (ФИО, СНИЛС) and a score tap,
through the real dispatcher with the production conversation storage (bot.storage
DatabaseStorage) over the fake Bot API session.

Every statement the driver executes is counted with SQLAlchemy's ``before_cursor_execute``
(on SQLite that includes the ``BEGIN``/``BEGIN IMMEDIATE`` that open a transaction — they are
shown apart); ``connections`` is how many times a pooled connection was checked out.

    .venv/bin/python bench/statements_bench.py [--url postgresql+asyncpg://…/db] [--show]

Without ``--url`` it runs on a fresh migrated SQLite file. ``--url`` must point at a scratch
PostgreSQL database: its tables are emptied.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402


@dataclass
class Counter:
    """Statements executed on ``engine`` while :meth:`counting` is open."""

    engine: AsyncEngine
    on: bool = False
    statements: list[str] = field(default_factory=list)
    checkouts: int = 0

    def __post_init__(self) -> None:
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._stmt)
        event.listen(self.engine.sync_engine.pool, "checkout", self._checkout)

    def _stmt(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if self.on:
            self.statements.append(" ".join(statement.split()))

    def _checkout(self, *args: Any) -> None:
        if self.on:
            self.checkouts += 1

    @asynccontextmanager
    async def counting(self) -> AsyncIterator[Counter]:
        self.statements, self.checkouts, self.on = [], 0, True
        try:
            yield self
        finally:
            self.on = False

    @property
    def queries(self) -> list[str]:
        """Statements other than the transaction's own BEGIN/COMMIT."""
        return [
            s
            for s in self.statements
            if not s.upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
        ]


async def build(url: str | None, tmp: Path) -> tuple[Any, Counter, Callable[[], Any]]:
    """A world like tests/test_bot_journey.make_world, but with the production storage."""
    from aiogram.fsm.storage.memory import SimpleEventIsolation

    from bot.app import create_dispatcher
    from bot.storage import DatabaseStorage
    from models.clock import FixedClock
    from models.crypto import PersonalDataCipher
    from models.db import create_engine, create_sessionmaker
    from models.migrate import upgrade
    from models.services import ServiceContext, Services
    from tests.bot.test_bot_journey import World
    from tests.conftest import ADMIN_ID, EXAMPLE, IN_PERIOD, JobLog, reset_postgres
    from tests.fakes import FakeTelegramSession, make_bot

    if url is None:
        url = f"sqlite+aiosqlite:///{tmp / 'statements.sqlite3'}"
        await upgrade(url)
    else:
        await reset_postgres(url)
    engine = create_engine(url)
    clock = FixedClock(IN_PERIOD)
    jobs = JobLog()
    cipher = PersonalDataCipher(PersonalDataCipher.generate_key().encode())
    ctx = ServiceContext(
        sessionmaker=create_sessionmaker(engine),
        cipher=cipher,
        clock=clock,
        jobs=jobs,
        admin_ids=frozenset({ADMIN_ID}),
        files_dir=tmp / "files",
    )
    services = Services(ctx)
    await services.contests.load_definition(None, EXAMPLE.read_bytes())
    session = FakeTelegramSession()
    bot = make_bot(session)
    storage = DatabaseStorage(ctx.sessionmaker, cipher, clock=clock)
    dp = create_dispatcher(services, storage)
    dp.fsm.events_isolation = SimpleEventIsolation()
    world = World(services, dp, bot, session, jobs, clock, tmp / "files")
    return world, Counter(engine), engine.dispose


async def measure(url: str | None, show: bool) -> list[tuple[str, int, int, int, str]]:
    from bot.callbacks import ScoreCb
    from tests.services.test_scoring import G1, setup

    rows: list[tuple[str, int, int, int, str]] = []
    with tempfile.TemporaryDirectory() as d:
        world, counter, dispose = await build(url, Path(d))
        try:

            async def one(label: str, action: Callable[[], Any], expect: str) -> None:
                async with counter.counting():
                    reply = await action()
                ok = "ok" if expect in reply else f"UNEXPECTED: {reply[:80]!r}"
                rows.append(
                    (label, len(counter.queries), len(counter.statements), counter.checkouts, ok)
                )
                if show:
                    print(f"--- {label}")
                    for s in counter.statements:
                        print("   ", s[:160])

            anna = world.person(555001, "Анна")
            await one("/start (new person)", lambda: anna.send("/start"), "Здравствуйте")
            await anna.press("Согласен(а) на обработку")
            await one("form: ФИО answer", lambda: anna.send("Иванова Анна Петровна"), "СНИЛС")
            await one("form: СНИЛС answer", lambda: anna.send("123-456-789 64"), "регион")
            await one(
                "/start (participant, form half-filled)", lambda: anna.send("/start"), "регион"
            )
            await one("/help (participant)", lambda: anna.send("/help"), "/start")
            expert = world.person(G1[0], "Дмитрий")
            await one("/start (staff: expert)", lambda: expert.send("/start"), "/scoring")
            st = await setup(world.services, 1)
            target = st.targets[1]
            aspect = st.aspects["1.1.b"]
            tap = ScoreCb(
                target_id=target, scheme_id=st.scheme_id, aspect_id=aspect, value=1
            ).pack()
            await one(
                "score tap (enter_mark + next item)", lambda: expert.press_data(tap), "Сохранено"
            )
            await one("score tap again (same mark)", lambda: expert.press_data(tap), "Сохранено")
        finally:
            await dispose()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--url",
        default=None,
        help="a scratch PostgreSQL database (emptied); default: a fresh SQLite file",
    )
    ap.add_argument("--show", action="store_true", help="print every statement")
    args = ap.parse_args()
    rows = asyncio.run(measure(args.url, args.show))
    print(f"database: {'PostgreSQL' if args.url else 'SQLite'}")
    print(f"{'update':45} {'queries':>7} {'all stmts':>9} {'conns':>5}  check")
    for label, q, s, c, ok in rows:
        print(f"{label:45} {q:7d} {s:9d} {c:5d}  {ok}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
