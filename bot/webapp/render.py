"""The services' views as the Mini App's JSON (issue #16; the contract: README «Mini App»).

Every text comes from the catalogue in the person's language, as plain text (the chat's
HTML tags removed, entities decoded): the page puts it in ``textContent``, never ``innerHTML``.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

from fluent.syntax import FluentParser
from fluent.syntax.ast import Message, VariableReference
from fluent.syntax.visitor import Visitor

from bot.texts import LANGUAGE, error_text
from models.errors import DomainError
from models.services.scoring import MarkOutcome, Worklist
from models.services.scoring.expert_sheet import ExpertSheet, SheetCell
from notifications.i18n import DEFAULT_LANGUAGE, LOCALES_DIR, t

#: the page's own texts: every key with this prefix is sent by /session
PAGE_PREFIX = "webapp-"
#: chat texts the page shows too
SHARED_KEYS = ("sco-judgement-scale",)
_TAG = re.compile(r"</?(?:b|i|u|s|em|strong|code|pre|a|tg-spoiler|blockquote)(?:\s[^>]*)?>")


def plain(text: str) -> str:
    """A catalogue text for the page: no Telegram HTML tags, entities decoded."""
    return html.unescape(_TAG.sub("", text))


def text(key: str, lang: str, **args: Any) -> str:
    return plain(t(key, lang, **args))


def message(err: DomainError, lang: str) -> str:
    """A refusal as the chat words it (bot.texts.error_text), in ``lang``."""
    token = LANGUAGE.set(lang)
    try:
        return plain(error_text(err))
    finally:
        LANGUAGE.reset(token)


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: VariableReference) -> None:
        self.names.add(node.id.name)


@cache
def _page_keys() -> dict[str, frozenset[str]]:
    """``webapp-*`` keys of the reference (Russian) catalogue with the variables they take."""
    out: dict[str, frozenset[str]] = {}
    for path in sorted((LOCALES_DIR / DEFAULT_LANGUAGE).glob("*.ftl")):
        for entry in FluentParser().parse(path.read_text(encoding="utf-8")).body:
            if isinstance(entry, Message) and entry.id.name.startswith(PAGE_PREFIX):
                found = _Variables()
                found.visit(entry)
                out[entry.id.name] = frozenset(found.names)
    return out


@cache
def page_texts(lang: str) -> dict[str, str]:
    """Every text the page needs, in ``lang``. A text with arguments arrives with ``{name}``
    placeholders for the page to fill (a plural selector gives its default variant)."""
    texts = {
        key: text(key, lang, **{name: "{" + name + "}" for name in names})
        for key, names in sorted(_page_keys().items())
    }
    texts.update({key: text(key, lang) for key in SHARED_KEYS})
    return texts


def option_label(kind: str, value: int, label: str, lang: str) -> str:
    if kind == "binary":
        return text("sco-yes" if value == 1 else "sco-no", lang)
    return label


def cell(c: SheetCell, lang: str) -> dict[str, Any]:
    return {
        "aspect": c.aspect_id,
        "code": c.code,
        "title": c.title,
        "kind": c.kind,
        "max_points": f"{c.max_points:.2f}",
        "options": [
            {"value": o.value, "label": option_label(c.kind, o.value, o.label, lang)}
            for o in c.options
        ],
        "value": c.value,
        "stale": c.stale,
        "round": c.round,
        "group_marks": list(c.group_marks),
    }


def saved_cell(aspect_id: int, out: MarkOutcome) -> dict[str, Any]:
    """The cell's state right after a mark that asked no re-score: the expert's own mark is
    current (a mark that completed a spread is answered from the sheet instead)."""
    return {
        "aspect": aspect_id,
        "value": out.value,
        "stale": False,
        "round": out.round,
        "group_marks": [],
    }


def sheet(s: ExpertSheet, lang: str) -> dict[str, Any]:
    return {
        "scheme_id": s.scheme_id,
        "target": {"id": s.target_id, "label": s.target_label},
        "editable": s.editable,
        "confirmed": s.confirmed,
        "scored": s.scored,
        "total": s.total,
        "sections": [
            {
                "id": sec.subcriterion_id,
                "code": sec.code,
                "title": sec.title,
                "missing": sec.missing,
                "cells": [cell(c, lang) for c in sec.cells],
            }
            for sec in s.sections
        ],
    }


def worklist(w: Worklist) -> dict[str, Any]:
    return {
        "scheme": {"id": w.scheme_id, "title": w.title},
        "targets": [
            {"id": x.target_id, "label": x.label, "scored": x.scored, "total": x.total}
            for x in w.targets
        ],
        "scored": w.scored,
        "total": w.total,
        "confirmed": w.confirmed,
        "scores_locked": w.scores_locked,
        # the chat's rule for showing «Подтвердить оценки» (R-SCO-4; the service checks again)
        "can_confirm": bool(w.targets)
        and w.scored == w.total
        and not w.confirmed
        and not w.scores_locked,
    }
