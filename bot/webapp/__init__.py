"""The expert's score sheet as a Telegram Mini App (issue #16, item 1).

``auth`` checks Telegram's ``initData``; ``api`` holds the thin JSON handlers (one service
call per item); ``render`` turns the services' views into JSON; ``server`` mounts the routes
and the static page (``static/``) on an aiohttp application — its own in polling mode,
beside the webhook route in webhook mode. The HTTP contract: README «Mini App»."""

from __future__ import annotations

#: every route of the Mini App lives below this path
WEBAPP_PATH = "/webapp"
