"""The Dramatiq broker, built once and set before any actor is declared.

With ``REDIS_URL`` it is a Redis broker consumed by separate ``dramatiq bot.worker``
processes; without it, an in-memory broker consumed by a worker inside the bot process (the
embedded mode). The queues are declared here, so a process that only reads their depths
(the health process, ``workers.health``) need not import the actors; the runtime's and the
health middleware are added where the actors are declared (``workers.actors``)."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO

from models.settings import Settings

#: every queue an actor of ``workers.actors`` consumes (a test checks they agree)
QUEUES = ("deliveries", "files", "sweep", "broadcasts", "documents", "maintenance")


def build_broker(settings: Settings) -> dramatiq.Broker:
    broker: dramatiq.Broker
    if settings.redis_url:
        broker = RedisBroker(url=settings.redis_url)
    else:
        broker = StubBroker()
    broker.add_middleware(AsyncIO())
    for queue in QUEUES:
        broker.declare_queue(queue)
    dramatiq.set_broker(broker)
    return broker


broker = build_broker(Settings())
