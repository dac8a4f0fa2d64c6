"""Scoring (R-SCH-1…4, R-SCO-1…7, R-RES-1, R-APP-8), split by who acts and when.

One engine for both kinds of contest: what is scored is an *evaluation target* — a
participant's performance at a site (championship) or a submitted application (the
Ministry's contest). A scheme belongs to one nomination (competence) at one stage.

- ``scheme``: load, lock and show a scheme (the chief expert, before the contest);
- ``setup``: experts, assessment groups, assignment, targets, mentors, allowance, briefing;
- ``entry``: an expert's worklist, marks, the re-score, confirming the sheet;
- ``lock``: the score lock and the mentors' sheets;
- ``corrections``: a correction after the lock, signed and re-locked;
- ``results``: results, promotion, the coordinator's progress view;
- ``reports``, ``protocols``, ``changes``: score sheets, the protocols each step produces,
  results changed after publication;
- ``common``: steps several of them share, as functions over the caller's session;
- ``views``: what they return.

Every service checks the actor's role itself, whatever the chat shows. Each mark is entered
under a row lock on the aspect's group result, so two experts entering at once lose
nothing, and the group's result is always computed from every mark by ``models.rules``.
"""

from __future__ import annotations

from models.services.scoring.corrections import CorrectionService
from models.services.scoring.entry import MarkEntryService
from models.services.scoring.lock import ScoreLockService
from models.services.scoring.reports import ScoringReportService
from models.services.scoring.results import ResultsService
from models.services.scoring.scheme import SchemeService
from models.services.scoring.setup import ScoringSetupService
from models.services.scoring.views import (
    CorrectionView,
    Expected,
    ExpertProgress,
    FlaggedAspect,
    GroupProgress,
    GroupView,
    MarkOutcome,
    Option,
    ResultLine,
    Results,
    SchemeBrief,
    SchemeLoadResult,
    SchemeView,
    ScoreItem,
    ScoringProgress,
    SheetLine,
    SubcriterionView,
    TargetProgress,
    TargetSheet,
    Worklist,
)

__all__ = [
    "CorrectionService",
    "CorrectionView",
    "Expected",
    "ExpertProgress",
    "FlaggedAspect",
    "GroupProgress",
    "GroupView",
    "MarkEntryService",
    "MarkOutcome",
    "Option",
    "ResultLine",
    "Results",
    "ResultsService",
    "SchemeBrief",
    "SchemeLoadResult",
    "SchemeService",
    "SchemeView",
    "ScoreItem",
    "ScoreLockService",
    "ScoringProgress",
    "ScoringReportService",
    "ScoringSetupService",
    "SheetLine",
    "SubcriterionView",
    "TargetProgress",
    "TargetSheet",
    "Worklist",
]
