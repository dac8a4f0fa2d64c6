"""Heavy file work off the event loop, with limits before work (issue #13, item 4).

A workbook, a YAML contest file or a scheme sent in the chat is parsed by a pure function
(``models.scheme_xlsx.parse_scheme_file``, ``models.services.invitations.read_table``,
``models.contest_file.parse_contest_definition``). Those stay importable and testable in
the process; the bot calls them through :func:`run_bounded`, which runs the function in a
child process (``multiprocessing`` *forkserver*, so the bot's threads and sockets are not
copied) with an address-space limit (``RLIMIT_AS``) and a wall-clock bound. A child that
overruns either is killed and the person is told why («файл слишком сложный», «проверка
заняла больше 20 с») — the bot's own memory and event loop are never touched by the parse.

Before a workbook reaches openpyxl, :func:`inspect_xlsx` looks at the ZIP without
extracting it: how many parts, their total unpacked size and compression ratio, the size
of the shared-strings, styles and sheet parts, and each sheet's declared dimension
(``<dimension ref="A1:XFD1048576"/>``). The sizes in the ZIP directory are binding: Python's
``zipfile`` (used by openpyxl) stops at the declared size and fails the CRC check when a
part holds more, so a part can never unpack past what was checked here.

A download is bounded too: :class:`BoundedBuffer` refuses past its limit while the file is
still arriving, whatever size the update claimed.
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
import os
import re
import resource
import threading
import time
import weakref
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

from models.errors import DomainError

log = logging.getLogger(__name__)

T = TypeVar("T")

MB = 1024 * 1024
#: Children parsing files at once (the machine has few cores; more uploads wait their turn).
MAX_CHILDREN = 2
#: The parse runs at a lower CPU priority than the bot (``nice``): on a busy machine the
#: bot's replies come first.
CHILD_NICENESS = 10
#: Modules the fork server imports once, so each child starts in milliseconds.
PRELOAD = ["models.scheme_xlsx", "models.services.invitations", "models.contest_file", "openpyxl"]


class FileRefused(DomainError):
    """A sent file refused before or during its check; ``code`` names the limit (catalogue
    key ``err-file-…``, and ``def-err-file-…`` when reported as a definition error)."""


# ----------------------------------------------------------------------------- download


class BoundedBuffer(io.BytesIO):
    """A download destination that refuses once more than ``limit`` bytes arrive (the size
    Telegram reports for a document is a claim; this is what actually came)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.limit:
            raise FileRefused("file_download_too_large", limit=_mb_int(self.limit))
        return super().write(data)


# ----------------------------------------------------------------------------- the ZIP


@dataclass(frozen=True, slots=True)
class XlsxLimits:
    """What a workbook may be, judged from its ZIP directory and its sheets' first bytes."""

    max_unpacked: int  # all parts together, unpacked
    max_part: int  # any one part
    max_shared_strings: int
    max_styles: int
    max_rows: int  # declared in a sheet's <dimension>
    max_columns: int
    max_members: int = 200
    max_ratio: int = 100  # unpacked / packed, for a part of more than RATIO_FLOOR bytes


#: Small parts may compress very well (a sheet of empty formatted cells); only big ones count.
RATIO_FLOOR = 1 * MB
#: How much of a sheet is read to find its <dimension> (it comes before the rows).
_DIMENSION_WINDOW = 64 * 1024
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?\""
)


def _mb(size: int) -> str:
    """A size in megabytes as a person reads it: «12,5»."""
    return f"{size / MB:.1f}".replace(".", ",")


