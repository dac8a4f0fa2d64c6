"""Marking schemes (R-SCH-1…4): the scoring rules (R-SCO-1…3, R-RES-1), the scheme's
validation with Russian errors, the XLSX workbook (read, write, errors by sheet, row and
column) and ``python -m bot load-scheme``."""

from __future__ import annotations

import copy
import io
import re
import sqlite3
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from models import rules
from models.contest_file import DefinitionError, DefinitionInvalid
from models.scheme_file import parse_scheme_yaml, scheme_sha256, validate_scheme
from models.scheme_xlsx import (
    MAX_XLSX_BYTES,
    is_xlsx,
    parse_scheme_file,
    parse_scheme_xlsx,
    read_scheme_xlsx,
    scheme_to_xlsx,
)
from notifications.definition_errors import render_definition_error, render_definition_errors
from notifications.i18n import has

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CONTEST = ROOT / "examples" / "contest.yaml"
EXAMPLE_SCHEME = ROOT / "examples" / "scheme.yaml"
EXAMPLE_XLSX = ROOT / "examples" / "scheme.xlsx"
D = Decimal


# =========================================================================== rules


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        ([0, 1, 1, 1], False),
        ([0, 2, 2, 2], True),
        ([3, 3, 2, 1], True),
        ([], False),
        ([3, 2, 2, 3], False),
    ],
)
def test_judgement_needs_rescore_when_marks_differ_by_more_than_one(
    marks: list[int], expected: bool
) -> None:
    assert rules.judgement_needs_rescore(marks) is expected


@pytest.mark.parametrize(
    ("marks", "max_points", "expected"),
    [
        ([1, 2, 2, 2], D(2), D("1.17")),  # 2 × 1.75 / 3 = 1.1666…
        ([1, 2, 2, 2], D("1.5"), D("0.88")),  # 1.5 × 1.75 / 3 = 0.875
        ([3, 3, 3, 3], D(2), D("2.00")),
        ([0, 0, 0, 0], D(2), D("0.00")),
        # 1.5 × 0.25 / 3 = 0.125 exactly: half up gives 0.13 (half even would give 0.12)
        ([1, 0, 0, 0], D("1.5"), D("0.13")),
    ],
)
def test_judgement_points_are_max_times_mean_over_three_rounded_half_up(
    marks: list[int], max_points: Decimal, expected: Decimal
) -> None:
    points = rules.judgement_points(marks, max_points)
    assert points == expected
    assert str(points) == str(expected)  # two decimals, as shown to people


@pytest.mark.parametrize("bad", [4, -1, True, "2", 1.0])
def test_a_judgement_mark_outside_0_to_3_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError):
        rules.judgement_points([1, 1, 1, bad], D(2))
    with pytest.raises(ValueError):
        rules.judgement_needs_rescore([bad, 1, 1, 1])


def test_judgement_points_need_marks() -> None:
    with pytest.raises(ValueError):
        rules.judgement_points([], D(2))


def test_binary_points_follow_the_majority_and_a_tie_is_no_result() -> None:
    assert rules.binary_points([True, True, True, False], D("1.5")) == D("1.50")
    assert rules.binary_points([True, False, False, False], D("1.5")) == D("0.00")
    assert rules.binary_points([True, True, False, False], D("1.5")) is None
    assert rules.binary_points([1, 0, 1, 1], D(1)) == D("1.00")  # 0/1 are yes/no
    assert rules.binary_points([0, 0, 0, 1], D(1)) == D("0.00")


@pytest.mark.parametrize("votes", [[True, True, 2, False], [], [True, "yes", True, True]])
def test_binary_points_refuse_what_is_not_a_vote(votes: list[Any]) -> None:
    with pytest.raises(ValueError):
        rules.binary_points(votes, D(1))


def test_discrete_points_need_a_majority_of_the_group() -> None:
    table = [D(0), D("0.5"), D(1)]
    assert rules.discrete_group_points([2, 2, 2, 1], table) == D("1.00")
    assert rules.discrete_group_points([1, 1, 1, 0], table) == D("0.50")
    assert rules.discrete_group_points([1, 1, 2, 2], table) is None  # two against two
    assert rules.discrete_group_points([0, 1, 2, 2], table) is None  # two of four is no majority
    with pytest.raises(ValueError):
        rules.discrete_group_points([3, 2, 2, 2], table)  # no such row in the table


