"""A published result never changes silently (issue #12, guarantee 3) at the service level,
on SQLite and on real PostgreSQL.

- ``/publish`` is refused, with the reason and the count, while an appeal is undecided, a
  pre-appeal vote is open, a dispute's filing window is open (R-APL-3), a correction is open
  (R-SCO-6), or the results protocol is not signed by every required signer (R-PRO-2,
  R-RES-2). Publication happens once, even pressed twice at once.
- The issue's scenario: results published, then an appeal upheld with a 2.5-point deduction
  (R-APL-9) → a new results-protocol version to be signed, the participant told old → new
  total, place and medal and why, the diploma re-issued, and «итоги изменены после
  публикации» for the coordinator in /progress and /publish.
- An accepted pre-appeal penalty (R-APL-1) reaches the results with its protocol.

The world is tests/services/test_appeals.py's: four participants (701 with the mentor, 702, 703 of
Moscow, 751 of the oblast), ranked per region; the disputes happen on 10.05.2027 (МСК)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.handlers.protocols.publication import _publication_screen
from bot.handlers.scoring.contest_progress import summary_text
from bot.texts import error_text
from models.clock import FixedClock
from models.errors import DomainError
from models.services import Services
from models.services.publication import blockers
from models.services.scoring.changes import Penalty, parse_penalty, results_changed
from models.tables import (
    AuditRecord,
    Correction,
    Delivery,
    PublishedResult,
    ResultAdjustment,
    ResultChange,
)
from notifications.documents import award_text
from notifications.i18n import t
from tests.builders import (
    ACCREDITED,
    CHAIR,
    CHIEF,
    MENTOR,
    NEXT,
    at,
    file,
    ready,
    results_protocol,
    sign_all,
    sign_score_lock,
)
from tests.conftest import FEDERAL, JobLog

# --------------------------------------------------------------------------- helpers


async def refused(services: Services, scheme_id: int, code: str, **expected: Any) -> DomainError:
    """Publication refused with ``code`` and these arguments; nothing was told to anyone, and
    the /publish screen's first reason is the same."""
    before = await count(services, Delivery)
    with pytest.raises(DomainError) as err:
        await services.publication.publish(FEDERAL, scheme_id)
    assert err.value.code == code, err.value
    for key, value in expected.items():
        assert err.value.args_[key] == value, (key, err.value.args_)
    assert await count(services, Delivery) == before
    assert (await services.publication.readiness(FEDERAL, scheme_id))["blockers"][0][0] == code
    return err.value


async def count(services: Services, model: Any, *where: Any) -> int:
    async with services.ctx.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def rows(services: Services, model: Any, *where: Any) -> list[Any]:
    async with services.ctx.sessionmaker() as s:
        return list((await s.execute(select(model).where(*where).order_by(model.id))).scalars())


async def lines(services: Services, scheme_id: int) -> dict[int, Any]:
    return {ln.target_id: ln for ln in (await services.results.compute_results(scheme_id)).lines}


# --------------------------------------------------------------------------- pure rules


def test_blockers_give_each_reason_with_its_count_in_order() -> None:
    ready = {
        "scores_locked": True,
        "score_lock_complete": False,
        "open_corrections": 2,
        "undecided_appeals": 3,
        "voting_pre_appeals": 1,
        "open_disputes": 4,
        "disputes_until": at(21, 0),
        "timezone": "Europe/Moscow",
        "results_pdf": "x.pdf",
        "results_outdated": False,
        "results_complete": False,
        "results_signed": 2,
        "results_signers": 7,
    }
    assert [code for code, _ in blockers(ready)] == [
        "score_lock_unsigned",
        "publish_correction_open",
        "publish_appeals_undecided",
        "publish_pre_appeals_voting",
        "publish_dispute_window_open",
        "publish_results_unsigned",
    ]
    texts = [error_text(DomainError(code, **args)) for code, args in blockers(ready)]
    assert "корректировок оценок — 2" in texts[1]
    assert "апелляций без решения — 3" in texts[2]
    assert "доапелляционным спорам — 1" in texts[3]
    assert "(4)" in texts[4] and "до 10.05.2027 21:00" in texts[4] and "R-APL-3" in texts[4]
    assert "подписали 2 из 7" in texts[5] and "ждём подписей: 5" in texts[5]
    assert blockers({**ready, "scores_locked": False}) == [("scores_not_locked", {})]
    settled = {
        **ready,
        "score_lock_complete": True,
        "open_corrections": 0,
        "undecided_appeals": 0,
        "voting_pre_appeals": 0,
        "open_disputes": 0,
        "results_complete": True,
    }
    assert blockers(settled) == []
    assert blockers({**settled, "results_outdated": True}) == [("results_protocol_outdated", {})]
    assert blockers({**settled, "results_pdf": None}) == [("results_protocol_missing", {})]


