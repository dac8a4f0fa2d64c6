"""Protocols and publication through the real dispatcher with the fake Bot API (R-PRO-1…4,
R-RES-1…3, R-SCO-5/6): the worker renders each protocol and sends its PDF with «Подписать»
/ «Отказаться»; a refusal reaches the chief expert with its reason; an old version cannot
be signed after a correction; publication waits for the score-lock protocol (R-PRO-4),
then each participant privately receives only their own result and document; a
coordinator verifies a protocol file in the chat."""

from __future__ import annotations

import io
from pathlib import Path

from aiogram.methods import SendDocument, SendMessage
from pypdf import PdfReader

from bot.callbacks import ProtocolCb
from tests.botkit import Person
from tests.builders import (
    CHIEF,
    MENTOR,
    NAMES,
    World,
    locked_scheme,
)
from tests.builders import LOCKED_SCHEME_EXPERTS as EXPERTS
from tests.builders import named_participants as participants
from tests.conftest import COORD_MOSCOW
from tests.fakes import document

ROOT = Path(__file__).resolve().parents[2]
SCHEME = ROOT / "examples" / "scheme.yaml"


def documents(world: World, chat_id: int) -> list[SendDocument]:
    return [
        r
        for r in world.session.requests
        if isinstance(r, SendDocument)
        and str(r.chat_id) == str(chat_id)
        and world.session.succeeded(r)
    ]


