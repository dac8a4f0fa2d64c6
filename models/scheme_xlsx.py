"""The marking scheme (схема оценки, R-SCH-1/2/4) as an Excel workbook (XLSX).

Organisers keep schemes in Excel; this module reads such a workbook into the same plain
data :func:`models.scheme_file.validate_scheme` takes, so the rules and the Russian error
texts are those of the YAML file, and every error names the sheet, row and column it came
from («лист «Схема», строка 17, столбец «Макс. балл»»). :func:`scheme_to_xlsx` writes the
same layout: it is the template organisers fill in, and the round-trip check.

Layout of the workbook (sheet and column names are matched without regard to case, «ё»,
dots and extra spaces; other sheets and columns are ignored):

Лист «Параметры» — название параметра в первом столбце, значение во втором:

    Номинация | best_social_worker      код номинации (компетенции) из файла конкурса
    Этап      | regional                код этапа из файла конкурса
    Название  | Лучший социальный …     необязательно
    Места     | по регионам             «общий» (overall) или «по регионам» (by_region)

Лист «Схема» — строка заголовков, затем по строке на аспект:

    Критерий | Название критерия | Субкритерий | Название субкритерия | Аспект |
    Название аспекта | Вид | Макс. балл | Дискретная таблица | Группа

- «Критерий», «Субкритерий», «Аспект» — коды (например 1, 1.1, 1.1.1). Столбцы кодов
  лучше сделать текстовыми: иначе Excel превратит «1.10» в 1,1, а «1.1.1» в дату.
- Название критерия и субкритерия достаточно указать один раз — в первой строке с этим
  кодом; в следующих строках ячейки можно оставить пустыми (а пустой код критерия или
  субкритерия означает «тот же, что выше»). Строка без аспекта (только код и название
  критерия или субкритерия) — заголовок, она задаёт название для строк ниже.
- «Вид»: судейская, бинарная или дискретная (или judgement / binary / discrete).
- «Макс. балл»: число не больше 2, дробная часть через запятую или точку (1,5).
- «Дискретная таблица» — только для дискретных аспектов: варианты «балл: описание»
  через точку с запятой (или каждый с новой строки в ячейке), например
  «0: не выполнено; 0,5: частично; 1: полностью».
- «Группа» — код группы оценки, которая оценивает субкритерий этой строки; как и
  название, достаточно указать один раз для субкритерия.

Лист «Группы» (необязательный) — строка заголовков, затем по строке на группу:

    Код | Название | Эксперт 1 | Эксперт 2 | Эксперт 3 | Эксперт 4 | Руководитель

Эксперты и руководитель — Telegram ID (числа).

Errors are :class:`models.contest_file.DefinitionError` values whose place is
``xlsx:<sheet>[:<row>[:<column>]]`` (a sheet name cannot contain «:»);
``notifications.definition_errors.render_place`` renders it in Russian.
"""

from __future__ import annotations

import io
import itertools
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from models.contest_file import DefinitionError, DefinitionInvalid
from models.rules import AspectKind
from models.sandbox import FileRefused, XlsxLimits, inspect_xlsx, run_bounded
from models.scheme_file import SchemeDef, parse_scheme_yaml, validate_scheme

#: The largest workbook accepted, as sent (it is a ZIP file) …
MAX_XLSX_BYTES = 5 * 1024 * 1024
#: … and unpacked (a small ZIP can unpack to gigabytes).
MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024
#: Rows read from a sheet: 200 aspects at most, with headings and notes around them.
MAX_SHEET_ROWS = 2000
MAX_SHEET_COLUMNS = 40
#: Rows looked at: blank formatted rows past the content are skipped, but not forever.
_ROWS_SCANNED = 5 * MAX_SHEET_ROWS
#: The ZIP of a scheme workbook, judged before openpyxl opens it (issue #13: a styles or
#: shared-strings bomb inside the size limits froze the bot for 32–82 s).
SCHEME_XLSX_LIMITS = XlsxLimits(
    max_unpacked=MAX_XLSX_UNPACKED_BYTES,
    max_part=32 * 1024 * 1024,
    max_shared_strings=8 * 1024 * 1024,
    max_styles=2 * 1024 * 1024,
    max_rows=5 * _ROWS_SCANNED,
    max_columns=1024,
)
#: Bounds of reading a scheme file in a child process (models.sandbox.run_bounded).
SCHEME_SECONDS = 20
SCHEME_MEMORY_MB = 768

SHEET_PARAMS = "Параметры"
SHEET_SCHEME = "Схема"
SHEET_GROUPS = "Группы"
SHEET_HELP = "Инструкция"

