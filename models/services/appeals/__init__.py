"""Disputes and appeals (R-APL-1…9), split by who acts and when:

- :mod:`.dispute` — the pre-appeal vote at the site (chief expert, accredited experts);
- :mod:`.appeal_form` — filing an appeal and registering it (applicant, chief expert);
- :mod:`.commission` — forming the commission and naming the deputy (federal coordinator);
- :mod:`.decisions` — the commission on a case: conflicts, votes, the final decision;
- :mod:`.measures` — R-APL-9's deductions and restorations; :mod:`.common` — shared steps;
- :mod:`.views` — what they hand out.

Every transition (issue #12, guarantee 1) takes its subject row first — :func:`lock`
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's unit of work already holds the write lock)
— so a double press, two members, two instances or the worker racing a person move it
once: one audit row, one notice. The loser is refused with what already happened, who and
when (``err-*-already`` in ``guard_appeals.ftl``). A chat draft carries a ``draft_key``: a
second «Вынести» / «Подать» of it opens or files nothing. The workers' checks (R-REM-4) are
reminder kinds in ``notifications/appeal_reminders.py``.
"""

from __future__ import annotations

from models.services.appeals.appeal_form import AppealFormService
from models.services.appeals.commission import CommissionService
from models.services.appeals.decisions import DecisionService
from models.services.appeals.dispute import DisputeService
from models.services.appeals.views import (
    APPEAL_FIELDS,
    APPEAL_KINDS,
    MAX_EVIDENCE,
    MAX_TEXT,
    AppealView,
    MemberView,
    PointsBound,
    PreAppealView,
    StageChoice,
)

__all__ = [
    "APPEAL_FIELDS",
    "APPEAL_KINDS",
    "MAX_EVIDENCE",
    "MAX_TEXT",
    "AppealFormService",
    "AppealView",
    "CommissionService",
    "DecisionService",
    "DisputeService",
    "MemberView",
    "PointsBound",
    "PreAppealView",
    "StageChoice",
]
