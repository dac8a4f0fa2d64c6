"""Scenario snapshots: a precondition built once per test session and copied into each test.

``await snapshot_of(services, key, build)`` runs ``build()`` through the services the first time
a test reaches that precondition from a given state, and records what it produced: every row
of every table (and PostgreSQL's sequence positions), the jobs it queued, the files it wrote,
the clock, and its return value. The next test that reaches the same precondition from the same
state gets the rows written back in bulk (one transaction) instead of hundreds of service
calls. "The same state" is a fingerprint of the database (row contents; encrypted bytes by
length only, as their ciphertexts differ from run to run), the queued jobs, the files, the clock,
the backend and the key — so a miss only costs the build, never a wrong precondition.

The migrated SQLite file is copied per test in the same spirit (tests/conftest.py); the
snapshots live in memory, per worker process: PERSONAL_DATA ciphertexts stay readable because
the test key is per process too.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, func, insert, literal, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from models.clock import FixedClock
from models.services import Services
from models.tables import Base

T = TypeVar("T")

#: SNAPSHOTS=0 turns the cache off (every precondition is built through the services)
ENABLED = os.environ.get("SNAPSHOTS", "1") != "0"


@dataclass
class Snapshot:
    rows: dict[str, list[dict[str, Any]]]
    sequences: dict[str, tuple[int | None, bool]]
    jobs: list[tuple[str, int]]
    files: dict[str, bytes]
    clock_at: datetime | None
    value: Any


_SNAPSHOTS: dict[str, Snapshot] = {}
#: how often a snapshot was restored instead of built (read by nothing but curious humans)
hits = 0


async def _counts(s: AsyncSession) -> dict[str, int]:
    """Rows per table, in one statement (most tables are empty: they are not read)."""
    parts = [
        select(literal(table.name).label("t"), func.count().label("n")).select_from(table)
        for table in Base.metadata.sorted_tables
    ]
    return {t: n for t, n in (await s.execute(union_all(*parts))).all()}


async def _rows(s: AsyncSession, counts: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        if not counts[table.name]:
            out[table.name] = []
            continue
        query = select(table).order_by(*table.primary_key.columns)
        out[table.name] = [dict(r) for r in (await s.execute(query)).mappings()]
    return out


async def _sequences(s: AsyncSession) -> dict[str, tuple[int | None, bool]]:
    if s.get_bind().dialect.name != "postgresql":
        return {}  # SQLite hands out max(rowid) + 1: the rows are the whole story
    found = await s.execute(
        text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
    )
    return {name: (value, value is not None) for name, value in found.all()}


def _files(root: Path | None) -> dict[str, bytes]:
    if root is None or not root.exists():
        return {}
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _shape(value: Any) -> Any:
    # ciphertexts (and any bytes) by length: the same plaintext encrypts differently each time
    return ("bytes", len(value)) if isinstance(value, bytes) else value


async def _fingerprint(services: Services, key: str) -> tuple[str, dict[str, int]]:
    ctx = services.ctx
    async with ctx.sessionmaker() as s:
        counts = await _counts(s)
        rows = await _rows(s, counts)
        sequences = await _sequences(s)
        dialect = s.get_bind().dialect.name
    digest = hashlib.sha256()
    for name, table_rows in rows.items():
        digest.update(name.encode())
        for row in table_rows:
            digest.update(repr(sorted((k, _shape(v)) for k, v in row.items())).encode())
    files = {name: len(data) for name, data in _files(ctx.files_dir).items()}
    clock_at = ctx.clock.now() if isinstance(ctx.clock, FixedClock) else None
    jobs = list(getattr(ctx.jobs, "jobs", []))
    digest.update(repr((key, dialect, sequences, files, clock_at, jobs)).encode())
    return digest.hexdigest(), counts


async def _record(services: Services, value: Any) -> Snapshot:
    ctx = services.ctx
    async with ctx.sessionmaker() as s:
        rows = await _rows(s, await _counts(s))
        sequences = await _sequences(s)
    return Snapshot(
        rows=rows,
        sequences=sequences,
        jobs=list(getattr(ctx.jobs, "jobs", [])),
        files=_files(ctx.files_dir),
        clock_at=ctx.clock.now() if isinstance(ctx.clock, FixedClock) else None,
        value=value,
    )


async def _restore(services: Services, snap: Snapshot, counts: dict[str, int]) -> None:
    ctx = services.ctx
    tables = Base.metadata.sorted_tables
    async with ctx.sessionmaker() as s:
        for table in reversed(tables):
            if counts[table.name]:
                await s.execute(delete(table))
        for table in tables:
            if snap.rows[table.name]:
                await s.execute(insert(table), snap.rows[table.name])
        for name, (value, called) in snap.sequences.items():
            await s.execute(
                text("SELECT setval(:name, :value, :called)"),
                {"name": f'public."{name}"', "value": value or 1, "called": called},
            )
        await s.commit()
    if hasattr(ctx.jobs, "jobs"):
        ctx.jobs.jobs = list(snap.jobs)
    if ctx.files_dir is not None and ctx.files_dir.exists():
        shutil.rmtree(ctx.files_dir)
    for name, data in snap.files.items():
        assert ctx.files_dir is not None  # files were recorded, so there is a directory
        target = ctx.files_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if snap.clock_at is not None and isinstance(ctx.clock, FixedClock):
        ctx.clock.at = snap.clock_at


async def snapshot_of(services: Services, key: str, build: Callable[[], Awaitable[T]]) -> T:
    """``build()``'s effect and value: built through the services the first time this state
    and key are seen in the session, restored in bulk every time after."""
    global hits
    if not ENABLED:
        return await build()
    before, counts = await _fingerprint(services, key)
    snap = _SNAPSHOTS.get(before)
    if snap is not None:
        await _restore(services, snap, counts)
        hits += 1
        value: T = copy.deepcopy(snap.value)
        return value
    value = await build()
    _SNAPSHOTS[before] = await _record(services, copy.deepcopy(value))
    return value
