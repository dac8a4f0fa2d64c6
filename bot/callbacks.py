"""Callback data factories (pydantic, via aiogram's ``CallbackData``). Nothing is trusted
because it came in a button: every service call checks the user's rights again."""

from __future__ import annotations

from typing import Any

from aiogram.filters.callback_data import CallbackData


class ContestCb(CallbackData, prefix="c"):
    contest_id: int
    then: str = "start"  # start | status | queue | apps


class ConsentCb(CallbackData, prefix="pd"):
    contest_id: int
    agree: bool


class FormCb(CallbackData, prefix="f"):
    contest_id: int
    action: str  # name | snils | region | org | submit | next


class RegionCb(CallbackData, prefix="rg"):
    contest_id: int
    region_id: int


class OrgCb(CallbackData, prefix="og"):
    contest_id: int
    org_id: int


class OrgPageCb(CallbackData, prefix="op"):
    contest_id: int
    region_id: int
    page: int
    search: bool = False


class NominationCb(CallbackData, prefix="nm"):
    contest_id: int
    nomination_id: int
    choose: bool = False


class PracticeCb(CallbackData, prefix="pr"):
    contest_id: int
    nomination_id: int
    yes: bool


class AppCb(CallbackData, prefix="ap"):
    contest_id: int
    action: str  # menu | field | file | privacy | transfer | review | submit | rmfile
    code: str = ""
    item: int = 0


class NavCb(CallbackData, prefix="nv"):
    """Buttons in notifications: go straight to a place of the journey."""

    contest_id: int
    to: str  # nominations | form | application | status


class BroadcastCb(CallbackData, prefix="bc"):
    broadcast_id: int
    action: str  # role | region | nom | state | next | send | edit | drop | pause | resume | stop | stopok
    value: str = ""


def broadcast_control(broadcast_id: int, action: str) -> str:
    return BroadcastCb(broadcast_id=broadcast_id, action=action).pack()


class SettingsCb(CallbackData, prefix="st"):
    mute: bool


class WithdrawCb(CallbackData, prefix="wd"):
    contest_id: int
    confirm: bool


class QueueCb(CallbackData, prefix="q"):
    contest_id: int
    page: int = 0


class AppsCb(CallbackData, prefix="as"):
    contest_id: int
    page: int = 0


class CardCb(CallbackData, prefix="vc"):
    participant_id: int


class DecideCb(CallbackData, prefix="dc"):
    participant_id: int
    action: str  # accept | reject | reason | other | confirm (a typed reason, shown back)
    reason: int = 0
    #: which submission of the form the card showed (coordination.submission_rev); 0: any
    rev: int = 0


class ReopenCb(CallbackData, prefix="ro"):
    participant_id: int
    confirm: bool = False


class SnilsCb(CallbackData, prefix="sn"):
    """«Показать СНИЛС» on a participant's card (issue #15; the service checks the region)."""

    participant_id: int


class ScoringCb(CallbackData, prefix="sg"):
    scheme_id: int
    action: str
    item: int = 0
    extra: int = 0


class ScoreCb(CallbackData, prefix="sc"):
    target_id: int
    scheme_id: int = 0
    aspect_id: int = 0
    value: int = -1  # -1: show the aspect


class AllowCb(CallbackData, prefix="ma"):
    target_id: int
    allow: bool


class CorrCb(CallbackData, prefix="cr"):
    correction_id: int
    action: str  # view | sign | relock | aspect | expert | value
    aspect: int = 0
    expert: int = 0
    value: int = -1


class ProtocolCb(CallbackData, prefix="pt"):
    protocol_id: int
    version: int = 0
    action: str = "view"  # view | sign | refuse | pdf


class PreAppealCb(CallbackData, prefix="pa"):
    pre_appeal_id: int
    vote: int = -1  # 1 for, 0 against, -1 view


class AppealCb(CallbackData, prefix="al"):
    appeal_id: int
    action: str = "view"  # view | time | uphold | reject | conflict | decide


class GuardianCb(CallbackData, prefix="gd"):
    """A minor's parental consent, the participant's screens (R-ROLE-5)."""

    contest_id: int
    action: str  # open | who | rel | form | companion | submit; minors (the coordinator's list)
    value: str = ""


class GuardianDecideCb(CallbackData, prefix="gk"):
    """The coordinator's check of a minor's consent (R-ROLE-5, like R-VER-3)."""

    participant_id: int
    action: str  # form | accept | accept_ok | return | confirm
    #: which sending of the consent the card showed (guardians.consent_rev); 0: any
    rev: int = 0


def nav_button_data(spec: dict[str, Any]) -> str:
    """A notification's button spec (``{"action": "nominations", "contest_id": "3"}``) as
    callback data that leads straight to the place: a form, a file slot, the queue…"""
    contest_id = int(spec["contest_id"])
    action = spec["action"]
    if action in ("file", "field"):
        return AppCb(contest_id=contest_id, action=action, code=spec.get("code", "")).pack()
    if action == "queue":
        return QueueCb(contest_id=contest_id).pack()
    if action == "guardian":  # R-ROLE-5: the consent screen
        return GuardianCb(contest_id=contest_id, action="open").pack()
    # scoring (R-SCO): straight to an aspect, a vote, a sheet, a correction, the worklist
    if action == "score":
        return ScoreCb(
            target_id=int(spec["target"]),
            aspect_id=int(spec.get("aspect", 0)),
            scheme_id=int(spec.get("scheme", 0)),
        ).pack()
    if action == "allow":
        return AllowCb(target_id=int(spec["target"]), allow=spec.get("value") == "1").pack()
    if action == "sheet":
        return ScoringCb(scheme_id=0, action="sheet", item=int(spec["target"])).pack()
    if action == "correction":
        return CorrCb(correction_id=int(spec["correction"]), action="view").pack()
    if action == "protocol":
        return ProtocolCb(
            protocol_id=int(spec["protocol"]),
            version=int(spec.get("version", 0)),
            action=spec.get("do", "view"),
        ).pack()
    if action == "preappeal":
        return PreAppealCb(pre_appeal_id=int(spec["id"]), vote=int(spec.get("vote", -1))).pack()
    if action == "appeal":
        return AppealCb(appeal_id=int(spec["id"]), action=spec.get("do", "view")).pack()
    if action == "worklist":
        return ScoringCb(scheme_id=int(spec["scheme"]), action="worklist").pack()
    return NavCb(contest_id=contest_id, to=action).pack()
