"""The work behind each actor, as plain coroutines over a runtime (tests call them too)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from models.buttons import BroadcastControl
from models.db import writing
from models.filetypes import HEAD_BYTES, content_matches
from models.rules import OfferedFile, file_extension
from models.services.retention import RetentionReport
from models.settings import Settings
from models.tables import ApplicationFile, GuardianConsent
from notifications.broadcasts import tick
from notifications.delivery import Outcome, deliver
from notifications.documents import protocol_pdf
from notifications.sweep import SweepReport, sweep
from workers.queue import enqueue as enqueue_by_name
from workers.runtime import WorkerRuntime

log = logging.getLogger(__name__)


async def deliver_job(rt: WorkerRuntime, delivery_id: int) -> Outcome:
    return await deliver(
        rt.bot,
        rt.sessionmaker,
        rt.clock,
        delivery_id,
        rt.gate,
        rt.lease,
        files_dir=rt.files_dir,
        buttons=rt.buttons,
    )


async def protocol_job(rt: WorkerRuntime, version_id: int) -> int:
    """Render a protocol version's PDF (off the event loop), keep it content-addressed and
    send it to its signers. Idempotent: a rendered version is not rendered again, and the
    outbox's unique key makes the signers' messages once."""
    content, path = await rt.services.protocols.version_content(version_id)
    files_dir = Path(rt.files_dir)
    if path and await _exists(files_dir / path):
        data = await asyncio.to_thread((files_dir / path).read_bytes)
    else:
        data = await asyncio.to_thread(protocol_pdf, content)
    sha = hashlib.sha256(data).hexdigest()
    target = stored_path(files_dir, sha)
    if not await _exists(target):
        await asyncio.to_thread(_write, target, data)
    sent = await rt.services.protocols.rendered(version_id, sha, str(target.relative_to(files_dir)))
    return sent


async def _exists(path: Path) -> bool:
    return await asyncio.to_thread(path.exists)


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


async def broadcast_job(
    rt: WorkerRuntime, broadcast_id: int, enqueue: Callable[[str, int], None]
) -> bool:
    def control(broadcast_id: int, action: str) -> str:
        """The progress message's pause / resume / stop buttons (R-COO-1), rendered as the
        outbox's buttons are."""
        return rt.buttons(
            BroadcastControl.model_validate({"broadcast_id": broadcast_id, "do": action})
        )

    rate = rt.gate.rate if rt.gate is not None else 30
    return await tick(
        rt.bot, rt.sessionmaker, rt.clock, broadcast_id, enqueue, rt.gate, control, rate
    )


async def sweep_job(rt: WorkerRuntime, enqueue: Callable[[str, int], None]) -> SweepReport:
    report = await sweep(rt.sessionmaker, rt.clock.now(), enqueue, requeue_after=rt.requeue_after)
    if report.created or report.enqueued:
        log.info(
            "sweep: %d reminder(s) created in %d run(s), %d message(s) enqueued, %.3fs",
            report.created,
            report.runs,
            report.enqueued,
            report.seconds,
        )
    return report


async def retention_job(rt: WorkerRuntime, years: int | None = None) -> RetentionReport:
    """R-PD-3: anonymise the contests whose retention period is over (idempotent)."""
    if years is None:
        years = Settings().retention_years
    report = await rt.services.retention.purge(years)
    if report.changed:
        log.info(
            "retention: %d participant(s) anonymised in %d contest(s), %d file(s) deleted, "
            "%d name(s), %d message text(s)",
            report.participants,
            len(report.contests),
            report.files_deleted,
            report.persons,
            report.deliveries,
        )
    return report


def stored_path(files_dir: Path, sha256: str) -> Path:
    """Content-addressed: the same content is stored once."""
    return Path(files_dir) / sha256[:2] / sha256


