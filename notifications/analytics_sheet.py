"""The sheet «Аналитика экспертов» (issue #16): the chief expert's marking analytics as an
XLSX sheet — in the coordinators' scoring workbook when they may see it
(``notifications.exports.scoring_workbook``) and as a workbook of its own from the chief's
screen. Before the score lock the mean columns stay empty and a note says why (R-SCO-5).

Written with openpyxl; texts from the catalogue (``mka-xlsx-*``, ``mka-*``). Standalone: the
scoring workbook imports it, it imports nothing of the workbook."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from models.services.scoring.analytics import MarkingAnalytics
from notifications.i18n import t

_MIN_WIDTH, _MAX_WIDTH = 8, 60
_MEAN_FORMAT = "0.00"
_COLUMNS = (
    "expert",
    "groups",
    "marks",
    "judgement-marks",
    "mean",
    "group-mean",
    "diff",
    "binary-marks",
    "yes-share",
    "group-yes-share",
    "comparisons",
    "outliers",
    "changed",
    "corrected",
)
_DECIMALS = {"mean", "group-mean", "diff", "yes-share", "group-yes-share"}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _diff(mean: Decimal | None, group: Decimal | None) -> Decimal | None:
    return None if mean is None or group is None else mean - group


def add_analytics_sheet(book: Any, analytics: MarkingAnalytics, language: str = "ru") -> Any:
    """Append «Аналитика экспертов» to ``book``: one row per expert, a bold frozen header,
    columns sized to their contents; the notes below the table. Returns the sheet."""

    def tx(key: str, **args: Any) -> str:
        return t(f"mka-{key}", language, **args)

    ws = book.create_sheet(tx("xlsx-sheet"))
    ws.append([tx(f"xlsx-{c}") for c in _COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for e in analytics.experts:
        ws.append(
            [
                e.name,
                ", ".join(e.groups) or "—",
                e.marks,
                e.judgement_marks,
                _number(e.mean),
                _number(e.group_mean),
                _number(_diff(e.mean, e.group_mean)),
                e.binary_marks,
                _number(e.yes_share),
                _number(e.group_yes_share),
                e.comparisons,
                e.outliers,
                e.changed,
                e.corrected,
            ]
        )
    if not analytics.experts:
        ws.append([tx("xlsx-no-experts")])
    ws.freeze_panes = "A2"
    for column in ws.iter_cols():
        width = max(len("" if c.value is None else str(c.value)) for c in column) + 2
        ws.column_dimensions[column[0].column_letter].width = min(
            max(width, _MIN_WIDTH), _MAX_WIDTH
        )
        if _COLUMNS[column[0].column - 1] in _DECIMALS:
            for c in column[1:]:
                c.number_format = _MEAN_FORMAT
    ws.append([])
    if not analytics.means_shown:
        ws.append([tx("counts-only")])
    ws.append([tx("means-note")])
    ws.append([tx("outlier-rule")])
    ws.append([tx("total", comparisons=analytics.comparisons)])
    if analytics.no_data:
        ws.append([tx("no-data", count=analytics.no_data)])
    return ws


def analytics_workbook(analytics: MarkingAnalytics, language: str = "ru") -> bytes:
    """The chief expert's download: a workbook of the one sheet."""
    book = Workbook()
    if book.active is not None:  # a new workbook has one empty sheet: ours replaces it
        book.remove(book.active)
    add_analytics_sheet(book, analytics, language)
    book.properties.title = t("mka-xlsx-title", language, scheme=analytics.title)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
