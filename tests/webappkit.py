"""Mini App test kit (issue #16): initData signed as Telegram signs it, for the server's
tests (tests/unit/test_webapp_auth.py, tests/services/test_webapp_api.py) and the browser
tests.

Telegram's algorithm (core.telegram.org/bots/webapps, "Validating data received via the
Mini App"): the fields except ``hash``, sorted by name, as ``name=value`` lines joined by
``\\n`` (the data-check string); ``secret = HMAC_SHA256(key="WebAppData", msg=bot token)``;
``hash = hex(HMAC_SHA256(key=secret, msg=data-check string))``; all of it URL-encoded."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

#: the bot token the tests sign with (the server under test is given the same one)
TEST_TOKEN = "123456:TEST-webapp-token"


def sign_init_data(
    token: str = TEST_TOKEN,
    user: dict[str, Any] | int | None = None,
    auth_date: int | float | None = None,
    **extra: Any,
) -> str:
    """A raw ``Telegram.WebApp.initData`` string for ``user`` (a dict as Telegram sends it, or
    just an id: then a first name is made up), signed with ``token``. ``auth_date``: Unix
    seconds (default now). ``extra`` fields are added as they are (``query_id="…"``); a
    ``hash=…`` in ``extra`` replaces the computed one (a forged initData)."""
    if isinstance(user, int):
        user = {"id": user, "first_name": f"Эксперт {user}", "language_code": "ru"}
    fields: dict[str, str] = {
        "auth_date": str(int(auth_date if auth_date is not None else time.time()))
    }
    if user is not None:
        fields["user"] = json.dumps(user, ensure_ascii=False, separators=(",", ":"))
    forged = extra.pop("hash", None)
    fields.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in extra.items()})
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = forged or hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


def auth_header(init_data: str) -> dict[str, str]:
    """The header the page sends with every API request."""
    return {"Authorization": f"tma {init_data}"}
