"""The coordinator's verification screens, one callback data class per screen: the queue
and the applications (paged), a participant's card, the decision on a form (R-VER-3), reopening
an application (R-APP-6), the СНИЛС shown once (R-PD-2), the check of a minor's consent
(R-ROLE-5). Nothing is trusted because it came in a button: the services check the role and
the region again."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class QueueCb(CallbackData, prefix="q"):
    contest_id: int
    page: int = 0


class AppsCb(CallbackData, prefix="as"):
    contest_id: int
    page: int = 0


class CardCb(CallbackData, prefix="vc"):
    participant_id: int


class DecideAction(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    REASON = "reason"  # reason: the index of a ready reason
    OTHER = "other"  # type a reason
    CONFIRM = "confirm"  # a typed reason, shown back


class DecideCb(CallbackData, prefix="dc"):
    """The coordinator's decision on a participant's form (R-VER-3)."""

    participant_id: int
    action: DecideAction
    reason: int = 0
    #: which submission of the form the card showed (coordination.submission_rev); 0: any
    rev: int = 0


class ReopenCb(CallbackData, prefix="ro"):
    participant_id: int
    confirm: bool = False


class SnilsCb(CallbackData, prefix="sn"):
    """«Показать СНИЛС» on a participant's card (issue #15; the service checks the region)."""

    participant_id: int


# Scoring (R-SCH, R-SCO): the screens other packages or outbox buttons lead to. The rest of
# the scoring buttons live beside their handlers (bot/handlers/scoring/callbacks.py), which
# re-exports these; they are here, below the handler packages, so that appeals, protocols
# and the outbox renderer need not import the scoring handlers.


class GuardianDecision(StrEnum):
    FORM = "form"
    ACCEPT = "accept"
    ACCEPT_OK = "accept_ok"
    RETURN = "return"
    CONFIRM = "confirm"


class GuardianDecideCb(CallbackData, prefix="gk"):
    """The coordinator's check of a minor's consent (R-ROLE-5, like R-VER-3)."""

    participant_id: int
    action: GuardianDecision
    #: which sending of the consent the card showed (guardians.consent_rev); 0: any
    rev: int = 0


__all__ = [
    "AppsCb",
    "CardCb",
    "DecideAction",
    "DecideCb",
    "GuardianDecideCb",
    "GuardianDecision",
    "QueueCb",
    "ReopenCb",
    "SnilsCb",
]
