"""The double-press harness of issue #12, guarantee 1 (R-VER, R-APP, R-BRD, R-SCO, R-PRO, R-APL).

Not hand-written cases: a *scenario* only builds a state (a contest with people in it, fast, through
the services) and opens a few screens through the real dispatcher. The harness then *crawls*: every
inline button on the screens of the scenario's actors is pressed — once (the reference), twice at
once by the same person, twice at once by two staff members with the same rights (a twin: a second
coordinator of the region, a second federal coordinator, a second chief expert), and, for two
state-changing buttons reachable from the same database state (e.g. «Принять» on the card and a
preset «Отказать» reason one screen further), both at once. New buttons that a press reveals are
crawled too, a few levels deep.

Every trial starts from the same snapshot (all tables, the FSM storage and the fake Telegram's
messages are restored), so effects can be compared exactly. The oracle is generic:

* a double press has the effect of ONE press: the same rows added / removed / changed per table
  (audit rows by action, outbox rows by message key, other rows by their status);
* two conflicting presses at once have the effect of one of the two serial orders (A then B, or
  B then A): the loser is refused, not applied on top;
* every callback query is answered and no handler raises.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import itertools
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.storage.memory import DisabledEventIsolation, MemoryStorage
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import Update
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.callbacks import button_data
from bot.verification_callbacks import CardCb
from models.clock import FixedClock
from models.crypto import PersonalDataCipher
from models.db import create_engine, create_sessionmaker
from models.scheme_file import parse_scheme_yaml
from models.services import ServiceContext, Services, TelegramFile
from models.tables import Base
from tests.botkit import Person
from tests.builders import (
    ADMIN_ID,
    COORD_MOSCOW,
    EXAMPLE,
    FEDERAL,
    IN_PERIOD,
    MENTOR,
    MINOR_BORN,
    MSK,
    SCHEME,
    SOCIAL,
    TEST_KEY,
    JobLog,
    accepted_in,
    applicant,
    application,
    at,
    file,
    fill_consent,
    form,
    ids,
    load_championship,
    locked_scheme,
    named_participants,
    participants,
    pdf,
    ready,
    snils,
)
from tests.fakes import FakeTelegramSession, make_bot
from tests.fakes.updates import callback_update, callback_update_json, message_update
from workers.jobs import run_job
from workers.runtime import WorkerRuntime

# --------------------------------------------------------------------------- people

CHIEF = 100006
#: A twin has the same rights as the original: the race is between two people, so per-person
#: event isolation cannot serialise it (issue #12: «two coordinators of a region»).
COORD_MOSCOW_2 = 100101
FEDERAL_2 = 100103
CHIEF_2 = 100106
TWINS: dict[int, int] = {COORD_MOSCOW: COORD_MOSCOW_2, FEDERAL: FEDERAL_2, CHIEF: CHIEF_2}

_EXTRA_PEOPLE = f"""
  - telegram_id: {COORD_MOSCOW_2}
    name: Смирнов Олег Викторович
    role: coordinator
    regions: ["77"]
  - telegram_id: {FEDERAL_2}
    name: Волков Николай Сергеевич
    role: federal_coordinator
  - telegram_id: {CHIEF_2}
    name: Соколова Полина Андреевна
    role: expert
    expert_status: competence_manager
    chief_for: [best_social_worker]
