"""Use cases. Each owns its transaction, checks permission, applies the rules in
``models.rules``, writes, audits, and hands follow-up work to the queue by id."""

from __future__ import annotations

from models.services.access import AccessService
from models.services.appeals import (
    AppealFormService,
    CommissionService,
    DecisionService,
    DisputeService,
)
from models.services.base import JobSink, ServiceContext
from models.services.broadcasts import BroadcastService
from models.services.contests import ContestService
from models.services.coordination import CoordinatorService
from models.services.guardians import GuardianService
from models.services.invitations import InvitationService
from models.services.monitoring import MonitoringService
from models.services.participants import ParticipantService, TelegramFile
from models.services.protocols import ProtocolService
from models.services.publication import PublicationService
from models.services.remote import RemoteEventService
from models.services.retention import RetentionService
from models.services.scoring import (
    CorrectionService,
    MarkEntryService,
    ResultsService,
    SchemeService,
    ScoreLockService,
    ScoringReportService,
    ScoringSetupService,
)
from models.services.scoring.analytics import MarkingAnalyticsService
from models.services.scoring.expert_sheet import ExpertSheetService
from models.services.scoring.paper import PaperSheetService
from models.services.signing import SigningService
from models.services.tasks import TaskTextService


class Services:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.contests = ContestService(ctx)
        self.participants = ParticipantService(ctx)
        self.coordination = CoordinatorService(ctx)
        self.guardians = GuardianService(ctx)  # a minor's parental consent (R-ROLE-5)
        self.broadcasts = BroadcastService(ctx)
        self.monitoring = MonitoringService(ctx)
        self.remote = RemoteEventService(ctx)
        self.tasks = TaskTextService(ctx)
        # scoring, by who acts and when (models/services/scoring/)
        self.schemes = SchemeService(ctx)
        self.scoring_setup = ScoringSetupService(ctx)
        self.marks = MarkEntryService(ctx)
        self.score_lock = ScoreLockService(ctx)
        self.corrections = CorrectionService(ctx)
        self.results = ResultsService(ctx)
        self.scoring_reports = ScoringReportService(ctx)
        self.paper_sheets = PaperSheetService(ctx)  # issue #16: paper backup (002 §6.7)
        self.marking_analytics = MarkingAnalyticsService(ctx)  # the chief's (issue #16)
        self.expert_sheets = ExpertSheetService(ctx)  # an expert's own sheet (issue #16)
        self.protocols = ProtocolService(ctx)
        self.publication = PublicationService(ctx)
        self.signing = SigningService(ctx)
        # R-APL-1…9: the pre-appeal vote, filing, forming the commission, deciding a case
        self.disputes = DisputeService(ctx)
        self.appeals = AppealFormService(ctx)
        self.commission = CommissionService(ctx)
        self.appeal_decisions = DecisionService(ctx)
        self.invitations = InvitationService(ctx)
        self.retention = RetentionService(ctx)
        self.access = AccessService(
            ctx
        )  # who is this: language + roles, once per update (bot.viewer)


__all__ = ["JobSink", "ServiceContext", "Services", "TelegramFile"]
