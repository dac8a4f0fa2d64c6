"""Issue #12, guarantees 1 and 2, for scoring and protocol signing (R-SCH-3/4, R-SCO-4…6,
R-ROLE-3, R-PRO-2): every transition is decided once on SQLite and on PostgreSQL.

Each race fires the same call twice at once (a double tap, or two instances) and, where two
people with the same rights act, both at once, on separate units of work. It asserts: one
state change, one audit row, one outbox row, and a loser refused in Russian with what
already happened (who and when). Through the real dispatcher: a double «Да, заблокировать»,
a double «Подписать», «Подписать» with «Отказаться», two signers of a correction at once,
the correction reason shown back before it counts and «Отмена» changing nothing — with
every callback query answered."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import func, select

from bot.callbacks import CorrCb, ProtocolCb
from bot.handlers.scoring.callbacks import ChiefAction, ChiefCb, CorrDraftAction, CorrDraftCb
from bot.texts import error_text
from models.errors import DomainError
from models.services import Services
from models.tables import (
    AssessmentGroup,
    AuditRecord,
    Correction,
    Delivery,
    Protocol,
    ProtocolSignature,
    ProtocolVersion,
    SheetConfirmation,
)
from tests.builders import (
    CHIEF,
    EXPERTS,
    G1,
    MENTOR,
    Setup,
    World,
    make_world,
    render,
    score_all,
    setup,
)
from tests.conftest import JobLog

CHIEF_NAME = "Соколов Павел Андреевич"
#: English state words a person must never see in a refusal
ENGLISH = re.compile(
    r"\b(locked|signed|refused|approval|open|signing|done|confirmed|pending|already)\b", re.I
)


# --------------------------------------------------------------------------- helpers


async def race(*calls: Any) -> tuple[list[Any], list[BaseException]]:
    """Run the calls at once; (results of the winners, exceptions of the losers)."""
    out = await asyncio.gather(*calls, return_exceptions=True)
    return [x for x in out if not isinstance(x, BaseException)], [
        x for x in out if isinstance(x, BaseException)
    ]


def russian(err: BaseException, code: str, *must: str) -> str:
    """The loser's refusal: the expected code, a Russian text naming what happened."""
    assert isinstance(err, DomainError), repr(err)
    assert err.code == code, (err.code, err.args_)
    text = error_text(err)
    assert re.search("[а-яА-Я]", text) and not ENGLISH.search(text), text
    assert "{" not in text and "err-" not in text, text
    for word in must:
        assert word in text, (word, text)
    return text


