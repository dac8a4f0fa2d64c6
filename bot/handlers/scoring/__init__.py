"""Scoring in the chat (R-SCH-3/4, R-SCO-1…7, R-RES-1), by who acts:

- ``expert``: ``/scoring``, the scheme's menu, an expert's marks, a mentor's sheets;
- ``review``: an expert reviews their own marks of a participant before confirming;
- ``chief``: the chief expert's setup, the locks, the scoring progress;
- ``analytics``: the chief expert's marking analytics and its XLSX (issue #16);
- ``corrections``: corrections after the score lock (R-SCO-6);
- ``results``: the coordinators' results, promotion and workbook;
- ``scheme_upload``: ``/scheme``, a marking scheme file;
- ``contest_progress``: the coordinators' ``/progress`` of a contest (R-COO-2);
- ``callbacks``: the buttons, one class per screen; ``common``: what the screens share.

One ``router`` for the package. Presses are answered by aiogram's
``CallbackAnswerMiddleware`` (no handler calls ``query.answer()``); refusals reach the error
handler of ``bot.handlers.common``.
"""

from __future__ import annotations

from aiogram import Router

from bot.handlers.scoring import (
    analytics,
    chief,
    contest_progress,
    corrections,
    expert,
    paper,
    results,
    review,
    scheme_upload,
)

router = Router(name=__name__)
router.include_routers(
    expert.router,
    review.router,
    chief.router,
    corrections.router,
    results.router,
    scheme_upload.router,
    contest_progress.router,
    paper.router,
    analytics.router,
)

__all__ = ["router"]
