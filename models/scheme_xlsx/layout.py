"""The workbook's layout: sheet, column and parameter names, the headers each field accepts
(normalized), the aspect kinds, and the size limits of a scheme workbook."""

from __future__ import annotations

import re
from typing import Any

from models.rules import AspectKind
from models.sandbox import XlsxLimits

#: The largest workbook accepted, as sent (it is a ZIP file) …
MAX_XLSX_BYTES = 5 * 1024 * 1024
#: … and unpacked (a small ZIP can unpack to gigabytes).
MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024
#: Rows read from a sheet: 200 aspects at most, with headings and notes around them.
MAX_SHEET_ROWS = 2000
MAX_SHEET_COLUMNS = 40
#: Rows looked at: blank formatted rows past the content are skipped, but not forever.
ROWS_SCANNED = 5 * MAX_SHEET_ROWS
#: The ZIP of a scheme workbook, judged before openpyxl opens it (issue #13: a styles or
#: shared-strings bomb inside the size limits froze the bot for 32–82 s).
SCHEME_XLSX_LIMITS = XlsxLimits(
    max_unpacked=MAX_XLSX_UNPACKED_BYTES,
    max_part=32 * 1024 * 1024,
    max_shared_strings=8 * 1024 * 1024,
    max_styles=2 * 1024 * 1024,
    max_rows=5 * ROWS_SCANNED,
    max_columns=1024,
)
#: Bounds of reading a scheme file in a child process (models.sandbox.run_bounded).
SCHEME_SECONDS = 20
SCHEME_MEMORY_MB = 768

SHEET_PARAMS = "Параметры"
SHEET_SCHEME = "Схема"
SHEET_GROUPS = "Группы"
SHEET_HELP = "Инструкция"

COL_VALUE = "Значение"
COL_CRIT = "Критерий"
COL_CRIT_TITLE = "Название критерия"
COL_SUB = "Субкритерий"
COL_SUB_TITLE = "Название субкритерия"
COL_ASPECT = "Аспект"
COL_ASPECT_TITLE = "Название аспекта"
COL_KIND = "Вид"
COL_MAX = "Макс. балл"
COL_OPTIONS = "Дискретная таблица"
COL_GROUP = "Группа"
COL_G_CODE = "Код"
COL_G_NAME = "Название"
COL_G_MEMBER = "Эксперт"
COL_G_LEADER = "Руководитель"

PARAM_NOMINATION = "Номинация"
PARAM_STAGE = "Этап"
PARAM_TITLE = "Название"
PARAM_RANKING = "Места"

ZIP_MAGIC = b"PK"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or a password-protected .xlsx


def norm_label(value: Any) -> str:
    """A header or label as compared: lower case, «ё» → «е», no dots, colons or stars,
    single spaces."""
    text = str(value).lower().replace("ё", "е")
    text = re.sub(r"[.:*_]", " ", text)
    return " ".join(text.split())


# The column headers each field accepts (normalized).
SCHEME_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "crit": (COL_CRIT, ("критерий", "код критерия", "criterion")),
    "crit_title": (
        COL_CRIT_TITLE,
        ("название критерия", "наименование критерия", "criterion title"),
    ),
    "sub": (
        COL_SUB,
        ("субкритерий", "подкритерий", "код субкритерия", "код подкритерия", "subcriterion"),
    ),
    "sub_title": (
        COL_SUB_TITLE,
        (
            "название субкритерия",
            "наименование субкритерия",
            "название подкритерия",
            "subcriterion title",
        ),
    ),
    "aspect": (COL_ASPECT, ("аспект", "код аспекта", "aspect")),
    "aspect_title": (
        COL_ASPECT_TITLE,
        ("название аспекта", "наименование аспекта", "описание аспекта", "aspect title"),
    ),
    "kind": (COL_KIND, ("вид", "вид аспекта", "тип", "тип аспекта", "kind")),
    "max": (
        COL_MAX,
        ("макс балл", "максимальный балл", "макс баллы", "баллы", "балл", "max points"),
    ),
    "options": (
        COL_OPTIONS,
        ("дискретная таблица", "таблица", "таблица баллов", "варианты", "options"),
    ),
    "group": (COL_GROUP, ("группа", "группа оценки", "код группы", "group")),
}
SCHEME_OPTIONAL = {"options", "group"}

GROUP_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": (COL_G_CODE, ("код", "код группы", "группа", "code")),
    "name": (COL_G_NAME, ("название", "название группы", "наименование", "name")),
    "leader": (COL_G_LEADER, ("руководитель", "руководитель группы", "leader")),
}
MEMBER_PREFIXES = ("эксперт", "член группы", "expert", "member")

PARAMS: dict[str, tuple[str, str]] = {}
for _key, _label, _aliases in (
    ("nomination", PARAM_NOMINATION, ("номинация", "компетенция", "nomination")),
    ("stage", PARAM_STAGE, ("этап", "stage")),
    ("title", PARAM_TITLE, ("название", "название схемы", "title")),
    ("ranking", PARAM_RANKING, ("места", "распределение мест", "ранжирование", "ranking")),
):
    for _alias in _aliases:
        PARAMS[_alias] = (_key, _label)
PARAM_HEADERS = {"параметр", "параметры", "показатель", "parameter"}

RANKINGS = {
    "overall": "overall",
    "общий": "overall",
    "общее": "overall",
    "общие": "overall",
    "общий зачет": "overall",
    "by region": "by_region",
    "по регионам": "by_region",
    "по региону": "by_region",
    "в каждом регионе": "by_region",
}
RANKING_LABELS = {"overall": "общий", "by_region": "по регионам"}

KINDS = {
    "judgement": AspectKind.JUDGEMENT,
    "judgment": AspectKind.JUDGEMENT,
    "binary": AspectKind.BINARY,
    "discrete": AspectKind.DISCRETE,
}
KIND_STEMS = (
    ("судей", AspectKind.JUDGEMENT),
    ("бинар", AspectKind.BINARY),
    ("дискрет", AspectKind.DISCRETE),
)
KIND_LABELS = {
    AspectKind.JUDGEMENT: "судейская",
    AspectKind.BINARY: "бинарная",
    AspectKind.DISCRETE: "дискретная",
}
