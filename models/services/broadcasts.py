"""(being written)"""

from __future__ import annotations

from models.services.base import Service


class BroadcastService(Service):
    pass
