"""Property-based fuzz of the real dispatcher (issue #12): random sequences of updates —
texts, commands, random and replayed callback data up to 64 bytes, documents with odd names,
edited messages, chat-member updates — from a participant, staff and strangers.

Whatever arrives: no unhandled exception (the catch-all error handler never fires), every
callback query is answered, and a person without a staff role changes no row that is not
their own (R-VER-3, R-SCO-5 … are checked in the services, never only by hiding a button).

The dispatcher and its database live across examples on purpose: each example starts from
the state the earlier ones left, so the fuzz walks deeper than one fresh contest would.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import string
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import Update
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.builders import make_world, register
from tests.conftest import ADMIN_ID, COORD_MOSCOW, COORD_OBLAST, EXPERT, FEDERAL, _sqlite_db
from tests.fakes.updates import (
    bot_message_json,
    callback_update_json,
    chat_json,
    message_update_json,
    user_json,
)

PARTICIPANT = 555001
STAFF = (COORD_MOSCOW, COORD_OBLAST, FEDERAL, EXPERT, ADMIN_ID)
STRANGERS = (777000001, 777000002, 2**52 - 1)
#: Everything a participant's own journey may write. Any other table changed by a person
#: without a staff role is a permission hole.
OWN_TABLES = {
    "persons",
    "participants",
    "applications",
    "application_files",
    "deliveries",
    "audit_log",
    "reminder_runs",
    "task_accesses",
    "task_submissions",
}
COMMANDS = [
    "/start",
    "/status",
    "/withdraw",
    "/help",
    "/settings",
    "/language",
    "/queue",
    "/applications",
    "/broadcast",
    "/progress",
    "/scoring",
    "/scheme",
    "/protocols",
    "/publish",
    "/verify",
    "/dispute",
    "/appeal",
    "/commission",
    "/invite",
    "/staff",
    "/remote",
    "/tasks",
    "/load_contest",
    "/export_person",
    "/start inv_bogus",
    "/start " + "x" * 60,
    "/unknown",
]
ODD_NAMES = [
    "",
    "../../etc/passwd",
    "презентация.pdf",
    "a" * 300 + ".pdf",
    "x.PDF.exe",
    "no_extension",
    "видео.mp4",
    " .pptx",
]
MIMES = [
    "application/pdf",
    "video/mp4",
    "application/x-msdownload",
    "text/plain",
    "application/octet-stream",
    "",
]


class _Unhandled(logging.Handler):
    """Collects what the catch-all error handler logs ("unhandled <Type> in update N")."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "unhandled" in record.getMessage():
            self.seen.append(record.getMessage())


class Fuzz:
    """One event loop, one world (dispatcher over SQLite), kept for every example."""

    def __init__(self) -> None:
        self.runner = asyncio.Runner()
        self.tmp = Path(tempfile.mkdtemp(prefix="fuzz-"))
        self.unhandled = _Unhandled()
        logging.getLogger("bot").addHandler(self.unhandled)
        self._gen = make_world(self.runner.run(_sqlite_db(self.tmp)), self.tmp)
        self.world = self.runner.run(self._gen.__anext__())
        self.runner.run(register(self.world, PARTICIPANT))
        self.contest_id = self.runner.run(self._contest_id())
        self.callbacks: list[str] = []

    async def _contest_id(self) -> int:
        async with self.world.services.ctx.sessionmaker() as s:
            return int((await s.execute(text("SELECT min(id) FROM contests"))).scalar_one())

    def seen_buttons(self) -> list[tuple[int, str]]:
        found = []
        for (_chat, mid), message in self.world.session.state.messages.items():
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for b in row:
                    if b.get("callback_data"):
                        found.append((mid, b["callback_data"]))
        return found

    async def snapshot(self, actor: int) -> dict[str, list[tuple[Any, ...]]]:
        """Every row a person ``actor`` without a staff role must not change: all tables but
        their own journey's, and the participant/application rows of everybody else."""
        out: dict[str, list[tuple[Any, ...]]] = {}
        async with self.world.services.ctx.sessionmaker() as s:
            names = [
                r[0]
                for r in await s.execute(
                    text(
                        "SELECT name FROM sqlite_master WHERE type='table'"
                        " AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
                    )
                )
            ]
            for name in names:
                if name in OWN_TABLES - {"participants", "applications"}:
                    continue
                if name == "participants":
                    q = "SELECT p.* FROM participants p JOIN persons x ON x.id = p.person_id WHERE x.telegram_id != :a"
                elif name == "applications":
                    q = (
                        "SELECT a.* FROM applications a JOIN participants p ON p.id = a.participant_id "
                        "JOIN persons x ON x.id = p.person_id WHERE x.telegram_id != :a"
                    )
                else:
                    q = f"SELECT * FROM {name}"
                if name == "conversation_states":
                    continue  # a person's own conversation position
                out[name] = sorted(
                    tuple(map(repr, r)) for r in await s.execute(text(q), {"a": actor})
                )
        return out

    def close(self) -> None:
        logging.getLogger("bot").removeHandler(self.unhandled)
        try:
            self.runner.run(self._gen.aclose())
        finally:
            self.runner.close()


@pytest.fixture(scope="module")
def fuzz() -> Iterator[Fuzz]:
    f = Fuzz()
    yield f
    f.close()


# --------------------------------------------------------------------------- strategies