"""


def contest_file() -> bytes:
    """examples/contest.yaml with the twins added at the end of ``people``."""
    raw = EXAMPLE.read_text(encoding="utf-8").rstrip("\n") + "\n"
    return (raw + _EXTRA_PEOPLE.lstrip("\n")).encode()


# --------------------------------------------------------------------------- the world


@dataclass
class Snapshot:
    rows: dict[str, list[dict[str, Any]]]
    storage: Any
    messages: dict[tuple[str, int], dict[str, Any]]
    files: dict[str, bytes]
    clock_at: Any
    jobs: list[tuple[str, int]]


@dataclass
class Press:
    user_id: int
    data: str
    message_id: int
    #: whose chat the button was seen in (a twin presses the copy of that message)
    seen_by: int


@dataclass
class Outcome:
    effect: Counter[tuple[Any, ...]]
    unanswered: list[str]
    errors: list[str]
    replies: list[str]
    #: the same audit action on the same entity twice, the same notice to the same chat twice
    dups: list[str] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return any(k[1] not in _NOISE_TABLES for k in self.effect)


#: rows every update may touch (who the person is, their language): not a decision
_NOISE_TABLES = frozenset({"persons"})
#: columns whose values name an outcome; the first present labels a row in the effect
_LABEL = {"audit_log": "action", "deliveries": "message_key"}
_STATUS_COLS = ("status", "state", "decision", "kind", "action", "vote", "value")

_cq_ids = itertools.count(1)

#: Buttons whose double tap may legitimately end where it began. None: every switch carries its
#: target value (consents, broadcast regions and nominations), so two taps are one change.
TOGGLES: tuple[str, ...] = ()


class Harness:
    """The real dispatcher over a fake Bot API, on one database, with snapshots."""

    def __init__(
        self, url: str, tmp_path: Path, dp_factory: Callable[[Services], Dispatcher]
    ) -> None:
        self.url = url
        self.pg = url.startswith("postgresql")
        self.engine: AsyncEngine = create_engine(url)
        self.clock = FixedClock(IN_PERIOD)
        self.jobs = JobLog()
        self.files_dir = tmp_path / "files"
        self.session = FakeTelegramSession()
        self.bot: Bot = make_bot(self.session)
        self._dp_factory = dp_factory
        self.services = self._services()
        self.dp = dp_factory(self.services)
        #: the rows as the last dump saw them (restore writes only the difference)
        self._current: dict[str, list[dict[str, Any]]] | None = None

    def _services(self) -> Services:
        ctx = ServiceContext(
            sessionmaker=create_sessionmaker(self.engine),
            cipher=PersonalDataCipher(TEST_KEY),
            clock=self.clock,
            jobs=self.jobs,
            admin_ids=frozenset({ADMIN_ID}),
            files_dir=self.files_dir,
        )
        return Services(ctx)

    async def close(self) -> None:
        await self.engine.dispose()

    def person(self, user_id: int, name: str = "Тест") -> Person:
        return Person(self.dp, self.bot, self.session, user_id, name)

    # ------------------------------------------------------------------ snapshots
    async def dump(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        async with self.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                out[table.name] = [dict(r) for r in (await conn.execute(select(table))).mappings()]
        return out

    async def snapshot(self) -> Snapshot:
        self._current = await self.dump()
        return Snapshot(
            rows=self._current,
            storage=copy.deepcopy(self.dp.fsm.storage.storage),  # type: ignore[attr-defined]
            messages=copy.deepcopy(self.session.state.messages),
            files=dict(self.session.state.files),
            clock_at=self.clock.at,
            jobs=list(self.jobs.jobs),
        )

    async def restore(self, snap: Snapshot) -> None:
        """Put the database back row by row: only what the last trial changed is written."""
        tables = Base.metadata.sorted_tables
        current = self._current if self._current is not None else await self.dump()
        async with self.engine.begin() as conn:
            plans = []
            for table in tables:
                now = {_pk(table.name, r): r for r in current[table.name]}
                then = {_pk(table.name, r): r for r in snap.rows[table.name]}
                if now == then:
                    continue
                pk_cols = list(table.primary_key.columns)
                extra = [k for k in now if k not in then]
                changed = [then[k] for k in then if k in now and now[k] != then[k]]
                missing = [then[k] for k in then if k not in now]
                plans.append((table, pk_cols, extra, changed, missing))
            for table, pk_cols, extra, _, _ in reversed(plans):
                for k in extra:
                    await conn.execute(
                        table.delete().where(*(c == v for c, v in zip(pk_cols, k, strict=True)))
                    )
            for table, pk_cols, _, changed, missing in plans:
                for row in changed:
                    where = [c == row[c.name] for c in pk_cols]
                    await conn.execute(
                        table.update()
                        .where(*where)
                        .values(
                            **{k: v for k, v in row.items() if k not in table.primary_key.columns}
                        )
                    )
                if missing:
                    await conn.execute(table.insert(), missing)
            if self.pg:
                for table, *_ in plans:
                    if "id" in table.c and table.c.id.primary_key and snap.rows[table.name]:
                        top = max(r["id"] for r in snap.rows[table.name])
                        await conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), {top})"
                            )
                        )
        self._current = snap.rows
        # fresh services (no state kept between trials), the same dispatcher
        self.services = self._services()
        self.dp = self._dp_factory(self.services)
        storage = MemoryStorage()
        storage.storage = copy.deepcopy(snap.storage)
        self.dp.fsm.storage = storage
        self.session.state.messages = copy.deepcopy(snap.messages)
        self.session.state.files = dict(snap.files)
        self.session.clear()
        self.clock.at = snap.clock_at
        self.jobs.jobs = list(snap.jobs)

    # ------------------------------------------------------------------ presses
    def buttons(self, user_id: int) -> list[tuple[int, str, str]]:
        return self.person(user_id).buttons()

    def _lend(self, press: Press) -> None:
        """A twin presses a copy of the message the original saw, in the same FSM state."""
        if press.user_id == press.seen_by:
            return
        msgs = self.session.state.messages
        original = msgs.get((str(press.seen_by), press.message_id))
        if original is not None:
            twin = copy.deepcopy(original)
            twin["chat"] = {**twin.get("chat", {}), "id": press.user_id}
            msgs[(str(press.user_id), press.message_id)] = twin
        storage = self.dp.fsm.storage.storage  # type: ignore[attr-defined]
        for key in list(storage):
            if key.user_id == press.seen_by and key.chat_id == press.seen_by:
                twin_key = dataclasses.replace(key, user_id=press.user_id, chat_id=press.user_id)
                storage[twin_key] = copy.deepcopy(storage[key])

    async def _press(self, press: Press, cq_ids: list[str], errors: list[str]) -> None:
        message = self.session.state.messages.get((str(press.user_id), press.message_id), {})
        payload = callback_update_json(
            press.user_id,
            press.data,
            message_id=press.message_id,
            message_text=message.get("text") or "…",
            reply_markup=message.get("reply_markup"),
        )
        cq_id = f"h{next(_cq_ids)}"
        payload["callback_query"]["id"] = cq_id
        cq_ids.append(cq_id)
        try:
            await self.dp.feed_update(self.bot, Update.model_validate(payload))
        except Exception as e:
            errors.append(f"{press.data} by {press.user_id}: {_where(e)}")

    async def drain(self, errors: list[str]) -> None:
        rt = WorkerRuntime(
            self.bot,
            self.services.ctx.sessionmaker,
            self.clock,
            self.services,
            self.files_dir,
            buttons=button_data,
            owns_resources=False,
        )
        for _ in range(200):
            if not self.jobs.jobs:
                return
            job, entity_id = self.jobs.jobs.pop(0)
            if job in ("download", "guardian_download"):  # no file content in the fake Bot API
                continue
            try:
                await run_job(rt, job, entity_id, self.jobs)
            except Exception as e:
                errors.append(f"job {job}:{entity_id}: {type(e).__name__}: {e}")

    async def trial(
        self, snap: Snapshot, groups: list[list[Press]], *, isolated: bool = True
    ) -> Outcome:
        """Restore ``snap``; run the groups one after another, the presses of a group at once.
        ``isolated=False`` switches the per-person event isolation off, as two bot instances
        without a shared lock would be: the presses then race in the service itself."""
        await self.restore(snap)
        saved = self.dp.fsm.events_isolation
        if not isolated:
            self.dp.fsm.events_isolation = DisabledEventIsolation()
        try:
            return await self._trial(snap, groups)
        finally:
            self.dp.fsm.events_isolation = saved

    async def _trial(self, snap: Snapshot, groups: list[list[Press]]) -> Outcome:
        cq_ids: list[str] = []
        errors: list[str] = []
        for group in groups:
            for press in group:
                self._lend(press)
            await asyncio.gather(*(self._press(p, cq_ids, errors) for p in group))
        await self.drain(errors)
        after = self._current = await self.dump()
        answered = {str(m.callback_query_id) for m in self.session.calls(AnswerCallbackQuery)}
        replies = self.session.sent_texts()
        return Outcome(
            effect(snap.rows, after),
            [c for c in cq_ids if c not in answered],
            errors,
            replies,
            duplicates(snap.rows, after),
        )


def _where(e: BaseException) -> str:
    """The exception and the innermost frame of the project that raised it (and its cause)."""
    parts = []
    while e is not None:
        frames = [f for f in traceback.extract_tb(e.__traceback__) if "/.venv/" not in f.filename]
        at = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
        parts.append(f"{type(e).__name__}: {e}{at}")
        e = e.__cause__ or e.__context__  # type: ignore[assignment]
    return " <- ".join(parts)


def _pk(table_name: str, row: dict[str, Any]) -> Any:
    table = Base.metadata.tables[table_name]
    return tuple(row[c.name] for c in table.primary_key.columns)


def _label(table_name: str, row: dict[str, Any]) -> Any:
    col = _LABEL.get(table_name)
    if col:
        return row.get(col)
    for c in _STATUS_COLS:
        if c in row:
            return row[c]
    return None


def effect(
    before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]
) -> Counter[tuple[Any, ...]]:
    """Rows added, removed and changed per table — ids and actors left out, outcomes kept."""
    out: Counter[tuple[Any, ...]] = Counter()
    for name in after:
        b = {_pk(name, r): r for r in before.get(name, [])}
        a = {_pk(name, r): r for r in after[name]}
        for k in a.keys() - b.keys():
            out[("+", name, _label(name, a[k]))] += 1
        for k in b.keys() - a.keys():
            out[("-", name, _label(name, b[k]))] += 1
        for k in a.keys() & b.keys():
            if a[k] != b[k]:
                cols = tuple(sorted(c for c in a[k] if a[k][c] != b[k][c]))
                out[("~", name, cols, _label(name, a[k]))] += 1
    return out


def duplicates(
    before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]
) -> list[str]:
    """One transition, one audit row, one notice: new audit rows with the same action on the same
    entity, new outbox rows with the same message to the same chat."""
    out = []
    for name, key in (
        ("audit_log", ("action", "entity", "entity_id")),
        ("deliveries", ("message_key", "recipient_chat_id", "subject")),
    ):
        old = {_pk(name, r) for r in before.get(name, [])}
        new = Counter(tuple(r[k] for k in key) for r in after[name] if _pk(name, r) not in old)
        out += [f"{name} {'/'.join(str(x) for x in k)} ×{n}" for k, n in new.items() if n > 1]
    return out


def _more(dups: list[str], allowed: list[str]) -> bool:
    return bool(set(dups) - set(allowed))


def _dups(o: Outcome) -> str:
    return f"\n    DUPLICATES: {'; '.join(o.dups)}" if o.dups else ""


def show(c: Counter[tuple[Any, ...]]) -> str:
    return (
        ", ".join(f"{'/'.join(str(x) for x in k)}×{n}" for k, n in sorted(c.items(), key=str))
        or "nothing"
    )


# --------------------------------------------------------------------------- callback factories


def all_factories() -> dict[str, type[CallbackData]]:
    """Every ``CallbackData`` subclass the bot defines, by prefix (bot.app imports every handler)."""
    import bot.app  # noqa: F401 — imports every handler module

    found: dict[str, type[CallbackData]] = {}
    stack = list(CallbackData.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("bot."):
            found[cls.__prefix__] = cls  # type: ignore[attr-defined]
    return found


def factory_of(data: str) -> str:
    return data.split(":", 1)[0]


def kind_of(data: str, factories: dict[str, type[CallbackData]]) -> str:
    """A button's kind: its factory and its non-id fields (action, flags) — the ids left out."""
    prefix = factory_of(data)
    cls = factories.get(prefix)
    if cls is None:
        return prefix
    try:
        cb = cls.unpack(data)
    except Exception:
        return prefix
    parts = [prefix]
    for name, value in cb.model_dump().items():
        if isinstance(value, bool) or (isinstance(value, str) and not value.isdigit()):
            parts.append(f"{name}={value}")
    return ":".join(parts)