@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        ((90, 90, 80), ["gold", "gold", "bronze"]),  # two golds: no silver
        ((90, 80, 80, 70), ["gold", "silver", "silver", None]),  # places 1, 2, 2, 4
        ((75, 75, 75), ["gold", "gold", "gold"]),
        ((90, 80, 70, 60), ["gold", "silver", "bronze", None]),
        ((D("80.5"), D("80.49"), 70), ["gold", "silver", "bronze"]),
    ],
)
def test_award_medals_by_standard_competition_ranking(
    totals: tuple[Any, ...], expected: list[str | None]
) -> None:
    keys = [f"p{i}" for i in range(len(totals))]
    medals = rules.award_medals({k: D(v) for k, v in zip(keys, totals, strict=True)})
    assert [medals[k] for k in keys] == expected


def test_award_medals_of_nobody() -> None:
    assert rules.award_medals({}) == {}


# =========================================================================== scheme validation


def make_scheme(
    points: list[Decimal] | None = None, criteria: int = 3, **extra: Any
) -> dict[str, Any]:
    """A valid scheme: ``criteria`` criteria, each of one subcriterion scored by group G1,
    the aspects (judgement, worth ``points``; default 50 × 2) dealt round the criteria."""
    points = points if points is not None else [D(2)] * 50
    crits: list[dict[str, Any]] = [
        {
            "code": str(i + 1),
            "title": f"Критерий {i + 1}",
            "subcriteria": [{"code": f"{i + 1}.1", "title": "Суб", "group": "G1", "aspects": []}],
        }
        for i in range(criteria)
    ]
    for n, p in enumerate(points):
        aspects = crits[n % criteria]["subcriteria"][0]["aspects"]
        aspects.append(
            {
                "code": f"{n % criteria + 1}.1.{len(aspects) + 1}",
                "title": f"Аспект {n + 1}",
                "kind": "judgement",
                "max_points": p,
            }
        )
    data = {
        "nomination": "best_social_worker",
        "stage": "regional",
        "criteria": crits,
        "groups": [{"code": "G1", "members": [11, 12, 13, 14], "leader": 11}],
    }
    data.update(extra)
    return data


def aspect(data: dict[str, Any], criterion: int = 1, number: int = 1) -> dict[str, Any]:
    return data["criteria"][criterion - 1]["subcriteria"][0]["aspects"][number - 1]


def errors_of(data: dict[str, Any]) -> list[DefinitionError]:
    with pytest.raises(DefinitionInvalid) as exc:
        validate_scheme(data)
    return exc.value.errors


def only_error(data: dict[str, Any]) -> tuple[str, str, str]:
    errors = errors_of(data)
    assert len(errors) == 1, errors
    e = errors[0]
    return e.place, e.code, render_definition_error(e)


def test_the_built_scheme_is_valid() -> None:
    d = validate_scheme(make_scheme())
    assert len(d.aspects()) == 50 and d.total_points() == 100


@pytest.mark.parametrize(
    ("criteria", "points", "counted"),
    [(2, [D(2)] * 50, "2 критерия"), (10, [D(2)] * 50, "10 критериев")],  # Russian plurals (#15)
)
def test_three_to_nine_criteria(criteria: int, points: list[Decimal], counted: str) -> None:
    place, code, text = only_error(make_scheme(points, criteria=criteria))
    assert (place, code) == ("criteria", "scheme_criteria_count")
    assert text == f"criteria: в схеме {counted}, а должно быть от 3 до 9."


