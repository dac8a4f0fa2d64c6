"""Issue #15: the appeal commission's deputy chair and stage (R-APL-6), and what an upheld
appeal can do to the results (R-APL-9) — the pure rules, the service on SQLite and
PostgreSQL, and the chat.

Seed 002 §8: the commission is five people, its chair and secretary Directorate staff, the
secretary without a vote; nothing names a deputy. Our decision (models/commission.py): the
deputy is one of the five, one of the three voting members."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.handlers.appeals.callbacks import AppealCb, CommissionCb
from bot.texts import error_text
from models import commission as cms
from models.clock import FixedClock
from models.errors import DomainError, Forbidden
from models.services import Services
from models.tables import Appeal, AuditRecord, CommissionMember, Delivery, ResultAdjustment
from notifications.i18n import t
from tests.builders import (
    CHAIR,
    MEMBER,
    MEMBER_2,
    MENTOR,
    SAME_ORG,
    SECRETARY,
    World,
    at,
    federal_stage,
    file,
    ready,
    refused,
    rows,
)
from tests.conftest import COORD_MOSCOW, FEDERAL

# --------------------------------------------------------------------------- pure rules


def test_the_deputy_decides_only_when_the_chair_is_excluded_and_nobody_when_both_are() -> None:
    assert cms.appeal_decider(1, 2, []) == 1
    assert cms.appeal_decider(1, 2, [1]) == 2
    assert cms.appeal_decider(1, 2, [1, 2]) is None
    assert cms.appeal_decider(1, None, [1]) is None
    assert cms.appeal_decider(1, 2, [2]) == 1
    assert [r for r in ("chair", "deputy", "secretary", "member") if cms.may_be_deputy(r)] == [
        "deputy",
        "member",
    ]


def test_points_and_their_bounds() -> None:
    assert (
        cms.parse_points(" 2,5 ", "x") == Decimal("2.5")
        and cms.parse_points(None, "x") == 0
        and cms.parse_points("", "x") == 0
    )
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


async def test_commission_formed_against_a_chosen_stage_with_a_deputy(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    clock.at = at(10, 0, date(2027, 5, 20))
    fed = await federal_stage(services, contest_id)
    regional = next(
        st.id
        for st in await services.commission.commission_stages(FEDERAL, contest_id)
        if st.id != fed
    )
    await refused(
        Forbidden, "federal_only", services.commission.commission_stages(COORD_MOSCOW, contest_id)
    )
    # the deputy is one of the three voting members: not the chair, not the secretary, not a stranger
    for wrong in (CHAIR, SECRETARY, MENTOR):
        await refused(
            DomainError,
            "cms_deputy_invalid",
            services.commission.form_commission(FEDERAL, contest_id, stage_id=fed, deputy=wrong),
        )
    await refused(
        DomainError,
        "cms_stage_unknown",
        services.commission.form_commission(FEDERAL, contest_id, stage_id=999_999, deputy=MEMBER),
    )
    # the stage is the one chosen, not «the next stage that starts»: the regional stage started long ago
    err = await refused(
        DomainError,
        "cms_stage_too_late",
        services.commission.form_commission(FEDERAL, contest_id, stage_id=regional, deputy=MEMBER),
    )
    assert "«Региональный этап»" in error_text(err) and "01.12.2026" in error_text(err)
    assert (
        await services.commission.members(contest_id) == []
        and await services.commission.commission_stage(contest_id) is None
    )
    members = await services.commission.form_commission(
        FEDERAL, contest_id, stage_id=fed, deputy=MEMBER
    )
    assert {m.telegram_id: m.role for m in members}[MEMBER] == "deputy"
    assert (await services.commission.commission_stage(contest_id)).id == fed  # type: ignore[union-attr]
    assert [
        m.telegram_id for m in await services.commission.deputy_candidates(FEDERAL, contest_id)
    ] == [
        SAME_ORG,
        MEMBER,
        MEMBER_2,
    ]
    # a day before the stage: another deputy may still be named for the same stage (a member
    # who cannot sit is replaced), but the commission is not re-formed for a stage that is too close
    clock.at = at(10, 0, date(2027, 6, 1))
    members = await services.commission.form_commission(
        FEDERAL, contest_id, stage_id=fed, deputy=MEMBER_2
    )
    assert [m.role for m in members if m.telegram_id in (MEMBER, MEMBER_2)] == ["member", "deputy"]
    await refused(
        DomainError,
        "commission_formed_already",
        services.commission.form_commission(FEDERAL, contest_id, stage_id=fed, deputy=MEMBER_2),
    )
    await refused(
        DomainError,
        "cms_stage_too_late",
        services.commission.form_commission(
            FEDERAL, contest_id, stage_id=regional, deputy=MEMBER_2
        ),
    )
    async with services.ctx.sessionmaker() as s:
        audit = (
            (
                await s.execute(
                    select(AuditRecord)
                    .where(AuditRecord.action == "commission.form")
                    .order_by(AuditRecord.id)
                )
            )
            .scalars()
            .all()
        )
    assert [(x.after["stage_id"], x.after["deputy"]) for x in audit] == [
        (fed, MEMBER),
        (fed, MEMBER_2),
    ]


async def test_the_deputy_decides_when_the_chair_is_excluded(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock, count=1)
    # the chair of the same organisation as the applicant: excluded automatically at registration
    async with services.ctx.sessionmaker() as s, s.begin():
        await s.execute(
            update(CommissionMember)
            .where(CommissionMember.telegram_id == CHAIR)
            .values(organisation_code="7704000101")
        )
    clock.at = at(10, 0)
    a = await file(services, MENTOR, st.targets[0], at(9, 0))
    assert CHAIR in a.excluded and a.decider == MEMBER
    told = await rows(services, Delivery, Delivery.message_key == "cms-note-deputy-decides")
    assert [d.recipient_chat_id for d in told] == [MEMBER]
    err = await refused(
        Forbidden,
        "cms_deputy_decides",
        services.appeal_decisions.decide(CHAIR, a.id, uphold=False, text="Отказать"),
    )
    assert "Тихонов Роман Сергеевич" in error_text(err)
    await refused(
        Forbidden,
        "cms_deputy_decides",
        services.appeal_decisions.decide(MEMBER_2, a.id, uphold=False, text="Отказать"),
    )
    await refused(
        Forbidden, "cms_deputy_decides", services.appeal_decisions.check_decide(SECRETARY, a.id)
    )
    d = await services.appeal_decisions.decide(
        MEMBER, a.id, uphold=False, text="Нарушение не подтверждено."
    )
    assert (d.status, d.decision) == ("decided", "rejected")
    protocol = await services.protocols.by_subject("appeal", f"appeal:{a.id}")
    assert protocol is not None and [(x.telegram_id, x.role) for x in protocol.signers] == [
        (MEMBER, "deputy")
    ]


async def test_a_case_never_left_without_anyone_able_to_decide_it(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock, count=1)
    clock.at = at(10, 0)
    a = await file(services, MENTOR, st.targets[0], at(9, 0))
    assert a.decider == CHAIR
    await services.appeal_decisions.declare_conflict(CHAIR, a.id)
    assert (
        await services.appeal_decisions.view(MEMBER, a.id)
    ).decider == MEMBER  # the deputy takes over
    v = await services.appeal_decisions.declare_conflict(MEMBER, a.id)
    assert v.decider is None
    # nobody may decide: refused with who must be replaced; the coordinator and the secretary are told
    err = await refused(
        DomainError,
        "cms_no_decider",
        services.appeal_decisions.decide(MEMBER, a.id, uphold=False, text="Отказать"),
    )
    assert "Григорьева Анна Львовна" in error_text(err) and "Тихонов Роман Сергеевич" in error_text(
        err
    )
    await refused(
        DomainError, "cms_no_decider", services.appeal_decisions.check_decide(CHAIR, a.id)
    )
    alarms = await rows(services, Delivery, Delivery.message_key == "cms-note-no-decider")
    assert sorted(d.recipient_chat_id for d in alarms) == sorted([FEDERAL, SECRETARY])
    text = t("cms-note-no-decider", "ru", **alarms[0].message_args)
    assert (
        "Назначьте заместителем другого члена комиссии" in text
        and "Тихонов Роман Сергеевич" in text
    )
    assert (await services.appeal_decisions.view(CHAIR, a.id)).status == "registered"
    # the coordinator names another deputy — during the event, for the same stage — and the case is decidable again
    await services.commission.form_commission(
        FEDERAL, contest_id, stage_id=await federal_stage(services, contest_id), deputy=MEMBER_2
    )
    v = await services.appeal_decisions.view(MEMBER_2, a.id)
    assert v.decider == MEMBER_2 and set(v.excluded) >= {
        CHAIR,
        MEMBER,
        SAME_ORG,
    }  # declared conflicts kept
    d = await services.appeal_decisions.decide(
        MEMBER_2, a.id, uphold=False, text="Нарушение не подтверждено."
    )
    assert d.status == "decided"


# --------------------------------------------------------------------------- R-APL-9: what an upheld appeal does


async def test_an_upheld_appeal_penalises_another_participant_or_restores_points(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await ready(services, contest_id, clock, score=True)
    t701, t702, t703, _ = st.targets
    sc = services
    clock.at = at(10, 0)
    a = await file(services, MENTOR, t701, at(9, 0), kind="unfair_advantage")
    b = await file(services, COORD_MOSCOW, t703, at(9, 0))
    before = {
        ln.target_id: ln.total for ln in (await sc.results.compute_results(st.scheme_id)).lines
    }
    assert before[t701] == before[t702] == Decimal("7.00")

    # bad input: a clear message, nothing changed
    for bad in ("abc", "-1", "0,001", "101"):
        await refused(
            DomainError,
            "cms_bad_restoration",
            services.appeal_decisions.decide(CHAIR, a.id, uphold=True, text="Да", restore=bad),
        )
    err = await refused(
        DomainError,
        "cms_restore_over_max",
        services.appeal_decisions.decide(CHAIR, a.id, uphold=True, text="Да", restore="95"),
    )
    assert "не больше 93,00" in error_text(err)
    err = await refused(
        DomainError,
        "cms_deduction_below_zero",
        services.appeal_decisions.decide(
            CHAIR, a.id, uphold=True, text="Да", penalised=t702, deduction="7,5"
        ),
    )
    assert "сейчас 7,00 балла" in error_text(err)
    await refused(
        DomainError,
        "cms_penalty_missing",
        services.appeal_decisions.decide(CHAIR, a.id, uphold=True, text="Да", penalised=t702),
    )
    await refused(
        DomainError,
        "cms_penalised_not_in_scheme",
        services.appeal_decisions.decide(
            CHAIR, a.id, uphold=True, text="Да", penalised=999_999, deduction="1"
        ),
    )
    await refused(
        DomainError,
        "cms_restore_and_penalise_same",
        services.appeal_decisions.decide(
            CHAIR, a.id, uphold=True, text="Да", deduction="1", restore="1"
        ),
    )
    await refused(
        DomainError,
        "penalty_needs_upheld",
        services.appeal_decisions.decide(CHAIR, a.id, uphold=False, text="Нет", restore="1"),
    )
    await refused(
        DomainError,
        "penalty_needs_upheld",
        services.appeal_decisions.decide(
            CHAIR, a.id, uphold=False, text="Нет", penalised=t702, deduction="1"
        ),
    )
    assert (
        await services.appeal_decisions.view(CHAIR, a.id)
    ).status == "registered" and await rows(services, ResultAdjustment) == []

    # unfair advantage: the other participant loses 2 points, the appellant's gets 0,5 back
    clock.at = at(16, 0)
    d = await services.appeal_decisions.decide(
        CHAIR,
        a.id,
        uphold=True,
        text="Участник №2 пользовался подсказкой.",
        penalised=t702,
        deduction="2",
        restore="0,5",
    )
    assert (d.deduction, d.penalised, d.restored, d.disqualified) == (
        Decimal("2.00"),
        t702,
        Decimal("0.50"),
        False,
    )
    after = {ln.target_id: ln for ln in (await sc.results.compute_results(st.scheme_id)).lines}
    assert (after[t702].total, after[t701].total) == (Decimal("5.00"), Decimal("7.50"))
    assert (after[t701].place, after[t701].medal, after[t702].place) == (1, "gold", 2)
    adj = await rows(services, ResultAdjustment, ResultAdjustment.appeal_id == a.id)
    assert sorted((x.target_id, x.points) for x in adj) == sorted(
        [(t702, Decimal("2.00")), (t701, Decimal("-0.50"))]
    )
    # the extract names whom each measure concerns; each affected person is told what changed
    extracts = await rows(services, Delivery, Delivery.subject == f"appeal:{a.id}:extract")
    assert {x.message_key for x in extracts} == {"cms-note-extract"} and extracts[0].message_args[
        "restored"
    ] == "0,5"
    told = {
        x.recipient_chat_id: x.message_args
        for x in await rows(services, Delivery, Delivery.message_key == "cms-note-adjusted")
    }
    assert told[702]["effect"] == "deducted" and told[702]["points"] == "2,00"
    assert told[701]["effect"] == "restored" and told[701]["points"] == "0,50"
    protocol = await services.protocols.by_subject("appeal", f"appeal:{a.id}")
    assert protocol is not None

    # another participant disqualified on appeal
    d = await services.appeal_decisions.decide(
        CHAIR,
        b.id,
        uphold=True,
        text="Дисквалификация участника №1.",
        penalised=t701,
        disqualify=True,
    )
    final = {ln.target_id: ln for ln in (await sc.results.compute_results(st.scheme_id)).lines}
    assert (final[t701].disqualified, final[t701].place, final[t703].disqualified) == (
        True,
        0,
        False,
    )
    async with services.ctx.sessionmaker() as s:
        row = (await s.execute(select(Appeal).where(Appeal.id == b.id))).scalar_one()
    assert (row.penalised_target_id, row.disqualified, row.restored) == (t701, True, None)


# --------------------------------------------------------------------------- the chat


async def test_the_deputy_decides_in_the_chat_and_penalises_another_participant(
    world: World,
) -> None:
    st = await ready(world.services, 1, world.clock, count=2, score=True)
    t1, t2 = st.targets[:2]
    world.clock.at = at(10, 0)
    a = await file(world.services, MENTOR, t1, at(9, 0), kind="unfair_advantage")
    await world.services.appeal_decisions.declare_conflict(CHAIR, a.id)
    chair, deputy = world.person(CHAIR, "Анна"), world.person(MEMBER, "Роман")
    card = await chair.press_data(AppealCb(appeal_id=a.id, action="view").pack())
    assert (
        "записывает заместитель председателя Тихонов Роман Сергеевич" in card
        and not chair.has_button("Записать решение")
    )
    assert "заместитель председателя" in await chair.press_data(
        AppealCb(appeal_id=a.id, action="decide").pack()
    )
    await deputy.press_data(AppealCb(appeal_id=a.id, action="view").pack())
    await deputy.press("Записать решение")
    await deputy.press("Удовлетворить апелляцию")
    reply = await deputy.send("Участник №2 пользовался подсказкой")
    assert "Вычет баллов участнику" in reply and deputy.has_button(
        "Вычет или дисквалификация — другому участнику…"
    )
    assert "получил несправедливое преимущество" in await deputy.press(
        "Вычет или дисквалификация — другому участнику…"
    )
    label = next(text for _, text, _ in deputy.buttons() if text.startswith("№2"))
    assert "не больше 7,00 (его текущая сумма — 7,00)" in await deputy.press(label)
    # issue #15 (QA 3): more than the participant has is refused at its step, the step stays
    reply = await deputy.send("99")
    assert (
        "меньше нуля" in reply
        and "сейчас 7,00 балла" in reply
        and (await world.services.appeal_decisions.view(MEMBER, a.id)).status == "registered"
    )
    await deputy.send("1,5")
    reply = await deputy.press("Нет")
    assert "Меры касаются участника: №2" in reply
    assert "записано" in await deputy.press("Подтвердить")
    v = await world.services.appeal_decisions.view(MEMBER, a.id)
    assert (v.status, v.penalised, v.deduction) == ("decided", t2, Decimal("1.50"))


async def test_restoration_through_the_chat_checks_the_number(world: World) -> None:
    st = await ready(world.services, 1, world.clock, count=2, score=True)
    world.clock.at = at(10, 0)
    a = await file(world.services, MENTOR, st.targets[0], at(9, 0))
    chair = world.person(CHAIR, "Анна")
    await chair.press_data(AppealCb(appeal_id=a.id, action="decide").pack())
    await chair.press("Удовлетворить апелляцию")
    await chair.send("Ошибка оценивания не в пользу участника")
    assert "Сколько баллов восстановить" in await chair.press(
        "Восстановить баллы участнику-заявителю"
    )
    assert "Восстановление — число баллов" in await chair.send("полтора")  # the step stays
    assert "Восстановлено будет: 1,5 балла" in await chair.send("1,5")
    reply = await chair.press("Нет, к подтверждению")
    assert "Восстановить участнику-заявителю: 1,5 балла" in reply
    assert "записано" in await chair.press("Подтвердить")
    v = await world.services.appeal_decisions.view(CHAIR, a.id)
    assert (v.restored, v.deduction) == (Decimal("1.50"), None)


# --------------------------------------------------------------------------- issue #15, QA round 2 (the chat)


async def _uphold_for_another(
    world: World, appeal_id: int, who: Any, text: str = "Участник №2 пользовался подсказкой"
) -> str:
    await who.press_data(AppealCb(appeal_id=appeal_id, action="decide").pack())
    await who.press("Удовлетворить апелляцию")
    await who.send(text)
    await who.press("Вычет или дисквалификация — другому участнику…")
    label = next(x for _, x, _ in who.buttons() if x.startswith("№2"))
    return await who.press(label)


async def test_qa3_numbers_refused_at_their_step_and_a_refusal_at_confirm_keeps_the_text(
    world: World,
) -> None:
    """QA 3: a deduction beyond the other participant's total and a restoration beyond the
    scheme's maximum are refused at their step (the limit named, the step stays); a refusal
    that can only come at «Подтвердить» carries «Изменить» / «Отмена», and «Изменить» keeps the text."""
    from tests.builders import newest

    st = await ready(world.services, 1, world.clock, count=2, score=True)
    t1 = st.targets[0]
    world.clock.at = at(10, 0)
    a = await file(world.services, MENTOR, t1, at(9, 0), kind="unfair_advantage")
    b = await file(world.services, MENTOR, t1, at(9, 0))
    chair = world.person(CHAIR, "Анна")
    await _uphold_for_another(world, a.id, chair)
    reply = await chair.send("99")
    assert (
        "Нельзя вычесть 99,00 балла" in reply
        and "сейчас 7,00 балла" in reply
        and chair.has_button("Отмена")
    )
    assert "Дисквалифицировать" in await chair.send(
        "2"
    )  # the step stayed: the next number is taken
    await chair.press("Отмена")

    # restoration beyond the maximum: refused at the step with the most restorable
    await chair.press_data(AppealCb(appeal_id=a.id, action="decide").pack())
    await chair.press("Удовлетворить апелляцию")
    await chair.send("Ошибка оценивания не в пользу участника")
    await chair.press("Восстановить баллы участнику-заявителю")
    reply = await chair.send("95")
    assert "не больше 93,00" in reply and not await rows(world.services, ResultAdjustment)
    assert "Восстановлено будет: 93 балла" in await chair.send("93")
    confirm = await chair.press("Нет, к подтверждению")
    assert "Восстановить участнику-заявителю: 93 балла" in confirm
    # meanwhile another decision restores a point to the same participant: now 93 is too much
    await world.services.appeal_decisions.decide(
        CHAIR, b.id, uphold=True, text="Ошибка в аспекте 1.1.2", restore="1"
    )
    data, mid = newest(chair, "Подтвердить")
    reply = await chair.press_data(data, mid)
    assert "Можно восстановить не больше 92,00" in reply
    assert chair.has_button("Изменить") and chair.has_button("Отмена")
    assert (await world.services.appeal_decisions.view(CHAIR, a.id)).status == "registered"
    await chair.press("Изменить")
    reply = await chair.press("Удовлетворить апелляцию")
    assert "«Ошибка оценивания не в пользу участника»" in reply  # the text typed is kept
    await chair.press("Оставить этот текст")
    await chair.press("Восстановить баллы участнику-заявителю")
    await chair.send("92")
    reply = await chair.press("Нет, к подтверждению")
    assert "Ошибка оценивания не в пользу участника" in reply
    assert "записано" in await chair.press("Подтвердить")
    v = await world.services.appeal_decisions.view(CHAIR, a.id)
    assert (v.restored, v.decision_text) == (
        Decimal("92.00"),
        "Ошибка оценивания не в пользу участника",
    )


async def test_qa4_no_measure_for_another_participant_is_refused_at_its_step(world: World) -> None:
    """QA 4: for another participant the prompt does not offer «0» as «без вычета», and «0» +
    «Нет» is refused at once — the question stays, with a way to give the deduction again."""
    st = await ready(world.services, 1, world.clock, count=2, score=True)
    world.clock.at = at(10, 0)
    a = await file(world.services, MENTOR, st.targets[0], at(9, 0), kind="unfair_advantage")
    chair = world.person(CHAIR, "Анна")
    prompt = await _uphold_for_another(world, a.id, chair)
    assert "Без вычета — «0»" not in prompt and "только дисквалифицировать" in prompt
    await chair.send("0")
    reply = await chair.press("Нет")
    assert "не указан ни вычет баллов, ни дисквалификация" in reply and "Подтвердить" not in reply
    assert chair.has_button("Да, дисквалифицировать") and chair.has_button("Указать вычет заново")
    assert "Вычет баллов участнику №2" in await chair.press("Указать вычет заново")
    await chair.send("0")
    reply = await chair.press("Да, дисквалифицировать")
    assert "Дисквалификация: да" in reply and "Меры касаются участника: №2" in reply
    assert "записано" in await chair.press("Подтвердить")
    v = await world.services.appeal_decisions.view(CHAIR, a.id)
    assert (v.penalised, v.disqualified, v.deduction) == (st.targets[1], True, None)


async def test_qa5_a_bad_number_for_another_participant_names_their_total(world: World) -> None:
    """QA 5: «-5», «abc», «150» for another participant: the limit said is their total, not 100."""
    st = await ready(world.services, 1, world.clock, count=2, score=True)
    world.clock.at = at(10, 0)
    a = await file(world.services, MENTOR, st.targets[0], at(9, 0), kind="unfair_advantage")
    chair = world.person(CHAIR, "Анна")
    await _uphold_for_another(world, a.id, chair)
    for bad in ("-5", "abc", "150"):
        reply = await chair.send(bad)
        assert (
            "от 0 до 7,00" in reply and "сейчас у него 7,00" in reply and "до 100" not in reply
        ), reply
    assert "Дисквалифицировать" in await chair.send("7")


async def test_qa2_a_deputys_decision_is_credited_to_the_deputy(world: World) -> None:
    """QA 2: the deputy's «Подтвердить» pressed again says «заместитель председателя», not «председатель»."""
    from tests.builders import newest

    st = await ready(world.services, 1, world.clock, count=2, score=True)
    world.clock.at = at(10, 0)
    a = await file(world.services, MENTOR, st.targets[0], at(9, 0))
    await world.services.appeal_decisions.declare_conflict(CHAIR, a.id)
    deputy = world.person(MEMBER, "Роман")
    await deputy.press_data(AppealCb(appeal_id=a.id, action="decide").pack())
    await deputy.press("Отказать в удовлетворении")
    await deputy.send("Нарушение не подтверждено")
    data, mid = newest(deputy, "Подтвердить")
    assert "записано" in await deputy.press_data(data, mid)
    reply = await deputy.press_data(data, mid)
    assert (
        "заместитель председателя комиссии Тихонов Роман Сергеевич" in reply
        and "(председатель комиссии" not in reply
    )


