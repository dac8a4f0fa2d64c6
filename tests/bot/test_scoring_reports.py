"""Scoring reports on SQLite and PostgreSQL: the coordinators' XLSX export (results with
places and medals, score sheets with every expert's mark — R-RES-1, R-SCO-5, R-APP-8), who
may see the sheets and when, and the experts' evaluation-deadline reminder (R-REM-3,
R-APP-7, R-REM-6) through the sweep and a real Dramatiq worker."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import dramatiq
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models import rules
from models.clock import FixedClock
from models.errors import DomainError, Forbidden
from models.scheme_file import SchemeDef, parse_scheme_yaml
from models.services import Services
from models.services.scoring.reports import ScoringReportService
from models.tables import (
    Delivery,
    EvaluationTarget,
    GroupMember,
    Participant,
    Person,
    ReminderRun,
    SchemeAspect,
    SchemeSubcriterion,
)
from notifications.exports import scoring_workbook
from notifications.i18n import t
from tests.builders import SOCIAL, BulkItem, accepted_in, application, bulk_score
from tests.conftest import ADMIN_ID, COORD_MOSCOW, FEDERAL, MSK, drain
from tests.fakes import FakeTelegramSession
from workers.actors import sweep

SCHEME_FILE = Path(__file__).resolve().parents[2] / "examples" / "scheme.yaml"
CHIEF, MENTOR = 100006, 100010
G1 = (100004, 100005, 100007, 100008)
G2 = (100005, 100007, 100009, 100010)
EXPERTS = (100004, 100005, 100007, 100008, 100009, 100010)
#: the regional stage of examples/contest.yaml evaluates by 1 June 2027 (R-APP-7)
EVALUATION_DEADLINE = datetime(2027, 6, 1, 23, 59, 59, tzinfo=MSK)
#: participants: user → region; each target's marks follow a level (3 best … 1)
PEOPLE = {801: "77", 802: "77", 803: "77"}
LEVEL = {801: 3, 802: 1, 803: 3}


def scheme_def() -> SchemeDef:
    return parse_scheme_yaml(SCHEME_FILE.read_bytes())


async def locked_scheme(
    services: Services, contest_id: int, people: dict[int, str] = PEOPLE
) -> tuple[int, dict[int, int]]:
    """The example scheme, locked, with a target per participant (user → target id)."""
    for user, region in people.items():
        await accepted_in(services, contest_id, user, region)
        await application(services, contest_id, user, SOCIAL, submit=True)
    sc = services
    loaded = await sc.schemes.load_scheme(CHIEF, contest_id, scheme_def())
    await sc.schemes.lock_scheme(CHIEF, loaded.scheme_id)
    assert await sc.scoring_setup.build_targets(CHIEF, loaded.scheme_id) == len(people)
    async with services.ctx.sessionmaker() as s:
        rows = (
            await s.execute(
                select(Person.telegram_id, EvaluationTarget.id)
                .join(Participant, Participant.id == EvaluationTarget.participant_id)
                .join(Person, Person.id == Participant.person_id)
                .where(EvaluationTarget.scheme_id == loaded.scheme_id)
            )
        ).all()
    return loaded.scheme_id, dict(rows)


def mark_for(level: int, kind: str, options: int) -> int:
    """The same mark from every expert (no re-score): judgement = level, yes for level ≥ 2,
    the discrete option of index level − 1."""
    if kind == rules.AspectKind.JUDGEMENT:
        return level
    if kind == rules.AspectKind.BINARY:
        return 1 if level >= 2 else 0
    return min(level - 1, options - 1)


def two(_expert: int, item: BulkItem) -> int:
    """Level 2 from every expert, for ``bulk_score``."""
    return mark_for(2, item.kind, item.options)


def expected_total(level: int) -> Decimal:
    total = Decimal(0)
    for _, a in scheme_def().aspects():
        if a.kind == rules.AspectKind.JUDGEMENT:
            total += rules.judgement_points([level] * 4, a.max_points)
        elif a.kind == rules.AspectKind.BINARY:
            total += a.max_points if level >= 2 else Decimal(0)
        else:
            total += Decimal(a.options[min(level - 1, len(a.options) - 1)].points)
    return rules.quantize_points(total)


async def score(
    services: Services,
    scheme_id: int,
    expert: int,
    level_of: dict[int, int],
    *,
    only: set[int] | None = None,
) -> int:
    """Every aspect of every target the expert scores (their worklist), as ``level_of``
    (target id → level) says; the first target goes through ``score_item`` as the chat
    does, the rest straight by aspect. Returns how many marks were entered."""
    sc = services
    async with services.ctx.sessionmaker() as s:
        aspects = (
            (
                await s.execute(
                    select(SchemeAspect)
                    .join(SchemeSubcriterion, SchemeSubcriterion.id == SchemeAspect.subcriterion_id)
                    .join(GroupMember, GroupMember.group_id == SchemeSubcriterion.group_id)
                    .where(SchemeAspect.scheme_id == scheme_id, GroupMember.telegram_id == expert)
                    .order_by(SchemeAspect.id)
                )
            )
            .scalars()
            .all()
        )
    entered = 0
    wl = await sc.marks.worklist(expert, scheme_id)
    for i, tp in enumerate(wl.targets):
        if only is not None and tp.target_id not in only:
            continue
        level = level_of[tp.target_id]
        if i == 0:
            while (item := await sc.marks.score_item(expert, tp.target_id)) is not None:
                await sc.marks.enter_mark(
                    expert,
                    tp.target_id,
                    item.aspect_id,
                    mark_for(level, item.kind, len(item.options)),
                )
                entered += 1
            continue
        for a in aspects:
            await sc.marks.enter_mark(
                expert, tp.target_id, a.id, mark_for(level, a.kind, len(a.options))
            )
            entered += 1
    return entered


async def test_workbook_holds_places_medals_and_every_mark(
    services: Services, contest_id: int
) -> None:
    scheme_id, target_of = await locked_scheme(services, contest_id)
    sc = services
    reports = ScoringReportService(services.ctx)
    # the mentor does not score their own participant (R-ROLE-3)
    await sc.scoring_setup.set_mentor(CHIEF, target_of[802], MENTOR)
    level_of = {target_of[u]: LEVEL[u] for u in PEOPLE}
    for expert in EXPERTS:  # the marks in bulk: the same rows as one by one (test_builders)
        await bulk_score(
            services,
            scheme_id,
            (expert,),
            lambda _e, item: mark_for(level_of[item.target_id], item.kind, item.options),
        )
        await sc.marks.confirm_sheet(expert, scheme_id)
    # nobody sees the marks before the score lock (R-SCO-5)
    with pytest.raises(DomainError) as err:
        await reports.score_sheets(FEDERAL, scheme_id)
    assert err.value.code == "scores_not_locked"
    await sc.score_lock.lock_scores(CHIEF, scheme_id)
    # experts (the chief included) never get the sheets of everyone; coordinators do
    for who in (G1[0], CHIEF, MENTOR):
        with pytest.raises(Forbidden):
            await reports.score_sheets(who, scheme_id)
    for who in (COORD_MOSCOW, ADMIN_ID):
        assert len((await reports.score_sheets(who, scheme_id)).rows) == 60 * len(PEOPLE)

    results = await sc.results.results(FEDERAL, scheme_id)
    sheets = await reports.score_sheets(FEDERAL, scheme_id)
    book = load_workbook(io.BytesIO(scoring_workbook(results, sheets)))
    assert book.sheetnames == ["Итоги", "Ведомости"]

    ws = book["Итоги"]
    assert [c.value for c in ws[1]] == [
        "Место",
        "№",
        "Участник",
        "Регион",
        "Баллы",
        "Медаль",
        "Следующий этап",
    ]
    assert ws.freeze_panes == "A2"
    async with services.ctx.sessionmaker() as s:
        number_of = dict(
            (
                await s.execute(
                    select(EvaluationTarget.id, EvaluationTarget.number).where(
                        EvaluationTarget.scheme_id == scheme_id
                    )
                )
            ).all()
        )
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, max_row=1 + len(PEOPLE), values_only=True)}
    best, third, best_too = (number_of[target_of[u]] for u in (801, 802, 803))
    # two golds mean no silver: the next is third, bronze (R-RES-1); the region's winners
    # go on to the federal stage (R-APP-8)
    assert [rows[n][0] for n in (best, best_too, third)] == [1, 1, 3]
    assert [rows[n][5] for n in (best, best_too, third)] == ["золото", "золото", "бронза"]
    assert [rows[n][6] for n in (best, best_too, third)] == [
        "→ федеральный этап",
        "→ федеральный этап",
        None,
    ]
    assert rows[best][3] == "г. Москва" and rows[best][2] == "Петрова Мария Ивановна"
    for n, user in ((best, 801), (third, 802), (best_too, 803)):
        assert isinstance(rows[n][4], int | float) and Decimal(str(rows[n][4])) == expected_total(
            LEVEL[user]
        )
    assert expected_total(3) == Decimal("100.00")
    assert ws.cell(row=2, column=5).number_format == "0.00"
    assert str(ws.cell(row=len(PEOPLE) + 3, column=1).value).startswith("Оценки заблокированы")

    ws = book["Ведомости"]
    header = [c.value for c in ws[1]]
    names = [
        "Орлов Дмитрий Игоревич",
        "Лебедева Ирина Михайловна",
        "Морозова Елена Васильевна",
        "Новиков Сергей Петрович",
        "Фёдорова Татьяна Олеговна",
        "Козлов Игорь Николаевич",
    ]
    assert header[:12] == [
        "№",
        "Участник",
        "Регион",
        "Критерий",
        "Название критерия",
        "Субкритерий",
        "Название субкритерия",
        "Группа",
        "Аспект",
        "Название аспекта",
        "Вид",
        "Макс. баллов",
    ]
    assert header[12:18] == names and header[18:] == ["Состояние", "Баллы группы"]
    assert ws.freeze_panes == "A2"
    assert all(ws.column_dimensions[letter].width >= 8 for letter in "ABCDEFGHIJ")
    data = [r for r in ws.iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)]
    assert len(data) == 60 * len(PEOPLE)
    col = {name: i for i, name in enumerate(header)}
    # a judgement aspect of G2 for the mentor's participant: three marks, the mentor's blank
    row = next(r for r in data if r[0] == third and r[8] == "1.2.1")
    assert (
        row[3] == "1" and row[4] == "Профессиональные знания" and row[5] == "1.2" and row[7] == "G2"
    )
    assert row[10] == "судейская" and row[col["Состояние"]] == "оценено"
    assert [row[col[n]] for n in names] == [None, 1, 1, None, 1, None]
    assert row[col["Баллы группы"]] == pytest.approx(
        float(rules.judgement_points([1, 1, 1], Decimal(str(row[11]))))
    )
    # a binary and a discrete aspect: marks as numbers, discrete as the option's points
    binary = next(r for r in data if r[0] == third and r[10] == "измеримая (да/нет)")
    assert [binary[col[n]] for n in names[:4]] == [0, 0, 0, 0] and binary[col["Баллы группы"]] == 0
    discrete = next(r for r in data if r[0] == best and r[10] == "измеримая (по таблице)")
    assert discrete[col[names[0]]] == discrete[11] == discrete[col["Баллы группы"]]
    # the sheet adds up to the results
    for n in (best, third, best_too):
        assert sum(Decimal(str(r[col["Баллы группы"]])) for r in data if r[0] == n) == Decimal(
            str(rows[n][4])
        )


async def test_unscored_counts_follow_marks_mentors_and_rescores(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    reports = ScoringReportService(services.ctx)
    sc = services
    people = {801: "77", 851: "50"}
    for user, region in people.items():
        await accepted_in(services, contest_id, user, region)
        await application(services, contest_id, user, SOCIAL, submit=True)
    loaded = await sc.schemes.load_scheme(CHIEF, contest_id, scheme_def())
    await sc.scoring_setup.build_targets(CHIEF, loaded.scheme_id)
    scheme_id = loaded.scheme_id
    assert await reports.experts_with_unscored(scheme_id) == []  # not locked yet: nothing to score
    await sc.schemes.lock_scheme(CHIEF, scheme_id)
    async with services.ctx.sessionmaker() as s:
        targets = list(
            (
                await s.execute(
                    select(EvaluationTarget.id)
                    .where(EvaluationTarget.scheme_id == scheme_id)
                    .order_by(EvaluationTarget.number)
                )
            ).scalars()
        )
    await sc.scoring_setup.set_mentor(CHIEF, targets[0], MENTOR)
    left = dict(await reports.experts_with_unscored(scheme_id))
    assert left == {100004: 60, 100005: 120, 100007: 120, 100008: 60, 100009: 60, MENTOR: 30}
    # the marks in bulk: the same rows as one by one (tests/services/test_builders.py)
    await bulk_score(services, scheme_id, (100004,), two)
    await bulk_score(services, scheme_id, (100005,), two, only={targets[1]})
    left = dict(await reports.experts_with_unscored(scheme_id))
    assert 100004 not in left and left[100005] == 60
    # a spread over one sends the aspect back to every member of the group (R-SCO-1)
    item = await sc.marks.score_item(100007, targets[1])
    assert item is not None and item.kind == rules.AspectKind.JUDGEMENT and item.code == "1.1.1"
    await sc.marks.enter_mark(100007, targets[1], item.aspect_id, 0)
    assert dict(await reports.experts_with_unscored(scheme_id))[100007] == 119
    outcome = await sc.marks.enter_mark(100008, targets[1], item.aspect_id, 2)
    assert outcome.state == "rescore"
    left = dict(await reports.experts_with_unscored(scheme_id))
    assert left == {100004: 1, 100005: 61, 100007: 120, 100008: 60, 100009: 60, MENTOR: 30}


async def test_score_sheets_refused_for_an_expert_and_unknown_scheme(
    services: Services, contest_id: int
) -> None:
    reports = ScoringReportService(services.ctx)
    loaded = await services.schemes.load_scheme(CHIEF, contest_id, scheme_def())
    with pytest.raises(Forbidden):
        await reports.score_sheets(G1[0], loaded.scheme_id)
    with pytest.raises(DomainError) as err:
        await reports.score_sheets(FEDERAL, loaded.scheme_id)
    assert err.value.code == "scores_not_locked"
    with pytest.raises(DomainError) as err:
        await reports.score_sheets(FEDERAL, loaded.scheme_id + 100)
    assert err.value.code == "scheme_not_found"


def reminders(telegram: FakeTelegramSession, user: int) -> list[str]:
    return [t for t in telegram.sent_texts(user) if "Не оценено аспектов" in t]


def run_sweep(w: dramatiq.Worker) -> None:
    sweep.send()
    drain(w)


async def test_experts_reminded_before_the_evaluation_deadline_once(
    services: Services,
    contest_id: int,
    clock: FixedClock,
    worker: dramatiq.Worker,
    telegram: FakeTelegramSession,
) -> None:
    people = {801: "77", 851: "50"}
    scheme_id, target_of = await locked_scheme(services, contest_id, people)
    # the marks in bulk: the same rows as one by one (tests/services/test_builders.py)
    await bulk_score(services, scheme_id, (100004,), two)  # done
    await bulk_score(services, scheme_id, (100008,), two, only={target_of[801]})  # half
    telegram.requests.clear()
    clock.at = EVALUATION_DEADLINE - timedelta(days=3, minutes=1)  # not yet
    run_sweep(worker)
    assert all(reminders(telegram, e) == [] for e in EXPERTS)
    clock.at = EVALUATION_DEADLINE - timedelta(days=3) + timedelta(minutes=1)
    run_sweep(worker)
    run_sweep(worker)  # a second sweep at the same moment sends nothing more (R-REM-6)
    assert reminders(telegram, 100004) == []
    texts = reminders(telegram, 100008)
    assert len(texts) == 1
    assert "Не оценено аспектов: 30" in texts[0] and "01.06.2027 23:59 (МСК)" in texts[0]
    assert "«Лучший социальный работник — региональный этап»" in texts[0]
    button = telegram.last_markup(100008).inline_keyboard[0][0]
    assert button.text == t("sco-btn-continue")  # the score-entry screens' button (scoring.ftl)
    for expert, count in ((100005, 120), (100007, 120), (100009, 60), (MENTOR, 60)):
        texts = reminders(telegram, expert)
        assert len(texts) == 1 and f"Не оценено аспектов: {count}" in texts[0], expert
    # one day before: once more, with what is left then
    await score(services, scheme_id, 100008, dict.fromkeys(target_of.values(), 2))
    clock.at = EVALUATION_DEADLINE - timedelta(hours=23)
    run_sweep(worker)
    run_sweep(worker)
    assert reminders(telegram, 100008) and len(reminders(telegram, 100008)) == 1
    assert [len(reminders(telegram, e)) for e in (100005, 100007, 100009, MENTOR)] == [2, 2, 2, 2]
    # after the deadline: nothing
    clock.at = EVALUATION_DEADLINE + timedelta(minutes=5)
    run_sweep(worker)
    assert [
        len(reminders(telegram, e)) for e in (100004, 100005, 100007, 100008, 100009, MENTOR)
    ] == [0, 2, 2, 1, 2, 2]
    async with services.ctx.sessionmaker() as s:
        runs = sorted(
            r.kind
            for r in (
                await s.execute(
                    select(ReminderRun).where(ReminderRun.kind.like("scoring_deadline%"))
                )
            ).scalars()
        )
        rows = (
            (await s.execute(select(Delivery).where(Delivery.reason.like("scoring_deadline%"))))
            .scalars()
            .all()
        )
    assert runs == ["scoring_deadline:1d", "scoring_deadline:3d"]
    assert len(rows) == 9 and {d.status for d in rows} == {"sent"}
    assert rows[0].keyboard == [
        [
            {
                "text": "sco-btn-continue",
                "action": "worklist",
                "contest_id": str(contest_id),
                "scheme": str(scheme_id),
            }
        ]
    ]


async def test_no_reminder_for_an_unlocked_scheme_or_locked_scores(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    from notifications.reminders import ScoringDeadlineReminder
    from notifications.sweep import SweepReport, materialise_reminders

    reports = ScoringReportService(services.ctx)
    loaded = await services.schemes.load_scheme(CHIEF, contest_id, scheme_def())
    clock.at = EVALUATION_DEADLINE - timedelta(days=2)
    report = SweepReport()
    await materialise_reminders(
        services.ctx.sessionmaker, clock.at, [ScoringDeadlineReminder()], report
    )
    assert report.runs == 0 and report.created == 0
    assert await reports.experts_with_unscored(loaded.scheme_id) == []
