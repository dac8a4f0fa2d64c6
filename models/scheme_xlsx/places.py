"""Places in a workbook («лист «Схема», строка 17, столбец «Макс. балл»») and the source map that
places the validator's errors back into the sheet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from models.definition_file import DefinitionError
from models.scheme_xlsx.layout import norm_label


def xlsx_place(sheet: str, row: int | None = None, column: str | None = None) -> str:
    """The place of an error in a workbook: a sheet, a row of it, or a cell (by header)."""
    place = f"xlsx:{sheet}"
    if row is not None:
        place += f":{row}"
        if column:
            place += f":{column}"
    return place


_SHEET_ORDER = {"параметры": 0, "схема": 1, "группы": 2}
XLSX_PLACE = re.compile(r"^xlsx:([^:]+)(?::(\d+))?")


def place_order(error: DefinitionError) -> tuple[int, int]:
    match = XLSX_PLACE.match(error.place)
    if match is None:
        return (-1, 0)
    return (_SHEET_ORDER.get(norm_label(match.group(1)), 3), int(match.group(2) or 0))


@dataclass
class Source:
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
        self._entries: dict[str, Source] = {}

    def add(self, place: str, src: Source) -> None:
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
        return sorted(located, key=place_order)
