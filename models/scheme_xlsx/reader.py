"""Opening a workbook safely (size, format, ZIP checks before openpyxl reads a byte) and reading
a scheme from XLSX or YAML, optionally in a bounded child process (issue #13)."""

from __future__ import annotations

import io
import warnings
import zipfile
from typing import Any

from models.definition_file import DefinitionError, DefinitionInvalid
from models.sandbox import FileRefused, inspect_xlsx, run_bounded
from models.scheme_file import SchemeDef, parse_scheme_yaml, validate_scheme
from models.scheme_xlsx.cells import CellError
from models.scheme_xlsx.layout import (
    MAX_XLSX_BYTES,
    MAX_XLSX_UNPACKED_BYTES,
    OLE_MAGIC,
    SCHEME_MEMORY_MB,
    SCHEME_SECONDS,
    SCHEME_XLSX_LIMITS,
    SHEET_GROUPS,
    SHEET_PARAMS,
    SHEET_SCHEME,
    ZIP_MAGIC,
)
from models.scheme_xlsx.places import XLSX_PLACE, XlsxSourceMap, place_order
from models.scheme_xlsx.sheets import Reader, find_sheet, read_groups, read_params, read_scheme


def _open_workbook(raw: bytes) -> Any:
    if len(raw) > MAX_XLSX_BYTES:
        raise DefinitionInvalid(
            [DefinitionError("—", "xlsx_too_large", {"limit": MAX_XLSX_BYTES // (1024 * 1024)})]
        )
    if raw.startswith(OLE_MAGIC):
        raise DefinitionInvalid([DefinitionError("—", "xlsx_old_format")])
    not_workbook = DefinitionInvalid([DefinitionError("—", "xlsx_not_workbook")])
    if not raw.startswith(ZIP_MAGIC):
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
    # imported here, not at the top: openpyxl costs ~0.3 s and ~16 MB to import, and the bot
    # imports this package but reads workbooks only in the sandbox's children (whose fork
    # server preloads openpyxl, models.sandbox.PRELOAD)
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
    r = Reader()
    data: dict[str, Any] = {}
    try:
        names = list(wb.sheetnames)
        params = find_sheet(names, SHEET_PARAMS)
        scheme = find_sheet(names, SHEET_SCHEME)
        groups = find_sheet(names, SHEET_GROUPS)
        missing = [
            DefinitionError("—", "xlsx_missing_sheet", {"code": wanted})
            for wanted, found in ((SHEET_PARAMS, params), (SHEET_SCHEME, scheme))
            if found is None
        ]
        if missing:
            raise DefinitionInvalid(missing)
        assert params is not None and scheme is not None
        for name, read in ((params, read_params), (scheme, read_scheme), (groups, read_groups)):
            if name is None:
                continue
            shown = name.strip() or name  # as the organiser reads it on the tab
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    read(r, wb[name], shown, data)
            except CellError as exc:
                r.fail(shown, None, None, exc.code, limit=exc.value)
    finally:
        wb.close()
    return data, r.sources, r.errors


_UNREADABLE_SHEET = {"xlsx_missing_column", "xlsx_empty_sheet", "xlsx_too_many_rows"}


def _sheet_of(place: str) -> str | None:
    match = XLSX_PLACE.match(place)
    return match.group(1) if match is not None else None


def _row_of(place: str) -> str | None:
    """``xlsx:Схема:17`` of a cell's place ``xlsx:Схема:17:Вид``."""
    match = XLSX_PLACE.match(place)
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
        errors = sorted(read_errors + errors, key=place_order)
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
    return raw.startswith(ZIP_MAGIC) or raw.startswith(OLE_MAGIC)


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
    if is_xlsx(raw, filename) and raw.startswith(ZIP_MAGIC):  # the ZIP checks before any child
        try:
            inspect_xlsx(raw, SCHEME_XLSX_LIMITS)
        except FileRefused as exc:
            if exc.code != "file_broken":  # a broken file: the reader says what it is
                raise DefinitionInvalid([DefinitionError("—", exc.code, dict(exc.args_))]) from None
    return await run_bounded(
        parse_scheme_file, raw, filename, seconds=SCHEME_SECONDS, memory_mb=SCHEME_MEMORY_MB
    )
