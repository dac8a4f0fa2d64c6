"""The marking scheme file (схема оценки, R-SCH-1/2/4), validated with pydantic.

A scheme comes as YAML (this module) or as an XLSX sheet (``models.scheme_xlsx``, which
reads the sheet into the same shape). Both end in :func:`validate_scheme`, so the rules and
the Russian error messages (``def-err-*``, rendered by ``notifications.definition_errors``)
are the same whichever way the chief expert sends it.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models import rules
from models.definition_file import (
    Code,
    DefinitionError,
    DefinitionInvalid,
    Text,
    load_yaml_document,
    pydantic_errors,
)
from models.rules import AspectKind

PointsValue = Annotated[
    Decimal, Field(ge=0, le=rules.ASPECT_MAX_POINTS, max_digits=6, decimal_places=2)
]
AspectCode = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9А-Яа-яЁё_.-]+$")
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OptionDef(_Strict):
    """A row of a discrete aspect's table (R-SCO-3)."""

    label: Text
    points: PointsValue


class AspectDef(_Strict):
    code: AspectCode
    title: Text
    kind: AspectKind
    max_points: Annotated[
        Decimal, Field(gt=0, le=rules.ASPECT_MAX_POINTS, max_digits=6, decimal_places=2)
    ]
    options: list[OptionDef] = []


class SubcriterionDef(_Strict):
    code: AspectCode
    title: Text
    #: the code of the assessment group that scores this subcriterion (R-SCH-4)
    group: Code | None = None
    aspects: list[AspectDef] = Field(min_length=1)


class CriterionDef(_Strict):
    code: AspectCode
    title: Text
    subcriteria: list[SubcriterionDef] = Field(min_length=1)


class GroupDef(_Strict):
    """Группа оценки: exactly four experts by Telegram id (R-SCH-4)."""

    code: Code
    name: Text | None = None
    members: list[Annotated[int, Field(gt=0)]]
    leader: Annotated[int, Field(gt=0)] | None = None


class SchemeDef(_Strict):
    nomination: Code
    stage: Code
    title: Text | None = None
    ranking: str = Field(default="overall", pattern="^(overall|by_region)$")
    criteria: list[CriterionDef] = Field(min_length=1)
    groups: list[GroupDef] = []

    def aspects(self) -> list[tuple[str, AspectDef]]:
        """Every aspect with its place in the file."""
        out = []
        for i, c in enumerate(self.criteria):
            for j, sub in enumerate(c.subcriteria):
                for k, a in enumerate(sub.aspects):
                    out.append((f"criteria[{i + 1}].subcriteria[{j + 1}].aspects[{k + 1}]", a))
        return out

    def total_points(self) -> Decimal:
        return sum((a.max_points for _, a in self.aspects()), Decimal(0))


def _dupes(codes: list[tuple[str, str]]) -> list[DefinitionError]:
    seen: set[str] = set()
    out = []
    for place, code in codes:
        if code in seen:
            out.append(DefinitionError(place, "duplicate_code", {"code": code}))
        seen.add(code)
    return out


def semantic_errors(d: SchemeDef) -> list[DefinitionError]:
    """R-SCH-1/2/4 beyond the field types: counts, the total of 100, discrete tables, groups."""
    errors: list[DefinitionError] = []
    n = len(d.criteria)
    if not rules.SCHEME_MIN_CRITERIA <= n <= rules.SCHEME_MAX_CRITERIA:
        errors.append(DefinitionError("criteria", "scheme_criteria_count", {"count": n}))
    aspects = d.aspects()
    if not rules.SCHEME_MIN_ASPECTS <= len(aspects) <= rules.SCHEME_MAX_ASPECTS:
        errors.append(DefinitionError("criteria", "scheme_aspect_count", {"count": len(aspects)}))
    total = d.total_points()
    if total != rules.SCHEME_TOTAL_POINTS:
        errors.append(
            DefinitionError("criteria", "scheme_total", {"total": f"{total.normalize():f}"})
        )
    errors += _dupes([(f"criteria[{i + 1}].code", c.code) for i, c in enumerate(d.criteria)])
    errors += _dupes(
        [
            (f"criteria[{i + 1}].subcriteria[{j + 1}].code", s.code)
            for i, c in enumerate(d.criteria)
            for j, s in enumerate(c.subcriteria)
        ]
    )
    errors += _dupes([(f"{place}.code", a.code) for place, a in aspects])
    for place, a in aspects:
        if a.kind is AspectKind.DISCRETE:
            if len(a.options) < 2:
                errors.append(DefinitionError(f"{place}.options", "discrete_needs_options"))
            elif max(o.points for o in a.options) != a.max_points:
                errors.append(
                    DefinitionError(
                        f"{place}.options",
                        "discrete_max_mismatch",
                        {"limit": f"{a.max_points.normalize():f}"},
                    )
                )
        elif a.options:
            errors.append(DefinitionError(f"{place}.options", "options_only_discrete"))
    errors += _dupes([(f"groups[{i + 1}].code", g.code) for i, g in enumerate(d.groups)])
    group_codes = {g.code for g in d.groups}
    for i, g in enumerate(d.groups):
        place = f"groups[{i + 1}]"
        if len(g.members) != rules.GROUP_SIZE or len(set(g.members)) != len(g.members):
            errors.append(
                DefinitionError(f"{place}.members", "group_size", {"limit": rules.GROUP_SIZE})
            )
        if g.leader is not None and g.leader not in g.members:
            errors.append(DefinitionError(f"{place}.leader", "leader_not_member"))
    for i, c in enumerate(d.criteria):
        for j, s in enumerate(c.subcriteria):
            if s.group is not None and s.group not in group_codes:
                place = f"criteria[{i + 1}].subcriteria[{j + 1}].group"
                errors.append(DefinitionError(place, "unknown_group", {"code": s.group}))
    return errors


def validate_scheme(data: Any) -> SchemeDef:
    """Check a scheme given as plain data; raises :class:`DefinitionInvalid` with every problem."""
    if not isinstance(data, dict):
        raise DefinitionInvalid([DefinitionError("—", "not_mapping")])
    try:
        scheme = SchemeDef.model_validate(data)
    except ValidationError as exc:
        raise DefinitionInvalid(pydantic_errors(exc)) from None
    errors = semantic_errors(scheme)
    if errors:
        raise DefinitionInvalid(errors)
    return scheme


def parse_scheme_yaml(raw: bytes | str) -> SchemeDef:
    return validate_scheme(load_yaml_document(raw))


def scheme_sha256(d: SchemeDef) -> str:
    """A hash of the scheme's content (not of the file), so a YAML and an XLSX of the same
    scheme are the same scheme."""
    return hashlib.sha256(d.model_dump_json().encode()).hexdigest()