COL_VALUE = "Значение"
COL_CRIT = "Критерий"
COL_CRIT_TITLE = "Название критерия"
COL_SUB = "Субкритерий"
COL_SUB_TITLE = "Название субкритерия"
COL_ASPECT = "Аспект"
COL_ASPECT_TITLE = "Название аспекта"
COL_KIND = "Вид"
COL_MAX = "Макс. балл"
COL_OPTIONS = "Дискретная таблица"
COL_GROUP = "Группа"
COL_G_CODE = "Код"
COL_G_NAME = "Название"
COL_G_MEMBER = "Эксперт"
COL_G_LEADER = "Руководитель"

PARAM_NOMINATION = "Номинация"
PARAM_STAGE = "Этап"
PARAM_TITLE = "Название"
PARAM_RANKING = "Места"

_ZIP_MAGIC = b"PK"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or a password-protected .xlsx


def _norm(value: Any) -> str:
    """A header or label as compared: lower case, «ё» → «е», no dots, colons or stars,
    single spaces."""
    text = str(value).lower().replace("ё", "е")
    text = re.sub(r"[.:*_]", " ", text)
    return " ".join(text.split())


# The column headers each field accepts (normalized).
_SCHEME_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "crit": (COL_CRIT, ("критерий", "код критерия", "criterion")),
    "crit_title": (
        COL_CRIT_TITLE,
        ("название критерия", "наименование критерия", "criterion title"),
    ),
    "sub": (
        COL_SUB,
        ("субкритерий", "подкритерий", "код субкритерия", "код подкритерия", "subcriterion"),
    ),
    "sub_title": (
        COL_SUB_TITLE,
        (
            "название субкритерия",
            "наименование субкритерия",
            "название подкритерия",
            "subcriterion title",
        ),
    ),
    "aspect": (COL_ASPECT, ("аспект", "код аспекта", "aspect")),
    "aspect_title": (
        COL_ASPECT_TITLE,
        ("название аспекта", "наименование аспекта", "описание аспекта", "aspect title"),
    ),
    "kind": (COL_KIND, ("вид", "вид аспекта", "тип", "тип аспекта", "kind")),
    "max": (
        COL_MAX,
        ("макс балл", "максимальный балл", "макс баллы", "баллы", "балл", "max points"),
    ),
    "options": (
        COL_OPTIONS,
        ("дискретная таблица", "таблица", "таблица баллов", "варианты", "options"),
    ),
    "group": (COL_GROUP, ("группа", "группа оценки", "код группы", "group")),
}
_SCHEME_OPTIONAL = {"options", "group"}

_GROUP_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": (COL_G_CODE, ("код", "код группы", "группа", "code")),
    "name": (COL_G_NAME, ("название", "название группы", "наименование", "name")),
    "leader": (COL_G_LEADER, ("руководитель", "руководитель группы", "leader")),
}
_MEMBER_PREFIXES = ("эксперт", "член группы", "expert", "member")

_PARAMS: dict[str, tuple[str, str]] = {}
for _key, _label, _aliases in (
    ("nomination", PARAM_NOMINATION, ("номинация", "компетенция", "nomination")),
    ("stage", PARAM_STAGE, ("этап", "stage")),
    ("title", PARAM_TITLE, ("название", "название схемы", "title")),
    ("ranking", PARAM_RANKING, ("места", "распределение мест", "ранжирование", "ranking")),
):
    for _alias in _aliases:
        _PARAMS[_alias] = (_key, _label)
_PARAM_HEADERS = {"параметр", "параметры", "показатель", "parameter"}

_RANKINGS = {
    "overall": "overall",
    "общий": "overall",
    "общее": "overall",
    "общие": "overall",
    "общий зачет": "overall",
    "by region": "by_region",
    "по регионам": "by_region",
    "по региону": "by_region",
    "в каждом регионе": "by_region",
}
_RANKING_LABELS = {"overall": "общий", "by_region": "по регионам"}

_KINDS = {
    "judgement": AspectKind.JUDGEMENT,
    "judgment": AspectKind.JUDGEMENT,
    "binary": AspectKind.BINARY,
    "discrete": AspectKind.DISCRETE,
}
_KIND_STEMS = (
    ("судей", AspectKind.JUDGEMENT),
    ("бинар", AspectKind.BINARY),
    ("дискрет", AspectKind.DISCRETE),
)
KIND_LABELS = {
    AspectKind.JUDGEMENT: "судейская",
    AspectKind.BINARY: "бинарная",
    AspectKind.DISCRETE: "дискретная",
}


# --------------------------------------------------------------------------- places


def xlsx_place(sheet: str, row: int | None = None, column: str | None = None) -> str:
    """The place of an error in a workbook: a sheet, a row of it, or a cell (by header)."""
    place = f"xlsx:{sheet}"
    if row is not None:
        place += f":{row}"
        if column:
            place += f":{column}"
    return place


_SHEET_ORDER = {"параметры": 0, "схема": 1, "группы": 2}
_XLSX_PLACE = re.compile(r"^xlsx:([^:]+)(?::(\d+))?")


