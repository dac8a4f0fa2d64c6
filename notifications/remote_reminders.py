"""Reminder kinds of remote events (R-COO-3, R-REM-5), one run per slot and kind:

- ``remote_schedule`` — the participant is told when and how to connect as soon as the
  slot exists (it is ≥ 3 days ahead: the service refuses anything sooner);
- ``remote_day`` — the participant, on the day at 09:00 contest time (an hour before a
  slot that starts earlier);
- ``remote_briefing`` — the examiner and the contest's experts a day ahead (004 §3);
- ``remote_materials`` — the examiner 30 minutes before (004 §4): a message with the link
  and a button that hands out the materials file (the service re-checks the time and who
  asks, so a forwarded button gives nothing to anyone else).

Each kind looks only at slots whose start falls in its own short window, through
``ix_remote_slots_starts`` (contest, starts_at), so a sweep with nothing due costs one
index range scan per contest; the run's scope ``slot:<id>`` and due time are stable, so the
sweep's ``reminder_runs`` record and the outbox key send each message once (R-REM-6).
A cancelled slot drops out of every window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.buttons import Button, Place
from models.contest_file import Role
from models.rules import format_local
from models.services.remote import ANNOUNCE_AHEAD, BRIEFING_AHEAD, MATERIALS_AHEAD
from models.tables import Contest, Participant, Person, RemoteSlot, RoleAssignment
from notifications.reminders import Message, ReminderKind, Run, register

#: an announcement not sent within this time of the slot's creation (the system was down
#: for longer) is left to the day-of reminder; it bounds the announcement's window
ANNOUNCE_WINDOW = timedelta(days=1)
DAY_HOUR = 9


def day_reminder_due(slot_start: datetime, created_at: datetime, tz: str) -> datetime:
    """09:00 contest time on the slot's day (an hour before an earlier slot), or the
    slot's creation if that is later."""
    local = slot_start.astimezone(ZoneInfo(tz))
    at = local.replace(hour=DAY_HOUR, minute=0, second=0, microsecond=0)
    at = min(at, local - timedelta(hours=1))
    return max(at, created_at)


async def _slots(
    s: AsyncSession, contest: Contest, after: datetime, until: datetime, *extra: Any
) -> list[RemoteSlot]:
    """Live slots of a contest starting in (after, until] — an index range scan."""
    return list(
        (
            await s.execute(
                select(RemoteSlot).where(
                    RemoteSlot.contest_id == contest.id,
                    RemoteSlot.starts_at > after,
                    RemoteSlot.starts_at <= until,
                    RemoteSlot.cancelled_at.is_(None),
                    *extra,
                )
            )
        ).scalars()
    )


async def _slot_and_person(
    s: AsyncSession, run: Run
) -> tuple[RemoteSlot, Participant, Person] | None:
    slot = await s.get(RemoteSlot, int(run.scope.removeprefix("slot:")))
    if slot is None or slot.cancelled_at is not None:
        return None
    p = await s.get(Participant, slot.participant_id)
    person = await s.get(Person, p.person_id) if p is not None else None
    if p is None or person is None or p.verification_status != "accepted":
        return None
    return slot, p, person


def _args(slot: RemoteSlot, p: Participant, contest: Contest) -> dict[str, Any]:
    return {
        "contest": contest.title,
        "when": format_local(slot.starts_at, contest.timezone),
        "time": f"{slot.starts_at.astimezone(ZoneInfo(contest.timezone)):%H:%M}",
        "duration": slot.duration_minutes,
        "link": slot.link,
        "name": p.full_name or "—",
    }


async def _to_participant(s: AsyncSession, run: Run, key: str) -> list[Message]:
    """The slot's participant is told ``key`` (nothing for a cancelled slot)."""
    found = await _slot_and_person(s, run)
    if found is None:
        return []
    slot, p, person = found
    return [
        Message(
            run.scope,
            person.chat_id or person.telegram_id,
            key,
            _args(slot, p, run.contest),
            language=person.language,
        )
    ]


