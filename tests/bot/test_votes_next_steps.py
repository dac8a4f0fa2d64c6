"""Issue #15, «votes and next steps».

1. R-APL-1: the quorum of a pre-appeal vote is one pure rule (``rules.pre_appeal_quorum``) used
   by the service that closes the vote and by the card in the chat. The card counts right
   (6 of 7 voted is a quorum — it said «нужно не меньше 6 голосов»), and a vote closed without
   quorum needs a confirmation («Кворума нет: 4 из 7, нужно 6. Закрыть голосование без
   решения?» → «Подтвердить» / «⬅️ Назад»); without it the service refuses and changes nothing.
2. After an action of the chief expert (or an expert, a mentor, a signer) the chat never ends
   on a message without buttons: each result screen offers the next step and a way back. The
   walk below goes through every such action in bot/handlers/scoring.py, protocols.py and
   progress.py and checks the last message each time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from aiogram.methods import SendDocument
from sqlalchemy import func, select

from bot.callbacks import AllowCb, ChiefCb, CorrCb, PreAppealCb, ProtocolCb
from bot.handlers.appeals.callbacks import DisputeCloseCb
from bot.handlers.scoring.callbacks import AssignGroupCb, AssignSubCb, GroupToggleCb
from bot.texts import error_text
from models import rules
from models.clock import FixedClock
from models.errors import DomainError
from models.scheme_file import parse_scheme_yaml
from models.services import Services
from models.tables import AuditRecord, PreAppeal, PreAppealVote
from tests.botkit import Person
from tests.builders import CHIEF, World, fill_by_service, participants, send_scheme, setup
from tests.conftest import COORD_MOSCOW

ROOT = Path(__file__).resolve().parents[2]
ACCREDITED = (100004, 100005, 100006, 100007, 100008, 100009, 100010)
MENTOR = 100010
G1 = (100004, 100005, 100007, 100008)

# --------------------------------------------------------------------------- 1. the quorum rule (R-APL-1)


@pytest.mark.parametrize(
    ("accredited", "cast", "needed", "reached", "missing"),
    [
        (8, 5, 7, False, 2),  # the card: «5 из 8, нужно 7»
        (8, 7, 7, True, 0),
        (7, 6, 6, True, 0),  # «нужно не меньше 6 голосов» was shown with 6 cast
        (7, 5, 6, False, 1),
        (5, 4, 4, True, 0),
        (10, 8, 8, True, 0),
        (10, 7, 8, False, 1),
        (1, 0, 1, False, 1),
        (1, 1, 1, True, 0),
    ],
)
def test_pre_appeal_quorum(
    accredited: int, cast: int, needed: int, reached: bool, missing: int
) -> None:
    q = rules.pre_appeal_quorum(accredited, cast)
    assert (q.needed, q.reached, q.missing) == (needed, reached, missing)


def test_quorum_agrees_with_the_outcome_for_every_count() -> None:
    """The outcome and the card use one rule: no quorum exactly when fewer than ``needed`` voted,
    and ``needed`` is the least count with ≥ 80 % (R-APL-1)."""
    for accredited in range(1, 41):
        needed = rules.pre_appeal_quorum(accredited, 0).needed
        assert needed * 100 >= 80 * accredited > (needed - 1) * 100
        for cast in range(accredited + 1):
            q = rules.pre_appeal_quorum(accredited, cast)
            assert (rules.pre_appeal_outcome(accredited, cast, 0) == "no_quorum") is (not q.reached)


@pytest.mark.parametrize("args", [(0, 0), (3, 4), (-1, 0), (3, -1), (True, 1), (3, 1.0)])
def test_pre_appeal_quorum_refuses_impossible_counts(args: tuple[Any, Any]) -> None:
    with pytest.raises(ValueError):
        rules.pre_appeal_quorum(*args)


# --------------------------------------------------------------------------- 1. the service


async def test_closing_without_quorum_needs_confirmation(
    services: Services, contest_id: int, clock: FixedClock
) -> None:
    st = await setup(services, contest_id, count=1)
    p = await services.disputes.open_pre_appeal(
        CHIEF, st.scheme_id, "Участник вышел за время", "Снять 1 балл", None
    )
    for voter in ACCREDITED[:4]:
        p = await services.disputes.vote_pre_appeal(voter, p.id, True)
    assert (p.quorum.cast, p.quorum.needed, p.quorum.reached) == (4, 6, False)

    # the bad input: «Подвести итог» without the confirmation — refused, the vote stays open
    with pytest.raises(DomainError) as err:
        await services.disputes.close_pre_appeal(CHIEF, p.id)
    assert err.value.code == "pre_appeal_no_quorum"
    assert "Кворума нет: 4 из 7, нужно 6" in error_text(err.value)
    async with services.ctx.sessionmaker() as s:
        assert (await s.get(PreAppeal, p.id)).status == "voting"
        assert (
            await s.execute(
                select(func.count())
                .select_from(PreAppealVote)
                .where(PreAppealVote.pre_appeal_id == p.id)
            )
        ).scalar_one() == 4
        closes = (
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.action == "pre_appeal.close")
        )
        assert (await s.execute(closes)).scalar_one() == 0
    # only the chief is asked, and only while the vote is open
    with pytest.raises(DomainError) as err:
        await services.disputes.check_close_pre_appeal(ACCREDITED[0], p.id)
    assert err.value.code == "not_chief"
    assert (await services.disputes.check_close_pre_appeal(CHIEF, p.id)).quorum.missing == 2

    # confirmed: closed without a decision, once
    p = await services.disputes.close_pre_appeal(CHIEF, p.id, without_quorum=True)
    assert p.status == "no_quorum"
    with pytest.raises(DomainError) as err:
        await services.disputes.check_close_pre_appeal(CHIEF, p.id)
    assert err.value.code == "pre_appeal_closed_already"

    # a vote that reached its quorum meanwhile closes with its decision even when confirmed
    r = await services.disputes.open_pre_appeal(
        CHIEF, st.scheme_id, "Спор 2", "Предложение 2", None
    )
    for voter in ACCREDITED[:6]:
        r = await services.disputes.vote_pre_appeal(voter, r.id, True)
    assert (
        await services.disputes.close_pre_appeal(CHIEF, r.id, without_quorum=True)
    ).status == "accepted"


# --------------------------------------------------------------------------- helpers of the chat


def buttons_of(markup: Any) -> list[tuple[str, str]]:
    """(text, callback data) of a reply markup (a model or its JSON)."""
    if markup is None:
        return []
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else markup.inline_keyboard
    out = []
    for row in rows:
        for b in row:
            text = b.get("text") if isinstance(b, dict) else b.text
            data = b.get("callback_data") if isinstance(b, dict) else b.callback_data
            out.append((text, data or ""))
    return out


def is_way_back(text: str, data: str) -> bool:
    """«⬅️ …», or the chief's setup screen itself («⚙️ Управление оцениванием»)."""
    if text.startswith("⬅️"):
        return True
    return data.startswith("sgx:") and ChiefCb.unpack(data).action == "chief"


