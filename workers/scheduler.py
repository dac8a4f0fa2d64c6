"""The scheduler process: ``python -m workers.scheduler`` sends the sweep to the workers
every minute (APScheduler's cron trigger; Dramatiq carries the message).

Why APScheduler: a small, well-kept scheduler that knows nothing of Dramatiq's internals
(periodiq and dramatiq-crontab hook into them), with coalescing and a misfire grace time,
so a scheduler that was paused fires once, not a burst. Two schedulers running by mistake
are harmless: the sweep is idempotent (reminder runs and outbox rows are unique in the
database, and a row is claimed before it is sent). In the embedded mode the same job runs
inside the bot process on its event loop."""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger(__name__)


def sweep_trigger(clock: Any = None) -> Any:
    """Every minute at second 0 — of the rehearsal clock when there is one (CLOCK_START,
    models/clock.py), so a 21:00 cut-off is swept when the rehearsal clock reads 21:00:00,
    as the real one would be, not up to a minute later."""
    from models.clock import is_rehearsal

    if clock is None or not is_rehearsal(clock):
        return CronTrigger(second=0, timezone="UTC")
    from datetime import timedelta

    from apscheduler.triggers.interval import IntervalTrigger

    now = clock.now()
    next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    # a hair after the minute: the worker's clock must already read it when the sweep runs
    start = clock.wall_at(next_minute) + timedelta(milliseconds=200)
    return IntervalTrigger(minutes=1, start_date=start, timezone="UTC")


def add_sweep_job(scheduler: Any, clock: Any = None) -> None:
    from workers.actors import sweep

    scheduler.add_job(
        sweep.send,
        sweep_trigger(clock),
        id="sweep",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=30,
        replace_existing=True,
    )


def add_retention_job(scheduler: Any) -> None:
    """R-PD-3: once a day (02:30 UTC, a quiet hour in Russia) the retention purge is sent to
    the workers; a missed run is made up within 12 hours, and the purge is idempotent."""
    from workers.actors import retention

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
    from apscheduler.schedulers.blocking import BlockingScheduler

    from models import logsafe
    from models.settings import Settings

    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logsafe.install()
    from ops.logs import apply_format

    apply_format(settings.log_format)
    import asyncio
    import sys

    from models.clock import ClockMisconfigured, resolve_clock

    try:  # CLOCK_START: refused with a production database, else logged loudly (issue 12 §4)
        clock = asyncio.run(resolve_clock(settings, "scheduler"))
    except ClockMisconfigured as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    from workers.actors import retention, sweep

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


def _serve_health(settings: Any) -> None:
    """/healthz, /readyz, /metrics of the scheduler on METRICS_PORT (a daemon thread)."""
    from ops.http import Probe, serve

    def broker():  # type: ignore[no-untyped-def]
        from workers.actors import broker

        return broker

    serve(settings.metrics_port, Probe(settings.effective_database_url, settings.redis_url, broker))


if __name__ == "__main__":
    main()
