"""Callback data shared across areas (pydantic, via aiogram's ``CallbackData``): the contest
picker, the buttons of notifications (``NavCb``, :func:`button_data`), and the classes the
outbox's buttons lead to. An area's own screens keep theirs next to their handlers
(``bot/journey/callbacks.py``, ``bot/verification_callbacks.py``, ``bot/handlers/*/callbacks.py``).
Nothing is trusted because it came in a button: every service call checks the rights again."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from aiogram.filters.callback_data import CallbackData

from bot.journey.callbacks import AppAction, AppCb, GuardianAction, GuardianCb
from bot.verification_callbacks import QueueCb
from models import buttons


class ContestThen(StrEnum):
    """Where a contest picked from a list leads."""

    START = "start"
    STATUS = "status"
    WITHDRAW = "withdraw"
    QUEUE = "queue"
    APPS = "apps"
    BROADCAST = "broadcast"
    REMOTE = "remote"
    TASKS = "tasks"
    PROGRESS = "progress"


class ContestCb(CallbackData, prefix="c"):
    """A contest picked from a list (several fit the command)."""

    contest_id: int
    then: ContestThen = ContestThen.START


class NavCb(CallbackData, prefix="nv"):
    """Buttons in notifications: go straight to a place of the journey."""

    contest_id: int
    to: str  # nominations | form | application | status


class BroadcastAction(StrEnum):
    ROLE = "role"  # value: the role toggled in the audience
    REGION = "region"  # value: the region id
    NOM = "nom"  # value: the nomination id
    STATE = "state"  # value: the participants' state
    NEXT = "next"
    SEND = "send"
    EDIT = "edit"
    DROP = "drop"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    STOPOK = "stopok"
    NOOP = "noop"


class BroadcastCb(CallbackData, prefix="bc"):
    """A broadcast's composing and sending screens (R-NTF)."""

    broadcast_id: int
    action: BroadcastAction
    value: str = ""


def broadcast_control(broadcast_id: int, action: str) -> str:
    return BroadcastCb(broadcast_id=broadcast_id, action=BroadcastAction(action)).pack()


class SettingsCb(CallbackData, prefix="st"):
    mute: bool


class WorklistCb(CallbackData, prefix="sgw"):
    """An expert's worklist of a scheme (also an outbox button: «К оцениванию»)."""

    scheme_id: int


class SheetCb(CallbackData, prefix="sgs"):
    """A mentor's view of one target's sheet (R-SCO-5; also an outbox button)."""

    target_id: int


class ChiefAction(StrEnum):
    """The chief expert's setup screen and the steps it offers (bot.handlers.scoring.chief)."""

    VIEW = "chief"
    LOCK = "lock"  # asks first (R-SCH-3)
    LOCK_OK = "lockok"
    LOCK_SCORES = "lockscores"  # asks first (R-SCO-5)
    LOCK_SCORES_OK = "lockscoresok"
    BRIEFING = "briefing"
    BUILD = "build"
    NEW_GROUP = "newgroup"
    GROUP_OK = "groupok"
    ASSIGN = "assign"
    MENTORS = "mentors"
    CORRECTIONS = "corrections"  # the list of corrections (R-SCO-6)
    NEW_CORRECTION = "corrnew"  # pick the target of a new correction


class ChiefCb(CallbackData, prefix="sgx"):
    scheme_id: int
    action: ChiefAction = ChiefAction.VIEW


class ScoreCb(CallbackData, prefix="sc"):
    """An aspect of a target to score (also an outbox button): ``aspect_id`` 0 — the next
    aspect to score, ``value`` -1 — show the aspect, else enter that mark."""

    target_id: int
    scheme_id: int = 0
    aspect_id: int = 0
    value: int = -1


class RescoreCb(CallbackData, prefix="scn"):
    """«Оценить заново» of a re-score notification (issue #16): the aspect's screen comes
    as a NEW message — the notification with the group's marks stays as it was."""

    target_id: int
    aspect_id: int
    scheme_id: int = 0


class AllowCb(CallbackData, prefix="ma"):
    """An expert's vote on letting a mentor score their participant (R-ROLE-3)."""

    target_id: int
    allow: bool


class CorrAction(StrEnum):
    VIEW = "view"
    SIGN = "sign"
    RELOCK = "relock"