class Walk:
    """Presses an action and checks the last message the person got: buttons, a way back,
    and (when given) the next step."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.walked: list[str] = []

    async def __call__(
        self,
        p: Person,
        name: str,
        *,
        label: str | None = None,
        data: str | None = None,
        send: str | None = None,
        expect: str = "",
        next_step: str | None = None,
    ) -> str:
        if label is not None:
            reply = await p.press(label)
        elif data is not None:
            reply = await p.press_data(data)
        else:
            reply = await p.send(send)
        assert expect in reply, f"{name}: {reply!r}"
        got = buttons_of(self.world.session.last_markup(p.user_id))
        assert got, f"{name}: the chat ends on a message without buttons: {reply!r}"
        assert any(is_way_back(t, d) for t, d in got), (
            f"{name}: no way back in {[t for t, _ in got]}"
        )
        if next_step is not None:
            assert any(t.startswith(next_step) for t, _ in got), (
                f"{name}: no «{next_step}» in {[t for t, _ in got]}"
            )
        self.walked.append(name)
        return reply


def scheme_without_groups() -> bytes:
    """The example scheme with its groups left to the chief (so the walk creates and assigns them)."""
    data = yaml.safe_load((ROOT / "examples" / "scheme.yaml").read_text(encoding="utf-8"))
    data.pop("groups", None)
    for c in data["criteria"]:
        for sub in c["subcriteria"]:
            sub.pop("group", None)
    return yaml.safe_dump(data, allow_unicode=True).encode()


# --------------------------------------------------------------------------- 1. the vote in the chat


async def test_the_vote_card_counts_right_and_no_quorum_is_confirmed(world: World) -> None:
    await participants(world, 1)
    sc = world.services
    loaded = await sc.schemes.load_scheme(
        CHIEF, 1, parse_scheme_yaml((ROOT / "examples" / "scheme.yaml").read_bytes())
    )
    await sc.scoring_setup.build_targets(CHIEF, loaded.scheme_id)
    chief = world.person(CHIEF, "Павел")

    await chief.send("/dispute")
    await chief.send("Участнику №1 выдали не тот комплект материалов")
    await chief.send("Продлить время на 10 минут")
    await chief.send("-")
    assert "Голосование №1 открыто" in await chief.press("Вынести на голосование")
    for e in ACCREDITED[:4]:
        await world.services.disputes.vote_pre_appeal(e, 1, True)
    reply = await chief.press_data(PreAppealCb(pre_appeal_id=1).pack())
    assert "Кворума пока нет: 4 из 7, нужно 6 — ещё 2 голоса." in reply

    # «Подвести итог» without quorum: asked first, nothing closed
    reply = await chief.press("Подвести итог")
    assert "Кворума нет: 4 из 7, нужно 6. Закрыть голосование без решения?" in reply
    assert [t for t, _ in buttons_of(world.session.last_markup(CHIEF))] == [
        "Подтвердить",
        "⬅️ Назад",
    ]
    assert (await world.services.disputes.pre_appeal(CHIEF, 1)).status == "voting"
    reply = await chief.press("⬅️ Назад")
    assert "Голосование идёт" in reply and chief.has_button("Подвести итог")
    # a forged «Подтвердить» by an expert changes nothing
    assert "только главный эксперт" in await world.person(100004).press_data(
        DisputeCloseCb(pre_appeal_id=1, without_quorum=True).pack()
    )
    assert (await world.services.disputes.pre_appeal(CHIEF, 1)).status == "voting"
    await chief.press("Подвести итог")
    reply = await chief.press("Подтвердить")
    assert "Голосование завершено" in reply and "кворума нет" in reply
    got = buttons_of(world.session.last_markup(CHIEF))
    assert any(t.startswith("Дальше:") for t, _ in got) and any(is_way_back(t, d) for t, d in got)
    assert "уже завершено" in await chief.press_data(
        DisputeCloseCb(pre_appeal_id=1, without_quorum=True).pack()
    )

    # 6 of 7 voted: a quorum — never «нужно не меньше 6 голосов»
    await chief.send("/dispute")
    await chief.send("Спор 2")
    await chief.send("Предложение 2")
    await chief.send("-")
    await chief.press("Вынести на голосование")
    for e in ACCREDITED[:5]:
        await world.services.disputes.vote_pre_appeal(e, 2, True)
    reply = await world.person(ACCREDITED[5]).press_data(
        PreAppealCb(pre_appeal_id=2, vote=0).pack()
    )
    assert "Кворум есть: 6 из 7 (нужно 6)." in reply and "не меньше" not in reply
    reply = await chief.press("Подвести итог")  # a quorum: closed at once, with its decision
    assert "предложение принято" in reply and "Закрыть голосование без решения" not in reply


# ------------------------------------------------------ 2. every result offers the next step and a way back


async def test_every_action_ends_on_the_next_step_and_a_way_back(world: World) -> None:
    await participants(world, 2)
    sc = world.services
    walk = Walk(world)
    chief = world.person(CHIEF, "Павел")

    # the scheme (no groups in it): next — a group
    await chief.send("/scheme")
    await send_scheme(chief, world, scheme_without_groups(), "scheme-nogroups")
    got = buttons_of(world.session.last_markup(CHIEF))
    assert any(t.startswith("Дальше: создать группу") for t, _ in got) and any(
        is_way_back(t, d) for t, d in got
    )
    walk.walked.append("scheme upload")
    scheme_id = (await sc.schemes.schemes_for(CHIEF))[0].id

    await chief.press("Дальше: создать группу")
    for e in G1:
        await chief.press_data(GroupToggleCb(scheme_id=scheme_id, expert_id=e).pack())
    await walk(
        chief,
        "create group",
        label="Создать группу (4 из 4)",
        expect="создана",
        next_step="Дальше: закрепить субкритерии",
    )
    view = await sc.schemes.scheme_view(CHIEF, scheme_id)
    group = view.groups[0].id
    for sub in view.subcriteria[:-1]:
        await sc.scoring_setup.assign_subcriterion(CHIEF, sub.id, group)
    last = view.subcriteria[-1]
    await chief.press("Дальше: закрепить субкритерии")
    await chief.press_data(AssignSubCb(scheme_id=scheme_id, subcriterion_id=last.id).pack())
    await walk(
        chief,
        "assign",
        data=AssignGroupCb(scheme_id=scheme_id, subcriterion_id=last.id, group_id=group).pack(),
        expect="закреплён",
        next_step="Дальше: сформировать список",
    )
    await walk(
        chief,
        "build targets",
        label="Дальше: сформировать список",
        expect="Добавлено в список оценки: 2",
        next_step="Дальше: назначить экспертов-наставников",
    )
    await chief.press("Дальше: назначить экспертов-наставников")
    await chief.press("№1")
    await walk(
        chief,
        "set mentor",
        label="Козлов",
        expect="Наставник назначен",
        next_step="Дальше: заблокировать схему",
    )
    await chief.press("⬅️ К наставникам")
    await chief.press("№1")
    await walk(
        chief,
        "ask allowance",
        label="Спросить экспертов",
        expect="Вопрос отправлен",
        next_step="Дальше:",
    )
    t1 = (await sc.scoring_setup.targets(CHIEF, scheme_id))[0][0]
    await walk(
        world.person(100004),
        "allowance vote",
        data=AllowCb(target_id=t1, allow=False).pack(),
        expect="Ваш голос учтён",
    )
    await chief.press("⬅️ К настройке")
    await walk(
        chief,
        "briefing",
        label="Протокол ознакомления",
        expect="подпись",
        next_step="Дальше: заблокировать схему",
    )
    await chief.press("Дальше: заблокировать схему")
    await walk(
        chief,
        "lock scheme",
        label="Да, заблокировать",
        expect="Схема заблокирована",
        next_step="Дальше: ход оценивания",
    )
    await walk(
        chief,
        "progress",
        label="Дальше: ход оценивания",
        expect="Ход оценивания",
        next_step="🔄 Обновить",
    )

    # a participant signs the briefing protocol: back to the protocol
    await world.drain()
    await walk(
        world.person(700001, "Мария"),
        "sign protocol",
        label="Подписать",
        expect="Подпись сохранена",
    )

    # the experts score; one confirms in the chat
    await fill_by_service(world, scheme_id, G1)
    expert = world.person(100004, "Дмитрий")
    await expert.send("/scoring")
    await expert.press("Мои ведомости")
    await expert.press("Подтвердить оценки")
    await walk(expert, "confirm sheet", label="Да, подтвердить", expect="Оценки подтверждены")
    for e in G1[1:]:
        await sc.marks.confirm_sheet(e, scheme_id)

    await chief.press("⬅️ К настройке")
    await walk(
        chief,
        "progress, all scored",
        label="Ход оценивания",
        next_step="Дальше: заблокировать оценки",
    )
    await chief.press("Дальше: заблокировать оценки")
    await walk(
        chief,
        "lock scores",
        label="Да, заблокировать",
        expect="Оценки заблокированы",
        next_step="Дальше: протоколы",
    )
    await walk(chief, "protocols", label="Дальше: протоколы", expect="Протоколы")

    # the mentor confirms their participant's sheet
    await world.drain()
    mentor = world.person(MENTOR, "Игорь")
    await mentor.press("Открыть ведомость")
    await walk(
        mentor, "mentor sheet", label="Подтверждаю ведомость", expect="Ведомость подтверждена"
    )

    # a correction (R-SCO-6): opened, approved, relocked, signed
    await chief.press("⬅️ К настройке")
    await walk(chief, "corrections", label="Корректировки оценок")
    await chief.press("Открыть корректировку")
    await chief.press("№1")
    await chief.press(view.subcriteria[0].code + " ")
    await chief.send("Ошибка переноса оценки эксперта")
    await walk(
        chief,
        "open correction",
        label="Подтвердить",
        expect="открыта",
        next_step="Дальше: открыть корректировку",
    )
    c = (await sc.corrections.corrections(CHIEF, scheme_id))[0]
    signers = [s for s in c.signers if s != CHIEF]
    await walk(
        world.person(signers[0]),
        "approve correction",
        data=CorrCb(correction_id=c.id, action="sign").pack(),
        expect="Подпись",
    )
    for s in signers[1:]:
        await sc.corrections.sign_correction(s, c.id)
    await walk(
        chief, "view correction", label="Дальше: открыть корректировку", expect="Корректировка"
    )
    await walk(
        chief,
        "relock correction",
        label="Заблокировать исправленную ведомость",
        expect="заблокирована",
    )
    await walk(
        world.person(signers[0]),
        "sign corrected",
        data=CorrCb(correction_id=c.id, action="sign").pack(),
        expect="Подпись",
    )

    # a protocol refused with a reason: «Всё-таки подписать» and the way back
    lock = await world.services.protocols.by_subject("score_lock", f"scores:{scheme_id}")
    assert lock is not None
    signer = world.person(next(x.telegram_id for x in lock.signers if x.decision != "signed"))
    await signer.press_data(
        ProtocolCb(protocol_id=lock.id, version=lock.version, action="refuse").pack()
    )
    await signer.send("Не согласен с итогом группы")
    await walk(
        signer,
        "refuse protocol",
        label="Подтвердить",
        expect="Отказ",
        next_step="✍️ Всё-таки подписать",
    )

    # the coordinator: /progress to Excel — the workbook comes with the way back
    coord = world.person(COORD_MOSCOW, "Ольга")
    await coord.send("/progress")
    await coord.press("Выгрузить в Excel")
    [sent] = [r for r in world.session.calls(SendDocument) if str(r.chat_id) == str(COORD_MOSCOW)]
    assert any(is_way_back(t, d) for t, d in buttons_of(sent.reply_markup))
    walk.walked.append("progress export")

    assert len(walk.walked) >= 24, walk.walked
