"""The clock every rule reads (``ctx.clock.now()``), and the rehearsal clock (issue #12 §4).

Organisers rehearse a contest day on a staging copy: ``CLOCK_START=2027-06-02T20:55:00+03:00``
starts the clock of every process — bot, Dramatiq workers, scheduler — at that moment and lets
it run at normal speed, so the worker-enforced deadlines (the 21:00 / 12:00 cut-offs, the 15:00
and 20:00 reminders, the 1-hour extract alarm, R-REM-1/3, R-APL-3/7/8) fire against the real
processes.

How the processes agree: the rehearsal clock is the wall clock shifted by a fixed offset,
``now() = CLOCK_START + (wall now − anchor)``, where the *anchor* is the wall-clock moment at
which the rehearsal clock reads ``CLOCK_START``. Every process uses the same anchor:

* ``CLOCK_START_AT`` (a wall-clock moment) names it explicitly; nothing is stored;
* otherwise the first process to start records it in the audit log (action
  ``clock.rehearsal``, the ``CLOCK_START`` value and the anchor) and every later process —
  another worker, a restarted bot, the scheduler, a CLI command — reads that row back. The
  row is written under the database's write lock (``BEGIN IMMEDIATE`` on SQLite, an advisory
  lock on PostgreSQL), so two processes starting at once still agree. A restarted process
  therefore continues the same rehearsal; to start over, change ``CLOCK_START`` or set
  ``CLOCK_START_AT`` (a fresh staging copy has no row either).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from models.db import WRITE_LOCK
from models.tables import AuditRecord

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from models.settings import Settings

log = logging.getLogger(__name__)

#: the audit-log action of the row that records a rehearsal clock's anchor
REHEARSAL_ACTION = "clock.rehearsal"


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at = self.at + timedelta(**kwargs)


def _wall() -> datetime:
    return datetime.now(UTC)


class RehearsalClock:
    """Reads ``start`` at the wall-clock moment ``anchor`` and runs at normal speed from
    there: ``now() = start + (wall now − anchor)``. Two processes with the same ``start`` and
    ``anchor`` read the same time (as far as their machines' clocks agree)."""

    rehearsal = True

    def __init__(
        self,
        start: datetime,
        anchor: datetime,
        tz: str = "Europe/Moscow",
        wall: Callable[[], datetime] = _wall,
    ) -> None:
        if start.tzinfo is None or anchor.tzinfo is None:
            raise ValueError("a rehearsal clock needs time-zone-aware moments")
        self.start = start.astimezone(UTC)
        self.anchor = anchor.astimezone(UTC)
        self.tz = tz
        self._wall = wall

    @property
    def offset(self) -> timedelta:
        """How far the rehearsal clock is ahead of the wall clock."""
        return self.start - self.anchor

    def now(self) -> datetime:
        return self._wall() + self.offset

    def wall_at(self, moment: datetime) -> datetime:
        """The wall-clock moment at which this clock reads ``moment``."""
        return moment.astimezone(UTC) - self.offset

    def describe(self) -> str:
        return (
            f"REHEARSAL CLOCK: this process's clock started at {self.start.isoformat()} "
            f"(wall-clock anchor {self.anchor.isoformat()}); now by this clock {self.now().isoformat()}. "
            "Every deadline, reminder and cut-off follows it. Never use it with the real contest database."
        )


def is_rehearsal(clock: Clock) -> bool:
    return bool(getattr(clock, "rehearsal", False))


def format_clock(value: datetime, tz: str) -> str:
    """``02.06.2027 20:55:00 (МСК)``: to the second, for /help and the logs."""
    zone = "МСК" if tz == "Europe/Moscow" else tz
    return f"{value.astimezone(ZoneInfo(tz)):%d.%m.%Y %H:%M:%S} ({zone})"


# --------------------------------------------------------------------------- settings → clock


class ClockMisconfigured(SystemExit):
    """A rehearsal clock that must not run: the process refuses to start (in Russian)."""


def clock_from_settings(settings: Settings) -> Clock:
    """The system clock, or the rehearsal clock once its anchor is known
    (``notifications.rehearsal.resolve_clock`` records it in ``settings.clock_start_at``)."""
    if settings.clock_start is None:
        return SystemClock()
    anchor = settings.clock_start_at
    if anchor is None:
        # Not wired through resolve_clock: this process's clock starts now (it may disagree
        # with the other processes by the difference of their start times).
        anchor = _wall()
        settings.clock_start_at = anchor
        log.warning(
            "rehearsal clock anchor not resolved from the database: this process's clock starts now"
        )
    return RehearsalClock(settings.clock_start, anchor, settings.timezone)


async def resolve_anchor(
    sessionmaker: async_sessionmaker[AsyncSession],
    start: datetime,
    wall: Callable[[], datetime] = _wall,
) -> datetime:
    """The anchor of the rehearsal that starts at ``start``: the one recorded by the first
    process, else now (recorded here). One transaction under the write lock, so processes
    starting together agree on the first row."""
    key = start.astimezone(UTC).isoformat()
    async with sessionmaker() as s, s.begin():
        # SQLite: BEGIN IMMEDIATE (models.db); PostgreSQL: a transaction-scoped advisory lock
        conn = await s.connection(execution_options={WRITE_LOCK: True})
        if conn.dialect.name == "postgresql":
            await s.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": REHEARSAL_ACTION}
            )
        rows = (
            (
                await s.execute(
                    select(AuditRecord)
                    .where(AuditRecord.action == REHEARSAL_ACTION)
                    .order_by(AuditRecord.id)
                )
            )
            .scalars()
            .all()
        )
        for row in rows:
            after = row.after or {}
            if after.get("clock_start") == key and after.get("anchor"):
                return datetime.fromisoformat(after["anchor"])
        anchor = wall()
        s.add(
            AuditRecord(
                at=anchor,
                actor_telegram_id=None,
                action=REHEARSAL_ACTION,
                entity="clock",
                entity_id=None,
                contest_id=None,
                before=None,
                after={"clock_start": key, "anchor": anchor.isoformat()},
            )
        )
    return anchor
