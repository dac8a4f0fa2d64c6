"""Apply the Alembic migrations (``python -m bot migrate``; at start in the embedded mode)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from models.db import create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


async def upgrade(url: str, engine: AsyncEngine | None = None) -> None:
    """Bring the database at ``url`` to the newest revision."""
    own = engine is None
    engine = engine or create_engine(url)
    try:
        async with engine.begin() as conn:

            def _upgrade(sync_conn: Connection) -> None:
                cfg = alembic_config(url)
                cfg.attributes["connection"] = sync_conn
                command.upgrade(cfg, "head")

            await conn.run_sync(_upgrade)
    finally:
        if own:
            await engine.dispose()


def upgrade_sync(url: str) -> None:
    asyncio.run(upgrade(url))
