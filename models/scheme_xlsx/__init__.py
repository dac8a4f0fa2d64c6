"""The marking scheme (схема оценки, R-SCH-1/2/4) as an Excel workbook (XLSX).

Organisers keep schemes in Excel; this module reads such a workbook into the same plain
data :func:`models.scheme_file.validate_scheme` takes, so the rules and the Russian error
texts are those of the YAML file, and every error names the sheet, row and column it came
from («лист «Схема», строка 17, столбец «Макс. балл»»). :func:`scheme_to_xlsx` writes the
same layout: it is the template organisers fill in, and the round-trip check.

Layout of the workbook (sheet and column names are matched without regard to case, «ё»,
dots and extra spaces; other sheets and columns are ignored):

Лист «Параметры» — название параметра в первом столбце, значение во втором:

    Номинация | best_social_worker      код номинации (компетенции) из файла конкурса
    Этап      | regional                код этапа из файла конкурса
    Название  | Лучший социальный …     необязательно
    Места     | по регионам             «общий» (overall) или «по регионам» (by_region)

Лист «Схема» — строка заголовков, затем по строке на аспект:

    Критерий | Название критерия | Субкритерий | Название субкритерия | Аспект |
    Название аспекта | Вид | Макс. балл | Дискретная таблица | Группа

- «Критерий», «Субкритерий», «Аспект» — коды (например 1, 1.1, 1.1.1). Столбцы кодов
  лучше сделать текстовыми: иначе Excel превратит «1.10» в 1,1, а «1.1.1» в дату.
- Название критерия и субкритерия достаточно указать один раз — в первой строке с этим
  кодом; в следующих строках ячейки можно оставить пустыми (а пустой код критерия или
  субкритерия означает «тот же, что выше»). Строка без аспекта (только код и название
  критерия или субкритерия) — заголовок, она задаёт название для строк ниже.
- «Вид»: судейская, бинарная или дискретная (или judgement / binary / discrete).
- «Макс. балл»: число не больше 2, дробная часть через запятую или точку (1,5).
- «Дискретная таблица» — только для дискретных аспектов: варианты «балл: описание»
  через точку с запятой (или каждый с новой строки в ячейке), например
  «0: не выполнено; 0,5: частично; 1: полностью».
- «Группа» — код группы оценки, которая оценивает субкритерий этой строки; как и
  название, достаточно указать один раз для субкритерия.

Лист «Группы» (необязательный) — строка заголовков, затем по строке на группу:

    Код | Название | Эксперт 1 | Эксперт 2 | Эксперт 3 | Эксперт 4 | Руководитель

Эксперты и руководитель — Telegram ID (числа).

Errors are :class:`models.definition_file.DefinitionError` values whose place is
``xlsx:<sheet>[:<row>[:<column>]]`` (a sheet name cannot contain «:»);
``notifications.definition_errors.render_place`` renders it in Russian.
"""

from __future__ import annotations

from models.scheme_xlsx.cells import format_options
from models.scheme_xlsx.layout import (
    COL_ASPECT,
    COL_ASPECT_TITLE,
    COL_CRIT,
    COL_CRIT_TITLE,
    COL_G_CODE,
    COL_G_LEADER,
    COL_G_MEMBER,
    COL_G_NAME,
    COL_GROUP,
    COL_KIND,
    COL_MAX,
    COL_OPTIONS,
    COL_SUB,
    COL_SUB_TITLE,
    COL_VALUE,
    KIND_LABELS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_XLSX_BYTES,
    MAX_XLSX_UNPACKED_BYTES,
    PARAM_NOMINATION,
    PARAM_RANKING,
    PARAM_STAGE,
    PARAM_TITLE,
    SCHEME_MEMORY_MB,
    SCHEME_SECONDS,
    SCHEME_XLSX_LIMITS,
    SHEET_GROUPS,
    SHEET_HELP,
    SHEET_PARAMS,
    SHEET_SCHEME,
)
from models.scheme_xlsx.places import XlsxSourceMap, xlsx_place
from models.scheme_xlsx.reader import (
    is_xlsx,
    parse_scheme_file,
    parse_scheme_file_bounded,
    parse_scheme_xlsx,
    read_scheme_xlsx,
    scheme_xlsx_data,
)
from models.scheme_xlsx.writer import scheme_to_xlsx

__all__ = [
    "COL_ASPECT",
    "COL_ASPECT_TITLE",
    "COL_CRIT",
    "COL_CRIT_TITLE",
    "COL_GROUP",
    "COL_G_CODE",
    "COL_G_LEADER",
    "COL_G_MEMBER",
    "COL_G_NAME",
    "COL_KIND",
    "COL_MAX",
    "COL_OPTIONS",
    "COL_SUB",
    "COL_SUB_TITLE",
    "COL_VALUE",
    "KIND_LABELS",
    "MAX_SHEET_COLUMNS",
    "MAX_SHEET_ROWS",
    "MAX_XLSX_BYTES",
    "MAX_XLSX_UNPACKED_BYTES",
    "PARAM_NOMINATION",
    "PARAM_RANKING",
    "PARAM_STAGE",
    "PARAM_TITLE",
    "SCHEME_MEMORY_MB",
    "SCHEME_SECONDS",
    "SCHEME_XLSX_LIMITS",
    "SHEET_GROUPS",
    "SHEET_HELP",
    "SHEET_PARAMS",
    "SHEET_SCHEME",
    "XlsxSourceMap",
    "format_options",
    "is_xlsx",
    "parse_scheme_file",
    "parse_scheme_file_bounded",
    "parse_scheme_xlsx",
    "read_scheme_xlsx",
    "scheme_to_xlsx",
    "scheme_xlsx_data",
    "xlsx_place",
]
