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


def add_sweep_job(scheduler: Any) -> None:
    from workers.actors import sweep

    scheduler.add_job(
        sweep.send,
        CronTrigger(second=0, timezone="UTC"),
        id="sweep",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=30,
        replace_existing=True,
    )


def main() -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    from models import logsafe
    from models.settings import Settings

    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logsafe.install()
    from workers.actors import sweep

    scheduler = BlockingScheduler(timezone="UTC")
    add_sweep_job(scheduler)
    sweep.send()  # at once on start: nothing waits a minute after a restart
    log.info("scheduler started: sweep every minute")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")


if __name__ == "__main__":
    main()
