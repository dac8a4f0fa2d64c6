"""Problems in a contest file (:class:`models.contest_file.DefinitionError`) as a message.

Each error is a place in the file and a code; the code names a catalogue key
``def-err-<code>`` (``_`` → ``-``) in ``locales/<lang>/contest_file.ftl``. Places stay as
written in the file (they are YAML keys with 1-based list indexes), except the whole file
(«корень файла»), a line of a YAML syntax error («строка 5») and a cell of an XLSX scheme
(«лист «Схема», строка 17, столбец «Макс. балл»»).
"""

from __future__ import annotations

import re
from typing import Any

from models.contest_file import DefinitionError
from notifications.i18n import MissingMessage, has, t

ROOT_PLACE = "—"
FALLBACK_KEY = "def-err-invalid"
_LINE_PLACE = re.compile(r"^line (\d+)$")
# A place in an XLSX workbook (models.scheme_xlsx.xlsx_place): a sheet, a row, a column.
_XLSX_PLACE = re.compile(r"^xlsx:([^:]+)(?::(\d+)(?::(.+))?)?$")
# Every argument a def-err-* message may use; absent ones are empty, so a message never
# fails for want of an argument.
_ARG_NAMES = ("limit", "expected", "code", "line", "count", "total")


def error_key(code: str) -> str:
    """The catalogue key of an error code: ``duplicate_code`` → ``def-err-duplicate-code``."""
    return "def-err-" + code.replace("_", "-")


def render_place(error: DefinitionError, language: str = "ru") -> str:
    if error.place == ROOT_PLACE:
        return t("def-place-root", language)
    match = _LINE_PLACE.match(error.place)
    if match is not None:
        line = int(error.args.get("line") or match.group(1))
        if line <= 0:  # the YAML parser gave no position
            return t("def-place-root", language)
        return t("def-place-line", language, line=line)
    match = _XLSX_PLACE.match(error.place)
    if match is not None:
        sheet, row, column = match.groups()
        if row is None:
            return t("def-place-xlsx-sheet", language, sheet=sheet)
        if column is None:
            return t("def-place-xlsx-row", language, sheet=sheet, row=int(row))
        return t("def-place-xlsx-cell", language, sheet=sheet, row=int(row), column=column)
    return error.place


def render_definition_error(error: DefinitionError, language: str = "ru") -> str:
    """One error as a Russian (or ``language``) sentence naming its place."""
    args: dict[str, Any] = dict.fromkeys(_ARG_NAMES, "")
    args.update({k: v for k, v in error.args.items() if v is not None})
    args["place"] = render_place(error, language)
    key = error_key(error.code)
    if not has(key, language):
        key = FALLBACK_KEY
    try:
        return t(key, language, **args)
    except MissingMessage:
        return t(FALLBACK_KEY, language, place=args["place"])


def render_definition_errors(
    errors: list[DefinitionError],
    language: str = "ru",
    limit: int = 30,
    title_key: str = "def-errors-title",
) -> str:
    """The title and a bulleted line per error; past ``limit`` errors, «…и ещё N.»."""
    lines = [t(title_key, language, count=len(errors))]
    shown = errors[: max(limit, 0)]
    lines += [f"• {render_definition_error(e, language)}" for e in shown]
    if len(errors) > len(shown):
        lines.append(t("def-errors-more", language, count=len(errors) - len(shown)))
    return "\n".join(lines)
