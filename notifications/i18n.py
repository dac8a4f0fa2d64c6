"""The message catalogue: every text a person sees, in Fluent (``locales/<lang>/*.ftl``).

Russian is the default and the reference; a missing key in another language falls back to
Russian. A key missing everywhere is a programming error and raises, so a test that renders
a screen catches it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "ru"


class MissingMessage(KeyError):
    pass


@cache
def _bundle(language: str) -> FluentBundle | None:
    folder = LOCALES_DIR / language
    if not folder.is_dir():
        return None
    bundle = FluentBundle([language], use_isolating=False)
    for path in sorted(folder.glob("*.ftl")):
        bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
    return bundle


def _plain(args: dict[str, Any]) -> dict[str, Any]:
    # Fluent formats numbers by locale ("2 027"); numbers we pass are ids, counts and years,
    # which read better as they are, so they go in as text unless a selector needs them.
    return {k: (v if isinstance(v, int) and not isinstance(v, bool) and abs(v) < 1000 else str(v) if v is not None else "") for k, v in args.items()}


def _primary(language: str | None) -> str:
    # "en-GB", "en-x-set" (a /language choice, see Participants.set_language) → "en"
    return (language or DEFAULT_LANGUAGE).split("-")[0].lower()


def has(key: str, language: str = DEFAULT_LANGUAGE) -> bool:
    for lang in (_primary(language), DEFAULT_LANGUAGE):
        bundle = _bundle(lang)
        if bundle is not None and bundle.has_message(key):
            return True
    return False


def t(key: str, language: str = DEFAULT_LANGUAGE, /, **args: Any) -> str:
    """The text of ``key`` in ``language`` (Russian when missing there)."""
    for lang in (_primary(language), DEFAULT_LANGUAGE):
        bundle = _bundle(lang)
        if bundle is None or not bundle.has_message(key):
            continue
        message = bundle.get_message(key)
        if message.value is None:
            break
        text, errors = bundle.format_pattern(message.value, _plain(args))
        if errors:
            raise MissingMessage(f"{key}: {errors}")
        return text
    raise MissingMessage(key)
