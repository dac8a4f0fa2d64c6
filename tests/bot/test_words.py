"""Issue #15, the words people read and type: the registry search (R-VER-1) by words in any
order, abbreviations and closest matches; button labels cut at word boundaries; one word for an
accepted verification (R-VER-3: «Подтверждено»); plurals for every count and number of points."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from fluent.syntax import FluentParser
from fluent.syntax import ast as ftl

from bot.screens import button_label
from bot.texts import status_text
from models import org_names
from models.rules import VerificationStatus
from models.services import Services
from notifications.broadcasts import eta_text
from notifications.i18n import t
from tests.builders import World, register
from tests.conftest import COORD_MOSCOW, EXAMPLE, ids

LOCALES = Path(__file__).resolve().parents[2] / "notifications" / "locales"


def _registry() -> dict[str, list[str]]:
    """Region name → its organisations' names, as in the example contest file."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return {r["name"]: [o["name"] for o in r["organisations"]] for r in data["regions"]}


MOSCOW = _registry()["г. Москва"]
OBLAST = _registry()["Московская область"]
ALL = MOSCOW + OBLAST


def _found(query: str) -> list[str]:
    return [n for n in ALL if org_names.matches(n, org_names.words(query))]


# --------------------------------------------------------------------------- search (R-VER-1)


@pytest.mark.parametrize(
    "query, end",
    [
        ("ТЦСО Арбат", "«Арбат»"),  # the issue's example: found nothing before
        ("арбат тцсо", "«Арбат»"),  # any order, any case
        ("«Арбат»", "«Арбат»"),  # quotes ignored
        ('"арбат" ТЦСО', "«Арбат»"),
        ("Территориальный центр социального обслуживания Таганский", "«Таганский»"),
        ("ГБУ Таганский", "«Таганский»"),
        ("государственное бюджетное учреждение Таганский", "«Таганский»"),  # expansion of ГБУ
        ("ЦСО Люблино", "«Люблино»"),
        ("ПНИ № 30", "№ 30"),  # «Психоневрологический интернат» ↔ ПНИ
        ("ПНИ №30", "№ 30"),
        ("КЦСО Подольский", "«Подольский»»"),
        ("ДИПИ Ногинский", "инвалидов»"),
        ("Ногинский дом интернат", "инвалидов»"),
        ("территориального центра Арбат", "«Арбат»"),  # inflected words by their stem
        ("Москва Таганский", "«Таганский»"),
    ],
)
def test_registry_words_in_any_order_with_abbreviations(query: str, end: str) -> None:
    found = _found(query)
    assert len(found) == 1 and found[0].endswith(end), (query, found)


def test_yo_and_e_are_the_same_letter() -> None:
    names = ["АНО «Центр «Ёлочка»»", "ГКУ «Казённое учреждение Берёзка»"]
    assert [n for n in names if org_names.matches(n, org_names.words("елочка"))] == names[:1]
    assert [n for n in names if org_names.matches(n, org_names.words("Берёзка казенное"))] == names[
        1:
    ]
    # the expansion of ГКУ is written with «е»; a name with «ё» still carries the abbreviation
    assert org_names.matches("Государственное казённое учреждение «Берёзка»", ["гку"])


def test_a_part_of_a_word_still_finds_the_name() -> None:
    assert _found("люблин") == [MOSCOW[2]]  # what worked before issue #15 still works


def test_closest_names_when_nothing_matches_exactly() -> None:
    wanted = org_names.words("Абрат")  # letters swapped: no word contains it, no stem either
    assert _found("Абрат") == []
    near = org_names.closest(list(enumerate(ALL)), wanted, 8)
    assert near and near[0][1] == MOSCOW[0]
    assert (
        org_names.closest(list(enumerate(ALL)), org_names.words("Тоганский тцсо"), 8)[0][1]
        == MOSCOW[1]
    )
    assert org_names.closest(list(enumerate(ALL)), org_names.words("абвгдежз"), 8) == []


