"""Heavy work off the event loop, with limits before work (issue #13, item 4).

Hostile workbooks (tests/hostile_files.py) are refused before openpyxl opens them, by a
Russian message naming the limit; what passes the checks is parsed in a child process
bounded in time and memory (models/sandbox.py), so the bot's memory does not grow and
another person's command is answered while the check runs. The person sees «Проверяю
файл…» and then the result in its place.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiogram.methods import EditMessageText, SendMessage

from bot.texts import error_text
from models.contest_file import DefinitionInvalid
from models.sandbox import BoundedBuffer, FileRefused, call_bounded, inspect_xlsx, run_bounded
from models.scheme_xlsx import SCHEME_XLSX_LIMITS, parse_scheme_file
from models.services.invitations.lists import LIST_XLSX_LIMITS, MAX_BULK_ROWS, _limited, read_table
from notifications.definition_errors import render_definition_error
from tests import hostile_files as hostile
from tests.builders import World
from tests.conftest import ADMIN_ID, COORD_MOSCOW
from tests.fakes import document

ROOT = Path(__file__).resolve().parents[2]
CHIEF = 100006
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ----------------------------------------------------------------------------- helpers


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@contextmanager
def peak_rss_growth() -> Iterator[list[int]]:
    """The growth of this process's resident memory (KB) while the block runs, sampled
    every 5 ms: ``[growth]`` after the block."""
    base = _rss_kb()
    peak = [base]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_kb())
            time.sleep(0.005)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out = [0]
    try:
        yield out
    finally:
        stop.set()
        thread.join()
        out[0] = max(peak[0], _rss_kb()) - base


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {
        "million_rows": hostile.million_rows(),
        "shared_strings": hostile.shared_strings_bomb(),
        "styles": hostile.styles_bomb(),
        "ratio": hostile.ratio_bomb(),
        "dimension": hostile.huge_dimension(),
    }


# what each bomb breaks, and the words of the limit in the refusal (list limits)
EXPECTED = {
    "million_rows": ("file_unpacked_too_large", "не больше 24 МБ"),
    "shared_strings": ("file_part_too_large", "общие строки (sharedStrings.xml)"),
    "styles": ("file_part_too_large", "стили (styles.xml)"),
    "ratio": ("file_ratio_too_high", "не больше чем в 100 раз"),
    "dimension": ("file_sheet_too_large", "A1:XFD1048576"),
}


# ----------------------------------------------------------------------------- the checks, in-process


@pytest.mark.parametrize("name", list(EXPECTED))
def test_a_hostile_list_is_refused_before_openpyxl_naming_the_limit(
    bombs: dict[str, bytes], name: str
) -> None:
    code, words = EXPECTED[name]
    started = time.monotonic()
    with peak_rss_growth() as growth, pytest.raises(FileRefused) as err:
        read_table("Сотрудники.xlsx", bombs[name])
    assert time.monotonic() - started < 1.0
    assert growth[0] < 50 * 1024  # nothing was unpacked
    assert err.value.code == code
    text = error_text(err.value)
    assert words in text, text
    assert "Файл не принят" in text


@pytest.mark.parametrize("name", list(EXPECTED))
def test_a_hostile_scheme_workbook_is_refused_by_place_and_limit(
    bombs: dict[str, bytes], name: str
) -> None:
    code, _ = EXPECTED[name]
    started = time.monotonic()
    with pytest.raises(DefinitionInvalid) as err:
        parse_scheme_file(bombs[name], "Схема.xlsx")
    assert time.monotonic() - started < 1.0
    [error] = err.value.errors
    if name == "million_rows":  # past the scheme's own unpacked limit, as before
        assert error.code == "xlsx_too_large"
        return
    assert error.code == code
    text = render_definition_error(error)
    assert text.startswith("корень файла:") and "{" not in text, text
    assert EXPECTED[name][1] in text or name in ("million_rows", "ratio"), text


def test_the_declared_dimension_and_the_limits() -> None:
    with pytest.raises(FileRefused) as err:
        inspect_xlsx(hostile.huge_dimension(), LIST_XLSX_LIMITS)
    assert err.value.args_ == {
        "range": "A1:XFD1048576",
        "rows": 1048576,
        "columns": 16384,
        "limit_rows": 10 * MAX_BULK_ROWS,
        "limit_columns": 1024,
    }
    with pytest.raises(FileRefused) as err:
        inspect_xlsx(b"PK\x03\x04 not a zip", SCHEME_XLSX_LIMITS)
    assert err.value.code == "file_broken"
    # a normal list and the example scheme pass
    inspect_xlsx(
        hostile.workbook([hostile.LIST_HEADER, ["Иванов Иван Иванович", "эксперт", "77", "", ""]]),
        LIST_XLSX_LIMITS,
    )
    inspect_xlsx((ROOT / "examples" / "scheme.xlsx").read_bytes(), SCHEME_XLSX_LIMITS)


def test_rows_are_read_up_to_one_past_the_limit_never_all() -> None:
    endless = iter(lambda: ["Иванов", "эксперт"], None)  # a sheet without end
    rows = _limited(endless)
    assert len(rows) == MAX_BULK_ROWS + 2  # the header, the limit, one more to say «больше»
    blanks = _limited(iter(lambda: [], None))
    assert len(blanks) == MAX_BULK_ROWS + 1  # only blank rows: no header, stop
    # a real sheet of 5000 rows within the size limits: read_only, stopped at the limit
    raw = hostile.workbook(
        [hostile.LIST_HEADER] + [["Иванов Иван Иванович", "эксперт", "77", "", ""]] * 5000
    )
    assert len(read_table("list.xlsx", raw)) == MAX_BULK_ROWS + 2


def test_a_normal_list_and_scheme_still_load() -> None:
    raw = hostile.workbook([hostile.LIST_HEADER, ["Иванов Иван Иванович", "эксперт", "77", "", ""]])
    assert read_table("list.xlsx", raw) == [
        hostile.LIST_HEADER,
        ["Иванов Иван Иванович", "эксперт", "77"],
    ]
    assert call_bounded(read_table, "list.xlsx", raw, seconds=30, memory_mb=512) == read_table(
        "list.xlsx", raw
    )
    scheme = (ROOT / "examples" / "scheme.xlsx").read_bytes()
    in_process, _ = parse_scheme_file(scheme, "scheme.xlsx")
    in_child, sources = call_bounded(
        parse_scheme_file, scheme, "scheme.xlsx", seconds=30, memory_mb=768
    )
    assert in_child == in_process and sources is not None


def test_a_download_stops_at_its_limit() -> None:
    buffer = BoundedBuffer(10)
    buffer.write(b"0123456789")
    with pytest.raises(FileRefused) as err:
        buffer.write(b"x")
    assert err.value.code == "file_download_too_large"


# ----------------------------------------------------------------------------- the child's bounds

# the child runs functions of tests/hostile_files.py (a light module: importing this test
# module in every child would cost seconds)


def test_the_child_is_bounded_in_memory_and_time() -> None:
    with peak_rss_growth() as growth, pytest.raises(FileRefused) as err:
        call_bounded(hostile.hog_memory, seconds=30, memory_mb=256)
    assert err.value.code == "file_too_complex"
    assert "больше 256 МБ памяти" in error_text(err.value)
    assert growth[0] < 50 * 1024
    started = time.monotonic()
    with pytest.raises(FileRefused) as err:
        call_bounded(hostile.spin, seconds=1, memory_mb=256)
    assert time.monotonic() - started < 5
    assert err.value.code == "file_too_slow"
    assert "больше 1 с" in error_text(err.value)
    # the child's own refusals come back as they were raised
    with pytest.raises(DefinitionInvalid) as err2:
        call_bounded(hostile.refuse, seconds=10, memory_mb=256)
    assert err2.value.errors == []


async def test_run_bounded_leaves_the_event_loop_free() -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)  # the ticker's first beat
    raw = hostile.workbook([hostile.LIST_HEADER])
    with pytest.raises(FileRefused):
        await run_bounded(hostile.spin, seconds=1, memory_mb=256)
    await run_bounded(hostile.slow_read_table, "list.xlsx", raw, 0.5, seconds=10, memory_mb=512)
    ticker.cancel()
    assert ticks > 60  # ~1.5 s of 10 ms beats: the loop never stalled


# ----------------------------------------------------------------------------- through the dispatcher


def _said(world: World, chat_id: int, mark: int) -> list[tuple[str, str]]:
    out = []
    for req in world.session.requests[mark:]:
        if isinstance(req, (SendMessage, EditMessageText)) and str(req.chat_id) == str(chat_id):
            out.append(("send" if isinstance(req, SendMessage) else "edit", req.text))
    return out


async def test_a_hostile_list_in_the_chat_checking_then_refusal(
    world: World, bombs: dict[str, bytes]
) -> None:
    admin = world.person(ADMIN_ID, "Админ")
    await admin.send("/invite")
    for name, (_, words) in EXPECTED.items():
        world.session.add_file(f"bomb-{name}", bombs[name])
        mark = len(world.session.requests)
        started = time.monotonic()
        with peak_rss_growth() as growth:
            await admin.send(
                document=document(f"bomb-{name}", "Сотрудники.xlsx", XLSX_MIME, len(bombs[name]))
            )
        assert time.monotonic() - started < 5
        assert growth[0] < 50 * 1024, (name, growth[0])
        said = _said(world, ADMIN_ID, mark)
        assert said[0] == ("send", "Проверяю файл…"), said
        assert said[-1][0] == "edit" and words in said[-1][1], said
    # a normal list still makes links, after «Проверяю файл…»
    raw = hostile.workbook(
        [hostile.LIST_HEADER, ["Иванов Иван Иванович", "координатор", "77", "", ""]]
    )
    world.session.add_file("good-list", raw)
    mark = len(world.session.requests)
    await admin.send(document=document("good-list", "Сотрудники.xlsx", XLSX_MIME, len(raw)))
    said = _said(world, ADMIN_ID, mark)
    assert (
        said[0] == ("send", "Проверяю файл…")
        and said[-1][0] == "edit"
        and "Приглашения созданы: 1" in said[-1][1]
    ), said


async def test_a_list_over_the_row_limit_says_so(world: World) -> None:
    admin = world.person(ADMIN_ID, "Админ")
    await admin.send("/invite")
    raw = hostile.workbook(
        [hostile.LIST_HEADER] + [["Иванов Иван Иванович", "эксперт", "77", "", ""]] * 3000
    )
    world.session.add_file("long-list", raw)
    reply = await admin.send(document=document("long-list", "Сотрудники.xlsx", XLSX_MIME, len(raw)))
    assert "Проверяю файл…" in reply and f"больше {MAX_BULK_ROWS} строк" in reply.replace(
        "\u00a0", ""
    ), reply


async def test_a_hostile_scheme_in_the_chat(world: World, bombs: dict[str, bytes]) -> None:
    chief = world.person(CHIEF, "Павел")
    for name in ("shared_strings", "styles", "dimension"):
        await chief.send("/scheme")
        world.session.add_file(f"scheme-{name}", bombs[name])
        mark = len(world.session.requests)
        await chief.send(
            document=document(f"scheme-{name}", "Схема.xlsx", XLSX_MIME, len(bombs[name]))
        )
        said = _said(world, CHIEF, mark)
        assert said[0] == ("send", "Проверяю файл…"), said
        assert (
            said[-1][0] == "edit"
            and "корень файла" in said[-1][1]
            and EXPECTED[name][1] in said[-1][1]
        ), said
    await chief.send("/scheme")
    good = (ROOT / "examples" / "scheme.xlsx").read_bytes()
    world.session.add_file("scheme-good", good)
    mark = len(world.session.requests)
    await chief.send(document=document("scheme-good", "Схема.xlsx", XLSX_MIME, len(good)))
    said = _said(world, CHIEF, mark)
    assert (
        said[0] == ("send", "Проверяю файл…")
        and said[-1][0] == "edit"
        and "Схема оценки загружена" in said[-1][1]
    ), said


async def test_a_contest_file_and_a_protocol_pdf_show_checking_then_the_result(
    world: World,
) -> None:
    admin = world.person(ADMIN_ID, "Админ")
    raw = (ROOT / "examples" / "contest.yaml").read_bytes()
    world.session.add_file("contest-yaml", raw)
    mark = len(world.session.requests)
    await admin.send(
        document=document("contest-yaml", "contest.yaml", "application/x-yaml", len(raw))
    )
    said = _said(world, ADMIN_ID, mark)
    assert said[0] == ("send", "Проверяю файл…") and said[-1][0] == "edit", said
    broken = b"code: [unclosed\n"
    world.session.add_file("contest-broken", broken)
    mark = len(world.session.requests)
    await admin.send(
        document=document("contest-broken", "contest.yaml", "application/x-yaml", len(broken))
    )
    said = _said(world, ADMIN_ID, mark)
    assert (
        said[0] == ("send", "Проверяю файл…") and said[-1][0] == "edit" and "YAML" in said[-1][1]
    ), said

    coord = world.person(COORD_MOSCOW, "Ольга")
    pdf = b"%PDF-1.4 not a protocol"
    world.session.add_file("some-pdf", pdf)
    await coord.send("/verify")
    mark = len(world.session.requests)
    await coord.send(document=document("some-pdf", "protocol.pdf", "application/pdf", len(pdf)))
    said = _said(world, COORD_MOSCOW, mark)
    assert said[0] == ("send", "Проверяю файл…") and said[-1][0] == "edit", said
    # a file bigger than it claimed: the download stops at the limit
    from bot.handlers.protocols import verify as protocols

    world.session.add_file("liar-pdf", b"%PDF" + b"0" * (protocols.MAX_VERIFY_BYTES + 10))
    await coord.send("/verify")
    reply = await coord.send(document=document("liar-pdf", "protocol.pdf", "application/pdf", 1000))
    assert "Файл слишком большой" in reply, reply
    # a file Telegram can no longer give (an expired id, a 404): a clear refusal in place
    await coord.send("/verify")
    mark = len(world.session.requests)
    await coord.send(document=document("gone-pdf", "protocol.pdf", "application/pdf", 1000))
    said = _said(world, COORD_MOSCOW, mark)
    assert said[-1][0] == "edit" and "Не удалось получить файл" in said[-1][1], said


async def test_another_persons_status_is_answered_while_a_file_is_checked(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check runs in a child (made to take 2 s here): the event loop stays free."""
    import models.services.invitations.lists as invitations

    real = invitations.run_bounded

    async def slow(func, *args, seconds, memory_mb):  # type: ignore[no-untyped-def]
        return await real(hostile.slow_read_table, *args, 2.0, seconds=seconds, memory_mb=memory_mb)

    monkeypatch.setattr(invitations, "run_bounded", slow)
    admin = world.person(ADMIN_ID, "Админ")
    await admin.send("/invite")
    raw = hostile.workbook(
        [hostile.LIST_HEADER, ["Иванов Иван Иванович", "координатор", "77", "", ""]]
    )
    world.session.add_file("slow-list", raw)
    other = world.person(555777, "Анна")
    done: dict[str, float] = {}
    started = time.monotonic()

    async def upload() -> str:
        reply = await admin.send(
            document=document("slow-list", "Сотрудники.xlsx", XLSX_MIME, len(raw))
        )
        done["upload"] = time.monotonic() - started
        return reply

    async def status() -> str:
        await asyncio.sleep(0.3)  # the check has begun
        reply = await other.send("/status")
        done["status"] = time.monotonic() - started
        return reply

    upload_reply, status_reply = await asyncio.gather(upload(), status())
    assert "Приглашения созданы: 1" in upload_reply
    assert status_reply  # answered
    assert done["upload"] >= 2.0
    assert done["status"] < 1.5 and done["status"] < done["upload"], done


def test_catalogue_texts_have_no_unfilled_arguments() -> None:
    for exc in (
        FileRefused("file_too_slow", seconds=20),
        FileRefused("file_too_complex", memory=512),
        FileRefused("file_download_too_large", limit=2),
        FileRefused("file_broken"),
        FileRefused("file_too_many_parts", count=500, limit=200),
    ):
        text = error_text(exc)
        assert "{" not in text and "err-" not in text, text
