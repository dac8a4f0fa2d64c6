"""Bulk invitation lists (CSV or XLSX): read in a bounded child process (issue #13) and their
columns and words mapped onto roles, regions and expert statuses (R-ROLE-1, R-ROLE-2)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import load_workbook

from models.contest_file import ExpertStatus, Role
from models.errors import DomainError
from models.sandbox import FileRefused, XlsxLimits, inspect_xlsx, run_bounded
from models.services.invitations.specs import MAX_BULK_ROWS

#: the size of one bulk file
MAX_BULK_BYTES = 2 * 1024 * 1024


#: words of a bulk file's «роль» column (lower case) → (role, commission role)
ROLE_WORDS: dict[str, tuple[str, str | None]] = {
    "координатор": (Role.COORDINATOR, None),
    "региональный координатор": (Role.COORDINATOR, None),
    "региональный оператор": (Role.COORDINATOR, None),
    "федеральный координатор": (Role.FEDERAL_COORDINATOR, None),
    "федеральный оператор": (Role.FEDERAL_COORDINATOR, None),
    "эксперт": (Role.EXPERT, None),
    "член комиссии": (Role.COMMISSION_MEMBER, "member"),
    "член апелляционной комиссии": (Role.COMMISSION_MEMBER, "member"),
    "председатель комиссии": (Role.COMMISSION_MEMBER, "chair"),
    "председатель апелляционной комиссии": (Role.COMMISSION_MEMBER, "chair"),
    "секретарь комиссии": (Role.COMMISSION_MEMBER, "secretary"),
    "секретарь апелляционной комиссии": (Role.COMMISSION_MEMBER, "secretary"),
    "представитель команды": (Role.TEAM_REPRESENTATIVE, None),
    "представитель": (Role.TEAM_REPRESENTATIVE, None),
    "волонтер": (Role.VOLUNTEER, None),
    "волонтёр": (Role.VOLUNTEER, None),
    "доброволец": (Role.VOLUNTEER, None),
    **{r.value: (r.value, "member" if r is Role.COMMISSION_MEMBER else None) for r in Role},
}
#: words of the «статус» column (R-ROLE-2)
STATUS_WORDS: dict[str, str] = {
    "менеджер компетенции": ExpertStatus.COMPETENCE_MANAGER,
    "эксперт-наставник": ExpertStatus.MENTOR,
    "наставник": ExpertStatus.MENTOR,
    "индустриальный эксперт": ExpertStatus.INDUSTRIAL,
    "индустриальный": ExpertStatus.INDUSTRIAL,
    "эксперт-методист": ExpertStatus.METHODIST,
    "методист": ExpertStatus.METHODIST,
    **{s.value: s.value for s in ExpertStatus},
}
#: bulk file headers (lower case, without spaces) → field
HEADERS = {
    "фио": "name",
    "ф.и.о.": "name",
    "роль": "role",
    "регион": "region",
    "регионы": "region",
    "e-mail": "email",
    "email": "email",
    "эл.почта": "email",
    "электроннаяпочта": "email",
    "статус": "status",
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


#: A list's workbook, judged before openpyxl opens it (issue #13: a 287 KB list that unpacked
#: to 2,000,000 rows froze the bot for 142 s): see :func:`models.sandbox.inspect_xlsx`.
LIST_XLSX_LIMITS = XlsxLimits(
    max_unpacked=24 * 1024 * 1024,
    max_part=16 * 1024 * 1024,
    max_shared_strings=8 * 1024 * 1024,
    max_styles=2 * 1024 * 1024,
    max_rows=10 * MAX_BULK_ROWS,
    max_columns=1024,
)
#: Columns read from a list (ФИО, роль, регион, e-mail, статус and a few of the sender's own).
MAX_BULK_COLUMNS = 50
#: Bounds of reading a list in a child process (models.sandbox.run_bounded).
LIST_SECONDS = 15
LIST_MEMORY_MB = 512


def _trimmed(row: list[str]) -> list[str]:
    while row and not row[-1]:
        row.pop()
    return row


def _limited(rows: Any) -> list[list[str]]:
    """At most the rows :meth:`InvitationService.create_bulk` can judge: the blank rows
    before the header, the header, and one row past :data:`MAX_BULK_ROWS` (so that it says
    «больше 1000 строк») — never every row of a long sheet first."""
    out: list[list[str]] = []
    body = -1  # rows after the header; -1 while the header is not yet found
    for row in rows:
        out.append(row)
        if body < 0:
            if any(row):
                body = 0
            elif len(out) > MAX_BULK_ROWS:  # only blank rows: there is no header
                break
            continue
        body += 1
        if body > MAX_BULK_ROWS:
            break
    return out


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """The rows of a CSV or XLSX file as text cells (the first row is the header), at most
    one past the limit. Pure (run it with :func:`read_table_bounded` in the bot); a
    workbook is checked by :func:`models.sandbox.inspect_xlsx` before openpyxl opens it."""
    if len(data) > MAX_BULK_BYTES:
        raise DomainError("inv_file_too_large")
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            inspect_xlsx(data, LIST_XLSX_LIMITS)
        except FileRefused as exc:
            if exc.code == "file_broken":
                raise DomainError("inv_bad_file") from None
            raise
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # a damaged or foreign file: openpyxl raises many kinds
            raise DomainError("inv_bad_file") from exc
        try:
            sheet = book.worksheets[0]
            rows = sheet.iter_rows(max_col=MAX_BULK_COLUMNS, values_only=True)
            return _limited(_trimmed([_cell(v) for v in row]) for row in rows)
        except Exception as exc:  # a malformed sheet
            raise DomainError("inv_bad_file") from exc
        finally:
            book.close()
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "cp1251"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DomainError("inv_bad_file")
        first = text.splitlines()[0] if text else ""
        delimiter = max(";,\t", key=first.count)
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        return _limited(_trimmed([_cell(v) for v in row[:MAX_BULK_COLUMNS]]) for row in reader)
    raise DomainError("inv_bad_file_type")


async def read_table_bounded(filename: str, data: bytes) -> list[list[str]]:
    """:func:`read_table` in a child process, bounded in time and memory (issue #13): the
    event loop and the bot's memory are untouched by a hostile workbook."""
    if len(data) > MAX_BULK_BYTES:
        raise DomainError("inv_file_too_large")
    if filename.lower().endswith(".xlsx"):  # the ZIP checks (milliseconds) before any child
        try:
            inspect_xlsx(data, LIST_XLSX_LIMITS)
        except FileRefused as exc:
            if exc.code == "file_broken":
                raise DomainError("inv_bad_file") from None
            raise
    return await run_bounded(
        read_table, filename, data, seconds=LIST_SECONDS, memory_mb=LIST_MEMORY_MB
    )


def columns_of(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, title in enumerate(header):
        key = HEADERS.get(re.sub(r"\s+", "", title.lower()))
        if key and key not in columns:
            columns[key] = i
    if "name" not in columns or "role" not in columns:
        raise DomainError("inv_bad_header")
    return columns


def words_of(value: str) -> list[str]:
    return [w.strip() for w in re.split(r"[,;]", value) if w.strip()]