async def download_job(rt: WorkerRuntime, file_id: int) -> str:
    """Keep the material, not just Telegram's reference to it: download the content into
    the files directory and record its sha256. Idempotent."""
    async with rt.sessionmaker() as s:
        row = (
            await s.execute(select(ApplicationFile).where(ApplicationFile.id == file_id))
        ).scalar_one_or_none()
        if row is None or not row.telegram_file_id:
            return "gone"  # withdrawn (R-PD-1) or removed
        if row.sha256 and row.storage_path and await _exists(Path(row.storage_path)):
            return "already"
        telegram_file_id = row.telegram_file_id
        claimed = file_extension(OfferedFile(row.file_name, row.mime_type, row.size))
    files_dir = Path(rt.files_dir)
    tmp = files_dir / "tmp" / f"{file_id}-{uuid.uuid4().hex}"
    await asyncio.to_thread(tmp.parent.mkdir, parents=True, exist_ok=True)
    try:
        await rt.bot.download(telegram_file_id, destination=tmp)
        # the content's signature is checked before it is kept (issue #15, R-APP-4); a
        # mismatch is the service's to record and tell
        head = await asyncio.to_thread(_head, tmp)
        if not _content_fits(
            claimed, head
        ) and await rt.services.participants.refuse_stored_content(file_id, head):
            return "refused"
        sha, size, target = await asyncio.to_thread(_store, tmp, files_dir)
    finally:
        await asyncio.to_thread(tmp.unlink, missing_ok=True)
    async with writing(rt.sessionmaker) as s:
        row = (
            await s.execute(select(ApplicationFile).where(ApplicationFile.id == file_id))
        ).scalar_one_or_none()
        if row is None or not row.telegram_file_id:  # withdrawn while downloading
            return "gone"
        row.sha256 = sha
        row.storage_path = str(target)
        row.size = size or row.size
        row.downloaded_at = rt.clock.now()
        row.download_error = None
    return "stored"


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(HEAD_BYTES)


def _content_fits(claimed: str | None, head: bytes) -> bool:
    return claimed is None or content_matches(claimed, head) is None


def _store(tmp: Path, files_dir: Path) -> tuple[str, int, Path]:
    """Hash a downloaded file and move it to its content address (off the event loop)."""
    digest = hashlib.sha256()
    size = 0
    with tmp.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    sha = digest.hexdigest()
    target = stored_path(files_dir, sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        tmp.unlink()
    else:
        os.replace(tmp, target)
    return sha, size, target


async def guardian_download_job(rt: WorkerRuntime, consent_id: int) -> str:
    """R-ROLE-5: keep the signed parental consent form, not just Telegram's reference to it,
    in the content-addressed store like an application file. Idempotent; a form replaced or
    erased while downloading is not recorded."""
    async with rt.sessionmaker() as s:
        row = await s.get(GuardianConsent, consent_id)
        if row is None or not row.file_telegram_id:
            return "gone"  # withdrawn (R-PD-1) or anonymised
        if row.sha256 and row.storage_path and await _exists(Path(row.storage_path)):
            return "already"
        telegram_file_id = row.file_telegram_id
    files_dir = Path(rt.files_dir)
    tmp = files_dir / "tmp" / f"g{consent_id}-{uuid.uuid4().hex}"
    await asyncio.to_thread(tmp.parent.mkdir, parents=True, exist_ok=True)
    try:
        await rt.bot.download(telegram_file_id, destination=tmp)
        sha, size, target = await asyncio.to_thread(_store, tmp, files_dir)
    finally:
        await asyncio.to_thread(tmp.unlink, missing_ok=True)
    async with writing(rt.sessionmaker) as s:
        row = await s.get(GuardianConsent, consent_id)
        if row is None or row.file_telegram_id != telegram_file_id:  # replaced or erased meanwhile
            return "gone"
        row.sha256 = sha
        row.storage_path = str(target)
        row.size = size or row.size
        row.downloaded_at = rt.clock.now()
        row.download_error = None
    return "stored"


async def run_job(
    rt: WorkerRuntime, job: str, entity_id: int, enqueue: Callable[[str, int], None] | None = None
) -> object:
    if job == "broadcast":
        return await broadcast_job(rt, entity_id, enqueue or enqueue_by_name)
    if job == "deliver":
        return await deliver_job(rt, entity_id)
    if job == "download":
        return await download_job(rt, entity_id)
    if job == "guardian_download":
        return await guardian_download_job(rt, entity_id)
    if job == "protocol":
        return await protocol_job(rt, entity_id)
    raise ValueError(f"unknown job {job!r}")
