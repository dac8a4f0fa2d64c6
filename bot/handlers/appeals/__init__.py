"""Disputes in the chat (R-APL-1…9), split by who acts and when:

- :mod:`.dispute` — ``/dispute``: the chief expert's proposal put to the accredited experts;
- :mod:`.appeal_form` — ``/appeal``: the guided form; the chief confirms a late dispute's time;
- :mod:`.commission` — ``/commission``: forming it; a member's queue, card, vote, conflict;
- :mod:`.decision` — the decider's decision and its measures (R-APL-8/9);
- :mod:`.callbacks` — their buttons.

Handlers stay thin: every button calls one service method, which checks the role again;
refusals come from the services and are rendered by ``handlers.common``. The queries are
answered by ``bot.screens.AnswerOnce`` (aiogram's ``CallbackAnswerMiddleware``, leaving a
refused press to the error handler), registered once on the dispatcher (bot.app).
Issue #12: every free-text prompt has «Отмена» (``bot.prompts``); a draft has a key its
buttons carry; a decision is shown back and applied only from that screen.
"""

from __future__ import annotations

from aiogram import Router

from bot.handlers.appeals import appeal_form, commission, decision, dispute

router = Router(name=__name__)
# every press answered once: after its handler, or by the error handler when it is refused
router.include_routers(dispute.router, appeal_form.router, commission.router, decision.router)

__all__ = ["router"]
