"""The buttons of the scoring screens (R-SCH-3/4, R-SCO-1…7, R-RES-1): one class per screen,
named fields, an Enum where a screen has several actions. Prefixes start with ``sg``.

The screens that other packages or outbox buttons lead to (the worklist, a mentor's sheet,
the chief expert's screen, an aspect to score, an allowance vote, a correction's card) are
defined in ``bot.callbacks`` — below the handler packages, which import it — and re-exported
here with the rest.

Old callback data of the generic ``sg:<scheme>:<action>:<item>:<extra>`` form (and the old
``cr:`` with aspect/expert/value) from before issue #14 is translated into these classes and
routed again by ``bot.handlers.legacy``: yesterday's buttons keep working."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from bot.callbacks import (
    AllowCb,
    ChiefAction,
    ChiefCb,
    CorrAction,
    CorrCb,
    RescoreCb,
    ScoreCb,
    SheetCb,
    WorklistCb,
)


class MenuCb(CallbackData, prefix="sgm"):
    """The /scoring menu of a scheme; ``scheme_id`` 0 — the list of one's schemes."""

    scheme_id: int = 0


class ConfirmSheetCb(CallbackData, prefix="sgc"):
    """An expert confirms their sheet (R-SCO-4): ``sure`` False asks, True confirms."""

    scheme_id: int
    sure: bool = False


class ReviewCb(CallbackData, prefix="sgv"):
    """An expert's review of their own marks of one participant before «Подтвердить
    оценки» (issue #16): ``page`` — a subcriterion (or a part of a long one)."""

    target_id: int
    page: int = 0


class ReviewScoreCb(CallbackData, prefix="sgve"):
    """An aspect changed from the review: ``value`` -1 shows its screen, else enters that
    mark; then back to the review's ``page``."""

    target_id: int
    aspect_id: int
    page: int = 0
    value: int = -1


class MentorSheetsCb(CallbackData, prefix="sgms"):
    """A mentor's list of their participants' sheets (R-SCO-5)."""

    scheme_id: int


class SheetConfirmCb(CallbackData, prefix="sgso"):
    """A mentor confirms a participant's sheet (R-SCO-5)."""

    target_id: int


class GroupToggleCb(CallbackData, prefix="sgt"):
    """Pick or unpick an expert for a new assessment group (R-SCH-4)."""

    scheme_id: int
    expert_id: int


class AssignSubCb(CallbackData, prefix="sga"):
    """A subcriterion to assign: shows the groups."""

    scheme_id: int
    subcriterion_id: int


class AssignGroupCb(CallbackData, prefix="sgag"):
    """Assign the subcriterion to this group (R-SCH-4)."""

    scheme_id: int
    subcriterion_id: int
    group_id: int


class MentorPickCb(CallbackData, prefix="sgmp"):
    """A target whose mentor the chief sets: shows the mentors (R-ROLE-3)."""

    scheme_id: int
    target_id: int


class SetMentorCb(CallbackData, prefix="sgmt"):
    """Make ``mentor_id`` the target's mentor; 0 — no mentor."""

    scheme_id: int
    target_id: int
    mentor_id: int = 0


class AllowAskCb(CallbackData, prefix="sgaa"):
    """Ask the experts to let the mentor score their participant (R-ROLE-3)."""

    scheme_id: int
    target_id: int


class ScoringProgressCb(CallbackData, prefix="sgp"):
    """The scoring progress of a scheme (the chief, coordinators): counts, never marks."""

    scheme_id: int


class ResultsAction(StrEnum):
    VIEW = "results"
    PROMOTE = "promote"  # asks first (R-APP-8)
    PROMOTE_OK = "promoteok"
    EXPORT = "export"


class ResultsCb(CallbackData, prefix="sgr"):
    """The results of a scheme (coordinators; R-RES-1) and what they offer."""

    scheme_id: int
    action: ResultsAction = ResultsAction.VIEW


class CorrTargetCb(CallbackData, prefix="sgct"):
    """A new correction's target: shows its subcriteria (R-SCO-6)."""

    scheme_id: int
    target_id: int


class CorrDraftAction(StrEnum):
    REASON = "reason"  # ask the reason
    EDIT = "edit"  # «Изменить» the reason
    OK = "ok"  # «Подтвердить»: open the correction


class CorrDraftCb(CallbackData, prefix="sgcd"):
    """A new correction of one target's subcriterion, while its reason is asked."""

    scheme_id: int
    target_id: int
    subcriterion_id: int
    action: CorrDraftAction = CorrDraftAction.REASON


class CorrMarkCb(CallbackData, prefix="crm"):
    """Correcting a mark of an open correction: ``expert_id`` 0 — pick whose mark, ``value``
    -1 — pick the new value, else enter it."""

    correction_id: int
    aspect_id: int
    expert_id: int = 0
    value: int = -1


__all__ = [
    "AllowAskCb",
    "AllowCb",
    "AssignGroupCb",
    "AssignSubCb",
    "ChiefAction",
    "ChiefCb",
    "ConfirmSheetCb",
    "CorrAction",
    "CorrCb",
    "CorrDraftAction",
    "CorrDraftCb",
    "CorrMarkCb",
    "CorrTargetCb",
    "GroupToggleCb",
    "MentorPickCb",
    "MentorSheetsCb",
    "MenuCb",
    "RescoreCb",
    "ResultsAction",
    "ResultsCb",
    "ReviewCb",
    "ReviewScoreCb",
    "ScoreCb",
    "ScoringProgressCb",
    "SetMentorCb",
    "SheetCb",
    "SheetConfirmCb",
    "WorklistCb",
]
