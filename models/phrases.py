"""The words of the printed documents as codes (issue #14, item 5): a service says *which*
sentence a protocol holds — :class:`Phrase`, a catalogue key and its arguments — and never
writes the Russian itself. Every word is in the catalogue (``documents.ftl``, Russian and
English, beside the rest of the messages in ``notifications/locales``).

Why the text is resolved here, in ``models/``, and not by the renderer: a protocol's content
is hashed when it is issued and people sign that hash (R-PRO-2). The content therefore keeps
the words *as rendered in the protocol's language* (Russian, :data:`DOCUMENT_LANGUAGE`), in the
very shape the earlier code wrote them, so a protocol issued now has the same content and
SHA-256 as the same protocol issued before the words moved, and every stored protocol renders
and verifies as it did (``tests/services/test_protocols.py::test_protocol_words_hash_as_before``).

The catalogue is read from its files — no import of ``notifications/`` (the layers point
down: models never import an upper layer). Arguments are data already written out by the
caller (points «7,50», a local time, a name), inserted as text: no number formatting and no
plural rules here, so the result is exactly the string the caller's values make."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fluent.runtime import FluentBundle, FluentResource

#: the catalogue of the printed documents, one file per language
CATALOGUE = Path(__file__).resolve().parents[1] / "notifications" / "locales"
CATALOGUE_FILE = "documents.ftl"
#: the language a protocol is written, hashed and signed in
DOCUMENT_LANGUAGE = "ru"


class MissingPhrase(KeyError):
    """A key the documents catalogue does not have: a programming error."""


@dataclass(frozen=True, slots=True)
class Phrase:
    """A sentence, heading or column name of a document: its catalogue key and arguments."""

    key: str
    args: tuple[tuple[str, str], ...] = ()


def phrase(key: str, **args: object) -> Phrase:
    """``phrase("doc-pro-sheet-total", target="№3", total="7,50")``; None is written as
    nothing, anything else as ``str()`` of it — as an f-string would."""
    return Phrase(key, tuple((k, "" if v is None else str(v)) for k, v in args.items()))


#: what a document holds where words go: a phrase, plain data (a name, a code — kept as it
#: is), or several of them written one after another, separated by a space
Text = Phrase | str | Sequence["Phrase | str"]


@cache
def _bundle(language: str) -> FluentBundle | None:
    path = CATALOGUE / language / CATALOGUE_FILE
    if not path.is_file():
        return None
    bundle = FluentBundle([language], use_isolating=False)
    bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
    return bundle


def _one(p: Phrase, language: str) -> str:
    for lang in dict.fromkeys((language, DOCUMENT_LANGUAGE)):
        bundle = _bundle(lang)
        if bundle is None or not bundle.has_message(p.key):
            continue
        message = bundle.get_message(p.key)
        if message.value is None:
            break
        text, errors = bundle.format_pattern(message.value, dict(p.args))
        if errors or not isinstance(text, str):
            raise MissingPhrase(f"{p.key}: {errors}")
        return text
    raise MissingPhrase(p.key)


def say(text: Text, language: str = DOCUMENT_LANGUAGE) -> str:
    """The words of ``text`` in ``language`` (Russian when missing there)."""
    if isinstance(text, str):
        return text
    if isinstance(text, Phrase):
        return _one(text, language)
    return " ".join(say(part, language) for part in text)


__all__ = [
    "CATALOGUE",
    "DOCUMENT_LANGUAGE",
    "MissingPhrase",
    "Phrase",
    "Text",
    "phrase",
    "say",
]