def test_fifty_to_two_hundred_aspects() -> None:
    # 49 aspects cannot reach 100 points at 2 each: both are said
    errors = errors_of(make_scheme([D(2)] * 49))
    texts = [render_definition_error(e) for e in errors]
    assert [(e.place, e.code) for e in errors] == [
        ("criteria", "scheme_aspect_count"),
        ("criteria", "scheme_total"),
    ]
    assert (
        texts[0]
        == "criteria: в схеме 49 аспектов, а должно быть от 50 до 200 (рекомендуется 75–150)."
    )
    assert texts[1] == "criteria: сумма баллов всех аспектов — 98, а должна быть ровно 100."
    # 201 aspects totalling exactly 100: only the count is wrong
    place, code, text = only_error(make_scheme([D("0.49")] * 200 + [D(2)]))
    assert (place, code) == ("criteria", "scheme_aspect_count")
    assert "201 аспект," in text  # «201 аспект», Russian plural (#15)
    assert validate_scheme(make_scheme([D("0.5")] * 200)).total_points() == 100  # 200 is allowed


def test_an_aspect_is_worth_at_most_two_points() -> None:
    data = make_scheme([D("2.5")] + [D(2)] * 48 + [D("1.5")])
    place, code, text = only_error(data)
    assert (place, code) == ("criteria[1].subcriteria[1].aspects[1].max_points", "too_big")
    assert (
        text
        == "criteria[1].subcriteria[1].aspects[1].max_points: значение слишком большое (верхняя граница: 2)."
    )


def test_the_scheme_totals_exactly_one_hundred() -> None:
    place, code, text = only_error(make_scheme([D(2)] * 49 + [D("1.5")]))
    assert (place, code) == ("criteria", "scheme_total")
    assert text == "criteria: сумма баллов всех аспектов — 99.5, а должна быть ровно 100."


def discrete(max_points: Any, table: list[tuple[str, Any]] | None) -> dict[str, Any]:
    a: dict[str, Any] = {
        "code": "1.1.1",
        "title": "Оформление",
        "kind": "discrete",
        "max_points": max_points,
    }
    if table is not None:
        a["options"] = [{"label": label, "points": p} for label, p in table]
    return a


def test_discrete_aspects_declare_their_table() -> None:
    data = make_scheme()
    aspect(data).update(discrete(2, None))
    place, code, text = only_error(data)
    assert (place, code) == (
        "criteria[1].subcriteria[1].aspects[1].options",
        "discrete_needs_options",
    )
    assert "у дискретного аспекта должна быть таблица баллов" in text

    aspect(data).update(discrete(2, [("нет", 0), ("частично", "0.5"), ("полностью", 1)]))
    place, code, text = only_error(data)
    assert (place, code) == (
        "criteria[1].subcriteria[1].aspects[1].options",
        "discrete_max_mismatch",
    )
    assert text.endswith("должен быть равен его максимальному баллу (2).")

    aspect(data).update(discrete(2, [("нет", 0), ("частично", 1), ("полностью", 2)]))
    d = validate_scheme(data)
    assert [o.points for o in d.aspects()[0][1].options] == [0, 1, 2]


def test_only_discrete_aspects_have_a_table() -> None:
    data = make_scheme()
    aspect(data)["options"] = [{"label": "да", "points": 2}, {"label": "нет", "points": 0}]
    place, code, text = only_error(data)
    assert (place, code) == (
        "criteria[1].subcriteria[1].aspects[1].options",
        "options_only_discrete",
    )
    assert "только у дискретного аспекта" in text


def test_unknown_aspect_kind() -> None:
    data = make_scheme()
    aspect(data)["kind"] = "measurable"
    place, code, text = only_error(data)
    assert (place, code) == ("criteria[1].subcriteria[1].aspects[1].kind", "not_one_of")
    assert "'judgement', 'binary', 'discrete'" in text


@pytest.mark.parametrize(
    "members",
    [[11, 12, 13], [11, 12, 13, 14, 15], [11, 12, 13, 13]],
    ids=["three", "five", "duplicate member"],
)
def test_an_assessment_group_is_four_different_experts(members: list[int]) -> None:
    data = make_scheme()
    data["groups"][0]["members"] = members
    place, code, text = only_error(data)
    assert (place, code) == ("groups[1].members", "group_size")
    assert text == "groups[1].members: в группе оценки должно быть ровно 4 разных эксперта."