# --------------------------------------------------------------------------- the crawl


@dataclass
class Finding:
    scenario: str
    check: str  # double | twin | conflict | answered | error
    buttons: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.scenario}] {self.check}: {self.buttons}\n    {self.detail}"


@dataclass
class Report:
    pressed: set[str] = field(default_factory=set)  # factory prefixes
    kinds: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    trials: int = 0


@dataclass
class Node:
    snap: Snapshot
    depth: int
    klass: int  # database-equivalence class: same rows as the root of the class
    buttons: list[tuple[int, int, str, str]]  # (actor, message id, label, data)


@dataclass
class Scenario:
    name: str
    build: Callable[[Harness], Awaitable[None]]
    actors: tuple[int, ...]
    depth: int = 2
    #: factory prefixes this scenario must exercise (checked after the crawl)
    covers: tuple[str, ...] = ()
    #: labels or data prefixes not to press (e.g. buttons that only open a free-text prompt)
    skip: tuple[str, ...] = ()
    per_kind: int = 2


async def crawl(
    h: Harness, sc: Scenario, factories: dict[str, type[CallbackData]], report: Report
) -> None:
    await sc.build(h)
    root = Node(await h.snapshot(), 0, 0, _visible(h, sc))
    seen_data: set[str] = set()
    kind_count: Counter[str] = Counter()
    changers: dict[int, list[tuple[Node, Press, Outcome, str]]] = {}
    klasses = itertools.count(1)
    queue = [root]
    while queue:
        node = queue.pop(0)
        for actor, mid, label, data in node.buttons:
            if data in seen_data or any(s in label or data.startswith(s) for s in sc.skip):
                continue
            kind = kind_of(data, factories)
            if kind_count[kind] >= sc.per_kind:
                continue
            seen_data.add(data)
            kind_count[kind] += 1
            report.pressed.add(factory_of(data))
            report.kinds.add(kind)
            name = f"«{label}» {data} ({actor})"
            one = Press(actor, data, mid, actor)
            ref = await h.trial(node.snap, [[one]])
            report.trials += 1
            _problems(report, sc.name, "single", name, ref)
            # crawl deeper from the state after one press
            if node.depth < sc.depth:
                after = await h.snapshot()
                before_data = {d for *_, d in node.buttons}
                fresh = [b for b in _visible(h, sc) if b[3] not in before_data]
                if fresh:
                    queue.append(
                        Node(
                            after,
                            node.depth + 1,
                            next(klasses) if ref.changes else node.klass,
                            fresh,
                        )
                    )
            # the same press twice at once, by the same person
            same = await h.trial(node.snap, [[one, one]])
            report.trials += 1
            _problems(report, sc.name, "double", name, same)
            allowed = [_strip_actor(ref.effect)]
            if any(kind.startswith(t) for t in TOGGLES):
                allowed.append(
                    Counter()
                )  # a toggle tapped twice (serialised per person) is off again
            if _strip_actor(same.effect) not in allowed or _more(same.dups, ref.dups):
                report.findings.append(
                    Finding(
                        sc.name,
                        "double",
                        name,
                        f"one press: {show(ref.effect)}\n    two at once: {show(same.effect)}{_dups(same)}",
                    )
                )
            if not ref.changes:
                continue
            # the same person's double tap reaching two bot instances: no per-person lock helps
            raw = await h.trial(node.snap, [[one, one]], isolated=False)
            report.trials += 1
            _problems(report, sc.name, "raw", name, raw)
            if _strip_actor(raw.effect) not in allowed or _more(raw.dups, ref.dups):
                report.findings.append(
                    Finding(
                        sc.name,
                        "raw",
                        name,
                        f"one press: {show(ref.effect)}\n    two at once, no isolation: {show(raw.effect)}{_dups(raw)}",
                    )
                )
            # by two staff members with the same rights: as one press, or — if the action is the
            # person's own (their settings) — as the two presses one after the other
            twin = TWINS.get(actor)
            if twin is not None:
                other = Press(twin, data, mid, actor)
                both = await h.trial(node.snap, [[one, other]])
                report.trials += 1
                _problems(report, sc.name, "twin", name, both)
                if _strip_actor(both.effect) != _strip_actor(ref.effect) or _more(
                    both.dups, ref.dups
                ):
                    serial = await h.trial(node.snap, [[one], [other]])
                    report.trials += 1
                    if _more(serial.dups, ref.dups) or _strip_actor(both.effect) != _strip_actor(
                        serial.effect
                    ):
                        report.findings.append(
                            Finding(
                                sc.name,
                                "twin",
                                name,
                                f"one press: {show(ref.effect)}\n"
                                f"    one after the other: {show(serial.effect)}{_dups(serial)}"
                                f"\n    two staff at once: {show(both.effect)}{_dups(both)}",
                            )
                        )
            changers.setdefault(node.klass, []).append((node, one, ref, label))
    # conflicting choices reachable from the same database state: both at once
    for entries in changers.values():
        for (n1, a, ra, la), (n2, b, rb, lb) in _pairs(entries):
            if ra.effect == rb.effect:
                continue
            node = n2 if n2.depth >= n1.depth else n1
            twin = TWINS.get(b.user_id)
            b2 = (
                Press(twin, b.data, b.message_id, b.user_id)
                if twin and b.user_id == a.user_id
                else b
            )
            ab = await h.trial(node.snap, [[a], [b2]])
            ba = await h.trial(node.snap, [[b2], [a]])
            together = await h.trial(node.snap, [[a, b2]])
            report.trials += 3
            name = f"«{la}» {a.data} ({a.user_id}) + «{lb}» {b.data} ({b2.user_id})"
            _problems(report, sc.name, "conflict", name, together)
            if _strip_actor(together.effect) not in (
                _strip_actor(ab.effect),
                _strip_actor(ba.effect),
            ) or _more(together.dups, ab.dups + ba.dups):
                report.findings.append(
                    Finding(
                        sc.name,
                        "conflict",
                        name,
                        f"A then B: {show(ab.effect)}\n    B then A: {show(ba.effect)}\n"
                        f"    at once: {show(together.effect)}{_dups(together)}",
                    )
                )


