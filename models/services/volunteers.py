"""Volunteers' thank-you letters (R-RES-3, 002 §6.9: «Благодарственными письмами … награждаются
эксперты, тренера, волонтеры»).

A volunteer (волонтёр, доброволец — 002 §4.6, §5.5) is a role of the contest, declared in the
contest file or invited like other staff. Volunteers serve a stage of the championship, not
one competence: when the first results of a stage are published, each volunteer in force gets
one letter for that stage in the chat — the same way experts get theirs (through the outbox,
the PDF made by the sender from the ``_award`` content). The outbox's unique key (reason,
subject, recipient, due time) with a fixed due time makes a second letter for the same stage
impossible, whichever competence is published next, also when two are published at once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from models.contest_file import Role
from models.services.base import UnitOfWork
from models.tables import RoleAssignment, Scheme

#: the outbox reason of a volunteer's letter
REASON = "thanks-volunteer"
#: the due time of every volunteer letter: fixed (so the outbox's unique key makes the letter
#: of a stage once per volunteer) and in the past (so it goes at once)
ONCE = datetime(2000, 1, 1, tzinfo=UTC)


async def thank_volunteers(uow: UnitOfWork, scheme: Scheme, common: dict[str, str]) -> int:
    """R-RES-3: a thank-you letter to every volunteer of the contest in force now, once per
    stage (``common``: the award fields of the scheme, ``results_changes.award_common``).
    Returns how many letters this call wrote (0 when the stage's letters went before)."""
    s = uow.session
    volunteers = (
        await s.execute(
            select(RoleAssignment.id, RoleAssignment.telegram_id, RoleAssignment.name)
            .where(
                RoleAssignment.contest_id == scheme.contest_id,
                RoleAssignment.role == Role.VOLUNTEER,
                RoleAssignment.active.is_(True),
            )
            .order_by(RoleAssignment.id)
        )
    ).all()
    written = 0
    for role_id, telegram_id, name in volunteers:
        made = await uow.notify_person(
            telegram_id,
            reason=REASON,
            subject=f"stage:{scheme.stage_id}",
            key="teams-note-thanks-volunteer",
            args={
                "stage": common.get("stage", ""),
                "_award": {
                    **common,
                    "kind": "thanks",
                    "role": "volunteer",
                    "person": name or "",
                    "subject": "",
                    "text": "",
                    "medal": None,
                    "number": f"{scheme.stage_id}-V{role_id}",
                    "file_name": "thanks-volunteer.pdf",
                },
            },
            due_at=ONCE,
        )
        written += made is not None
    return written


__all__ = ["ONCE", "REASON", "thank_volunteers"]
