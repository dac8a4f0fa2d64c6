"""Protocols (R-PRO) and the publication of results (R-RES-2): one router for the package.

- :mod:`.signing` — a protocol's card and PDF, signing and refusing it, /protocols;
- :mod:`.publication` — /publish: readiness, the results protocol, publishing;
- :mod:`.verify` — /verify: a PDF checked against the stored protocols;
- :mod:`.wording`, :mod:`.callbacks` — what they share."""

from __future__ import annotations

from aiogram import Router

from bot.handlers.protocols import publication, signing, verify

router = Router(name=__name__)
# every press is answered once, after its handler (toasts via ``callback_answer``)
router.include_routers(signing.router, publication.router, verify.router)

__all__ = ["router"]
