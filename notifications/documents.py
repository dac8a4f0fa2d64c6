"""Printable Russian documents (R-PRO-1…3, R-RES-3): protocols, participant certificates,
diplomas and thank-you letters, rendered to PDF.

A pure module: plain dataclasses in, PDF bytes out — no database, no Telegram. Every text a
person sees comes from the message catalogue (``locales/ru/documents.ftl``) except the data
passed in. A protocol's title, paragraphs and table words are stored in its content already
written from the same catalogue (the services pass phrases, ``models.phrases``: the content is
hashed and signed, so it keeps the written words); an award's line comes from its ``phrase``.

The library is fpdf2: pure Python, actively maintained, embeds (and subsets) TrueType fonts
so Cyrillic renders correctly, and has a ``table()`` API with wrapped cells and a header row
repeated on every page. The font is DejaVu Sans (Debian package ``fonts-dejavu-core``), found
in ``font_dir`` / the ``FONT_DIR`` environment variable / a few standard locations.

Output is deterministic: the same document gives byte-identical PDFs (the creation date is
derived from the document's own date and the file identifier from the content), because a
signature binds to the SHA-256 of the file. Byte identity holds for the same fpdf2 version
and font files; a verifier must hash the stored file rather than render it again.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace

from models.rules import format_local
from notifications.i18n import has, t

LANGUAGE = "ru"
FONT_FAMILY = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FONT_DIR_ENV = "FONT_DIR"
STANDARD_FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu (fonts-dejavu-core)
    "/usr/share/fonts/dejavu",  # Fedora, Alpine
    "/usr/share/fonts/TTF",  # Arch
    "/usr/local/share/fonts/dejavu",
    "/usr/local/share/fonts",
)

PROTOCOL_KINDS = (
    "scheme_lock",
    "task_briefing",
    "score_lock",
    "mentor_sheet",
    "correction",
    "results",
    "pre_appeal",
    "appeal",
)
AWARD_KINDS = ("certificate", "diploma", "thanks")
MEDALS = ("gold", "silver", "bronze")

# When the document's date cannot be read, the PDF creation date is this constant.
_FALLBACK_DATE = datetime(2000, 1, 1, 12, 0, tzinfo=UTC)
_DATE_RE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")

_MEDAL_COLOURS = {"gold": (176, 125, 10), "silver": (110, 116, 124), "bronze": (140, 84, 40)}
_GREY = (90, 90, 90)
_HEADING_FILL = (225, 228, 235)
_ZEBRA_FILL = (246, 247, 250)


class FontNotFound(RuntimeError):
    """The DejaVu Sans font files are not installed where we look for them."""


@dataclass(frozen=True)
class DocTable:
    title: str | None
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] | None = None  # column width fractions


@dataclass(frozen=True)
class Signer:
    name: str
    role: str
    signed_at: str | None = None  # formatted local time, or None: a line to sign on paper


@dataclass(frozen=True)
class ProtocolDocument:
    kind: str
    number: str
    title: str
    contest: str
    stage: str
    subject: str  # competence or nomination
    created_at: str  # already formatted, e.g. «12.03.2027 14:05 (МСК)»
    paragraphs: tuple[str, ...]
    tables: tuple[DocTable, ...]
    signers: tuple[Signer, ...]
    version: int = 1
    content_sha256: str | None = None


@dataclass(frozen=True)
class AwardDocument:
    kind: str  # "certificate" | "diploma" | "thanks"
    person: str
    contest: str
    stage: str
    subject: str
    text: str
    medal: str | None  # "gold" | "silver" | "bronze" (diplomas only)
    issued_at: str
    number: str


# ---------------------------------------------------------------- fonts


def _env_font_dir() -> str | None:
    return os.environ.get(FONT_DIR_ENV) or None


def find_font_dir(font_dir: str | None = None) -> Path:
    """The folder holding DejaVu Sans regular and bold: ``font_dir`` when given, else
    ``$FONT_DIR`` when set (either is then the only place looked at), else the first
    standard location that has both files."""
    chosen = font_dir or _env_font_dir()
    candidates = [Path(chosen)] if chosen else [Path(p) for p in STANDARD_FONT_DIRS]
    for folder in candidates:
        if all((folder / name).is_file() for name in FONT_FILES.values()):
            return folder
    where = ", ".join(str(p) for p in candidates)
    raise FontNotFound(
        f"DejaVu Sans fonts ({', '.join(FONT_FILES.values())}) not found in {where}; "
        f"install the Debian package fonts-dejavu-core (apt-get install fonts-dejavu-core) "
        f"or set {FONT_DIR_ENV} to the folder holding them"
    )


# ---------------------------------------------------------------- common


def _creation_date(text: str) -> datetime:
    """A creation date derived from the document's own date (noon UTC, so the calendar day
    reads the same in any time zone), fixed so that rendering is reproducible."""
    match = _DATE_RE.search(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return datetime(year, month, day, 12, 0, tzinfo=UTC)
        except ValueError:
            pass
    return _FALLBACK_DATE


class _Pdf(FPDF):
    def __init__(self, orientation: str, folder: Path, created: datetime, title: str) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        for style, name in FONT_FILES.items():
            self.add_font(FONT_FAMILY, style, str(folder / name))
        self.set_creation_date(created)
        self.set_lang("ru-RU")
        self.set_title(title)
        self.set_creator("contest-bot")
        self.set_font(FONT_FAMILY, size=11)
        self.c_margin = 1.2

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(FONT_FAMILY, "B" if bold else "", size)

    def line_text(
        self,
        text: str,
        size: float,
        *,
        bold: bool = False,
        height: float | None = None,
        align: Align | str = Align.L,
        width: float = 0,
    ) -> None:
        """A paragraph (wrapped) at the current position, the cursor moved below it."""
        self.font(size, bold)
        if width and align == Align.C:
            self.set_x((self.w - width) / 2)
        self.multi_cell(
            width, height or size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )


def _output(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


# ---------------------------------------------------------------- protocols


class _ProtocolPdf(_Pdf):
    doc: ProtocolDocument

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.font(8)
        self.set_text_color(*_GREY)
        self.cell(0, 4, _protocol_title(self.doc), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(3)

    def footer(self) -> None:
        doc = self.doc
        self.set_y(-13)
        self.font(7)
        self.set_text_color(*_GREY)
        if doc.content_sha256:
            version = t("doc-version-sha", LANGUAGE, version=doc.version, sha=doc.content_sha256)
        else:
            version = t("doc-version", LANGUAGE, version=doc.version)
        self.cell(0, 4, version, align=Align.L)
        self.set_x(self.l_margin)
        self.font(8)
        self.cell(
            0,
            4,
            t("doc-page", LANGUAGE, page=self.page_no(), pages=self.str_alias_nb_pages),
            align=Align.R,
        )
        self.set_text_color(0, 0, 0)


def _protocol_title(doc: ProtocolDocument) -> str:
    return t("doc-protocol-title", LANGUAGE, number=doc.number, title=doc.title)


def _check_table(table: DocTable) -> None:
    size = len(table.header)
    if size == 0:
        raise ValueError(f"table {table.title!r} has no columns")
    if table.widths is not None and len(table.widths) != size:
        raise ValueError(f"table {table.title!r}: {len(table.widths)} widths for {size} columns")
    for row in table.rows:
        if len(row) != size:
            raise ValueError(f"table {table.title!r}: a row of {len(row)} cells for {size} columns")


def _draw_table(
    pdf: _Pdf,
    header: tuple[str, ...],
    rows: tuple[tuple[str, ...], ...],
    widths: tuple[float, ...] | None,
    *,
    size: float = 9,
) -> None:
    pdf.font(size)
    with pdf.table(
        col_widths=widths or None,
        width=pdf.epw,
        align="LEFT",
        line_height=size * 0.47,
        headings_style=_heading_style(),
        repeat_headings=1,
        cell_fill_color=_ZEBRA_FILL,
        cell_fill_mode=TableCellFillMode.ROWS,
        text_align="LEFT",
        padding=1.2,
        first_row_as_headings=True,
    ) as table:
        table.row(header)
        for row in rows:
            table.row(row)


def _heading_style() -> FontFace:
    return FontFace(family=FONT_FAMILY, emphasis="BOLD", fill_color=_HEADING_FILL)


def render_protocol(doc: ProtocolDocument, *, font_dir: str | None = None) -> bytes:
    """The protocol as an A4 portrait PDF: contest, stage, competence or nomination; the
    title and date; the paragraphs; the tables (header repeated on each page, cells
    wrapped); the signatures; page numbers and the version (with the content hash) in the
    footer. The same document gives the same bytes."""
    if doc.kind not in PROTOCOL_KINDS:
        raise ValueError(f"unknown protocol kind {doc.kind!r}; one of {', '.join(PROTOCOL_KINDS)}")
    for table in doc.tables:
        _check_table(table)
    folder = find_font_dir(font_dir)
    pdf = _ProtocolPdf("portrait", folder, _creation_date(doc.created_at), _protocol_title(doc))
    pdf.doc = doc
    pdf.set_margins(18, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()

    # Header: contest, stage, competence or nomination.
    pdf.set_text_color(*_GREY)
    pdf.line_text(t("doc-contest", LANGUAGE, contest=doc.contest), 9)
    pdf.line_text(t("doc-stage", LANGUAGE, stage=doc.stage), 9)
    pdf.line_text(t("doc-subject", LANGUAGE, subject=doc.subject), 9)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(*_GREY)
    pdf.line(pdf.l_margin, pdf.get_y() + 1.5, pdf.w - pdf.r_margin, pdf.get_y() + 1.5)
    pdf.ln(6)

    # Title, kind, date and time.
    pdf.line_text(_protocol_title(doc), 14, bold=True, align=Align.C, height=7)
    kind_title = t(f"doc-kind-{doc.kind}", LANGUAGE)
    if kind_title.casefold() != doc.title.casefold():
        pdf.line_text(kind_title, 10, align=Align.C)
    pdf.ln(2)
    pdf.line_text(t("doc-created-at", LANGUAGE, created_at=doc.created_at), 10)
    pdf.ln(3)

    for paragraph in doc.paragraphs:
        pdf.line_text(paragraph, 10.5, height=5.3, align=Align.J)
        pdf.ln(2)

    for table in doc.tables:
        pdf.ln(2)
        if table.title:
            if pdf.will_page_break(20):
                pdf.add_page()
            pdf.line_text(table.title, 10.5, bold=True, height=6)
            pdf.ln(1)
        _draw_table(pdf, table.header, table.rows, table.widths)
        pdf.ln(3)

    # Signatures: heading kept with at least the first signer.
    pdf.ln(4)
    if pdf.will_page_break(28):
        pdf.add_page()
    pdf.line_text(t("doc-signatures", LANGUAGE), 12, bold=True, height=7)
    pdf.ln(1)
    if doc.signers:
        rows = tuple(
            (
                s.role,
                s.name,
                t("doc-signed-at", LANGUAGE, time=s.signed_at)
                if s.signed_at
                else t("doc-sign-line", LANGUAGE),
            )
            for s in doc.signers
        )
        header = (
            t("doc-sign-role", LANGUAGE),
            t("doc-sign-name", LANGUAGE),
            t("doc-sign-mark", LANGUAGE),
        )
        _draw_table(pdf, header, rows, (0.3, 0.32, 0.38), size=10)
    return _output(pdf)


# ---------------------------------------------------------------- awards


def render_award(doc: AwardDocument, *, font_dir: str | None = None) -> bytes:
    """A participant certificate, a diploma (with the medal) or a thank-you letter as an A4
    landscape PDF. The same document gives the same bytes."""
    if doc.kind not in AWARD_KINDS:
        raise ValueError(f"unknown award kind {doc.kind!r}; one of {', '.join(AWARD_KINDS)}")
    if doc.medal is not None:
        if doc.medal not in MEDALS:
            raise ValueError(f"unknown medal {doc.medal!r}; one of {', '.join(MEDALS)}")
        if doc.kind != "diploma":
            raise ValueError(f"a medal goes with a diploma, not a {doc.kind}")
    folder = find_font_dir(font_dir)
    title = t(f"doc-award-{doc.kind}", LANGUAGE)
    pdf = _Pdf("landscape", folder, _creation_date(doc.issued_at), f"{title} — {doc.person}")
    pdf.set_margins(25, 20, 25)
    pdf.set_auto_page_break(False)
    pdf.add_page()

    # A double frame.
    pdf.set_draw_color(60, 70, 110)
    pdf.set_line_width(1.0)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, pdf.w - 26, pdf.h - 26)

    text_width = pdf.w - 2 * 40
    pdf.set_y(36)
    pdf.set_text_color(40, 50, 95)
    pdf.line_text(title, 32, bold=True, height=15, align=Align.C, width=text_width)
    if doc.medal:
        pdf.set_text_color(*_MEDAL_COLOURS[doc.medal])
        pdf.line_text(
            t(f"doc-medal-{doc.medal}", LANGUAGE),
            20,
            bold=True,
            height=10,
            align=Align.C,
            width=text_width,
        )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(12)
    pdf.line_text(doc.person, 26, bold=True, height=12, align=Align.C, width=text_width)
    pdf.ln(6)
    pdf.line_text(doc.text, 14, height=7, align=Align.C, width=text_width)
    pdf.ln(6)
    pdf.line_text(doc.contest, 14, bold=True, height=7, align=Align.C, width=text_width)
    # a volunteer's letter is for a stage, not one competence (R-RES-3): the stage alone
    event = (
        t("doc-award-event", LANGUAGE, stage=doc.stage, subject=doc.subject)
        if doc.subject
        else doc.stage
    )
    pdf.line_text(event, 12, height=6, align=Align.C, width=text_width)

    # Date and number at the bottom of the frame.
    pdf.set_y(pdf.h - 35)
    pdf.font(11)
    pdf.set_text_color(*_GREY)
    pdf.set_x(30)
    pdf.cell(pdf.w - 60, 6, t("doc-award-issued", LANGUAGE, date=doc.issued_at), align=Align.L)
    pdf.set_x(30)
    pdf.cell(pdf.w - 60, 6, t("doc-award-number", LANGUAGE, number=doc.number), align=Align.R)
    return _output(pdf)


# ---------------------------------------------------------------- from stored content


def _local_time(iso: str, tz: str) -> str:
    return format_local(datetime.fromisoformat(iso), tz)


def protocol_pdf(content: dict, *, font_dir: str | None = None) -> bytes:  # type: ignore[type-arg]
    """A protocol version's PDF from its stored content (``ProtocolService.issue``). The
    signatures block lists who must sign; signatures themselves are records bound to this
    file's SHA-256, so the file never changes once made."""
    tz = content.get("timezone", "Europe/Moscow")
    doc = ProtocolDocument(
        kind=content["kind"],
        number=str(content.get("number", "")),
        title=content["title"],
        contest=content.get("contest", ""),
        stage=content.get("stage", ""),
        subject=content.get("subject", ""),
        created_at=_local_time(content["created_at"], tz),
        paragraphs=(*content.get("paragraphs", ()), t("doc-signing-note", LANGUAGE)),
        tables=tuple(
            DocTable(
                title=tb.get("title"),
                header=tuple(tb["header"]),
                rows=tuple(tuple(str(c) for c in row) for row in tb["rows"]),
                widths=tuple(tb["widths"]) if tb.get("widths") else None,
            )
            for tb in content.get("tables", ())
        ),
        signers=tuple(
            Signer(name=x["name"], role=_role(x["role"])) for x in content.get("signers", ())
        ),
        version=int(content.get("version", 1)),
        content_sha256=content.get("content_sha256"),
    )
    return render_protocol(doc, font_dir=font_dir)