def test_the_group_leader_is_a_member() -> None:
    data = make_scheme()
    data["groups"][0]["leader"] = 99
    place, code, text = only_error(data)
    assert (place, code) == ("groups[1].leader", "leader_not_member")
    assert text == "groups[1].leader: руководитель группы оценки должен быть одним из её членов."


def test_a_subcriterion_names_a_known_group() -> None:
    data = make_scheme()
    data["criteria"][1]["subcriteria"][0]["group"] = "G7"
    place, code, text = only_error(data)
    assert (place, code) == ("criteria[2].subcriteria[1].group", "unknown_group")
    assert "группы оценки с кодом «G7» нет" in text


def test_aspect_codes_are_unique() -> None:
    data = make_scheme()
    aspect(data, 2, 3)["code"] = aspect(data, 1, 1)["code"]
    place, code, text = only_error(data)
    assert (place, code) == ("criteria[2].subcriteria[1].aspects[3].code", "duplicate_code")
    assert "код «1.1.1» уже использован" in text


def test_scheme_errors_title_says_nothing_changed() -> None:
    errors = errors_of(make_scheme([D(2)] * 49))
    text = render_definition_errors(errors, title_key="scheme-errors-title")
    assert (
        text.splitlines()[0] == "Схема оценки не загружена: найдено ошибок — 2. Ничего не изменено."
    )


def test_the_example_scheme_is_valid() -> None:
    d = parse_scheme_yaml(EXAMPLE_SCHEME.read_bytes())
    assert len(d.aspects()) == 60
    assert d.total_points() == 100
    assert {a.kind for _, a in d.aspects()} == set(rules.AspectKind)


# =========================================================================== XLSX


def example() -> Any:
    return parse_scheme_yaml(EXAMPLE_SCHEME.read_bytes())


def edit(raw: bytes, change: Any) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_errors(raw: bytes) -> list[str]:
    with pytest.raises(DefinitionInvalid) as exc:
        parse_scheme_xlsx(raw)
    return [render_definition_error(e) for e in exc.value.errors]


def row_of(raw: bytes, aspect_code: str) -> int:
    ws = openpyxl.load_workbook(io.BytesIO(raw))["Схема"]
    for row in ws.iter_rows(min_row=2):
        if row[4].value == aspect_code:
            return row[0].row
    raise AssertionError(aspect_code)


def test_xlsx_round_trip_gives_the_same_scheme() -> None:
    d = example()
    raw = scheme_to_xlsx(d)
    assert raw[:2] == b"PK"
    back = parse_scheme_xlsx(raw)
    assert back == d
    assert scheme_sha256(back) == scheme_sha256(d)


def test_the_example_workbook_is_the_example_scheme() -> None:
    d = parse_scheme_xlsx(EXAMPLE_XLSX.read_bytes())
    assert scheme_sha256(d) == scheme_sha256(example())


def test_the_template_reads_like_an_organiser_sees_it() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(scheme_to_xlsx(example())))
    assert wb.sheetnames[:3] == ["Параметры", "Схема", "Группы"]
    header = [c.value for c in wb["Схема"][1]]
    assert header == [
        "Критерий", "Название критерия", "Субкритерий", "Название субкритерия", "Аспект",
        "Название аспекта", "Вид", "Макс. балл", "Дискретная таблица", "Группа",
    ]  # fmt: skip
    params = {r[0]: r[1] for r in wb["Параметры"].iter_rows(min_row=2, values_only=True)}
    assert params["Номинация"] == "best_social_worker" and params["Места"] == "по регионам"
    kinds = {r[6] for r in wb["Схема"].iter_rows(min_row=2, values_only=True) if r[4]}
    assert kinds == {"судейская", "бинарная", "дискретная"}
    tables = {r[8] for r in wb["Схема"].iter_rows(min_row=2, values_only=True) if r[8]}
    assert "0: не выполнено; 0,5: частично; 1: полностью" in tables