def test_pre_appeal_penalty_is_read_from_the_proposal() -> None:
    """R-APL-1: the dispute form's example («вычет 1 балла у участника №2») is a penalty the
    results apply; words without one participant and points are not."""
    assert parse_penalty("вычет 1 балла у участника №2") == Penalty(2, Decimal("1"), False)
    assert parse_penalty("№3 −2,5 балла") == Penalty(3, Decimal("2.5"), False)
    assert parse_penalty("Дисквалификация участника № 4") == Penalty(4, Decimal(0), True)
    for words in (
        None,
        "",
        "предупреждение участнику №2",
        "вычет 1 балла",
        "№1 и №2 — по 1 баллу",
        "№2: 0,001 балла",
        "№2: 101 балл",
    ):
        assert parse_penalty(words) is None, words


# ------------------------------------------------------------ refusals (R-APL-3, R-APL-7, R-SCO-6, R-PRO-2)


async def test_publish_is_refused_with_the_reason_and_the_count_until_all_is_settled_and_signed(
    services: Services, contest_id: int, clock: FixedClock, jobs: JobLog
) -> None:
    st = await ready(services, contest_id, clock, score=True)
    t701, t702, *_ = st.targets
    pub = services.publication
    clock.at = at(10, 0)
    await sign_score_lock(services, jobs)
    pid, version, signers = await results_protocol(services, jobs, st)

    # the issue: an appeal registered and undecided — publication went ahead; now refused
    a = await file(services, MENTOR, t701, at(9, 0))
    assert a.status == "registered"
    pre = await services.disputes.open_pre_appeal(
        CHIEF, st.scheme_id, "Спор о времени", "Оставить оценки", None
    )
    await refused(services, st.scheme_id, "publish_appeals_undecided", count=1)
    clock.at = at(16, 0)
    await services.appeal_decisions.decide(
        CHAIR, a.id, uphold=False, text="Нарушение не подтверждено."
    )
    # R-APL-1: a pre-appeal vote still open may bring a penalty
    await refused(services, st.scheme_id, "publish_pre_appeals_voting", count=1)
    await services.disputes.close_pre_appeal(
        CHIEF, pre.id, without_quorum=True
    )  # issue #15: no votes — confirmed
    # R-APL-3: the appeal's dispute and the pre-appeal's may still be appealed until 21:00
    err = await refused(
        services, st.scheme_id, "publish_dispute_window_open", count=2, until=at(21, 0)
    )
    assert "до 10.05.2027 21:00 (МСК)" in error_text(err)
    # R-SCO-6: a correction open
    clock.at = at(21, 1)
    sub = st.subs["1.1"]
    correction = await services.corrections.open_correction(
        CHIEF, t702, sub, "Проверка переноса оценок"
    )
    await refused(services, st.scheme_id, "publish_correction_open", count=1)
    async with (
        services.ctx.sessionmaker() as s,
        s.begin(),
    ):  # withdrawn (the correction flow is tests/services/test_scoring.py's)
        await s.execute(
            update(Correction).where(Correction.id == correction.id).values(status="cancelled")
        )
    # R-PRO-2, R-RES-2: the results protocol signed by every required signer — 0 of 7 in the issue
    assert len(signers) == 7
    err = await refused(
        services, st.scheme_id, "publish_results_unsigned", signed=0, total=7, waiting=7
    )
    assert "подписали 0 из 7" in error_text(err)
    await sign_all(services, pid, version, signers[:-1])
    await refused(services, st.scheme_id, "publish_results_unsigned", signed=6, total=7, waiting=1)
    await sign_all(services, pid, version, signers[-1:])
    assert (await pub.readiness(FEDERAL, st.scheme_id))["blockers"] == []
    report = await pub.publish(FEDERAL, st.scheme_id)
    assert report.participants == 4
    # what each participant was told is kept
    told = {r.target_id: (r.total, r.place, r.medal) for r in await rows(services, PublishedResult)}
    assert told == {
        ln.target_id: (ln.total, ln.place, ln.medal)
        for ln in (await lines(services, st.scheme_id)).values()
    }