def _place_order(error: DefinitionError) -> tuple[int, int]:
    match = _XLSX_PLACE.match(error.place)
    if match is None:
        return (-1, 0)
    return (_SHEET_ORDER.get(_norm(match.group(1)), 3), int(match.group(2) or 0))


@dataclass
class _Src:
    sheet: str
    row: int | None
    #: field of the model → header of the column it came from
    columns: dict[str, str] = field(default_factory=dict)
    #: field → row, where the value came from another row (a title given once)
    rows: dict[str, int] = field(default_factory=dict)
    #: a list field whose items are numbered columns (group members): header prefix
    numbered: dict[str, str] = field(default_factory=dict)
    #: the column of the place itself (a parameter's value)
    column: str | None = None


_TOKEN = re.compile(r"[^.\[\]]+(?:\[\d+\])?")
_INDEXED = re.compile(r"^(.+?)(?:\[(\d+)\])?$")


class XlsxSourceMap:
    """Where each criterion, subcriterion, aspect, group and parameter of a scheme read
    from a workbook came from, to turn a place like
    ``criteria[2].subcriteria[1].aspects[3].max_points`` into «лист «Схема», строка 17,
    столбец «Макс. балл»»."""

    def __init__(self) -> None:
        self._entries: dict[str, _Src] = {}

    def add(self, place: str, src: _Src) -> None:
        self._entries[place] = src

    def locate(self, place: str) -> str:
        """The workbook place of a place in the scheme data (unchanged when unknown)."""
        if place.startswith("xlsx:") or place == "—" or place.startswith("line "):
            return place
        tokens = _TOKEN.findall(place)
        for n in range(len(tokens), 0, -1):
            src = self._entries.get(".".join(tokens[:n]))
            if src is None:
                continue
            if n == len(tokens) or src.row is None:
                return xlsx_place(src.sheet, src.row, src.column)
            match = _INDEXED.match(tokens[n])
            assert match is not None
            name, index = match.group(1), match.group(2)
            row = src.rows.get(name, src.row)
            if name in src.numbered and index is not None:
                return xlsx_place(src.sheet, row, f"{src.numbered[name]} {index}")
            return xlsx_place(src.sheet, row, src.columns.get(name))
        return place

    def remap(self, errors: list[DefinitionError]) -> list[DefinitionError]:
        """The same errors with places in the workbook, ordered by sheet and row."""
        located = [DefinitionError(self.locate(e.place), e.code, dict(e.args)) for e in errors]
        return sorted(located, key=_place_order)


# --------------------------------------------------------------------------- cell values


class _CellError(Exception):
    def __init__(self, code: str, value: Any = "") -> None:
        super().__init__(code)
        self.code = code
        self.value = value


def _shown(value: Any) -> str:
    """A cell's value as the organiser sees it (for messages)."""
    if isinstance(value, float):
        return _number_text(_decimal_of_float(value))
    if isinstance(value, datetime):
        return (
            value.strftime("%d.%m.%Y %H:%M")
            if value.time() != time(0)
            else value.strftime("%d.%m.%Y")
        )
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    text = str(value).strip()
    return text if len(text) <= 60 else text[:59] + "…"


def _decimal_of_float(value: float) -> Decimal:
    # repr is the shortest text that reads back as the same float: 1.1 → "1.1", not the
    # binary 1.100000000000000088…
    return Decimal(repr(value))


