"""What the paper sheets service returns (issue #16, seed 002 §6.7): plain, frozen views the
PDF renderer (``notifications.paper_sheets``) and the chat read. No ORM rows leave the
service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class PaperPerson:
    """A signer or a column of a sheet: an expert by name (never a Telegram id on paper)."""

    telegram_id: int
    name: str
    leader: bool = False


@dataclass(frozen=True, slots=True)
class PaperAspect:
    id: int
    code: str
    title: str
    #: judgement | binary | discrete (R-SCH-2)
    kind: str
    max_points: Decimal
    #: a discrete aspect's declared table (R-SCO-3): (label, points), by stored value
    options: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True, slots=True)
class PaperHeading:
    """What every page of a sheet is headed with."""

    contest: str
    scheme: str
    nomination: str
    stage: str
    timezone: str
    made_at: datetime


@dataclass(frozen=True, slots=True)
class BlankPage:
    """One subcriterion × one participant: the table an assessment group fills by hand."""

    criterion: str
    subcriterion_code: str
    subcriterion_title: str
    group_code: str
    group_name: str
    target_label: str
    aspects: tuple[PaperAspect, ...]
    experts: tuple[PaperPerson, ...]
    #: group members who do not score this participant: its mentor unless allowed (R-ROLE-3)
    excluded: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class BlankSheets:
    heading: PaperHeading
    #: the subcriterion asked for; None — every subcriterion of the scheme
    subcriterion_code: str | None
    pages: tuple[BlankPage, ...]


@dataclass(frozen=True, slots=True)
class FilledLine:
    aspect: PaperAspect
    #: expert's Telegram id → the stored mark (0–3, 1/0, a discrete option's index)
    marks: dict[int, int]
    #: marks set aside by a re-score or a tie and not given again yet
    stale: frozenset[int]
    #: the group's result: incomplete | scored | rescore | tie
    state: str
    points: Decimal | None


@dataclass(frozen=True, slots=True)
class FilledPart:
    """One subcriterion × one participant of a group's filled sheet."""

    subcriterion_code: str
    subcriterion_title: str
    target_label: str
    lines: tuple[FilledLine, ...]
    total: Decimal
    max_total: Decimal
    excluded: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class GroupSheet:
    heading: PaperHeading
    group_code: str
    group_name: str
    #: the columns: the group's members, then anyone else who left a mark on its aspects
    experts: tuple[PaperPerson, ...]
    #: who signs: the group's members and the chief expert
    members: tuple[PaperPerson, ...]
    chief: PaperPerson | None
    parts: tuple[FilledPart, ...]
    scores_locked: bool


@dataclass(frozen=True, slots=True)
class SubcriterionChoice:
    id: int
    code: str
    title: str
    group_code: str | None
    aspects: int


@dataclass(frozen=True, slots=True)
class GroupChoice:
    id: int
    code: str
    name: str
    subcriteria: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PaperChoices:
    """What the chief expert may print for a scheme, and whether it can be printed yet."""

    scheme_id: int
    title: str
    locked: bool
    targets: int
    subcriteria: tuple[SubcriterionChoice, ...]
    groups: tuple[GroupChoice, ...]
