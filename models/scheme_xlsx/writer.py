"""Writing a scheme as a workbook: the template organisers fill in, and the round-trip check."""

from __future__ import annotations

import io
from decimal import Decimal

from models.phrases import phrase, say
from models.scheme_file import SchemeDef
from models.scheme_xlsx.cells import canonical_decimal, format_options
from models.scheme_xlsx.layout import (
    COL_ASPECT,
    COL_ASPECT_TITLE,
    COL_CRIT,
    COL_CRIT_TITLE,
    COL_G_CODE,
    COL_G_LEADER,
    COL_G_MEMBER,
    COL_G_NAME,
    COL_GROUP,
    COL_KIND,
    COL_MAX,
    COL_OPTIONS,
    COL_SUB,
    COL_SUB_TITLE,
    COL_VALUE,
    KIND_LABELS,
    PARAM_NOMINATION,
    PARAM_RANKING,
    PARAM_STAGE,
    PARAM_TITLE,
    RANKING_LABELS,
    SHEET_GROUPS,
    SHEET_HELP,
    SHEET_PARAMS,
    SHEET_SCHEME,
)

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

#: the instruction sheet, line by line: the catalogue's words (documents.ftl), a blank line
#: as it is
_HELP = (
    phrase("doc-xlsx-help-title"),
    "",
    phrase("doc-xlsx-help-params"),
    phrase("doc-xlsx-help-scheme"),
    phrase("doc-xlsx-help-sum"),
    phrase("doc-xlsx-help-titles"),
    phrase("doc-xlsx-help-kinds"),
    phrase("doc-xlsx-help-discrete"),
    phrase("doc-xlsx-help-discrete-max"),
    phrase("doc-xlsx-help-group"),
    phrase("doc-xlsx-help-groups"),
    phrase("doc-xlsx-help-upload"),
)


def _cell_number(value: Decimal) -> int | float:
    value = canonical_decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def scheme_to_xlsx(d: SchemeDef) -> bytes:
    """The scheme as a workbook of the layout :func:`parse_scheme_xlsx` reads."""
    # imported here, not at the top: openpyxl costs ~0.3 s and ~16 MB to import, paid only
    # when someone asks for a template (see reader._open_workbook)
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    wb = Workbook()
    params = wb.worksheets[0]  # a new workbook has one sheet
    params.title = SHEET_PARAMS
    for row in (
        (say(phrase("doc-xlsx-param-header")), COL_VALUE),
        (PARAM_NOMINATION, d.nomination),
        (PARAM_STAGE, d.stage),
        (PARAM_TITLE, d.title or ""),
        (PARAM_RANKING, RANKING_LABELS.get(d.ranking, d.ranking)),
    ):
        params.append(row)
    for cell in params[1]:
        cell.font = bold
    for values in params.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in values:
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
        type="list", formula1=f'"{",".join(KIND_LABELS.values())}"', allow_blank=True
    )
    kinds.error = say(phrase("doc-xlsx-kind-error"))
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
        help_sheet.append((say(line),))
    help_sheet["A1"].font = bold
    help_sheet.column_dimensions["A"].width = 120

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
