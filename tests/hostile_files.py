"""Hostile workbooks for issue #13 item 4 (tests/bot/test_heavy_files.py and
bench/hostile_file_bench.py): built by rewriting parts of a real openpyxl workbook, the big
parts streamed through zlib so that building them costs no memory."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator

from openpyxl import Workbook

Part = bytes | Callable[[], Iterator[bytes]]

LIST_HEADER = ["ФИО", "роль", "регион", "e-mail", "статус"]


def workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rebuild(base: bytes, parts: dict[str, Part], level: int = 9) -> bytes:
    """``base`` with the named parts replaced (or added); a callable part is streamed."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst,
    ):
        names = [i.filename for i in src.infolist()]
        for name in names + [n for n in parts if n not in names]:
            part = parts.get(name)
            if part is None:
                dst.writestr(name, src.read(name))
            elif isinstance(part, bytes):
                dst.writestr(name, part)
            else:
                with dst.open(name, "w", force_zip64=True) as sink:
                    for chunk in part():
                        sink.write(chunk)
    return out.getvalue()


_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _sheet(rows: Iterator[bytes], dimension: bytes | None = None) -> Iterator[bytes]:
    yield _SHEET_HEAD
    if dimension is not None:
        yield b'<dimension ref="' + dimension + b'"/>'
    yield b"<sheetData>"
    yield from rows
    yield b"</sheetData></worksheet>"


def _header_row() -> bytes:
    cells = b"".join(
        b'<c t="inlineStr"><is><t>' + h.encode() + b"</t></is></c>" for h in LIST_HEADER
    )
    return b"<row>" + cells + b"</row>"


def million_rows(rows: int = 2_000_000) -> bytes:
    """A staff list that zips to ~100 KB and unpacks to ``rows`` rows (issue #13: 287 KB,
    2,000,000 rows, 142 s and 618 MB on the event loop before the «больше 1000 строк»)."""
    row = (
        '<row><c t="inlineStr"><is><t>Иванов Иван Иванович</t></is></c>'
        '<c t="inlineStr"><is><t>эксперт</t></is></c></row>'
    ).encode()

    def gen() -> Iterator[bytes]:
        batch = row * 10_000
        yield from _sheet(iter([_header_row()] + [batch] * (rows // 10_000)))

    return rebuild(workbook([LIST_HEADER]), {"xl/worksheets/sheet1.xml": gen})


def shared_strings_bomb(megabytes: int = 12) -> bytes:
    """A sharedStrings part of ``megabytes`` of distinct strings (openpyxl loads them all)."""

    def gen() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        size, i = 0, 0
        while size < megabytes * 1024 * 1024:
            chunk = b"".join(b"<si><t>s%d</t></si>" % n for n in range(i, i + 10_000))
            i += 10_000
            size += len(chunk)
            yield chunk
        yield b"</sst>"

    base = workbook([LIST_HEADER, ["Иванов Иван Иванович", "эксперт", "77", "", ""]])
    return rebuild(base, {"xl/sharedStrings.xml": gen})


def styles_bomb(megabytes: int = 4) -> bytes:
    """A styles part of ``megabytes`` of cell formats (openpyxl builds an object for each)."""

    def gen() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        yield b'<fonts count="1"><font><sz val="11"/></font></fonts>'
        yield b'<fills count="1"><fill><patternFill/></fill></fills>'
        yield b'<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs>'
        xf = (
            b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
            b'<alignment wrapText="1"/></xf>'
        )
        for _ in range(megabytes * 1024 * 1024 // (len(xf) * 1000) + 1):
            yield xf * 1000
        yield b"</cellXfs></styleSheet>"

    return rebuild(
        workbook([LIST_HEADER, ["Иванов Иван Иванович", "эксперт", "77", "", ""]]),
        {"xl/styles.xml": gen},
    )


def ratio_bomb(megabytes: int = 8) -> bytes:
    """A sheet of ``megabytes`` that compresses about a thousand times (blank padding)."""

    def gen() -> Iterator[bytes]:
        pad = b" " * (1024 * 1024)
        yield from _sheet(iter([_header_row()] + [pad] * megabytes))

    return rebuild(workbook([LIST_HEADER]), {"xl/worksheets/sheet1.xml": gen})


def huge_dimension() -> bytes:
    """A tiny sheet that declares itself A1:XFD1048576."""
    rows = [
        _header_row(),
        '<row><c t="inlineStr"><is><t>Иванов Иван Иванович</t></is></c></row>'.encode(),
    ]
    return rebuild(
        workbook([LIST_HEADER]),
        {"xl/worksheets/sheet1.xml": b"".join(_sheet(iter(rows), b"A1:XFD1048576"))},
    )


def within_limits_bomb(target_bytes: int = 2 * 1024 * 1024) -> bytes:
    """About ``target_bytes`` (2 MB: the list limit) that passes every ZIP check but makes
    openpyxl work: ~7.5 MB of distinct shared strings and ~1 MB of cell formats."""

    def strings() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        yield b"<si><t>\xd0\xa4\xd0\x98\xd0\x9e</t></si><si><t>\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c</t></si>"
        size, i = 0, 0
        while size < 7_500_000:
            chunk = b"".join(
                b"<si><t>%x-%d</t></si>" % (n * 2654435761 % 2**32, n) for n in range(i, i + 10_000)
            )
            i += 10_000
            size += len(chunk)
            yield chunk
        yield b"</sst>"

    def styles() -> Iterator[bytes]:
        yield b'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        yield b'<fonts count="1"><font><sz val="11"/></font></fonts>'
        yield b'<fills count="1"><fill><patternFill/></fill></fills>'
        yield b'<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs>'
        size = 0
        n = 0
        while size < 1_000_000:  # under the ratio floor (1 MB): only its size is judged
            chunk = b"".join(
                b'<xf numFmtId="%d" fontId="0" fillId="0" borderId="0" xfId="0"/>' % (k % 50)
                for k in range(n, n + 1000)
            )
            n += 1000
            size += len(chunk)
            yield chunk
        yield b"</cellXfs></styleSheet>"

    def sheet() -> Iterator[bytes]:
        rows = [b'<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>']
        rows += [
            b'<row><c t="s" s="%d"><v>%d</v></c></row>' % (k % 40000, k + 2) for k in range(900)
        ]
        yield from _sheet(iter(rows))

    raw = rebuild(
        workbook([["ФИО", "роль"]]),
        {
            "xl/sharedStrings.xml": strings,
            "xl/styles.xml": styles,
            "xl/worksheets/sheet1.xml": sheet,
        },
        level=9,
    )
    return raw


# ----------------------------------------------------------------------------- run in a child
# (models.sandbox imports these by name in the child: this module stays light)


def hog_memory() -> int:
    blocks = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB
    return len(blocks)


def spin() -> None:
    while True:
        pass


def slow_read_table(filename: str, data: bytes, seconds: float) -> list[list[str]]:
    import time

    from models.services.invitations import read_table

    time.sleep(seconds)
    return read_table(filename, data)


def refuse() -> None:
    from models.contest_file import DefinitionInvalid

    raise DefinitionInvalid([])


def measured_read_table(filename: str, data: bytes) -> dict[str, object]:
    """read_table in the child, with what it cost there (bench/hostile_file_bench.py)."""
    import resource
    import time

    from models.services.invitations import read_table

    started = time.monotonic()
    try:
        outcome = f"{len(read_table(filename, data))} rows"
    except Exception as exc:  # the outcome is reported, whatever it is
        outcome = getattr(exc, "code", type(exc).__name__)
    return {
        "seconds": time.monotonic() - started,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "outcome": outcome,
    }