async def test_qa1_a_stage_too_late_is_not_offered_nor_accepted_at_step_one(world: World) -> None:
    """QA 1: the regional stage (01.12.2026, «today» 03.05.2027) is not offered; its button
    pressed anyway is refused at step 1 with the stage picker again; step 2 has «Назад»."""

    await ready(world.services, 1, world.clock)
    fed = world.person(FEDERAL, "Фед")
    await fed.send("/commission")
    reply = await fed.press("Изменить состав или заместителя")
    assert "Не показаны" in reply and "Региональный этап" in reply
    assert not fed.has_button("Региональный этап") and fed.has_button("Федеральный этап")
    regional = next(
        x.id
        for x in await world.services.commission.commission_stages(FEDERAL, 1)
        if x.title == "Региональный этап"
    )
    reply = await fed.press_data(CommissionCb(contest_id=1, action="stage", stage=regional).pack())
    assert (
        "не позднее чем за 2 дня" in reply and "Шаг 1 из 2" in reply and "Шаг 2 из 2" not in reply
    )
    reply = await fed.press("Федеральный этап")
    assert "Шаг 2 из 2" in reply and fed.has_button("Назад")
    assert "Шаг 1 из 2" in await fed.press("Назад")


async def test_qa7_result_screens_offer_the_next_step_and_conflict_is_confirmed(
    world: World,
) -> None:
    """QA 7: «Конфликт интересов» asks first (nothing changes until «Подтвердить»); the
    declared conflict and the recorded decision offer the case and the queue."""
    st = await ready(world.services, 1, world.clock, count=2, score=True)
    world.clock.at = at(10, 0)
    a = await file(world.services, MENTOR, st.targets[0], at(9, 0))
    member, chair = world.person(MEMBER_2, "Вера"), world.person(CHAIR, "Анна")
    await member.press_data(AppealCb(appeal_id=a.id, action="view").pack())
    reply = await member.press("Конфликт интересов")
    assert (
        "Заявить о конфликте интересов" in reply
        and MEMBER_2 not in (await world.services.appeal_decisions.view(MEMBER_2, a.id)).excluded
    )
    assert "Апелляция №" in await member.press("Назад")  # back to the card, nothing declared
    await member.press("Конфликт интересов")
    reply = await member.press("Подтвердить")
    assert (
        "Вы заявили о конфликте интересов" in reply
        and MEMBER_2 in (await world.services.appeal_decisions.view(MEMBER_2, a.id)).excluded
    )
    assert member.has_button(f"Открыть апелляцию №{a.id}") and member.has_button(
        "К очереди апелляций"
    )
    assert "Очередь апелляций" in await member.press("К очереди апелляций")
    await chair.press_data(AppealCb(appeal_id=a.id, action="decide").pack())
    await chair.press("Отказать в удовлетворении")
    await chair.send("Нарушение не подтверждено")
    assert "записано" in await chair.press("Подтвердить")
    assert chair.has_button(f"Открыть апелляцию №{a.id}") and chair.has_button(
        "К очереди апелляций"
    )
    assert "решение принято" in await chair.press(f"Открыть апелляцию №{a.id}")


