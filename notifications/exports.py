"""Exports rendered for people: the coordinator's progress workbook (R-COO-2), with
Russian headers from the catalogue."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from models.services.monitoring import ProgressReport, VerificationCounts
from notifications.i18n import t

_DATE_FORMAT = "DD.MM.YYYY HH:MM"
_MIN_WIDTH, _MAX_WIDTH = 8, 60


def progress_workbook(report: ProgressReport, language: str = "ru") -> bytes:
    """The report as an XLSX workbook: «Верификация», «Заявки», «Оценивание», «Подписи»;
    each sheet has a bold, frozen header row and columns sized to their contents. Texts come
    from the message catalogue (``progress-xlsx-*``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    def tx(key: str, **args: Any) -> str:
        return t(f"progress-xlsx-{key}", language, **args)

    zone = ZoneInfo(report.timezone)

    def local(value: datetime | None) -> datetime | None:
        # Excel has no time zones: the contest's local time, as the bot shows it
        return None if value is None else value.astimezone(zone).replace(tzinfo=None)

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list[Any]], total: list[Any] | None = None, empty: str | None = None) -> Any:
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
            ws.column_dimensions[column[0].column_letter].width = min(max(width, _MIN_WIDTH), _MAX_WIDTH)
            for c in column:
                if isinstance(c.value, datetime):
                    c.number_format = _DATE_FORMAT
        return ws

    def waiting_days(at: datetime | None) -> int | None:
        return None if at is None else max((report.generated_at - at).days, 0)

    def verification_row(name: str, v: VerificationCounts, no_application: int) -> list[Any]:
        return [
            name, v.draft, v.pending, local(v.oldest_pending_at), waiting_days(v.oldest_pending_at),
            v.accepted, no_application, v.rejected, v.withdrawn, v.total,
        ]

    v = report.verification
    ws = sheet(
        tx("sheet-verification"),
        [tx(k) for k in ("region", "draft", "pending", "oldest", "waiting", "accepted", "no-application", "rejected", "withdrawn", "total")],
        [verification_row(r.name or tx("no-region"), r.verification, r.no_application) for r in report.regions],
        verification_row(tx("total-row"), v, sum(r.no_application for r in report.regions)),
    )
    ws.append([])
    at = local(report.generated_at)
    ws.append([tx("generated", at=f"{at:%d.%m.%Y %H:%M}", tz=report.timezone)])
    ws.append([tx("scope-all") if report.scope is None else tx("scope", regions=", ".join(r.name or "" for r in report.regions))])

    sheet(
        tx("sheet-applications"),
        [tx("region"), tx("nomination"), tx("drafts"), tx("submitted"), tx("total")],
        [[a.region_name, a.nomination_title, a.drafts, a.submitted, a.drafts + a.submitted] for a in report.applications],
        [tx("total-row"), "", report.drafts, report.submitted, report.drafts + report.submitted],
        empty=tx("applications-none"),
    )
    sheet(
        tx("sheet-scoring"),
        [tx("region"), tx("nomination"), tx("to-score"), tx("scored"), tx("percent")],
        [[r.region_name, r.nomination_title, r.to_score, r.scored, r.percent] for r in report.scoring],
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


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return "00.00.0000 00:00"
    return str(value)
