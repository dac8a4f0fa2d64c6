"""Erasing a participant's personal data and the stored copies nobody refers to any more
(R-PD-1, R-PD-3): used by withdrawal and by retention."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import ApplicationFile, GuardianConsent, Participant, TaskSubmission


def erase_personal_data(p: Participant, now: datetime) -> tuple[bool, set[str]]:
    """R-PD-1, R-PD-3: remove a participant's personal data — name, СНИЛС, the refusal
    reason, the application's answers and its materials (Telegram references and stored
    copies) — keeping the row, its statuses and dates (what protocols and statistics need).
    Returns whether anything changed and the sha256 of stored contents that may now be
    unused (the application must be loaded with its files)."""
    changed = any(
        v is not None
        for v in (p.full_name, p.snils_encrypted, p.snils_hmac, p.snils_last2, p.rejection_reason)
    )
    p.full_name = None
    p.snils_encrypted = None
    p.snils_hmac = None
    p.snils_last2 = None
    p.rejection_reason = None
    candidates: set[str] = set()
    app = p.application
    if app is not None:
        changed = changed or bool(app.field_values) or bool(app.condition_answers)
        if app.field_values:
            app.field_values = {}
        if app.condition_answers:
            app.condition_answers = {}
        for f in app.files:
            if f.sha256:
                candidates.add(f.sha256)
            if f.telegram_file_id or f.file_unique_id or f.file_name or f.sha256 or f.storage_path:
                changed = True
                f.telegram_file_id = ""
                f.file_unique_id = ""
                f.file_name = None
                f.sha256 = None
                f.storage_path = None
                f.replaced_at = f.replaced_at or now
    return changed, candidates


async def erase_task_answers(s: AsyncSession, participant_ids: list[int]) -> tuple[int, set[str]]:
    """R-PD-1, R-PD-3: the participants' answers to tasks lose their file references, names and
    stored copies (issue #15: answers are kept in the store). Returns how many rows changed
    and the sha256 of contents that may now be unused."""
    if not participant_ids:
        return 0, set()
    count, candidates = 0, set()
    for sub in (
        await s.execute(
            select(TaskSubmission).where(TaskSubmission.participant_id.in_(participant_ids))
        )
    ).scalars():
        if sub.sha256:
            candidates.add(sub.sha256)
        if (
            sub.telegram_file_id
            or sub.file_unique_id
            or sub.file_name
            or sub.sha256
            or sub.storage_path
        ):
            sub.telegram_file_id, sub.file_unique_id, sub.file_name = "", "", None
            sub.sha256, sub.storage_path = None, None
            count += 1
    return count, candidates


async def unshared_files(s: AsyncSession, candidates: set[str]) -> set[str]:
    """Of these contents, those no application file or task answer refers to any more (after
    a flush)."""
    if not candidates:
        return set()
    await s.flush()
    rows = await s.execute(
        select(ApplicationFile.sha256).where(ApplicationFile.sha256.in_(candidates))
    )
    answers = await s.execute(
        select(TaskSubmission.sha256).where(TaskSubmission.sha256.in_(candidates))
    )
    forms = await s.execute(
        select(GuardianConsent.sha256).where(GuardianConsent.sha256.in_(candidates))
    )  # R-ROLE-5
    return candidates - {r[0] for r in rows} - {r[0] for r in answers} - {r[0] for r in forms}


def delete_stored_files(files_dir: Path | None, shas: set[str]) -> int:
    """Delete content-addressed copies (``files_dir/ab/abcd…``); returns how many existed."""
    deleted = 0
    if files_dir is None:
        return 0
    for sha in shas:
        path = Path(files_dir) / sha[:2] / sha
        if path.exists():
            deleted += 1
        path.unlink(missing_ok=True)
    return deleted
