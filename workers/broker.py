"""The Dramatiq broker, built once and set before any actor is declared.

With ``REDIS_URL`` it is a Redis broker consumed by separate ``dramatiq workers.actors``
processes; without it, an in-memory broker consumed by a worker inside the bot process (the
embedded mode)."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO

from models.settings import Settings


def build_broker(settings: Settings) -> dramatiq.Broker:
    broker: dramatiq.Broker
    if settings.redis_url:
        broker = RedisBroker(url=settings.redis_url)
    else:
        broker = StubBroker()
    broker.add_middleware(AsyncIO())
    from workers.runtime import RuntimeMiddleware

    broker.add_middleware(RuntimeMiddleware())
    if settings.redis_url:  # the embedded worker lives in the bot, which serves its own endpoints
        from workers.health import HealthMiddleware

        broker.add_middleware(HealthMiddleware(settings.metrics_port))
    dramatiq.set_broker(broker)
    return broker


broker = build_broker(Settings())
