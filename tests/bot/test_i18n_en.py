"""Issue 8, item 6: the English catalogue mirrors the Russian reference key for key, with the
same placeables and no Russian text; the bot speaks English to a Telegram user whose
language is English, /language switches, and outbox messages follow the choice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fluent.syntax import FluentParser, visitor
from fluent.syntax.ast import Message, Term

from bot.language import telegram_language
from models.services.access import LANGUAGE_CHOSEN
from models.tables import Delivery
from models.tables import Person as PersonRow
from notifications.i18n import t
from tests.builders import Speaker, World
from tests.conftest import COORD_MOSCOW

LOCALES = Path(__file__).resolve().parents[2] / "notifications" / "locales"
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
#: English messages that must still show Russian words: the language picker names Russian in
#: Russian; the XLSX scheme and the staff list files take Russian sheet, parameter and column
#: names (and role words), which the English text quotes with a translation.
CYRILLIC_ALLOWED = {
    "btn-lang-ru",
    "def-err-xlsx-missing-sheet",
    "def-err-xlsx-unknown-parameter",
    "inv-start",
    "err-inv-bad-header",
    "err-inv-bad-role",
    # the scheme template's instruction sheet quotes the sheet and kind names of the format
    "doc-xlsx-help-group",
    "doc-xlsx-help-groups",
    "doc-xlsx-help-kinds",
    "doc-xlsx-help-params",
    "doc-xlsx-help-scheme",
}


class _Variables(visitor.Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node):  # type: ignore[no-untyped-def]
        self.names.add(node.id.name)


@dataclass
class Entry:
    file: str
    variables: set[str]
    source: str


def _catalogue(language: str) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for path in sorted((LOCALES / language).glob("*.ftl")):
        for entry in FluentParser().parse(path.read_text(encoding="utf-8")).body:
            if isinstance(entry, (Message, Term)):
                v = _Variables()
                v.visit(entry)
                name = ("-" if isinstance(entry, Term) else "") + entry.id.name
                text = (
                    ""
                    if entry.value is None
                    else path.read_text(encoding="utf-8")[entry.span.start : entry.span.end]
                )
                out[name] = Entry(path.name, v.names, text)
    return out


def test_every_russian_message_has_an_english_one_and_vice_versa() -> None:
    ru, en = _catalogue("ru"), _catalogue("en")
    missing = sorted(f"{e.file}: {k}" for k, e in ru.items() if k not in en)
    assert not missing, (
        "no English text yet (add it to notifications/locales/en/<same file>):\n"
        + "\n".join(missing)
    )
    extra = sorted(f"{e.file}: {k}" for k, e in en.items() if k not in ru)
    assert not extra, "English keys the Russian reference does not have:\n" + "\n".join(extra)
    moved = sorted(f"{k}: ru/{ru[k].file}, en/{en[k].file}" for k in ru if ru[k].file != en[k].file)
    assert not moved, "keep each key in the same file name in both languages:\n" + "\n".join(moved)


def test_english_messages_use_the_same_placeables() -> None:
    ru, en = _catalogue("ru"), _catalogue("en")
    differ = sorted(
        f"{k}: ru {sorted(ru[k].variables)}, en {sorted(en[k].variables)}"
        for k in ru.keys() & en.keys()
        if ru[k].variables != en[k].variables
    )
    assert not differ, "\n".join(differ)


def test_english_messages_have_no_russian_text() -> None:
    russian = sorted(
        f"{e.file}: {k}"
        for k, e in _catalogue("en").items()
        if k not in CYRILLIC_ALLOWED and CYRILLIC.search(e.source)
    )
    assert not russian, "Cyrillic in the English catalogue:\n" + "\n".join(russian)


def test_english_renders_and_russian_stays_the_default() -> None:
    assert t("btn-back", "en") == "‹ Back"
    assert t("btn-back") == t("btn-back", "ru") == "‹ Назад"
    assert t("btn-back", "en" + LANGUAGE_CHOSEN) == "‹ Back"  # a /language choice as stored
    assert t("btn-back", "de") == "‹ Назад"  # no catalogue: Russian
    assert (
        t("coord-waiting-days", "en", days=1) == "1 day"
        and t("coord-waiting-days", "en", days=5) == "5 days"
    )


def test_telegram_language_code() -> None:
    from aiogram.types import User

    def user(code: str | None) -> User:
        return User(id=1, is_bot=False, first_name="A", language_code=code)

    assert telegram_language(user("en")) == "en"
    assert telegram_language(user("en-GB")) == "en"
    assert telegram_language(user("ru")) == "ru"
    assert telegram_language(user("de")) == "ru"
    assert telegram_language(user(None)) == "ru"
    assert telegram_language(None) == "ru"


async def _language_of(world: World, user_id: int) -> str | None:
    from sqlalchemy import select

    async with world.services.ctx.sessionmaker() as s:
        return (
            await s.execute(select(PersonRow.language).where(PersonRow.telegram_id == user_id))
        ).scalar_one_or_none()


async def test_english_telegram_user_gets_english_and_language_switches(world: World) -> None:
    p = Speaker(world.dp, world.bot, world.session, 556001, "Anna", language_code="en-US")
    reply = await p.send("/start")
    assert "Hello! This is the bot of the contest" in reply
    assert "consent to the processing of your personal data" in reply
    assert not CYRILLIC.search(reply.replace(await _contest_title(world), ""))
    assert p.has_button("I consent to the processing of personal data")
    assert "surname, first name and patronymic" in await p.press("I consent")

    picker = await p.send("/language")
    assert (
        "Choose the bot's language" in picker
        and p.has_button("Русский")
        and p.has_button("English")
    )
    reply = await p.press("Русский")
    assert "по-русски" in reply
    assert await _language_of(world, 556001) == "ru" + LANGUAGE_CHOSEN
    # the choice wins over the Telegram language from now on. /language left the name
    # prompt (a command is never an answer, issue #12); /start returns to it.
    await p.send("/start")
    assert "Не похоже на ФИО" in await p.send("x")  # the form waits for the name, in Russian now
    await p.send("/language")
    assert "speaks English" in await p.press("English")
    await p.send("/start")
    assert "does not look like a full name" in await p.send("x")


async def test_russian_telegram_user_stays_russian(world: World) -> None:
    p = Speaker(world.dp, world.bot, world.session, 556002, "Анна", language_code="ru")
    assert "Здравствуйте!" in await p.send("/start")
    q = Speaker(world.dp, world.bot, world.session, 556003, "Hans", language_code="de")
    assert "Здравствуйте!" in await q.send("/start")


async def _contest_title(world: World) -> str:
    from sqlalchemy import select

    from models.tables import Contest

    async with world.services.ctx.sessionmaker() as s:
        return (await s.execute(select(Contest.title))).scalars().first() or ""


async def test_outbox_message_to_a_person_who_chose_english_is_english(world: World) -> None:
    p = Speaker(world.dp, world.bot, world.session, 556004, "Anna", language_code="ru")
    await p.send("/start")
    await p.send("/language")
    await p.press("English")
    assert "consent to the processing" in await p.send("/start")
    await p.press("I consent")
    await p.send("Иванова Анна Петровна")
    await p.send("123-456-789 64")
    await p.press("г. Москва")
    await p.press("«Арбат»")
    assert "Under review" in await p.press("Send for review")

    coord = world.person(COORD_MOSCOW, "Ольга")  # a Russian coordinator: Russian screens
    await coord.send("/queue")
    await coord.press("Иванова Анна Петровна")
    assert "Подтверждено" in await coord.press("Принять")

    from sqlalchemy import select

    async with world.services.ctx.sessionmaker() as s:
        row = (
            await s.execute(
                select(Delivery).where(Delivery.message_key == "notify-verification-accepted")
            )
        ).scalar_one()
    assert row.language == "en" + LANGUAGE_CHOSEN
    await world.drain()
    notice = [text for text in world.session.sent_texts(556004) if "Right to take part" in text]
    assert notice and "<b>Confirmed</b>" in notice[-1] and "Now choose a nomination" in notice[-1]
