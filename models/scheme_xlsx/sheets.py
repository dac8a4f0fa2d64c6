"""Reading the three sheets («Параметры», «Схема», «Группы») into plain scheme data."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from models.definition_file import DefinitionError, DefinitionInvalid
from models.scheme_xlsx.cells import (
    CellError,
    cell_kind,
    cell_number,
    cell_options,
    cell_telegram_id,
    cell_text,
    shown_value,
)
from models.scheme_xlsx.layout import (
    COL_G_MEMBER,
    COL_VALUE,
    GROUP_COLUMNS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MEMBER_PREFIXES,
    PARAM_HEADERS,
    PARAM_NOMINATION,
    PARAM_STAGE,
    PARAMS,
    RANKINGS,
    ROWS_SCANNED,
    SCHEME_COLUMNS,
    SCHEME_OPTIONAL,
    norm_label,
)
from models.scheme_xlsx.places import Source, XlsxSourceMap, xlsx_place


class Reader:
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
        except CellError as exc:
            self.fail(sheet, row, column, exc.code, code=exc.value)
            return None


def _rows(ws: Any) -> list[tuple[int, tuple[Any, ...]]]:
    """The non-empty rows of a sheet with their numbers (1-based), at most
    :data:`MAX_SHEET_ROWS`; raises ``CellError("xlsx_too_many_rows")`` past that."""
    out = []
    try:
        ws.reset_dimensions()  # some writers record a wrong size; read what is there
        rows = enumerate(ws.iter_rows(max_col=MAX_SHEET_COLUMNS, values_only=True), start=1)
        scanned = list(itertools.islice(rows, ROWS_SCANNED))
    except Exception:  # openpyxl raises many kinds for a malformed sheet
        raise DefinitionInvalid([DefinitionError("—", "xlsx_not_workbook")]) from None
    for number, values in scanned:
        cells = tuple(values) + (None,) * (MAX_SHEET_COLUMNS - len(values))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue
        if number > MAX_SHEET_ROWS:
            raise CellError("xlsx_too_many_rows", MAX_SHEET_ROWS)
        out.append((number, cells))
    return out


def find_sheet(names: list[str], wanted: str) -> str | None:
    for name in names:
        if norm_label(name) == norm_label(wanted):
            return name
    return None


def read_params(r: Reader, ws: Any, sheet: str, data: dict[str, Any]) -> None:
    seen: dict[str, int] = {}
    for number, cells in _rows(ws):
        label = cells[0]
        if label is None or (isinstance(label, str) and not label.strip()):
            continue
        norm = norm_label(label)
        if norm in PARAM_HEADERS:
            continue
        if norm not in PARAMS:
            r.fail(sheet, number, None, "xlsx_unknown_parameter", code=shown_value(label))
            continue
        key, shown = PARAMS[norm]
        if key in seen:
            r.fail(sheet, number, None, "xlsx_duplicate_parameter", code=shown, line=seen[key])
            continue
        seen[key] = number
        r.sources.add(
            key, Source(sheet, number, column=COL_VALUE)
        )  # the place of a parameter is its value cell
        value = r.cell(cell_text, cells[1], sheet, number, COL_VALUE)
        if value is None:
            continue
        if key == "ranking":
            ranking = RANKINGS.get(norm_label(value))
            if ranking is None:
                r.fail(sheet, number, COL_VALUE, "xlsx_bad_ranking", code=shown_value(value))
                continue
            value = ranking
        data[key] = value
    for key, label in (("nomination", PARAM_NOMINATION), ("stage", PARAM_STAGE)):
        if key not in seen:
            r.sources.add(key, Source(sheet, None))
            r.fail(sheet, None, None, "xlsx_missing_parameter", code=label)


def _header(
    r: Reader,
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
        norm = norm_label(value)
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


def read_scheme(r: Reader, ws: Any, sheet: str, data: dict[str, Any]) -> None:
    r.sources.add("criteria", Source(sheet, None))
    rows = _rows(ws)
    if not rows:
        r.fail(sheet, None, None, "xlsx_empty_sheet")
        return
    header_row, index, names, _ = _header(r, sheet, rows, SCHEME_COLUMNS)
    missing = [names[k] for k in SCHEME_COLUMNS if k not in index and k not in SCHEME_OPTIONAL]
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
        crit_code = r.cell(cell_text, get(cells, "crit"), sheet, number, names["crit"])
        crit_title = r.cell(cell_text, get(cells, "crit_title"), sheet, number, names["crit_title"])
        sub_code = r.cell(cell_text, get(cells, "sub"), sheet, number, names["sub"])
        sub_title = r.cell(cell_text, get(cells, "sub_title"), sheet, number, names["sub_title"])
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
                ("aspect", cell_text, "code"),
                ("aspect_title", cell_text, "title"),
                ("kind", cell_kind, "kind"),
                ("max", cell_number, "max_points"),
                ("options", cell_options, "options"),
            ):
                value = r.cell(convert, get(cells, key), sheet, number, names[key])
                if value is not None:
                    aspect[name] = value
        group = r.cell(cell_text, get(cells, "group"), sheet, number, names["group"])
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
            Source(
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
            src = Source(sheet, ctx.start, {"code": names["crit"], "title": names["crit_title"]})
        else:
            src = Source(
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


def read_groups(r: Reader, ws: Any, sheet: str, data: dict[str, Any]) -> None:
    rows = _rows(ws)
    r.sources.add("groups", Source(sheet, None))
    if len(rows) < 2:
        return  # no sheet content or a header only: no groups
    header_row, index, names, others = _header(r, sheet, rows, GROUP_COLUMNS)
    if "code" not in index:
        r.fail(sheet, header_row, None, "xlsx_missing_column", code=names["code"])
        return
    members = sorted(i for i, h in others.items() if norm_label(h).startswith(MEMBER_PREFIXES))
    groups = []
    for number, cells in rows[1:]:
        group: dict[str, Any] = {}
        code = r.cell(cell_text, cells[index["code"]], sheet, number, names["code"])
        if code is not None:
            group["code"] = code
        if "name" in index:
            name = r.cell(cell_text, cells[index["name"]], sheet, number, names["name"])
            if name is not None:
                group["name"] = name
        ids = []
        for i in members:
            value = r.cell(cell_telegram_id, cells[i], sheet, number, others[i])
            if value is not None:
                ids.append(value)
        group["members"] = ids
        if "leader" in index:
            leader = r.cell(
                cell_telegram_id, cells[index["leader"]], sheet, number, names["leader"]
            )
            if leader is not None:
                group["leader"] = leader
        groups.append(group)
        place = f"groups[{len(groups)}]"
        src = Source(
            sheet, number, {"code": names["code"], "name": names["name"], "leader": names["leader"]}
        )
        src.numbered["members"] = COL_G_MEMBER
        r.sources.add(place, src)
    data["groups"] = groups
