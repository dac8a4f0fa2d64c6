"""Disputes (R-APL-1…9) at the service level on SQLite and on real PostgreSQL — the
pre-appeal vote, the commission, filing with deadlines in the event's zone, conflicts,
votes, final decisions applied to the results — and the workers' checks of R-REM-4
(R-REM-6: each once) through the sweep and a real Dramatiq worker with a clock the test
moves. World times are in May 2027: the commission is formed ≥ 2 days before the federal
stage of 02.06.2027."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import dramatiq
import yaml
from sqlalchemy import select, update

from bot.texts import error_text
from models.clock import FixedClock
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.appeals import APPEAL_FIELDS
from models.tables import Appeal, AppealVote, Delivery, ReminderRun, ResultAdjustment
from tests.builders import (
    ACCREDITED,
    CHAIR,
    CHIEF,
    COMMISSION,
    EVIDENCE,
    FIELDS,
    MEMBER,
    MEMBER_2,
    MENTOR,
    NEXT,
    SAME_ORG,
    SECRETARY,
    at,
    count,
    federal_stage,
    file,
    ready,
    refused,
    rows,
)
from tests.conftest import COORD_MOSCOW, COORD_OBLAST, EXAMPLE, EXPERT, FEDERAL, MSK, drain
from tests.fakes import FakeTelegramSession
from workers.actors import sweep

# --------------------------------------------------------------------------- pre-appeal (R-APL-1)


async def test_pre_appeal_quorum_and_majority_through_votes(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock, count=1)
    await refused(
        Forbidden,
        "not_chief",
        services.disputes.open_pre_appeal(EXPERT, st.scheme_id, "Спор", "Предложение", None),
    )
    await refused(
        DomainError,
        "appeal_field_missing",
        services.disputes.open_pre_appeal(CHIEF, st.scheme_id, " ", "Предложение", None),
    )

    # accepted: 6 of 7 voted (≥ 80 %), 4 for
    p = await services.disputes.open_pre_appeal(
        CHIEF, st.scheme_id, "Участник пользовался подсказкой", "Снять 1 балл", "минус 1 балл"
    )
    assert p.status == "voting" and p.accredited == len(ACCREDITED)
    invited = await rows(
        services,
        Delivery,
        Delivery.reason == "pre-appeal",
        Delivery.subject == f"pre_appeal:{p.id}",
    )
    assert sorted(d.recipient_chat_id for d in invited) == sorted(ACCREDITED)
    for voter, vote in zip(ACCREDITED[:6], (True, True, True, True, False, False), strict=True):
        p = await services.disputes.vote_pre_appeal(voter, p.id, vote)
    await refused(
        DomainError,
        "pre_appeal_voted_already",
        services.disputes.vote_pre_appeal(ACCREDITED[0], p.id, False),
    )  # issue #12: says what was counted
    for stranger in (COORD_MOSCOW, CHAIR, FEDERAL):
        await refused(
            Forbidden, "not_accredited", services.disputes.vote_pre_appeal(stranger, p.id, True)
        )
    assert (p.status, p.votes_for, p.votes_against) == ("voting", 4, 2)
    await refused(Forbidden, "not_chief", services.disputes.close_pre_appeal(EXPERT, p.id))
    p = await services.disputes.close_pre_appeal(CHIEF, p.id)
    assert (p.status, p.votes_for, p.votes_against) == ("accepted", 4, 2)
    await refused(
        DomainError,
        "pre_appeal_closed_already",
        services.disputes.vote_pre_appeal(ACCREDITED[6], p.id, True),
    )
    await refused(
        DomainError, "pre_appeal_closed_already", services.disputes.close_pre_appeal(CHIEF, p.id)
    )
    protocol = await services.protocols.by_subject("pre_appeal", f"pre_appeal:{p.id}")
    assert protocol is not None and sorted(x.telegram_id for x in protocol.signers) == sorted(
        ACCREDITED[:6]
    )

    # rejected: everyone voted (the vote closes itself), 3 for — not more than half
    r = await services.disputes.open_pre_appeal(
        CHIEF, st.scheme_id, "Спор 2", "Предложение 2", None
    )
    for voter, vote in zip(ACCREDITED, (True, True, True, False, False, False, False), strict=True):
        r = await services.disputes.vote_pre_appeal(voter, r.id, vote)
    assert (r.status, r.votes_for, r.votes_against) == ("rejected", 3, 4)

    # a tie of the votes cast is no majority
    t = await services.disputes.open_pre_appeal(
        CHIEF, st.scheme_id, "Спор 3", "Предложение 3", None
    )
    for voter, vote in zip(ACCREDITED[:6], (True, False) * 3, strict=True):
        t = await services.disputes.vote_pre_appeal(voter, t.id, vote)
    assert (await services.disputes.close_pre_appeal(CHIEF, t.id)).status == "rejected"

    # no quorum: 5 of 7 (71 %) voted, all for
    q = await services.disputes.open_pre_appeal(
        CHIEF, st.scheme_id, "Спор 4", "Предложение 4", None
    )
    for voter in ACCREDITED[:5]:
        q = await services.disputes.vote_pre_appeal(voter, q.id, True)
    # issue #15: closing without quorum needs the chief's confirmation
    await refused(
        DomainError, "pre_appeal_no_quorum", services.disputes.close_pre_appeal(CHIEF, q.id)
    )
    q = await services.disputes.close_pre_appeal(CHIEF, q.id, without_quorum=True)
    assert (q.status, q.votes_for) == ("no_quorum", 5)
    closed = await rows(
        services,
        Delivery,
        Delivery.reason == "pre-appeal",
        Delivery.subject == f"pre_appeal:{q.id}:closed",
    )
    assert sorted(d.recipient_chat_id for d in closed) == sorted(ACCREDITED)


# --------------------------------------------------------------------------- the commission (R-APL-6)


async def test_commission_of_exactly_five_formed_in_time_by_a_federal_coordinator(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    clock.at = at(10, 0, date(2027, 5, 20))
    fed = await federal_stage(services, contest_id)
    await refused(
        Forbidden,
        "federal_only",
        services.commission.form_commission(COORD_MOSCOW, contest_id, stage_id=fed, deputy=MEMBER),
    )
    await refused(
        Forbidden,
        "federal_only",
        services.commission.form_commission(CHAIR, contest_id, stage_id=fed, deputy=MEMBER),
    )
    members = await services.commission.form_commission(
        FEDERAL, contest_id, stage_id=fed, deputy=MEMBER
    )
    assert [m.telegram_id for m in members] == list(COMMISSION)
    assert [m.role for m in members] == [
        "chair",
        "secretary",
        "member",
        "deputy",
        "member",
    ]  # issue #15: the deputy chair
    assert [m.organisation_code for m in members] == [None, None, "7704000101", None, None]
    # again: the same five, not ten — refused with who formed it and when (issue #12)
    err = await refused(
        DomainError,
        "commission_formed_already",
        services.commission.form_commission(FEDERAL, contest_id, stage_id=fed, deputy=MEMBER),
    )
    assert "20.05.2027 10:00" in error_text(err)
    assert len(await services.commission.members(contest_id)) == 5
    # less than two days before the federal stage (02.06.2027): another stage is refused, named
    clock.at = at(10, 0, date(2027, 5, 31))
    regional = next(
        st.id
        for st in await services.commission.commission_stages(FEDERAL, contest_id)
        if st.id != fed
    )
    err = await refused(
        DomainError,
        "cms_stage_too_late",
        services.commission.form_commission(FEDERAL, contest_id, stage_id=regional, deputy=MEMBER),
    )
    assert "за 2 дня" in error_text(err) and "Региональный этап" in error_text(err)
    # a contest file with four people in the commission
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["code"] = "soc-2027-four"
    data["people"] = [p for p in data["people"] if p["telegram_id"] != MEMBER_2]
    other = (
        await services.contests.load_definition(
            None, yaml.safe_dump(data, allow_unicode=True).encode()
        )
    ).contest_id
    clock.at = at(10, 0, date(2027, 5, 20))
    err = await refused(
        DomainError,
        "commission_composition",
        services.commission.form_commission(FEDERAL, other, stage_id=fed, deputy=MEMBER),
    )
    assert err.args_ == {"count": 4, "size": 5}
    assert "ровно 5 человек" in error_text(err) and "сейчас в файле конкурса: 4" in error_text(err)
    assert await services.commission.members(other) == []


# --------------------------------------------------------------------------- filing (R-APL-2…5)


async def test_filing_who_may_file_every_field_and_the_three_kinds(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock)
    t701, t702, t703, t751 = st.targets
    clock.at = at(10, 0)
    dispute = at(9, 30)
    # R-APL-2: the mentor, or without one the regional coordinator of the participant's region
    assert [t for t, _ in await services.appeals.targets_for_applicant(MENTOR, contest_id)] == [
        t701
    ]
    assert [
        t for t, _ in await services.appeals.targets_for_applicant(COORD_MOSCOW, contest_id)
    ] == [t702, t703]
    assert [
        t for t, _ in await services.appeals.targets_for_applicant(COORD_OBLAST, contest_id)
    ] == [t751]
    for actor, target in (
        (COORD_MOSCOW, t701),
        (MENTOR, t702),
        (COORD_OBLAST, t702),
        (EXPERT, t701),
        (CHIEF, t703),
        (CHAIR, t751),
    ):
        err = await refused(Forbidden, "not_an_applicant", file(services, actor, target, dispute))
    assert "эксперт-наставник" in error_text(err)
    # R-APL-4: every missing field is named
    for name in APPEAL_FIELDS:
        err = await refused(
            DomainError,
            "appeal_field_missing",
            file(services, MENTOR, t701, dispute, fields={**FIELDS, name: "  "}),
        )
        assert err.args_ == {"field": name}
    err = await refused(
        DomainError,
        "appeal_field_missing",
        file(
            services,
            MENTOR,
            t701,
            dispute,
            fields={k: v for k, v in FIELDS.items() if k != "place"},
        ),
    )
    assert "место нарушения" in error_text(err)
    err = await refused(
        DomainError, "appeal_field_missing", file(services, MENTOR, t701, dispute, evidence=[])
    )
    assert err.args_ == {"field": "evidence"} and "доказательства" in error_text(err)
    # R-APL-5: only three kinds
    for kind in ("rudeness", "", "other"):
        err = await refused(
            DomainError,
            "appeal_kind_not_accepted",
            file(services, MENTOR, t701, dispute, kind=kind),
        )
    assert "только три вида" in error_text(err)
    await refused(DomainError, "dispute_in_future", file(services, MENTOR, t701, at(10, 1)))
    assert await rows(services, Appeal) == []

    a = await file(services, MENTOR, t701, dispute, kind="unfair_advantage")
    assert (a.status, a.applicant_role, a.kind, a.fields, a.evidence) == (
        "registered",
        "mentor",
        "unfair_advantage",
        FIELDS,
        EVIDENCE,
    )
    assert a.deadline_at == at(21, 0) and a.decide_by == datetime(
        2027, 5, 10, 23, 59, 59, tzinfo=MSK
    )
    # the participants of Moscow are of organisation 7704000101, like one member: excluded
    assert a.excluded == (SAME_ORG,)
    b = await file(services, COORD_MOSCOW, t702, dispute, kind="removed_from_task")
    assert (b.applicant_role, b.excluded) == ("regional_head", (SAME_ORG,))
    c = await file(services, COORD_OBLAST, t751, dispute)
    assert (c.applicant_role, c.excluded) == ("regional_head", ())
    assert [x.id for x in await services.appeal_decisions.queue(CHAIR, contest_id)] == [
        a.id,
        b.id,
        c.id,
    ]
    await refused(
        Forbidden, "not_commission_member", services.appeal_decisions.queue(MENTOR, contest_id)
    )
    told = await rows(services, Delivery, Delivery.subject == f"appeal:{a.id}:registered")
    assert sorted(d.recipient_chat_id for d in told) == sorted([*COMMISSION, MENTOR])
    same_org = next(d for d in told if d.recipient_chat_id == SAME_ORG)
    assert (
        same_org.message_args["excluded"] == "yes"
        and same_org.message_args["decide_by"] == "10.05.2027 23:59 (МСК)"
    )


async def test_filing_deadlines_and_decision_days_in_the_event_zone(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock, count=1)
    [t701] = st.targets
    # late: the deadline (21:00 of the dispute's day) is named
    clock.at = at(21, 1)
    err = await refused(DomainError, "appeal_late", file(services, MENTOR, t701, at(14, 0)))
    assert err.args_["deadline"] == at(21, 0) and "10.05.2027 21:00 (МСК)" in error_text(err)
    assert await services.appeals.filing_deadline(t701, at(14, 0)) == (at(21, 0), False)
    # a dispute at exactly 21:00 is not "after 21:00": 21:00 the same day, filed at 21:00
    clock.at = at(21, 0)
    exact = await file(services, MENTOR, t701, at(21, 0))
    assert exact.status == "registered" and exact.deadline_at == at(21, 0)
    assert exact.decide_by == datetime(
        2027, 5, 11, 23, 59, 59, tzinfo=MSK
    )  # registered after 18:00

    # a dispute at 21:30 waits for the chief expert to confirm its time (deadline 12:00 next day)
    clock.at = at(21, 40)
    assert await services.appeals.filing_deadline(t701, at(21, 30)) == (at(12, 0, NEXT), True)
    late = await file(services, MENTOR, t701, at(21, 30))
    assert (late.status, late.deadline_at, late.registered_at, late.decide_by) == (
        "awaiting_time",
        at(12, 0, NEXT),
        None,
        None,
    )
    [ask] = await rows(services, Delivery, Delivery.subject == f"appeal:{late.id}:time")
    assert ask.recipient_chat_id == CHIEF and ask.message_key == "apl-note-confirm-time"
    assert [x.id for x in await services.appeal_decisions.queue(CHAIR, contest_id)] == [
        exact.id
    ]  # not registered yet
    unconfirmed = await file(services, MENTOR, t701, at(21, 35))
    clock.at = at(11, 0, NEXT)
    for stranger in (MENTOR, EXPERT, CHAIR, FEDERAL):
        await refused(Forbidden, "not_chief", services.appeals.confirm_time(stranger, late.id))
    late = await services.appeals.confirm_time(CHIEF, late.id)
    assert late.status == "registered" and late.registered_at == at(11, 0, NEXT)
    assert late.decide_by == datetime(
        2027, 5, 11, 23, 59, 59, tzinfo=MSK
    )  # registered before 18:00
    await refused(
        DomainError, "appeal_time_confirmed_already", services.appeals.confirm_time(CHIEF, late.id)
    )
    clock.at = at(12, 1, NEXT)  # the 12:00 deadline passed unconfirmed
    err = await refused(
        DomainError, "appeal_late", services.appeals.confirm_time(CHIEF, unconfirmed.id)
    )
    assert "11.05.2027 12:00 (МСК)" in error_text(err)
    assert (await services.appeal_decisions.view(CHAIR, unconfirmed.id)).status == "awaiting_time"

    # R-APL-7: registered at 17:59 → decided that day; at 18:00 → the next day
    clock.at = at(17, 59, NEXT)
    before = await file(services, MENTOR, t701, at(17, 0, NEXT))
    clock.at = at(18, 0, NEXT)
    after = await file(services, MENTOR, t701, at(17, 0, NEXT))
    assert before.decide_by == datetime(2027, 5, 11, 23, 59, 59, tzinfo=MSK)
    assert after.decide_by == datetime(2027, 5, 12, 23, 59, 59, tzinfo=MSK)
    [note] = await rows(
        services,
        Delivery,
        Delivery.subject == f"appeal:{after.id}:registered",
        Delivery.recipient_chat_id == MENTOR,
    )
    assert note.message_args["decide_by"] == "12.05.2027 23:59 (МСК)"


async def test_filing_deadline_in_another_time_zone(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    """The deadline is 21:00 of the event's zone (Yekaterinburg, UTC+5), not Moscow's."""
    from models.tables import Contest

    st = await ready(services, contest_id, clock, count=1)
    async with services.ctx.sessionmaker() as s, s.begin():
        await s.execute(
            update(Contest).where(Contest.id == contest_id).values(timezone="Asia/Yekaterinburg")
        )
    from zoneinfo import ZoneInfo

    ekb = ZoneInfo("Asia/Yekaterinburg")
    clock.at = datetime(2027, 5, 10, 19, 30, tzinfo=MSK)  # 21:30 in Yekaterinburg
    err = await refused(
        DomainError,
        "appeal_late",
        file(services, MENTOR, st.targets[0], datetime(2027, 5, 10, 15, 0, tzinfo=MSK)),
    )
    assert err.args_["deadline"] == datetime(
        2027, 5, 10, 21, 0, tzinfo=ekb
    ) and "10.05.2027 21:00 (Asia/Yekaterinburg)" in error_text(err)
    clock.at = datetime(2027, 5, 10, 15, 30, tzinfo=MSK)  # 17:30 there: decided the same day
    a = await file(services, MENTOR, st.targets[0], datetime(2027, 5, 10, 15, 0, tzinfo=MSK))
    assert a.deadline_at == datetime(2027, 5, 10, 21, 0, tzinfo=ekb) and a.decide_by == datetime(
        2027, 5, 10, 23, 59, 59, tzinfo=ekb
    )
    clock.at = datetime(2027, 5, 10, 16, 0, tzinfo=MSK)  # 18:00 there: the next day
    b = await file(services, MENTOR, st.targets[0], datetime(2027, 5, 10, 15, 0, tzinfo=MSK))
    assert b.decide_by == datetime(2027, 5, 11, 23, 59, 59, tzinfo=ekb)


# --------------------------------------------------------------------------- deciding (R-APL-6…9)


async def test_conflicts_votes_and_the_chairs_final_decision_applied_to_results(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock, score=True)
    t701, t702, t703, t751 = st.targets
    sc = services
    clock.at = at(10, 0)
    a = await file(services, MENTOR, t701, at(9, 0))
    b = await file(services, COORD_MOSCOW, t702, at(9, 0), kind="unfair_advantage")
    c = await file(services, COORD_OBLAST, t751, at(9, 0))
    before = {ln.target_id: ln for ln in (await sc.results.compute_results(st.scheme_id)).lines}
    assert (before[t701].total, before[t701].place, before[t701].medal) == (
        Decimal("7.00"),
        1,
        "gold",
    )
    assert (before[t702].total, before[t702].place, before[t702].medal) == (
        Decimal("7.00"),
        1,
        "gold",
    )

    # votes: the secretary has none, the same-organisation member is excluded automatically
    await refused(
        Forbidden, "secretary_no_vote", services.appeal_decisions.vote(SECRETARY, a.id, True)
    )
    await refused(
        Forbidden, "member_conflict", services.appeal_decisions.vote(SAME_ORG, a.id, True)
    )
    await refused(
        Forbidden, "not_commission_member", services.appeal_decisions.vote(MENTOR, a.id, True)
    )
    v = await services.appeal_decisions.vote(MEMBER, a.id, True)
    v = await services.appeal_decisions.vote(
        MEMBER, a.id, False, change=True
    )  # a member may change their vote before the decision
    assert (v.votes_uphold, v.votes_reject) == (0, 1)
    # a declared close relation excludes the member and drops their vote
    v = await services.appeal_decisions.declare_conflict(MEMBER, a.id)
    assert v.excluded == (SAME_ORG, MEMBER) and (v.votes_uphold, v.votes_reject) == (0, 0)
    await refused(Forbidden, "member_conflict", services.appeal_decisions.vote(MEMBER, a.id, True))
    await refused(
        Forbidden, "not_commission_member", services.appeal_decisions.declare_conflict(MENTOR, a.id)
    )
    await services.appeal_decisions.vote(MEMBER_2, a.id, True)
    v = await services.appeal_decisions.vote(CHAIR, a.id, True)
    assert (v.votes_uphold, v.votes_reject) == (2, 0)

    # only the chair decides; a penalty needs an upheld appeal; the deduction is checked
    for who in (MEMBER_2, SECRETARY):
        await refused(
            Forbidden,
            "chair_only",
            services.appeal_decisions.decide(who, a.id, uphold=True, text="Удовлетворить"),
        )
    await refused(
        Forbidden,
        "not_commission_member",
        services.appeal_decisions.decide(MENTOR, a.id, uphold=True, text="Удовлетворить"),
    )
    await refused(
        DomainError,
        "penalty_needs_upheld",
        services.appeal_decisions.decide(CHAIR, a.id, uphold=False, text="Отказать", deduction="1"),
    )
    for bad in ("abc", "-1", "101", "0,001"):
        await refused(
            DomainError,
            "bad_deduction",
            services.appeal_decisions.decide(
                CHAIR, a.id, uphold=True, text="Удовлетворить", deduction=bad
            ),
        )
    await refused(
        DomainError,
        "appeal_field_missing",
        services.appeal_decisions.decide(CHAIR, a.id, uphold=True, text=" "),
    )
    assert (await services.appeal_decisions.view(CHAIR, a.id)).status == "registered"

    clock.at = at(16, 0)
    d = await services.appeal_decisions.decide(
        CHAIR, a.id, uphold=True, text="Преимущество подтверждено.", deduction="1,00"
    )
    assert (d.status, d.decision, d.deduction, d.disqualified, d.decided_at) == (
        "decided",
        "upheld",
        Decimal("1.00"),
        False,
        at(16, 0),
    )
    # final (R-APL-8)
    await refused(
        DomainError,
        "appeal_decided_already",
        services.appeal_decisions.decide(CHAIR, a.id, uphold=False, text="Передумали"),
    )
    await refused(
        DomainError, "appeal_decided_already", services.appeal_decisions.vote(MEMBER_2, a.id, False)
    )
    await refused(
        DomainError,
        "appeal_decided_already",
        services.appeal_decisions.declare_conflict(MEMBER_2, a.id),
    )
    # R-APL-9: the deduction counts in the results, the places follow
    after = {ln.target_id: ln for ln in (await sc.results.compute_results(st.scheme_id)).lines}
    assert (after[t701].total, after[t701].deducted, after[t701].place, after[t701].medal) == (
        Decimal("6.00"),
        Decimal("1.00"),
        2,
        "silver",
    )
    assert (after[t702].place, after[t702].medal) == (1, "gold")
    # the extract goes to the applicant and the chief expert; the protocol is issued
    extracts = await rows(
        services,
        Delivery,
        Delivery.reason == "appeal-extract",
        Delivery.subject == f"appeal:{a.id}:extract",
    )
    assert sorted(x.recipient_chat_id for x in extracts) == sorted([MENTOR, CHIEF])
    assert {x.message_key for x in extracts} == {"apl-note-extract"} and extracts[0].message_args[
        "deduction"
    ] == "1,00"
    protocol = await services.protocols.by_subject("appeal", f"appeal:{a.id}")
    assert protocol is not None and protocol.kind == "appeal" and f"№{a.id}" in protocol.title
    assert [x.telegram_id for x in protocol.signers] == [CHAIR]

    # disqualification takes the participant out of the ranking: no place, no medal
    d = await services.appeal_decisions.decide(
        CHAIR, b.id, uphold=True, text="Дисквалифицировать.", disqualify=True
    )
    assert d.disqualified and d.deduction is None
    final = {ln.target_id: ln for ln in (await sc.results.compute_results(st.scheme_id)).lines}
    assert (final[t702].disqualified, final[t702].place, final[t702].medal) == (True, 0, None)
    assert (final[t701].place, final[t701].medal) == (1, "gold") and (
        final[t703].place,
        final[t703].medal,
    ) == (2, "silver")
    # a rejected appeal changes nothing
    d = await services.appeal_decisions.decide(
        CHAIR, c.id, uphold=False, text="Нарушение не подтверждено."
    )
    assert d.decision == "rejected"
    last = {ln.target_id: ln for ln in (await sc.results.compute_results(st.scheme_id)).lines}
    assert (last[t751].total, last[t751].place, last[t751].medal) == (Decimal("5.33"), 1, "gold")
    adjustments = await rows(services, ResultAdjustment)
    assert [(x.appeal_id, x.points, x.disqualified) for x in adjustments] == [
        (a.id, Decimal("1.00"), False),
        (b.id, Decimal("0.00"), True),
    ]
    assert await services.appeal_decisions.queue(CHAIR, contest_id) == []
    assert len(await rows(services, AppealVote, AppealVote.appeal_id == a.id)) == 2


# --------------------------------------------------------------------------- workers (R-REM-4, R-REM-6)


def run_sweep(w: dramatiq.Worker) -> None:
    sweep.send()
    drain(w)


TODAY_NOTE, ALARM_NOTE, EXTRACT_NOTE = (
    "Сегодня нужно принять решение",
    "Вечер, а решения",
    "не доставлена за час",
)


async def test_commission_reminded_on_the_decision_day_and_alarmed_once_in_the_evening(
    services: Services,
    contest_id: int,
    clock: FixedClock,
    worker: dramatiq.Worker,
    telegram: FakeTelegramSession,
) -> None:
    st = await ready(services, contest_id, clock, count=2)
    t701, t702 = st.targets
    clock.at = at(10, 0)
    a = await file(services, MENTOR, t701, at(9, 30))
    clock.at = at(14, 59)
    run_sweep(worker)
    assert all(count(telegram, m, TODAY_NOTE) == 0 for m in COMMISSION)
    clock.at = at(15, 0)
    run_sweep(worker)
    run_sweep(worker)  # a second sweep at the same moment sends nothing more
    for m in COMMISSION:  # the secretary too
        texts = [t for t in telegram.sent_texts(m) if TODAY_NOTE in t]
        assert (
            len(texts) == 1
            and "апелляциям: 1." in texts[0]
            and "10.05.2027 23:59 (МСК)" in texts[0]
        ), m
    # registered at 18:30: its decision day is tomorrow
    clock.at = at(18, 30)
    b = await file(services, COORD_MOSCOW, t702, at(18, 0))
    clock.at = at(19, 0)
    await services.appeal_decisions.decide(
        CHAIR, a.id, uphold=False, text="Нарушение не подтверждено."
    )
    clock.at = at(19, 1)
    run_sweep(worker)  # the extracts go out
    clock.at = at(20, 0)
    run_sweep(worker)
    assert all(count(telegram, m, ALARM_NOTE) == 0 for m in COMMISSION)  # decided in time: no alarm

    # the next day: one appeal decided before the check, one still undecided in the evening
    clock.at = at(10, 0, NEXT)
    c = await file(services, MENTOR, t701, at(9, 0, NEXT))
    clock.at = at(11, 0, NEXT)
    await services.appeal_decisions.decide(
        CHAIR, c.id, uphold=False, text="Нарушение не подтверждено."
    )
    clock.at = at(11, 1, NEXT)
    run_sweep(worker)  # its extracts go out
    clock.at = at(15, 0, NEXT)
    run_sweep(worker)
    for m in COMMISSION:
        texts = [t for t in telegram.sent_texts(m) if TODAY_NOTE in t]
        assert (
            len(texts) == 2
            and "апелляциям: 1." in texts[1]
            and "11.05.2027 23:59 (МСК)" in texts[1]
        ), m
    clock.at = at(19, 59, NEXT)
    run_sweep(worker)
    assert all(count(telegram, m, ALARM_NOTE) == 0 for m in COMMISSION)
    clock.at = at(20, 0, NEXT)
    run_sweep(worker)
    run_sweep(worker)
    clock.at = at(23, 0, NEXT)
    run_sweep(worker)
    for m in (CHAIR, SECRETARY):
        texts = [t for t in telegram.sent_texts(m) if ALARM_NOTE in t]
        assert (
            len(texts) == 1 and "ещё нет: 1." in texts[0] and "11.05.2027 23:59 (МСК)" in texts[0]
        ), m
    assert all(count(telegram, m, ALARM_NOTE) == 0 for m in (SAME_ORG, MEMBER, MEMBER_2))
    # after the day nothing more, for anyone
    clock.at = at(9, 0, NEXT + timedelta(days=1))
    run_sweep(worker)
    assert [count(telegram, m, TODAY_NOTE) for m in COMMISSION] == [2] * 5
    assert [count(telegram, m, ALARM_NOTE) for m in COMMISSION] == [1, 1, 0, 0, 0]
    # the extracts of the decided appeals were sent in time: no alarm
    assert count(telegram, CHAIR, EXTRACT_NOTE) == 0
    assert (await services.appeal_decisions.view(CHAIR, b.id)).status == "registered"
    async with services.ctx.sessionmaker() as s:
        runs = sorted(
            (r.kind, r.due_at.astimezone(MSK), r.created)
            for r in (
                await s.execute(select(ReminderRun).where(ReminderRun.kind.like("appeal_decide%")))
            ).scalars()
        )
    assert runs == [
        ("appeal_decide_alarm", at(20, 0, NEXT), 2),
        ("appeal_decide_today", at(15, 0), 5),
        ("appeal_decide_today", at(15, 0, NEXT), 5),
    ]


async def test_alarm_when_an_extract_is_not_delivered_within_the_hour(
    services: Services,
    contest_id: int,
    clock: FixedClock,
    worker: dramatiq.Worker,
    telegram: FakeTelegramSession,
) -> None:
    st = await ready(services, contest_id, clock, count=2)
    t701, t702 = st.targets
    clock.at = at(10, 0)
    a = await file(services, MENTOR, t701, at(9, 0))
    b = await file(services, COORD_MOSCOW, t702, at(9, 0))
    c = await file(services, MENTOR, t701, at(9, 30))
    clock.at = at(11, 0)
    await services.appeal_decisions.decide(CHAIR, a.id, uphold=False, text="Отказать.")
    await services.appeal_decisions.decide(CHAIR, b.id, uphold=False, text="Отказать.")
    # the chief expert's extract of A could not be delivered
    async with services.ctx.sessionmaker() as s, s.begin():
        await s.execute(
            update(Delivery)
            .where(
                Delivery.subject == f"appeal:{a.id}:extract", Delivery.recipient_chat_id == CHIEF
            )
            .values(status="failed", last_error="chat not found")
        )
    clock.at = at(11, 1)
    run_sweep(worker)
    assert (
        count(telegram, MENTOR, f"№{a.id}") >= 1
        and count(
            telegram,
            COORD_MOSCOW,
            f"Выписка из протокола апелляционной комиссии по апелляции №{b.id}",
        )
        == 1
    )
    clock.at = at(11, 59)
    run_sweep(worker)
    assert count(telegram, CHAIR, EXTRACT_NOTE) == 0
    clock.at = at(12, 0)
    run_sweep(worker)
    run_sweep(worker)
    alarms = [t for t in telegram.sent_texts(CHAIR) if EXTRACT_NOTE in t]
    assert len(alarms) == 1 and f"№{a.id} " in alarms[0] and "не получили — 1" in alarms[0]
    assert telegram.last_markup(CHAIR).inline_keyboard[0][0].text == "Открыть апелляцию"
    # C is decided and nobody sends anything for an hour (the workers were down)
    clock.at = at(12, 5)
    await services.appeal_decisions.decide(CHAIR, c.id, uphold=False, text="Отказать.")
    clock.at = at(13, 5)
    run_sweep(worker)
    clock.at = at(13, 6)
    run_sweep(worker)
    alarms = [t for t in telegram.sent_texts(CHAIR) if EXTRACT_NOTE in t]
    assert len(alarms) == 2 and f"№{c.id} " in alarms[1] and "не получили — 2" in alarms[1]
    # nothing for B (both sent), nobody else alarmed, and nothing again later
    clock.at = at(18, 0)
    run_sweep(worker)
    assert count(telegram, CHAIR, EXTRACT_NOTE) == 2 and not any(f"№{b.id} " in t for t in alarms)
    assert all(count(telegram, m, EXTRACT_NOTE) == 0 for m in COMMISSION[1:])
    async with services.ctx.sessionmaker() as s:
        runs = sorted(
            (r.scope, r.due_at.astimezone(MSK), r.created)
            for r in (
                await s.execute(
                    select(ReminderRun).where(ReminderRun.kind == "appeal_extract_alarm")
                )
            ).scalars()
        )
    assert runs == [
        (f"appeal:{a.id}", at(12, 0), 1),
        (f"appeal:{b.id}", at(12, 0), 0),
        (f"appeal:{c.id}", at(13, 5), 1),
    ]


async def test_an_unconfirmed_late_dispute_is_refused_automatically_at_its_deadline(
    services: Services,
    contest_id: int,
    clock: FixedClock,
    worker: dramatiq.Worker,
    telegram: FakeTelegramSession,
) -> None:
    """R-REM-4 / R-APL-3: a dispute after 21:00 whose time the chief expert did not confirm
    by 12:00 the next day is refused by the sweep, once, and both people are told."""
    st = await ready(services, contest_id, clock, count=1)
    [t701] = st.targets
    clock.at = at(21, 40)
    waiting = await file(services, MENTOR, t701, at(21, 30))
    clock.at = at(11, 59, NEXT)
    run_sweep(worker)
    assert (await services.appeal_decisions.view(CHAIR, waiting.id)).status == "awaiting_time"
    clock.at = at(12, 0, NEXT)
    run_sweep(worker)
    run_sweep(worker)
    assert (await services.appeal_decisions.view(CHAIR, waiting.id)).status == "refused_late"
    for who in (MENTOR, CHIEF):
        notes = [t for t in telegram.sent_texts(who) if f"Апелляция №{waiting.id} не принята" in t]
        assert len(notes) == 1 and "11.05.2027 12:00 (МСК)" in notes[0]
    err = await refused(
        DomainError, "appeal_refused_late_already", services.appeals.confirm_time(CHIEF, waiting.id)
    )
    assert "12:00" in error_text(err)
    assert waiting.id not in [
        x.id for x in await services.appeal_decisions.queue(CHAIR, contest_id)
    ]
