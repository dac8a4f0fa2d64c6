"""Jobs handed to the queue by actor name (issue #14, item 3): a service's ``uow.after_commit``
names a job ("deliver", "download" …) and this sends the message of the actor that does it,
found on the broker, so whoever queues needs no import of ``workers.actors``. The actors
must be declared in the process (``workers.actors`` imported: the worker, the bot)."""

from __future__ import annotations

from workers.broker import broker

#: the job names the services use → the actors' names (workers.actors)
ACTOR_OF = {
    "deliver": "deliver",
    "download": "download_file",
    "guardian_download": "download_guardian_form",
    "broadcast": "broadcast_progress",
    "protocol": "render_protocol",
}


def enqueue(job: str, entity_id: int) -> None:
    """Hand a job to the queue by id (called after the transaction that made it commits)."""
    broker.get_actor(ACTOR_OF[job]).send(entity_id)