def _role(code: str) -> str:
    key = f"doc-role-{code}"
    return t(key, LANGUAGE) if has(key, LANGUAGE) else code


def award_pdf(spec: dict, *, font_dir: str | None = None) -> bytes:  # type: ignore[type-arg]
    """A certificate, diploma or thank-you letter from an outbox row's ``_award`` spec."""
    fields = {
        k: spec.get(k)
        for k in (
            "kind",
            "person",
            "contest",
            "stage",
            "subject",
            "text",
            "medal",
            "issued_at",
            "number",
        )
    }
    fields["text"] = award_text(spec)
    return render_award(AwardDocument(**fields), font_dir=font_dir)  # type: ignore[arg-type]


def award_text(spec: dict) -> str:  # type: ignore[type-arg]
    """The line under the person's name: the spec's ``text`` as written (rows written before
    the words moved to the catalogue), else its ``phrase`` (``{"key": …, "args": {…}}``, e.g.
    ``doc-award-replaces`` of a reissued diploma), else a thank-you letter's own words."""
    if spec.get("text"):
        return str(spec["text"])
    said = spec.get("phrase")
    if said:
        return t(str(said["key"]), LANGUAGE, **dict(said.get("args") or {}))
    if spec.get("kind") == "thanks" and spec.get("role"):
        return thanks_text(str(spec["role"]))
    return ""


def thanks_text(role: str) -> str:
    """What a thank-you letter thanks a person of ``role`` for (R-RES-3, 002 §6.9): the
    catalogue's ``doc-thanks-<role>`` (a volunteer: «за помощь в организации и проведении
    чемпионата»), or nothing for a role without one."""
    key = f"doc-thanks-{role}"
    return t(key, LANGUAGE) if has(key, LANGUAGE) else ""