def _canonical(value: Decimal) -> Decimal:
    """2.0 → 2 and 1.50 → 1.5, so a scheme from XLSX hashes like the same from YAML."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def _number_text(value: Decimal) -> str:
    return f"{_canonical(value):f}".replace(".", ",")


def _text(value: Any) -> str | None:
    """A text cell (code or title); a number typed into it is taken as its text."""
    if value is None:
        return None
    if isinstance(value, datetime | date | time):
        raise _CellError("xlsx_date_cell", _shown(value))
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{_canonical(_decimal_of_float(value)):f}"
    text = str(value).strip()
    return text or None


def _number(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, datetime | date | time):
        raise _CellError("xlsx_bad_number", _shown(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = _decimal_of_float(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _CellError("xlsx_bad_number", _shown(value)) from None
    if not number.is_finite():
        raise _CellError("xlsx_bad_number", _shown(value))
    return _canonical(number)


def _telegram_id(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _CellError("xlsx_bad_telegram_id", _shown(value))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if not text.isdigit() or not text.isascii():
        raise _CellError("xlsx_bad_telegram_id", _shown(value))
    return int(text)


def _kind(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    norm = _norm(text)
    if norm in _KINDS:
        return _KINDS[norm].value
    found = {kind for stem, kind in _KIND_STEMS if stem in norm}
    if len(found) == 1:
        return found.pop().value
    raise _CellError("xlsx_bad_kind", _shown(value))


def _options(value: Any) -> list[dict[str, Any]] | None:
    """«0: не выполнено; 0,5: частично; 1: полностью» → options; items are separated by
    new lines when the cell has several lines, by «;» otherwise."""
    text = _text(value)
    if text is None:
        return None
    items = text.splitlines() if "\n" in text else text.split(";")
    out = []
    for item in items:
        item = item.strip().rstrip(";").strip()
        if not item:
            continue
        points, sep, label = item.partition(":")
        if not sep or not label.strip():
            raise _CellError("xlsx_bad_options", item)
        try:
            number = _number(points)
        except _CellError:
            raise _CellError("xlsx_bad_options", item) from None
        if number is None:
            raise _CellError("xlsx_bad_options", item)
        out.append({"label": label.strip(), "points": number})
    if not out:
        raise _CellError("xlsx_bad_options", text)
    return out


def format_options(options: list[Any]) -> str:
    """The discrete table of an aspect as written in the «Дискретная таблица» column."""
    parts = [f"{_number_text(Decimal(o.points))}: {o.label}" for o in options]
    separator = "\n" if any(";" in o.label for o in options) else "; "
    return separator.join(parts)


# --------------------------------------------------------------------------- reading


class _Reader:
    def __init__(self) -> None:
        self.errors: list[DefinitionError] = []
        self.sources = XlsxSourceMap()

    def fail(
        self, sheet: str, row: int | None, column: str | None, error: str, **args: Any
    ) -> None:
        self.errors.append(DefinitionError(xlsx_place(sheet, row, column), error, args))

    def cell(self, convert: Any, value: Any, sheet: str, row: int, column: str) -> Any:
        try:
            return convert(value)
        except _CellError as exc:
            self.fail(sheet, row, column, exc.code, code=exc.value)
            return None


def _rows(ws: Any) -> list[tuple[int, tuple[Any, ...]]]:
    """The non-empty rows of a sheet with their numbers (1-based), at most
    :data:`MAX_SHEET_ROWS`; raises ``_CellError("xlsx_too_many_rows")`` past that."""
    out = []
    try:
        ws.reset_dimensions()  # some writers record a wrong size; read what is there
        rows = enumerate(ws.iter_rows(max_col=MAX_SHEET_COLUMNS, values_only=True), start=1)
        scanned = list(itertools.islice(rows, _ROWS_SCANNED))
    except Exception:  # openpyxl raises many kinds for a malformed sheet
        raise DefinitionInvalid([DefinitionError("—", "xlsx_not_workbook")]) from None
    for number, values in scanned:
        cells = tuple(values) + (None,) * (MAX_SHEET_COLUMNS - len(values))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue
        if number > MAX_SHEET_ROWS:
            raise _CellError("xlsx_too_many_rows", MAX_SHEET_ROWS)
        out.append((number, cells))
    return out


def _find_sheet(names: list[str], wanted: str) -> str | None:
    for name in names:
        if _norm(name) == _norm(wanted):
            return name
    return None


def _read_params(r: _Reader, ws: Any, sheet: str, data: dict[str, Any]) -> None:
    seen: dict[str, int] = {}
    for number, cells in _rows(ws):
        label = cells[0]
        if label is None or (isinstance(label, str) and not label.strip()):
            continue
        norm = _norm(label)
        if norm in _PARAM_HEADERS:
            continue
        if norm not in _PARAMS:
            r.fail(sheet, number, None, "xlsx_unknown_parameter", code=_shown(label))
            continue
        key, shown = _PARAMS[norm]
        if key in seen:
            r.fail(sheet, number, None, "xlsx_duplicate_parameter", code=shown, line=seen[key])
            continue
        seen[key] = number
        r.sources.add(
            key, _Src(sheet, number, column=COL_VALUE)
        )  # the place of a parameter is its value cell
        value = r.cell(_text, cells[1], sheet, number, COL_VALUE)
        if value is None:
            continue
        if key == "ranking":
            ranking = _RANKINGS.get(_norm(value))
            if ranking is None:
                r.fail(sheet, number, COL_VALUE, "xlsx_bad_ranking", code=_shown(value))
                continue
            value = ranking
        data[key] = value
    for key, label in (("nomination", PARAM_NOMINATION), ("stage", PARAM_STAGE)):
        if key not in seen:
            r.sources.add(key, _Src(sheet, None))
            r.fail(sheet, None, None, "xlsx_missing_parameter", code=label)


def _header(
    r: _Reader,
    sheet: str,
    rows: list[tuple[int, tuple[Any, ...]]],
    spec: dict[str, tuple[str, tuple[str, ...]]],
) -> tuple[int, dict[str, int], dict[str, str], dict[int, str]]:
    """The header row: its number, field → column index, field → header text, and the
    columns of no known field (index → header)."""
    number, cells = rows[0]
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    others: dict[int, str] = {}
    for i, value in enumerate(cells):
        if value is None:
            continue
        norm = _norm(value)
        for key, (_, aliases) in spec.items():
            if norm in aliases and key not in index:
                index[key] = i
                names[key] = str(value).strip()
                break
        else:
            others[i] = str(value).strip()
    for key, (canonical, _) in spec.items():
        names.setdefault(key, canonical)
    return number, index, names, others


@dataclass
class _Context:
    """A criterion or subcriterion being read: from the row that named it to the next."""

    code: str | None
    start: int
    title: str | None = None
    title_row: int | None = None
    group: str | None = None
    group_row: int | None = None
    group_conflict: bool = False
    entry: dict[str, Any] | None = None
    place: str = ""


def _read_scheme(r: _Reader, ws: Any, sheet: str, data: dict[str, Any]) -> None:
    r.sources.add("criteria", _Src(sheet, None))
    rows = _rows(ws)
    if not rows:
        r.fail(sheet, None, None, "xlsx_empty_sheet")
        return
    header_row, index, names, _ = _header(r, sheet, rows, _SCHEME_COLUMNS)
    missing = [names[k] for k in _SCHEME_COLUMNS if k not in index and k not in _SCHEME_OPTIONAL]
    for name in missing:
        r.fail(sheet, header_row, None, "xlsx_missing_column", code=name)
    if missing:
        return

    def get(cells: tuple[Any, ...], key: str) -> Any:
        return cells[index[key]] if key in index else None

    criteria: list[dict[str, Any]] = []
    crit: _Context | None = None
    sub: _Context | None = None
    contexts: list[tuple[_Context, str]] = []  # (context, "crit" | "sub")

    def set_title(ctx: _Context, value: str | None, number: int, column: str) -> None:
        if value is None:
            return
        if ctx.title is None:
            ctx.title, ctx.title_row = value, number
            if ctx.entry is not None:
                ctx.entry["title"] = value
        elif value != ctx.title:
            r.fail(sheet, number, column, "xlsx_title_mismatch", line=ctx.title_row)

    for number, cells in rows[1:]:
        crit_code = r.cell(_text, get(cells, "crit"), sheet, number, names["crit"])
        crit_title = r.cell(_text, get(cells, "crit_title"), sheet, number, names["crit_title"])
        sub_code = r.cell(_text, get(cells, "sub"), sheet, number, names["sub"])
        sub_title = r.cell(_text, get(cells, "sub_title"), sheet, number, names["sub_title"])
        if crit is None or (crit_code is not None and crit_code != crit.code):
            crit = _Context(crit_code, number)
            contexts.append((crit, "crit"))
            sub = None
        set_title(crit, crit_title, number, names["crit_title"])
        if sub is None or (sub_code is not None and sub_code != sub.code):
            sub = _Context(sub_code, number)
            contexts.append((sub, "sub"))
        set_title(sub, sub_title, number, names["sub_title"])
        raw_aspect = [get(cells, k) for k in ("aspect", "aspect_title", "kind")]
        has_aspect = not all(
            v is None or (isinstance(v, str) and not v.strip()) for v in raw_aspect
        )
        aspect: dict[str, Any] = {}
        if has_aspect:
            for key, convert, name in (
                ("aspect", _text, "code"),
                ("aspect_title", _text, "title"),
                ("kind", _kind, "kind"),
                ("max", _number, "max_points"),
                ("options", _options, "options"),
            ):
                value = r.cell(convert, get(cells, key), sheet, number, names[key])
                if value is not None:
                    aspect[name] = value
        group = r.cell(_text, get(cells, "group"), sheet, number, names["group"])
        if group is not None:
            if sub.group is None:
                sub.group, sub.group_row = group, number
                if sub.entry is not None:
                    sub.entry["group"] = group
            elif group != sub.group and not sub.group_conflict:
                sub.group_conflict = True  # once per subcriterion is enough
                r.fail(
                    sheet,
                    number,
                    names["group"],
                    "xlsx_group_mismatch",
                    code=sub.group,
                    line=sub.group_row,
                )

        if not has_aspect:
            continue  # a heading (or a note, or a total) row: no aspect on it

        if crit.entry is None:
            crit.entry = {"subcriteria": []}
            if crit.code is not None:
                crit.entry["code"] = crit.code
            if crit.title is not None:
                crit.entry["title"] = crit.title
            criteria.append(crit.entry)
            crit.place = f"criteria[{len(criteria)}]"
        if sub.entry is None:
            sub.entry = {"aspects": []}
            if sub.code is not None:
                sub.entry["code"] = sub.code
            if sub.title is not None:
                sub.entry["title"] = sub.title
            if sub.group is not None:
                sub.entry["group"] = sub.group
            crit.entry["subcriteria"].append(sub.entry)
            sub.place = f"{crit.place}.subcriteria[{len(crit.entry['subcriteria'])}]"
        sub.entry["aspects"].append(aspect)
        place = f"{sub.place}.aspects[{len(sub.entry['aspects'])}]"
        r.sources.add(
            place,
            _Src(
                sheet,
                number,
                {
                    "code": names["aspect"],
                    "title": names["aspect_title"],
                    "kind": names["kind"],
                    "max_points": names["max"],
                    "options": names["options"],
                },
            ),
        )

    for ctx, level in contexts:
        if ctx.entry is None:
            continue
        if level == "crit":
            src = _Src(sheet, ctx.start, {"code": names["crit"], "title": names["crit_title"]})
        else:
            src = _Src(
                sheet,
                ctx.start,
                {"code": names["sub"], "title": names["sub_title"], "group": names["group"]},
            )
            if ctx.group_row is not None:
                src.rows["group"] = ctx.group_row
        if ctx.title_row is not None:
            src.rows["title"] = ctx.title_row
        r.sources.add(ctx.place, src)
    if not criteria:
        r.fail(sheet, None, None, "xlsx_empty_sheet")
    data["criteria"] = criteria


def _read_groups(r: _Reader, ws: Any, sheet: str, data: dict[str, Any]) -> None:
    rows = _rows(ws)
    r.sources.add("groups", _Src(sheet, None))
    if len(rows) < 2:
        return  # no sheet content or a header only: no groups
    header_row, index, names, others = _header(r, sheet, rows, _GROUP_COLUMNS)
    if "code" not in index:
        r.fail(sheet, header_row, None, "xlsx_missing_column", code=names["code"])
        return
    members = sorted(i for i, h in others.items() if _norm(h).startswith(_MEMBER_PREFIXES))
    groups = []
    for number, cells in rows[1:]:
        group: dict[str, Any] = {}
        code = r.cell(_text, cells[index["code"]], sheet, number, names["code"])
        if code is not None:
            group["code"] = code
        if "name" in index:
            name = r.cell(_text, cells[index["name"]], sheet, number, names["name"])
            if name is not None:
                group["name"] = name
        ids = []
        for i in members:
            value = r.cell(_telegram_id, cells[i], sheet, number, others[i])
            if value is not None:
                ids.append(value)
        group["members"] = ids
        if "leader" in index:
            leader = r.cell(_telegram_id, cells[index["leader"]], sheet, number, names["leader"])
            if leader is not None:
                group["leader"] = leader
        groups.append(group)
        place = f"groups[{len(groups)}]"
        src = _Src(
            sheet, number, {"code": names["code"], "name": names["name"], "leader": names["leader"]}
        )
        src.numbered["members"] = COL_G_MEMBER
        r.sources.add(place, src)
    data["groups"] = groups


def _open_workbook(raw: bytes) -> Any:
    if len(raw) > MAX_XLSX_BYTES:
        raise DefinitionInvalid(
            [DefinitionError("—", "xlsx_too_large", {"limit": MAX_XLSX_BYTES // (1024 * 1024)})]
        )
    if raw.startswith(_OLE_MAGIC):
        raise DefinitionInvalid([DefinitionError("—", "xlsx_old_format")])
    not_workbook = DefinitionInvalid([DefinitionError("—", "xlsx_not_workbook")])
    if not raw.startswith(_ZIP_MAGIC):
        raise not_workbook
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_workbook from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise DefinitionInvalid(
            [DefinitionError("—", "xlsx_too_large", {"limit": MAX_XLSX_BYTES // (1024 * 1024)})]
        )
    # parts, ratio and declared sheet size, before openpyxl reads a byte (issue #13)
    try:
        inspect_xlsx(raw, SCHEME_XLSX_LIMITS)
    except FileRefused as exc:
        if exc.code == "file_broken":
            raise not_workbook from None
        raise DefinitionInvalid([DefinitionError("—", exc.code, dict(exc.args_))]) from None
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about features it drops
            return load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken or foreign ZIP
        raise not_workbook from None


def scheme_xlsx_data(raw: bytes) -> tuple[dict[str, Any], XlsxSourceMap, list[DefinitionError]]:
    """Read a workbook into plain scheme data, where each part came from, and the problems
    of reading it (cells that are not numbers, unknown kinds, …). Raises
    :class:`DefinitionInvalid` when it is not a workbook or lacks a required sheet."""
    wb = _open_workbook(raw)
    r = _Reader()
    data: dict[str, Any] = {}
    try:
        names = list(wb.sheetnames)
        params = _find_sheet(names, SHEET_PARAMS)
        scheme = _find_sheet(names, SHEET_SCHEME)
        groups = _find_sheet(names, SHEET_GROUPS)
        missing = [
            DefinitionError("—", "xlsx_missing_sheet", {"code": wanted})
            for wanted, found in ((SHEET_PARAMS, params), (SHEET_SCHEME, scheme))
            if found is None
        ]
        if missing:
            raise DefinitionInvalid(missing)
        assert params is not None and scheme is not None
        for name, read in ((params, _read_params), (scheme, _read_scheme), (groups, _read_groups)):
            if name is None:
                continue
            shown = name.strip() or name  # as the organiser reads it on the tab
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    read(r, wb[name], shown, data)
            except _CellError as exc:
                r.fail(shown, None, None, exc.code, limit=exc.value)
    finally:
        wb.close()
    return data, r.sources, r.errors


_UNREADABLE_SHEET = {"xlsx_missing_column", "xlsx_empty_sheet", "xlsx_too_many_rows"}


def _sheet_of(place: str) -> str | None:
    match = _XLSX_PLACE.match(place)
    return match.group(1) if match is not None else None


def _row_of(place: str) -> str | None:
    """``xlsx:Схема:17`` of a cell's place ``xlsx:Схема:17:Вид``."""
    match = _XLSX_PLACE.match(place)
    return match.group(0) if match is not None and match.group(2) else None


