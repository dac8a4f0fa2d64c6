"""Protocols signed in the chat (R-PRO-1…4).

A protocol is one per kind and subject; its content is a version. :func:`issue` is called
inside the transaction of the event the protocol records (a scheme lock, a score lock, a
correction…); the ``protocol`` job renders the PDF and :meth:`ProtocolIssueService.rendered`
sends it to every signer. A signature records who, when, and the SHA-256 of the content and
of the file signed; new content → a new version whose signatures start from nothing (R-PRO-2).

Modules: ``views`` (values), ``records`` (shared steps over a session), ``issuing`` (the
content engine), ``signing`` (signatures and refusals), ``reading`` (views and verification).
Other services call the steps — :func:`issue`, :func:`record_signature`, :func:`sign_in` —
inside their own unit of work. They pass a protocol's words as phrases of the catalogue
(``models.phrases``, ``documents.ftl``); :func:`issue` writes them in Russian before hashing,
so the content is what people read and sign."""

from __future__ import annotations

from models.services.protocols.issuing import ProtocolIssueService, issue
from models.services.protocols.reading import ProtocolReadingService
from models.services.protocols.signing import ProtocolSigningService, record_signature, sign_in
from models.services.protocols.views import (
    KINDS,
    MAX_REASON,
    ProtocolView,
    SignerState,
    Verification,
    canonical,
    check_reason,
    content_hash,
    local,
    table,
)


class ProtocolService(ProtocolIssueService, ProtocolSigningService, ProtocolReadingService):
    """Issuing, signing and reading protocols (see the modules): the bot's and the workers'
    face. Other services call the steps (``issue``, ``record_signature``, ``sign_in``) as
    functions inside their own unit of work."""

    check_reason = staticmethod(check_reason)


__all__ = [
    "KINDS",
    "MAX_REASON",
    "ProtocolIssueService",
    "ProtocolReadingService",
    "ProtocolService",
    "ProtocolSigningService",
    "ProtocolView",
    "SignerState",
    "Verification",
    "canonical",
    "check_reason",
    "content_hash",
    "issue",
    "local",
    "record_signature",
    "sign_in",
    "table",
]
