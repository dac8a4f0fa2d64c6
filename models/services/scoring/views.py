"""What the scoring services return: plain, frozen views (no ORM rows reach the bot)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class SchemeBrief:
    id: int
    contest_id: int
    title: str
    nomination: str
    stage: str
    locked: bool
    scores_locked: bool
    published: bool
    #: what the asking person is in this scheme: chief, expert, mentor, coordinator
    roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class SubcriterionView:
    id: int
    code: str
    title: str
    aspects: int
    points: Decimal
    group_id: int | None
    group_code: str | None


@dataclass(frozen=True, slots=True)
class GroupView:
    id: int
    code: str
    name: str
    members: tuple[int, ...]
    leader: int | None
    subcriteria: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SchemeView:
    id: int
    contest_id: int
    title: str
    nomination: str
    stage: str
    timezone: str
    criteria: int
    aspects: int
    total: Decimal
    kinds: dict[str, int]
    subcriteria: list[SubcriterionView]
    groups: list[GroupView]
    targets: int
    chief: int | None
    locked_at: Any
    locked_by: int | None
    scores_locked_at: Any
    evaluation_deadline: Any
    #: R-SCH-3: the scheme is to be locked at least 2 days before this
    stage_starts_at: Any = None


@dataclass(frozen=True, slots=True)
class SchemeLoadResult:
    scheme_id: int
    created: bool
    unchanged: bool
    criteria: int
    aspects: int
    groups: int


@dataclass(frozen=True, slots=True)
class TargetProgress:
    target_id: int
    number: int
    label: str
    scored: int
    total: int


@dataclass(frozen=True, slots=True)
class Worklist:
    scheme_id: int
    title: str
    targets: list[TargetProgress]
    scored: int
    total: int
    confirmed: bool
    scores_locked: bool


@dataclass(frozen=True, slots=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True, slots=True)
class ScoreItem:
    """One aspect of one target for one expert: what the score-entry screen shows."""

    scheme_id: int
    target_id: int
    target_label: str
    aspect_id: int
    code: str
    title: str
    kind: str
    max_points: Decimal
    options: list[Option]
    current: int | None
    rescore: bool
    scored: int
    total: int
    #: the subcriterion's code and title
    subcriterion: str
    #: the aspect's re-score round (AspectResult.rounds): the Mini App's conflict check
    round: int = 0
    #: while this expert's mark waits for a re-score: the group's marks that were compared
    group_marks: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class MarkOutcome:
    state: str  # incomplete | scored | rescore | tie
    points: Decimal | None
    scored: int
    total: int
    changed: bool
    #: this very mark completed a comparison that asked the group to re-score (the group was
    #: told now); False when the aspect was already waiting for the others' new marks
    flagged: bool = False
    #: the aspect's re-score round after this mark (AspectResult.rounds)
    round: int = 0
    value: int | None = None


@dataclass(frozen=True, slots=True)
class Expected:
    """A cell as the client last saw it (issue #16): its value (None: empty) and the aspect's
    re-score round. ``enter_mark`` refuses with ``mark_conflict`` when either has moved."""

    value: int | None
    round: int = 0


@dataclass(frozen=True, slots=True)
class SheetLine:
    aspect_id: int
    code: str
    title: str
    kind: str
    max_points: Decimal
    marks: dict[int, int]
    state: str
    points: Decimal | None
    #: the marks that may be given (as on the score-entry screen)
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class TargetSheet:
    """A participant's score sheet (for the mentor after the lock, R-SCO-5)."""

    scheme_id: int
    target_id: int
    label: str
    lines: list[SheetLine]
    total: Decimal
    confirmed_at: Any
    locked: bool
    #: who gave the marks (issue #16: names, not ids): an expert's Telegram id → the name
    #: on their role, else the id as text
    names: dict[int, str] = field(default_factory=dict)

    def name(self, telegram_id: int) -> str:
        return self.names.get(telegram_id) or str(telegram_id)


@dataclass(frozen=True, slots=True)
class CorrectionView:
    id: int
    scheme_id: int
    target_id: int
    target_label: str
    subcriterion_id: int
    subcriterion: str
    reason: str
    status: str
    signers: tuple[int, ...]
    approved: tuple[int, ...]
    confirmed: tuple[int, ...]
    opened_by: int


@dataclass(frozen=True, slots=True)
class ResultLine:
    target_id: int
    number: int
    label: str
    region: str | None
    total: Decimal
    place: int
    medal: str | None
    advances: bool
    #: R-APL-9: points deducted on appeal (already taken off ``total``) and disqualification
    deducted: Decimal = Decimal(0)
    disqualified: bool = False


@dataclass(frozen=True, slots=True)
class Results:
    scheme_id: int
    title: str
    complete: bool
    lines: list[ResultLine]


@dataclass(frozen=True, slots=True)
class ExpertProgress:
    telegram_id: int
    name: str
    groups: tuple[str, ...]
    scored: int
    total: int
    confirmed: bool


@dataclass(frozen=True, slots=True)
class GroupProgress:
    code: str
    name: str
    scored: int
    total: int


@dataclass(frozen=True, slots=True)
class FlaggedAspect:
    target_label: str
    aspect_code: str
    state: str


@dataclass(frozen=True, slots=True)
class ScoringProgress:
    scheme_id: int
    title: str
    targets: int
    groups: list[GroupProgress]
    experts: list[ExpertProgress]
    flagged: list[FlaggedAspect]
    unassigned: list[str]
    unconfirmed: list[str]
    mentors_unconfirmed: list[str]
    scores_locked: bool
    open_corrections: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