async def count(services: Services, model: Any, *where: Any) -> int:
    async with services.ctx.sessionmaker() as s:
        return (await s.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def audits(services: Services, action: str) -> int:
    return await count(services, AuditRecord, AuditRecord.action == action)


async def outbox(services: Services, reason: str, key: str | None = None) -> int:
    where = [Delivery.reason == reason] + ([Delivery.message_key == key] if key else [])
    return await count(services, Delivery, *where)


async def protocol(services: Services, kind: str) -> Protocol:
    async with services.ctx.sessionmaker() as s:
        return (await s.execute(select(Protocol).where(Protocol.kind == kind))).scalars().one()


async def versions(services: Services, protocol_id: int) -> int:
    return await count(services, ProtocolVersion, ProtocolVersion.protocol_id == protocol_id)


async def decisions(services: Services, protocol_id: int, who: int) -> list[str]:
    async with services.ctx.sessionmaker() as s:
        return list(
            (
                await s.execute(
                    select(ProtocolSignature.decision)
                    .join(ProtocolVersion, ProtocolVersion.id == ProtocolSignature.version_id)
                    .where(
                        ProtocolVersion.protocol_id == protocol_id,
                        ProtocolSignature.telegram_id == who,
                    )
                )
            ).scalars()
        )


# --------------------------------------------------------------------------- service level, both databases


async def test_scheme_groups_and_lock_are_decided_once(services: Services, contest_id: int) -> None:
    """A double «Создать группу», «Закрепить», «Заблокировать схему» (R-SCH-3/4)."""
    sc = services
    st = await setup(services, contest_id, count=1, lock=False, mentor=False)
    sid = st.scheme_id
    members = [100004, 100005, 100009, 100010]
    groups = await count(services, AssessmentGroup)
    won, lost = await race(
        sc.scoring_setup.create_group(CHIEF, sid, members),
        sc.scoring_setup.create_group(CHIEF, sid, members),
    )
    assert len(won) == 1 and len(lost) == 1
    russian(lost[0], "group_exists", won[0].code)
    assert (
        await count(services, AssessmentGroup) == groups + 1
        and await audits(services, "group.create") == 1
    )

    sub = st.subs["1.2"]
    won, lost = await race(
        *(sc.scoring_setup.assign_subcriterion(CHIEF, sub, won[0].id) for _ in range(2))
    )
    assert len(won) == 1
    russian(lost[0], "subcriterion_already_assigned", "1.2", won[0].group_code)
    assert await audits(services, "subcriterion.assign") == 1

    won, lost = await race(sc.schemes.lock_scheme(CHIEF, sid), sc.schemes.lock_scheme(CHIEF, sid))
    assert len(won) == 1 and len(lost) == 1
    russian(lost[0], "scheme_locked_by", CHIEF_NAME)
    assert await audits(services, "scheme.lock") == 1
    assert await versions(services, (await protocol(services, "scheme_lock")).id) == 1
    # a stale «Заблокировать схему» is refused before anything is asked
    with pytest.raises(DomainError) as err:
        await sc.schemes.check_lock_scheme(CHIEF, sid)
    russian(err.value, "scheme_locked_by", CHIEF_NAME)
    # building the list twice adds the participants once, with one record
    assert sorted(
        await asyncio.gather(
            sc.scoring_setup.build_targets(CHIEF, sid), sc.scoring_setup.build_targets(CHIEF, sid)
        )
    ) == [0, 0]
    assert await audits(services, "targets.build") == 1  # the one in setup(); nothing new to add


async def _scored(services: Services, contest_id: int) -> Setup:
    """Two participants (the first with a mentor, who scores only the other), the small
    scheme locked and fully scored, nobody confirmed yet."""
    st = await setup(services, contest_id, count=2)
    await score_all(services, st, confirm=False)
    return st


async def test_confirmations_score_lock_and_votes_are_decided_once(
    services: Services, contest_id: int, jobs: JobLog
) -> None:
    sc = services
    st = await setup(services, contest_id, count=2)
    t = st.targets[0]

    # R-ROLE-3: a double «Спросить экспертов» asks once; a double vote counts once
    won, lost = await race(
        sc.scoring_setup.ask_mentor_allowance(CHIEF, t),
        sc.scoring_setup.ask_mentor_allowance(CHIEF, t),
    )
    assert len(won) == 1
    russian(lost[0], "allowance_pending", "0 из")
    assert (
        await outbox(services, "mentor-allowance") == len(EXPERTS)
        and await audits(services, "mentor_allowance.ask") == 1
    )
    won, lost = await race(
        sc.scoring_setup.vote_mentor_allowance(100004, t, False),
        sc.scoring_setup.vote_mentor_allowance(100004, t, False),
    )
    assert won == ["denied"]
    russian(lost[0], "allowance_already_voted", "«не разрешать»")
    assert await audits(services, "mentor_allowance.vote") == 1
    assert await outbox(services, "mentor-allowance", "sco-note-allowance-denied") == 1

    await score_all(services, st, confirm=False)
    # «Подтвердить оценки»: a double tap confirms once; two members of one group at once both do
    me = G1[0]
    won, lost = await race(
        sc.marks.confirm_sheet(me, st.scheme_id), sc.marks.confirm_sheet(me, st.scheme_id)
    )
    assert len(won) == 1
    russian(lost[0], "sheet_already_confirmed")
    won, lost = await race(
        sc.marks.confirm_sheet(G1[1], st.scheme_id), sc.marks.confirm_sheet(G1[2], st.scheme_id)
    )
    assert len(won) == 2 and not lost
    for e in (G1[3], 100009, 100010):
        await sc.marks.confirm_sheet(e, st.scheme_id)
    assert (
        await audits(services, "sheet.confirm") == 7 - 1
    )  # every member of both groups, once (the chief is in none)
    assert (
        await count(
            services,
            SheetConfirmation,
            SheetConfirmation.kind == "expert",
            SheetConfirmation.revoked_at.is_(None),
        )
        == 6
    )

    # the score lock: once; the mentor asked once; the loser told who and when
    won, lost = await race(
        sc.score_lock.lock_scores(CHIEF, st.scheme_id),
        sc.score_lock.lock_scores(CHIEF, st.scheme_id),
    )
    assert won == [1]
    russian(lost[0], "scores_locked_by", CHIEF_NAME)
    assert (
        await audits(services, "scores.lock") == 1 and await outbox(services, "mentor-sheet") == 1
    )
    assert await versions(services, (await protocol(services, "score_lock")).id) == 1

    # the mentor's sheet: a double «Подтверждаю» confirms and signs once
    won, lost = await race(
        sc.score_lock.confirm_mentor_sheet(MENTOR, t), sc.score_lock.confirm_mentor_sheet(MENTOR, t)
    )
    assert len(won) == 1
    russian(lost[0], "mentor_sheet_already_confirmed")
    assert await audits(services, "sheet.mentor_confirm") == 1
    assert await decisions(services, (await protocol(services, "mentor_sheet")).id, MENTOR) == [
        "signed"
    ]
    assert await outbox(services, "mentor-sheet", "sco-note-mentor-confirmed") == 1


async def test_corrections_and_protocol_signatures_are_decided_once(
    services: Services, contest_id: int, jobs: JobLog
) -> None:
    """R-SCO-6 and R-PRO-2 under races: open, approve, relock, sign; «Подписать» twice, and
    «Подписать» with «Отказаться»; a button of an old version."""
    sc, pro = services, services.protocols
    st = await _scored(services, contest_id)
    t, sub = st.targets[0], st.subs["1.1"]
    for e in (*G1, 100009, 100010):
        await sc.marks.confirm_sheet(e, st.scheme_id)
    await sc.score_lock.lock_scores(CHIEF, st.scheme_id)

    won, lost = await race(
        sc.corrections.open_correction(CHIEF, t, sub, "Ошибка ввода"),
        sc.corrections.open_correction(CHIEF, t, sub, "Ошибка ввода"),
    )
    assert len(won) == 1
    c = won[0]
    russian(lost[0], "correction_already_open", f"№ {c.id}", CHIEF_NAME, "согласования")
    assert await count(services, Correction) == 1 and await audits(services, "correction.open") == 1
    assert await outbox(services, "correction", "sco-note-correction-approve") == len(c.signers) - 1
    # a stale reason prompt is refused before the reason is asked
    with pytest.raises(DomainError) as err:
        await sc.corrections.check_open_correction(CHIEF, t, sub)
    russian(err.value, "correction_already_open")

    # a double «Согласен»: one signature; the last two signers at once: unlocked once
    won, lost = await race(
        sc.corrections.sign_correction(MENTOR, c.id), sc.corrections.sign_correction(MENTOR, c.id)
    )
    assert len(won) == 1
    russian(lost[0], "correction_already_signed", f"№ {c.id}")
    for e in G1[:2]:
        await sc.corrections.sign_correction(e, c.id)
    won, lost = await race(
        sc.corrections.sign_correction(G1[2], c.id), sc.corrections.sign_correction(G1[3], c.id)
    )
    assert len(won) == 2 and not lost
    assert (await sc.corrections.correction(CHIEF, c.id)).status == "open"
    assert (
        await audits(services, "correction.unlock") == 1
        and await outbox(services, "correction", "sco-note-correction-open") == 1
    )
    # a late «Согласен» on an unlocked correction says what happened
    with pytest.raises(DomainError) as err:
        await sc.corrections.sign_correction(MENTOR, c.id)
    russian(err.value, "correction_closed", "разблокирована")

    # a double «Заблокировать исправленную ведомость»: one relock, one new protocol version
    await sc.marks.enter_mark(CHIEF, t, st.aspects["1.1.1"], 2, for_expert=G1[0])
    won, lost = await race(
        sc.corrections.relock_correction(CHIEF, c.id), sc.corrections.relock_correction(CHIEF, c.id)
    )
    assert len(won) == 1
    russian(lost[0], "correction_relocked", f"№ {c.id}")
    assert await audits(services, "correction.relock") == 1
    corr = await protocol(services, "correction")
    assert await versions(services, corr.id) == 2

    # protocol signatures (R-PRO-2): the score-lock protocol's PDF made, as the worker does
    await render(services, jobs, "score_lock")
    lock = await protocol(services, "score_lock")
    v = lock.current_version
    won, lost = await race(pro.sign(100004, lock.id, v), pro.sign(100004, lock.id, v))
    assert len(won) == 1
    russian(lost[0], "protocol_already_signed", "Блокировка оценок")
    # two signers at once: both count
    won, lost = await race(pro.sign(100005, lock.id, v), pro.sign(100007, lock.id, v))
    assert len(won) == 2 and not lost
    # «Подписать» and «Отказаться» of one person at once: exactly one of them counts
    won, lost = await race(
        pro.sign(100008, lock.id, v), pro.refuse(100008, lock.id, v, "Не согласен с составом")
    )
    assert len(won) == 1 and len(lost) == 1
    assert len(await decisions(services, lock.id, 100008)) == 1
    code = (
        "protocol_already_refused"
        if await decisions(services, lock.id, 100008) == ["refused"]
        else "protocol_already_signed"
    )
    russian(lost[0], code)
    assert await audits(services, "protocol.sign") + await audits(
        services, "protocol.refuse"
    ) == await count(services, ProtocolSignature)
    # a button of an old version is refused with the current one named
    with pytest.raises(DomainError) as err:
        await services.signing.sign(G1[0], corr.id, 1)
    russian(err.value, "protocol_changed", "(2)")
    with pytest.raises(DomainError) as err:
        await pro.check_decision(G1[0], corr.id, 1)
    russian(err.value, "protocol_changed")


# --------------------------------------------------------------------------- through the real dispatcher


@pytest.fixture
async def any_world(db_url: str, tmp_path: Path) -> AsyncIterator[World]:
    """The real dispatcher over the fake Bot API, on SQLite and on PostgreSQL."""
    async for w in make_world(db_url, tmp_path):
        yield w


async def together(world: World, *presses: tuple[Any, str]) -> str:
    """Press at once; everything the bot said to those people meanwhile (replies of
    concurrent presses interleave, so they are judged together)."""
    mark = len(world.session.requests)
    await asyncio.gather(*(p.press_data(data) for p, data in presses))
    users = {str(p.user_id) for p, _ in presses}
    out = []
    for req in world.session.requests[mark:]:
        if (
            str(getattr(req, "chat_id", None)) in users
            and getattr(req, "text", None)
            and world.session.succeeded(req)
        ):
            out.append(req.text)
    return "\n".join(out)


def answered(world: World) -> int:
    """How many distinct callback queries were answered."""
    return len({m.callback_query_id for m in world.session.calls(AnswerCallbackQuery)})


async def test_key_buttons_pressed_twice_in_the_chat(any_world: World) -> None:
    world = any_world
    services = world.services
    sc = services
    st = await _scored(services, 1)
    world.jobs.take("download")  # the applications' files: not what this test is about
    for e in (*G1, 100009, 100010):
        await sc.marks.confirm_sheet(e, st.scheme_id)
    chief = world.person(CHIEF, "Павел")
    presses = 0

    # «Да, заблокировать» (scores) twice at once: locked once; the other press says who and when
    data = ChiefCb(scheme_id=st.scheme_id, action=ChiefAction.LOCK_SCORES_OK).pack()
    said = await together(world, (chief, data), (chief, data))
    presses += 2
    assert said.count("Оценки заблокированы. Наставникам") == 1, said
    assert said.count(f"Оценки уже заблокированы: {CHIEF_NAME}") == 1, said
    assert (
        await audits(services, "scores.lock") == 1 and await outbox(services, "mentor-sheet") == 1
    )
    # the «Заблокировать оценки» of an old screen is refused at once, before the confirmation
    reply = await chief.press_data(
        ChiefCb(scheme_id=st.scheme_id, action=ChiefAction.LOCK_SCORES).pack()
    )
    presses += 1
    assert "уже заблокированы" in reply and "Заблокировать оценки?" not in reply
    await world.drain()

    # the score-lock protocol's «Подписать» twice at once, by one expert; two experts at once
    lock = await protocol(services, "score_lock")
    sign = ProtocolCb(protocol_id=lock.id, version=lock.current_version, action="sign").pack()
    refuse = ProtocolCb(protocol_id=lock.id, version=lock.current_version, action="refuse").pack()
    e1, e2, e3 = (world.person(x) for x in (100004, 100005, 100007))
    said = await together(world, (e1, sign), (e1, sign))
    presses += 2
    assert said.count("Подпись сохранена") == 1 and said.count("Вы уже подписали") == 1, said
    said = await together(world, (e2, sign), (e3, sign))
    presses += 2
    assert said.count("Подпись сохранена") == 2, said
    assert await audits(services, "protocol.sign") == 3
    # «Подписать» and «Отказаться» together: the reason is asked only while nothing is decided;
    # whichever is decided second is refused — one decision
    e4 = world.person(100008)
    said = await together(world, (e4, refuse), (e4, sign))
    presses += 2
    assert said.count("Подпись сохранена") == 1, said
    if (
        "причину отказа" in said
    ):  # the reason was asked before the signature: now refused at the answer
        assert "Вы уже подписали" in await e4.send("Не согласен с составом группы")
    else:  # the signature came first: «Отказаться» refused at once, nothing asked
        assert "Вы уже подписали" in said
    assert await decisions(services, lock.id, 100008) == ["signed"]
    assert (
        await audits(services, "protocol.refuse") == 0
        and await outbox(services, "protocol-refused") == 0
    )

    # R-SCO-6 in the chat: the reason prompt has «Отмена», which changes nothing
    t, sub = st.targets[0], st.subs["1.1"]
    ask = CorrDraftCb(scheme_id=st.scheme_id, target_id=t, subcriterion_id=sub).pack()
    reply = await chief.press_data(ask)
    presses += 1
    assert "причину корректировки" in reply and chief.has_button("Отмена")
    reply = await chief.press("Отмена")
    presses += 1
    assert "ничего не изменено" in reply
    assert "не похоже" not in await chief.send("Просто текст")  # no longer taken as a reason
    assert await count(services, Correction) == 0
    # the reason is shown back; «Подтвердить» twice at once opens one correction
    await chief.press_data(ask)
    presses += 1
    reply = await chief.send("Ошибка переноса оценки")
    assert "«Ошибка переноса оценки»" in reply and await count(services, Correction) == 0
    ok = CorrDraftCb(
        scheme_id=st.scheme_id, target_id=t, subcriterion_id=sub, action=CorrDraftAction.OK
    ).pack()
    said = await together(world, (chief, ok), (chief, ok))
    presses += 2
    assert said.count("открыта") == 1 and "Черновик не найден" in said, said
    assert await count(services, Correction) == 1 and await audits(services, "correction.open") == 1
    # the reason prompt of a sheet already under correction is refused before anything is asked
    reply = await chief.press_data(ask)
    presses += 1
    assert "уже есть корректировка" in reply and "причину корректировки" not in reply
    await world.drain()

    # two signers of the correction at once (the last two): it unlocks once
    c = (await sc.corrections.corrections(CHIEF, st.scheme_id))[0]
    for who in (MENTOR, *G1[:2]):
        await sc.corrections.sign_correction(who, c.id)
    agree = CorrCb(correction_id=c.id, action="sign").pack()
    said = await together(world, (world.person(G1[2]), agree), (world.person(G1[3]), agree))
    presses += 2
    assert said.count("Подпись сохранена") == 2, said
    assert await audits(services, "correction.unlock") == 1
    assert await outbox(services, "correction", "sco-note-correction-open") == 1
    reply = await world.person(G1[3]).press_data(agree)
    presses += 1
    assert "разблокирована" in reply

    # every callback query was answered
    assert answered(world) == presses
