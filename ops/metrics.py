"""Prometheus metrics shared by the bot, the worker and the scheduler.

Counted where they happen (in-process counters and histograms):

- ``contest_bot_updates_total{handler,outcome}`` and ``contest_bot_update_seconds{handler}``:
  Telegram updates handled by the bot, by handler (``bot.health.UpdateMetrics``);
- ``contest_sweep_seconds``: how long each sweep took (``notifications.sweep``);
- ``contest_bot_updates_given_up_total`` (alert on it), ``contest_bot_update_retries_total``,
  ``contest_bot_updates_recovered_total``, ``contest_bot_updates_duplicate_total``: the inbox
  (``bot.inbox``, issue #13);
- ``contest_reminders_sent_total{kind}``: outbox messages sent, by the first part of their
  reason (``deadline``, ``appeal``, ``broadcast`` …) (``notifications.delivery``).

Read on each scrape (the database and the broker say what is true, so every process that
serves ``/metrics`` reports the same numbers):

- ``contest_deliveries{state}``: outbox rows by status (pending, sending, sent, failed …);
- ``contest_queue_depth{queue}``: messages waiting in each Dramatiq queue (Redis ``LLEN``, or
  the in-memory broker's queue sizes).

The worker runs several processes (``dramatiq`` forks them); with ``PROMETHEUS_MULTIPROC_DIR``
set, their counters are summed by prometheus_client's multiprocess collector
(``workers.health`` sets it up for the ``dramatiq`` command).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

__all__ = [
    "CONTENT_TYPE_LATEST",
    "REMINDERS_SENT",
    "STATE",
    "SWEEP_SECONDS",
    "UPDATES",
    "UPDATES_DUPLICATE",
    "UPDATES_GIVEN_UP",
    "UPDATES_RECOVERED",
    "UPDATE_RETRIES",
    "UPDATE_SECONDS",
    "readiness",
    "refresh_state",
    "reminder_kind",
    "render",
]

UPDATES = Counter(
    "contest_bot_updates",
    "Telegram updates handled by the bot, by handler and outcome",
    ["handler", "outcome"],
)
UPDATE_SECONDS = Histogram(
    "contest_bot_update_seconds",
    "Time to handle one Telegram update, by handler",
    ["handler"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
SWEEP_SECONDS = Histogram(
    "contest_sweep_seconds",
    "Duration of one sweep (reminders materialised, due messages enqueued)",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
REMINDERS_SENT = Counter(
    "contest_reminders_sent",
    "Outbox messages sent to Telegram, by kind (the reason's first part)",
    ["kind"],
)
#: issue #13, item 1: the inbox. An alert belongs on the first: a person was told
#: «Не получилось, попробуйте ещё раз» after INBOX_MAX_ATTEMPTS failed attempts.
UPDATES_GIVEN_UP = Counter(
    "contest_bot_updates_given_up",
    "Updates given up after INBOX_MAX_ATTEMPTS failed attempts (the person was told to try again)",
)
UPDATE_RETRIES = Counter(
    "contest_bot_update_retries", "Failed update handlings that are tried again from the inbox"
)
UPDATES_RECOVERED = Counter(
    "contest_bot_updates_recovered",
    "Inbox updates handled again after a process stopped mid-update",
)
UPDATES_DUPLICATE = Counter(
    "contest_bot_updates_duplicate",
    "Updates Telegram delivered again that were already in the inbox (not handled twice)",
)


#: reported even when no row is in them (a series that appears from nowhere alerts badly)
DELIVERY_STATES = ("pending", "sending", "sent", "failed", "blocked", "expired", "muted")


def reminder_kind(reason: str) -> str:
    """``deadline:7d`` → ``deadline``: a bounded label (no ids in label values)."""
    return (reason or "other").split(":", 1)[0][:40] or "other"


class StateCollector(Collector):
    """Gauges read from the database and the broker on each scrape (``refresh_state``)."""

    def __init__(self) -> None:
        self.deliveries: dict[str, int] = {}
        self.queues: dict[str, int] = {}

    def collect(self) -> Iterator[Metric]:
        deliveries = GaugeMetricFamily(
            "contest_deliveries", "Outbox rows by state", labels=["state"]
        )
        for state, count in sorted(self.deliveries.items()):
            deliveries.add_metric([state], count)
        yield deliveries
        queues = GaugeMetricFamily(
            "contest_queue_depth", "Messages waiting in each Dramatiq queue", labels=["queue"]
        )
        for name, count in sorted(self.queues.items()):
            queues.add_metric([name], count)
        yield queues


STATE = StateCollector()
_registered = False


def _multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


def registry() -> CollectorRegistry:
    """The registry to expose: this process's own, or — with several worker processes —
    the sum over all of them plus the state gauges."""
    global _registered
    if _multiprocess_dir():
        from prometheus_client import multiprocess

        reg = CollectorRegistry()
        multiprocess.MultiProcessCollector(reg)
        reg.register(STATE)
        return reg
    if not _registered:
        REGISTRY.register(STATE)
        _registered = True
    return REGISTRY


def render() -> bytes:
    return generate_latest(registry())


async def delivery_counts(engine: Any) -> dict[str, int]:
    from sqlalchemy import func, select

    from models.tables import Delivery

    async with engine.connect() as conn:
        rows = (
            await conn.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
        ).all()
    counts = dict.fromkeys(DELIVERY_STATES, 0)
    counts.update({str(status): int(count) for status, count in rows})
    return counts


def queue_depths(broker: Any) -> dict[str, int]:
    """Messages waiting per queue (blocking: Redis is asked synchronously)."""
    if broker is None:
        return {}
    queues = getattr(broker, "queues", None)
    if isinstance(queues, dict):  # StubBroker: in-memory queues, delay queues included
        return {name: q.qsize() for name, q in queues.items()}
    client = getattr(broker, "client", None)
    if client is None:
        return {}
    namespace = getattr(broker, "namespace", "dramatiq")
    out: dict[str, int] = {}
    for name in sorted(broker.get_declared_queues() | set(getattr(broker, "delay_queues", set()))):
        out[name] = int(client.llen(f"{namespace}:{name}"))
    return out


async def refresh_state(engine: Any, broker: Any = None) -> None:
    """Fill the state gauges; a failing source leaves its gauges empty (readiness tells why)."""
    try:
        STATE.deliveries = await asyncio.wait_for(delivery_counts(engine), timeout=5)
    except Exception as exc:
        log.warning("metrics: deliveries not counted (%s)", type(exc).__name__)
        STATE.deliveries = {}
    try:
        STATE.queues = await asyncio.to_thread(queue_depths, broker)
    except Exception as exc:
        log.warning("metrics: queue depth not read (%s)", type(exc).__name__)
        STATE.queues = {}


async def readiness(engine: Any, redis_url: str | None, limit: float = 3.0) -> dict[str, str]:
    """``{"database": "ok", "redis": "ok"}`` or the failing check's error type."""
    from sqlalchemy import text

    checks: dict[str, str] = {}

    async def database() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(database(), limit)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = type(exc).__name__
    if redis_url:
        from redis.asyncio import Redis

        client = Redis.from_url(redis_url, socket_connect_timeout=limit, socket_timeout=limit)
        try:
            await asyncio.wait_for(client.ping(), limit)
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = type(exc).__name__
        finally:
            await client.aclose()
    return checks


def is_ready(checks: dict[str, str]) -> bool:
    return all(v == "ok" for v in checks.values())
