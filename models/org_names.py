"""Names of the registry of social-service providers (R-VER-1): how a participant finds their
organisation by the words they remember, and how a long name is shortened for a button.

Registry names are long and alike («ГБУ г. Москвы Территориальный центр социального
обслуживания «Арбат»»); people type them the way they say them: «ТЦСО Арбат», «арбат тцсо»,
«Центр соц. обслуживания Люблино», with «ё» or without, with or without quotes. Issue #15:

- words in any order, case, quotes, punctuation and «ё/е» ignored (:func:`normalise`);
- a word matches a part of a word of the name (as before: «арб» finds «Арбат»), and an inflected
  word matches by its stem («Москва» finds «г. Москвы», «территориального» — «Территориальный»);
- the common abbreviations of the registry and their expansions are interchangeable: the search
  key of a name carries both forms (:data:`ABBREVIATIONS`, :func:`search_key`);
- when nothing matches, the closest names by spelling are offered (:func:`closest`, rapidfuzz).

Pure functions with plain types: the service loads a region's names and asks these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

#: Abbreviations used in the registry's names and what they stand for (normalised, as the
#: nominative phrase appears in the names). Both directions: a name with the expansion is found
#: by the abbreviation, a name with the abbreviation by the words of the expansion.
ABBREVIATIONS: dict[str, str] = {
    "гбу": "государственное бюджетное учреждение",
    "гку": "государственное казенное учреждение",
    "гау": "государственное автономное учреждение",
    "гбоу": "государственное бюджетное образовательное учреждение",
    "гбсу": "государственное бюджетное стационарное учреждение",
    "гбусо": "государственное бюджетное учреждение социального обслуживания",
    "гаусо": "государственное автономное учреждение социального обслуживания",
    "гкусо": "государственное казенное учреждение социального обслуживания",
    "гбсусо": "государственное бюджетное стационарное учреждение социального обслуживания",
    "мбу": "муниципальное бюджетное учреждение",
    "мку": "муниципальное казенное учреждение",
    "мау": "муниципальное автономное учреждение",
    "ано": "автономная некоммерческая организация",
    "нко": "некоммерческая организация",
    "тцсо": "территориальный центр социального обслуживания",
    "кцсон": "комплексный центр социального обслуживания населения",
    "кцсо": "комплексный центр социального обслуживания",
    "цсон": "центр социального обслуживания населения",
    "цсо": "центр социального обслуживания",
    "срцн": "социально-реабилитационный центр для несовершеннолетних",
    "цссв": "центр содействия семейному воспитанию",
    "пни": "психоневрологический интернат",
    "дипи": "дом-интернат для престарелых и инвалидов",
    "ди": "дом-интернат",
}

#: the longest expansion first, so «комплексный центр социального обслуживания» is shortened
#: before the «центр социального обслуживания» inside it
_BY_LENGTH = sorted(ABBREVIATIONS.items(), key=lambda kv: -len(kv[1]))

#: quotes, brackets and punctuation are not part of any word («Арбат», "Арбат", г., №30, дом-интернат)
_NOT_WORD = re.compile(r"[^0-9a-zа-я]+")

#: the closest names are offered when a name scores at least this (0–100, see :func:`closeness`)
CLOSE_ENOUGH = 70.0


def normalise(text: str) -> str:
    """Lower case, «ё» → «е», anything but letters and digits → one space."""
    return " ".join(_NOT_WORD.sub(" ", text.lower().replace("ё", "е")).split())


def words(query: str) -> list[str]:
    """The words of a typed query, normalised, each once, in the order typed."""
    return list(dict.fromkeys(normalise(query).split()))


@lru_cache(maxsize=16384)
def search_key(name: str) -> str:
    """The text a query is matched against: the normalised name, then the abbreviation of every
    expansion it contains and the expansion of every abbreviation it contains."""
    base = normalise(name)
    padded = f" {base} "
    extra: list[str] = []
    for short, full in ABBREVIATIONS.items():
        full_n = normalise(full)
        if f" {full_n} " in padded:
            extra.append(short)
        if f" {short} " in padded:
            extra.append(full_n)
    return " ".join([base, *extra])


def _stem(word: str) -> str:
    # a light stem for Russian endings: «москва»/«москвы» → «моск», «центра» → «цент»
    return word[: max(4, len(word) - 3)] if len(word) >= 5 else word


def matches(name: str, query_words: Sequence[str]) -> bool:
    """Every word of the query is in the name (or its abbreviations), in any order."""
    key = search_key(name)
    return all(w in key or _stem(w) in key for w in query_words)


def closeness(name: str, query_words: Sequence[str]) -> float:
    """How close the name is to the query by spelling, 0–100: for each query word the best
    similarity to a word of the name (typos: «Арбад», «Люблено»), averaged."""
    if not query_words:
        return 0.0
    tokens = search_key(name).split()
    total = 0.0
    for w in query_words:
        best = process.extractOne(w, tokens, scorer=fuzz.ratio)
        total += best[1] if best else 0.0
    return total / len(query_words)


def closest(
    names: Iterable[tuple[int, str]], query_words: Sequence[str], limit: int
) -> list[tuple[int, str]]:
    """The ``limit`` names closest to the query (scoring at least :data:`CLOSE_ENOUGH`), best
    first, ties by name — offered when nothing matches exactly (issue #15)."""
    scored = [(closeness(name, query_words), name, key) for key, name in names]
    scored = [s for s in scored if s[0] >= CLOSE_ENOUGH]
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [(key, name) for _, name, key in scored[:limit]]


def abbreviate(name: str) -> str:
    """The name with the registry's long phrases replaced by their usual abbreviations
    («Территориальный центр социального обслуживания» → «ТЦСО»): the short form for a button."""
    out = name
    for short, full in _BY_LENGTH:
        if len(short) < 3:
            continue  # «ДИ» is not an abbreviation people would recognise on a button
        pattern = (
            r"(?<![0-9A-Za-zА-Яа-яЁё])"
            + r"[\s-]+".join(re.escape(w).replace("е", "[её]") for w in re.split(r"[\s-]+", full))
            + r"(?![0-9A-Za-zА-Яа-яЁё])"
        )
        out = re.sub(pattern, short.upper(), out, flags=re.IGNORECASE)
    return out
