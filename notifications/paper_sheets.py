"""Paper backup sheets as PDF (issue #16, seed 002 §6.7): the blank handwritten sheet an
assessment group fills per subcriterion and participant, and a group's filled sheet for
signing. Landscape A4 (a column per expert), long titles wrapped, the header row repeated on
every page a table runs over, page numbers in the footer.

A pure module like ``notifications.documents``, whose font setup it shares (DejaVu Sans,
found by :func:`notifications.documents.find_font_dir`): the service's views in, PDF bytes
out. Every word on the page comes from the catalogue (``locales/ru/paper_sheets.ftl``) except
the data; the sheets are Russian documents, printed in Russian whatever the chief's chat
language."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace

from models.rules import format_local
from models.services.scoring.paper_views import (
    BlankPage,
    BlankSheets,
    FilledLine,
    FilledPart,
    GroupSheet,
    PaperAspect,
    PaperHeading,
    PaperPerson,
)
from notifications.documents import FONT_FAMILY, FONT_FILES, find_font_dir
from notifications.i18n import t

LANGUAGE = "ru"

_GREY = (90, 90, 90)
_HEADING_FILL = (225, 228, 235)
_ZEBRA_FILL = (246, 247, 250)
_STRUCK_FILL = (215, 215, 215)
#: column widths in millimetres (the table is stretched to the page, so they are relative)
_CODE_W, _MAX_W, _KIND_W, _RESULT_W, _POINTS_W = 16.0, 14.0, 48.0, 34.0, 16.0
_EXPERT_W = 30.0
_ASPECT_MIN = 60.0
#: the printable width of a landscape A4 page within the margins
_PAGE_W = 297.0 - 2 * 12


def _tr(key: str, **args: object) -> str:
    return t(key, LANGUAGE, **args)


def _num(value: Decimal) -> str:
    """0.5 → «0,5», 1.00 → «1»: a scale or an option's points as a person writes them."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _pts(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