def test_bad_max_points_and_unknown_kind_are_reported_by_row() -> None:
    raw = scheme_to_xlsx(example())
    r1, r2 = row_of(raw, "1.1.6"), row_of(raw, "2.1.3")

    def change(wb: Any) -> None:
        ws = wb["Схема"]
        ws.cell(r1, 8).value = "полтора"
        ws.cell(r2, 7).value = "оценочная"

    texts = xlsx_errors(edit(raw, change))
    assert texts == [
        f"лист «Схема», строка {r1}, столбец «Макс. балл»: «полтора» — не число. Укажите число, например 2 или 1,5.",
        f"лист «Схема», строка {r2}, столбец «Вид»: неизвестный вид аспекта «оценочная». "
        "Укажите «судейская», «бинарная» или «дискретная».",
    ]


def test_validation_errors_name_the_row_and_column() -> None:
    raw = scheme_to_xlsx(example())
    r_big, r_dup = row_of(raw, "1.1.2"), row_of(raw, "3.1.1")

    def change(wb: Any) -> None:
        ws = wb["Схема"]
        ws.cell(r_big, 8).value = "2,5"
        wb["Группы"].cell(3, 7).value = 42  # leader of G2, not a member

    texts = xlsx_errors(edit(raw, change))
    assert texts == [
        f"лист «Схема», строка {r_big}, столбец «Макс. балл»: значение слишком большое (верхняя граница: 2).",
    ]

    def semantic(wb: Any) -> None:
        wb["Схема"].cell(r_dup, 5).value = "1.1.1"
        wb["Группы"].cell(3, 7).value = 42

    texts = xlsx_errors(edit(raw, semantic))
    assert (
        f"лист «Схема», строка {r_dup}, столбец «Аспект»: код «1.1.1» уже использован выше в этом списке; "
        "коды должны быть уникальными." in texts
    )
    assert (
        "лист «Группы», строка 3, столбец «Руководитель»: руководитель группы оценки должен быть одним из её членов."
        in texts
    )
    assert len(texts) == 2


def test_a_total_other_than_100_names_the_sheet() -> None:
    raw = scheme_to_xlsx(example())
    row = row_of(raw, "1.1.1")
    texts = xlsx_errors(edit(raw, lambda wb: setattr(wb["Схема"].cell(row, 8), "value", 1.5)))
    assert texts == ["лист «Схема»: сумма баллов всех аспектов — 99.5, а должна быть ровно 100."]


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        (b"nomination: x\nstage: y\n", "это не книга Excel (XLSX)"),
        (b"PK\x03\x04 not really a zip", "это не книга Excel (XLSX)"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "старом формате Excel (XLS) или защищён паролем",
        ),
        (b"PK" + b"\0" * MAX_XLSX_BYTES, "не больше 5 МБ"),
    ],
    ids=["yaml", "broken zip", "old xls", "too large"],
)
def test_what_is_not_a_workbook_is_refused_clearly(raw: bytes, needle: str) -> None:
    texts = xlsx_errors(raw)
    assert len(texts) == 1
    assert texts[0].startswith("корень файла: ")
    assert needle in texts[0]


def test_a_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "это не книга Excel" in xlsx_errors(out.getvalue())[0]


def test_missing_sheets_and_columns_are_named() -> None:
    raw = scheme_to_xlsx(example())

    def no_sheets(wb: Any) -> None:
        del wb["Параметры"]
        wb["Схема"].title = "Лист1"

    texts = xlsx_errors(edit(raw, no_sheets))
    assert texts == [
        "корень файла: в книге нет листа «Параметры». Нужны листы «Параметры» и «Схема» (лист «Группы» — по желанию).",
        "корень файла: в книге нет листа «Схема». Нужны листы «Параметры» и «Схема» (лист «Группы» — по желанию).",
    ]
    texts = xlsx_errors(edit(raw, lambda wb: wb["Схема"].delete_cols(8)))
    assert texts == ["лист «Схема», строка 1: в строке заголовков нет столбца «Макс. балл»."]


