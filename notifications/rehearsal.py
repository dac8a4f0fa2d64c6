"""A rehearsal clock at process start (issue 12 §4): refused with a production database, else
its common anchor found (``CLOCK_START_AT`` or the first process's, kept in the database) and
said loudly. The clock itself is ``models.clock``; the refusals are in the catalogue's words,
which is why these boot checks live here and not in ``models/``."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import DBAPIError

from models.clock import Clock, ClockMisconfigured, SystemClock, clock_from_settings, resolve_anchor
from models.db import create_engine, create_sessionmaker
from models.migrate import upgrade
from models.settings import Settings
from notifications.i18n import t

log = logging.getLogger(__name__)


def check_clock(settings: Settings) -> None:
    """Refuse a rehearsal clock together with a production database — any PostgreSQL
    ``DATABASE_URL`` — unless ``CLOCK_START_ALLOW_PRODUCTION=true`` says it is a staging copy.
    A shifted clock on the real contest would send real deadline notices, refuse real
    appeals as late and close real applications."""
    if settings.clock_start is None:
        return
    if settings.is_postgres and not settings.clock_start_allow_production:
        raise ClockMisconfigured(
            t("clock-refused-production", start=settings.clock_start.isoformat())
        )


async def resolve_clock(settings: Settings, process: str) -> Clock:
    """Refuse a forbidden rehearsal clock, find the common anchor (``CLOCK_START_AT`` or the
    database), remember it in ``settings`` for :func:`clock_from_settings`, and say loudly
    (WARNING) that this ``process`` runs on a rehearsal clock."""
    check_clock(settings)
    if settings.clock_start is None:
        return SystemClock()
    if settings.clock_start_at is None:
        settings.clock_start_at = await _anchor_from_database(settings)
    clock = clock_from_settings(settings)
    log.warning("%s: %s", process, clock.describe())  # type: ignore[attr-defined]
    return clock


async def _anchor_from_database(settings: Settings) -> datetime:
    assert settings.clock_start is not None
    engine = create_engine(settings.effective_database_url)
    try:
        if not settings.is_postgres:  # embedded: the file may be new — its tables first
            await upgrade(settings.effective_database_url, engine)
        try:
            return await resolve_anchor(create_sessionmaker(engine), settings.clock_start)
        except DBAPIError as exc:
            raise ClockMisconfigured(
                t("clock-no-database", error=str(exc.orig or exc).splitlines()[0])
            ) from exc
    finally:
        await engine.dispose()