def _mb_int(size: int) -> int:
    return max(1, size // MB)


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _part_label(name: str) -> str:
    lower = name.lower()
    if lower.endswith("sharedstrings.xml"):
        return "общие строки (sharedStrings.xml)"
    if lower.endswith("styles.xml"):
        return "стили (styles.xml)"
    return name


def _is_sheet(name: str) -> bool:
    lower = name.lower()
    return "worksheets/" in lower and lower.endswith(".xml")


def inspect_xlsx(raw: bytes, limits: XlsxLimits) -> None:
    """Refuse a workbook whose ZIP is beyond ``limits``, without unpacking it (only the
    first 64 KB of each sheet, to read its declared dimension). Raises :class:`FileRefused`:
    ``file_broken`` (not a ZIP), ``file_too_many_parts``, ``file_unpacked_too_large``,
    ``file_part_too_large``, ``file_ratio_too_high``, ``file_sheet_too_large`` — each with
    the limit it broke, to be named to the person."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileRefused("file_broken") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_members:
            raise FileRefused("file_too_many_parts", count=len(infos), limit=limits.max_members)
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limits.max_unpacked:
            raise FileRefused(
                "file_unpacked_too_large", size=_mb(unpacked), limit=_mb_int(limits.max_unpacked)
            )
        for info in infos:
            lower = info.filename.lower()
            limit = limits.max_part
            if lower.endswith("sharedstrings.xml"):
                limit = limits.max_shared_strings
            elif lower.endswith("styles.xml"):
                limit = limits.max_styles
            if info.file_size > limit:
                raise FileRefused(
                    "file_part_too_large",
                    part=_part_label(info.filename),
                    size=_mb(info.file_size),
                    limit=_mb_int(limit),
                )
            if info.file_size > RATIO_FLOOR:
                ratio = info.file_size // max(info.compress_size, 1)
                if ratio > limits.max_ratio:
                    raise FileRefused(
                        "file_ratio_too_high",
                        part=_part_label(info.filename),
                        ratio=ratio,
                        limit=limits.max_ratio,
                    )
        for info in infos:
            if not _is_sheet(info.filename):
                continue
            try:
                with archive.open(info) as part:
                    head = part.read(_DIMENSION_WINDOW)
            except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError):
                raise FileRefused("file_broken") from None
            match = _DIMENSION.search(head)
            if match is None:
                continue
            first_col, first_row, last_col, last_row = match.groups()
            rows = int(last_row or first_row)
            columns = _column_number((last_col or first_col).decode())
            if rows > limits.max_rows or columns > limits.max_columns:
                ref = match.group(0).split(b'"')[1].decode()
                raise FileRefused(
                    "file_sheet_too_large",
                    range=ref,
                    rows=rows,
                    columns=columns,
                    limit_rows=limits.max_rows,
                    limit_columns=limits.max_columns,
                )


# ----------------------------------------------------------------------------- the child


def _pack_error(exc: BaseException) -> tuple[type[BaseException], tuple[Any, ...], dict[str, Any]]:
    # DomainError(code, **args) and DefinitionInvalid(errors) do not survive plain pickling
    # (their constructors differ from their ``args``): carry the class and the attributes.
    return type(exc), exc.args, dict(getattr(exc, "__dict__", {}))


def _unpack_error(
    packed: tuple[type[BaseException], tuple[Any, ...], dict[str, Any]],
) -> BaseException:
    cls, args, attrs = packed
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(attrs)
    return exc


def _child(
    conn: Any, func: Callable[..., Any], args: tuple[Any, ...], memory_mb: int, seconds: float
) -> None:
    """In the child: bound memory and CPU, run, send ("ok", result) or ("error", packed)."""
    try:
        limit = memory_mb * MB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        cpu = int(seconds) + 2  # a backstop: the parent kills at ``seconds`` of wall time
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    except (ValueError, OSError):  # pragma: no cover - a platform without these limits
        pass
    try:
        os.nice(CHILD_NICENESS)  # the bot's own replies come first when CPU is short
    except OSError:  # pragma: no cover
        pass
    try:
        payload: tuple[Any, ...] = ("ok", func(*args))
    except MemoryError:
        payload = ("memory",)
    except BaseException as exc:  # everything goes back to the parent
        payload = ("error", _pack_error(exc))
    try:
        conn.send(payload)
    except MemoryError:
        conn.send(("memory",))
    except Exception as exc:  # an answer that does not pickle
        conn.send(("error", _pack_error(RuntimeError(f"unpicklable result: {exc!r}"))))
    finally:
        conn.close()


_CONTEXT: Any = None
_CONTEXT_LOCK = threading.Lock()


def _context() -> Any:
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None:
            ctx: BaseContext
            try:
                forkserver = multiprocessing.get_context("forkserver")
                forkserver.set_forkserver_preload(PRELOAD)
                ctx = forkserver
            except ValueError:  # pragma: no cover - no fork server on this platform
                ctx = multiprocessing.get_context("spawn")
            _CONTEXT = ctx
        return _CONTEXT


def call_bounded(func: Callable[..., T], *args: Any, seconds: float, memory_mb: int) -> T:
    """Run ``func(*args)`` in a child process bounded to ``seconds`` of wall time and
    ``memory_mb`` of address space; blocking (the CLI, or a thread of :func:`run_bounded`).
    Returns its result or raises its exception; an overrun raises :class:`FileRefused`
    ``file_too_slow`` (seconds) or ``file_too_complex`` (memory)."""
    ctx = _context()
    reader, writer = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(writer, func, args, memory_mb, seconds), daemon=True)
    started = time.monotonic()
    proc.start()
    writer.close()
    try:
        if reader.poll(seconds):
            try:
                payload = reader.recv()
            except (EOFError, OSError):  # died without an answer: the memory limit, or a crash
                payload = ("died",)
        else:
            payload = ("timeout",)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        reader.close()
    elapsed = time.monotonic() - started
    kind = payload[0]
    if kind == "ok":
        return payload[1]  # type: ignore[no-any-return]
    if kind == "error":
        raise _unpack_error(payload[1])
    log.warning(
        "bounded %s stopped: %s after %.1f s (exit code %s)",
        getattr(func, "__name__", func),
        kind,
        elapsed,
        proc.exitcode,
    )
    if kind == "timeout":
        raise FileRefused("file_too_slow", seconds=int(seconds))
    raise FileRefused("file_too_complex", memory=memory_mb)


_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _slots() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slots = _SLOTS.get(loop)
    if slots is None:
        slots = _SLOTS[loop] = asyncio.Semaphore(MAX_CHILDREN)
    return slots


async def run_bounded(
    func: Callable[..., T], *args: Any, seconds: float = 20, memory_mb: int = 512
) -> T:
    """:func:`call_bounded` without blocking the event loop: at most :data:`MAX_CHILDREN`
    children at once, the others wait (asynchronously) for a free slot."""
    async with _slots():
        return await asyncio.to_thread(
            call_bounded, func, *args, seconds=seconds, memory_mb=memory_mb
        )


def warm_up() -> None:
    """Start the fork server now (it imports :data:`PRELOAD` once), not on the first upload."""
    call_bounded(_noop, seconds=30, memory_mb=1024)


def _noop() -> None:
    return None
