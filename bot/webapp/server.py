"""The Mini App's HTTP side (issue #16): the page (``static/``, shipped in the package) and the
JSON API under ``/webapp``. Polling mode: its own aiohttp server on WEBAPP_HOST:WEBAPP_PORT,
started beside the health server; webhook mode: the same routes on the webhook's server
(bot.webhook.serve). TLS ends in front of either (WEBAPP_URL is the public https origin)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from bot.webapp import WEBAPP_PATH, api
from models.services import Services
from models.settings import Settings

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
#: the page may change with a release: the browser asks again each time
INDEX_CACHE = "no-cache"
#: scripts and styles: a short cache, so a release shows within minutes
STATIC_CACHE = "public, max-age=300"
_SAFE = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


async def _index(request: web.Request) -> web.StreamResponse:
    index = STATIC_DIR / "index.html"
    if not index.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(index, headers={"Cache-Control": INDEX_CACHE, **_SAFE})


async def _to_index(request: web.Request) -> web.StreamResponse:
    raise web.HTTPPermanentRedirect(f"{WEBAPP_PATH}/")


async def _static(request: web.Request) -> web.StreamResponse:
    """A file of ``static/`` (no listing; nothing outside the folder)."""
    name = request.match_info["name"]
    root = STATIC_DIR.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file() or path.name.startswith("."):
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": STATIC_CACHE, **_SAFE})


def add_webapp_routes(
    app: web.Application,
    services: Services,
    token: str,
    *,
    clock: Callable[[], datetime] | None = None,
) -> None:
    """The page and the API on ``app`` (before it starts)."""
    app[api.CONFIG] = api.WebAppConfig(services, token, clock or (lambda: datetime.now(UTC)))
    base = WEBAPP_PATH
    app.router.add_get(base, _to_index)
    app.router.add_get(f"{base}/", _index)
    app.router.add_get(f"{base}/static/{{name:.+}}", _static)
    app.router.add_get(f"{base}/api/session", api.endpoint(api.session))
    app.router.add_get(f"{base}/api/worklist", api.endpoint(api.worklist))
    app.router.add_get(f"{base}/api/sheet", api.endpoint(api.sheet))
    app.router.add_post(f"{base}/api/marks", api.endpoint(api.marks))
    app.router.add_post(f"{base}/api/confirm", api.endpoint(api.confirm))


def create_webapp_app(
    services: Services, token: str, *, clock: Callable[[], datetime] | None = None
) -> web.Application:
    """An application serving only the Mini App (polling mode, tests, the bench)."""
    app = web.Application()
    add_webapp_routes(app, services, token, clock=clock)
    return app


async def start_webapp_server(settings: Settings, services: Services) -> web.AppRunner | None:
    """Polling mode: the Mini App's own server when WEBAPP_URL is set (None otherwise).
    The caller cleans the runner up on shutdown."""
    if not settings.webapp_url or settings.bot_token is None:
        return None
    runner = web.AppRunner(
        create_webapp_app(services, settings.bot_token.get_secret_value()), access_log=None
    )
    await runner.setup()
    await web.TCPSite(runner, settings.webapp_host, settings.webapp_port).start()
    log.info(
        "mini app: listening on %s:%d%s/, public at %s%s/",
        settings.webapp_host, settings.webapp_port, WEBAPP_PATH, settings.webapp_url, WEBAPP_PATH,
    )  # fmt: skip
    return runner