def build_workbook(
    rows: list[tuple[Any, ...]], params: list[tuple[Any, Any]] | None = None, groups: bool = True
) -> bytes:
    """A workbook as an organiser might type it: headers in their own spelling."""
    wb = openpyxl.Workbook()
    p = wb.active
    p.title = "параметры"  # case does not matter
    for row in params or [
        ("Номинация", "best_social_worker"),
        ("Этап:", "regional"),
        ("Места", "Общий"),
    ]:
        p.append(row)
    ws = wb.create_sheet("Схема ")
    ws.append(("Критерий", "Название критерия", "Субкритерий", "Название субкритерия", "Аспект", "Название аспекта",
               "Вид", "Максимальный балл", "Таблица баллов", "Группа оценки", "Комментарий"))  # fmt: skip
    for row in rows:
        ws.append(row)
    if groups:
        gs = wb.create_sheet("Группы")
        gs.append(
            ("Код", "Название", "Эксперт 1", "Эксперт 2", "Эксперт 3", "Эксперт 4", "Руководитель")
        )
        gs.append(("G1", "Первая", 11, "12", 13.0, " 14 ", 11))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def typed_rows() -> list[tuple[Any, ...]]:
    """3 criteria, 52 aspects, 100 points; Russian kinds, comma decimals, titles given once,
    heading rows and a total row."""
    rows: list[tuple[Any, ...]] = [
        (1, "Знания", None, None, None, None, None, None, None, None, "заголовок критерия")
    ]
    rows.append((None, None, "1.1", "Нормы", None, None, None, None, None, "G1"))
    for k in range(1, 17):
        rows.append((1, None, "1.1", None, f"1.1.{k}", f"Аспект {k}", "Судейская", 2, None, None))
    rows.append(
        (
            1,
            None,
            "1.1",
            None,
            "1.1.17",
            "Оформление",
            "ДИСКРЕТНАЯ",
            "1,5",
            "0: нет; 0,5: частично; 1,5: полностью",
            None,
        )
    )
    rows.append((1, None, "1.1", None, "1.1.18", "Срок", "бинарная", " 0,5 ", None, None))
    for c in (2, 3):
        for k in range(1, 17):
            title = f"Критерий {c}" if k == 1 else None
            rows.append(
                (
                    c,
                    title,
                    f"{c}.1",
                    "Суб" if k == 1 else None,
                    f"{c}.1.{k}",
                    f"Аспект {k}",
                    "judgement",
                    2,
                    None,
                    "G1",
                )
            )
        rows.append((None, None, None, None, f"{c}.1.17", "Отчёт сдан", "Binary", 1, None, None))
    rows.append(("Итого", None, None, None, None, None, None, 100, None, None))
    return rows


def by_code_kind(d: Any, code: str) -> rules.AspectKind:
    return {a.code: a.kind for _, a in d.aspects()}[code]


def test_comma_decimals_russian_kinds_and_titles_given_once_are_read() -> None:
    d = parse_scheme_xlsx(build_workbook(typed_rows()))
    assert [c.code for c in d.criteria] == ["1", "2", "3"]
    assert [c.title for c in d.criteria] == ["Знания", "Критерий 2", "Критерий 3"]
    first = d.criteria[0].subcriteria
    assert len(first) == 1 and first[0].title == "Нормы" and first[0].group == "G1"
    assert len(first[0].aspects) == 18 and len(d.aspects()) == 52
    assert (
        by_code_kind(d, "3.1.17") is rules.AspectKind.BINARY
    )  # codes left empty: the same as above
    assert d.criteria[2].subcriteria[0].aspects[-1].code == "3.1.17"
    by_code = {a.code: a for _, a in d.aspects()}
    assert by_code["1.1.1"].kind is rules.AspectKind.JUDGEMENT
    assert by_code["2.1.1"].kind is rules.AspectKind.JUDGEMENT
    assert by_code["1.1.18"].kind is rules.AspectKind.BINARY and by_code["1.1.18"].max_points == D(
        "0.5"
    )
    table = by_code["1.1.17"]
    assert table.kind is rules.AspectKind.DISCRETE and table.max_points == D("1.5")
    assert [(o.label, o.points) for o in table.options] == [
        ("нет", 0),
        ("частично", D("0.5")),
        ("полностью", D("1.5")),
    ]
    assert d.ranking == "overall"
    assert d.groups[0].members == [11, 12, 13, 14] and d.groups[0].leader == 11
    assert d.total_points() == 100


