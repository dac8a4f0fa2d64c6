"""Rendering: catalogue texts with escaped arguments, dates, statuses, errors."""

from __future__ import annotations

import html
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from models.errors import DomainError
from models.rules import ConditionFailure, Missing, format_local
from models.views import ApplicationView
from notifications.i18n import t

LANG = "ru"
#: The language of the update being handled: set per update by bot.language's middleware
#: (the person's /language choice, else their Telegram language); Russian by default.
LANGUAGE: ContextVar[str] = ContextVar("language", default=LANG)


def tr(key: str, /, **args: Any) -> str:
    """A catalogue text in the current language; string arguments are HTML-escaped (user
    input never becomes markup)."""
    return t(
        key,
        LANGUAGE.get(),
        **{k: html.escape(v) if isinstance(v, str) else v for k, v in args.items()},
    )


def format_dt(value: datetime | None, tz: str) -> str:
    return "—" if value is None else format_local(value, tz)


def status_text(status: str) -> str:
    return tr(f"status-{status}")


def missing_lines(missing: Missing, app: ApplicationView) -> list[str]:
    fields = {f.code: f.title for f in app.nomination.fields}
    files = {f.code: f.title for f in app.nomination.files}
    lines = [tr("missing-field", title=fields.get(c, c)) for c in missing.fields]
    lines += [tr("missing-file", title=files.get(c, c)) for c in missing.files]
    if missing.consent_privacy:
        lines.append(tr("missing-consent-privacy"))
    if missing.consent_transfer:
        lines.append(tr("missing-consent-transfer"))
    return lines


def error_text(err: DomainError, app: ApplicationView | None = None) -> str:
    """A refused action in Russian, from the catalogue."""
    args = dict(err.args_)
    tz = args.pop("tz", "Europe/Moscow")
    for key, value in list(args.items()):
        if isinstance(value, datetime):
            args[key] = format_dt(value, tz)
    failures = args.pop("failures", None)
    # an application's Missing fields; a count (sheet_incomplete's «missing») stays an argument
    missing = args.pop("missing") if isinstance(args.get("missing"), Missing) else None
    text = tr(
        "err-" + err.code.replace("_", "-"),
        **{k: v for k, v in args.items() if isinstance(v, (str, int))},
    )
    lines = [text]
    if failures:
        lines += [
            "• " + tr("cond-fail-" + f.code.replace("_", "-"), limit=f.limit or 0)
            for f in failures
            if isinstance(f, ConditionFailure)
        ]
    if missing is not None and app is not None:
        lines += ["• " + line for line in missing_lines(missing, app)]
    return "\n".join(lines)


def staff_help(
    is_coordinator: bool, is_admin: bool, is_expert: bool = False, is_commission: bool = False
) -> list[str]:
    parts = []
    if is_expert:
        parts.append(tr("help-expert"))
    if is_commission:
        parts.append(tr("help-commission"))
    if is_coordinator:
        parts.append(tr("help-coordinator"))
    if is_admin:
        parts.append(tr("help-admin"))
    if is_coordinator or is_admin:
        parts.append(tr("inv-help"))
    return parts