def read_scheme_xlsx(raw: bytes) -> tuple[SchemeDef, XlsxSourceMap]:
    """Read and validate a workbook; raises :class:`DefinitionInvalid` whose errors name
    sheets, rows and columns. The source map also places errors found later (by the
    scoring service: unknown nomination, a member who is not an expert)."""
    data, sources, read_errors = scheme_xlsx_data(raw)
    try:
        scheme = validate_scheme(data)
    except DefinitionInvalid as exc:
        errors = sources.remap(exc.errors)
    else:
        errors = []
    if read_errors:
        # A cell that could not be read was left out; the validator then finds it missing
        # (or its table empty): say what is wrong with the cell, once. A sheet that could
        # not be read at all (no header column, no rows) is not checked further.
        # So is a whole row's check (four members) when a cell of that row was left out.
        bad_cells = {e.place for e in read_errors}
        bad_rows = {_row_of(e.place) for e in read_errors} - {None}
        bad_sheets = {_sheet_of(e.place) for e in read_errors if e.code in _UNREADABLE_SHEET}
        errors = [
            e
            for e in errors
            if e.place not in bad_cells
            and e.place not in bad_rows
            and _sheet_of(e.place) not in bad_sheets
        ]
        errors = sorted(read_errors + errors, key=_place_order)
    if errors:
        raise DefinitionInvalid(errors)
    return scheme, sources