def _pairs(entries: list[Any], limit: int = 6) -> list[tuple[Any, Any]]:
    """Pairs of state-changing buttons of the same factory (a choice on one subject)."""
    out = []
    for x, y in itertools.combinations(entries, 2):
        if factory_of(x[1].data) == factory_of(y[1].data) or x[0].klass == y[0].klass:
            out.append((x, y))
    return out[:limit]


def _strip_actor(c: Counter[tuple[Any, ...]]) -> Counter[tuple[Any, ...]]:
    return Counter({k: n for k, n in c.items() if k[1] not in _NOISE_TABLES})


def _problems(report: Report, scenario: str, check: str, name: str, o: Outcome) -> None:
    if o.unanswered:
        report.findings.append(
            Finding(
                scenario,
                "answered",
                name,
                f"{check}: callback queries not answered: {o.unanswered}",
            )
        )
    for e in o.errors:
        report.findings.append(Finding(scenario, "error", name, f"{check}: {e}"))


def _visible(h: Harness, sc: Scenario) -> list[tuple[int, int, str, str]]:
    out = []
    for actor in sc.actors:
        for mid, label, data in h.buttons(actor):
            out.append((actor, mid, label, data))
    return out


# --------------------------------------------------------------------------- scenario helpers


async def hello(h: Harness, *users: int) -> None:
    """Staff (and twins) say /start once, so their person rows exist before any trial."""
    for u in users:
        await h.dp.feed_update(h.bot, message_update(u, "/start"))