async def test_service_searches_by_words_and_offers_the_closest(
    services: Services, contest_id: int
) -> None:
    region = (await ids(services, contest_id))["regions"]["77"]
    page = await services.participants.organisations(contest_id, region, "ТЦСО Арбат")
    assert (page.total, [c.title for c in page.items], page.closest) == (1, [MOSCOW[0]], False)
    page = await services.participants.organisations(contest_id, region, "тцсо  «таганский»")
    assert [c.title for c in page.items] == [MOSCOW[1]]
    page = await services.participants.organisations(contest_id, region, "Тоганский")
    assert page.closest and page.items[0].title == MOSCOW[1]
    page = await services.participants.organisations(contest_id, region, "абвгдежз")
    assert page.total == 0 and page.items == []
    page = await services.participants.organisations(contest_id, region, None)
    assert page.total == len(MOSCOW) and not page.closest
    # a name of another region is not offered, however close
    page = await services.participants.organisations(contest_id, region, "Подольский")
    assert MOSCOW[0] not in [c.title for c in page.items] and OBLAST[0] not in [
        c.title for c in page.items
    ]


async def test_bot_finds_tcso_arbat_and_offers_the_closest(world: World) -> None:
    p = world.person(555101, "Анна")
    await p.send("/start")
    await p.press("Согласен(а) на обработку")
    await p.send("Иванова Анна Петровна")
    await p.send("123-456-789 64")
    await p.press("г. Москва")
    reply = await p.send("ТЦСО Арбат")
    assert "«ТЦСО Арбат»: 1" in reply and MOSCOW[0] in reply  # the full name in the message
    labels = [text for _, text, _ in p.buttons()]
    assert "1. ГБУ г. Москвы ТЦСО «Арбат»" in labels
    reply = await p.send("Тоганский")
    assert "точных совпадений нет" in reply and MOSCOW[1] in reply
    assert p.has_button("ТЦСО «Таганский»")
    reply = await p.press("«Таганский»")
    assert "Проверьте анкету" in reply and MOSCOW[1] in reply


# --------------------------------------------------------------------------- button labels


def _words_of(text: str) -> set[str]:
    return set(text.split()) | {s.upper() for s in org_names.ABBREVIATIONS}


TITLES = [
    *ALL,
    "Стаж работы в сфере социального обслуживания, полных лет",
    "Лучший специалист по социальной работе",
]


@pytest.mark.parametrize("title", TITLES)
@pytest.mark.parametrize("width", [20, 30, 40, 48, 60])
def test_labels_are_cut_at_word_boundaries(title: str, width: int) -> None:
    label = button_label(title, 2, width)
    assert label.startswith("2. ") and len(label) - 3 <= width
    allowed = _words_of(title) | _words_of(org_names.abbreviate(title))
    for word in label[3:].replace("…", " ").split():
        assert word in allowed or word.rstrip(",;:") in allowed, (title, width, label, word)


def test_the_issue_labels() -> None:
    # today: «2. …риальный центр…» and «Стаж работы…, полн»
    assert button_label(MOSCOW[0], 2) == "2. ГБУ г. Москвы ТЦСО «Арбат»"
    label = button_label("Стаж работы в сфере социального обслуживания, полных лет", width=50)
    assert "полных лет" in label and "полн " not in label + " " and label.startswith("Стаж работы")
    assert button_label("Короткое имя", 1) == "1. Короткое имя"


# --------------------------------------------------------------------------- «Подтверждено» (R-VER-3)


def test_one_word_for_an_accepted_verification() -> None:
    assert status_text(VerificationStatus.ACCEPTED) == "Подтверждено"
    assert t("progress-xlsx-accepted") == "Подтверждено"
    assert t("progress-xlsx-no-application").startswith("Подтверждено")
    assert "подтверждено: 3" in t("progress-verification-counts", pending=1, accepted=3, rejected=0)
    for path in (LOCALES / "ru").glob("*.ftl"):  # «Принято» as a status is gone everywhere
        assert "Принято" not in path.read_text(encoding="utf-8"), path.name


async def test_status_and_coordinator_say_podtverzhdeno(world: World) -> None:
    p = await register(world)
    coord = world.person(COORD_MOSCOW, "Ольга")
    await coord.send("/queue")
    await coord.press("Иванова Анна Петровна")
    reply = await coord.press("Принять")
    assert "Подтверждено: Иванова Анна Петровна" in reply and "Принято" not in reply
    status = await p.send("/status")
    assert "Подтверждено" in status and "Принято" not in status


# --------------------------------------------------------------------------- plurals


@pytest.mark.parametrize(
    "total, words",
    [
        (1, "1 балл"),
        (21, "21 балл"),
        (2, "2 балла"),
        (5, "5 баллов"),
        (11, "11 баллов"),
        ("99,83", "99,83 балла"),
        ("7,00", "7,00 балла"),
        ("1,00", "1,00 балла"),
        ("21", "21 балл"),
    ],
)
def test_points_agree_with_the_number(total: object, words: str) -> None:
    text = t("pub-note-result", scheme="С", total=total, place=1, medal="none", advances="no")
    assert f"результат: {words}," in text