def parse_scheme_xlsx(raw: bytes) -> SchemeDef:
    """A validated scheme from an XLSX workbook (see the module docstring for its layout)."""
    return read_scheme_xlsx(raw)[0]


def is_xlsx(raw: bytes, filename: str | None = None) -> bool:
    """Whether a sent scheme file is a workbook (by its name, or its first bytes: a ZIP,
    or the OLE box of an old .xls) rather than YAML."""
    if filename:
        lower = filename.lower()
        if lower.endswith((".yaml", ".yml")):
            return False
        if lower.endswith((".xlsx", ".xlsm", ".xls")):
            return True
    return raw.startswith(_ZIP_MAGIC) or raw.startswith(_OLE_MAGIC)


def parse_scheme_file(
    raw: bytes, filename: str | None = None
) -> tuple[SchemeDef, XlsxSourceMap | None]:
    """A scheme sent as YAML or XLSX; the source map (XLSX only) places later errors."""
    if is_xlsx(raw, filename):
        return read_scheme_xlsx(raw)
    return parse_scheme_yaml(raw), None


async def parse_scheme_file_bounded(
    raw: bytes, filename: str | None = None
) -> tuple[SchemeDef, XlsxSourceMap | None]:
    """:func:`parse_scheme_file` in a child process bounded in time and memory (issue #13):
    the bot's event loop and memory are untouched by a hostile workbook or YAML. An overrun
    raises :class:`models.sandbox.FileRefused` (``file_too_slow`` / ``file_too_complex``)."""
    if is_xlsx(raw, filename) and raw.startswith(_ZIP_MAGIC):  # the ZIP checks before any child
        try:
            inspect_xlsx(raw, SCHEME_XLSX_LIMITS)
        except FileRefused as exc:
            if exc.code != "file_broken":  # a broken file: the reader says what it is
                raise DefinitionInvalid([DefinitionError("—", exc.code, dict(exc.args_))]) from None
    return await run_bounded(
        parse_scheme_file, raw, filename, seconds=SCHEME_SECONDS, memory_mb=SCHEME_MEMORY_MB
    )


