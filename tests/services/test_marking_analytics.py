"""The chief expert's marking analytics (issue #16, R-SCO-1, R-SCO-5, R-SCO-6), on SQLite
and PostgreSQL: marks entered through the services, a re-score, a change of mind, a
correction after the lock; counts only before the score lock, the means after; only the
chief expert (or an admin) may look."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from models.errors import Forbidden
from models.services import Services
from models.services.scoring.analytics import ExpertAnalytics, MarkingAnalytics
from models.tables import AuditRecord
from notifications.exports import scoring_workbook
from tests.builders import ADMIN_ID, CHIEF, COORD_MOSCOW, G1, G2, Setup, setup

#: the example contest's names (examples/contest.yaml)
ORLOV, LEBEDEVA, MOROZOVA, NOVIKOV = G1
FEDOROVA, KOZLOV = 100009, 100010

#: the final marks of one participant: aspect code → expert → mark
FINAL = {
    "1.1.1": {ORLOV: 2, LEBEDEVA: 2, MOROZOVA: 2, NOVIKOV: 1},
    "1.1.b": dict.fromkeys(G1, 1),
    "1.1.d": dict.fromkeys(G1, 2),
    "1.2.1": {LEBEDEVA: 3, MOROZOVA: 3, FEDOROVA: 2, KOZLOV: 2},
    "1.2.2": {LEBEDEVA: 1, MOROZOVA: 1, FEDOROVA: 1, KOZLOV: 2},
}


async def _scored(services: Services, contest_id: int) -> Setup:
    """One participant scored by both groups: 1.1.1 first given as 0, 0, 2, 3 (a spread
    over one: the 3 stands apart, R-SCO-1) and re-scored; Орлов changes his yes/no once
    before confirming. Every sheet confirmed, the scores not locked yet."""
    sc = services
    st = await setup(services, contest_id, count=1, mentor=False)
    t, a = st.targets[0], st.aspects
    first = {ORLOV: 0, LEBEDEVA: 0, MOROZOVA: 2, NOVIKOV: 3}
    for e, v in first.items():
        out = await sc.marks.enter_mark(e, t, a["1.1.1"], v)
    assert out.state == "rescore"
    await sc.marks.enter_mark(ORLOV, t, a["1.1.b"], 0)
    for code, marks in FINAL.items():
        for e, v in marks.items():
            out = await sc.marks.enter_mark(e, t, a[code], v)
    assert out.state == "scored"
    for e in sorted({*G1, *G2}):
        await sc.marks.confirm_sheet(e, st.scheme_id)
    return st


def _by_name(report: MarkingAnalytics) -> dict[str, ExpertAnalytics]:
    return {e.name: e for e in report.experts}


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
async def test_counts_before_the_lock_means_after(services: Services, contest_id: int) -> None:
    sc = services
    st = await _scored(services, contest_id)
    sid, t = st.scheme_id, st.targets[0]

    before = await sc.marking_analytics.analytics(CHIEF, sid)
    assert not before.scores_locked and not before.means_shown
    assert (before.comparisons, before.no_data) == (1, 0)
    lines = _by_name(before)
    # names, not Telegram ids; every member of both groups, the chief not among them
    assert sorted(lines) == sorted(
        [
            "Орлов Дмитрий Игоревич",
            "Лебедева Ирина Михайловна",
            "Морозова Елена Васильевна",
            "Новиков Сергей Петрович",
            "Фёдорова Татьяна Олеговна",
            "Козлов Игорь Николаевич",
        ]
    )
    novikov, orlov = lines["Новиков Сергей Петрович"], lines["Орлов Дмитрий Игоревич"]
    lebedeva = lines["Лебедева Ирина Михайловна"]
    assert (novikov.comparisons, novikov.outliers, novikov.changed) == (1, 1, 0)
    assert (orlov.comparisons, orlov.outliers, orlov.changed) == (1, 0, 1)
    assert (lebedeva.groups, lebedeva.marks, lebedeva.judgement_marks) == (("G1", "G2"), 5, 3)
    # R-SCO-5: before the lock, counts only — no means for anyone
    for e in before.experts:
        assert (e.mean, e.group_mean, e.yes_share, e.group_yes_share) == (None,) * 4
        assert e.corrected == 0

    await sc.score_lock.lock_scores(CHIEF, sid)
    after = _by_name(await sc.marking_analytics.analytics(CHIEF, sid))
    novikov = after["Новиков Сергей Петрович"]
    # his 1 on 1.1.1 against the group's 2, 2, 2, 1
    assert (novikov.mean, novikov.group_mean) == (Decimal("1.00"), Decimal("1.75"))
    lebedeva = after["Лебедева Ирина Михайловна"]
    # 2, 3, 1 against (7 + 10 + 5) / 12 on the same three aspects
    assert (lebedeva.mean, lebedeva.group_mean) == (Decimal("2.00"), Decimal("1.83"))
    kozlov = after["Козлов Игорь Николаевич"]
    assert (kozlov.mean, kozlov.group_mean) == (Decimal("2.00"), Decimal("1.88"))
    assert (kozlov.yes_share, kozlov.binary_marks) == (None, 0)  # no yes/no aspect in G2
    orlov = after["Орлов Дмитрий Игоревич"]
    assert (orlov.yes_share, orlov.group_yes_share) == (Decimal("1.00"), Decimal("1.00"))

    # a correction after the lock (R-SCO-6): counted apart from the changes before it
    c = await sc.corrections.open_correction(CHIEF, t, st.subs["1.1"], "Ошибка ввода")
    for signer in G1:
        c = await sc.corrections.sign_correction(signer, c.id)
    assert c.status == "open"
    await sc.marks.enter_mark(CHIEF, t, st.aspects["1.1.1"], 2, for_expert=NOVIKOV)
    novikov = _by_name(await sc.marking_analytics.analytics(CHIEF, sid))["Новиков Сергей Петрович"]
    assert (novikov.corrected, novikov.changed, novikov.mean) == (1, 0, Decimal("2.00"))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_only_the_chief_expert_sees_it(services: Services, contest_id: int) -> None:
    sc = services
    sid = (await _scored(services, contest_id)).scheme_id
    for who in (ORLOV, KOZLOV, COORD_MOSCOW, 555999):
        with pytest.raises(Forbidden) as err:
            await sc.marking_analytics.analytics(who, sid)
        assert err.value.code == "not_chief"
    report = await sc.marking_analytics.analytics(ADMIN_ID, sid)  # an admin acts for the chief
    assert len(report.experts) == 6


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_scoring_workbook_gets_the_sheet_when_given(
    services: Services, contest_id: int
) -> None:
    """``scoring_workbook(…, analytics=…)`` appends «Аналитика экспертов»; without it the
    coordinators' workbook is as before."""
    sc = services
    sid = (await _scored(services, contest_id)).scheme_id
    await sc.score_lock.lock_scores(CHIEF, sid)
    results = await sc.results.results(ADMIN_ID, sid)
    sheets = await sc.scoring_reports.score_sheets(ADMIN_ID, sid)
    plain = load_workbook(io.BytesIO(scoring_workbook(results, sheets)))
    assert "Аналитика экспертов" not in plain.sheetnames
    report = await sc.marking_analytics.analytics(CHIEF, sid)
    book = load_workbook(io.BytesIO(scoring_workbook(results, sheets, analytics=report)))
    assert book.sheetnames == [*plain.sheetnames, "Аналитика экспертов"]
    ws = book["Аналитика экспертов"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, max_row=7, values_only=True)}
    assert rows["Новиков Сергей Петрович"][4:7] == (1.0, 1.75, -0.75)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_older_rescores_are_counted_without_data(services: Services, contest_id: int) -> None:
    """A re-score recorded before issue #16 (no ``by_expert``) names nobody: it is counted in
    the «без данных» total, and nobody's outliers change."""
    st = await _scored(services, contest_id)
    async with services.ctx.sessionmaker() as s, s.begin():
        s.add(
            AuditRecord(
                at=services.ctx.clock.now(),
                actor_telegram_id=None,
                action="score.rescore",
                entity="aspect_result",
                entity_id=None,
                contest_id=contest_id,
                after={"target_id": st.targets[0], "aspect": "1.2.1", "marks": [0, 2, 3, 3]},
            )
        )
    report = await services.marking_analytics.analytics(CHIEF, st.scheme_id)
    assert (report.comparisons, report.no_data) == (1, 1)
    assert sum(e.outliers for e in report.experts) == 1
