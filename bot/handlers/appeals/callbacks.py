"""The buttons of the dispute and appeal screens (R-APL-1…9): one class per screen, named
fields, an Enum where a screen has several actions. A draft's buttons carry its ``key``, so
a button of another or an older draft is refused (issue #12).

``PreAppealCb`` and ``AppealCb`` are also the targets of outbox buttons (``models.buttons``,
rendered by ``bot.callbacks.button_data``), so they are defined in ``bot.callbacks`` — below
the handler packages, which import it — and re-exported here with the rest.

Old callback data of the generic ``dp:<action>:<item>`` / ``ax:…`` form from before issue #14
is translated into these classes and routed again by ``bot.handlers.legacy``."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from bot.callbacks import AppealAction, AppealCb, PreAppealCb


class DisputeSchemeCb(CallbackData, prefix="dps"):
    """/dispute: the chief expert's competence to open a vote for (R-APL-1); 0 — the list."""

    scheme_id: int = 0


class DraftAction(StrEnum):
    OPEN = "open"
    CHANGE = "change"
    CANCEL = "cancel"


class DisputeDraftCb(CallbackData, prefix="dpd"):
    """The dispute shown back before the vote opens: «Вынести» / «Изменить» / «Отмена»."""

    action: DraftAction
    key: str


class DisputeCloseCb(CallbackData, prefix="dpc"):
    """«Подвести итог» of a vote; ``without_quorum``: the chief confirmed closing it with no
    decision (R-APL-1, issue #15)."""

    pre_appeal_id: int
    without_quorum: bool = False


class AppealTargetCb(CallbackData, prefix="at"):
    """/appeal: the participant an appeal is filed for (R-APL-2)."""

    contest_id: int
    target_id: int


class AppealKindCb(CallbackData, prefix="ak"):
    """The kind of appeal (R-APL-5); anything but the three kinds is refused with why."""

    kind: str
    key: str


class AppealEditCb(CallbackData, prefix="ae"):
    """«Изменить» one field of the form on its review (R-APL-4)."""

    field: str
    key: str


class FormAction(StrEnum):
    RESUME = "resume"  # «Продолжить» a kept draft, or back to the step after «Отмена»
    RESTART = "restart"
    REVIEW = "review"  # back to the review after «Отмена» of an edit
    DONE = "done"  # the evidence is complete
    SUBMIT = "submit"
    CANCEL = "cancel"


class AppealFormCb(CallbackData, prefix="ax"):
    """The appeal form's own steps; ``key`` names the form (a button of another is refused)."""

    action: FormAction
    key: str = ""


class CommissionAction(StrEnum):
    SHOW = "show"  # the federal coordinator's screen of the commission
    FORM = "form"  # step 1: the stage
    CHANGE = "change"  # «Изменить» on the confirmation: step 1 again
    STAGE = "stage"  # step 2: the deputy chair
    DEPUTY = "deputy"  # step 3: the five shown back
    OK = "ok"  # «Подтвердить»
    QUEUE = "queue"  # a member's queue of appeals


class CommissionCb(CallbackData, prefix="cm"):
    """/commission (R-APL-6): forming it against a stage, with a deputy; the queue."""

    contest_id: int
    action: CommissionAction
    stage: int = 0  # R-APL-6 (issue #15): the stage the commission serves, chosen explicitly
    deputy: int = 0  # the deputy chair's Telegram id


class DecisionAction(StrEnum):
    UPHELD = "upheld"
    REJECTED = "rejected"
    KEEP_TEXT = "keeptext"
    OTHER = "other"  # R-APL-9: the measures concern another participant
    PICK = "pick"  # … this one (``penalised``)
    RESTORE = "restore"  # points restored to the appellant's participant
    NO_OTHER = "noother"
    DISQUALIFY = "dq"
    NO_DISQUALIFY = "nodq"
    OK = "ok"
    CHANGE = "change"
    CANCEL = "cancel"


class DecisionCb(CallbackData, prefix="ad"):
    """The decider's decision on an appeal (R-APL-8/9); ``key`` names the draft, so
    «Подтвердить» of an older one applies nothing."""

    appeal_id: int
    action: DecisionAction
    key: str = ""
    penalised: int = 0  # R-APL-9 (issue #15): the other participant penalised (PICK)


__all__ = [
    "AppealAction",
    "AppealCb",
    "AppealEditCb",
    "AppealFormCb",
    "AppealKindCb",
    "AppealTargetCb",
    "CommissionAction",
    "CommissionCb",
    "DecisionAction",
    "DecisionCb",
    "DisputeCloseCb",
    "DisputeDraftCb",
    "DisputeSchemeCb",
    "DraftAction",
    "FormAction",
    "PreAppealCb",
]
