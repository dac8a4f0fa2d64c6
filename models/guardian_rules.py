"""Pure rules of a minor's parental consent (R-ROLE-5, seed 002 §4.7, §5.3): who needs it,
what is still missing, what a phone number and the signed form may look like.

A championship participant under 18 on the stage date needs «согласие на участие
несовершеннолетнего в Чемпионате и на сопровождение его доверенным лицом» (002 §4.7) and a named
«сопровождающий конкурсанта» (002 §5.3), the person responsible for them during the whole stage.
Plain functions over plain types; the service (models.services.guardians) applies them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from models.rules import ADULT_AGE, CHAMPIONSHIP, FileKind, FileRequirement, age_on, is_minor_on

#: R-ROLE-5: under this age on the stage date a participant needs a parent's consent
MAJORITY_AGE = ADULT_AGE

#: who gives the consent: a parent or another legal representative (законный представитель)
RELATIONS = ("mother", "father", "guardian", "trustee", "other")

#: the signed form: a scan (PDF) or a photo (JPEG/PNG), at most 10 MB
CONSENT_FILE = FileRequirement(
    code="guardian_consent",
    kind=FileKind.DOCUMENT,
    types=("pdf", "jpg", "png"),
    max_size=10 * 1024 * 1024,
)


class GuardianStatus(StrEnum):
    """The consent as the coordinator checks it, like the verification form (R-VER-3)."""

    DRAFT = "draft"  # being filled by the participant
    PENDING = "pending"  # sent, «на проверке»
    ACCEPTED = "accepted"  # checked and accepted by the coordinator
    RETURNED = "returned"  # returned with a reason; the participant corrects and sends again


#: statuses in which the participant may still change what they gave
EDITABLE = frozenset({GuardianStatus.DRAFT, GuardianStatus.RETURNED})


class Gap(StrEnum):
    """What keeps a minor from the stage (R-ROLE-5), as the coordinator's queue says it."""

    NO_CONSENT = "no_consent"  # «нет согласия родителя»: who gives it, or the signed form
    NO_COMPANION = "no_companion"  # «не указан сопровождающий»
    PENDING = "pending"  # «согласие на проверке»
    RETURNED = "returned"  # «согласие возвращено участнику»


def needs_guardian(birth_date: date | None, stage_date: date | None) -> bool:
    """R-ROLE-5: under 18 on the stage date. Unknown birth date or stage date: not decided
    here (False) — the birth date is asked for every championship participant (R-ROLE-4)."""
    if birth_date is None or stage_date is None:
        return False
    return is_minor_on(birth_date, stage_date)


@dataclass(frozen=True, slots=True)
class GuardianSummary:
    """A minor's consent at a glance (the participant's menu, /status, the coordinator)."""

    status: str
    age: int
    stage_date: date
    gaps: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.status == GuardianStatus.ACCEPTED


def consent_gaps(
    *,
    status: str,
    guardian_name: str | None,
    relation: str | None,
    has_form: bool,
    companion_name: str | None,
    companion_phone: str | None,
) -> tuple[str, ...]:
    """R-ROLE-5: what is still missing, in the order a coordinator reads it; empty once the
    consent is accepted."""
    if status == GuardianStatus.ACCEPTED:
        return ()
    gaps: list[str] = []
    if not (guardian_name and relation and has_form):
        gaps.append(Gap.NO_CONSENT)
    if not (companion_name and companion_phone):
        gaps.append(Gap.NO_COMPANION)
    if status == GuardianStatus.PENDING:
        gaps.append(Gap.PENDING)
    elif status == GuardianStatus.RETURNED:
        gaps.append(Gap.RETURNED)
    return tuple(gaps)


def complete(gaps: tuple[str, ...]) -> bool:
    """Everything the participant gives is there (the consent may be sent for checking)."""
    return Gap.NO_CONSENT not in gaps and Gap.NO_COMPANION not in gaps


def parse_phone(value: str) -> str | None:
    """A contact phone of the accompanying adult: a Russian number in any common writing
    (``+7 …``, ``8 …``, ten digits) → ``+7 XXX XXX-XX-XX``; another country's number with
    ``+`` and 10–15 digits is kept as digits. Anything else → None."""
    text = (value or "").strip()
    if not re.fullmatch(r"\+?[\d\s()\-‐–.]{7,25}", text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits[0] in "78":
        digits = "7" + digits[1:]
    elif len(digits) == 10 and digits[0] == "9":
        digits = "7" + digits
    elif text.startswith("+") and 10 <= len(digits) <= 15 and not digits.startswith("7"):
        return "+" + digits
    else:
        return None
    return f"+7 {digits[1:4]} {digits[4:7]}-{digits[7:9]}-{digits[9:11]}"


__all__ = [
    "CHAMPIONSHIP",
    "CONSENT_FILE",
    "EDITABLE",
    "MAJORITY_AGE",
    "RELATIONS",
    "Gap",
    "GuardianStatus",
    "GuardianSummary",
    "age_on",
    "complete",
    "consent_gaps",
    "needs_guardian",
    "parse_phone",
]