async def test_double_publish_publishes_once(
    services: Services, contest_id: int, clock: FixedClock, jobs: JobLog
) -> None:
    st = await ready(services, contest_id, clock, score=True)
    clock.at = at(21, 30)
    await sign_score_lock(services, jobs)
    pid, version, signers = await results_protocol(services, jobs, st)
    await sign_all(services, pid, version, signers)
    pub = services.publication
    # two presses of «Да, опубликовать» at once (or two coordinators): one publication
    got = await asyncio.gather(
        pub.publish(FEDERAL, st.scheme_id),
        pub.publish(FEDERAL, st.scheme_id),
        return_exceptions=True,
    )
    reports = [g for g in got if not isinstance(g, BaseException)]
    errors = [g for g in got if isinstance(g, BaseException)]
    assert len(reports) == 1 and len(errors) == 1, got
    assert isinstance(errors[0], DomainError) and errors[0].code == "already_published"
    assert "уже опубликованы" in error_text(errors[0])
    assert await count(services, Delivery, Delivery.reason == "result") == 4
    assert await count(services, Delivery, Delivery.reason == "published") == 1
    assert await count(services, AuditRecord, AuditRecord.action == "results.publish") == 1
    assert await count(services, PublishedResult) == 4


# --------------------------------------------------------------------------- the scenario (R-APL-9)


async def test_appeal_upheld_after_publication_is_announced_never_silent(
    services: Services, contest_id: int, clock: FixedClock, jobs: JobLog
) -> None:
    st = await ready(services, contest_id, clock, score=True)
    t701 = st.targets[0]
    clock.at = at(21, 30)
    await sign_score_lock(services, jobs)
    pid, version, signers = await results_protocol(services, jobs, st)
    await sign_all(services, pid, version, signers)
    await services.publication.publish(FEDERAL, st.scheme_id)
    before = await lines(services, st.scheme_id)
    assert (before[t701].total, before[t701].place, before[t701].medal) == (
        Decimal("7.00"),
        1,
        "gold",
    )

    # the next day a dispute arises and is appealed; the chair upholds it with 2.5 points off
    clock.at = at(10, 0, NEXT)
    a = await file(services, MENTOR, t701, at(9, 0, NEXT))
    clock.at = at(11, 0, NEXT)
    await services.appeal_decisions.decide(
        CHAIR, a.id, uphold=True, text="Преимущество подтверждено.", deduction="2,5"
    )
    after = await lines(services, st.scheme_id)
    assert (after[t701].total, after[t701].place, after[t701].medal) == (
        Decimal("4.50"),
        2,
        "silver",
    )

    # the results protocol: a new version, to be signed again (R-PRO-2)
    protocol = await services.protocols.view(FEDERAL, pid)
    assert (protocol.version, protocol.status) == (2, "signing")
    assert all(x.decision is None for x in protocol.signers)

    # the participant is told old → new and why, with the diploma re-issued
    [change] = await rows(services, ResultChange)
    assert (change.target_id, change.cause, change.old_total, change.new_total) == (
        t701,
        f"appeal:{a.id}",
        Decimal("7.00"),
        Decimal("4.50"),
    )
    assert (change.old_place, change.new_place, change.old_medal, change.new_medal) == (
        1,
        2,
        "gold",
        "silver",
    )
    assert change.reissued == f"{st.scheme_id}-1-2" and change.protocol_version == 2
    [note] = await rows(
        services,
        Delivery,
        Delivery.reason == "result-change",
        Delivery.message_key == "pubchg-note-changed",
    )
    assert note.recipient_chat_id == 701  # nobody else's total, place or medal changed
    args = note.message_args
    assert (args["old_total"], args["new_total"], args["old_place"], args["new_place"]) == (
        "7,00",
        "4,50",
        1,
        2,
    )
    assert (args["old_medal"], args["new_medal"], args["cause"], args["id"]) == (
        "gold",
        "silver",
        "appeal",
        a.id,
    )
    award = args["_award"]
    assert (award["kind"], award["medal"], award["number"]) == (
        "diploma",
        "silver",
        f"{st.scheme_id}-1-2",
    )
    assert award_text(award) == f"Выдан взамен документа № {st.scheme_id}-1"
    text = t(note.message_key, "ru", **{k: v for k, v in args.items() if not k.startswith("_")})
    assert (
        "изменены после публикации" in text
        and f"апелляция №{a.id}" in text
        and "Преимущество подтверждено." in text
    )
    assert "Было: 7,00 балла, 1-е место, золотая медаль" in text
    assert (
        "Стало: 4,50 балла, 2-е место, серебряная медаль" in text
        and "Новый документ — во вложении" in text
    )
    # the snapshot moved: the same decision again changes nothing, tells nobody twice
    async with services.appeal_decisions.uow() as uow:
        assert await results_changed(services.ctx, uow, st.scheme_id, f"appeal:{a.id}", CHAIR) == 0
    assert (
        await count(
            services,
            Delivery,
            Delivery.reason == "result-change",
            Delivery.message_key == "pubchg-note-changed",
        )
        == 1
    )
    told = {r.target_id: (r.total, r.place, r.medal) for r in await rows(services, PublishedResult)}
    assert told[t701] == (Decimal("4.50"), 2, "silver")

    # the coordinator: told, and «итоги изменены после публикации» in /publish and /progress
    [coord] = await rows(services, Delivery, Delivery.message_key == "pubchg-note-coordinator")
    assert (
        coord.recipient_chat_id == FEDERAL
        and coord.message_args["count"] == 1
        and coord.message_args["version"] == 2
    )
    [brief] = [b for b in await services.schemes.schemes_for(FEDERAL) if b.id == st.scheme_id]
    screen, _ = await _publication_screen(services, FEDERAL, brief)
    assert (
        "итоги изменены после публикации" in screen.lower()
        and "версия 2: подписали 0 из 7" in screen
    )
    report = await services.monitoring.progress(FEDERAL, contest_id)
    [changed] = report.results_changed
    assert (
        changed.scheme_id,
        changed.participants,
        changed.protocol_version,
        changed.protocol_signers,
    ) == (st.scheme_id, 1, 2, 7)
    assert "итоги изменены после публикации" in summary_text(report)


