"""Protocols signed in the chat (R-PRO-1…4).

A protocol is one per kind and subject; its content is a version. :func:`issue`
is called inside the transaction of the event the protocol records (a scheme lock, a score
lock, a correction…). It stores the content as canonical JSON with its SHA-256 and hands the
version to the ``protocol`` job after commit, which renders the PDF (``notifications.
documents``), keeps it in the file store and sends it to every signer with «Подписать» and
«Отказаться» (:meth:`ProtocolIssueService.rendered`). A signature records who, when, and the
SHA-256 of the content and of the file signed. New content → a new version: earlier
signatures stay in history and no longer count (R-PRO-2)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from models.errors import NotFound
from models.phrases import Text, say
from models.services.base import Service, UnitOfWork
from models.services.protocols.records import header_of, signer_names, tell, version_row
from models.services.protocols.views import KINDS, content_hash
from models.tables import Protocol, ProtocolSignature, ProtocolSigner, ProtocolVersion


async def issue(
    uow: UnitOfWork,
    *,
    contest_id: int,
    scheme_id: int | None,
    kind: str,
    subject_key: str,
    title: Text,
    paragraphs: Sequence[Text],
    tables: list[dict[str, Any]],
    signers: list[tuple[int, str]],
    actor: int | None,
    dry_run: bool = False,
) -> tuple[int, int, bool]:
    """Write a protocol's content in the caller's transaction. Returns (protocol id,
    version, new version?). The same content again changes nothing; new content is a
    new version whose signatures start from nothing (R-PRO-2). ``signers``: (Telegram
    id, role label) — names come from the contest's role assignments. ``title`` and
    ``paragraphs``: phrases of the catalogue (or plain data), written here in the protocol's
    language before the content is hashed (``models.phrases``)."""
    if kind not in KINDS:
        raise ValueError(kind)
    title = say(title)
    s = uow.session
    header = await header_of(s, contest_id, scheme_id)
    names = await signer_names(s, contest_id, [tid for tid, _ in signers])
    people = list(dict.fromkeys(signers))  # one line per (person, role), in order
    seen: set[int] = set()
    unique = []
    for tid, role in people:
        if tid not in seen:
            seen.add(tid)
            unique.append((tid, role))
    content = {
        "kind": kind,
        "title": title,
        **header,
        "paragraphs": [say(p) for p in paragraphs],
        "tables": tables,
        "signers": [
            {"telegram_id": tid, "role": role, "name": names.get(tid, str(tid))}
            for tid, role in unique
        ],
    }
    sha = content_hash(content)
    protocol = (
        await s.execute(
            select(Protocol)
            .where(Protocol.kind == kind, Protocol.subject_key == subject_key)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if protocol is not None:
        current = await version_row(s, protocol.id, protocol.current_version)
        if current is not None and current.content_sha256 == sha:
            return protocol.id, protocol.current_version, False
    if dry_run:  # would this content be a new version? (nothing is written)
        return (
            (protocol.id if protocol else 0),
            (protocol.current_version if protocol else 0),
            True,
        )
    if protocol is not None:
        version = protocol.current_version + 1
        protocol.current_version = version
        protocol.status = "signing"
        protocol.completed_at = None
        protocol.title = title
    else:
        version = 1
        protocol = Protocol(
            contest_id=contest_id,
            scheme_id=scheme_id,
            kind=kind,
            subject_key=subject_key,
            title=title,
            status="signing",
            current_version=1,
            created_by=actor,
            created_at=uow.now,
        )
        s.add(protocol)
        await s.flush()
    existing = {
        x.telegram_id: x
        for x in (
            await s.execute(select(ProtocolSigner).where(ProtocolSigner.protocol_id == protocol.id))
        ).scalars()
    }
    for tid, role in unique:
        row = existing.pop(tid, None)
        if row is None:
            s.add(
                ProtocolSigner(
                    protocol_id=protocol.id,
                    telegram_id=tid,
                    role=role,
                    name=names.get(tid, str(tid)),
                )
            )
        else:
            row.role, row.name = role, names.get(tid, str(tid))
    for gone in existing.values():
        await s.delete(gone)
    content["created_at"] = uow.now.isoformat()
    content["number"] = str(protocol.id)
    content["version"] = version
    content["content_sha256"] = sha
    made = ProtocolVersion(
        protocol_id=protocol.id,
        version=version,
        content=content,
        content_sha256=sha,
        created_at=uow.now,
    )
    s.add(made)
    await s.flush()
    uow.audit(
        actor,
        "protocol.issue",
        "protocol",
        protocol.id,
        contest_id=contest_id,
        after={"kind": kind, "version": version, "content_sha256": sha},
    )
    uow.after_commit("protocol", made.id)
    return protocol.id, version, True


class ProtocolIssueService(Service):
    async def version_content(self, version_id: int) -> tuple[dict[str, Any], str | None]:
        """For the renderer: the content of a version and its PDF path if already made."""
        async with self.read() as s:
            v = await s.get(ProtocolVersion, version_id)
            if v is None:
                raise NotFound("protocol_not_found")
            return dict(v.content), v.pdf_path

    async def rendered(self, version_id: int, pdf_sha256: str, pdf_path: str) -> int:
        """The worker made the PDF: record it and send it to every signer who has not
        signed this version, with «Подписать» / «Отказаться». Idempotent: returns how many
        messages were written (0 the second time)."""
        async with self.uow() as uow:
            s = uow.session
            v = (
                await s.execute(
                    select(ProtocolVersion)
                    .where(ProtocolVersion.id == version_id)
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if v is None:
                raise NotFound("protocol_not_found")
            if v.pdf_sha256 is None:
                v.pdf_sha256, v.pdf_path = pdf_sha256, pdf_path
            protocol = await s.get(Protocol, v.protocol_id)
            assert protocol is not None
            if protocol.current_version != v.version:
                return 0  # superseded before it was ready: the newer version is sent instead
            signed = {
                x.telegram_id
                for x in (
                    await s.execute(
                        select(ProtocolSignature).where(ProtocolSignature.version_id == v.id)
                    )
                ).scalars()
            }
            sent = 0
            for signer in (
                await s.execute(
                    select(ProtocolSigner)
                    .where(ProtocolSigner.protocol_id == protocol.id)
                    .order_by(ProtocolSigner.id)
                )
            ).scalars():
                if signer.telegram_id in signed:
                    continue
                if await tell(
                    uow,
                    signer.telegram_id,
                    protocol,
                    v,
                    "pro-note-sign",
                    reason="protocol-sign",
                    buttons=True,
                ):
                    sent += 1
            return sent
