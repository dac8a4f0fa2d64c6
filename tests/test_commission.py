"""Issue #15: the appeal commission's deputy chair and stage (R-APL-6), and what an upheld
appeal can do to the results (R-APL-9) — the pure rules, the service on SQLite and
PostgreSQL, and the chat.

Seed 002 §8: the commission is five people, its chair and secretary Directorate staff, the
secretary without a vote; nothing names a deputy. Our decision (models/commission.py): the
deputy is one of the five, one of the three voting members."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from bot.handlers.appeals import AppealCb
from bot.texts import error_text
from models import commission as cms
from models.clock import FixedClock
from models.errors import DomainError, Forbidden
from models.services import Services
from models.tables import Appeal, AuditRecord, CommissionMember, Delivery, ResultAdjustment
from notifications.i18n import t
from tests.conftest import COORD_MOSCOW, FEDERAL
from tests.test_appeals import (
    CHAIR,
    MEMBER,
    MEMBER_2,
    SAME_ORG,
    SECRETARY,
    at,
    federal_stage,
    file,
    ready,
    refused,
    rows,
)
from tests.test_bot_journey import World
from tests.test_scoring import MENTOR

# --------------------------------------------------------------------------- pure rules


def test_the_deputy_decides_only_when_the_chair_is_excluded_and_nobody_when_both_are() -> None:
    assert cms.appeal_decider(1, 2, []) == 1
    assert cms.appeal_decider(1, 2, [1]) == 2
    assert cms.appeal_decider(1, 2, [1, 2]) is None
    assert cms.appeal_decider(1, None, [1]) is None
    assert cms.appeal_decider(1, 2, [2]) == 1
    assert [r for r in ("chair", "deputy", "secretary", "member") if cms.may_be_deputy(r)] == ["deputy", "member"]


def test_points_and_their_bounds() -> None:
    assert cms.parse_points(" 2,5 ", "x") == Decimal("2.5") and cms.parse_points(None, "x") == 0 and cms.parse_points("", "x") == 0
    for bad in ("abc", "-1", "100,01", "0,001", "nan", "inf"):
        with pytest.raises(DomainError) as err:
            cms.parse_points(bad, "cms_bad_restoration")
        assert err.value.code == "cms_bad_restoration"
    cms.check_deduction(Decimal("7.00"), Decimal("7.00"), who="№1")
    with pytest.raises(DomainError) as err:
        cms.check_deduction(Decimal("7.00"), Decimal("7.01"), who="№1")
    assert "меньше нуля" in error_text(err.value) and "7,00 балла" in error_text(err.value)
    cms.check_restoration(Decimal("98.50"), Decimal("1.50"), who="№1")
    with pytest.raises(DomainError) as err:
        cms.check_restoration(Decimal("98.50"), Decimal("2"), who="№1")
    assert err.value.args_["most"] == "1,50" and "максимум схемы — 100,00" in error_text(err.value)


# --------------------------------------------------------------------------- the commission: stage and deputy


async def test_commission_formed_against_a_chosen_stage_with_a_deputy(services: Services, contest_id: int, clock: FixedClock) -> None:
    ap = services.appeals
    clock.at = at(10, 0, date(2027, 5, 20))
    fed = await federal_stage(services, contest_id)
    regional = next(st.id for st in await ap.commission_stages(FEDERAL, contest_id) if st.id != fed)
    await refused(Forbidden, "federal_only", ap.commission_stages(COORD_MOSCOW, contest_id))
    # the deputy is one of the three voting members: not the chair, not the secretary, not a stranger
    for wrong in (CHAIR, SECRETARY, MENTOR):
        await refused(DomainError, "cms_deputy_invalid", ap.form_commission(FEDERAL, contest_id, stage_id=fed, deputy=wrong))
    await refused(DomainError, "cms_stage_unknown", ap.form_commission(FEDERAL, contest_id, stage_id=999_999, deputy=MEMBER))
    # the stage is the one chosen, not «the next stage that starts»: the regional stage started long ago
    err = await refused(DomainError, "cms_stage_too_late", ap.form_commission(FEDERAL, contest_id, stage_id=regional, deputy=MEMBER))
    assert "«Региональный этап»" in error_text(err) and "01.12.2026" in error_text(err)
    assert await ap.members(contest_id) == [] and await ap.commission_stage(contest_id) is None
    members = await ap.form_commission(FEDERAL, contest_id, stage_id=fed, deputy=MEMBER)
    assert {m.telegram_id: m.role for m in members}[MEMBER] == "deputy"
    assert (await ap.commission_stage(contest_id)).id == fed  # type: ignore[union-attr]
    assert [m.telegram_id for m in await ap.deputy_candidates(FEDERAL, contest_id)] == [SAME_ORG, MEMBER, MEMBER_2]
    # a day before the stage: another deputy may still be named for the same stage (a member
    # who cannot sit is replaced), but the commission is not re-formed for a stage that is too close
    clock.at = at(10, 0, date(2027, 6, 1))
    members = await ap.form_commission(FEDERAL, contest_id, stage_id=fed, deputy=MEMBER_2)
    assert [m.role for m in members if m.telegram_id in (MEMBER, MEMBER_2)] == ["member", "deputy"]
    await refused(DomainError, "commission_formed_already", ap.form_commission(FEDERAL, contest_id, stage_id=fed, deputy=MEMBER_2))
    await refused(DomainError, "cms_stage_too_late", ap.form_commission(FEDERAL, contest_id, stage_id=regional, deputy=MEMBER_2))
    async with services.ctx.sessionmaker() as s:
        audit = (await s.execute(select(AuditRecord).where(AuditRecord.action == "commission.form").order_by(AuditRecord.id))).scalars().all()
    assert [(x.after["stage_id"], x.after["deputy"]) for x in audit] == [(fed, MEMBER), (fed, MEMBER_2)]


async def test_the_deputy_decides_when_the_chair_is_excluded(services: Services, contest_id: int, clock: FixedClock) -> None:
    st = await ready(services, contest_id, clock, count=1)
    ap = services.appeals
    # the chair of the same organisation as the applicant: excluded automatically at registration
    async with services.ctx.sessionmaker() as s, s.begin():
        await s.execute(update(CommissionMember).where(CommissionMember.telegram_id == CHAIR).values(organisation_code="7704000101"))
    clock.at = at(10, 0)
    a = await file(services, MENTOR, st.targets[0], at(9, 0))
    assert CHAIR in a.excluded and a.decider == MEMBER
    told = await rows(services, Delivery, Delivery.message_key == "cms-note-deputy-decides")
    assert [d.recipient_chat_id for d in told] == [MEMBER]
    err = await refused(Forbidden, "cms_deputy_decides", ap.decide(CHAIR, a.id, uphold=False, text="Отказать"))
    assert "Тихонов Роман Сергеевич" in error_text(err)
    await refused(Forbidden, "cms_deputy_decides", ap.decide(MEMBER_2, a.id, uphold=False, text="Отказать"))
    await refused(Forbidden, "cms_deputy_decides", ap.check_decide(SECRETARY, a.id))
    d = await ap.decide(MEMBER, a.id, uphold=False, text="Нарушение не подтверждено.")
    assert (d.status, d.decision) == ("decided", "rejected")
    protocol = await services.protocols.by_subject("appeal", f"appeal:{a.id}")
    assert protocol is not None and [(x.telegram_id, x.role) for x in protocol.signers] == [(MEMBER, "deputy")]


async def test_a_case_never_left_without_anyone_able_to_decide_it(services: Services, contest_id: int, clock: FixedClock) -> None:
    st = await ready(services, contest_id, clock, count=1)
    ap = services.appeals
    clock.at = at(10, 0)
    a = await file(services, MENTOR, st.targets[0], at(9, 0))
    assert a.decider == CHAIR
    await ap.declare_conflict(CHAIR, a.id)
    assert (await ap.view(MEMBER, a.id)).decider == MEMBER  # the deputy takes over
    v = await ap.declare_conflict(MEMBER, a.id)
    assert v.decider is None
    # nobody may decide: refused with who must be replaced; the coordinator and the secretary are told
    err = await refused(DomainError, "cms_no_decider", ap.decide(MEMBER, a.id, uphold=False, text="Отказать"))
    assert "Григорьева Анна Львовна" in error_text(err) and "Тихонов Роман Сергеевич" in error_text(err)
    await refused(DomainError, "cms_no_decider", ap.check_decide(CHAIR, a.id))
    alarms = await rows(services, Delivery, Delivery.message_key == "cms-note-no-decider")
    assert sorted(d.recipient_chat_id for d in alarms) == sorted([FEDERAL, SECRETARY])
    text = t("cms-note-no-decider", "ru", **alarms[0].message_args)
    assert "Назначьте заместителем другого члена комиссии" in text and "Тихонов Роман Сергеевич" in text
    assert (await ap.view(CHAIR, a.id)).status == "registered"
    # the coordinator names another deputy — during the event, for the same stage — and the case is decidable again
    await ap.form_commission(FEDERAL, contest_id, stage_id=await federal_stage(services, contest_id), deputy=MEMBER_2)
    v = await ap.view(MEMBER_2, a.id)
    assert v.decider == MEMBER_2 and set(v.excluded) >= {CHAIR, MEMBER, SAME_ORG}  # declared conflicts kept
    d = await ap.decide(MEMBER_2, a.id, uphold=False, text="Нарушение не подтверждено.")
    assert d.status == "decided"


# --------------------------------------------------------------------------- R-APL-9: what an upheld appeal does


async def test_an_upheld_appeal_penalises_another_participant_or_restores_points(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock, score=True)
    t701, t702, t703, _ = st.targets
    ap, sc = services.appeals, services.scoring
    clock.at = at(10, 0)
    a = await file(services, MENTOR, t701, at(9, 0), kind="unfair_advantage")
    b = await file(services, COORD_MOSCOW, t703, at(9, 0))
    before = {ln.target_id: ln.total for ln in (await sc.compute_results(st.scheme_id)).lines}
    assert before[t701] == before[t702] == Decimal("7.00")

    # bad input: a clear message, nothing changed
    for bad in ("abc", "-1", "0,001", "101"):
        await refused(DomainError, "cms_bad_restoration", ap.decide(CHAIR, a.id, uphold=True, text="Да", restore=bad))
    err = await refused(DomainError, "cms_restore_over_max", ap.decide(CHAIR, a.id, uphold=True, text="Да", restore="95"))
    assert "не больше 93,00" in error_text(err)
    err = await refused(DomainError, "cms_deduction_below_zero",
                        ap.decide(CHAIR, a.id, uphold=True, text="Да", penalised=t702, deduction="7,5"))
    assert "сейчас 7,00 балла" in error_text(err)
    await refused(DomainError, "cms_penalty_missing", ap.decide(CHAIR, a.id, uphold=True, text="Да", penalised=t702))
    await refused(DomainError, "cms_penalised_not_in_scheme", ap.decide(CHAIR, a.id, uphold=True, text="Да", penalised=999_999, deduction="1"))
    await refused(DomainError, "cms_restore_and_penalise_same", ap.decide(CHAIR, a.id, uphold=True, text="Да", deduction="1", restore="1"))
    await refused(DomainError, "penalty_needs_upheld", ap.decide(CHAIR, a.id, uphold=False, text="Нет", restore="1"))
    await refused(DomainError, "penalty_needs_upheld", ap.decide(CHAIR, a.id, uphold=False, text="Нет", penalised=t702, deduction="1"))
    assert (await ap.view(CHAIR, a.id)).status == "registered" and await rows(services, ResultAdjustment) == []

    # unfair advantage: the other participant loses 2 points, the appellant's gets 0,5 back
    clock.at = at(16, 0)
    d = await ap.decide(CHAIR, a.id, uphold=True, text="Участник №2 пользовался подсказкой.", penalised=t702, deduction="2", restore="0,5")
    assert (d.deduction, d.penalised, d.restored, d.disqualified) == (Decimal("2.00"), t702, Decimal("0.50"), False)
    after = {ln.target_id: ln for ln in (await sc.compute_results(st.scheme_id)).lines}
    assert (after[t702].total, after[t701].total) == (Decimal("5.00"), Decimal("7.50"))
    assert (after[t701].place, after[t701].medal, after[t702].place) == (1, "gold", 2)
    adj = await rows(services, ResultAdjustment, ResultAdjustment.appeal_id == a.id)
    assert sorted((x.target_id, x.points) for x in adj) == sorted([(t702, Decimal("2.00")), (t701, Decimal("-0.50"))])
    # the extract names whom each measure concerns; each affected person is told what changed
    extracts = await rows(services, Delivery, Delivery.subject == f"appeal:{a.id}:extract")
    assert {x.message_key for x in extracts} == {"cms-note-extract"} and extracts[0].message_args["restored"] == "0,5"
    told = {x.recipient_chat_id: x.message_args for x in await rows(services, Delivery, Delivery.message_key == "cms-note-adjusted")}
    assert told[702]["effect"] == "deducted" and told[702]["points"] == "2,00"
    assert told[701]["effect"] == "restored" and told[701]["points"] == "0,50"
    protocol = await services.protocols.by_subject("appeal", f"appeal:{a.id}")
    assert protocol is not None

    # another participant disqualified on appeal
    d = await ap.decide(CHAIR, b.id, uphold=True, text="Дисквалификация участника №1.", penalised=t701, disqualify=True)
    final = {ln.target_id: ln for ln in (await sc.compute_results(st.scheme_id)).lines}
    assert (final[t701].disqualified, final[t701].place, final[t703].disqualified) == (True, 0, False)
    async with services.ctx.sessionmaker() as s:
        row = (await s.execute(select(Appeal).where(Appeal.id == b.id))).scalar_one()
    assert (row.penalised_target_id, row.disqualified, row.restored) == (t701, True, None)


# --------------------------------------------------------------------------- the chat


async def test_the_deputy_decides_in_the_chat_and_penalises_another_participant(world: World) -> None:
    from tests.test_transitions_appeals import newest

    st = await ready(world.services, 1, world.clock, count=2, score=True)
    t1, t2 = st.targets[:2]
    world.clock.at = at(10, 0)
    a = await file(world.services, MENTOR, t1, at(9, 0), kind="unfair_advantage")
    await world.services.appeals.declare_conflict(CHAIR, a.id)
    chair, deputy = world.person(CHAIR, "Анна"), world.person(MEMBER, "Роман")
    card = await chair.press_data(AppealCb(appeal_id=a.id, action="view").pack())
    assert "записывает заместитель председателя Тихонов Роман Сергеевич" in card and not chair.has_button("Записать решение")
    assert "заместитель председателя" in await chair.press_data(AppealCb(appeal_id=a.id, action="decide").pack())
    await deputy.press_data(AppealCb(appeal_id=a.id, action="view").pack())
    await deputy.press("Записать решение")
    await deputy.press("Удовлетворить апелляцию")
    reply = await deputy.send("Участник №2 пользовался подсказкой")
    assert "Вычет баллов участнику" in reply and deputy.has_button("Вычет или дисквалификация — другому участнику…")
    assert "получил несправедливое преимущество" in await deputy.press("Вычет или дисквалификация — другому участнику…")
    label = next(text for _, text, _ in deputy.buttons() if text.startswith("№2"))
    assert "не больше его текущей суммы" in await deputy.press(label)
    reply = await deputy.send("99")  # more than the participant has: refused at confirmation, nothing typed lost
    await deputy.press("Нет")
    data, mid = newest(deputy, "Подтвердить")
    reply = await deputy.press_data(data, mid)
    assert "меньше нуля" in reply and (await world.services.appeals.view(MEMBER, a.id)).status == "registered"
    await deputy.press("Изменить")
    await deputy.press("Удовлетворить апелляцию")
    await deputy.send("Участник №2 пользовался подсказкой")
    await deputy.press("Вычет или дисквалификация — другому участнику…")
    await deputy.press(label)
    await deputy.send("1,5")
    reply = await deputy.press("Нет")
    assert "Меры касаются участника: №2" in reply
    assert "записано" in await deputy.press("Подтвердить")
    v = await world.services.appeals.view(MEMBER, a.id)
    assert (v.status, v.penalised, v.deduction) == ("decided", t2, Decimal("1.50"))


async def test_restoration_through_the_chat_checks_the_number(world: World) -> None:
    st = await ready(world.services, 1, world.clock, count=2, score=True)
    world.clock.at = at(10, 0)
    a = await file(world.services, MENTOR, st.targets[0], at(9, 0))
    chair = world.person(CHAIR, "Анна")
    await chair.press_data(AppealCb(appeal_id=a.id, action="decide").pack())
    await chair.press("Удовлетворить апелляцию")
    await chair.send("Ошибка оценивания не в пользу участника")
    assert "Сколько баллов восстановить" in await chair.press("Восстановить баллы участнику-заявителю")
    assert "Восстановление — число баллов" in await chair.send("полтора")  # the step stays
    assert "Восстановлено будет: 1,5 балла" in await chair.send("1,5")
    reply = await chair.press("Нет, к подтверждению")
    assert "Восстановить участнику-заявителю: 1,5 балла" in reply
    assert "записано" in await chair.press("Подтвердить")
    v = await world.services.appeals.view(CHAIR, a.id)
    assert (v.restored, v.deduction) == (Decimal("1.50"), None)