def test_typing_problems_in_an_organisers_workbook() -> None:
    rows = typed_rows()
    rows[3] = (
        1,
        "Другое название",
        "1.1",
        None,
        "1.1.2",
        "Аспект 2",
        "Судейская",
        2,
        None,
        None,
    )  # sheet row 5
    rows[4] = (
        1,
        None,
        "1.1",
        None,
        datetime(2001, 1, 1),
        "Аспект 3",
        "Судейская",
        2,
        None,
        "G2",
    )  # row 6
    rows[18] = (
        1,
        None,
        "1.1",
        None,
        "1.1.17",
        "Оформление",
        "дискретная",
        "1,5",
        "нет; 1,5: да",
        None,
    )  # row 20
    raw = build_workbook(
        rows, params=[("Номинация", "best_social_worker"), ("Места", "как получится")]
    )
    texts = xlsx_errors(raw)
    assert texts == [
        "лист «параметры»: нет строки «Этап». Впишите «Этап» в первый столбец, а код — во второй.",
        "лист «параметры», строка 2, столбец «Значение»: непонятный порядок мест «как получится». "
        "Укажите «общий» или «по регионам».",
        "лист «Схема», строка 5, столбец «Название критерия»: "
        "название отличается от указанного для этого же кода в строке 2. "
        "Оставьте ячейку пустой или повторите то же название.",
        "лист «Схема», строка 6, столбец «Аспект»: Excel превратил код в дату (01.01.2001). "
        "Задайте столбцу текстовый формат и впишите код заново.",
        "лист «Схема», строка 6, столбец «Группа оценки»: для этого субкритерия уже указана группа «G1» "
        "(строка 3); весь субкритерий оценивает одна группа.",
        "лист «Схема», строка 20, столбец «Таблица баллов»: не удалось прочитать вариант «нет» дискретной таблицы. "
        "Пишите варианты через точку с запятой в виде «балл: описание», "
        "например «0: не выполнено; 0,5: частично; 1: полностью».",
    ]


def test_a_member_id_that_is_not_a_number() -> None:
    raw = scheme_to_xlsx(example())
    texts = xlsx_errors(edit(raw, lambda wb: setattr(wb["Группы"].cell(2, 4), "value", "@ivanov")))
    assert texts == [
        "лист «Группы», строка 2, столбец «Эксперт 2»: «@ivanov» — не Telegram ID. Укажите число, например 123456789."
    ]


def test_every_xlsx_code_has_a_russian_message() -> None:
    import models.scheme_xlsx as module

    # every module of the package models/scheme_xlsx/ but __init__ (its __all__ names functions)
    modules = sorted(Path(module.__file__).parent.glob("*.py"))
    source = "".join(p.read_text(encoding="utf-8") for p in modules if p.name != "__init__.py")
    codes = set(re.findall(r'"(xlsx_[a-z_]+)"', source))
    assert len(codes) >= 15, codes
    for code in codes:
        key = "def-err-" + code.replace("_", "-")
        assert has(key), key
    for key in (
        "def-place-xlsx-sheet",
        "def-place-xlsx-row",
        "def-place-xlsx-cell",
        "def-err-unknown-stage",
    ):
        assert has(key), key


def test_yaml_or_xlsx_is_told_by_name_or_content() -> None:
    raw = scheme_to_xlsx(example())
    assert is_xlsx(raw) and is_xlsx(raw, "схема.XLSX") and is_xlsx(b"junk", "scheme.xlsx")
    assert not is_xlsx(EXAMPLE_SCHEME.read_bytes()) and not is_xlsx(raw, "scheme.yaml")
    assert (
        parse_scheme_file(raw, "схема.xlsx")[0]
        == parse_scheme_file(EXAMPLE_SCHEME.read_bytes(), "scheme.yaml")[0]
    )


