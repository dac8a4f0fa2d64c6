"""Use cases. Each owns its transaction, checks permission, applies the rules in
``models.rules``, writes, audits, and hands follow-up work to the queue by id."""

from __future__ import annotations

from models.services.base import JobSink, ServiceContext
from models.services.contests import ContestService
from models.services.coordination import CoordinatorService
from models.services.participants import ParticipantService, TelegramFile


class Services:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.contests = ContestService(ctx)
        self.participants = ParticipantService(ctx)
        self.coordination = CoordinatorService(ctx)


__all__ = ["JobSink", "ServiceContext", "Services", "TelegramFile"]