async def load(h: Harness) -> int:
    result = await h.services.contests.load_definition(None, contest_file())
    return result.contest_id


async def _app_ready(h: Harness, user: int) -> None:
    """Accepted, nomination chosen, every field and file in, consents given — not sent."""

    await accepted_in(h.services, 1, user, "77")
    await application(h.services, 1, user, SOCIAL, submit=False)
    p = h.services.participants
    for code, value in {"position": "Социальный работник", "experience_years": "6"}.items():
        await p.set_field(user, 1, code, value)
    await p.add_file(user, 1, "presentation", pdf(uid=f"p{user}"))
    await p.add_file(
        user, 1, "video", TelegramFile(f"v{user}", f"v{user}", "clip.mp4", "video/mp4", 5_000_000)
    )


async def s_consent(h: Harness) -> None:
    await h.dp.feed_update(h.bot, message_update(700001, "/start"))


async def s_form_review(h: Harness) -> None:

    await form(h.services, 1, 700002, "77", submit=False)
    await h.dp.feed_update(h.bot, message_update(700002, "/start"))


async def s_pending_card(h: Harness) -> None:

    await hello(h, COORD_MOSCOW, COORD_MOSCOW_2)
    await form(h.services, 1, 700003, "77")
    await h.dp.feed_update(h.bot, message_update(COORD_MOSCOW, "/queue"))


async def s_queue_pages(h: Harness) -> None:
    """More pending cards than a page (R-VER-4 queue paging)."""

    await hello(h, COORD_MOSCOW, COORD_MOSCOW_2)
    for i in range(7):
        await form(h.services, 1, 710000 + i, "77")
    await h.dp.feed_update(h.bot, message_update(COORD_MOSCOW, "/queue"))


async def s_applications_pages(h: Harness) -> None:

    await hello(h, COORD_MOSCOW, COORD_MOSCOW_2)
    for i in range(7):
        await accepted_in(h.services, 1, 720000 + i, "77")
        await application(h.services, 1, 720000 + i, SOCIAL, submit=True)
    h.jobs.jobs.clear()
    await h.dp.feed_update(h.bot, message_update(COORD_MOSCOW, "/applications"))


async def s_org_search(h: Harness) -> None:
    """The organisation step with a search typed (R-VER-1: the registry is searchable)."""

    known = await ids(h.services, 1)
    p = h.services.participants
    await p.give_consent(700010, 1)
    await p.set_full_name(700010, 1, "Петрова Мария Ивановна")
    await p.set_snils(700010, 1, snils(10))
    await p.set_region(700010, 1, known["regions"]["77"])
    await h.dp.feed_update(h.bot, message_update(700010, "/start"))
    await h.dp.feed_update(h.bot, message_update(700010, "люблино"))