def test_points_in_english_and_limits_in_the_genitive() -> None:
    en = t("pub-note-result", "en", scheme="S", total="1,00", place=1, medal="none", advances="no")
    assert "1.00 points" in en
    assert "1 point," in t(
        "pub-note-result", "en", scheme="S", total=1, place=1, medal="none", advances="no"
    )
    assert t("sco-item-kind", kind="k", points="2,50") == "k, до 2,50 балла"
    assert t("sco-item-kind", kind="k", points=3) == "k, до 3 баллов"
    assert t("cond-min-age", limit=21) == "возраст не младше 21 года"
    assert t("cond-min-age", limit=18) == "возраст не младше 18 лет"
    assert t(
        "ops-retention-done", years=1, participants=0, files=0, persons=0, deliveries=0
    ).startswith("Срок хранения 1 год ")
    assert "22 столбца" in t(
        "err-file-sheet-too-large", range="A1", rows=1, columns=22, limit_rows=5, limit_columns=1
    )


def test_broadcast_estimate_reads_once() -> None:
    text = t("broadcast-confirm", count=1, eta=eta_text(1, 30))
    assert "<b>1</b> получателю?" in text and "примерно 1 с." in text and "≈" not in text
    assert t("btn-broadcast-send", count=3) == "Отправить 3 получателям"
    assert t("broadcast-eta", eta=eta_text(600, 1)) == "Осталось времени: примерно 10 мин"


def test_numbers_are_not_grouped() -> None:
    assert t("broadcast-started", id=2027) == "Рассылка №2027 запущена."
    assert t("broadcast-started", id=123456) == "Рассылка №123456 запущена."


#: nouns that change with the number before them (a bare «{ $n } баллов» is wrong for 1, 2, 21…)
COUNTED = {
    "ru": r"балл\w*|участник\w*|сообщени\w*|дн(?:ей|я|ь)|час\w*|минут\w*|секунд\w*|символ\w*|файл\w*|лет|год\w*"
    r"|строк\w*|столб\w*|эксперт\w*|разных|получател\w*|голос\w*|человек\w*|критери\w*|аспект\w*|уров\w*"
    r"|раз|раза|внутренн\w*|заяв\w*|апелляц\w*|задани\w*|регион\w*|организац\w*|номинац\w*",
    "en": r"points?|participants?|messages?|days?|hours?|minutes?|seconds?|characters?|files?|years?|rows?"
    r"|columns?|experts?|different|recipients?|people|votes?|criteria|aspects?|levels?|times"
    r"|applications?|appeals?|tasks?|regions?|organisations?|nominations?",
}


def _bare_counts(language: str) -> list[str]:
    """«{ $n } <noun>» outside a select on ``$n``: the noun cannot agree with the number."""
    noun = re.compile(r" (?:" + COUNTED[language] + r")(?![\w-])")  # lower case, on the same line
    found: list[str] = []

    def walk(pattern: ftl.Pattern, chosen: frozenset[str], where: str) -> None:
        elements = pattern.elements
        for i, el in enumerate(elements):
            if not isinstance(el, ftl.Placeable):
                continue
            expr = el.expression
            if isinstance(expr, ftl.SelectExpression):
                sel = (
                    expr.selector.id.name
                    if isinstance(expr.selector, ftl.VariableReference)
                    else ""
                )
                for v in expr.variants:
                    walk(v.value, chosen | {sel}, where)
                continue
            if (
                isinstance(expr, ftl.VariableReference)
                and expr.id.name not in chosen
                and i + 1 < len(elements)
            ):
                after = elements[i + 1]
                if isinstance(after, ftl.TextElement) and noun.match(after.value):
                    found.append(f"{where}: {{ ${expr.id.name} }}{after.value[:20]}")

    for path in sorted((LOCALES / language).glob("*.ftl")):
        for entry in FluentParser().parse(path.read_text(encoding="utf-8")).body:
            if isinstance(entry, ftl.Message) and entry.value is not None:
                walk(entry.value, frozenset(), f"{language}/{path.name} {entry.id.name}")
    return found


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_count_in_the_catalogue_uses_plural_rules(language: str) -> None:
    bare = _bare_counts(language)
    assert not bare, "use { $n -> [one] … [few] … [many] … *[other] … } for:\n" + "\n".join(bare)