class _SheetPdf(FPDF):
    def __init__(self, folder: Path, heading: PaperHeading, title: str) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        for style, name in FONT_FILES.items():
            self.add_font(FONT_FAMILY, style, str(folder / name))
        self.set_creation_date(heading.made_at)
        self.set_lang("ru-RU")
        self.set_title(title)
        self.set_creator("contest-bot")
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=14)
        self.c_margin = 1.2
        self.running = f"{heading.contest} · {heading.scheme}"
        self.first_of_sheet = True

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(FONT_FAMILY, "B" if bold else "", size)

    def header(self) -> None:
        if self.first_of_sheet:  # the sheet's own heading says it in full
            self.first_of_sheet = False
            return
        self.font(7.5)
        self.set_text_color(*_GREY)
        self.cell(0, 4, self.running, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def footer(self) -> None:
        self.set_y(-10)
        self.font(7.5)
        self.set_text_color(*_GREY)
        self.cell(
            0,
            4,
            _tr("paper-doc-page", page=self.page_no(), pages=self.str_alias_nb_pages),
            align=Align.R,
        )
        self.set_text_color(0, 0, 0)

    def text_line(self, text: str, size: float, *, bold: bool = False, grey: bool = False) -> None:
        self.font(size, bold)
        if grey:
            self.set_text_color(*_GREY)
        self.multi_cell(0, size * 0.48, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        size: float = 8.5,
        padding: tuple[float, float] = (1.2, 1.2),
        struck: Sequence[int] = (),
    ) -> None:
        """A table: the header repeated on each page, cells wrapped; ``struck`` columns
        (a mentor who does not score the participant) greyed."""
        self.font(size)
        with self.table(
            col_widths=tuple(widths),
            width=self.epw,
            align="LEFT",
            line_height=size * 0.45,
            headings_style=FontFace(family=FONT_FAMILY, emphasis="BOLD", fill_color=_HEADING_FILL),
            repeat_headings=1,
            cell_fill_color=_ZEBRA_FILL,
            cell_fill_mode=TableCellFillMode.ROWS,
            text_align="LEFT",
            padding=padding,
            first_row_as_headings=True,
        ) as table:
            table.row(list(header))
            grey = FontFace(fill_color=_STRUCK_FILL)
            for cells in rows:
                row = table.row()
                for i, text in enumerate(cells):
                    row.cell(text, style=grey if i in struck else None)

    def signatures(self, people: Sequence[tuple[str, str]]) -> None:
        """Two signers a row: name and role, then empty «signature» and «date» cells tall
        enough to sign in; kept on one page with its heading."""
        rows: list[list[str]] = []
        for i in range(0, len(people), 2):
            row: list[str] = []
            for name, role in people[i : i + 2]:
                row += [f"{name}\n{role}", "", ""]
            rows.append(row + [""] * (6 - len(row)))
        if self.will_page_break(14 + 11 * len(rows)):
            self.add_page()
        self.text_line(_tr("paper-doc-signatures"), 10.5, bold=True)
        self.ln(1)
        header = (
            _tr("paper-doc-sign-name"),
            _tr("paper-doc-sign-here"),
            _tr("paper-doc-sign-date"),
        )
        self.grid((*header, *header), rows, (64, 50, 22.5) * 2, size=8.5, padding=(1.6, 1.2))


def _heading_lines(pdf: _SheetPdf, heading: PaperHeading) -> None:
    pdf.text_line(heading.contest, 8.5, grey=True)
    pdf.text_line(
        _tr(
            "paper-doc-nomination",
            nomination=heading.nomination,
            stage=heading.stage,
            scheme=heading.scheme,
        ),
        8.5,
        grey=True,
    )
    pdf.ln(1.5)


def _kind_text(aspect: PaperAspect) -> str:
    if aspect.kind == "discrete":
        options = "; ".join(f"{label} — {_num(points)}" for label, points in aspect.options)
        return _tr("paper-doc-kind-discrete", options=options)
    return _tr(f"paper-doc-kind-{aspect.kind}")


def _widths(fixed: Sequence[float], experts: int) -> list[float]:
    """The experts' columns share what the fixed columns and a readable aspect leave."""
    room = _PAGE_W - sum(fixed) - _ASPECT_MIN
    each = min(_EXPERT_W, room / experts) if experts else 0.0
    return [*fixed, *([each] * experts)]


def _names(people: Sequence[PaperPerson], ids: frozenset[int]) -> str:
    return ", ".join(p.name for p in people if p.telegram_id in ids)


def _member_signers(people: Sequence[PaperPerson]) -> list[tuple[str, str]]:
    return [
        (p.name, _tr("paper-doc-role-leader" if p.leader else "paper-doc-role-member"))
        for p in people
    ]


# ---------------------------------------------------------------- the blank sheet


def _blank_page(pdf: _SheetPdf, heading: PaperHeading, page: BlankPage) -> None:
    subcriterion = _tr(
        "paper-doc-subcriterion", code=page.subcriterion_code, title=page.subcriterion_title
    )
    # a continuation page names the sheet it belongs to
    pdf.running = f"{heading.contest} · {subcriterion} · {page.target_label}"
    pdf.first_of_sheet = True
    pdf.add_page()
    _heading_lines(pdf, heading)
    pdf.text_line(_tr("paper-doc-blank-title"), 13, bold=True)
    pdf.text_line(subcriterion, 11, bold=True)
    pdf.text_line(
        _tr(
            "paper-doc-criterion-group",
            criterion=page.criterion,
            code=page.group_code,
            name=page.group_name,
        ),
        9,
    )
    # the participant, and on the same line the date the group writes in
    pdf.font(11, bold=True)
    pdf.cell(pdf.epw - 85, 5.5, _tr("paper-doc-target", label=page.target_label))
    pdf.font(9.5)
    pdf.cell(
        85, 5.5, _tr("paper-doc-date-line"), align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    if page.excluded:
        pdf.text_line(_tr("paper-doc-excluded", names=_names(page.experts, page.excluded)), 9)
    pdf.ln(2)
    header = [
        _tr("paper-doc-col-code"),
        _tr("paper-doc-col-aspect"),
        _tr("paper-doc-col-kind"),
        _tr("paper-doc-col-max"),
        *(p.name for p in page.experts),
    ]
    fixed = (_CODE_W, 0.0, _KIND_W, _MAX_W)
    widths = _widths(fixed, len(page.experts))
    widths[1] = _PAGE_W - sum(widths)
    struck = [4 + i for i, p in enumerate(page.experts) if p.telegram_id in page.excluded]
    rows = []
    for a in page.aspects:
        empty = _tr("paper-doc-yes-no") if a.kind == "binary" else ""
        cells = [
            _tr("paper-doc-struck") if 4 + i in struck else empty for i in range(len(page.experts))
        ]
        rows.append([a.code, a.title, _kind_text(a), _num(a.max_points), *cells])
    pdf.grid(header, rows, widths, padding=(1.4, 1.2), struck=struck)
    pdf.ln(2)
    if any(a.kind == "judgement" for a in page.aspects):
        pdf.text_line(_tr("paper-doc-judgement-scale"), 7.5)
    pdf.text_line(_tr("paper-doc-correction-rule"), 7.5)
    pdf.ln(2)
    pdf.signatures(_member_signers(page.experts))


def render_blank(sheets: BlankSheets, *, font_dir: str | None = None) -> bytes:
    """Blank handwritten sheets: a page (or more, for a long subcriterion) per subcriterion
    and participant, with empty cells and the group's signature lines."""
    folder = find_font_dir(font_dir)
    pdf = _SheetPdf(folder, sheets.heading, _tr("paper-doc-blank-title"))
    for page in sheets.pages:
        _blank_page(pdf, sheets.heading, page)
    return bytes(pdf.output())


# ---------------------------------------------------------------- the filled group sheet


def _mark(aspect: PaperAspect, value: int) -> str:
    if aspect.kind == "binary":
        return _tr("paper-doc-yes" if value else "paper-doc-no")
    if aspect.kind == "discrete" and 0 <= value < len(aspect.options):
        return _num(aspect.options[value][1])
    return str(value)


def _mark_cell(line: FilledLine, expert: PaperPerson, excluded: frozenset[int]) -> str:
    if expert.telegram_id in excluded:
        return _tr("paper-doc-struck")
    value = line.marks.get(expert.telegram_id)
    if value is None:
        return "—"
    shown = _mark(line.aspect, value)
    return f"({shown})" if expert.telegram_id in line.stale else shown


def _part(pdf: _SheetPdf, sheet: GroupSheet, part: FilledPart) -> None:
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.text_line(
        _tr(
            "paper-doc-part",
            code=part.subcriterion_code,
            title=part.subcriterion_title,
            label=part.target_label,
        ),
        10,
        bold=True,
    )
    pdf.ln(1)
    header = [
        _tr("paper-doc-col-code"),
        _tr("paper-doc-col-aspect"),
        _tr("paper-doc-col-max"),
        *(p.name for p in sheet.experts),
        _tr("paper-doc-col-result"),
        _tr("paper-doc-col-points"),
    ]
    n = len(sheet.experts)
    experts = _widths((_CODE_W, 0.0, _MAX_W, _RESULT_W, _POINTS_W), n)[5:]
    aspect_w = _PAGE_W - (_CODE_W + _MAX_W + _RESULT_W + _POINTS_W) - sum(experts)
    widths = [_CODE_W, aspect_w, _MAX_W, *experts, _RESULT_W, _POINTS_W]
    struck = [3 + i for i, p in enumerate(sheet.experts) if p.telegram_id in part.excluded]
    rows = [
        [
            ln.aspect.code,
            ln.aspect.title,
            _num(ln.aspect.max_points),
            *(_mark_cell(ln, p, part.excluded) for p in sheet.experts),
            _tr(f"paper-doc-state-{ln.state}"),
            _pts(ln.points),
        ]
        for ln in part.lines
    ]
    pdf.grid(header, rows, widths, struck=struck)
    pdf.text_line(_tr("paper-doc-total", total=_pts(part.total), max=_pts(part.max_total)), 9.5)
    pdf.ln(3)


def render_group(sheet: GroupSheet, *, font_dir: str | None = None) -> bytes:
    """A group's filled sheet: each subcriterion × participant with every expert's mark, the
    group's result and points and the total; then the group's and the chief's signatures."""
    folder = find_font_dir(font_dir)
    title = _tr("paper-doc-group-title", code=sheet.group_code, name=sheet.group_name)
    pdf = _SheetPdf(folder, sheet.heading, title)
    pdf.add_page()
    _heading_lines(pdf, sheet.heading)
    pdf.text_line(title, 14, bold=True)
    pdf.ln(1)
    at = format_local(sheet.heading.made_at, sheet.heading.timezone)
    pdf.text_line(_tr("paper-doc-made-at", at=at), 9.5)
    pdf.text_line(_tr("paper-doc-locked" if sheet.scores_locked else "paper-doc-not-locked"), 9.5)
    pdf.text_line(_tr("paper-doc-legend"), 8)
    pdf.ln(3)
    if not sheet.parts:
        pdf.text_line(_tr("paper-doc-empty-group"), 10)
    for part in sheet.parts:
        _part(pdf, sheet, part)
    signers = _member_signers(sheet.members)
    if sheet.chief is not None:
        signers.append((sheet.chief.name, _tr("paper-doc-role-chief")))
    pdf.signatures(signers)
    return bytes(pdf.output())


__all__ = ["render_blank", "render_group"]