@dataclass
class RemoteScheduleAnnouncement(ReminderKind):
    """R-COO-3 (004 §2): the participant learns the time and the link ≥ 3 days ahead."""

    name: ClassVar[str] = "remote_schedule"
    muteable: ClassVar[bool] = False

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        out = []
        for contest in contests:
            # slots are created ≥ 3 days ahead, so a recent one starts after now + 2 days
            recent = (RemoteSlot.created_at >= now - ANNOUNCE_WINDOW, RemoteSlot.created_at <= now)
            for slot in await _slots(
                s,
                contest,
                now + ANNOUNCE_AHEAD - ANNOUNCE_WINDOW,
                now + timedelta(days=3650),
                *recent,
            ):
                out.append(Run(f"slot:{slot.id}", slot.created_at, slot.starts_at, contest))
        return out

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        return await _to_participant(s, run, "remote-schedule")


@dataclass
class RemoteDayReminder(ReminderKind):
    """R-COO-3: the participant on the day of the connection."""

    name: ClassVar[str] = "remote_day"
    muteable: ClassVar[bool] = False

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        out = []
        for contest in contests:
            # due on the slot's local day: the slot starts within the next day
            for slot in await _slots(s, contest, now, now + timedelta(days=1)):
                due = day_reminder_due(slot.starts_at, slot.created_at, contest.timezone)
                if due <= now:
                    out.append(Run(f"slot:{slot.id}", due, slot.starts_at, contest))
        return out

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        return await _to_participant(s, run, "remote-day")


@dataclass
class RemoteBriefingNotice(ReminderKind):
    """R-COO-3 (004 §3): the examiner and the contest's experts a day ahead."""

    name: ClassVar[str] = "remote_briefing"
    muteable: ClassVar[bool] = False

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        out = []
        for contest in contests:
            for slot in await _slots(s, contest, now, now + BRIEFING_AHEAD):
                out.append(
                    Run(f"slot:{slot.id}", slot.starts_at - BRIEFING_AHEAD, slot.starts_at, contest)
                )
        return out

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        found = await _slot_and_person(s, run)
        if found is None:
            return []
        slot, p, _ = found
        experts = (
            (
                await s.execute(
                    select(RoleAssignment.telegram_id).where(
                        RoleAssignment.contest_id == run.contest.id,
                        RoleAssignment.role == Role.EXPERT,
                        RoleAssignment.active.is_(True),
                    )
                )
            )
            .scalars()
            .all()
        )
        args = _args(slot, p, run.contest)
        out = []
        if slot.examiner_telegram_id:
            out.append(
                Message(run.scope, slot.examiner_telegram_id, "remote-briefing-examiner", args)
            )
        out += [
            Message(run.scope, tid, "remote-briefing-expert", args)
            for tid in sorted(set(experts))
            if tid != slot.examiner_telegram_id
        ]
        return out


@dataclass
class RemoteMaterialsRelease(ReminderKind):
    """R-COO-3 (004 §4): materials to the examiner 30 minutes before the start."""

    name: ClassVar[str] = "remote_materials"
    muteable: ClassVar[bool] = False

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        out = []
        for contest in contests:
            for slot in await _slots(s, contest, now, now + MATERIALS_AHEAD):
                if slot.examiner_telegram_id:
                    ends = slot.starts_at + timedelta(minutes=slot.duration_minutes)
                    out.append(
                        Run(f"slot:{slot.id}", slot.starts_at - MATERIALS_AHEAD, ends, contest)
                    )
        return out

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        found = await _slot_and_person(s, run)
        if found is None:
            return []
        slot, p, _ = found
        examiner = slot.examiner_telegram_id
        if not examiner:
            return []
        if slot.materials_file_id:
            # R-COO-3: the examiner's materials, 30 minutes before
            button = Button(
                text="remote-btn-materials",
                target=Place(action=f"rmat-{slot.id}", contest_id=run.contest.id),
            )
            return [
                Message(
                    run.scope,
                    examiner,
                    "remote-materials",
                    _args(slot, p, run.contest),
                    keyboard=[[button]],
                )
            ]
        return [
            Message(
                run.scope,
                examiner,
                "remote-materials-none",
                _args(slot, p, run.contest),
            )
        ]


register(RemoteScheduleAnnouncement())
register(RemoteDayReminder())
register(RemoteBriefingNotice())
register(RemoteMaterialsRelease())
