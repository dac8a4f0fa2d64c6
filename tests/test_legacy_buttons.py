"""Buttons of messages sent before issue #14 (bot.handlers.legacy): a press of yesterday's
button does what it said — the same screen, the same refusal as the new button of the same
place — and is answered exactly once. An old action with no screen of its own any more gets
the current screen and a note; data of no known form stays a stale button."""

from __future__ import annotations

from datetime import datetime

from aiogram.methods import AnswerCallbackQuery

from bot.callbacks import CorrCb, ScoreCb, WorklistCb
from bot.handlers.appeals.callbacks import (
    AppealKindCb,
    AppealTargetCb,
    DisputeCloseCb,
    DisputeDraftCb,
    DisputeSchemeCb,
)
from bot.handlers.legacy import translate
from bot.handlers.scoring.callbacks import (
    ChiefAction,
    ChiefCb,
    ConfirmSheetCb,
    CorrMarkCb,
    MenuCb,
)
from models.scheme_file import parse_scheme_yaml
from tests.botkit import Person
from tests.builders import (
    SCHEME,
    World,
    fill_by_service,
    locked_scheme,
    named_participants,
    participants,
)
from tests.conftest import MSK

CHIEF, MENTOR, EXPERT = 100006, 100010, 100004
NOTE = "такого шага больше нет"
STALE = "кнопка устарела"


async def press(p: Person, data: str) -> str:
    """Press ``data`` on the newest message; the press is answered exactly once."""
    answered = len(p.session.calls(AnswerCallbackQuery))
    message = p.session.state.last_message(p.user_id)
    reply = await p.press_data(data, message["message_id"] if message else 1)
    assert len(p.session.calls(AnswerCallbackQuery)) == answered + 1, data
    return reply


async def same(p: Person, old: str, new: str) -> str:
    """The old button and the new one of the same place say the same."""
    was = await press(p, old)
    now = await press(p, new)
    assert was == now, (old, was, now)
    assert STALE not in was
    return was


async def loaded_scheme(world: World) -> int:
    await participants(world)
    sc = world.services
    loaded = await sc.schemes.load_scheme(CHIEF, 1, parse_scheme_yaml(SCHEME.read_bytes()))
    await sc.scoring_setup.build_targets(CHIEF, loaded.scheme_id)
    return loaded.scheme_id


def test_old_forms_translate_to_the_new_buttons() -> None:
    assert translate("sg:3:worklist:0:0").data == WorklistCb(scheme_id=3)  # type: ignore[union-attr]
    assert translate("sg:3:confirmok:0:0").data == ConfirmSheetCb(scheme_id=3, sure=True)  # type: ignore[union-attr]
    assert translate("cr:5:expert:11:100004:-1").data == CorrMarkCb(  # type: ignore[union-attr]
        correction_id=5, aspect_id=11, expert_id=100004
    )
    assert translate("dp:closenq:2:").data == DisputeCloseCb(  # type: ignore[union-attr]
        pre_appeal_id=2, without_quorum=True
    )
    assert translate("ax:target:7:1::").data == AppealTargetCb(contest_id=1, target_id=7)  # type: ignore[union-attr]
    moved = translate("sg:3:gone:0:0")
    assert moved is not None and moved.moved and moved.data == MenuCb(scheme_id=3)
    # new data, and data of no known form, are not translated
    for data in ("sgw:3", "cr:5:view", "ax:submit:k", "dpd:open:k", "sg:x:menu:0:0", "zz:1"):
        assert translate(data) is None, data


async def test_old_scoring_buttons(world: World) -> None:
    sid = await loaded_scheme(world)
    chief, expert = world.person(CHIEF, "Павел"), world.person(EXPERT, "Дмитрий")
    await chief.send("/scoring")

    reply = await same(chief, f"sg:{sid}:chief:0:0", ChiefCb(scheme_id=sid).pack())
    assert "аспектов — 60" in reply
    # a forged old button: refused as the new one is, by the service
    refused = await same(
        expert, f"sg:{sid}:lockok:0:0", ChiefCb(scheme_id=sid, action=ChiefAction.LOCK_OK).pack()
    )
    assert "только главный эксперт" in refused
    assert "Заблокировать схему оценки?" in await press(chief, f"sg:{sid}:lock:0:0")
    assert "Схема заблокирована" in await press(chief, f"sg:{sid}:lockok:0:0")

    # an expert's worklist, menu and «Подтвердить» from yesterday's messages
    await same(expert, f"sg:{sid}:menu:0:0", MenuCb(scheme_id=sid).pack())
    reply = await same(expert, f"sg:{sid}:worklist:0:0", WorklistCb(scheme_id=sid).pack())
    assert "№1" in reply
    await same(expert, f"sg:{sid}:confirm:0:0", ConfirmSheetCb(scheme_id=sid).pack())
    # the worklist of a scheme not theirs: refused as before
    await same(expert, "sg:99999:worklist:0:0", WorklistCb(scheme_id=99999).pack())
    # the old score buttons (sc:) never changed: an aspect to score
    target = (await world.services.marks.worklist(EXPERT, sid)).targets[0].target_id
    assert translate(f"sc:{target}:{sid}:0:-1") is None
    await same(expert, f"sc:{target}:{sid}:0:-1", ScoreCb(target_id=target, scheme_id=sid).pack())

    # an old action with no screen now: the scheme's menu and a note
    reply = await press(expert, f"sg:{sid}:gone:0:0")
    assert NOTE in reply and reply.startswith(await press(expert, MenuCb(scheme_id=sid).pack()))
    # malformed old data stays a stale button
    assert STALE in await press(expert, f"sg:{sid}:worklist:x:0")


