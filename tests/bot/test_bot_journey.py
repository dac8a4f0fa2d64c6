"""The whole journey through the real dispatcher with a fake Bot API session (aiogram's
MockedSession pattern): participant, coordinator, admin — and every refusal."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from bot.verification_callbacks import DecideCb, ReopenCb
from models.tables import ApplicationFile
from tests.builders import World, approve, register
from tests.conftest import (
    ADMIN_ID,
    COORD_MOSCOW,
    COORD_OBLAST,
    EXAMPLE,
    MSK,
)
from tests.fakes import document, video

MB = 1024 * 1024


async def test_participant_verification_form_with_refusals(world: World) -> None:
    p = world.person(555001, "Анна")
    reply = await p.send("/start")
    assert "Всероссийский конкурс профессионального мастерства" in reply
    assert "согласие на обработку персональных данных" in reply
    reply = await p.press("Не согласен")
    assert "участие невозможно" in reply
    reply = await p.press("Согласен(а) на обработку")
    assert "фамилию, имя и отчество" in reply
    reply = await p.send("Иванова")
    assert "Не похоже на ФИО" in reply
    reply = await p.send("иванова анна петровна")
    assert "ФИО сохранено" in reply and "СНИЛС" in reply
    # R-VER-2: a wrong СНИЛС gets a clear error and the form stays where it was
    reply = await p.send("123-456-789 65")
    assert "СНИЛС введён неверно" in reply
    reply = await p.send("123 456 789 64")
    assert "***-***-*** 64" in reply and "регион" in reply
    assert not any(
        "123-456-789" in t or "12345678964" in t or "123 456 789" in t
        for t in world.session.sent_texts()
    )
    reply = await p.press("г. Москва")
    assert "Найдено: 4" in reply
    reply = await p.send("люблино")  # the registry is searchable by text
    assert "«люблино»: 1" in reply
    assert p.has_button("«Люблино»")
    reply = await p.press("«Люблино»")
    assert (
        "Проверьте анкету" in reply
        and "Иванова Анна Петровна" in reply
        and "***-***-*** 64" in reply
    )
    reply = await p.press("Отправить на проверку")
    assert "На рассмотрении" in reply and "3–5 дней" in reply
    reply = await p.send("/status")
    assert "На рассмотрении" in reply and "Люблино" in reply and "01.04.2027 23:59" in reply
    # while pending the form cannot change: a stale «Изменить ФИО» is refused at once (issue #12)
    reply = await p.press("Изменить ФИО")
    assert "уже на проверке" in reply and "фамилию, имя и отчество" not in reply
    reply = await p.send("Петрова Анна Петровна")
    assert "ФИО сохранено" not in reply
    assert "Иванова Анна Петровна" in await p.send("/status")


async def test_forged_coordinator_buttons_from_a_participant_change_nothing(world: World) -> None:
    p = await register(world)
    view = await world.services.participants.view(p.user_id, 1)
    for data in (
        DecideCb(participant_id=view.id, action="accept").pack(),
        DecideCb(participant_id=view.id, action="reason", reason=0).pack(),
        ReopenCb(participant_id=view.id, confirm=True).pack(),
    ):
        reply = await p.press_data(data)
        assert "только координатору" in reply
    assert (await world.services.participants.view(p.user_id, 1)).status == "pending"
    # a coordinator of another region cannot decide either
    other = world.person(COORD_OBLAST)
    reply = await other.press_data(DecideCb(participant_id=view.id, action="accept").pack())
    assert "не из вашего региона" in reply
    reply = await p.send("/queue")
    assert "только координатору" in reply
    reply = await p.press_data("nonsense:1:2")
    assert "кнопка устарела" in reply
    assert (await world.services.participants.view(p.user_id, 1)).status == "pending"


async def test_rejection_with_reason_reaches_participant_who_fixes_and_resends(
    world: World,
) -> None:
    p = await register(world)
    coord = world.person(COORD_MOSCOW)
    await coord.send("/queue")
    await coord.press("Иванова Анна Петровна")
    await coord.press("Отказать")
    await coord.press("Другая причина")
    reply = await coord.send("Организация указана неверно: вы работаете в ЦСО «Таганский»")
    assert "Отказать участнику" in reply and "Таганский" in reply  # shown back first (issue #12)
    assert not world.jobs.jobs
    reply = await coord.press("Подтвердить")
    assert "Отказано" in reply
    assert world.jobs.jobs and all(j == "deliver" for j, _ in world.jobs.jobs)
    assert not any(
        "Отказано" in t for t in world.session.sent_texts(p.user_id)
    )  # queued, not sent from the handler
    await world.drain()
    notice = world.session.sent_texts(p.user_id)[-1]
    assert "Отказано" in notice and "«Таганский»" in notice
    reply = await p.press("Исправить анкету")
    assert "Причина" in reply and "Таганский" in reply
    await p.press("Изменить организацию")
    await p.press("«Таганский»")
    reply = await p.press("Отправить на проверку")
    assert "На рассмотрении" in reply


async def test_full_application_journey_with_every_refusal(world: World) -> None:
    p = await register(world)
    reply = await p.send("/start")
    assert "На рассмотрении" in reply
    await approve(world)
    await world.drain()
    assert "Подтверждено" in world.session.sent_texts(p.user_id)[-1]
    reply = await p.press("Выбрать номинацию")  # the button in the notification
    assert "Выберите <b>одну</b> номинацию" in reply
    reply = await p.press("Лучший социальный работник")
    assert "стаж работы не менее 3 лет" in reply
    reply = await p.press("Выбрать эту номинацию")
    assert "стаж" in reply
    assert "Введите стаж числом" in await p.send("много")
    reply = await p.send("2")
    assert "не подходите под условия" in reply and "не меньше 3 лет" in reply  # R-APP-3
    await p.press("Выбрать эту номинацию")
    reply = await p.send("5")
    # issue #15: the стаж answered for the condition already fills the стаж field
    assert "Вы выбрали номинацию «Лучший социальный работник»" in reply and "Готово: 1 из" in reply
    # R-APP-2: a second nomination is refused
    await p.send("/start")
    await world.services.participants.view(p.user_id, 1)
    reply = await p.press_data(f"nm:1:{2}:1")
    assert "только одну номинацию" in reply and "Лучший социальный работник" in reply
    # fields
    await p.send("/start")
    await p.press("Должность")
    long = "а" * 1001
    assert "Слишком длинно: 1001 символ," in await p.send(long)
    await p.send("Социальный работник <отделения № 2>")
    await p.press("Стаж работы")
    assert "Нужно число" in await p.send("семь")
    assert "Сохранено" in await p.send("7")
    await p.press("Дата приёма")
    assert "ДД.ММ.ГГГГ" in await p.send("вчера")
    await p.send("01.09.2018")
    # files: wrong type, too large, too large for the cloud Bot API, then good ones
    reply = await p.press("Презентация")
    assert "pdf, pptx" in reply and "20 МБ" in reply
    reply = await p.send(document=document("f-exe", "slides.exe", "application/octet-stream", 1000))
    assert "тип файла не подходит" in reply and "pdf, pptx" in reply
    reply = await p.send(document=document("f-big", "big.pdf", "application/pdf", 25 * MB))
    assert "слишком большой" in reply and "20 МБ" in reply
    reply = await p.send("вот")
    assert "жду файл «Презентация»" in reply
    world.session.add_file("f-pdf", b"%PDF-1.7 presentation")
    reply = await p.send(document=document("f-pdf", "Презентация.pdf", "application/pdf", 21))
    assert "сохранён" in reply and "Готово:" in reply
    reply = await p.press("Видеоматериал")
    assert "облачный Bot API" in reply and "20 МБ" in reply
    reply = await p.send(video=video("f-vbig", 50 * MB, file_name="clip.mp4"))
    assert "не может его скачать" in reply and "20 МБ" in reply
    world.session.add_file("f-vid", b"\x00\x00\x00\x18ftypmp42 video")
    reply = await p.send(video=video("f-vid", 15, file_name="clip.mp4"))
    assert "сохранён" in reply
    # review: the consents are missing, so no «Отправить»
    reply = await p.press("Проверить и отправить")
    assert (
        "нет согласия с Политикой конфиденциальности" in reply
        and "нет согласия на передачу материалов" in reply
    )
    assert "Отправить" not in [t for _, t, _ in p.buttons()]
    await p.press("⬜ Согласен(а) с Политикой")
    await p.press("⬜ Согласен(а) на передачу")
    reply = await p.press("Проверить и отправить")
    assert "Презентация.pdf" in reply and "Согласия: даны" in reply
    mark = len(world.session.requests)
    reply = await p.press_data(next(d for _, t, d in p.buttons() if t == "Отправить"))
    assert "Ваша заявка принята и включена в список оценки" in reply  # R-APP-6
    # frozen: an old field button no longer edits
    reply = await p.press("Стаж работы")
    assert "принята" in reply and "Номинация: Лучший социальный работник" in reply
    assert mark < len(world.session.requests)
    # materials are kept, not just referenced: the queued download stores them by sha256
    results = await world.drain()
    assert results.count("stored") == 2
    async with world.services.ctx.sessionmaker() as s:
        rows = (
            (await s.execute(select(ApplicationFile).where(ApplicationFile.replaced_at.is_(None))))
            .scalars()
            .all()
        )
    pdf_row = next(r for r in rows if r.slot == "presentation")
    assert pdf_row.sha256 == hashlib.sha256(b"%PDF-1.7 presentation").hexdigest()
    assert Path(pdf_row.storage_path).read_bytes() == b"%PDF-1.7 presentation"
    assert pdf_row.file_unique_id and pdf_row.telegram_file_id == "f-pdf"
    # the coordinator reopens it; the participant is told
    coord = world.person(COORD_MOSCOW)
    reply = await coord.send("/applications")
    assert "Поданные заявки" in reply
    await coord.press("Иванова Анна Петровна")
    reply = await coord.press("Вернуть на доработку")
    assert "Вернуть заявку участника" in reply
    reply = await coord.press("Да, вернуть")
    assert "возвращена на доработку" in reply
    await world.drain()
    assert "вернул вашу заявку" in world.session.sent_texts(p.user_id)[-1]
    reply = await p.press("Открыть заявку")
    assert "Заявка: Лучший социальный работник" in reply
    # R-APP-7: after the deadline the action is refused with the deadline named
    world.clock.at = datetime(2027, 4, 2, 0, 5, tzinfo=MSK)
    reply = await p.press("Проверить и отправить")
    reply = await p.press_data(next(d for _, t, d in p.buttons() if t == "Отправить"))
    assert "Приём заявок и материалов закончился 01.04.2027 23:59 (МСК)" in reply


async def test_late_newcomer_is_refused_with_the_deadline(world: World) -> None:
    world.clock.at = datetime(2027, 4, 5, 12, 0, tzinfo=MSK)
    p = world.person(777001)
    await p.send("/start")
    reply = await p.press("Согласен(а) на обработку")
    assert "закончился 01.04.2027 23:59 (МСК)" in reply
    assert await world.services.participants.view(777001, 1) is None


async def test_withdrawal_needs_confirmation_and_anonymises(world: World) -> None:
    p = await register(world)
    reply = await p.send("/withdraw")
    assert "Отозвать согласие" in reply and "нельзя отменить" in reply
    reply = await p.press("Отмена")
    assert "Ничего не изменилось" in reply
    assert (
        await world.services.participants.view(p.user_id, 1)
    ).full_name == "Иванова Анна Петровна"
    await p.send("/withdraw")
    reply = await p.press("Да, отозвать согласие")
    assert "Участие в конкурсе завершено" in reply
    view = await world.services.participants.view(p.user_id, 1)
    assert view.status == "withdrawn" and view.full_name is None
    assert "согласие на обработку персональных данных, поэтому участие" in await p.press_data(
        "pd:1:1"
    )


async def test_admin_loads_contest_by_sending_the_file(world: World) -> None:
    admin = world.person(ADMIN_ID)
    reply = await admin.send("/help")
    assert "/load_contest" in reply
    reply = await admin.send("/load_contest")
    assert "Отправьте файл конкурса" in reply
    bad = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace("max_size_mb: 20", "max_size_mb: -5", 1)
        .encode()
    )
    world.session.add_file("yaml-bad", bad)
    reply = await admin.send(
        document=document("yaml-bad", "contest.yaml", "application/x-yaml", len(bad))
    )
    assert "Файл конкурса не загружен" in reply and "nominations[1].files[1].max_size_mb" in reply
    good = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace("Лучший молодой специалист", "Лучший молодой специалист года")
        .encode()
    )
    world.session.add_file("yaml-good", good)
    reply = await admin.send(
        document=document("yaml-good", "contest.yml", "application/x-yaml", len(good))
    )
    assert "обновлён" in reply and "номинаций 3" in reply
    assert "Лучший молодой специалист года" in [
        n.title for n in await world.services.contests.nominations(1)
    ]
    # nobody else may load a contest
    coord = world.person(COORD_MOSCOW)
    world.session.add_file("yaml-coord", good)
    reply = await coord.send(
        document=document("yaml-coord", "contest.yaml", "application/x-yaml", len(good))
    )
    assert "только администратор" in reply
    assert "только администратор" in await coord.send("/load_contest")


async def test_settings_mute_and_unmute_reminders(world: World) -> None:
    coord = world.person(COORD_MOSCOW)
    reply = await coord.send("/settings")
    assert "Напоминания включены" in reply and "приходят всегда" in reply
    reply = await coord.press("Выключить необязательные")
    assert "выключены" in reply and "всё равно придут" in reply
    assert await world.services.participants.reminders_muted(COORD_MOSCOW)
    reply = await coord.press("Включить напоминания")
    assert "Напоминания включены" in reply
    assert not await world.services.participants.reminders_muted(COORD_MOSCOW)
