"""What the appeal services hand out: the views of a pre-appeal vote, an appeal, the
commission, and the limits of a form (R-APL-1…9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from models import rules
from models.errors import DomainError

#: R-APL-5: the only kinds of appeal the commission accepts
APPEAL_KINDS = ("scoring_procedure", "unfair_advantage", "removed_from_task")
#: R-APL-4: the fields an appeal must have (besides kind, dispute time and evidence)
APPEAL_FIELDS = (
    "applicant_name",
    "applicant_category",
    "contacts",
    "place",
    "violators",
    "witnesses",
    "description",
    "demands",
)
MAX_TEXT = 3000
MAX_EVIDENCE = 20


@dataclass(frozen=True, slots=True)
class PreAppealView:
    id: int
    scheme_id: int
    situation: str
    proposal: str
    penalty: str | None
    status: str
    accredited: int
    votes_for: int
    votes_against: int
    voted: tuple[int, ...]

    @property
    def quorum(self) -> rules.Quorum:
        """R-APL-1: where the vote stands against its quorum (the pure rule, as the service closes it)."""
        return rules.pre_appeal_quorum(self.accredited, self.votes_for + self.votes_against)


@dataclass(frozen=True, slots=True)
class AppealView:
    id: int
    scheme_id: int
    target_id: int
    target_label: str
    applicant: int
    applicant_role: str
    kind: str
    fields: dict[str, Any]
    evidence: list[Any]
    dispute_at: datetime
    deadline_at: datetime
    filed_at: datetime
    registered_at: datetime | None
    decide_by: datetime | None
    status: str
    excluded: tuple[int, ...]
    votes_uphold: int
    votes_reject: int
    decision: str | None
    decision_text: str | None
    deduction: Decimal | None
    disqualified: bool
    decided_at: datetime | None
    timezone: str
    #: (member, uphold) of the votes cast so far — a member's own card offers «Изменить голос»
    voters: tuple[tuple[int, bool], ...] = ()
    #: R-APL-6 (issue #15): who records the decision — the chair, or the deputy when the chair
    #: is excluded; None when both are excluded (the coordinator names another deputy)
    decider: int | None = None
    #: R-APL-9 (issue #15): points restored to the appellant's participant; the other
    #: participant ``deduction`` / ``disqualified`` applied to (None: the appellant's own)
    restored: Decimal | None = None
    penalised: int | None = None
    penalised_label: str | None = None


@dataclass(frozen=True, slots=True)
class StageChoice:
    """A stage the commission may be formed against (R-APL-6): the coordinator picks one."""

    id: int
    title: str
    starts_at: datetime | None
    timezone: str
    #: R-APL-6: may be chosen now — two days or more before it starts, or the stage the
    #: commission already serves (issue #15: a stage too late is not offered)
    formable: bool = True


@dataclass(frozen=True, slots=True)
class PointsBound:
    """R-APL-9 (issue #15): what bounds a number typed at a decision's step — the
    participant's total now, and whether it binds a deduction yet (only once the scores are
    locked; before, the results floor at zero)."""

    target_id: int
    label: str
    total: Decimal
    locked: bool

    @property
    def most_deducted(self) -> Decimal:
        return self.total if self.locked else rules.SCHEME_TOTAL_POINTS


@dataclass(frozen=True, slots=True)
class MemberView:
    telegram_id: int
    name: str
    role: str
    organisation_code: str | None


def clean_text(value: Any, field: str) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise DomainError("appeal_field_missing", field=field)
    if len(text) > MAX_TEXT:
        raise DomainError("appeal_field_too_long", field=field, limit=MAX_TEXT)
    return text
