"""Who is asking: Telegram's ``initData`` checked (issue #16, item 1).

The page sends the raw ``Telegram.WebApp.initData`` in ``Authorization: tma <initData>``.
Its HMAC is checked with the bot token (aiogram's ``safe_parse_webapp_init_data``, the
algorithm Telegram documents); aiogram does not look at ``auth_date``, so a copy older than
an hour (or dated in the future beyond a small clock skew) is refused here. The user's
Telegram id becomes the actor of every service call; the roles are checked by the services.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram.utils.web_app import WebAppInitData, WebAppUser, safe_parse_webapp_init_data

#: how old an initData may be (Telegram signs it when the page is opened)
MAX_AGE = timedelta(seconds=3600)
#: how far in the future its auth_date may lie (clock skew between Telegram and us)
MAX_SKEW = timedelta(seconds=60)
#: the scheme of the Authorization header the page sends
SCHEME = "tma"


class Unauthorized(Exception):
    """initData missing, forged, signed for another bot, stale or from the future (→ 401).
    ``reason`` is for the log only; the person sees one Russian text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def from_header(value: str | None) -> str:
    """The initData of an ``Authorization: tma <initData>`` header."""
    if not value:
        raise Unauthorized("no Authorization header")
    scheme, _, data = value.strip().partition(" ")
    if scheme.lower() != SCHEME or not data.strip():
        raise Unauthorized("not a tma Authorization header")
    return data.strip()


def check_init_data(token: str, init_data: str, now: datetime | None = None) -> WebAppUser:
    """The user of a genuine, fresh initData; :class:`Unauthorized` otherwise."""
    if not init_data:
        raise Unauthorized("empty initData")
    try:
        parsed: WebAppInitData = safe_parse_webapp_init_data(token, init_data)
    except (ValueError, TypeError) as exc:  # bad signature, not a query string, bad fields
        raise Unauthorized(f"initData refused ({type(exc).__name__})") from None
    now = now or datetime.now(UTC)
    signed = parsed.auth_date
    if signed.tzinfo is None:
        signed = signed.replace(tzinfo=UTC)
    if now - signed > MAX_AGE:
        raise Unauthorized("initData older than an hour")
    if signed - now > MAX_SKEW:
        raise Unauthorized("initData from the future")
    if parsed.user is None:
        raise Unauthorized("initData without a user")
    return parsed.user


def display_name(user: WebAppUser) -> str:
    return " ".join(p for p in (user.first_name, user.last_name) if p) or str(user.id)