async def test_qa8_a_new_deputy_is_told_and_the_alarmed_are_told_it_is_resolved(
    world: World,
) -> None:
    """QA 8: the confirmation shows all five; the new deputy is told (with the stuck case now
    hers), and the coordinator and the secretary, alarmed before, are told it is resolved."""
    st = await ready(world.services, 1, world.clock, count=1)
    world.clock.at = at(10, 0)
    a = await file(world.services, MENTOR, st.targets[0], at(9, 0))
    await world.services.appeal_decisions.declare_conflict(CHAIR, a.id)
    await world.services.appeal_decisions.declare_conflict(MEMBER, a.id)
    assert (await world.services.appeal_decisions.view(CHAIR, a.id)).decider is None
    fed = world.person(FEDERAL, "Фед")
    await fed.send("/commission")
    await fed.press("Изменить состав или заместителя")
    await fed.press("Федеральный этап")
    reply = await fed.press("Ершова Вера Павловна")
    for line in (
        "Председатель: Григорьева Анна Львовна",
        "Секретарь (без права голоса): Белов Олег Ильич",
        "Заместитель председателя: Ершова Вера Павловна",
        "Член комиссии: Тихонов Роман Сергеевич",
    ):
        assert line in reply, reply
    assert "Комиссия сформирована" in await fed.press("Подтвердить")
    named = await rows(world.services, Delivery, Delivery.message_key == "cms-note-deputy-named")
    assert [d.recipient_chat_id for d in named] == [
        MEMBER,
        MEMBER_2,
    ]  # MEMBER: named when first formed (ready)
    assert f"№{a.id}" in t("cms-note-deputy-named", "ru", **named[-1].message_args)
    resolved = await rows(
        world.services, Delivery, Delivery.message_key == "cms-note-decider-restored"
    )
    assert sorted(d.recipient_chat_id for d in resolved) == sorted([FEDERAL, SECRETARY])
    assert "заместитель председателя Ершова Вера Павловна" in t(
        "cms-note-decider-restored", "ru", **resolved[0].message_args
    )
