"""What the protocols return and the plain values of their content (R-PRO-1…4)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models import rules
from models.errors import DomainError
from models.phrases import Phrase, Text, say

MAX_REASON = 1000

#: kinds of R-PRO-1
KINDS = (
    "scheme_lock",
    "task_briefing",
    "score_lock",
    "mentor_sheet",
    "correction",
    "results",
    "pre_appeal",
    "appeal",
)


@dataclass(frozen=True, slots=True)
class SignerState:
    telegram_id: int
    name: str
    role: str
    decision: str | None  # signed | refused | None (waiting)
    at: datetime | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class ProtocolView:
    id: int
    contest_id: int
    scheme_id: int | None
    kind: str
    subject_key: str
    title: str
    status: str
    version: int
    content_sha256: str
    pdf_sha256: str | None
    pdf_path: str | None
    timezone: str
    created_at: datetime
    completed_at: datetime | None
    signers: tuple[SignerState, ...]

    @property
    def missing(self) -> tuple[SignerState, ...]:
        return tuple(x for x in self.signers if x.decision != "signed")

    @property
    def refusals(self) -> tuple[SignerState, ...]:
        return tuple(x for x in self.signers if x.decision == "refused")


@dataclass(frozen=True, slots=True)
class Verification:
    """What ``verify-protocol`` says about a file."""

    found: bool
    pdf_sha256: str
    protocol: ProtocolView | None = None
    version: int | None = None
    #: the file is the protocol's current version (not a superseded one)
    current: bool = False
    #: signatures given on exactly this file
    signed_by: tuple[SignerState, ...] = ()


def canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content).encode()).hexdigest()


def table(
    title: Text | None,
    header: Sequence[Text],
    rows: Sequence[Sequence[Any]],
    widths: list[float] | None = None,
) -> dict[str, Any]:
    """A table of a protocol's content (plain JSON; rendered by ``notifications.documents``).
    Its title, column names and any cell given as a :class:`~models.phrases.Phrase` are
    written in the protocol's language (see ``models.phrases``: the content is hashed)."""
    return {
        "title": None if title is None else say(title),
        "header": [say(h) for h in header],
        "rows": [[say(c) if isinstance(c, Phrase) else str(c) for c in row] for row in rows],
        "widths": widths,
    }


def check_reason(reason: str | None) -> str:
    """A refusal's reason: said, and not too long (the same check as when applied)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("refusal_reason_required")
    if len(reason) > MAX_REASON:
        raise DomainError("reason_too_long", limit=MAX_REASON)
    return reason


def local(value: datetime, tz: str) -> str:
    return rules.format_local(value, tz)
