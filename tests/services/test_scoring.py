"""The scoring engine (R-SCH-1…4, R-SCO-1…7, R-RES-1, R-APP-8, R-ROLE-3) at the service
level, on SQLite and on real PostgreSQL: loading and locking schemes, groups, score entry and
its refusals, the live rules (re-score, ties, discrete tables), confirmations, the score lock,
mentors' sheets, corrections, the audit trail, results and promotion, concurrent entry.

Every refusal also checks that nothing changed (marks, group results, audit rows, states)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from models.contest_file import DefinitionInvalid
from models.errors import DomainError, Forbidden
from models.scheme_file import SchemeDef, parse_scheme_yaml, validate_scheme
from models.services import Services
from models.tables import (
    AspectResult,
    AssessmentGroup,
    AuditRecord,
    Delivery,
    EvaluationTarget,
    Protocol,
    ProtocolVersion,
    Scheme,
    SchemeSubcriterion,
    Score,
    SheetConfirmation,
)
from tests.builders import (
    CHIEF,
    EXPERTS,
    G1,
    G2,
    MENTOR,
    SCHEME_YAML,
    SOCIAL,
    accepted_in,
    application,
    example_dict,
    score_all,
    setup,
    small_scheme,
)
from tests.conftest import COORD_MOSCOW, EXAMPLE, FEDERAL, MSK


async def snapshot(services: Services) -> tuple[Any, ...]:
    """Everything a refused action must leave as it was."""
    async with services.ctx.sessionmaker() as s:
        scores = sorted(
            (
                await s.execute(
                    select(
                        Score.target_id,
                        Score.aspect_id,
                        Score.expert_telegram_id,
                        Score.value,
                        Score.stale,
                    )
                )
            ).all()
        )
        results = sorted(
            (
                await s.execute(
                    select(
                        AspectResult.target_id,
                        AspectResult.aspect_id,
                        AspectResult.state,
                        AspectResult.points,
                        AspectResult.marks,
                    )
                )
            ).all()
        )
        audit = (await s.execute(select(func.count()).select_from(AuditRecord))).scalar_one()
        confirmations = sorted(
            (
                await s.execute(
                    select(
                        SheetConfirmation.telegram_id,
                        SheetConfirmation.kind,
                        SheetConfirmation.revoked_at,
                    )
                )
            ).all(),
            key=str,
        )
        schemes = sorted(
            (
                await s.execute(
                    select(
                        Scheme.id, Scheme.source_sha256, Scheme.locked_at, Scheme.scores_locked_at
                    )
                )
            ).all()
        )
        targets = sorted(
            (
                await s.execute(
                    select(
                        EvaluationTarget.id,
                        EvaluationTarget.mentor_telegram_id,
                        EvaluationTarget.mentor_allowed_at,
                    )
                )
            ).all()
        )
        groups = (await s.execute(select(func.count()).select_from(AssessmentGroup))).scalar_one()
        subs = sorted(
            (await s.execute(select(SchemeSubcriterion.id, SchemeSubcriterion.group_id))).all()
        )
    return scores, results, audit, confirmations, schemes, targets, groups, subs


async def refused(services: Services, exc: type[Exception], code: str, coro: Any) -> Exception:
    """Run a call that must be refused with ``code`` and change nothing."""
    before = await snapshot(services)
    with pytest.raises(exc) as err:
        await coro
    got = err.value.code if isinstance(err.value, DomainError) else err.value.errors[0].code  # type: ignore[attr-defined]
    assert got == code, err.value
    assert await snapshot(services) == before
    return err.value


async def result(services: Services, target: int, aspect: int) -> AspectResult | None:
    async with services.ctx.sessionmaker() as s:
        return (
            await s.execute(
                select(AspectResult).where(
                    AspectResult.target_id == target, AspectResult.aspect_id == aspect
                )
            )
        ).scalar_one_or_none()


async def marks(services: Services, target: int, aspect: int) -> dict[int, tuple[int, bool]]:
    async with services.ctx.sessionmaker() as s:
        rows = (
            await s.execute(
                select(Score).where(Score.target_id == target, Score.aspect_id == aspect)
            )
        ).scalars()
        return {r.expert_telegram_id: (r.value, r.stale) for r in rows}


async def audit(services: Services, action: str) -> list[AuditRecord]:
    async with services.ctx.sessionmaker() as s:
        return list(
            (
                await s.execute(
                    select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.id)
                )
            ).scalars()
        )


async def deliveries(services: Services, reason: str) -> list[Delivery]:
    async with services.ctx.sessionmaker() as s:
        return list(
            (
                await s.execute(
                    select(Delivery).where(Delivery.reason == reason).order_by(Delivery.id)
                )
            ).scalars()
        )


# --------------------------------------------------------------------------- schemes (R-SCH-1…3)


async def test_load_scheme_roles_reload_and_lock(
    services: Services, contest_id: int, clock
) -> None:
    sc = services
    d = parse_scheme_yaml(SCHEME_YAML.read_bytes())
    for who in (100004, MENTOR, COORD_MOSCOW):
        await refused(services, Forbidden, "not_chief", sc.schemes.load_scheme(who, contest_id, d))
    r = await sc.schemes.load_scheme(CHIEF, contest_id, d)
    assert r.created and not r.unchanged and (r.criteria, r.aspects, r.groups) == (3, 60, 2)
    view = await sc.schemes.scheme_view(CHIEF, r.scheme_id)
    assert view.aspects == 60 and view.total == Decimal(100) and view.chief == CHIEF
    assert [g.members for g in view.groups] == [G1, G2]
    # the same content again (from the command line): nothing happens
    before = await snapshot(services)
    again = await sc.schemes.load_scheme(None, contest_id, d)
    assert again.unchanged and again.scheme_id == r.scheme_id
    assert await snapshot(services) == before
    # changed content before the lock replaces the scheme
    data = example_dict()
    data["title"] = "Новое название"
    data["criteria"][0]["subcriteria"][0]["aspects"][0]["title"] = "Полнота и глубина ответа"
    changed = validate_scheme(data)
    r2 = await sc.schemes.load_scheme(None, contest_id, changed)
    assert r2.scheme_id == r.scheme_id and not r2.created and not r2.unchanged
    view = await sc.schemes.scheme_view(CHIEF, r.scheme_id)
    assert (
        view.title == "Новое название" and view.aspects == 60 and len(view.groups) == 2
    )  # replaced, not added
    assert [a.after["sha256"] for a in await audit(services, "scheme.reload")] == [
        (await snapshot(services))[4][0][1]
    ]
    # the lock: a record with the date and time (R-SCH-3)
    await refused(services, Forbidden, "not_chief", sc.schemes.lock_scheme(100004, r.scheme_id))
    locked = await sc.schemes.lock_scheme(CHIEF, r.scheme_id)
    assert (
        locked.locked_at is not None
        and locked.locked_at.astimezone(MSK) == clock.at
        and locked.locked_by == CHIEF
    )
    [rec] = await audit(services, "scheme.lock")
    assert (
        rec.actor_telegram_id == CHIEF
        and datetime.fromisoformat(rec.after["locked_at"]) == clock.at
    )
    await refused(
        services, DomainError, "scheme_locked_by", sc.schemes.lock_scheme(CHIEF, r.scheme_id)
    )
    # afterwards any change is refused, by anyone; the same content is still a no-op
    clock.advance(days=1)
    for actor in (CHIEF, None):
        await refused(
            services,
            DefinitionInvalid,
            "scheme_locked",
            sc.schemes.load_scheme(actor, contest_id, d),
        )
    assert (await sc.schemes.load_scheme(CHIEF, contest_id, changed)).unchanged
    view = await sc.schemes.scheme_view(CHIEF, r.scheme_id)
    assert view.title == "Новое название" and view.locked_at == locked.locked_at


async def test_load_scheme_reports_contest_problems_by_place(
    services: Services, contest_id: int
) -> None:
    sc = services
    data = example_dict()
    data["nomination"] = "no_such_nomination"
    data["stage"] = "no_such_stage"
    data["groups"][1]["members"][3] = COORD_MOSCOW  # a coordinator is not an expert
    err = await refused(
        services,
        DefinitionInvalid,
        "unknown_nomination",
        sc.schemes.load_scheme(None, contest_id, validate_scheme(data)),
    )
    assert {(e.place, e.code) for e in err.errors} == {  # type: ignore[attr-defined]
        ("nomination", "unknown_nomination"),
        ("stage", "unknown_stage"),
        ("groups[2].members", "not_an_expert"),
    }
    assert await sc.schemes.scheme_ids(contest_id) == []


# --------------------------------------------------------------------------- groups (R-SCH-4)


async def test_groups_of_four_and_assignment(services: Services, contest_id: int) -> None:
    sc = services
    d = small_scheme()
    data = d.model_dump(mode="json")
    data["groups"] = []
    for c in data["criteria"]:
        for sub in c["subcriteria"]:
            sub["group"] = None
    st = await setup(
        services, contest_id, d=SchemeDef.model_validate(data), count=1, lock=False, mentor=False
    )
    sid = st.scheme_id
    await refused(
        services, DomainError, "subcriteria_without_group", sc.schemes.lock_scheme(CHIEF, sid)
    )
    await refused(
        services, DomainError, "group_size", sc.scoring_setup.create_group(CHIEF, sid, list(G1[:3]))
    )
    await refused(
        services,
        DomainError,
        "group_size",
        sc.scoring_setup.create_group(CHIEF, sid, [*G1[:3], G1[0]]),
    )
    await refused(
        services,
        DomainError,
        "group_size",
        sc.scoring_setup.create_group(CHIEF, sid, [*G1, 100009]),
    )
    await refused(
        services,
        DomainError,
        "group_member_not_expert",
        sc.scoring_setup.create_group(CHIEF, sid, [*G1[:3], COORD_MOSCOW]),
    )
    await refused(
        services, Forbidden, "not_chief", sc.scoring_setup.create_group(100004, sid, list(G1))
    )
    g1 = await sc.scoring_setup.create_group(CHIEF, sid, list(G1), name="Первая", leader=G1[0])
    g2 = await sc.scoring_setup.create_group(CHIEF, sid, list(G2))
    assert (g1.code, g1.members, g2.code) == ("G1", G1, "G2")
    await refused(
        services,
        Forbidden,
        "not_chief",
        sc.scoring_setup.assign_subcriterion(100004, st.subs["1.1"], g1.id),
    )
    await sc.scoring_setup.assign_subcriterion(CHIEF, st.subs["1.1"], g1.id)
    await refused(
        services, DomainError, "subcriteria_without_group", sc.schemes.lock_scheme(CHIEF, sid)
    )
    await sc.scoring_setup.assign_subcriterion(CHIEF, st.subs["1.2"], g2.id)
    await sc.schemes.lock_scheme(CHIEF, sid)
    view = await sc.schemes.scheme_view(CHIEF, sid)
    assert [(g.code, g.subcriteria) for g in view.groups] == [("G1", ("1.1",)), ("G2", ("1.2",))]
    # once marks exist for a subcriterion it stays with its group
    await sc.marks.enter_mark(G1[0], st.targets[0], st.aspects["1.1.1"], 2)
    await refused(
        services,
        DomainError,
        "subcriterion_has_marks",
        sc.scoring_setup.assign_subcriterion(CHIEF, st.subs["1.1"], g2.id),
    )
    await sc.scoring_setup.assign_subcriterion(CHIEF, st.subs["1.2"], g1.id)  # no marks there yet


# --------------------------------------------------------------------------- entry refusals


async def test_entry_refusals(services: Services, contest_id: int, clock) -> None:
    sc = services
    st = await setup(services, contest_id, count=2, lock=False)
    t_own, t = st.targets
    a = st.aspects
    await refused(
        services, DomainError, "scheme_not_locked", sc.marks.enter_mark(100004, t, a["1.1.1"], 2)
    )
    await sc.schemes.lock_scheme(CHIEF, st.scheme_id)
    # an aspect of another group
    await refused(
        services, Forbidden, "not_your_aspect", sc.marks.enter_mark(100004, t, a["1.2.1"], 2)
    )
    await refused(
        services, Forbidden, "not_your_aspect", sc.marks.enter_mark(100009, t, a["1.1.1"], 2)
    )
    with pytest.raises(Forbidden):
        await sc.marks.score_item(100004, t, a["1.2.1"])
    # not an expert at all
    await refused(
        services, Forbidden, "not_expert", sc.marks.enter_mark(COORD_MOSCOW, t, a["1.1.1"], 2)
    )
    # out of range
    for aspect, bad in (("1.1.1", 4), ("1.1.1", -1), ("1.1.b", 2), ("1.1.d", 3), ("1.1.1", True)):
        await refused(
            services,
            DomainError,
            "mark_out_of_range",
            sc.marks.enter_mark(100004, t, a[aspect], bad),
        )
    # the evaluation deadline (2027-06-01, end of day МСК)
    clock.at = datetime(2027, 6, 1, 23, 59, tzinfo=MSK)
    out = await sc.marks.enter_mark(100004, t, a["1.1.1"], 2)
    assert out.state == "incomplete" and out.changed and (out.scored, out.total) == (1, 3)
    clock.at = datetime(2027, 6, 2, 0, 0, 1, tzinfo=MSK)
    await refused(
        services, DomainError, "evaluation_closed", sc.marks.enter_mark(100005, t, a["1.1.1"], 2)
    )
    await refused(
        services, DomainError, "evaluation_closed", sc.marks.enter_mark(100004, t, a["1.1.1"], 3)
    )
    clock.at = datetime(2027, 5, 1, 10, 0, tzinfo=MSK)
    # the mentor does not score their own participant (R-ROLE-3), not even the aspect
    assert [x.target_id for x in (await sc.marks.worklist(MENTOR, st.scheme_id)).targets] == [t]
    await refused(
        services, Forbidden, "mentor_conflict", sc.marks.enter_mark(MENTOR, t_own, a["1.2.1"], 2)
    )
    with pytest.raises(Forbidden):
        await sc.marks.score_item(MENTOR, t_own)
    # a revoked expert (the contest re-loaded without them)
    text = EXAMPLE.read_text(encoding="utf-8")
    block = (
        "  - telegram_id: 100008\n    name: Новиков Сергей Петрович\n"
        "    role: expert\n    expert_status: industrial\n"
    )
    assert block in text
    await services.contests.load_definition(None, text.replace(block, "").encode())
    await refused(services, Forbidden, "not_expert", sc.marks.enter_mark(100008, t, a["1.1.1"], 2))


async def test_mentor_allowance_needs_every_expert(services: Services, contest_id: int) -> None:
    sc = services
    st = await setup(services, contest_id, count=2)
    t_own = st.targets[0]
    a = st.aspects["1.2.1"]
    await refused(
        services, Forbidden, "not_chief", sc.scoring_setup.ask_mentor_allowance(100004, t_own)
    )
    asked = await sc.scoring_setup.ask_mentor_allowance(CHIEF, t_own)
    assert asked == len(EXPERTS)  # the chief, both groups and the mentor
    assert {d.recipient_chat_id for d in await deliveries(services, "mentor-allowance")} == set(
        EXPERTS
    )
    voters = list(EXPERTS)
    for v in voters[:-1]:
        assert await sc.scoring_setup.vote_mentor_allowance(v, t_own, True) == "waiting"
        await refused(
            services, Forbidden, "mentor_conflict", sc.marks.enter_mark(MENTOR, t_own, a, 2)
        )
    await refused(
        services,
        Forbidden,
        "not_expert",
        sc.scoring_setup.vote_mentor_allowance(COORD_MOSCOW, t_own, True),
    )
    assert await sc.scoring_setup.vote_mentor_allowance(voters[-1], t_own, True) == "allowed"
    out = await sc.marks.enter_mark(MENTOR, t_own, a, 2)
    assert out.changed and (await marks(services, t_own, a))[MENTOR] == (2, False)
    assert t_own in [x.target_id for x in (await sc.marks.worklist(MENTOR, st.scheme_id)).targets]
    # a new mentor designation starts over; one "no" keeps the refusal
    await sc.scoring_setup.set_mentor(CHIEF, t_own, None)
    await sc.scoring_setup.set_mentor(CHIEF, t_own, MENTOR)
    await sc.scoring_setup.ask_mentor_allowance(CHIEF, t_own)
    for v in voters[:3]:
        await sc.scoring_setup.vote_mentor_allowance(v, t_own, True)
    assert await sc.scoring_setup.vote_mentor_allowance(voters[3], t_own, False) == "denied"
    for v in voters[4:]:
        assert await sc.scoring_setup.vote_mentor_allowance(v, t_own, True) == "denied"
    await refused(
        services,
        Forbidden,
        "mentor_conflict",
        sc.marks.enter_mark(MENTOR, t_own, st.aspects["1.2.2"], 1),
    )
    await refused(
        services,
        DomainError,
        "allowance_already_voted",
        sc.scoring_setup.vote_mentor_allowance(voters[0], t_own, False),
    )
    # asking again withdraws an earlier grant at once, before anyone votes
    await sc.scoring_setup.set_mentor(CHIEF, t_own, MENTOR)
    await sc.scoring_setup.ask_mentor_allowance(CHIEF, t_own)
    for v in voters:
        await sc.scoring_setup.vote_mentor_allowance(v, t_own, True)
    await sc.marks.enter_mark(MENTOR, t_own, st.aspects["1.2.2"], 1)
    await sc.scoring_setup.ask_mentor_allowance(CHIEF, t_own)
    await refused(
        services,
        Forbidden,
        "mentor_conflict",
        sc.marks.enter_mark(MENTOR, t_own, st.aspects["1.2.2"], 0),
    )


async def test_new_participants_on_the_list_withdraw_confirmations(
    services: Services, contest_id: int
) -> None:
    """A confirmed sheet no longer covers the list once participants are added (R-SCO-4)."""
    sc = services
    st = await setup(services, contest_id, count=1, mentor=False)
    await score_all(services, st)
    assert all(e.confirmed for e in (await sc.results.progress(CHIEF, st.scheme_id)).experts)
    await accepted_in(services, contest_id, 700099, "77")
    await application(services, contest_id, 700099, SOCIAL, submit=True)
    assert await sc.scoring_setup.build_targets(CHIEF, st.scheme_id) == 1
    progress = await sc.results.progress(CHIEF, st.scheme_id)
    assert not any(e.confirmed for e in progress.experts)
    await refused(
        services, DomainError, "cannot_lock_scores", sc.score_lock.lock_scores(CHIEF, st.scheme_id)
    )


# --------------------------------------------------------------------------- the live rules


async def test_judgement_spread_over_one_forces_a_rescore(
    services: Services, contest_id: int
) -> None:
    """R-SCO-1: 0, 2, 2, 1 → re-score: every mark stale, the group told, confirmations
    withdrawn; 2, 2, 2, 1 → scored at max × mean / 3."""
    sc = services
    st = await setup(services, contest_id, count=1, mentor=False)
    t = st.targets[0]
    a = st.aspects["1.1.1"]
    first = {100004: 0, 100005: 2, 100007: 2}
    for e, v in first.items():
        await sc.marks.enter_mark(e, t, a, v)
        await sc.marks.enter_mark(e, t, st.aspects["1.1.b"], 1)
        await sc.marks.enter_mark(e, t, st.aspects["1.1.d"], 2)
        if e in G2:
            await sc.marks.enter_mark(e, t, st.aspects["1.2.1"], 1)
            await sc.marks.enter_mark(e, t, st.aspects["1.2.2"], 1)
        await sc.marks.confirm_sheet(e, st.scheme_id)
    assert (await result(services, t, a)).state == "incomplete"
    out = await sc.marks.enter_mark(100008, t, a, 1)
    assert out.state == "rescore" and out.points is None
    r = await result(services, t, a)
    assert (r.state, r.points, r.rounds, r.marks) == ("rescore", None, 1, 0)  # no fresh marks left
    assert await marks(services, t, a) == {
        100004: (0, True),
        100005: (2, True),
        100007: (2, True),
        100008: (1, True),
    }
    notes = await deliveries(services, "rescore")
    assert sorted(n.recipient_chat_id for n in notes) == sorted(G1)
    assert {n.message_key for n in notes} == {"sco-note-rescore"}
    async with services.ctx.sessionmaker() as s:
        live = (
            await s.execute(
                select(func.count())
                .select_from(SheetConfirmation)
                .where(SheetConfirmation.revoked_at.is_(None))
            )
        ).scalar_one()
    assert live == 0
    wl = await sc.marks.worklist(100004, st.scheme_id)
    assert not wl.confirmed and (wl.scored, wl.total) == (2, 3)
    item = await sc.marks.score_item(100004, t)
    assert item.aspect_id == a and item.rescore and item.current == 0
    [rec] = await audit(services, "score.rescore")
    assert rec.after["marks"] == [0, 1, 2, 2]
    err = await refused(
        services, DomainError, "cannot_lock_scores", sc.score_lock.lock_scores(CHIEF, st.scheme_id)
    )
    assert err.args_["flagged"] == 1
    # while re-scoring, three new marks are not a result yet
    for e, v in ((100004, 2), (100005, 2), (100007, 2)):
        out = await sc.marks.enter_mark(e, t, a, v)
        assert out.state == "rescore" and out.points is None
    out = await sc.marks.enter_mark(100008, t, a, 1)
    assert out.state == "scored" and out.points == Decimal("1.17")  # 2 × 7/12
    r = await result(services, t, a)
    assert (r.state, r.points, r.rounds) == ("scored", Decimal("1.17"), 1)
    assert all(not stale for _, stale in (await marks(services, t, a)).values())
    # a spread of exactly one is scored at once
    a2 = st.aspects["1.2.1"]
    for e, v in ((100009, 2), (100010, 2)):
        out = await sc.marks.enter_mark(e, t, a2, v)
    assert out.state == "scored" and out.points == Decimal("1.00")
    assert len(await deliveries(services, "rescore")) == 4


async def test_binary_majority_and_tie(services: Services, contest_id: int) -> None:
    sc = services
    st = await setup(services, contest_id, count=3, mentor=False)
    b = st.aspects["1.1.b"]
    t1, t2, t3 = st.targets
    for e, v in zip(G1, (1, 0, 1, 0), strict=True):
        out = await sc.marks.enter_mark(e, t1, b, v)
    assert out.state == "tie" and out.points is None
    assert all(stale for _, stale in (await marks(services, t1, b)).values())
    notes = await deliveries(services, "rescore")
    assert sorted(n.recipient_chat_id for n in notes) == sorted(G1) and {
        n.message_key for n in notes
    } == {"sco-note-tie"}
    assert len(await audit(services, "score.tie")) == 1
    for e, v in zip(G1, (1, 0, 1, 1), strict=True):
        out = await sc.marks.enter_mark(e, t1, b, v)
    assert (out.state, out.points) == ("scored", Decimal("1.00"))
    for e, v in zip(G1, (1, 1, 1, 0), strict=True):
        out = await sc.marks.enter_mark(e, t2, b, v)
    assert (out.state, out.points) == ("scored", Decimal("1.00"))
    for e, v in zip(G1, (0, 1, 0, 0), strict=True):
        out = await sc.marks.enter_mark(e, t3, b, v)
    assert (out.state, out.points) == ("scored", Decimal("0.00"))


async def test_discrete_points_from_the_table(services: Services, contest_id: int) -> None:
    sc = services
    st = await setup(services, contest_id, count=3, mentor=False)
    dd = st.aspects["1.1.d"]
    item = await sc.marks.score_item(100004, st.targets[0], dd)
    assert [o.value for o in item.options] == [0, 1, 2] and item.kind == "discrete"
    expected = {
        0: ((1, 1, 2, 1), "scored", Decimal("0.50")),
        1: ((2, 2, 2, 0), "scored", Decimal("1.00")),
        2: ((0, 0, 2, 1), "tie", None),
    }
    for i, (values, state, points) in expected.items():
        for e, v in zip(G1, values, strict=True):
            out = await sc.marks.enter_mark(e, st.targets[i], dd, v)
        assert (out.state, out.points) == (state, points)
        r = await result(services, st.targets[i], dd)
        assert (r.state, r.points) == (state, points)


# --------------------------------------------------------------------------- confirmation and lock


async def test_confirm_sheet_needs_every_aspect(services: Services, contest_id: int) -> None:
    sc = services
    st = await setup(services, contest_id, count=2, mentor=False)
    t1, t2 = st.targets
    e = 100004
    err = await refused(
        services, DomainError, "sheet_incomplete", sc.marks.confirm_sheet(e, st.scheme_id)
    )
    assert err.args_ == {"missing": 6}
    await sc.marks.enter_mark(e, t1, st.aspects["1.1.1"], 2)
    err = await refused(
        services, DomainError, "sheet_incomplete", sc.marks.confirm_sheet(e, st.scheme_id)
    )
    assert err.args_ == {"missing": 5}
    for t in (t1, t2):
        for code in ("1.1.1", "1.1.b", "1.1.d"):
            await sc.marks.enter_mark(e, t, st.aspects[code], 1)
    await refused(
        services, Forbidden, "not_group_member", sc.marks.confirm_sheet(COORD_MOSCOW, st.scheme_id)
    )
    await sc.marks.confirm_sheet(e, st.scheme_id)
    assert (await sc.marks.worklist(e, st.scheme_id)).confirmed
    await refused(
        services, DomainError, "sheet_already_confirmed", sc.marks.confirm_sheet(e, st.scheme_id)
    )
    await refused(
        services, DomainError, "sheet_confirmed", sc.marks.enter_mark(e, t1, st.aspects["1.1.1"], 3)
    )
    assert (await marks(services, t1, st.aspects["1.1.1"]))[e] == (1, False)


async def test_lock_scores_mentor_sheet_and_results_visibility(
    services: Services, contest_id: int
) -> None:
    sc = services
    st = await setup(services, contest_id)
    sid = st.scheme_id
    t_own, t_other = st.targets[0], st.targets[1]
    err = await refused(
        services, DomainError, "cannot_lock_scores", sc.score_lock.lock_scores(CHIEF, sid)
    )
    assert err.args_["unscored"] == 4 * 5 and err.args_["unconfirmed"] == 6
    # everything but one expert's confirmation
    await score_all(services, st, experts=(*G1, 100009))
    await score_all(services, st, experts=(MENTOR,), confirm=False)
    err = await refused(
        services, DomainError, "cannot_lock_scores", sc.score_lock.lock_scores(CHIEF, sid)
    )
    assert err.args_ == {"targets": 4, "unscored": 0, "flagged": 0, "unconfirmed": 1}
    # nobody sees a sheet or results before the lock
    await refused(
        services, DomainError, "scores_not_locked", sc.score_lock.target_sheet(MENTOR, t_own)
    )
    await refused(
        services, Forbidden, "not_your_participant", sc.score_lock.target_sheet(100004, t_own)
    )
    await refused(services, Forbidden, "not_coordinator", sc.results.results(100004, sid))
    await refused(services, Forbidden, "not_coordinator", sc.results.results(CHIEF, sid))
    await sc.marks.confirm_sheet(MENTOR, sid)
    await refused(services, Forbidden, "not_chief", sc.score_lock.lock_scores(100004, sid))
    assert await sc.score_lock.lock_scores(CHIEF, sid) == 1
    [note] = await deliveries(services, "mentor-sheet")
    assert note.recipient_chat_id == MENTOR and note.message_key == "sco-note-mentor-sheet"
    # after the lock nothing is entered
    await refused(
        services,
        DomainError,
        "scores_locked",
        sc.marks.enter_mark(100004, t_other, st.aspects["1.1.1"], 0),
    )
    await refused(services, DomainError, "scores_locked_by", sc.score_lock.lock_scores(CHIEF, sid))
    # the mentor sees their own participant's sheet only
    sheet = await sc.score_lock.target_sheet(MENTOR, t_own)
    assert sheet.target_id == t_own and sheet.locked and sheet.total == Decimal("7.00")
    assert {ln.code: ln.points for ln in sheet.lines} == {
        "1.1.1": Decimal("2.00"),
        "1.1.b": Decimal("1.00"),
        "1.1.d": Decimal("1.00"),
        "1.2.1": Decimal("2.00"),
        "1.2.2": Decimal("1.00"),
    }
    assert MENTOR not in next(ln for ln in sheet.lines if ln.code == "1.2.1").marks
    await refused(
        services, Forbidden, "not_your_participant", sc.score_lock.target_sheet(MENTOR, t_other)
    )
    await refused(
        services, Forbidden, "not_your_participant", sc.score_lock.target_sheet(100004, t_own)
    )
    await refused(services, Forbidden, "not_coordinator", sc.results.results(100004, sid))
    await refused(
        services,
        Forbidden,
        "not_your_participant",
        sc.score_lock.confirm_mentor_sheet(MENTOR, t_other),
    )
    await sc.score_lock.confirm_mentor_sheet(MENTOR, t_own)
    assert (await sc.score_lock.target_sheet(MENTOR, t_own)).confirmed_at is not None
    results = await sc.results.results(FEDERAL, sid)
    assert results.complete and len(results.lines) == 4
    # a regional coordinator sees their own region's lines only
    moscow = await sc.results.results(COORD_MOSCOW, sid)
    assert (
        moscow.lines
        and {ln.region for ln in moscow.lines} == {"г. Москва"}
        and len(moscow.lines) < 4
    )


# --------------------------------------------------------------------------- results (R-RES-1, R-APP-8)


async def test_results_by_region_medals_and_promotion(services: Services, contest_id: int) -> None:
    sc = services
    st = await setup(services, contest_id)
    sid = st.scheme_id
    await score_all(services, st)
    await refused(
        services, DomainError, "scores_not_locked", sc.results.promote_winners(COORD_MOSCOW, sid)
    )
    await sc.score_lock.lock_scores(CHIEF, sid)
    res = await sc.results.results(FEDERAL, sid)
    lines = {ln.target_id: ln for ln in res.lines}
    t701, t702, t703, t751 = st.targets
    got = {
        t: (lines[t].region, lines[t].total, lines[t].place, lines[t].medal, lines[t].advances)
        for t in st.targets
    }
    assert got == {
        t701: ("г. Москва", Decimal("7.00"), 1, "gold", True),
        t702: ("г. Москва", Decimal("7.00"), 1, "gold", True),
        t703: ("г. Москва", Decimal("2.17"), 3, "bronze", False),
        t751: ("Московская область", Decimal("5.33"), 1, "gold", True),
    }
    assert [(ln.place, ln.medal) for ln in res.lines if ln.region == lines[t701].region] == [
        (1, "gold"),
        (1, "gold"),
        (3, "bronze"),
    ]
    assert (lines[t751].place, lines[t751].medal, lines[t751].advances) == (1, "gold", True)
    assert [lines[t].total for t in st.targets] == [
        Decimal("7.00"),
        Decimal("7.00"),
        Decimal("2.17"),
        Decimal("5.33"),
    ]
    # promotion needs the next stage's scheme
    await refused(
        services, DomainError, "no_next_stage_scheme", sc.results.promote_winners(COORD_MOSCOW, sid)
    )
    await refused(services, Forbidden, "not_coordinator", sc.results.promote_winners(100004, sid))
    fed = await sc.schemes.load_scheme(CHIEF, contest_id, small_scheme(stage="federal"))
    assert fed.created and fed.scheme_id != sid
    assert await sc.results.promote_winners(COORD_MOSCOW, sid) == 3
    assert await sc.results.promote_winners(COORD_MOSCOW, sid) == 0
    async with services.ctx.sessionmaker() as s:
        moved = (
            (
                await s.execute(
                    select(EvaluationTarget).where(EvaluationTarget.scheme_id == fed.scheme_id)
                )
            )
            .scalars()
            .all()
        )
    assert sorted(t.promoted_from_id for t in moved) == sorted([t701, t702, t751])
    assert sorted(t.number for t in moved) == [1, 2, 3]


async def test_overall_ranking_lists_places_in_order(services: Services, contest_id: int) -> None:
    """With ranking "overall" the regions are ranked together, and the list reads in place
    order whatever the regions are called."""
    sc = services
    who = ((701, "77"), (702, "77"), (751, "50"))
    st = await setup(services, contest_id, d=small_scheme(ranking="overall"), who=who, mentor=False)
    await score_all(services, st, levels={0: 3, 1: 1, 2: 2})
    await sc.score_lock.lock_scores(CHIEF, st.scheme_id)
    res = await sc.results.results(FEDERAL, st.scheme_id)
    assert [(ln.target_id, ln.place, ln.medal) for ln in res.lines] == [
        (st.targets[0], 1, "gold"),
        (st.targets[2], 2, "silver"),
        (st.targets[1], 3, "bronze"),
    ]
    assert [ln.advances for ln in res.lines] == [True, False, False]


# --------------------------------------------------------------------------- corrections (R-SCO-6) and audit (R-SCO-7)


async def test_correction_protocol(services: Services, contest_id: int) -> None:
    sc = services
    st = await setup(services, contest_id)
    sid = st.scheme_id
    t_own, t_other = st.targets[0], st.targets[1]
    a = st.aspects["1.1.1"]
    await score_all(services, st)
    await refused(
        services,
        DomainError,
        "scores_not_locked",
        sc.corrections.open_correction(CHIEF, t_own, st.subs["1.1"], "Ошибка"),
    )
    await sc.score_lock.lock_scores(CHIEF, sid)
    await sc.score_lock.confirm_mentor_sheet(MENTOR, t_own)
    await refused(
        services,
        Forbidden,
        "not_chief",
        sc.corrections.open_correction(100004, t_own, st.subs["1.1"], "Ошибка"),
    )
    await refused(
        services,
        DomainError,
        "reason_required",
        sc.corrections.open_correction(CHIEF, t_own, st.subs["1.1"], "  "),
    )
    c = await sc.corrections.open_correction(CHIEF, t_own, st.subs["1.1"], "Ошибка ввода")
    assert (
        c.status == "approval"
        and sorted(c.signers) == sorted([CHIEF, MENTOR, *G1])
        and c.approved == (CHIEF,)
    )
    assert sorted(d.recipient_chat_id for d in await deliveries(services, "correction")) == sorted(
        [MENTOR, *G1]
    )
    await refused(
        services,
        DomainError,
        "correction_already_open",
        sc.corrections.open_correction(CHIEF, t_own, st.subs["1.1"], "Ещё раз"),
    )
    # nothing unlocks before every signer approved
    await refused(
        services,
        DomainError,
        "no_open_correction",
        sc.marks.enter_mark(CHIEF, t_own, a, 2, for_expert=100004),
    )
    await refused(services, Forbidden, "not_a_signer", sc.corrections.sign_correction(100009, c.id))
    for signer in (MENTOR, *G1[:3]):
        c = await sc.corrections.sign_correction(signer, c.id)
        assert c.status == "approval"
    await refused(
        services,
        DomainError,
        "no_open_correction",
        sc.marks.enter_mark(CHIEF, t_own, a, 2, for_expert=100004),
    )
    await refused(
        services,
        DomainError,
        "correction_already_signed",
        sc.corrections.sign_correction(MENTOR, c.id),
    )
    c = await sc.corrections.sign_correction(G1[3], c.id)
    assert c.status == "open"
    assert len(await audit(services, "correction.unlock")) == 1
    [opened] = await audit(services, "correction.open")
    assert (
        opened.actor_telegram_id == CHIEF
        and opened.after["reason"] == "Ошибка ввода"
        and opened.after["subcriterion"] == "1.1"
    )
    assert [r.actor_telegram_id for r in await audit(services, "scores.lock")] == [CHIEF]
    # only the chief, only this target and subcriterion
    await refused(
        services,
        Forbidden,
        "not_chief",
        sc.marks.enter_mark(100004, t_own, a, 2, for_expert=100004),
    )
    await refused(services, DomainError, "scores_locked", sc.marks.enter_mark(100004, t_own, a, 2))
    await refused(
        services,
        DomainError,
        "no_open_correction",
        sc.marks.enter_mark(CHIEF, t_own, st.aspects["1.2.1"], 2, for_expert=100005),
    )
    await refused(
        services,
        DomainError,
        "no_open_correction",
        sc.marks.enter_mark(CHIEF, t_other, a, 2, for_expert=100004),
    )
    before_total = (await sc.results.compute_results(sid)).lines
    for e in G1:
        out = await sc.marks.enter_mark(CHIEF, t_own, a, 2, for_expert=e)
        assert out.state == "scored"
    assert out.points == Decimal("1.33")
    assert (await marks(services, t_own, a)) == {e: (2, False) for e in G1}
    # the audit keeps who, the old and the new value (R-SCO-7)
    corrected = await audit(services, "score.correct")
    assert len(corrected) == 4 and {r.actor_telegram_id for r in corrected} == {CHIEF}
    assert corrected[0].before == {"value": 3}
    assert (
        corrected[0].after["value"] == 2
        and corrected[0].after["expert"] == G1[0]
        and corrected[0].after["correction_id"] == c.id
    )
    # locked again, then signed again by the same people
    await refused(services, Forbidden, "not_chief", sc.corrections.relock_correction(100004, c.id))
    c = await sc.corrections.relock_correction(CHIEF, c.id)
    assert c.status == "signing" and c.confirmed == (CHIEF,)
    await refused(
        services,
        DomainError,
        "no_open_correction",
        sc.marks.enter_mark(CHIEF, t_own, a, 1, for_expert=100004),
    )
    await refused(services, Forbidden, "not_a_signer", sc.corrections.sign_correction(100009, c.id))
    for signer in (MENTOR, *G1):
        c = await sc.corrections.sign_correction(signer, c.id)
    assert c.status == "done" and sorted(c.confirmed) == sorted([CHIEF, MENTOR, *G1])
    # the corrected total counts
    after = {ln.target_id: ln for ln in (await sc.results.compute_results(sid)).lines}
    assert {ln.target_id: ln.total for ln in before_total}[t_own] == Decimal("7.00")
    assert after[t_own].total == Decimal("6.33") and (after[t_own].place, after[t_own].medal) == (
        2,
        "silver",
    )
    assert (after[t_other].place, after[t_other].medal) == (1, "gold")
    # the mentor confirms the corrected sheet again
    assert (await sc.score_lock.target_sheet(MENTOR, t_own)).confirmed_at is None
    # the corrected protocol says whose mark is whose, by name (issue #16), never by id
    async with services.ctx.sessionmaker() as s:
        content = (
            (
                await s.execute(
                    select(ProtocolVersion.content)
                    .join(Protocol, Protocol.id == ProtocolVersion.protocol_id)
                    .where(Protocol.kind == "correction")
                    .order_by(ProtocolVersion.version.desc())
                )
            )
            .scalars()
            .first()
        )
    [row] = [r for r in content["tables"][0]["rows"] if r[0] == "1.1.1"]
    assert "Орлов Д. И.: 2" in row[3] and "Лебедева И. М.: 2" in row[3]
    assert str(G1[0]) not in row[3]


async def test_audit_trail_of_entries_and_locks(services: Services, contest_id: int) -> None:
    sc = services
    st = await setup(services, contest_id, count=1, mentor=False)
    t = st.targets[0]
    a = st.aspects["1.1.1"]
    out = await sc.marks.enter_mark(100004, t, a, 1)
    assert out.changed
    out = await sc.marks.enter_mark(100004, t, a, 1)  # the same value again: no new entry
    assert not out.changed
    await sc.marks.enter_mark(100004, t, a, 2)
    entries = [r for r in await audit(services, "score.enter") if r.after["aspect"] == "1.1.1"]
    assert [(r.before, r.after["value"]) for r in entries] == [(None, 1), ({"value": 1}, 2)]
    assert entries[1].after == {"value": 2, "target_id": t, "aspect": "1.1.1", "expert": 100004}
    assert entries[1].actor_telegram_id == 100004 and entries[1].at is not None
    for e, v in zip(G1[1:], (0, 0, 0), strict=True):
        await sc.marks.enter_mark(e, t, a, v)
    [rescore] = await audit(services, "score.rescore")
    assert rescore.after["marks"] == [0, 0, 0, 2]
    assert [r.action for r in await audit(services, "scheme.lock")] == ["scheme.lock"]


# --------------------------------------------------------------------------- concurrency


async def test_concurrent_entry_loses_nothing(services: Services, contest_id: int) -> None:
    """Two sessions of one expert on the same mark: one row, one of the two values, and the
    group result agrees. Four experts on one aspect at once: the result uses all four."""
    sc = services
    st = await setup(services, contest_id, d=small_scheme(judgements=10), count=2, mentor=False)
    t1, t2 = st.targets
    codes = [f"1.1.{i + 1}" for i in range(10)]
    for code in codes:
        a = st.aspects[code]
        outs = await asyncio.gather(
            sc.marks.enter_mark(100004, t1, a, 1), sc.marks.enter_mark(100004, t1, a, 3)
        )
        assert {o.state for o in outs} == {"incomplete"}
        got = await marks(services, t1, a)
        assert list(got) == [100004] and got[100004][0] in (1, 3)
        r = await result(services, t1, a)
        assert (r.state, r.marks, r.points) == ("incomplete", 1, None)
        entries = [
            x
            for x in await audit(services, "score.enter")
            if x.after["target_id"] == t1 and x.after["aspect"] == code
        ]
        assert entries and entries[-1].after["value"] == got[100004][0]
    patterns = [(1, 2, 2, 1), (0, 2, 3, 3), (3, 3, 3, 3), (0, 1, 0, 1), (2, 3, 2, 3)]
    for i, code in enumerate(codes):
        a = st.aspects[code]
        values = patterns[i % len(patterns)]
        await asyncio.gather(
            *(sc.marks.enter_mark(e, t2, a, v) for e, v in zip(G1, values, strict=True))
        )
        r = await result(services, t2, a)
        got = await marks(services, t2, a)
        assert sorted(v for v, _ in got.values()) == sorted(values)
        assert r.marks == (0 if r.state in ("rescore", "tie") else 4)  # fresh marks
        if max(values) - min(values) > 1:
            assert (r.state, r.points, r.rounds) == ("rescore", None, 1)
            assert all(stale for _, stale in got.values())
        else:
            assert r.state == "scored"
            assert r.points == (Decimal(2) * sum(values) / 12).quantize(Decimal("0.01"))
            assert not any(stale for _, stale in got.values())


async def test_scheme_file_example_is_loadable_and_scored_fully(
    services: Services, contest_id: int
) -> None:
    """The example scheme end to end for one participant: every aspect of both groups."""
    sc = services
    st = await setup(
        services,
        contest_id,
        d=parse_scheme_yaml(Path(SCHEME_YAML).read_bytes()),
        count=1,
        mentor=False,
    )
    for e in sorted({*G1, *G2}):
        while (item := await sc.marks.score_item(e, st.targets[0])) is not None:
            await sc.marks.enter_mark(
                e, st.targets[0], item.aspect_id, {"judgement": 3, "binary": 1}.get(item.kind, 2)
            )
        await sc.marks.confirm_sheet(e, st.scheme_id)
    await sc.score_lock.lock_scores(CHIEF, st.scheme_id)
    [line] = (await sc.results.results(FEDERAL, st.scheme_id)).lines
    assert line.total == Decimal("100.00") and line.medal == "gold" and line.advances


async def test_last_allowance_votes_at_once_still_allow(
    services: Services, contest_id: int
) -> None:
    """R-ROLE-3 under concurrency: the last two "yes" votes arriving together must still
    make the allowance unanimous (neither may see the other as not yet voted and stop)."""
    sc = services
    st = await setup(services, contest_id, count=1)
    t_own = st.targets[0]
    for _ in range(3):
        await sc.scoring_setup.set_mentor(CHIEF, t_own, MENTOR)
        await sc.scoring_setup.ask_mentor_allowance(CHIEF, t_own)
        for v in EXPERTS[:-2]:
            await sc.scoring_setup.vote_mentor_allowance(v, t_own, True)
        outcomes = await asyncio.gather(
            *(sc.scoring_setup.vote_mentor_allowance(v, t_own, True) for v in EXPERTS[-2:])
        )
        assert sorted(outcomes) == ["allowed", "waiting"]
        assert (await sc.scoring_setup.targets(CHIEF, st.scheme_id))[0][3] is True
        assert len(await audit(services, "mentor_allowance.granted")) == 1
        async with services.ctx.sessionmaker() as s:
            await s.execute(
                AuditRecord.__table__.delete().where(
                    AuditRecord.action == "mentor_allowance.granted"
                )
            )
            await s.commit()


async def test_confirmation_racing_a_rescore_does_not_survive_it(
    services: Services, contest_id: int
) -> None:
    """An expert confirms their sheet while the last mark of an aspect forces a re-score:
    afterwards the expert is either refused or their confirmation is withdrawn — never
    confirmed with a mark waiting to be re-scored (R-SCO-1, R-SCO-4)."""
    sc = services
    st = await setup(services, contest_id, d=small_scheme(judgements=6), count=1, mentor=False)
    t = st.targets[0]
    me = G1[0]
    for code in ("1.1.b", "1.1.d", *(f"1.1.{i + 1}" for i in range(6))):
        await sc.marks.enter_mark(me, t, st.aspects[code], 1 if code == "1.1.b" else 0)
    for i in range(6):
        a = st.aspects[f"1.1.{i + 1}"]
        await sc.marks.enter_mark(100005, t, a, 2)
        await sc.marks.enter_mark(100007, t, a, 2)
        outcome = await asyncio.gather(
            sc.marks.confirm_sheet(me, st.scheme_id),
            sc.marks.enter_mark(100008, t, a, 1),
            return_exceptions=True,
        )
        assert outcome[1].state == "rescore"
        assert outcome[0] is None or (
            isinstance(outcome[0], DomainError) and outcome[0].code == "sheet_incomplete"
        ), outcome[0]
        assert (await marks(services, t, a))[me] == (0, True)
        assert not (await sc.marks.worklist(me, st.scheme_id)).confirmed
        for e in G1:
            await sc.marks.enter_mark(e, t, a, 1)
        assert (await result(services, t, a)).state == "scored"


async def test_corrections_under_concurrency(services: Services, contest_id: int) -> None:
    """A double tap on «open correction» opens one; the last two signatures arriving
    together still move the correction on (R-SCO-6)."""
    sc = services
    st = await setup(services, contest_id, count=2)
    t_own = st.targets[0]
    await score_all(services, st)
    await sc.score_lock.lock_scores(CHIEF, st.scheme_id)
    opened = await asyncio.gather(
        *(
            sc.corrections.open_correction(CHIEF, t_own, st.subs["1.1"], "Ошибка ввода")
            for _ in range(2)
        ),
        return_exceptions=True,
    )
    ok = [c for c in opened if not isinstance(c, Exception)]
    assert len(ok) == 1, opened
    assert all(
        isinstance(c, DomainError) and c.code == "correction_already_open"
        for c in opened
        if c not in ok
    )
    assert len(await sc.corrections.corrections(CHIEF, st.scheme_id)) == 1
    c = ok[0]
    for signer in (MENTOR, *G1[:2]):
        await sc.corrections.sign_correction(signer, c.id)
    await asyncio.gather(*(sc.corrections.sign_correction(signer, c.id) for signer in G1[2:]))
    assert (await sc.corrections.correction(CHIEF, c.id)).status == "open"
    await sc.marks.enter_mark(CHIEF, t_own, st.aspects["1.1.1"], 2, for_expert=G1[0])
    c = await sc.corrections.relock_correction(CHIEF, c.id)
    for signer in (MENTOR, *G1[:3]):
        await sc.corrections.sign_correction(signer, c.id)
    await asyncio.gather(*(sc.corrections.sign_correction(signer, c.id) for signer in (G1[3],)))
    assert (await sc.corrections.correction(CHIEF, c.id)).status == "done"