async def test_old_correction_buttons(world: World) -> None:
    await named_participants(world)
    sid, targets = await locked_scheme(world)
    sc = world.services
    sub = (await sc.schemes.scheme_view(CHIEF, sid)).subcriteria[0].id
    c = await sc.corrections.open_correction(CHIEF, targets[0], sub, "Оценка внесена не тому")
    aspect = (await sc.corrections.correction_lines(CHIEF, c.id)).lines[0].aspect_id
    chief, expert = world.person(CHIEF, "Павел"), world.person(EXPERT, "Дмитрий")
    await chief.send("/scoring")

    await same(
        chief,
        f"sg:{sid}:corrections:0:0",
        ChiefCb(scheme_id=sid, action=ChiefAction.CORRECTIONS).pack(),
    )
    reply = await same(chief, f"cr:{c.id}:view:0:0:-1", CorrCb(correction_id=c.id).pack())
    assert f"№{c.id}" in reply
    await same(
        chief,
        f"cr:{c.id}:aspect:{aspect}:0:-1",
        CorrMarkCb(correction_id=c.id, aspect_id=aspect).pack(),
    )
    await same(
        chief,
        f"cr:{c.id}:expert:{aspect}:{EXPERT}:-1",
        CorrMarkCb(correction_id=c.id, aspect_id=aspect, expert_id=EXPERT).pack(),
    )
    # a new correction from an old button: someone not the chief is refused as before
    refused = await same(
        expert,
        f"sg:{sid}:corrnew:0:0",
        ChiefCb(scheme_id=sid, action=ChiefAction.NEW_CORRECTION).pack(),
    )
    assert "главный эксперт" in refused


async def scored_scheme(world: World) -> tuple[int, int]:
    """Two participants, the example scheme locked, the mentor on №1, every mark entered."""
    sid = await loaded_scheme(world)
    sc = world.services
    t1 = (await sc.scoring_setup.targets(CHIEF, sid))[0][0]
    await sc.scoring_setup.set_mentor(CHIEF, t1, MENTOR)
    await sc.schemes.lock_scheme(CHIEF, sid)
    await fill_by_service(world, sid, (100004, 100005, 100007, 100008, 100009, 100010))
    return sid, t1


def newest_data(p: Person, prefix: str) -> str:
    return next(data for _, _, data in p.buttons() if data.startswith(prefix + ":"))


async def test_old_dispute_buttons(world: World) -> None:
    sid, _ = await scored_scheme(world)
    await world.drain()
    chief, expert = world.person(CHIEF, "Павел"), world.person(EXPERT, "Дмитрий")
    await chief.send("/scoring")

    assert "Опишите спорную ситуацию" in await press(chief, f"dp:scheme:{sid}:")
    refused = await same(expert, f"dp:scheme:{sid}:", DisputeSchemeCb(scheme_id=sid).pack())
    assert "только главный эксперт" in refused
    await chief.send("Участнику №1 выдали не тот комплект материалов")
    await chief.send("Продлить участнику №1 время выполнения на 10 минут")
    assert "Вынести на голосование?" in await chief.send("-")
    key = DisputeDraftCb.unpack(newest_data(chief, "dpd")).key
    # another draft's key: refused as the new button is
    assert "Голосование" not in await press(chief, "dp:open:0:not-this-draft")
    assert "Голосование №1 открыто" in await press(chief, f"dp:open:0:{key}")
    # «Подвести итог» of yesterday's message: the same question as the new button
    await same(chief, "dp:close:1:", DisputeCloseCb(pre_appeal_id=1).pack())


async def test_old_appeal_form_buttons(world: World) -> None:
    _, t1 = await scored_scheme(world)
    world.clock.at = datetime(2027, 5, 12, 20, 30, tzinfo=MSK)
    mentor, participant = world.person(MENTOR, "Игорь"), world.person(700001, "Мария")
    assert "Выберите участника" in await mentor.send("/appeal")

    # someone with no role here: refused as before
    await same(
        participant, f"ax:target:{t1}:1::", AppealTargetCb(contest_id=1, target_id=t1).pack()
    )
    assert "Выберите вид нарушения" in await press(mentor, f"ax:target:{t1}:1::")
    kind = next(
        AppealKindCb.unpack(data)
        for _, label, data in mentor.buttons()
        if data.startswith("ak:") and "процедуры оценивания" in label
    )
    # a kind button of another form: refused
    assert "ДД.ММ.ГГГГ" not in await press(mentor, f"ax:kind:0:0:{kind.kind}:another-form")
    assert "ДД.ММ.ГГГГ ЧЧ:ММ" in await press(mentor, f"ax:kind:0:0:{kind.kind}:{kind.key}")
