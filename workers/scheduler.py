"""The scheduler process: ``python -m workers.scheduler`` sends the sweep to the workers
every minute (APScheduler's cron trigger; Dramatiq carries the message).

Why APScheduler: a small, well-kept scheduler that knows nothing of Dramatiq's internals
(periodiq and dramatiq-crontab hook into them), with coalescing and a misfire grace time,
so a scheduler that was paused fires once, not a burst. Two schedulers running by mistake
are harmless: the sweep is idempotent (reminder runs and outbox rows are unique in the
database, and a row is claimed before it is sent). In the embedded mode the same job runs
inside the bot process on its event loop."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import timedelta

import dramatiq
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from models import logsafe
from models.clock import Clock, ClockMisconfigured, RehearsalClock
from models.settings import Settings
from notifications.rehearsal import resolve_clock
from ops.http import Probe, serve
from ops.logs import apply_format
from workers.actors import broker, retention, sweep

log = logging.getLogger(__name__)


def sweep_trigger(clock: Clock | None = None) -> BaseTrigger:
    """Every minute at second 0 — of the rehearsal clock when there is one (CLOCK_START,
    models/clock.py), so a 21:00 cut-off is swept when the rehearsal clock reads 21:00:00,
    as the real one would be, not up to a minute later."""
    if not isinstance(clock, RehearsalClock):
        return CronTrigger(second=0, timezone="UTC")
    now = clock.now()
    next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    # a hair after the minute: the worker's clock must already read it when the sweep runs
    start = clock.wall_at(next_minute) + timedelta(milliseconds=200)
    return IntervalTrigger(minutes=1, start_date=start, timezone="UTC")


def add_sweep_job(scheduler: BaseScheduler, clock: Clock | None = None) -> None:
    scheduler.add_job(
        sweep.send,
        sweep_trigger(clock),
        id="sweep",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=30,
        replace_existing=True,
    )


def add_retention_job(scheduler: BaseScheduler) -> None:
    """R-PD-3: once a day (02:30 UTC, a quiet hour in Russia) the retention purge is sent to
    the workers; a missed run is made up within 12 hours, and the purge is idempotent."""
    scheduler.add_job(
        retention.send,
        CronTrigger(hour=2, minute=30, timezone="UTC"),
        id="retention",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=12 * 3600,
        replace_existing=True,
    )


def main() -> None:
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logsafe.install()
    apply_format(settings.log_format)
    try:  # CLOCK_START: refused with a production database, else logged loudly (issue 12 §4)
        clock = asyncio.run(resolve_clock(settings, "scheduler"))
    except ClockMisconfigured as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    _serve_health(settings)
    scheduler = BlockingScheduler(timezone="UTC")
    add_sweep_job(scheduler, clock)
    add_retention_job(scheduler)
    sweep.send()  # at once on start: nothing waits a minute after a restart
    retention.send()  # and the daily purge too (idempotent), so a scheduler restarted daily still runs it
    log.info("scheduler started: sweep every minute, retention daily")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")


def _serve_health(settings: Settings) -> None:
    """/healthz, /readyz, /metrics of the scheduler on METRICS_PORT (a daemon thread)."""

    def queues() -> dramatiq.Broker:
        return broker

    serve(settings.metrics_port, Probe(settings.effective_database_url, settings.redis_url, queues))


if __name__ == "__main__":
    main()
