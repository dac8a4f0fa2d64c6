"""The application's files (R-APP-4): offered, checked, queued for download, replaced,
removed; a stored content whose signature disagrees with its name is refused after all."""

from __future__ import annotations

from models import rules
from models.errors import DomainError, NotFound
from models.filetypes import content_matches
from models.rules import OfferedFile
from models.services.base import Service, lock
from models.services.contests import nomination_view
from models.services.participants.records import fresh_view, load_draft
from models.services.participants.views import TelegramFile
from models.tables import Application, ApplicationFile, Nomination, Participant, Person
from models.views import ParticipantView


def file_refusal_error(
    refusal: rules.FileRefusal, types: tuple[str, ...], size: int | None
) -> DomainError:
    """R-APP-4: the refusal of an offered file, with what it really is when its signature
    disagrees with its name (``err-file-wrong-content``)."""
    return DomainError(
        f"file_{refusal.code}",
        types=", ".join(types),
        limit=rules.size_mb(refusal.limit) if refusal.limit else "",
        size=rules.size_mb(size or 0),
        claimed=refusal.claimed or "",
        actual=refusal.actual or "",
        actual_name=refusal.actual_name or "",
    )


class ApplicationFileService(Service):
    async def add_file(
        self, telegram_id: int, contest_id: int, slot: str, offered: TelegramFile
    ) -> ParticipantView:
        """R-APP-4: a file of an allowed type and size fills a slot; its content is downloaded
        by a queued job. A replaced file is kept, not deleted."""
        async with self.uow() as uow:
            s = uow.session
            contest, app = await load_draft(uow, telegram_id, contest_id)
            spec = next((f for f in nomination_view(app.nomination).files if f.code == slot), None)
            if spec is None:
                raise NotFound("file_slot_not_found")
            refusal = rules.check_file(
                spec.requirement,
                OfferedFile(
                    offered.file_name,
                    offered.mime_type,
                    offered.size,
                    offered.is_video_message,
                    offered.head,
                ),
                self.ctx.download_limit,
            )
            if refusal is not None:
                raise file_refusal_error(refusal, spec.requirement.types, offered.size)
            active = [f for f in app.files if f.slot == slot and f.replaced_at is None]
            same = next((f for f in active if f.file_unique_id == offered.file_unique_id), None)
            if same is None:
                if spec.requirement.max_count == 1:
                    for old in active:
                        old.replaced_at = uow.now
                elif len(active) >= spec.requirement.max_count:
                    raise DomainError("file_too_many", limit=spec.requirement.max_count)
                row = ApplicationFile(
                    application_id=app.id,
                    slot=slot,
                    telegram_file_id=offered.file_id,
                    file_unique_id=offered.file_unique_id,
                    file_name=offered.file_name,
                    mime_type=offered.mime_type,
                    size=offered.size or 0,
                    uploaded_at=uow.now,
                )
                s.add(row)
                await s.flush()
                uow.after_commit("download", row.id)
            return await fresh_view(s, telegram_id, contest)

    async def refuse_stored_content(self, file_id: int, head: bytes) -> bool:
        """R-APP-4 (issue #15), checked again before a download is stored: a file whose
        content's signature disagrees with its name no longer fills its slot, its content is
        not kept, and its sender is told. Returns whether it was refused (idempotent)."""
        async with self.uow() as uow:
            s = uow.session
            row = await lock(s, ApplicationFile, file_id)
            if row is None or not row.telegram_file_id:
                return False
            claimed = rules.file_extension(OfferedFile(row.file_name, row.mime_type, row.size))
            found = content_matches(claimed or "", head) if claimed else None
            if found is None:
                return False
            if row.download_error != f"wrong_content:{found.kind}":
                row.download_error = f"wrong_content:{found.kind}"
                row.replaced_at = row.replaced_at or uow.now
                app = await s.get(Application, row.application_id)
                p = await s.get(Participant, app.participant_id) if app else None
                person = await s.get(Person, p.person_id) if p else None
                nom = await s.get(Nomination, app.nomination_id) if app else None
                slot = (
                    next((f for f in nomination_view(nom).files if f.code == row.slot), None)
                    if nom
                    else None
                )
                uow.audit(
                    None,
                    "application.file_refused",
                    "application",
                    row.application_id,
                    contest_id=p.contest_id if p else None,
                    after={"file_id": row.id, "actual": found.kind},
                )
                if person is not None and person.telegram_id is not None:
                    await uow.notify_person(
                        person.telegram_id,
                        reason="file_refused",
                        subject=f"application_file:{row.id}",
                        key="file-stored-refused",
                        args={
                            "name": row.file_name or "—",
                            "claimed": (claimed or "").upper(),
                            "title": slot.title if slot else row.slot,
                        },
                    )
            return True

    async def remove_file(self, telegram_id: int, contest_id: int, file_id: int) -> ParticipantView:
        """Take a file out of a draft; the row and its content stay on record."""
        async with self.uow() as uow:
            s = uow.session
            contest, app = await load_draft(uow, telegram_id, contest_id)
            row = next((f for f in app.files if f.id == file_id and f.replaced_at is None), None)
            if row is None:
                raise NotFound("file_not_found")
            row.replaced_at = uow.now
            return await fresh_view(s, telegram_id, contest)
