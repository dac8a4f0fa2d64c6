"""The message catalogue itself: every file parses (a syntax slip would silently drop a
message), and no key is defined twice (the first definition would silently win)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from fluent.syntax import FluentParser
from fluent.syntax.ast import Junk, Message

LOCALES = Path(__file__).resolve().parents[2] / "notifications" / "locales"


def test_every_catalogue_file_parses_and_keys_are_unique() -> None:
    for lang in [d for d in LOCALES.iterdir() if d.is_dir()]:
        keys: Counter[str] = Counter()
        for path in sorted(lang.glob("*.ftl")):
            body = FluentParser().parse(path.read_text(encoding="utf-8")).body
            junk = [e.content.splitlines()[0] for e in body if isinstance(e, Junk)]
            assert not junk, f"{path.name}: cannot parse {junk}"
            keys.update(e.id.name for e in body if isinstance(e, Message))
        twice = sorted(k for k, n in keys.items() if n > 1)
        assert not twice, f"{lang.name}: defined more than once: {twice}"