# --------------------------------------------------------------------------- writing

_SCHEME_HEADER = (
    COL_CRIT,
    COL_CRIT_TITLE,
    COL_SUB,
    COL_SUB_TITLE,
    COL_ASPECT,
    COL_ASPECT_TITLE,
    COL_KIND,
    COL_MAX,
    COL_OPTIONS,
    COL_GROUP,
)
_SCHEME_WIDTHS = (10, 36, 12, 40, 10, 48, 14, 11, 44, 10)
_TEXT_COLUMNS = ("A", "C", "E", "J")  # codes: kept as text so Excel does not make 1.10 a number
_TEMPLATE_ROWS = 400

_HELP = (
    "Схема оценки: как заполнить",
    "",
    "Лист «Параметры»: номинация и этап — коды из файла конкурса; «Места»: «общий» или «по регионам».",
    "Лист «Схема»: по строке на аспект. Критериев от 3 до 9, аспектов от 50 до 200, аспект — не больше 2 баллов,",
    "сумма всех баллов — ровно 100.",
    "Названия критерия и субкритерия достаточно указать в первой строке с этим кодом.",
    "Вид: судейская (оценки 0–3 четырёх экспертов), бинарная (да/нет), дискретная (по таблице баллов).",
    "Дискретная таблица: «балл: описание» через точку с запятой, например «0: не выполнено; 0,5: частично; 1: полностью»;",
    "наибольший балл таблицы равен максимальному баллу аспекта.",
    "Группа: код группы оценки с листа «Группы», которая оценивает субкритерий.",
    "Лист «Группы»: ровно четыре разных эксперта (Telegram ID); руководитель — один из них.",
    "Загрузка: отправьте файл боту командой /scheme или python -m bot load-scheme ФАЙЛ --contest КОД.",
)


