"""(being written)"""

from __future__ import annotations

from models.services.base import Service


class TaskTextService(Service):
    pass
