"""The participant's journey, one callback data class per screen: the consent, the
verification form (R-VER-1…3), the nominations (R-APP-1…3), the application (R-APP-4…6),
a minor's parental consent (R-ROLE-5), /withdraw (R-PD-1). Nothing is trusted because it
came in a button: every service call checks the user's rights again."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class ConsentCb(CallbackData, prefix="pd"):
    contest_id: int
    agree: bool


class FormAction(StrEnum):
    NAME = "name"
    SNILS = "snils"
    REGION = "region"
    ORG = "org"
    SUBMIT = "submit"
    NEXT = "next"  # the form as far as it is filled


class FormCb(CallbackData, prefix="f"):
    """The verification form's summary: send it, or change one answer (R-VER-1…3)."""

    contest_id: int
    action: FormAction


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


class AppAction(StrEnum):
    MENU = "menu"
    FIELD = "field"  # code: the field
    FILE = "file"  # code: the file slot
    RMFILE = "rmfile"  # code: the slot, file_id: the file
    PRIVACY = "privacy"  # code: "1" give, "0" take back
    TRANSFER = "transfer"  # code: "1" give, "0" take back
    REVIEW = "review"
    SUBMIT = "submit"


class AppCb(CallbackData, prefix="ap"):
    """The application menu and its items (R-APP-4…6)."""

    contest_id: int
    action: AppAction
    code: str = ""
    file_id: int = 0


class WithdrawCb(CallbackData, prefix="wd"):
    contest_id: int
    confirm: bool


class GuardianAction(StrEnum):
    OPEN = "open"
    WHO = "who"
    REL = "rel"  # value: the relation
    FORM = "form"
    COMPANION = "companion"
    SUBMIT = "submit"
    MINORS = "minors"  # the coordinator's list of minors


class GuardianCb(CallbackData, prefix="gd"):
    """A minor's parental consent, the participant's screens (R-ROLE-5)."""

    contest_id: int
    action: GuardianAction
    value: str = ""


__all__ = [
    "AppAction",
    "AppCb",
    "ConsentCb",
    "FormAction",
    "FormCb",
    "GuardianAction",
    "GuardianCb",
    "NominationCb",
    "OrgCb",
    "OrgPageCb",
    "PracticeCb",
    "RegionCb",
    "WithdrawCb",
]