# --------------------------------------------------------------------------- pre-appeal penalty (R-APL-1)


async def test_accepted_pre_appeal_penalty_reaches_the_results_with_its_protocol(
    services: Services, contest_id: int, clock: FixedClock, jobs: JobLog
) -> None:
    st = await ready(services, contest_id, clock, score=True)
    t701, t702, *_ = st.targets
    clock.at = at(10, 0)
    await sign_score_lock(services, jobs)
    pid, version, signers = await results_protocol(services, jobs, st)
    pre = await services.disputes.open_pre_appeal(
        CHIEF, st.scheme_id, "Подсказка участнику", "Снять баллы", "вычет 1 балла у участника №2"
    )
    for e in ACCREDITED:
        view = await services.disputes.vote_pre_appeal(e, pre.id, True)
    assert view.status == "accepted"
    [adj] = await rows(services, ResultAdjustment)
    assert (adj.pre_appeal_id, adj.appeal_id, adj.target_id, adj.points) == (
        pre.id,
        None,
        t702,
        Decimal("1.00"),
    )
    results = await lines(services, st.scheme_id)
    assert (
        results[t702].total,
        results[t702].deducted,
        results[t702].place,
        results[t702].medal,
    ) == (Decimal("6.00"), Decimal("1.00"), 2, "silver")
    assert (results[t701].place, results[t701].medal) == (1, "gold")
    assert await services.protocols.by_subject("pre_appeal", f"pre_appeal:{pre.id}") is not None
    # the protocol made before says otherwise: made again, signed, then published
    clock.at = at(21, 30)
    await refused_outdated(services, st.scheme_id)
    pid, version, signers = await results_protocol(services, jobs, st)
    assert version == 2
    await sign_all(services, pid, version, signers)
    await services.publication.publish(FEDERAL, st.scheme_id)
    [note] = await rows(
        services, Delivery, Delivery.reason == "result", Delivery.recipient_chat_id == 702
    )
    assert (note.message_args["total"], note.message_args["place"], note.message_args["medal"]) == (
        "6,00",
        2,
        "silver",
    )


async def refused_outdated(services: Services, scheme_id: int) -> None:
    with pytest.raises(DomainError) as err:
        await services.publication.publish(FEDERAL, scheme_id)
    assert err.value.code == "results_protocol_outdated"


# --------------------------------------------------------------------------- a correction after publication (R-SCO-6)


async def test_no_correction_after_publication(
    services: Services, contest_id: int, clock: FixedClock, jobs: JobLog
) -> None:
    """Published results change only through an appeal (announced, above), never through a
    correction of a locked mark: opening one after publication is refused, nothing changes."""
    st = await ready(services, contest_id, clock, score=True)
    t701 = st.targets[0]
    clock.at = at(21, 30)
    await sign_score_lock(services, jobs)
    pid, version, signers = await results_protocol(services, jobs, st)
    await sign_all(services, pid, version, signers)
    await services.publication.publish(FEDERAL, st.scheme_id)
    before = (
        await count(services, Correction),
        await count(services, Delivery),
        await count(services, AuditRecord),
    )
    with pytest.raises(DomainError) as err:
        await services.corrections.open_correction(
            CHIEF, t701, st.subs["1.1"], "Ошибка ввода оценки"
        )
    assert err.value.code == "results_published"
    assert "опубликован" in error_text(err.value).lower()
    assert (
        await count(services, Correction),
        await count(services, Delivery),
        await count(services, AuditRecord),
    ) == before
