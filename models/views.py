"""Plain read-only views handed to the front end: ORM objects never leave the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.guardian_rules import GuardianSummary
from models.rules import Conditions, FileRequirement, Missing


@dataclass(frozen=True, slots=True)
class ContestBrief:
    id: int
    code: str
    title: str
    timezone: str
    application_deadline: datetime | None
    privacy_policy_url: str | None
    #: the contest's kind (``models.rules.CHAMPIONSHIP`` for the «Профессионалы» championship)
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """An item of a pick-list (region, organisation, nomination)."""

    id: int
    title: str


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Choice]
    page: int
    pages: int
    total: int
    #: nothing matched the query exactly: the items are the closest names (issue #15)
    closest: bool = False


@dataclass(frozen=True, slots=True)
class FieldSpec:
    code: str
    title: str
    kind: str
    required: bool
    max_length: int
    hint: str | None


@dataclass(frozen=True, slots=True)
class FileSlotSpec:
    code: str
    title: str
    requirement: FileRequirement


@dataclass(frozen=True, slots=True)
class NominationView:
    id: int
    code: str
    title: str
    description: str | None
    conditions: Conditions
    fields: list[FieldSpec]
    files: list[FileSlotSpec]


@dataclass(frozen=True, slots=True)
class StoredFile:
    id: int
    slot: str
    file_name: str | None
    size: int


@dataclass(frozen=True, slots=True)
class ApplicationView:
    id: int
    status: str
    nomination: NominationView
    field_values: dict[str, Any]
    files: list[StoredFile]
    consent_privacy: bool
    consent_transfer: bool
    submitted_at: datetime | None
    missing: Missing

    def files_in(self, slot: str) -> list[StoredFile]:
        return [f for f in self.files if f.slot == slot]


@dataclass(frozen=True, slots=True)
class ParticipantView:
    """What the participant (and /status) sees. The СНИЛС only masked (R-PD-2)."""

    id: int
    contest: ContestBrief
    status: str
    full_name: str | None
    snils_masked: str | None
    region: Choice | None
    organisation: Choice | None
    pd_consent: bool
    rejection_reason: str | None
    submitted_at: datetime | None
    application: ApplicationView | None = None
    #: R-ROLE-5: a minor's parental consent at a glance; None when none is needed
    guardian: GuardianSummary | None = None

    @property
    def form_complete(self) -> bool:
        return bool(self.full_name and self.snils_masked and self.region and self.organisation)


@dataclass(frozen=True, slots=True)
class VerificationCard:
    """A coordinator's view of one participant."""

    participant_id: int
    contest_title: str
    full_name: str
    snils_masked: str
    region: str
    organisation: str
    status: str
    submitted_at: datetime | None
    rejection_reason: str | None
    application_status: str | None = None
    nomination_title: str | None = None
    application_id: int | None = None
    #: the contest (the card's «‹ К очереди», issue #15); 0 when not known
    contest_id: int = 0


@dataclass(frozen=True, slots=True)
class LoadResult:
    contest_id: int
    code: str
    title: str
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    deactivated: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StaffRoles:
    """The roles of a person across contests, for menus and permission checks."""

    is_admin: bool
    coordinator_contests: dict[int, frozenset[str] | None]  # contest → region codes, None = all

    @property
    def is_coordinator(self) -> bool:
        return bool(self.coordinator_contests)
