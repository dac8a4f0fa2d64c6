"""Shared builders of the test suite: people, forms, applications, schemes, marks,
protocols and appeals built through the services, and the bot world (the real dispatcher
over a fake Bot API). Test modules import these from here, never from each other."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.methods import SetMyCommands
from sqlalchemy import insert, select

from bot.app import create_dispatcher
from bot.callbacks import button_data
from models.clock import FixedClock
from models.crypto import PersonalDataCipher
from models.db import create_engine, create_sessionmaker
from models.errors import DomainError
from models.rules import ConditionAnswers, deadline_passed, snils_checksum
from models.scheme_file import SchemeDef, parse_scheme_yaml
from models.services import ServiceContext, Services, TelegramFile
from models.services.access import is_expert
from models.services.appeals import AppealView
from models.services.base import Limits
from models.services.invitations import InviteSpec
from models.services.scoring.common import (
    aspect_outcome,
    assigned_aspects,
    check_value,
    groups_of,
    scoreable_targets,
)
from models.tables import (
    AspectResult,
    AssessmentGroup,
    AuditRecord,
    EvaluationTarget,
    GroupMember,
    Nomination,
    Organisation,
    Protocol,
    ProtocolVersion,
    Region,
    Scheme,
    SchemeAspect,
    SchemeSubcriterion,
    Score,
    Stage,
)
from tests.botkit import Person
from tests.fakes import (
    FakeTelegramSession,
    callback_update,
    document,
    make_bot,
    message_update,
)
from tests.snapshots import snapshot_of
from workers.jobs import run_job
from workers.runtime import WorkerRuntime

# --------------------------------------------------------------------------- constants, the job log

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "contest.yaml"
MSK = ZoneInfo("Europe/Moscow")
#: A day in the application period of the example contest (deadline 2027-04-01 23:59 МСК).
IN_PERIOD = datetime(2027, 2, 1, 10, 0, tzinfo=MSK)
TEST_KEY = PersonalDataCipher.generate_key().encode()


@dataclass
class JobLog:
    """The queue as the services see it: jobs handed over after commit."""

    jobs: list[tuple[str, int]] = field(default_factory=list)

    def __call__(self, job: str, entity_id: int) -> None:
        self.jobs.append((job, entity_id))

    def take(self, kind: str | None = None) -> list[int]:
        taken = [i for j, i in self.jobs if kind is None or j == kind]
        self.jobs = [(j, i) for j, i in self.jobs if kind is not None and j != kind]
        return taken


ADMIN_ID = 900001
#: people of examples/contest.yaml
COORD_MOSCOW = 100001
COORD_OBLAST = 100002
FEDERAL = 100003
EXPERT = 100004


async def ids(services: Services, contest_id: int) -> dict[str, Any]:
    """Handy ids of the example contest: regions, organisations, nominations by code."""
    async with services.ctx.sessionmaker() as s:
        regions = {
            r.code: r.id
            for r in (
                await s.execute(select(Region).where(Region.contest_id == contest_id))
            ).scalars()
        }
        orgs = {
            o.code: o.id
            for o in (
                await s.execute(
                    select(Organisation).where(Organisation.region_id.in_(regions.values()))
                )
            ).scalars()
        }
        noms = {
            n.code: n.id
            for n in (
                await s.execute(select(Nomination).where(Nomination.contest_id == contest_id))
            ).scalars()
        }
    return {"regions": regions, "orgs": orgs, "noms": noms}


# --------------------------------------------------------------------------- people: forms, acceptance, applications


COORDINATOR_OF = {"77": COORD_MOSCOW, "50": COORD_OBLAST}


SOCIAL, YOUNG, PRACTICE = "best_social_worker", "best_young_specialist", "social_contract_practice"


def snils(n: int) -> str:
    first = f"{300000000 + n * 7919:09d}"
    return first + f"{snils_checksum(first):02d}"


async def form(
    services: Services, contest_id: int, user: int, region: str | None, *, submit: bool = True
) -> int:
    """A verification form: consent, ФИО, СНИЛС, region and organisation; sent unless told."""
    known = await ids(services, contest_id)
    p = services.participants
    view = await p.give_consent(user, contest_id)
    if region is None:
        return view.id
    await p.set_full_name(user, contest_id, "Петрова Мария Ивановна")
    await p.set_snils(user, contest_id, snils(user % 1000))
    await p.set_region(user, contest_id, known["regions"][region])
    org = next(code for code in known["orgs"] if code.startswith(region))
    view = await p.set_organisation(user, contest_id, known["orgs"][org])
    if submit:
        view = await p.submit_verification(user, contest_id)
    return view.id


async def accepted_in(services: Services, contest_id: int, user: int, region: str) -> int:
    pid = await form(services, contest_id, user, region)
    await services.coordination.decide(COORDINATOR_OF[region], pid, accept=True)
    return pid


async def application(
    services: Services, contest_id: int, user: int, nomination: str, *, submit: bool
) -> None:
    known = await ids(services, contest_id)
    p = services.participants
    if nomination == SOCIAL:
        await p.choose_nomination(
            user, contest_id, known["noms"][SOCIAL], ConditionAnswers(experience_years=6)
        )
        fields = {"position": "Социальный работник", "experience_years": "6"}
        video_slot = "video"
    else:
        await p.choose_nomination(
            user, contest_id, known["noms"][YOUNG], ConditionAnswers(birth_date=date(1999, 1, 1))
        )
        fields = {"position": "Психолог", "education": "МГППУ, 2021", "experience_years": "3"}
        video_slot = "video_presentation"
    if not submit:
        return
    for code, value in fields.items():
        await p.set_field(user, contest_id, code, value)
    await p.add_file(user, contest_id, "presentation", pdf(uid=f"p{user}"))
    await p.add_file(
        user,
        contest_id,
        video_slot,
        TelegramFile(f"v{user}", f"v{user}", "clip.mp4", "video/mp4", 5_000_000),
    )
    await p.set_consent(user, contest_id, "privacy", True)
    await p.set_consent(user, contest_id, "transfer", True)
    await p.submit_application(user, contest_id)


# --------------------------------------------------------------------------- a verified participant, files


USER = 555001


SNILS = "112-233-445 95"


async def verified_form(
    services: Services, contest_id: int, user: int = USER, snils: str = SNILS, region: str = "77"
) -> int:
    known = await ids(services, contest_id)
    p = services.participants
    await p.give_consent(user, contest_id)
    await p.set_full_name(user, contest_id, "иванова анна петровна")
    await p.set_snils(user, contest_id, snils)
    await p.set_region(user, contest_id, known["regions"][region])
    org = next(code for code in known["orgs"] if code.startswith(region))
    await p.set_organisation(user, contest_id, known["orgs"][org])
    view = await p.submit_verification(user, contest_id)
    return view.id


async def accepted(services: Services, contest_id: int, user: int = USER) -> int:
    pid = await verified_form(services, contest_id, user)
    await services.coordination.decide(COORD_MOSCOW, pid, accept=True)
    return pid


def pdf(name: str = "presentation.pdf", size: int = 1_000_000, uid: str = "u1") -> TelegramFile:
    return TelegramFile(
        file_id=f"id-{uid}",
        file_unique_id=uid,
        file_name=name,
        mime_type="application/pdf",
        size=size,
    )


# --------------------------------------------------------------------------- the bot world


@dataclass
class World:
    services: Services
    dp: Dispatcher
    bot: Bot
    session: FakeTelegramSession
    jobs: JobLog
    clock: FixedClock
    files_dir: Path

    def person(self, user_id: int, name: str = "Тест") -> Person:
        return Person(self.dp, self.bot, self.session, user_id, name)

    async def drain_ticks(self) -> None:
        """One more progress tick of every broadcast (the worker repeats them on a timer)."""
        from sqlalchemy import select

        from models.tables import Broadcast

        async with self.services.ctx.sessionmaker() as s:
            running = (await s.execute(select(Broadcast.id))).scalars().all()
        for broadcast_id in running:
            self.jobs.jobs.append(("broadcast", broadcast_id))
        await self.drain()

    async def drain(self) -> list[object]:
        """Run the queued jobs as the worker would (deliver, download)."""
        rt = WorkerRuntime(
            self.bot,
            self.services.ctx.sessionmaker,
            self.clock,
            self.services,
            self.files_dir,
            buttons=button_data,
            owns_resources=False,
        )
        results = []
        while self.jobs.jobs:
            job, entity_id = self.jobs.jobs.pop(0)
            results.append(await run_job(rt, job, entity_id, self.jobs))
        return results


async def make_world(sqlite_url: str, tmp_path: Path) -> AsyncIterator[World]:
    engine = create_engine(sqlite_url)
    clock = FixedClock(IN_PERIOD)
    jobs = JobLog()
    files_dir = tmp_path / "files"
    ctx = ServiceContext(
        sessionmaker=create_sessionmaker(engine),
        cipher=PersonalDataCipher(TEST_KEY),
        clock=clock,
        jobs=jobs,
        admin_ids=frozenset({ADMIN_ID}),
        files_dir=files_dir,
    )
    services = Services(ctx)
    await services.contests.load_definition(None, EXAMPLE.read_bytes())
    session = FakeTelegramSession()
    bot = make_bot(session)
    yield World(services, dispatcher_for(services), bot, session, jobs, clock, files_dir)
    await engine.dispose()


_DISPATCHER: Dispatcher | None = None


def dispatcher_for(services: Services) -> Dispatcher:
    """aiogram routers attach to one dispatcher per process, as in production: build it
    once and give each test fresh services and empty FSM storage."""
    global _DISPATCHER
    if _DISPATCHER is None:
        _DISPATCHER = create_dispatcher(services, MemoryStorage())
    _DISPATCHER["services"] = services
    # the injected clock and limits belong to this test's services (bot.app.create_dispatcher)
    _DISPATCHER["clock"] = services.ctx.clock
    _DISPATCHER["limits"] = Limits.of(services.ctx)
    # Per-person locks belong to one event loop; each test runs on its own loop.
    _DISPATCHER.fsm.events_isolation = SimpleEventIsolation()
    _DISPATCHER.fsm.storage = MemoryStorage()
    return _DISPATCHER


async def register(world: World, user_id: int = 555001, snils: str = "123-456-789 64") -> Person:
    """Consent → ФИО → СНИЛС → region → organisation → sent («На рассмотрении»)."""
    p = world.person(user_id, "Анна")
    await p.send("/start")
    await p.press("Согласен(а) на обработку")
    await p.send("Иванова Анна Петровна")
    await p.send(snils)
    await p.press("г. Москва")
    await p.press("«Арбат»")
    reply = await p.press("Отправить на проверку")
    assert "На рассмотрении" in reply
    return p


async def approve(world: World, participant_name: str = "Иванова Анна Петровна") -> None:
    coord = world.person(COORD_MOSCOW, "Ольга")
    reply = await coord.send("/start")
    assert "/queue" in reply and "согласие" not in reply  # staff see their tools
    queue = await coord.send("/queue")
    assert participant_name in queue
    card = await coord.press(participant_name)
    assert "***-***-*** 64" in card
    assert "Подтверждено" in await coord.press("Принять")  # issue #15: one word for R-VER-3


# --------------------------------------------------------------------------- a person who speaks English


@dataclass
class Speaker(Person):
    """A chat participant whose Telegram app is set to ``language_code``."""

    language_code: str = "en"

    async def send(self, text: str | None = None, **_: object) -> str:  # type: ignore[override]
        mark = self._mark()
        await self.dp.feed_update(
            self.bot,
            message_update(
                self.user_id, text, first_name=self.name, language_code=self.language_code
            ),
        )
        return "\n".join(self._texts_since(mark))

    async def press_data(self, data: str, message_id: int = 1) -> str:
        mark = self._mark()
        message = self.session.state.messages.get((str(self.user_id), message_id), {})
        update = callback_update(
            self.user_id,
            data,
            message_id=message_id,
            message_text=message.get("text") or "…",
            first_name=self.name,
            language_code=self.language_code,
        )
        await self.dp.feed_update(self.bot, update)
        return "\n".join(self._texts_since(mark))


# --------------------------------------------------------------------------- staff invitations


NEW = 700001


LINK = re.compile(r"https://t\.me/contest_test_bot\?start=(inv_[A-Za-z0-9_-]+)")


def coordinator(name: str = "Петров Пётр Петрович", region: str = "77") -> InviteSpec:
    return InviteSpec(role="coordinator", name=name, regions=(region,))


def menus_for(world: World, chat_id: int) -> list[list[str]]:
    return [
        [c.command for c in r.commands]
        for r in world.session.calls(SetMyCommands)
        if r.scope is not None and str(getattr(r.scope, "chat_id", "")) == str(chat_id)
    ]


# --------------------------------------------------------------------------- schemes, targets and marks


SCHEME_YAML = ROOT / "examples" / "scheme.yaml"


CHIEF = 100006


G1 = (100004, 100005, 100007, 100008)


G2 = (100005, 100007, 100009, 100010)


MENTOR = 100010


EXPERTS = (100004, 100005, 100006, 100007, 100008, 100009, 100010)


#: participants: three in Moscow (77), one in Moscow oblast (50)
PEOPLE = ((701, "77"), (702, "77"), (703, "77"), (751, "50"))


def example_dict() -> dict[str, Any]:
    return yaml.safe_load(SCHEME_YAML.read_text(encoding="utf-8"))


def small_scheme(
    *, judgements: int = 1, stage: str = "regional", ranking: str = "by_region"
) -> SchemeDef:
    """A scheme of the example's shape but with a handful of aspects (the 50–200 and
    100-point rules are the validator's business, tested in tests/unit/test_rules.py; the engine
    scores whatever scheme it is given). Subcriterion 1.1 (group G1): ``judgements``
    judgement aspects of 2 points, a binary of 1 and a discrete of 1 (0 / 0.5 / 1);
    subcriterion 1.2 (group G2): judgements of 2 and of 1 point."""
    g1 = [
        {"code": f"1.1.{i + 1}", "title": f"Суждение {i + 1}", "kind": "judgement", "max_points": 2}
        for i in range(judgements)
    ]
    g1 += [
        {"code": "1.1.b", "title": "Да или нет", "kind": "binary", "max_points": 1},
        {
            "code": "1.1.d",
            "title": "По таблице",
            "kind": "discrete",
            "max_points": 1,
            "options": [
                {"label": "не выполнено", "points": 0},
                {"label": "частично", "points": 0.5},
                {"label": "полностью", "points": 1},
            ],
        },
    ]
    data = {
        "nomination": SOCIAL,
        "stage": stage,
        "title": "Малая схема",
        "ranking": ranking,
        "groups": example_dict()["groups"],
        "criteria": [
            {
                "code": "1",
                "title": "Критерий",
                "subcriteria": [
                    {"code": "1.1", "title": "Первый", "group": "G1", "aspects": g1},
                    {
                        "code": "1.2",
                        "title": "Второй",
                        "group": "G2",
                        "aspects": [
                            {
                                "code": "1.2.1",
                                "title": "Суждение А",
                                "kind": "judgement",
                                "max_points": 2,
                            },
                            {
                                "code": "1.2.2",
                                "title": "Суждение Б",
                                "kind": "judgement",
                                "max_points": 1,
                            },
                        ],
                    },
                ],
            }
        ],
    }
    return SchemeDef.model_validate(data)


@dataclass
class Setup:
    scheme_id: int
    targets: list[int]  # by number: 701, 702, 703 (77), 751 (50)
    aspects: dict[str, int]  # aspect code -> id
    subs: dict[str, int]  # subcriterion code -> id


async def people(services: Services, contest_id: int, who: tuple[tuple[int, str], ...]) -> None:
    for user, region in who:
        await accepted_in(services, contest_id, user, region)
        await application(services, contest_id, user, SOCIAL, submit=True)
    # the experts have talked to the bot: the outbox can reach them
    for tid in (*EXPERTS, COORD_MOSCOW):
        await services.participants.mute_reminders(tid, False)


async def setup(
    services: Services,
    contest_id: int,
    *,
    d: SchemeDef | None = None,
    count: int = 4,
    lock: bool = True,
    mentor: bool = True,
    who: tuple[tuple[int, str], ...] | None = None,
) -> Setup:
    """Participants with submitted applications, a scheme loaded (and locked), its targets
    built, a mentor set: built through the services once per session, then a snapshot."""
    key = f"setup {contest_id} {d!r} {count} {lock} {mentor} {who}"
    return await snapshot_of(
        services, key, lambda: _setup(services, contest_id, d, count, lock, mentor, who)
    )


async def _setup(
    services: Services,
    contest_id: int,
    d: SchemeDef | None,
    count: int,
    lock: bool,
    mentor: bool,
    who: tuple[tuple[int, str], ...] | None,
) -> Setup:
    await people(services, contest_id, who or PEOPLE[:count])
    sc = services
    r = await sc.schemes.load_scheme(CHIEF, contest_id, d or small_scheme())
    if lock:
        await sc.schemes.lock_scheme(CHIEF, r.scheme_id)
    await sc.scoring_setup.build_targets(CHIEF, r.scheme_id)
    targets = [t[0] for t in await sc.scoring_setup.targets(CHIEF, r.scheme_id)]
    if mentor:
        await sc.scoring_setup.set_mentor(CHIEF, targets[0], MENTOR)
    async with services.ctx.sessionmaker() as s:
        aspects = dict(
            (
                await s.execute(
                    select(SchemeAspect.code, SchemeAspect.id).where(
                        SchemeAspect.scheme_id == r.scheme_id
                    )
                )
            ).all()
        )
        subs = dict(
            (
                await s.execute(
                    select(SchemeSubcriterion.code, SchemeSubcriterion.id).where(
                        SchemeSubcriterion.scheme_id == r.scheme_id
                    )
                )
            ).all()
        )
    return Setup(r.scheme_id, targets, aspects, subs)


LEVELS = {0: 3, 1: 3, 2: 1, 3: 2}  # by target index: 701 and 702 equal, 703 lowest, 751 alone in 50


def level_mark(kind: str, level: int) -> int:
    if kind == "judgement":
        return level
    if kind == "binary":
        return 1 if level >= 2 else 0
    return min(level, 2)


async def score_all(
    services: Services,
    st: Setup,
    *,
    experts: tuple[int, ...] = (*G1, 100009, 100010),
    confirm: bool = True,
    levels: dict[int, int] = LEVELS,
) -> None:
    """Every expert scores every item of their worklist (a mark by the target's level),
    through the services the first time, then from a snapshot (tests of entry itself call
    ``services.marks`` directly)."""
    key = f"score_all {st!r} {experts} {confirm} {sorted(levels.items())}"
    await snapshot_of(services, key, lambda: _score_all(services, st, experts, confirm, levels))


async def _score_all(
    services: Services,
    st: Setup,
    experts: tuple[int, ...],
    confirm: bool,
    levels: dict[int, int],
) -> None:
    def value(_expert: int, item: BulkItem) -> int:
        return level_mark(item.kind, levels[st.targets.index(item.target_id)])

    # each expert's marks in bulk (the same rows as entered one by one, tests/services/test_builders.py)
    for e in experts:
        await bulk_score(services, st.scheme_id, (e,), value)
        if confirm:
            await services.marks.confirm_sheet(e, st.scheme_id)


# --------------------------------------------------------------------------- scoring in the chat


SCHEME = ROOT / "examples" / "scheme.yaml"


VALUE = {"judgement": 2, "binary": 1, "discrete": 2}


async def participants(world: World, n: int = 2) -> None:
    for i in range(n):
        user = 700001 + i
        await accepted_in(world.services, 1, user, "77")
        await application(world.services, 1, user, SOCIAL, submit=True)
    world.jobs.take("download")  # the application files are not what this test is about


async def send_scheme(chief: Person, world: World, raw: bytes, file_id: str) -> str:
    world.session.add_file(file_id, raw)
    return await chief.send(
        document=document(file_id, "scheme.yaml", "application/x-yaml", len(raw))
    )


async def fill_by_service(
    world: World,
    scheme_id: int,
    experts: tuple[int, ...],
    value_of: Callable[[int, BulkItem], int] | None = None,
) -> None:
    """Every mark of the experts' worklists (``VALUE`` by kind unless ``value_of`` says),
    in bulk: the very rows ``services.marks.enter_mark`` leaves mark by mark (proved by
    tests/services/test_builders.py). A precondition; tests of entry call the service themselves."""
    await bulk_score(
        world.services,
        scheme_id,
        experts,
        value_of or (lambda _e, item: VALUE[item.kind]),
    )


# --------------------------------------------------------------------------- a locked scheme, scored


CHIEF, MENTOR = 100006, 100010


LOCKED_SCHEME_EXPERTS = (100004, 100005, 100007, 100008, 100009, 100010)


NAMES = {
    700001: "Алексеева Дарья Павловна",
    700002: "Борисов Глеб Олегович",
    700003: "Васильева Елена Юрьевна",
    700004: "Григорьев Илья Романович",
}


async def named_participants(world: World) -> None:
    """Four accepted participants of Moscow with submitted applications, distinct names."""
    p = world.services.participants
    for user, name in NAMES.items():
        await form(world.services, 1, user, "77", submit=False)
        await p.set_full_name(user, 1, name)
        pid = (await p.submit_verification(user, 1)).id
        await world.services.coordination.decide(COORDINATOR_OF["77"], pid, accept=True)
        await application(world.services, 1, user, SOCIAL, submit=True)
    world.jobs.take("download")


async def locked_scheme(world: World) -> tuple[int, list[int]]:
    """Scheme loaded and locked, every aspect scored (№1 best … №4 worst), sheets confirmed,
    scores locked by the chief expert. Returns the scheme and its targets in order."""
    sc = world.services
    scheme_id = (
        await sc.schemes.load_scheme(CHIEF, 1, parse_scheme_yaml(SCHEME.read_bytes()))
    ).scheme_id
    assert await sc.scoring_setup.build_targets(CHIEF, scheme_id) == 4
    targets = [t[0] for t in await sc.scoring_setup.targets(CHIEF, scheme_id)]
    await sc.scoring_setup.set_mentor(CHIEF, targets[0], MENTOR)
    await sc.schemes.lock_scheme(CHIEF, scheme_id)
    rank = {t: i for i, t in enumerate(targets)}

    def value(expert: int, item: BulkItem) -> int:
        r = rank[item.target_id]
        if item.kind == "judgement":
            return 3 - r
        if item.kind == "binary":
            return 1 if r < 2 else 0
        return max(0, 2 - r)

    await fill_by_service(world, scheme_id, LOCKED_SCHEME_EXPERTS, value)
    for e in LOCKED_SCHEME_EXPERTS:
        await sc.marks.confirm_sheet(e, scheme_id)
    await sc.score_lock.lock_scores(CHIEF, scheme_id)
    return scheme_id, targets


# --------------------------------------------------------------------------- protocols rendered


async def render(services: Services, jobs: JobLog, *kinds: str) -> list[int]:
    """Run the queued ``protocol`` jobs of these kinds (all when none named) as the worker
    would; the others are dropped unrendered. Returns the version ids rendered."""
    rt = WorkerRuntime(
        None,
        services.ctx.sessionmaker,
        services.ctx.clock,
        services,
        services.ctx.files_dir,
        buttons=button_data,
        owns_resources=False,
    )  # type: ignore[arg-type]
    done = []
    for version_id in jobs.take("protocol"):
        if kinds and await kind_of(services, version_id) not in kinds:
            continue
        await run_job(rt, "protocol", version_id)
        done.append(version_id)
    return done


async def kind_of(services: Services, version_id: int) -> str:
    async with services.ctx.sessionmaker() as s:
        return (
            await s.execute(
                select(Protocol.kind)
                .join(ProtocolVersion, ProtocolVersion.protocol_id == Protocol.id)
                .where(ProtocolVersion.id == version_id)
            )
        ).scalar_one()


async def protocol_of(services: Services, kind: str) -> Protocol:
    async with services.ctx.sessionmaker() as s:
        return (await s.execute(select(Protocol).where(Protocol.kind == kind))).scalar_one()


# --------------------------------------------------------------------------- appeals: the commission, filing, times


CHAIR, SECRETARY, SAME_ORG, MEMBER, MEMBER_2 = 100020, 100021, 100022, 100023, 100024


COMMISSION = (CHAIR, SECRETARY, SAME_ORG, MEMBER, MEMBER_2)


ACCREDITED = (100004, 100005, 100006, 100007, 100008, 100009, 100010)


DAY = date(2027, 5, 10)


FIELDS = {
    "applicant_name": "Козлов Игорь Николаевич",
    "applicant_category": "эксперт-наставник",
    "contacts": "+7 900 000-00-00",
    "place": "Площадка № 1, аудитория 12",
    "violators": "эксперт группы оценки № 1",
    "witnesses": "Орлов Д. И., технический эксперт",
    "description": "Оценка выставлена до окончания выполнения задания (п. 5.3 регламента).",
    "demands": "Пересмотреть оценку по аспекту 1.1.1",
}


EVIDENCE = [{"kind": "photo", "file_id": "photo-1", "name": "фото.jpg"}]


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MSK)


NEXT = DAY + timedelta(days=1)


async def ready(
    services: Services, contest_id: int, clock: FixedClock, *, count: int = 4, score: bool = False
) -> Setup:
    """A locked scheme with targets (701 has the mentor; 702, 703 Moscow; 751 oblast), scored
    if told, and the commission formed a week before the disputes."""
    st = await setup(services, contest_id, count=count)
    if score:
        await score_all(services, st)
        await services.score_lock.lock_scores(CHIEF, st.scheme_id)
    clock.at = at(9, 0, date(2027, 5, 3))
    await services.commission.form_commission(
        FEDERAL, contest_id, stage_id=await federal_stage(services, contest_id), deputy=MEMBER
    )
    return st


async def federal_stage(services: Services, contest_id: int) -> int:
    """R-APL-6 (issue #15): the commission is formed against a stage chosen explicitly."""
    return next(
        st.id
        for st in await services.commission.commission_stages(FEDERAL, contest_id)
        if st.title == "Федеральный этап"
    )


async def file(
    services: Services,
    actor: int,
    target: int,
    dispute_at: datetime,
    *,
    kind: str = "scoring_procedure",
    fields: dict[str, str] | None = None,
    evidence: list[dict[str, str]] | None = None,
) -> AppealView:
    return await services.appeals.file(
        actor,
        target,
        kind=kind,
        dispute_at=dispute_at,
        fields=FIELDS if fields is None else fields,
        evidence=EVIDENCE if evidence is None else evidence,
    )


async def refused(exc: type[DomainError], code: str, coro: Any) -> DomainError:
    with pytest.raises(exc) as err:
        await coro
    assert err.value.code == code, err.value
    return err.value


async def rows(services: Services, model: Any, *where: Any) -> list[Any]:
    async with services.ctx.sessionmaker() as s:
        return list((await s.execute(select(model).where(*where).order_by(model.id))).scalars())


def count(telegram: FakeTelegramSession, user: int, needle: str) -> int:
    return sum(needle in t for t in telegram.sent_texts(user))


# --------------------------------------------------------------------------- signatures and publication


async def sign_score_lock(services: Services, jobs: JobLog) -> None:
    """R-PRO-4: the score-lock protocol rendered and signed by everyone."""
    await render(services, jobs, "score_lock")
    lock = await protocol_of(services, "score_lock")
    for x in (await services.protocols.view(CHIEF, lock.id)).signers:
        await services.signing.sign(x.telegram_id, lock.id, lock.current_version)


async def results_protocol(
    services: Services, jobs: JobLog, st: Setup
) -> tuple[int, int, list[int]]:
    """The results protocol made (again) and rendered: (id, version, signers)."""
    pid = await services.publication.issue_results_protocol(FEDERAL, st.scheme_id)
    await render(services, jobs, "results")
    view = await services.protocols.view(FEDERAL, pid)
    return pid, view.version, [x.telegram_id for x in view.signers]


async def sign_all(services: Services, pid: int, version: int, signers: list[int]) -> None:
    for who in signers:
        await services.signing.sign(who, pid, version)


# --------------------------------------------------------------------------- the newest row


def newest(p: Person, label: str) -> tuple[str, int]:
    for mid, text, data in p.buttons():
        if label in text:
            return data, mid
    raise AssertionError(f"no button {label!r}: {[t for _, t, _ in p.buttons()][:15]}")


# --------------------------------------------------------------------------- the championship and minors


MINOR_BORN = date(2011, 1, 1)  # 16 on the stage date (2027-03-15)


def championship(base: bytes | None = None) -> bytes:
    """examples/contest.yaml as a championship whose stage starts after the registration
    period of the tests' clock (R-VER-6)."""
    text = (base or EXAMPLE.read_bytes()).decode()
    text = text.replace("code: soc-2027", "code: champ-2027", 1).replace(
        "kind: social_services", "kind: championship", 1
    )
    text = text.replace("starts_at: 2026-12-01", "starts_at: 2027-03-15", 1)
    return text.encode()


async def load_championship(services: Services, base: bytes | None = None) -> int:
    return (await services.contests.load_definition(None, championship(base))).contest_id


async def applicant(services: Services, cid: int, user: int, born: date) -> int:
    """Accepted, nomination chosen with a birth date, everything of the application in."""
    pid = await accepted_in(services, cid, user, "77")
    known = await ids(services, cid)
    p = services.participants
    await p.choose_nomination(user, cid, known["noms"][YOUNG], ConditionAnswers(birth_date=born))
    for code, value in {
        "position": "Стажёр",
        "education": "Колледж, 2026",
        "experience_years": "0",
    }.items():
        await p.set_field(user, cid, code, value)
    await p.add_file(user, cid, "presentation", pdf(uid=f"p{user}"))
    await p.add_file(
        user,
        cid,
        "video_presentation",
        TelegramFile(f"v{user}", f"v{user}", "clip.mp4", "video/mp4", 5_000_000),
    )
    await p.set_consent(user, cid, "privacy", True)
    await p.set_consent(user, cid, "transfer", True)
    return pid


async def fill_consent(services: Services, cid: int, user: int) -> None:
    g = services.guardians
    await g.set_guardian_name(user, cid, "иванова мария петровна")
    await g.set_relation(user, cid, "mother")
    await g.set_form(
        user, cid, TelegramFile(f"f{user}", f"f{user}", "soglasie.pdf", "application/pdf", 300_000)
    )
    await g.set_companion_name(user, cid, "Сидоров Пётр Ильич")
    await g.set_companion_phone(user, cid, "8 (900) 123-45-67")


# --------------------------------------------------------------------------- marks in bulk


@dataclass(frozen=True)
class BulkItem:
    """One mark to give, as the builders' ``value_of(expert, item)`` sees it."""

    target_id: int
    aspect_id: int
    kind: str
    code: str
    options: int  # of a discrete aspect (0 for the others)


async def bulk_score(
    services: Services,
    scheme_id: int,
    experts: tuple[int, ...],
    value_of: Callable[[int, BulkItem], int],
    *,
    only: set[int] | None = None,
) -> int:
    """Every mark of the experts' worklists (their groups' aspects of every target they
    may score, R-SCO-4 and R-ROLE-3; ``only`` narrows the targets) written in one
    transaction with a few multi-row INSERTs: the same ``scores``, ``aspect_results`` and
    ``audit_log`` rows as ``services.marks.enter_mark`` mark by mark in the same order
    (proved by tests/services/test_builders.py). A precondition builder, not a test of entry: the
    marks must agree (R-SCO-1…3 — a re-score or a tie is refused); marks already given are
    kept, as ``score_item`` skips them. Returns how many marks were written."""
    now = services.ctx.clock.now()
    async with services.ctx.sessionmaker() as s:
        scheme = await s.get(Scheme, scheme_id)
        assert scheme is not None and scheme.locked_at is not None
        assert scheme.scores_locked_at is None
        stage = await s.get(Stage, scheme.stage_id)
        assert stage is None or not deadline_passed(stage.evaluation_deadline, now), "R-APP-7"
        existing = (
            (
                await s.execute(
                    select(Score)
                    .join(EvaluationTarget, EvaluationTarget.id == Score.target_id)
                    .where(EvaluationTarget.scheme_id == scheme_id)
                )
            )
            .scalars()
            .all()
        )
        given = {(m.target_id, m.aspect_id, m.expert_telegram_id): m for m in existing}
        results = {
            (r.target_id, r.aspect_id): r
            for r in (
                await s.execute(select(AspectResult).where(AspectResult.scheme_id == scheme_id))
            ).scalars()
        }
        subs = {
            x.id: x
            for x in (
                await s.execute(
                    select(SchemeSubcriterion).where(SchemeSubcriterion.scheme_id == scheme_id)
                )
            ).scalars()
        }
        members: dict[int, list[int]] = {}
        for group_id, tid in (
            await s.execute(
                select(GroupMember.group_id, GroupMember.telegram_id)
                .join(AssessmentGroup, AssessmentGroup.id == GroupMember.group_id)
                .where(AssessmentGroup.scheme_id == scheme_id)
            )
        ).all():
            members.setdefault(group_id, []).append(tid)
        marks: list[tuple[int, EvaluationTarget, SchemeAspect, int]] = []
        for e in experts:
            assert await is_expert(s, e, scheme.contest_id), e
            groups = await groups_of(s, e, scheme_id)
            assert groups, f"{e} is in no group of the scheme"
            aspects = await assigned_aspects(s, e, scheme_id, groups)
            for t in await scoreable_targets(s, e, scheme_id):
                if only is not None and t.id not in only:
                    continue
                for a in aspects:
                    mine = given.get((t.id, a.id, e))
                    if mine is not None:  # given already, as score_item skips it
                        assert not mine.stale, "bulk_score does not re-score"
                        continue
                    value = value_of(e, BulkItem(t.id, a.id, a.kind, a.code, len(a.options or [])))
                    check_value(a, value)
                    marks.append((e, t, a, value))
        # the group's result of every aspect touched, in the order of its first mark
        values: dict[tuple[int, int], dict[int, int]] = {}
        for e, t, a, value in marks:
            values.setdefault((t.id, a.id), {})[e] = value
        new_results: list[dict[str, Any]] = []
        for _e, t, a, _ in marks:
            key = (t.id, a.id)
            if key not in values:
                continue  # done at its first mark
            scorers = [
                m
                for m in members.get(subs[a.subcriterion_id].group_id or 0, [])
                if m != t.mentor_telegram_id or t.mentor_allowed_at is not None
            ]
            fresh = {
                m.expert_telegram_id: m.value
                for k, m in given.items()
                if k[:2] == key and not m.stale and m.expert_telegram_id in scorers
            }
            fresh.update({x: v for x, v in values.pop(key).items() if x in scorers})
            state, points = "incomplete", None
            if scorers and len(fresh) >= len(scorers):
                state, points = aspect_outcome(a, list(fresh.values()))
                assert state == "scored", f"bulk_score: {state} at {a.code} of target {t.id}"
            old = results.get(key)
            if old is None:
                new_results.append(
                    {
                        "target_id": t.id,
                        "aspect_id": a.id,
                        "scheme_id": scheme_id,
                        "state": state,
                        "marks": len(fresh),
                        "points": points,
                        "rounds": 0,
                        "updated_at": now,
                    }
                )
            else:
                assert old.state == "incomplete", f"bulk_score: {old.state} at {a.code}"
                old.state, old.points, old.marks, old.updated_at = state, points, len(fresh), now
        if new_results:
            await s.execute(insert(AspectResult), new_results)
        if marks:
            await s.execute(
                insert(Score),
                [
                    {
                        "target_id": t.id,
                        "aspect_id": a.id,
                        "expert_telegram_id": e,
                        "value": value,
                        "stale": False,
                        "entered_at": now,
                        "updated_at": now,
                    }
                    for e, t, a, value in marks
                ],
            )
            score_ids = {
                (t, a, e): i
                for i, t, a, e in (
                    await s.execute(
                        select(Score.id, Score.target_id, Score.aspect_id, Score.expert_telegram_id)
                        .join(EvaluationTarget, EvaluationTarget.id == Score.target_id)
                        .where(EvaluationTarget.scheme_id == scheme_id)
                    )
                ).all()
            }
            await s.execute(
                insert(AuditRecord),
                [
                    {
                        "at": now,
                        "actor_telegram_id": e,
                        "action": "score.enter",
                        "entity": "score",
                        "entity_id": score_ids[(t.id, a.id, e)],
                        "contest_id": scheme.contest_id,
                        "before": None,
                        "after": {"value": value, "target_id": t.id, "aspect": a.code, "expert": e},
                    }
                    for e, t, a, value in marks
                ],
            )
        await s.commit()
    return len(marks)
