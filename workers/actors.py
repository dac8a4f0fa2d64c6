"""Thin, idempotent actors: they take ids and let the database say what is still due.

Run in production with ``dramatiq bot.worker`` (these actors, with the bot's button renderer
installed: ``workers.runtime``). Jobs are queued by name (``workers.queue.enqueue``)."""

from __future__ import annotations

import dramatiq

from models import logsafe
from models.settings import Settings
from notifications.broadcasts import TICK_SECONDS
from notifications.delivery import SendLater
from ops.logs import apply_format
from workers.broker import broker
from workers.health import HealthMiddleware
from workers.jobs import (
    broadcast_job,
    deliver_job,
    download_job,
    guardian_download_job,
    protocol_job,
    retention_job,
    sweep_job,
)
from workers.queue import enqueue
from workers.runtime import RuntimeMiddleware, runtime

__all__ = [
    "broadcast_progress",
    "broker",
    "deliver",
    "download_file",
    "download_guardian_form",
    "enqueue",
    "render_protocol",
    "retention",
    "sweep",
]

_settings = Settings()
broker.add_middleware(RuntimeMiddleware())  # closes the runtime on the worker's event loop
if _settings.redis_url:  # the embedded worker lives in the bot, which serves its own endpoints
    broker.add_middleware(HealthMiddleware(_settings.metrics_port))
logsafe.install()  # the dramatiq CLI has configured logging before importing this module
apply_format(_settings.log_format)  # LOG_FORMAT=json: JSON lines, still masked


@dramatiq.actor(queue_name="deliveries", max_retries=20, min_backoff=1_000, max_backoff=300_000)
async def deliver(delivery_id: int) -> None:
    try:
        await deliver_job(await runtime(), delivery_id)
    except SendLater:
        raise  # Retries middleware backs off; the row is pending again either way


@dramatiq.actor(
    queue_name="files", max_retries=10, min_backoff=5_000, max_backoff=600_000, time_limit=3_600_000
)
async def download_file(file_id: int) -> None:
    await download_job(await runtime(), file_id)


@dramatiq.actor(queue_name="sweep", max_retries=0, time_limit=600_000)
async def sweep() -> None:
    """Sent every minute by the scheduler; safe to run twice at once."""
    await sweep_job(await runtime(), enqueue)


@dramatiq.actor(queue_name="broadcasts", max_retries=3, min_backoff=1_000)
async def broadcast_progress(broadcast_id: int) -> None:
    """Hand a broadcast's rows to the queue and refresh its progress message; repeats
    every few seconds while it runs (a lost repeat is restarted by the sweep)."""
    if await broadcast_job(await runtime(), broadcast_id, enqueue):
        broadcast_progress.send_with_options(args=(broadcast_id,), delay=TICK_SECONDS * 1000)


@dramatiq.actor(
    queue_name="documents",
    max_retries=10,
    min_backoff=2_000,
    max_backoff=300_000,
    time_limit=600_000,
)
async def render_protocol(version_id: int) -> None:
    """Make a protocol version's PDF and send it to its signers (R-PRO-1…3)."""
    await protocol_job(await runtime(), version_id)


@dramatiq.actor(queue_name="maintenance", max_retries=3, min_backoff=60_000, time_limit=3_600_000)
async def retention() -> None:
    """R-PD-3: sent daily by the scheduler; anonymises contests whose period is over.
    Idempotent: a second run the same day changes nothing."""
    await retention_job(await runtime())


@dramatiq.actor(
    queue_name="files", max_retries=10, min_backoff=5_000, max_backoff=600_000, time_limit=3_600_000
)
async def download_guardian_form(consent_id: int) -> None:
    """R-ROLE-5: the signed parental consent form into the content-addressed store."""
    await guardian_download_job(await runtime(), consent_id)
