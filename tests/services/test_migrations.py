"""The migrations build exactly the schema the models declare, on SQLite and on PostgreSQL,
and they go down to an empty database and up again.

Each test works on a database of its own (a fresh SQLite file; on PostgreSQL
``<TEST_POSTGRES_URL's database>_migrations[_<xdist worker>]``, dropped and created here), so it
never touches the databases the other tests share.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from models.db import create_engine
from models.migrate import alembic_config, upgrade
from models.tables import Base

BASE_PG_URL = os.environ.get("TEST_POSTGRES_URL")
WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _schema_diff(connection: Connection) -> list[Any]:
    """What autogenerate would write into a new migration: nothing, when all is in step."""
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            # server defaults are compared on SQLite only: alembic compares them on PostgreSQL
            # by running ``SELECT <a> = <b>``, which PostgreSQL refuses for JSON columns
            "compare_server_default": connection.dialect.name == "sqlite",
            "render_as_batch": connection.dialect.name == "sqlite",
        },
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _run(url: str, step: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(step)
    finally:
        await engine.dispose()


def _alembic(url: str, action: str, revision: str) -> Any:
    def step(connection: Connection) -> None:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = connection
        getattr(command, action)(cfg, revision)

    return step


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the test's own."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    if not BASE_PG_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("TEST_POSTGRES_URL is not set in CI")
        pytest.skip("TEST_POSTGRES_URL is not set (bash scripts/test.sh starts PostgreSQL)")
    base = make_url(BASE_PG_URL)
    name = f"{base.database}_migrations" + (f"_{WORKER}" if WORKER else "")
    admin = create_async_engine(BASE_PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def test_migrated_schema_equals_the_models(empty_url: str) -> None:
    await upgrade(empty_url)
    assert await _run(empty_url, _schema_diff) == []


async def test_downgrade_to_base_then_upgrade_to_head(empty_url: str) -> None:
    await upgrade(empty_url)
    await _run(empty_url, _alembic(empty_url, "downgrade", "base"))
    assert await _run(empty_url, _tables) <= {"alembic_version"}
    await _run(empty_url, _alembic(empty_url, "upgrade", "head"))
    assert await _run(empty_url, _tables) == {*Base.metadata.tables, "alembic_version"}
    assert await _run(empty_url, _schema_diff) == []