def _cell_number(value: Decimal) -> int | float:
    value = _canonical(value)
    return int(value) if value == value.to_integral_value() else float(value)


def scheme_to_xlsx(d: SchemeDef) -> bytes:
    """The scheme as a workbook of the layout :func:`parse_scheme_xlsx` reads."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    wb = Workbook()
    params = wb.active
    params.title = SHEET_PARAMS
    for row in (
        ("Параметр", COL_VALUE),
        (PARAM_NOMINATION, d.nomination),
        (PARAM_STAGE, d.stage),
        (PARAM_TITLE, d.title or ""),
        (PARAM_RANKING, _RANKING_LABELS.get(d.ranking, d.ranking)),
    ):
        params.append(row)
    for cell in params[1]:
        cell.font = bold
    for row in params.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in row:
            cell.number_format = "@"
    params.column_dimensions["A"].width = 16
    params.column_dimensions["B"].width = 60

    ws = wb.create_sheet(SHEET_SCHEME)
    ws.append(_SCHEME_HEADER)
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for c in d.criteria:
        crit_first = True
        for s in c.subcriteria:
            sub_first = True
            for a in s.aspects:
                ws.append(
                    (
                        c.code,
                        c.title if crit_first else None,
                        s.code,
                        s.title if sub_first else None,
                        a.code,
                        a.title,
                        KIND_LABELS[a.kind],
                        _cell_number(a.max_points),
                        format_options(a.options) if a.options else None,
                        s.group if sub_first else None,
                    )
                )
                crit_first = sub_first = False
    last = max(ws.max_row, _TEMPLATE_ROWS)
    for letter in _TEXT_COLUMNS:
        for row in ws.iter_rows(
            min_row=2, max_row=last, min_col=ord(letter) - 64, max_col=ord(letter) - 64
        ):
            for cell in row:
                cell.number_format = "@"
    kinds = DataValidation(
        type="list", formula1='"судейская,бинарная,дискретная"', allow_blank=True
    )
    kinds.error = "Вид аспекта: судейская, бинарная или дискретная"
    ws.add_data_validation(kinds)
    kinds.add(f"G2:G{last}")
    for i, width in enumerate(_SCHEME_WIDTHS):
        ws.column_dimensions[chr(65 + i)].width = width
    ws.freeze_panes = "A2"

    gs = wb.create_sheet(SHEET_GROUPS)
    size = max([4, *(len(g.members) for g in d.groups)])
    gs.append(
        (COL_G_CODE, COL_G_NAME, *(f"{COL_G_MEMBER} {i + 1}" for i in range(size)), COL_G_LEADER)
    )
    for cell in gs[1]:
        cell.font = bold
    for g in d.groups:
        members: list[int | None] = list(g.members) + [None] * (size - len(g.members))
        gs.append((g.code, g.name, *members, g.leader))
    gs.column_dimensions["A"].width = 10
    gs.column_dimensions["B"].width = 30
    for i in range(size + 1):
        gs.column_dimensions[chr(67 + i)].width = 14

    help_sheet = wb.create_sheet(SHEET_HELP)
    for line in _HELP:
        help_sheet.append((line,))
    help_sheet["A1"].font = bold
    help_sheet.column_dimensions["A"].width = 120

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
