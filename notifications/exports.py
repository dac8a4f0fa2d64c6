"""Exports rendered for people: the coordinator's progress workbook (R-COO-2) and the
scoring workbook — results and score sheets (R-RES-1, R-SCO-5) — with Russian headers from
the catalogue."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font

from models.services.monitoring import ProgressReport, VerificationCounts
from models.services.scoring import Results
from models.services.scoring.analytics import MarkingAnalytics
from models.services.scoring.reports import ScoreSheets
from notifications.analytics_sheet import add_analytics_sheet
from notifications.i18n import t

_DATE_FORMAT = "DD.MM.YYYY HH:MM"
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_POINTS_FORMAT = "0.00"


def _add_sheet(
    book: Any,
    title: str,
    header: list[str],
    rows: list[list[Any]],
    *,
    total: list[Any] | None = None,
    empty: str | None = None,
    formats: dict[int, str] | None = None,
) -> Any:
    """A sheet with a bold, frozen header row and columns sized to their contents;
    ``formats`` gives a number format by column index (0-based) to the data rows."""
    bold = Font(bold=True)
    ws = book.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = bold
    for row in rows:
        ws.append(row)
    if not rows and empty is not None:
        ws.append([empty])
    if total is not None:
        ws.append(total)
        for cell in ws[ws.max_row]:
            cell.font = bold
    ws.freeze_panes = "A2"
    for column in ws.iter_cols():
        width = max(len(_shown(c.value)) for c in column) + 2
        ws.column_dimensions[column[0].column_letter].width = min(
            max(width, _MIN_WIDTH), _MAX_WIDTH
        )
        fmt = (formats or {}).get(column[0].column - 1)
        for c in column:
            if isinstance(c.value, datetime):
                c.number_format = _DATE_FORMAT
            elif fmt is not None and c.row > 1 and isinstance(c.value, int | float):
                c.number_format = fmt
    return ws


def progress_workbook(report: ProgressReport, language: str = "ru") -> bytes:
    """The report as an XLSX workbook: «Верификация», «Заявки», «Оценивание», «Подписи»;
    each sheet has a bold, frozen header row and columns sized to their contents. Texts come
    from the message catalogue (``progress-xlsx-*``)."""

    def tx(key: str, **args: Any) -> str:
        return t(f"progress-xlsx-{key}", language, **args)

    zone = ZoneInfo(report.timezone)

    def local(value: datetime | None) -> datetime | None:
        # Excel has no time zones: the contest's local time, as the bot shows it
        return None if value is None else value.astimezone(zone).replace(tzinfo=None)

    book = Workbook()
    if book.active is not None:  # a new workbook has one empty sheet: ours are added below
        book.remove(book.active)

    def sheet(
        title: str,
        header: list[str],
        rows: list[list[Any]],
        total: list[Any] | None = None,
        empty: str | None = None,
    ) -> Any:
        return _add_sheet(book, title, header, rows, total=total, empty=empty)

    def waiting_days(at: datetime | None) -> int | None:
        return None if at is None else max((report.generated_at - at).days, 0)

    def verification_row(name: str, v: VerificationCounts, no_application: int) -> list[Any]:
        return [
            name,
            v.draft,
            v.pending,
            local(v.oldest_pending_at),
            waiting_days(v.oldest_pending_at),
            v.accepted,
            no_application,
            v.rejected,
            v.withdrawn,
            v.total,
        ]

    v = report.verification
    ws = sheet(
        tx("sheet-verification"),
        [
            tx(k)
            for k in (
                "region",
                "draft",
                "pending",
                "oldest",
                "waiting",
                "accepted",
                "no-application",
                "rejected",
                "withdrawn",
                "total",
            )
        ],
        [
            verification_row(r.name or tx("no-region"), r.verification, r.no_application)
            for r in report.regions
        ],
        verification_row(tx("total-row"), v, sum(r.no_application for r in report.regions)),
    )
    ws.append([])
    at = local(report.generated_at)
    ws.append([tx("generated", at=f"{at:%d.%m.%Y %H:%M}", tz=report.timezone)])
    ws.append(
        [
            tx("scope-all")
            if report.scope is None
            else tx("scope", regions=", ".join(r.name or "" for r in report.regions))
        ]
    )

    sheet(
        tx("sheet-applications"),
        [tx("region"), tx("nomination"), tx("drafts"), tx("submitted"), tx("total")],
        [
            [a.region_name, a.nomination_title, a.drafts, a.submitted, a.drafts + a.submitted]
            for a in report.applications
        ],
        [tx("total-row"), "", report.drafts, report.submitted, report.drafts + report.submitted],
        empty=tx("applications-none"),
    )
    sheet(
        tx("sheet-scoring"),
        [tx("region"), tx("nomination"), tx("to-score"), tx("scored"), tx("percent")],
        [
            [r.region_name, r.nomination_title, r.to_score, r.scored, r.percent]
            for r in report.scoring
        ],
        empty=t("progress-scoring-none", language),
    )
    sheet(
        tx("sheet-signatures"),
        [tx("protocol"), tx("signer"), tx("since")],
        [[m.protocol, m.signer, local(m.since)] for m in report.signatures],
        empty=t("progress-signatures-none", language),
    )
    book.properties.title = tx("title", contest=report.contest_title)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _number(value: Decimal | None) -> int | float | None:
    """A Decimal as a number Excel keeps as a number: whole values as int."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def scoring_workbook(
    results: Results,
    sheets: ScoreSheets,
    language: str = "ru",
    *,
    analytics: MarkingAnalytics | None = None,
) -> bytes:
    """The coordinators' export of a scheme as an XLSX workbook:

    - «Итоги» — place, number, participant, region, points, medal (золото / серебро /
      бронза) and «→ федеральный этап» for the winners who advance (R-RES-1, R-APP-8);
    - «Ведомости» — one row per target × aspect: criterion, subcriterion and aspect (code
      and title), the group, the kind, max points, each expert's mark (a column per
      expert), the group's state and points (R-SCO-1…3, R-SCO-5);
    - «Аналитика экспертов» when ``analytics`` is given (the caller got it from
      ``services.marking_analytics``, which decides who may see it; issue #16).

    Numbers are numbers, the header rows are bold and frozen, columns sized to their
    contents. Texts come from the catalogue (``sco-xlsx-*``)."""

    def tx(key: str, **args: Any) -> str:
        return t(f"sco-xlsx-{key}", language, **args)

    book = Workbook()
    if book.active is not None:  # a new workbook has one empty sheet: ours are added below
        book.remove(book.active)

    result_rows = [
        [
            line.place,
            line.number,
            _participant(line.label, line.number),
            line.region or tx("no-region"),
            _number(line.total),
            tx(f"medal-{line.medal}") if line.medal else None,
            tx("advances-yes") if line.advances else None,
        ]
        for line in results.lines
    ]
    ws = _add_sheet(
        book,
        tx("sheet-results"),
        [tx(k) for k in ("place", "number", "participant", "region", "total", "medal", "advances")],
        result_rows,
        empty=tx("no-targets"),
        formats={4: _POINTS_FORMAT},
    )
    ws.append([])
    if sheets.scores_locked_at is not None:
        at = sheets.scores_locked_at.astimezone(ZoneInfo(sheets.timezone))
        ws.append([tx("locked", at=f"{at:%d.%m.%Y %H:%M}", tz=sheets.timezone)])
    else:
        ws.append([tx("not-locked")])

    experts = sheets.experts
    fixed = [
        "number",
        "participant",
        "region",
        "criterion",
        "criterion-title",
        "subcriterion",
        "subcriterion-title",
        "group",
        "aspect",
        "aspect-title",
        "kind",
        "max-points",
    ]
    header = [tx(k) for k in fixed] + [e.name for e in experts] + [tx("state"), tx("points")]
    sheet_rows = [
        [
            row.number,
            row.participant,
            row.region or tx("no-region"),
            row.criterion_code,
            row.criterion_title,
            row.subcriterion_code,
            row.subcriterion_title,
            row.group_code,
            row.aspect_code,
            row.aspect_title,
            tx(f"kind-{row.kind}"),
            _number(row.max_points),
            *[_number(row.marks.get(e.telegram_id)) for e in experts],
            tx(f"state-{row.state}"),
            _number(row.points),
        ]
        for row in sheets.rows
    ]
    points_col = len(header) - 1
    ws = _add_sheet(
        book,
        tx("sheet-sheets"),
        header,
        sheet_rows,
        empty=tx("no-targets"),
        formats={fixed.index("max-points"): _POINTS_FORMAT, points_col: _POINTS_FORMAT},
    )
    ws.append([])
    ws.append([tx("mark-note")])
    if analytics is not None:
        add_analytics_sheet(book, analytics, language)
    book.properties.title = tx("title", scheme=sheets.title)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _participant(label: str, number: int) -> str:
    """The participant's name from a result label («№3 Иванова …»), the number having its
    own column."""
    prefix = f"№{number}"
    return label[len(prefix) :].strip() if label.startswith(prefix) else label


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return "00.00.0000 00:00"
    return str(value)