async def s_accepted(h: Harness) -> None:

    await accepted_in(h.services, 1, 700004, "77")
    await h.drain([])
    await h.dp.feed_update(h.bot, message_update(700004, "/start"))


async def s_application_ready(h: Harness) -> None:
    await _app_ready(h, 700005)
    await h.dp.feed_update(h.bot, message_update(700005, "/start"))


async def s_submitted_application(h: Harness) -> None:

    await hello(h, COORD_MOSCOW, COORD_MOSCOW_2)
    await accepted_in(h.services, 1, 700006, "77")
    await application(h.services, 1, 700006, SOCIAL, submit=True)
    h.jobs.take("download")
    await h.dp.feed_update(h.bot, message_update(COORD_MOSCOW, "/applications"))


async def s_withdraw(h: Harness) -> None:

    await form(h.services, 1, 700007, "77")
    await h.dp.feed_update(h.bot, message_update(700007, "/withdraw"))


async def s_settings(h: Harness) -> None:
    await hello(h, COORD_MOSCOW, COORD_MOSCOW_2)
    await h.dp.feed_update(h.bot, message_update(COORD_MOSCOW, "/settings"))


async def s_broadcast_draft(h: Harness) -> None:

    await hello(h, COORD_MOSCOW, COORD_MOSCOW_2)
    await form(h.services, 1, 700008, "77")
    await h.dp.feed_update(h.bot, message_update(COORD_MOSCOW, "/broadcast"))
    await h.dp.feed_update(
        h.bot, message_update(COORD_MOSCOW, "Напоминаем: приём заявок до 1 апреля.")
    )


async def s_progress(h: Harness) -> None:

    await hello(h, FEDERAL, FEDERAL_2)
    await form(h.services, 1, 700009, "77")
    await h.dp.feed_update(h.bot, message_update(FEDERAL, "/progress"))


async def say(h: Harness, user: int, *texts: str) -> None:
    for t in texts:
        await h.dp.feed_update(h.bot, message_update(user, t))


async def s_language(h: Harness) -> None:
    await say(h, 700011, "/start", "/language")


async def s_invite(h: Harness) -> None:
    await hello(h, FEDERAL, FEDERAL_2)
    await say(h, FEDERAL, "/invite")


async def s_invitation_link(h: Harness) -> None:
    """A one-time invitation opened by the invitee: «Принять» (R-ROLE: invitations)."""
    import re

    await hello(h, ADMIN_ID)
    await say(h, ADMIN_ID, "/invite")
    admin = h.person(ADMIN_ID)
    await admin.press("Координатор региона")
    await admin.press("г. Москва")
    reply = await admin.send("Петров Пётр Петрович")
    match = re.search(r"start=(\S+?)[\s<\"]", reply + " ")
    assert match, reply
    await say(h, 700012, f"/start {match.group(1)}")


async def s_staff(h: Harness) -> None:
    """The staff list with a revocable invited coordinator (R-ROLE)."""
    await hello(h, FEDERAL, FEDERAL_2)
    await s_invitation_link(h)
    await h.person(700012).press("Да, это я")
    await say(h, FEDERAL, "/staff")


async def s_tasks(h: Harness) -> None:

    await hello(h, FEDERAL, FEDERAL_2, COORD_MOSCOW, COORD_MOSCOW_2)
    await accepted_in(h.services, 1, 700013, "77")
    await h.services.tasks.publish(
        FEDERAL, 1, "Кейс-задание", "task-file-1", "кейс.pdf", time_limit_minutes=60
    )
    await h.drain([])
    await say(h, FEDERAL, "/tasks")
    await say(h, 700013, "/tasks")


async def s_remote(h: Harness) -> None:

    await hello(h, COORD_MOSCOW, COORD_MOSCOW_2)
    pid = await accepted_in(h.services, 1, 700014, "77")
    await accepted_in(h.services, 1, 700015, "77")
    await h.services.remote.add_slot(
        COORD_MOSCOW, 1, pid, h.clock.at + timedelta(days=5), 30, "https://meet.example.org/x"
    )
    await h.drain([])
    await say(h, COORD_MOSCOW, "/remote")


async def _scheme(h: Harness, *, lock: bool) -> int:

    await hello(h, CHIEF, CHIEF_2, 100004)
    await participants(h, 2)  # type: ignore[arg-type]
    sc = h.services
    scheme_id = (
        await sc.schemes.load_scheme(CHIEF, 1, parse_scheme_yaml(SCHEME.read_bytes()))
    ).scheme_id
    await sc.scoring_setup.build_targets(CHIEF, scheme_id)
    if lock:
        t1 = (await sc.scoring_setup.targets(CHIEF, scheme_id))[0][0]
        await sc.scoring_setup.set_mentor(CHIEF, t1, MENTOR)
        await sc.schemes.lock_scheme(CHIEF, scheme_id)
    await h.drain([])
    return scheme_id


async def s_scheme_loaded(h: Harness) -> None:
    await _scheme(h, lock=False)
    await say(h, CHIEF, "/scoring")


