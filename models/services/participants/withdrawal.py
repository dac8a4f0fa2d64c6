"""Withdrawal of consent (R-PD-1): participation ends and the personal data are erased."""

from __future__ import annotations

from sqlalchemy import delete

from models.db import truncate_wal
from models.errors import DomainError
from models.rules import VerificationStatus
from models.services.base import Service
from models.services.guardian_facts import erase_guardian
from models.services.participants.erasure import (
    delete_stored_files,
    erase_personal_data,
    erase_task_answers,
    unshared_files,
)
from models.services.participants.records import (
    find_participant,
    load_contest,
    require_participant,
    restage,
)
from models.tables import ConversationState, Person


class WithdrawalService(Service):
    # ------------------------------------------------------------------ withdrawal (R-PD-1)

    async def withdraw(self, telegram_id: int, contest_id: int) -> None:
        """Withdrawal of consent ends participation; the person's data are anonymised. The
        audit log keeps that it happened (what the rules require), not the data."""
        async with self.uow() as uow:
            s = uow.session
            p = await require_participant(s, telegram_id, contest_id)
            if p.verification_status == VerificationStatus.WITHDRAWN:
                # the loser of a double confirmation: anonymised once, said so (issue #12)
                contest = await load_contest(s, contest_id)
                raise DomainError(
                    "already_withdrawn", at=p.withdrawn_at or "—", tz=contest.timezone
                )
            before = {
                "status": p.verification_status,
                "application": p.application.status if p.application else None,
            }
            _, orphan_candidates = erase_personal_data(p, uow.now)
            orphan_candidates |= (await erase_task_answers(s, [p.id]))[1]
            # R-ROLE-5 consent: names, phone, the signed form
            orphan_candidates |= erase_guardian(p.__dict__.get("guardian_consent"))
            p.verification_status = VerificationStatus.WITHDRAWN
            restage(p, None)
            p.withdrawn_at = uow.now
            person = await s.get(Person, p.person_id)
            if person is not None:
                person.display_name = None
            uow.audit(
                telegram_id,
                "participant.withdraw",
                "participant",
                p.id,
                contest_id=contest_id,
                before=before,
                after={"status": VerificationStatus.WITHDRAWN},
            )
            # drafts of half-filled forms may hold personal data too (R-PD-1)
            await s.execute(
                delete(ConversationState).where(ConversationState.user_id == telegram_id)
            )
            await s.flush()
            orphans = await unshared_files(s, orphan_candidates)
        delete_stored_files(self.ctx.files_dir, orphans)
        await truncate_wal(
            self.ctx.sessionmaker
        )  # no copy of the name left in SQLite's log (issue #15)

    async def check_may_withdraw(self, telegram_id: int, contest_id: int) -> None:
        """/withdraw of a participant who already withdrew: said at once, with when (R-PD-1)."""
        async with self.read() as s:
            p = await find_participant(s, telegram_id, contest_id)
            if p is not None and p.verification_status == VerificationStatus.WITHDRAWN:
                contest = await load_contest(s, contest_id)
                raise DomainError(
                    "already_withdrawn", at=p.withdrawn_at or "—", tz=contest.timezone
                )
