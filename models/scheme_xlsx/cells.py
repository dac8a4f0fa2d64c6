"""Cell values: text, numbers (Excel floats made exact decimals), Telegram ids, aspect kinds and
discrete tables, each refused with an error code naming what was wrong."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from models.scheme_xlsx.layout import KIND_STEMS, KINDS, norm_label


class CellError(Exception):
    def __init__(self, code: str, value: Any = "") -> None:
        super().__init__(code)
        self.code = code
        self.value = value


def shown_value(value: Any) -> str:
    """A cell's value as the organiser sees it (for messages)."""
    if isinstance(value, float):
        return _number_text(_decimal_of_float(value))
    if isinstance(value, datetime):
        return (
            value.strftime("%d.%m.%Y %H:%M")
            if value.time() != time(0)
            else value.strftime("%d.%m.%Y")
        )
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    text = str(value).strip()
    return text if len(text) <= 60 else text[:59] + "…"


def _decimal_of_float(value: float) -> Decimal:
    # repr is the shortest text that reads back as the same float: 1.1 → "1.1", not the
    # binary 1.100000000000000088…
    return Decimal(repr(value))


def canonical_decimal(value: Decimal) -> Decimal:
    """2.0 → 2 and 1.50 → 1.5, so a scheme from XLSX hashes like the same from YAML."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


def _number_text(value: Decimal) -> str:
    return f"{canonical_decimal(value):f}".replace(".", ",")


def cell_text(value: Any) -> str | None:
    """A text cell (code or title); a number typed into it is taken as its text."""
    if value is None:
        return None
    if isinstance(value, datetime | date | time):
        raise CellError("xlsx_date_cell", shown_value(value))
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{canonical_decimal(_decimal_of_float(value)):f}"
    text = str(value).strip()
    return text or None


def cell_number(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, datetime | date | time):
        raise CellError("xlsx_bad_number", shown_value(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = _decimal_of_float(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError("xlsx_bad_number", shown_value(value)) from None
    if not number.is_finite():
        raise CellError("xlsx_bad_number", shown_value(value))
    return canonical_decimal(number)


def cell_telegram_id(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("xlsx_bad_telegram_id", shown_value(value))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if not text.isdigit() or not text.isascii():
        raise CellError("xlsx_bad_telegram_id", shown_value(value))
    return int(text)


def cell_kind(value: Any) -> str | None:
    text = cell_text(value)
    if text is None:
        return None
    norm = norm_label(text)
    if norm in KINDS:
        return KINDS[norm].value
    found = {kind for stem, kind in KIND_STEMS if stem in norm}
    if len(found) == 1:
        return found.pop().value
    raise CellError("xlsx_bad_kind", shown_value(value))


def cell_options(value: Any) -> list[dict[str, Any]] | None:
    """«0: не выполнено; 0,5: частично; 1: полностью» → options; items are separated by
    new lines when the cell has several lines, by «;» otherwise."""
    text = cell_text(value)
    if text is None:
        return None
    items = text.splitlines() if "\n" in text else text.split(";")
    out = []
    for item in items:
        item = item.strip().rstrip(";").strip()
        if not item:
            continue
        points, sep, label = item.partition(":")
        if not sep or not label.strip():
            raise CellError("xlsx_bad_options", item)
        try:
            number = cell_number(points)
        except CellError:
            raise CellError("xlsx_bad_options", item) from None
        if number is None:
            raise CellError("xlsx_bad_options", item)
        out.append({"label": label.strip(), "points": number})
    if not out:
        raise CellError("xlsx_bad_options", text)
    return out


def format_options(options: list[Any]) -> str:
    """The discrete table of an aspect as written in the «Дискретная таблица» column."""
    parts = [f"{_number_text(Decimal(o.points))}: {o.label}" for o in options]
    separator = "\n" if any(";" in o.label for o in options) else "; "
    return separator.join(parts)