async def s_scoring_expert(h: Harness) -> None:
    await _scheme(h, lock=True)
    await say(h, 100004, "/scoring")


async def s_scoring_review(h: Harness) -> None:
    """Issue #16: expert 100004 has scored participant №2 (the review opens from the
    worklist); the first judgement aspect was flagged (0, 2, 3, 3, R-SCO-1) and 100004 has
    re-scored it — the notice's «Оценить заново» stays on screen."""
    scheme_id = await _scheme(h, lock=True)
    sc = h.services
    t2 = (await sc.scoring_setup.targets(CHIEF, scheme_id))[1][0]
    item = await sc.marks.score_item(100004, t2)
    while item is not None:
        await sc.marks.enter_mark(100004, t2, item.aspect_id, 1 if item.kind != "judgement" else 0)
        item = await sc.marks.score_item(100004, t2)
    first = next(
        c
        for sec in (await sc.expert_sheets.sheet(100004, t2)).sections
        for c in sec.cells
        if c.kind == "judgement"
    )
    for expert, value in ((100005, 2), (100007, 3), (100008, 3)):
        await sc.marks.enter_mark(expert, t2, first.aspect_id, value)
    await h.drain([])
    await sc.marks.enter_mark(100004, t2, first.aspect_id, 2)
    await say(h, 100004, "/scoring")


async def s_scores_locked(h: Harness) -> None:
    """Every mark in, sheets confirmed, scores locked: the lock protocol out for signing (R-PRO)."""

    await hello(h, CHIEF, CHIEF_2, COORD_MOSCOW, COORD_MOSCOW_2, 100004)
    await named_participants(h)  # type: ignore[arg-type]
    await locked_scheme(h)  # type: ignore[arg-type]
    await h.drain([])
    await say(h, COORD_MOSCOW, "/publish")
    await say(h, CHIEF, "/scoring")


async def s_allowance(h: Harness) -> None:
    """R-ROLE-3: the chief asks whether the mentor may score their participant; experts vote."""

    scheme_id = await _scheme(h, lock=False)
    sc = h.services
    t1 = (await sc.scoring_setup.targets(CHIEF, scheme_id))[0][0]
    await sc.scoring_setup.set_mentor(CHIEF, t1, MENTOR)
    await sc.scoring_setup.ask_mentor_allowance(CHIEF, t1)
    await h.drain([])


async def s_correction(h: Harness) -> None:
    """R-SCO-6: a correction opened after the scores were locked, to be approved and signed."""

    await hello(h, CHIEF, CHIEF_2, 100004)
    await named_participants(h)  # type: ignore[arg-type]
    scheme_id, targets = await locked_scheme(h)  # type: ignore[arg-type]
    sc = h.services
    sub = next(
        x
        for x in (await sc.schemes.scheme_view(CHIEF, scheme_id)).subcriteria
        if x.group_code == "G1"
    )
    await sc.corrections.open_correction(CHIEF, targets[1], sub.id, "Проверка переноса оценок")
    await h.drain([])
    await say(h, CHIEF, "/scoring")


async def _appeals_ready(h: Harness, *, score: bool) -> Any:

    await hello(h, CHIEF, CHIEF_2, FEDERAL, FEDERAL_2, 100004, 100010, 100020, 100023)
    st = await ready(h.services, 1, h.clock, score=score)
    await h.drain([])
    return st


async def s_commission(h: Harness) -> None:

    await hello(h, FEDERAL, FEDERAL_2)
    h.clock.at = datetime(2027, 5, 3, 9, 0, tzinfo=MSK)
    await say(h, FEDERAL, "/commission")


async def s_dispute(h: Harness) -> None:
    await _appeals_ready(h, score=False)
    await say(
        h,
        CHIEF,
        "/dispute",
        "Участнику №1 выдали не тот комплект материалов",
        "Продлить время на 10 минут",
        "-",
    )


async def s_pre_appeal_vote(h: Harness) -> None:
    st = await _appeals_ready(h, score=False)
    await h.services.disputes.open_pre_appeal(
        CHIEF, st.scheme_id, "Участник пользовался подсказкой", "Снять 1 балл", "минус 1 балл"
    )
    await h.drain([])


async def s_appeal_form(h: Harness) -> None:

    await _appeals_ready(h, score=True)
    h.clock.at = at(20, 30)
    await say(h, 100010, "/appeal")


async def s_appeal_decide(h: Harness) -> None:

    st = await _appeals_ready(h, score=True)
    h.clock.at = at(20, 0)
    await file(h.services, 100010, st.targets[0], at(15, 0))
    h.clock.at = at(20, 30)
    await h.drain([])
    await say(h, 100020, "/commission")


async def _minor(h: Harness, user: int, *, send: bool) -> int:
    """R-ROLE-5: a minor in a championship (contest 2) with the parental consent filled in,
    sent for checking when ``send``."""

    cid = await load_championship(h.services, contest_file())
    pid = await applicant(h.services, cid, user, MINOR_BORN)
    await fill_consent(h.services, cid, user)
    if send:
        await h.services.guardians.submit(user, cid)
    h.jobs.jobs.clear()
    return pid


async def s_guardian_minor(h: Harness) -> None:
    await _minor(h, 700030, send=False)
    await h.dp.feed_update(h.bot, message_update(700030, "/start"))


