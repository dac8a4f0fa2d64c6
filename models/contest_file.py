"""The contest definition file (YAML), validated with pydantic.

Its JSON Schema is published as ``schemas/contest.schema.json`` (``python -m bot
contest-schema`` writes it). Errors come back as :class:`DefinitionError` values — a place
in the file and a catalogue key — which the front end renders in Russian.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# DefinitionError, DefinitionInvalid and the limits are re-exported from their old home
from models.definition_file import MAX_DEFINITION_BYTES as MAX_DEFINITION_BYTES
from models.definition_file import MAX_YAML_DEPTH as MAX_YAML_DEPTH
from models.definition_file import Code, Text, load_yaml_document, pydantic_errors
from models.definition_file import DefinitionError as DefinitionError
from models.definition_file import DefinitionInvalid as DefinitionInvalid
from models.rules import Conditions, FieldRequirement, FileKind, FileRequirement
from models.scheme_file import validate_scheme


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StageDef(_Strict):
    """Этап конкурса. Times without a zone are in the contest's time zone (R-APP-7)."""

    code: Code
    title: Text
    starts_at: datetime | date | None = None
    application_deadline: datetime | date | None = Field(
        default=None, description="Registration and upload deadline (R-APP-7)"
    )
    evaluation_deadline: datetime | date | None = None

    @field_validator("starts_at", "application_deadline", "evaluation_deadline", mode="before")
    @classmethod
    def _no_timestamps(cls, value: Any) -> Any:
        # YAML reads ``2027`` or ``20270401`` as a number, which pydantic would take for a
        # Unix timestamp (a moment of 1970): a number is never a date here.
        if isinstance(value, int | float):
            raise ValueError("bad_datetime")
        return value


class OrganisationDef(_Strict):
    code: Code
    name: Text


class RegionDef(_Strict):
    code: Code
    name: Text
    organisations: list[OrganisationDef] = Field(min_length=1)


class ConditionsDef(_Strict):
    """Extra conditions of a nomination (R-APP-3)."""

    min_age: int | None = Field(default=None, ge=14, le=100)
    max_age: int | None = Field(default=None, ge=14, le=100)
    min_experience_years: int | None = Field(default=None, ge=0, le=70)
    requires_practice: bool = False


class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"


class FieldDef(_Strict):
    """A field of the application form of a nomination."""

    code: Code
    title: Text
    kind: FieldKind = FieldKind.TEXT
    required: bool = True
    max_length: int = Field(default=1000, ge=1, le=4000)
    hint: str | None = None