def pdf_text(req: SendDocument) -> str:
    reader = PdfReader(io.BytesIO(req.document.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def everything_to(world: World, chat_id: int) -> str:
    """Every text, caption and PDF text the bot sent to this chat."""
    out = []
    for r in world.session.requests:
        if str(getattr(r, "chat_id", None)) != str(chat_id):
            continue
        if isinstance(r, SendMessage):
            out.append(r.text)
        elif isinstance(r, SendDocument):
            out.append(r.caption or "")
            out.append(pdf_text(r))
    return "\n".join(out)


async def press_protocol(
    p: Person, protocol_id: int, action: str = "sign", version: int | None = None
) -> str:
    """Press «Подписать» / «Отказаться» on the message that carries that protocol's PDF."""
    for mid, _, data in p.buttons():
        if data.startswith("pt:"):
            cb = ProtocolCb.unpack(data)
            if (
                cb.protocol_id == protocol_id
                and cb.action == action
                and (version is None or cb.version == version)
            ):
                return await p.press_data(data, mid)
    raise AssertionError(f"{p.user_id} has no {action} button for protocol {protocol_id}")


async def test_protocols_signed_and_results_published_in_the_chat(world: World) -> None:
    await participants(world)
    scheme_id, targets = await locked_scheme(world)
    protocols = world.services.protocols
    chief, coord = world.person(CHIEF, "Павел"), world.person(COORD_MOSCOW, "Ольга")
    lock = await protocols.by_subject("score_lock", f"scores:{scheme_id}")
    assert lock is not None and {s.telegram_id for s in lock.signers} == {CHIEF, *EXPERTS}

    # the worker renders the protocols and sends each signer the PDF with «Подписать»
    await world.drain()
    [sent] = [d for d in documents(world, 100004) if "Блокировка оценок" in (d.caption or "")]
    text = pdf_text(sent)
    assert "Блокировка оценок" in text and "Протокол блокировки оценок" in text
    assert world.person(100004).has_button("Подписать") and world.person(100004).has_button(
        "Отказаться"
    )
    # R-SCO-5: the score-lock protocol names what was locked, never a participant's marks
    assert not any(name in text for name in NAMES.values())

    # publication is refused while the score-lock protocol is not signed by all (R-PRO-4)
    reply = await coord.send("/publish")
    assert (
        "Публикация итогов" in reply
        and "⏳ Протокол блокировки оценок" in reply
        and "Не подписали" in reply
    )
    reply = await coord.press("Опубликовать итоги")
    assert "R-PRO-4" in reply and "Опубликовать?" not in reply

    # a signer signs: N of M and who is missing
    reply = await press_protocol(world.person(100004), lock.id)
    assert "Подпись сохранена" in reply and "Подписали 1 из 7" in reply and "Не подписали" in reply
    assert "уже подписали" in await world.person(100004).press_data(
        ProtocolCb(protocol_id=lock.id, version=lock.version, action="sign").pack()
    )

    # a refusal asks the reason; the chief expert receives it; the chief sees it in /protocols
    refuser = world.person(100005, "Ирина")
    assert "причину отказа" in await press_protocol(refuser, lock.id, "refuse")
    # issue #12: the reason is shown back with «Подтвердить» / «Изменить» before it counts
    reply = await refuser.send("Не указан состав группы G2")
    assert "Не указан состав группы G2" in reply and "Отказ записан" not in reply
    reply = await refuser.press("Подтвердить")
    assert "Отказ записан" in reply
    await world.drain()
    assert any(
        "отказался(ась)" in t and "Не указан состав группы G2" in t
        for t in world.session.sent_texts(CHIEF)
    )
    reply = await chief.send("/protocols")
    assert (
        "Блокировка оценок" in reply
        and "Отказ — Лебедева Ирина Михайловна" in reply
        and "Не указан состав группы G2" in reply
    )
    assert "Не подписали:" in reply and "Новиков Сергей Петрович" in reply
    # a participant is neither a signer nor staff: no protocol list, no signing
    stranger = world.person(700002)
    assert "главному эксперту и координаторам" in await stranger.send("/protocols")
    assert "не подписант" in await stranger.press_data(
        ProtocolCb(protocol_id=lock.id, version=lock.version, action="sign").pack()
    )

    # everyone signs (the refuser changes their mind): the chief is told «можно демонтировать» once
    # (issue #12: the old «Подписать» does not override a refusal; «Всё-таки подписать» does)
    assert "уже отказались" in await press_protocol(refuser, lock.id)
    for signer in (CHIEF, 100005, 100007, 100008, 100009, MENTOR):
        reply = await press_protocol(
            world.person(signer), lock.id, "resign" if signer == 100005 else "sign"
        )
        assert "Подпись сохранена" in reply
    assert "подписан всеми" in reply and "Подписали 7 из 7" in reply
    await world.drain()
    await world.drain()
    assert sum("можно демонтировать" in t for t in world.session.sent_texts(CHIEF)) == 1

    # the mentor signs their participant's sheet with the same button (the scoring step)
    sheet = await protocols.by_subject("mentor_sheet", f"mentor:{targets[0]}")
    assert sheet is not None
    assert "Подпись сохранена" in await press_protocol(world.person(MENTOR), sheet.id)
    assert (
        await world.services.score_lock.target_sheet(MENTOR, targets[0])
    ).confirmed_at is not None

    # R-SCO-6, R-PRO-2: a correction's relock makes a new version; the old one cannot be signed
    sc = world.services
    sub = next(
        s
        for s in (await sc.schemes.scheme_view(CHIEF, scheme_id)).subcriteria
        if s.group_code == "G1"
    )
    c = await sc.corrections.open_correction(CHIEF, targets[1], sub.id, "Проверка переноса оценок")
    await world.drain()
    corr = await protocols.by_subject("correction", f"correction:{c.id}")
    assert corr is not None and corr.version == 1
    for signer in c.signers:
        if signer != CHIEF:
            assert "Подпись сохранена" in await press_protocol(
                world.person(signer), corr.id, version=1
            )
    assert (await sc.corrections.correction(CHIEF, c.id)).status == "open"
    # a sheet unlocked for correction holds publication back (R-SCO-6), on the screen and in the service
    reply = await coord.send("/publish")
    assert (
        "Незавершённых корректировок оценок: 1" in reply
        and "Опубликовать итоги пока нельзя" in reply
    )
    assert "R-SCO-6" in await coord.press("Опубликовать итоги")
    assert "R-SCO-6" in await coord.press_data(f"pb:{scheme_id}:go")
    await sc.corrections.relock_correction(CHIEF, c.id)
    await world.drain()
    late = world.person(100004)
    reply = await late.press_data(ProtocolCb(protocol_id=corr.id, version=1, action="sign").pack())
    assert "новую версию" in reply and "(2)" in reply
    for signer in c.signers:
        if signer != CHIEF:
            assert "Подпись сохранена" in await press_protocol(
                world.person(signer), corr.id, version=2
            )
    assert (await sc.corrections.correction(CHIEF, c.id)).status == "done"

    # the coordinator makes the results protocol; nothing reaches participants yet (R-RES-2)
    before = {u: len(everything_to(world, u)) for u in NAMES}
    await coord.send("/publish")
    reply = await coord.press("Сформировать протокол результатов")
    assert "Протокол результатов сформирован" in reply
    await world.drain()
    results = await protocols.by_subject("results", f"results:{scheme_id}")
    assert results is not None and results.pdf_path
    [chief_copy] = [d for d in documents(world, CHIEF) if "Результаты" in (d.caption or "")]
    assert "Протокол результатов работы экспертной комиссии" in pdf_text(chief_copy)
    assert "Подпись сохранена" in await press_protocol(chief, results.id)
    # issue #12: not before every required signer signed the results protocol (R-PRO-2, R-RES-2)
    reply = await coord.send("/publish")
    assert "подписали 1 из 7" in reply and "Опубликовать итоги пока нельзя" in reply
    assert "подписали 1 из 7" in await coord.press("Опубликовать итоги")
    for signer in EXPERTS:
        assert "Подпись сохранена" in await press_protocol(world.person(signer), results.id)
    reply = await coord.send("/publish")
    assert "✅ Протокол блокировки оценок" in reply and "Всё готово" in reply
    reply = await coord.press("Опубликовать итоги")
    assert "Опубликовать? Участники получат результаты, отменить нельзя" in reply
    assert all(len(everything_to(world, u)) == before[u] for u in NAMES)
    reply = await coord.press("Да, опубликовать")
    assert "Итоги опубликованы" in reply and "участникам: 4" in reply and "медалей: 3" in reply
    await world.drain()

    # each participant: exactly one result with their own total and place, and their document
    lines = {ln.label: ln for ln in (await sc.results.compute_results(scheme_id)).lines}
    kinds: list[str] = []
    for user, name in NAMES.items():
        mine = [d for d in documents(world, user) if "Ваш результат" in (d.caption or "")]
        assert len(mine) == 1, user
        line = next(ln for label, ln in lines.items() if name in label)
        total = f"{line.total:.2f}".replace(".", ",")
        assert f"{total} балла, {line.place}-е место" in mine[0].caption  # issue #15: «7,00 балла»
        award = pdf_text(mine[0])
        assert name.split()[0] in award
        assert (
            ("Диплом" in award and "Сертификат" not in award)
            if line.medal
            else "Сертификат участника" in award
        )
        kinds.append("diploma" if line.medal else "certificate")
        seen = everything_to(world, user)
        assert not any(other.split()[0] in seen for u, other in NAMES.items() if u != user)
    assert sorted(kinds) == [
        "certificate",
        "diploma",
        "diploma",
        "diploma",
    ]  # places 1–3 medals (R-RES-1, R-RES-3)
    # experts: a thank-you letter; the coordinator: the results protocol
    surnames = {
        100004: "Орлов",
        100005: "Лебедева",
        100006: "Соколов",
        100007: "Морозова",
        100008: "Новиков",
        100009: "Фёдорова",
        100010: "Козлов",
    }
    for e in (CHIEF, *EXPERTS):
        [letter] = [d for d in documents(world, e) if d.document.filename.startswith("thanks-")]
        assert surnames[e] in pdf_text(letter)
    [published] = [d for d in documents(world, COORD_MOSCOW) if "опубликованы" in (d.caption or "")]
    assert published.document.filename.endswith(
        "-results.pdf"
    ) and "Протокол результатов работы экспертной комиссии" in pdf_text(published)

    # publishing twice is refused; the screen says when it was published
    assert "уже опубликованы" in await coord.press_data(f"pb:{scheme_id}:go")
    assert "Итоги опубликованы" in await coord.send("/publish")

    # verification: the untouched file matches and lists its signers; one byte changed does not
    data = published.document.data
    assert "Проверять протоколы может только координатор" in await world.person(700001).send(
        "/verify"
    )
    assert "Отправьте PDF-файл протокола" in await coord.send("/verify")
    world.session.add_file("results-pdf", data)
    reply = await coord.send(
        document=document("results-pdf", "protocol.pdf", "application/pdf", len(data))
    )
    assert (
        "Файл совпадает с протоколом" in reply
        and f"№ {results.id}" in reply
        and "версия 1" in reply
    )
    assert (
        "действующая версия" in reply
        and "Подписали этот файл (7)" in reply
        and "Соколов Павел Андреевич (Главный эксперт)" in reply
    )
    altered = bytearray(data)
    altered[len(altered) // 2] ^= 0x01
    world.session.add_file("results-pdf-altered", bytes(altered))
    await coord.send("/verify")
    reply = await coord.send(
        document=document("results-pdf-altered", "protocol.pdf", "application/pdf", len(altered))
    )
    assert "не совпадает ни с одним протоколом" in reply
    # a participant sending a PDF with the command in the caption is refused too
    world.session.add_file("results-pdf-2", data)
    reply = await world.person(700001).send(
        "/verify", document=document("results-pdf-2", "protocol.pdf", "application/pdf", len(data))
    )
    assert "только координатор" in reply and "совпадает" not in reply

    # the stored PDF again from /protocols: for the chief; not for a participant
    await chief.send("/protocols")
    mark = len(world.session.requests)
    await chief.press(f"PDF № {results.id}: Результаты")
    [again] = [r for r in world.session.requests[mark:] if isinstance(r, SendDocument)]
    assert again.document.data == data
    assert "не подписант" in await world.person(700003).press_data(
        ProtocolCb(protocol_id=results.id, version=1, action="pdf").pack()
    )