async def s_guardian_check(h: Harness) -> None:

    await hello(h, COORD_MOSCOW, COORD_MOSCOW_2)
    pid = await _minor(h, 700031, send=True)
    await h.dp.feed_update(h.bot, callback_update(COORD_MOSCOW, CardCb(participant_id=pid).pack()))


SCENARIOS: list[Scenario] = [
    Scenario("consent", s_consent, (700001,), depth=2, covers=("pd", "px")),
    Scenario("guardian_minor", s_guardian_minor, (700030,), depth=2, covers=("gd",), per_kind=1),
    Scenario(
        "guardian_check",
        s_guardian_check,
        (COORD_MOSCOW,),
        depth=2,
        covers=("gk",),
        per_kind=1,
        skip=("sn:",),
    ),
    Scenario("form_review", s_form_review, (700002,), depth=2, covers=("f", "rg", "og")),
    Scenario(
        "pending_card", s_pending_card, (COORD_MOSCOW,), depth=3, covers=("vc", "dc"), skip=("sn:",)
    ),
    Scenario(
        "queue_pages",
        s_queue_pages,
        (COORD_MOSCOW,),
        depth=1,
        covers=("q", "vc"),
        per_kind=1,
        skip=("sn:",),
    ),
    Scenario("org_search", s_org_search, (700010,), depth=1, covers=("op", "og")),
    Scenario("accepted", s_accepted, (700004,), depth=3, covers=("nm", "pr", "nv"), per_kind=3),
    Scenario("application_ready", s_application_ready, (700005,), depth=2, covers=("ap",)),
    Scenario(
        "submitted_application",
        s_submitted_application,
        (COORD_MOSCOW,),
        depth=3,
        covers=("vc", "ro"),
        skip=("sn:",),
    ),
    Scenario(
        "applications_pages",
        s_applications_pages,
        (COORD_MOSCOW,),
        depth=1,
        covers=("as",),
        per_kind=1,
        skip=("sn:",),
    ),
    Scenario("withdraw", s_withdraw, (700007,), depth=1, covers=("wd",)),
    Scenario("settings", s_settings, (COORD_MOSCOW,), depth=2, covers=("st",)),
    Scenario("broadcast_draft", s_broadcast_draft, (COORD_MOSCOW,), depth=3, covers=("bc",)),
    Scenario("progress", s_progress, (FEDERAL,), depth=2, covers=("pg",)),
    Scenario("language", s_language, (700011,), depth=1, covers=("lang",)),
    Scenario("invite", s_invite, (FEDERAL,), depth=3, covers=("iv",), per_kind=1),
    Scenario("invitation_link", s_invitation_link, (700012,), depth=1, covers=("ia",)),
    Scenario("staff", s_staff, (FEDERAL,), depth=2, covers=("sf",), per_kind=1),
    Scenario(
        "tasks",
        s_tasks,
        (FEDERAL, 700013),
        depth=2,
        covers=("tk", "ta", "c"),
        per_kind=1,
        skip=("pt:",),
    ),
    Scenario(
        "remote",
        s_remote,
        (COORD_MOSCOW, 700014),
        depth=3,
        covers=("rs", "rc"),
        per_kind=1,
        skip=("pt:",),
    ),
    Scenario(
        "scheme_loaded",
        s_scheme_loaded,
        (CHIEF,),
        depth=2,
        covers=("sgx", "sgm", "sgp", "sgt", "sga", "sgmp"),
        per_kind=1,
        skip=("pt:",),
    ),
    Scenario(
        "scoring_expert",
        s_scoring_expert,
        (100004,),
        depth=3,
        covers=("sc", "sgw"),
        per_kind=1,
        skip=("pt:",),
    ),
    Scenario(
        "scoring_review",
        s_scoring_review,
        (100004,),
        depth=4,
        covers=("sgv", "sgve", "scn"),
        per_kind=1,
        skip=("pt:", "sc:", "sgc:"),
    ),
    Scenario(
        "scores_locked",
        s_scores_locked,
        (100004, CHIEF, COORD_MOSCOW, 100010),
        depth=2,
        covers=("pt", "pb"),
        per_kind=1,
    ),
    Scenario("allowance", s_allowance, (100004, 100005), depth=1, covers=("ma",), skip=("pt:",)),
    Scenario(
        "correction",
        s_correction,
        (CHIEF, 100004),
        depth=2,
        covers=("cr",),
        per_kind=1,
        skip=("pt:", "pb:"),
    ),
    Scenario("commission", s_commission, (FEDERAL,), depth=2, covers=("cm",)),
    Scenario("dispute", s_dispute, (CHIEF,), depth=2, covers=("dpd", "dpc"), skip=("pt:",)),
    Scenario(
        "pre_appeal_vote",
        s_pre_appeal_vote,
        (100004, 100005, CHIEF),
        depth=2,
        covers=("pa",),
        skip=("pt:",),
    ),
    Scenario(
        "appeal_form",
        s_appeal_form,
        (100010,),
        depth=3,
        covers=("ax", "at", "ak"),
        per_kind=1,
        skip=("pt:",),
    ),
    Scenario(
        "appeal_decide",
        s_appeal_decide,
        (100020, 100023, CHIEF),
        depth=2,
        covers=("al", "ad"),
        per_kind=1,
        skip=("pt:",),
    ),
]