def test_the_source_map_places_errors_found_later() -> None:
    """The scoring service finds unknown nominations and members who are not experts; the
    command line shows those in the workbook too."""
    _, sources = read_scheme_xlsx(scheme_to_xlsx(example()))
    remapped = sources.remap(
        [
            DefinitionError("groups[2].members", "not_an_expert", {"code": 100999}),
            DefinitionError("nomination", "unknown_nomination", {"code": "x"}),
        ]
    )
    assert [render_definition_error(e).split(":")[0] for e in remapped] == [
        "лист «Параметры», строка 2, столбец «Значение»",
        "лист «Группы», строка 3",
    ]


# =========================================================================== command line


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``python -m bot …`` in this process, on an SQLite file in ``tmp_path``."""
    from bot.__main__ import main

    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "PD_ENCRYPTION_KEY",
        "BOT_TOKEN",
        "ADMIN_IDS",
        "FILES_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.chdir(tmp_path)  # no stray .env

    def run(*argv: str) -> int:
        return main(list(argv))

    return run


def stored_schemes(tmp_path: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(tmp_path / "data" / "contest.sqlite3") as db:
        return db.execute("SELECT source_sha256, locked_at FROM schemes").fetchall()


def test_load_scheme_from_the_command_line(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("load-contest", str(EXAMPLE_CONTEST)) == 0
    capsys.readouterr()

    broken = tmp_path / "broken.yaml"
    broken.write_text(
        EXAMPLE_SCHEME.read_text(encoding="utf-8").replace(
            "max_points: 2\n", "max_points: 2.5\n", 1
        ),
        encoding="utf-8",
    )
    assert cli("load-scheme", str(broken), "--contest", "soc-2027") == 1
    out = capsys.readouterr()
    assert out.err.startswith("Схема оценки не загружена: найдено ошибок — 1. Ничего не изменено.")
    assert (
        "criteria[1].subcriteria[1].aspects[1].max_points: значение слишком большое (верхняя граница: 2)."
        in out.err
    )
    assert out.out == ""
    assert stored_schemes(tmp_path) == []

    assert cli("load-scheme", str(EXAMPLE_SCHEME), "--contest", "soc-2027") == 0
    out = capsys.readouterr().out
    assert out.strip() == (
        "Схема оценки «Лучший социальный работник — региональный этап» (best_social_worker, этап regional) "
        "загружена: критериев — 3, аспектов — 60, групп оценки — 2."
    )
    [(sha, locked)] = stored_schemes(tmp_path)
    assert sha == scheme_sha256(example()) and locked is None

    # the same scheme as a workbook is the same scheme
    assert cli("load-scheme", str(EXAMPLE_XLSX), "--contest", "soc-2027") == 0
    assert (
        "без изменений: критериев — 3, аспектов — 60, групп оценки — 2." in capsys.readouterr().out
    )

    # valid on its own, refused by the contest: a member who is not an expert, placed in the workbook
    other = copy.deepcopy(example())
    other.groups[1].members[3] = 100999
    bad_xlsx = tmp_path / "схема.xlsx"
    bad_xlsx.write_bytes(scheme_to_xlsx(other))
    assert cli("load-scheme", str(bad_xlsx), "--contest", "soc-2027") == 1
    err = capsys.readouterr().err
    assert (
        "лист «Группы», строка 3: пользователь 100999 не является экспертом этого конкурса." in err
    )
    assert stored_schemes(tmp_path) == [(sha, None)]  # the loaded scheme is untouched

    assert cli("load-scheme", str(EXAMPLE_SCHEME), "--contest", "no-such") == 1
    assert "Конкурс с кодом «no-such» не найден" in capsys.readouterr().err
    assert cli("load-scheme", str(tmp_path / "missing.yaml"), "--contest", "soc-2027") == 2


def test_a_sheet_with_too_many_rows_is_refused() -> None:
    raw = scheme_to_xlsx(example())
    texts = xlsx_errors(edit(raw, lambda wb: setattr(wb["Схема"].cell(2500, 5), "value", "9.9.9")))
    assert texts == ["лист «Схема»: слишком много строк на листе (допускается не больше 2000)."]