actors = st.sampled_from([PARTICIPANT, *STAFF, *STRANGERS])
short_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)


def _fits_64(data: str) -> bool:
    return 0 < len(data.encode()) <= 64


random_callback = st.text(
    alphabet=string.ascii_letters + string.digits + ":_-|", min_size=1, max_size=64
).filter(_fits_64)
huge_int = st.sampled_from(["0", "-1", "1", "999999", str(2**31), str(2**63 - 1), "1e9", "abc", ""])


@st.composite
def update_step(draw: st.DrawFn) -> tuple[str, int, Any]:
    """(kind, actor, payload)."""
    kind = draw(
        st.sampled_from(
            ["text", "command", "replay", "mutate", "random_cb", "document", "edited", "member"]
        )
    )
    actor = draw(actors)
    if kind == "text":
        return (
            kind,
            actor,
            draw(
                st.one_of(
                    short_text,
                    st.sampled_from(
                        ["спасибо", "Иванова Анна Петровна", "123-456-789 64", "5,5", "Да"]
                    ),
                )
            ),
        )
    if kind == "command":
        return kind, actor, draw(st.sampled_from(COMMANDS))
    if kind in ("replay", "mutate"):
        return kind, actor, (draw(st.integers(min_value=0, max_value=10**6)), draw(huge_int))
    if kind == "random_cb":
        return kind, actor, draw(random_callback)
    if kind == "document":
        return (
            kind,
            actor,
            (
                draw(st.sampled_from(ODD_NAMES)),
                draw(st.sampled_from(MIMES)),
                draw(st.sampled_from([0, 1, 10**6, 25 * 2**20, 3 * 2**30])),
            ),
        )
    if kind == "edited":
        return kind, actor, draw(short_text)
    return kind, actor, draw(st.sampled_from(["kicked", "member"]))


def _build(f: Fuzz, kind: str, actor: int, payload: Any) -> tuple[dict[str, Any], str | None]:
    """The update's JSON, and the callback query id when it is one."""
    if kind in ("text", "command"):
        return message_update_json(actor, payload), None
    if kind in ("replay", "mutate", "random_cb"):
        if kind == "random_cb":
            mid, data = random.Random(hash(payload)).randint(1, 5000), payload
        else:
            buttons = f.seen_buttons() or [(1, "c:1:start")]
            index, replacement = payload
            mid, data = buttons[index % len(buttons)]
            if kind == "mutate":
                parts = data.split(":")
                parts[1 + index % max(1, len(parts) - 1) if len(parts) > 1 else 0] = replacement
                data = ":".join(parts)
                if not _fits_64(data):
                    data = data.encode()[:64].decode(errors="ignore") or "x"
        upd = callback_update_json(actor, data, message_id=mid)
        return upd, upd["callback_query"]["id"]
    if kind == "document":
        name, mime, size = payload
        doc = {"file_id": f"fz{size}", "file_unique_id": f"u{size}", "file_size": size}
        if name:
            doc["file_name"] = name
        if mime:
            doc["mime_type"] = mime
        return message_update_json(actor, None, document=doc), None
    if kind == "edited":
        upd = message_update_json(actor, payload or "x")
        upd["edited_message"] = dict(upd.pop("message"), edit_date=upd_date(upd))
        return upd, None
    status = payload
    return (
        {
            "update_id": random.randint(10**8, 10**9),
            "my_chat_member": {
                "chat": chat_json(actor),
                "from": user_json(actor),
                "date": 1,
                "old_chat_member": {"status": "member", "user": bot_user()},
                "new_chat_member": {"status": status, "user": bot_user()}
                if status == "member"
                else {"status": "kicked", "user": bot_user(), "until_date": 0},
            },
        },
        None,
    )


def upd_date(upd: dict[str, Any]) -> int:
    return int(upd.get("message", {}).get("date", 1)) + 1


def bot_user() -> dict[str, Any]:
    return bot_message_json(1, 1)["from"]


async def _feed(f: Fuzz, steps: list[tuple[str, int, Any]]) -> None:
    w = f.world
    f.unhandled.seen.clear()
    for kind, actor, payload in steps:
        update, callback_id = _build(f, kind, actor, payload)
        guarded = actor not in STAFF
        before = await f.snapshot(actor) if guarded else None
        answered_before = len(w.session.calls(AnswerCallbackQuery))
        await w.dp.feed_update(w.bot, Update.model_validate(update))
        assert not f.unhandled.seen, (
            f"unhandled exception for {kind} from {actor} ({payload!r}): {f.unhandled.seen}"
        )
        if callback_id is not None:
            answered = [
                c
                for c in w.session.calls(AnswerCallbackQuery)[answered_before:]
                if c.callback_query_id == callback_id
            ]
            assert answered, (
                f"callback {update['callback_query']['data']!r} from {actor} was not answered"
            )
        if guarded:
            after = await f.snapshot(actor)
            changed = sorted(name for name in after if after[name] != before.get(name))
            assert not changed, f"{kind} {payload!r} from {actor} (no staff role) changed {changed}"


EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(steps=st.lists(update_step(), min_size=1, max_size=8))
def test_random_updates_never_crash_leave_no_query_unanswered_and_respect_roles(
    fuzz: Fuzz, steps: list[tuple[str, int, Any]]
) -> None:
    fuzz.runner.run(_feed(fuzz, steps))
