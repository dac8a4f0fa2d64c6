"""The person behind an update, looked up once (issue #13, item 2).

:class:`bot.language.LanguageMiddleware` (an outer update middleware) calls :func:`look_up`
for every update with a sender: ONE statement (``models.services.access``) gives the
person's language, roles and participations. The result goes to handlers as the ``viewer``
argument, so /start, /help and the menu do not ask the database again.

Freshness: nothing is kept between updates. A role granted or revoked, or a /language
choice, shows at the person's next update — there is no cache to invalidate and no TTL.
(A per-process cache would not help the case that matters — a burst of *distinct* people
pressing /start once each — and would make a revocation lag.) The viewer is for what a
person is shown; permissions are still checked by the services in their own transaction.
"""

from __future__ import annotations

import logging

from aiogram.types import User

from models.services import Services
from models.services.access import Viewer

log = logging.getLogger(__name__)

#: the key of the viewer in the handler data (``viewer: Viewer | None`` in a handler)
KEY = "viewer"


async def look_up(services: Services, user: User, detected: str) -> Viewer:
    """Who this is (one statement). ``detected`` is the Telegram language; when the person
    is known, has not chosen a language and Telegram's changed, it is remembered on their row
    so that notifications from the outbox follow it (as ``ParticipantService.language_for``)."""
    viewer = await services.access.viewer(user.id)
    stored = viewer.stored_language
    if stored is not None and viewer.chosen_language is None and stored != detected:
        await services.access.remember_language(user.id, detected)
    return viewer


async def viewer_of(services: Services, user_id: int, viewer: Viewer | None) -> Viewer:
    """The viewer the middleware found, or (it could not, or a handler is called directly) a
    fresh lookup."""
    if viewer is not None and viewer.telegram_id == user_id:
        return viewer
    return await services.access.viewer(user_id)


__all__ = ["KEY", "Viewer", "look_up", "viewer_of"]
