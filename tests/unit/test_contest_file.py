"""The contest definition file: the example, every kind of error, its Russian rendering and
the published JSON Schema (R-APP-3, R-APP-4, R-APP-7, R-VER-1, R-ROLE-1, R-ROLE-2). No database."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from models import contest_file, definition_file
from models.contest_file import (
    MAX_DEFINITION_BYTES,
    ContestDef,
    DefinitionError,
    DefinitionInvalid,
    ExpertStatus,
    Role,
    json_schema,
    parse_contest_definition,
)
from models.definition_file import _PYDANTIC_CODES
from models.rules import FileKind
from notifications.definition_errors import (
    error_key,
    render_definition_error,
    render_definition_errors,
)
from notifications.i18n import has, t

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "contest.yaml"
SCHEMA_FILE = ROOT / "schemas" / "contest.schema.json"
MOSCOW = ZoneInfo("Europe/Moscow")

#: Every code parse_contest_definition can produce (see models/contest_file.py).
SEMANTIC_CODES = {
    "duplicate_code",
    "age_range",
    "no_application_deadline",
    "deadline_order",
    "deadline_before_start",
    "unknown_region",
    "coordinator_needs_region",
    "expert_needs_status",
    "duplicate_person_role",
    "chief_must_be_expert",
    "unknown_nomination",
    "unknown_stage",
    "duplicate_scheme",
    "not_an_expert",
    "commission_role_needs_member",
    "team_needs_one_region",  # R-APL-2 (issue #15): a team representative's one region
}
FILE_CODES = {
    "file_too_large",
    "not_utf8",
    "yaml_syntax",
    "not_mapping",
    "yaml_too_deep",
    "yaml_unsafe_tag",
    "yaml_unknown_tag",
}
ALL_CODES = (
    set(_PYDANTIC_CODES.values())
    | {"invalid", "unknown_timezone", "bad_datetime"}
    | SEMANTIC_CODES
    | FILE_CODES
)


def example_data() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_bytes())


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def errors_of(raw: bytes | str) -> list[DefinitionError]:
    with pytest.raises(DefinitionInvalid) as caught:
        parse_contest_definition(raw)
    return caught.value.errors


def errors_after(change) -> list[DefinitionError]:
    data = copy.deepcopy(example_data())
    change(data)
    return errors_of(dump(data))


def pairs(errors: list[DefinitionError]) -> set[tuple[str, str]]:
    return {(e.place, e.code) for e in errors}


# --------------------------------------------------------------------------- the example


def test_example_parses():
    d = parse_contest_definition(EXAMPLE.read_bytes())
    assert d.kind == "social_services"
    assert d.timezone == "Europe/Moscow"
    assert d.privacy_policy_url and d.privacy_policy_url.startswith("https://")
    assert "социального обслуживания (2027)" in d.title
    assert len(d.nominations) == 3
    assert [r.code for r in d.regions] == ["77", "50"]
    assert all(3 <= len(r.organisations) <= 4 for r in d.regions)


def test_example_deadlines_are_end_of_day_in_moscow():
    """R-APP-7: регистрация и загрузка — не позднее 1 апреля, оценка — 1 июня и 1 августа."""
    d = parse_contest_definition(EXAMPLE.read_bytes())
    regional, federal = d.stages
    assert regional.application_deadline == date(2027, 4, 1)
    deadline = d.aware(regional.application_deadline)
    assert deadline == datetime(2027, 4, 1, 23, 59, 59, tzinfo=MOSCOW)
    assert deadline.tzinfo is not None and deadline.utcoffset().total_seconds() == 3 * 3600
    assert d.aware(regional.evaluation_deadline) == datetime(2027, 6, 1, 23, 59, 59, tzinfo=MOSCOW)
    assert federal.application_deadline is None  # materials are uploaded once (R-APP-8)
    assert d.aware(federal.evaluation_deadline) == datetime(2027, 8, 1, 23, 59, 59, tzinfo=MOSCOW)
    assert d.aware(regional.starts_at, end_of_day=False) == datetime(2026, 12, 1, tzinfo=MOSCOW)


def test_example_nominations_conditions_fields_and_files():
    d = parse_contest_definition(EXAMPLE.read_bytes())
    noms = {n.title: n for n in d.nominations}
    assert noms["Лучший социальный работник"].conditions.min_experience_years == 3
    assert noms["Лучший молодой специалист"].conditions.max_age == 35
    assert noms["Лучшая практика по внедрению социального контракта"].conditions.requires_practice
    for nom in d.nominations:
        assert 2 <= len(nom.fields) <= 3
        kinds = {f.kind: f for f in nom.files}
        assert set(kinds) == {FileKind.DOCUMENT, FileKind.VIDEO}
        presentation = nom.files[0].requirement()
        assert presentation.types == ("pdf", "pptx")
        assert presentation.max_size == 20 * 1024 * 1024
        video = kinds[FileKind.VIDEO].requirement()
        assert set(video.types) == {"mp4", "mov"}
        assert video.max_size > 20 * 1024 * 1024  # beyond the cloud Bot API download limit
        extra = nom.files[-1].requirement()
        assert extra.max_count == 5 and not extra.required
        assert set(extra.types) == {"pdf", "docx", "jpg"}


def test_example_people():
    d = parse_contest_definition(EXAMPLE.read_bytes())
    coordinators = [p for p in d.people if p.role is Role.COORDINATOR]
    assert sorted(c for p in coordinators for c in p.regions) == ["50", "77"]
    assert [p for p in d.people if p.role is Role.FEDERAL_COORDINATOR]
    statuses = {p.expert_status for p in d.people if p.role is Role.EXPERT}
    assert statuses == set(ExpertStatus)  # every status of R-ROLE-2 appears in the example
    [chief] = [p for p in d.people if p.chief_for]
    assert chief.role is Role.EXPERT and chief.chief_for == ["best_social_worker"]
    assert len({p.telegram_id for p in d.people}) == len(d.people)


# --------------------------------------------------------------------------- each kind of error


@pytest.mark.parametrize(
    ("change", "place", "code", "phrase"),
    [
        pytest.param(
            lambda d: d.pop("title"), "title", "missing", "обязательное поле", id="missing-title"
        ),
        pytest.param(
            lambda d: d.update(organizer="Минтруд"),
            "organizer",
            "unknown_key",
            "неизвестное поле",
            id="unknown-key",
        ),
        pytest.param(
            lambda d: d["nominations"][2].update(code="best_social_worker"),
            "nominations[3].code",
            "duplicate_code",
            "«best_social_worker»",
            id="duplicate-nomination",
        ),
        pytest.param(
            lambda d: d["nominations"][1]["files"][0].update(max_size_mb=-5),
            "nominations[2].files[1].max_size_mb",
            "too_small",
            "нижняя граница: 0)",
            id="negative-size",
        ),
        pytest.param(
            lambda d: d["people"][0].update(regions=["99"]),
            "people[1].regions",
            "unknown_region",
            "«99»",
            id="unknown-region",
        ),
        pytest.param(
            lambda d: d["people"][1].pop("regions"),
            "people[2].regions",
            "coordinator_needs_region",
            "хотя бы один регион",
            id="coordinator-without-regions",
        ),
        pytest.param(
            lambda d: d.update(timezone="Moscow/Kremlin"),
            "timezone",
            "unknown_timezone",
            "часовой пояс",
            id="bad-timezone",
        ),
        pytest.param(
            lambda d: d.update(timezone="Europe"),  # a folder of the zone database
            "timezone",
            "unknown_timezone",
            "часовой пояс",
            id="timezone-folder",
        ),
        pytest.param(
            lambda d: d["nominations"][1]["conditions"].update(min_age=40),
            "nominations[2].conditions",
            "age_range",
            "min_age",
            id="max-age-below-min-age",
        ),
        pytest.param(
            lambda d: d["stages"][0].update(evaluation_deadline=date(2027, 3, 1)),
            "stages[1].evaluation_deadline",
            "deadline_order",
            "срок оценки раньше",
            id="evaluation-before-application",
        ),
        pytest.param(
            lambda d: d["stages"][0].pop("application_deadline"),
            "stages",
            "no_application_deadline",
            "application_deadline",
            id="no-application-deadline",
        ),
        pytest.param(
            lambda d: d["stages"][0].update(starts_at=date(2027, 5, 1)),
            "stages[1].application_deadline",
            "deadline_before_start",
            "раньше начала этапа",
            id="deadline-before-start",
        ),
        pytest.param(
            lambda d: d["people"][3].pop("expert_status"),
            "people[4].expert_status",
            "expert_needs_status",
            "статус",
            id="expert-without-status",
        ),
        pytest.param(
            lambda d: d["people"].append(dict(d["people"][2])),
            f"people[{len(example_data()['people']) + 1}].role",
            "duplicate_person_role",
            "с той же ролью",
            id="duplicate-person-role",
        ),
        pytest.param(
            lambda d: d["people"][0].update(role="boss"),
            "people[1].role",
            "not_one_of",
            "'coordinator', 'federal_coordinator', 'expert', 'commission_member'",
            id="unknown-role",
        ),
        pytest.param(
            lambda d: d["regions"][0].update(code=77),
            "regions[1].code",
            "not_text",
            "в кавычки",
            id="unquoted-numeric-code",
        ),
        pytest.param(
            lambda d: d["stages"][0].update(application_deadline="первое апреля"),
            "stages[1].application_deadline",
            "bad_datetime",
            "ГГГГ-ММ-ДД",
            id="bad-date",
        ),
        pytest.param(
            lambda d: d["stages"][1].update(evaluation_deadline=2027),  # not a Unix timestamp
            "stages[2].evaluation_deadline",
            "bad_datetime",
            "ГГГГ-ММ-ДД",
            id="number-as-date",
        ),
        pytest.param(
            lambda d: d.update(regions=[]),
            "regions",
            "list_too_short",
            "не меньше: 1",
            id="no-regions",
        ),
        pytest.param(
            lambda d: d["nominations"][0]["files"][0].update(types=["p d f"]),
            "nominations[1].files[1].types[1]",
            "bad_code",
            "латинские буквы",
            id="bad-extension",
        ),
        pytest.param(
            lambda d: d["nominations"][0]["fields"][0].update(max_length="много"),
            "nominations[1].fields[1].max_length",
            "not_integer",
            "целое число",
            id="not-integer",
        ),
    ],
)
def test_error_place_code_and_russian_text(change, place, code, phrase):
    errors = errors_after(change)
    assert (place, code) in pairs(errors), errors
    error = next(e for e in errors if (e.place, e.code) == (place, code))
    text = render_definition_error(error)
    assert text.startswith(f"{place}: "), text
    assert phrase in text, text
    assert "{" not in text and "$" not in text
    assert re.search("[а-яё]", text)


def test_yaml_syntax_error_gives_the_line():
    raw = "code: soc\ntitle: Конкурс\nstages:\n  - code: regional\n    title: [незакрытая\n"
    errors = errors_of(raw)
    assert len(errors) == 1
    (error,) = errors
    assert error.code == "yaml_syntax"
    assert error.args["line"] == 6  # the parser notices at the end of the file
    assert error.place == "line 6"
    text = render_definition_error(error)
    assert text.startswith("строка 6: ошибка синтаксиса YAML"), text

    bad_indent = errors_of("code: soc\ntitle: Конкурс\n  kind: x\n")
    assert bad_indent[0].code == "yaml_syntax" and bad_indent[0].args["line"] == 3
    assert render_definition_error(bad_indent[0]).startswith("строка 3:")


@pytest.mark.parametrize("raw", ["- a\n- b\n", "просто строка\n", "", "42\n"])
def test_a_document_that_is_not_a_mapping(raw):
    errors = errors_of(raw)
    assert pairs(errors) == {("—", "not_mapping")}
    assert render_definition_error(errors[0]).startswith("корень файла: ожидается набор полей")


def test_not_utf8_and_too_large():
    errors = errors_of("title: Конкурс\n".encode("cp1251"))
    assert pairs(errors) == {("—", "not_utf8")}
    assert "UTF-8" in render_definition_error(errors[0])
    errors = errors_of(b"#" * (MAX_DEFINITION_BYTES + 1))
    assert pairs(errors) == {("—", "file_too_large")}
    assert MAX_DEFINITION_BYTES == 2 * 1024 * 1024  # the message says «2 МБ»
    assert "2 МБ" in render_definition_error(errors[0])


def test_several_errors_are_all_reported():
    def change(d: dict[str, Any]) -> None:
        d.pop("title")
        d["colour"] = "синий"
        d.update(timezone="Nowhere/City")
        d["nominations"][0]["files"][1].update(max_size_mb=0)
        d["people"][0].update(role="boss")

    errors = errors_after(change)
    assert pairs(errors) >= {
        ("title", "missing"),
        ("colour", "unknown_key"),
        ("timezone", "unknown_timezone"),
        ("nominations[1].files[2].max_size_mb", "too_small"),
        ("people[1].role", "not_one_of"),
    }
    assert len(errors) == 5

    def semantic(d: dict[str, Any]) -> None:
        d["nominations"][2].update(code="best_social_worker")
        d["regions"][1]["organisations"][1].update(code="5036000505")
        d["people"][0].update(regions=["99", "78"])
        d["people"][1].update(regions=[])
        d["stages"][0].pop("application_deadline")

    errors = errors_after(semantic)
    assert pairs(errors) == {
        ("nominations[3].code", "duplicate_code"),
        ("regions[2].organisations[2].code", "duplicate_code"),
        ("people[1].regions", "unknown_region"),
        ("people[2].regions", "coordinator_needs_region"),
        ("stages", "no_application_deadline"),
    }
    assert sorted(e.args["code"] for e in errors if e.code == "unknown_region") == ["78", "99"]

    text = render_definition_errors(errors)
    lines = text.split("\n")
    assert lines[0] == "Файл конкурса не загружен: найдено ошибок — 6. Ничего не изменено."
    assert len(lines) == 7
    assert all(line.startswith("• ") for line in lines[1:])
    assert "• people[1].regions: региона с кодом «78» нет в списке regions." in lines


def test_rendering_limit_and_fallbacks():
    errors = [DefinitionError(f"people[{i}].name", "missing") for i in range(1, 36)]
    lines = render_definition_errors(errors, limit=30).split("\n")
    assert len(lines) == 1 + 30 + 1
    assert lines[-1] == "…и ещё 5."
    assert "35" in lines[0]
    assert render_definition_errors(errors[:30], limit=30).count("\n") == 30

    unknown = DefinitionError("nominations[1].code", "something_new", {"x": 1})
    assert render_definition_error(unknown) == "nominations[1].code: недопустимое значение."
    root = DefinitionError("—", "invalid")
    assert render_definition_error(root) == "корень файла: недопустимое значение."
    no_line = DefinitionError("line 0", "yaml_syntax", {"line": 0})
    assert render_definition_error(no_line).startswith("корень файла: ")


def test_every_code_has_a_russian_message():
    assert error_key("duplicate_code") == "def-err-duplicate-code"
    assert error_key("yaml_syntax") == "def-err-yaml-syntax"
    for key in ("def-errors-title", "def-errors-more", "def-place-root", "def-place-line"):
        assert has(key), key
    args = {"place": "x", "limit": "1", "expected": "'a', 'b'", "code": "c", "line": 1}
    for code in sorted(ALL_CODES):
        key = error_key(code)
        assert has(key), f"no message for {code!r}: add {key} to locales/ru/contest_file.ftl"
        assert t(key, **args).startswith("x: ")


def test_codes_in_the_source_are_all_known():
    """Every code literal in the parser (and the YAML loading it shares with scheme files) is
    in ALL_CODES (so the catalogue test covers it)."""
    source = "\n".join(
        Path(m.__file__).read_text(encoding="utf-8") for m in (contest_file, definition_file)
    )
    used = set(re.findall(r'DefinitionError\([^()]*?,\s*"([a-z_]+)"', source))
    used |= set(re.findall(r'ValueError\("([a-z_]+)"\)', source))
    assert used, "the pattern no longer finds the codes"
    assert used <= ALL_CODES, used - ALL_CODES


# --------------------------------------------------------------------------- JSON Schema


def json_ready(data: Any) -> Any:
    """YAML dates as the strings a JSON document would hold."""
    return json.loads(json.dumps(data, default=lambda v: v.isoformat()))


def test_json_schema_accepts_the_example():
    schema = json_schema()
    json.dumps(schema)  # serialisable
    instance = json_ready(example_data())
    if importlib.util.find_spec("jsonschema") is not None:
        import jsonschema

        validator_cls = jsonschema.validators.validator_for(schema)
        validator_cls.check_schema(schema)
        validator_cls(schema).validate(instance)
        bad = dict(instance, colour="синий")
        assert not validator_cls(schema).is_valid(bad)
    else:  # jsonschema is not a dependency: check the shape by hand
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False
        assert set(instance) <= set(schema["properties"])
        assert set(schema["required"]) <= set(instance)
        assert set(schema["required"]) == {"code", "title", "stages", "regions", "nominations"}
        for name in ("StageDef", "RegionDef", "NominationDef", "FileSlotDef", "PersonDef"):
            assert name in schema["$defs"]
        file_slot = schema["$defs"]["FileSlotDef"]
        assert file_slot["properties"]["max_size_mb"]["exclusiveMinimum"] == 0
        for nom in instance["nominations"]:
            for slot in nom["files"]:
                assert set(slot) <= set(file_slot["properties"])


def test_published_schema_file_is_up_to_date():
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert published == json_schema(), (
        "schemas/contest.schema.json is stale: regenerate it from models.contest_file.json_schema()"
    )
    expected_text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == expected_text


def test_contest_def_aware_keeps_explicit_zones():
    d = parse_contest_definition(EXAMPLE.read_bytes())
    assert isinstance(d, ContestDef)
    noon = datetime(2027, 4, 1, 12, 0)
    assert d.aware(noon) == datetime(2027, 4, 1, 12, 0, tzinfo=MOSCOW)
    assert d.aware(None) is None
    data = example_data()
    data["stages"][0]["application_deadline"] = "2027-04-01T10:00:00+05:00"
    stage = parse_contest_definition(dump(data)).stages[0]
    assert d.aware(stage.application_deadline).utcoffset().total_seconds() == 5 * 3600
