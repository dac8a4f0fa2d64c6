"""Health and metrics of the worker: one extra process, forked by the ``dramatiq`` command
beside the worker processes, serves ``/healthz``, ``/readyz`` and ``/metrics`` on
``METRICS_PORT``. The worker processes count into prometheus_client's multiprocess
directory, which that process sums (``ops.metrics``).

Why not ``dramatiq.middleware.prometheus``: it also forks an exposition server, but on its
own port (``dramatiq_prom_port``) without readiness, and counts messages per actor rather
than what this project is asked to show; its multiprocess trick is the same one used here."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

from models.settings import Settings
from workers.broker import broker

log = logging.getLogger(__name__)


def under_dramatiq_cli() -> bool:
    """``dramatiq …`` or ``python -m dramatiq …`` (worker processes inherit the argv)."""
    argv0 = os.path.normpath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return os.path.basename(argv0) == "dramatiq" or argv0.endswith(
        os.path.join("dramatiq", "__main__.py")
    )


def prepare_multiprocess() -> None:
    """Under the ``dramatiq`` command, before prometheus_client is imported: give the worker
    processes and the health process one shared metrics directory (keyed by the dramatiq
    main process, their common parent). Elsewhere (bot, tests) nothing changes."""
    if not under_dramatiq_cli() or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    path = os.path.join(tempfile.gettempdir(), f"contest-bot-metrics-{os.getppid()}")
    if not os.path.isdir(path):
        _remove_stale(tempfile.gettempdir())
        os.makedirs(path, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path


def _remove_stale(tmp: str) -> None:
    """Directories of dramatiq commands that have exited (their pid is gone)."""
    for name in os.listdir(tmp):
        if name.startswith("contest-bot-metrics-") and name.rsplit("-", 1)[1].isdigit():
            pid = int(name.rsplit("-", 1)[1])
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)
            except OSError:
                continue


def serve_health() -> int:
    """The forked process: serve until the dramatiq command stops it."""
    # imported here, in the forked process: prometheus_client (through ops.http) must not load
    # before prepare_multiprocess has chosen the metrics directory (this module runs it first)
    from ops.http import Probe, serve

    settings = Settings()

    def queues() -> dramatiq.Broker:
        return broker  # its queues are declared when it is built (workers.broker)

    server = serve(
        settings.metrics_port, Probe(settings.effective_database_url, settings.redis_url, queues)
    )
    if server is None:
        return 0
    while True:
        time.sleep(3600)


class HealthMiddleware(Middleware):
    """Asks the ``dramatiq`` command for the health process (when ``METRICS_PORT`` ≠ 0)."""

    def __init__(self, port: int) -> None:
        self.port = port

    @property
    def forks(self) -> list[Any]:
        return [serve_health] if self.port else []