class CorrCb(CallbackData, prefix="cr"):
    """A correction's card (R-SCO-6; also an outbox button) and its two decisions."""

    correction_id: int
    action: CorrAction = CorrAction.VIEW


class ProtocolAction(StrEnum):
    VIEW = "view"
    PDF = "pdf"
    SIGN = "sign"
    RESIGN = "resign"  # sign over one's own refusal
    REFUSE = "refuse"  # ask the reason
    REFUSEEDIT = "refuseedit"  # «Изменить» the reason shown back
    REFUSEOK = "refuseok"  # «Подтвердить» the reason


class ProtocolCb(CallbackData, prefix="pt"):
    """A protocol's card, its PDF and its signing (R-PRO-2; also an outbox button)."""

    protocol_id: int
    version: int = 0
    action: ProtocolAction = ProtocolAction.VIEW


class PreAppealCb(CallbackData, prefix="pa"):
    pre_appeal_id: int
    vote: int = -1  # 1 for, 0 against, -1 view


class AppealAction(StrEnum):
    """What a button of an appeal's card does (bot.handlers.appeals)."""

    VIEW = "view"  # the card
    TIME = "time"  # the chief expert confirms a late dispute's time (R-APL-3)
    UPHOLD = "uphold"  # a member's vote
    REJECT = "reject"
    CHANGE_UPHOLD = "change_uphold"  # «Изменить голос»
    CHANGE_REJECT = "change_reject"
    CONFLICT = "conflict"  # asks first (issue #15)
    CONFLICT_OK = "conflictok"
    EVIDENCE = "evidence"
    DECIDE = "decide"  # the decider's decision (R-APL-6/8)


class AppealCb(CallbackData, prefix="al"):
    """An appeal's card and its actions; also an outbox button's target (models.buttons)."""

    appeal_id: int
    action: AppealAction = AppealAction.VIEW


def button_data(target: buttons.Target) -> str:
    """Where an outbox button leads (``models.buttons``) as callback data: a form, a file
    slot, the queue, an aspect to score… The wiring hands this renderer to the delivery, so
    workers and notifications never import ``bot/`` (issue #14, item 3)."""
    match target:
        case buttons.Slot():
            return AppCb(
                contest_id=target.contest_id, action=AppAction(target.action), code=target.code
            ).pack()
        case buttons.Queue():
            return QueueCb(contest_id=target.contest_id).pack()
        case buttons.Guardian():  # R-ROLE-5: the consent screen
            return GuardianCb(contest_id=target.contest_id, action=GuardianAction.OPEN).pack()
        # scoring (R-SCO): straight to an aspect, a vote, a sheet, a correction, the worklist
        case buttons.Score() if target.aspect:  # a re-score notification (issue #16)
            return RescoreCb(
                target_id=target.target, aspect_id=target.aspect, scheme_id=target.scheme
            ).pack()
        case buttons.Score():
            return ScoreCb(
                target_id=target.target, aspect_id=target.aspect, scheme_id=target.scheme
            ).pack()
        case buttons.Allow():
            return AllowCb(target_id=target.target, allow=target.value == "1").pack()
        case buttons.Sheet():
            return SheetCb(target_id=target.target).pack()
        case buttons.Correction():
            return CorrCb(correction_id=target.correction).pack()
        case buttons.Protocol():
            return ProtocolCb(
                protocol_id=target.protocol,
                version=target.version,
                action=ProtocolAction(target.do),
            ).pack()
        case buttons.PreAppeal():
            return PreAppealCb(pre_appeal_id=target.id, vote=target.vote).pack()
        case buttons.Appeal():
            return AppealCb(appeal_id=target.id, action=AppealAction(target.do)).pack()
        case buttons.Worklist():
            return WorklistCb(scheme_id=target.scheme).pack()
        case buttons.BroadcastControl():
            return BroadcastCb(
                broadcast_id=target.broadcast_id, action=BroadcastAction(target.do)
            ).pack()
        case buttons.Place():
            return NavCb(contest_id=target.contest_id, to=target.action).pack()
    raise ValueError(f"no callback data for {target.action!r}")


def nav_button_data(spec: dict[str, Any]) -> str:
    """A stored notification button (``{"action": "nominations", "contest_id": "3"}``) as
    callback data (kept for callers of the old name; ``button_data`` is the typed one)."""
    return button_data(buttons.Button.parse({"text": "-", **spec}).target)