class FileSlotDef(_Strict):
    """A file the nomination asks for (R-APP-4)."""

    code: Code
    title: Text
    kind: FileKind
    types: list[Annotated[str, Field(pattern=r"^[a-z0-9]{1,8}$")]] = Field(min_length=1)
    max_size_mb: float = Field(gt=0, le=2000)
    required: bool = True
    max_count: int = Field(default=1, ge=1, le=20)

    @field_validator("types", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [v.lower().lstrip(".") if isinstance(v, str) else v for v in value]
        return value

    def requirement(self) -> FileRequirement:
        return FileRequirement(
            code=self.code,
            kind=self.kind,
            types=tuple(self.types),
            max_size=int(self.max_size_mb * 1024 * 1024),
            required=self.required,
            max_count=self.max_count,
        )


class NominationDef(_Strict):
    code: Code
    title: Text
    description: str | None = None
    conditions: ConditionsDef = ConditionsDef()
    fields: list[FieldDef] = []
    files: list[FileSlotDef] = []


class Role(StrEnum):
    """R-ROLE-1."""

    COORDINATOR = "coordinator"  # региональный оператор
    FEDERAL_COORDINATOR = "federal_coordinator"  # федеральный оператор
    EXPERT = "expert"
    COMMISSION_MEMBER = "commission_member"
    #: представитель команды (002 §5.3): named by the regional operator for the team of one
    #: region — its participants and mentors; may appeal for them (R-APL-2)
    TEAM_REPRESENTATIVE = "team_representative"
    #: волонтёр (доброволец) чемпионата (002 §4.6, §5.5): receives a thank-you letter (R-RES-3)
    VOLUNTEER = "volunteer"


class ExpertStatus(StrEnum):
    """R-ROLE-2 (002 §5.2)."""

    COMPETENCE_MANAGER = "competence_manager"  # менеджер компетенции
    MENTOR = "mentor"  # эксперт-наставник
    INDUSTRIAL = "industrial"  # индустриальный эксперт
    METHODIST = "methodist"  # эксперт-методист


class PersonDef(_Strict):
    #: without a Telegram id the entry becomes an invitation (a deep link an admin hands
    #: out from /staff); with one, the role is bound to that account directly
    telegram_id: int | None = Field(default=None, gt=0)
    name: Text
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: Role
    regions: list[Code] = []
    expert_status: ExpertStatus | None = None
    #: nominations (competences) this expert is the chief expert of (R-ROLE-2)
    chief_for: list[Code] = []
    #: the appeal commission's members (R-APL-6): chair, secretary (no vote) or member
    commission_role: Literal["chair", "secretary", "member"] | None = None
    #: the organisation the person belongs to (registry code): an appeal about someone of
    #: the same organisation is not theirs to decide (R-APL-6)
    organisation: Code | None = None


class ContestDef(_Strict):
    """A contest: «Лучший по профессии», the social-services contest, a championship."""

    code: Code
    title: Text
    kind: Literal["social_services", "best_in_profession", "championship"] = "social_services"
    timezone: str = "Europe/Moscow"
    privacy_policy_url: str | None = None
    stages: list[StageDef] = Field(min_length=1)
    regions: list[RegionDef] = Field(min_length=1)
    nominations: list[NominationDef] = Field(min_length=1)
    people: list[PersonDef] = []
    #: marking schemes loaded with the contest (the same shape as a scheme file, see
    #: ``models.scheme_file.SchemeDef``; R-SCH-1…4)
    schemes: list[dict[str, Any]] = []

    def scheme_defs(self) -> list[Any]:
        """The schemes as checked :class:`models.scheme_file.SchemeDef` values."""
        return [validate_scheme(raw) for raw in self.schemes]

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            # OSError: a folder of the zone database ("Europe") raises IsADirectoryError
            raise ValueError("unknown_timezone") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def aware(self, value: datetime | date | None, *, end_of_day: bool = True) -> datetime | None:
        """A time from the file as an aware datetime; a bare date means the end of that day
        in the contest's zone (a deadline of 1 April means «по 1 апреля включительно»)."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(23, 59, 59) if end_of_day else time(0, 0))
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.tz)
        return value


def nomination_conditions(raw: dict[str, Any]) -> Conditions:
    return Conditions(**ConditionsDef.model_validate(raw or {}).model_dump())


def nomination_file_requirements(raw: list[Any]) -> list[FileRequirement]:
    return [FileSlotDef.model_validate(f).requirement() for f in raw or []]


def nomination_field_requirements(raw: list[Any]) -> list[FieldRequirement]:
    return [FieldRequirement(code=f["code"], required=f.get("required", True)) for f in raw or []]


# --------------------------------------------------------------------------- parsing and errors


def _duplicates(items: list[Any], place: str) -> list[DefinitionError]:
    seen: set[str] = set()
    errors: list[DefinitionError] = []
    for i, item in enumerate(items):
        if item.code in seen:
            errors.append(
                DefinitionError(f"{place}[{i + 1}].code", "duplicate_code", {"code": item.code})
            )
        seen.add(item.code)
    return errors


def _semantic_errors(d: ContestDef) -> list[DefinitionError]:
    errors = _duplicates(d.stages, "stages") + _duplicates(d.regions, "regions")
    errors += _duplicates(d.nominations, "nominations")
    for i, region in enumerate(d.regions):
        errors += _duplicates(region.organisations, f"regions[{i + 1}].organisations")
    for i, nom in enumerate(d.nominations):
        errors += _duplicates(nom.fields, f"nominations[{i + 1}].fields")
        errors += _duplicates(nom.files, f"nominations[{i + 1}].files")
        c = nom.conditions
        if c.min_age is not None and c.max_age is not None and c.min_age > c.max_age:
            errors.append(DefinitionError(f"nominations[{i + 1}].conditions", "age_range"))
    if not any(s.application_deadline for s in d.stages):
        errors.append(DefinitionError("stages", "no_application_deadline"))
    for i, stage in enumerate(d.stages):
        start, app, ev = (
            d.aware(stage.starts_at, end_of_day=False),
            d.aware(stage.application_deadline),
            d.aware(stage.evaluation_deadline),
        )
        if app and ev and ev < app:
            errors.append(DefinitionError(f"stages[{i + 1}].evaluation_deadline", "deadline_order"))
        if start and app and app < start:
            errors.append(
                DefinitionError(f"stages[{i + 1}].application_deadline", "deadline_before_start")
            )
    region_codes = {r.code for r in d.regions}
    nomination_codes = {n.code for n in d.nominations}
    seen_roles: set[tuple[Any, str]] = set()
    for i, person in enumerate(d.people):
        place = f"people[{i + 1}]"
        for code in person.regions:
            if code not in region_codes:
                errors.append(DefinitionError(f"{place}.regions", "unknown_region", {"code": code}))
        if person.role is Role.COORDINATOR and not person.regions:
            errors.append(DefinitionError(f"{place}.regions", "coordinator_needs_region"))
        if person.role is Role.TEAM_REPRESENTATIVE and len(person.regions) != 1:
            # R-APL-2, 002 §5.3: a representative speaks for the team of exactly one region
            errors.append(DefinitionError(f"{place}.regions", "team_needs_one_region"))
        if person.role is Role.EXPERT and person.expert_status is None:
            errors.append(DefinitionError(f"{place}.expert_status", "expert_needs_status"))
        for code in person.chief_for:
            if person.role is not Role.EXPERT:
                errors.append(DefinitionError(f"{place}.chief_for", "chief_must_be_expert"))
                break
            if code not in nomination_codes:
                errors.append(
                    DefinitionError(f"{place}.chief_for", "unknown_nomination", {"code": code})
                )
        if person.commission_role is not None and person.role is not Role.COMMISSION_MEMBER:
            errors.append(
                DefinitionError(f"{place}.commission_role", "commission_role_needs_member")
            )
        who = person.telegram_id or (person.name.casefold(), (person.email or "").casefold())
        if (who, person.role) in seen_roles:
            errors.append(DefinitionError(f"{place}.role", "duplicate_person_role"))
        seen_roles.add((who, person.role))
    errors += _scheme_errors(d)
    return errors


def _scheme_errors(d: ContestDef) -> list[DefinitionError]:
    """Each scheme of the file checked like a scheme file, its places under ``schemes[N]``;
    plus what the contest file itself can tell: the nomination, the stage, the experts."""
    errors: list[DefinitionError] = []
    nominations = {n.code for n in d.nominations}
    stages = {st.code for st in d.stages}
    experts = {
        p.telegram_id for p in d.people if p.role is Role.EXPERT and p.telegram_id is not None
    }
    seen: set[tuple[str, str]] = set()
    for i, raw in enumerate(d.schemes):
        prefix = f"schemes[{i + 1}]"
        try:
            scheme = validate_scheme(raw)
        except DefinitionInvalid as exc:
            errors += [
                DefinitionError(prefix if e.place == "—" else f"{prefix}.{e.place}", e.code, e.args)
                for e in exc.errors
            ]
            continue
        if scheme.nomination not in nominations:
            errors.append(
                DefinitionError(
                    f"{prefix}.nomination", "unknown_nomination", {"code": scheme.nomination}
                )
            )
        if scheme.stage not in stages:
            errors.append(
                DefinitionError(f"{prefix}.stage", "unknown_stage", {"code": scheme.stage})
            )
        if (scheme.nomination, scheme.stage) in seen:
            errors.append(DefinitionError(f"{prefix}.stage", "duplicate_scheme"))
        seen.add((scheme.nomination, scheme.stage))
        for j, g in enumerate(scheme.groups):
            for m in g.members:
                if m not in experts:
                    errors.append(
                        DefinitionError(
                            f"{prefix}.groups[{j + 1}].members", "not_an_expert", {"code": m}
                        )
                    )
    return errors


def parse_contest_definition(raw: bytes | str) -> ContestDef:
    """Parse and check a contest file; raises :class:`DefinitionInvalid` with every problem."""
    loaded = load_yaml_document(raw)
    if not isinstance(loaded, dict):
        raise DefinitionInvalid([DefinitionError("—", "not_mapping")])
    try:
        definition = ContestDef.model_validate(loaded)
    except ValidationError as exc:
        raise DefinitionInvalid(pydantic_errors(exc)) from None
    errors = _semantic_errors(definition)
    if errors:
        raise DefinitionInvalid(errors)
    return definition


def definition_sha256(raw: bytes | str) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    return hashlib.sha256(data).hexdigest()


def json_schema() -> dict[str, Any]:
    return ContestDef.model_json_schema()
