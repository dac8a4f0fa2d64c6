"""Remote events (дистанционный этап, R-COO-3): a coordinator sets the schedule of
connections — participant, time, link, examiner (собеседник) and the materials. The
participants and staff are told by reminder kinds of ``notifications/remote_reminders``
(announcement ≥ 3 days ahead, day-of reminder, briefing a day ahead, materials 30 minutes
before); this service owns the schedule itself and who may touch it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models.errors import DomainError, Forbidden, NotFound
from models.rules import VerificationStatus, format_local
from models.services.access import check_region, coordinator_scope, in_scope
from models.services.base import Service, lock
from models.services.contests import stage_at
from models.services.coordination import staff_roles
from models.services.staff_history import actor_name, last_action
from models.tables import Contest, Delivery, Participant, Person, RemoteSlot
from models.views import Choice, Page

#: R-COO-3 (004 §2–3): the schedule is announced not later than three days before
ANNOUNCE_AHEAD = timedelta(days=3)
#: R-COO-3 (004 §3): briefing of examiners and experts not later than a day before
BRIEFING_AHEAD = timedelta(days=1)
#: R-COO-3 (004 §4): materials reach the examiner not earlier than 30 minutes before
MATERIALS_AHEAD = timedelta(minutes=30)
MIN_DURATION, MAX_DURATION = 5, 480
MAX_LINK = 500
PICK_PAGE = 8
_LINK = re.compile(r"https?://\S+")


@dataclass(frozen=True, slots=True)
class SlotView:
    id: int
    contest_id: int
    contest_title: str
    timezone: str
    participant_id: int
    participant_name: str
    starts_at: datetime
    duration_minutes: int
    link: str
    examiner_telegram_id: int | None
    materials_file_name: str | None
    has_materials: bool
    cancelled_at: datetime | None


@dataclass(frozen=True, slots=True)
class Materials:
    file_id: str
    file_name: str | None
    slot: SlotView


# --------------------------------------------------------------------------- pure rules


def earliest_start(now: datetime) -> datetime:
    """R-COO-3: the first moment a connection may be scheduled for, announced now."""
    return now + ANNOUNCE_AHEAD


def check_start(starts_at: datetime, now: datetime, tz: str) -> None:
    if starts_at.tzinfo is None:
        raise ValueError("naive starts_at")
    if starts_at < earliest_start(now):
        raise DomainError("remote_too_soon", earliest=earliest_start(now), tz=tz)


def check_duration(minutes: int) -> None:
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        raise DomainError("remote_bad_duration", low=MIN_DURATION, high=MAX_DURATION)


def clean_link(link: str) -> str:
    text = (link or "").strip()
    if len(text) > MAX_LINK or not _LINK.fullmatch(text):
        raise DomainError("remote_bad_link")
    return text


def materials_from(starts_at: datetime) -> datetime:
    return starts_at - MATERIALS_AHEAD


def slot_view(slot: RemoteSlot, participant: Participant, contest: Contest) -> SlotView:
    return SlotView(
        id=slot.id,
        contest_id=slot.contest_id,
        contest_title=contest.title,
        timezone=contest.timezone,
        participant_id=participant.id,
        participant_name=participant.full_name or "—",
        starts_at=slot.starts_at,
        duration_minutes=slot.duration_minutes,
        link=slot.link,
        examiner_telegram_id=slot.examiner_telegram_id,
        materials_file_name=slot.materials_file_name,
        has_materials=bool(slot.materials_file_id),
        cancelled_at=slot.cancelled_at,
    )


class RemoteEventService(Service):
    """Every method checks the role and the region here (R-ROLE-1), whatever was pressed."""

    async def _contest(self, s: AsyncSession, contest_id: int) -> Contest:
        contest = await s.get(Contest, contest_id, options=[selectinload(Contest.stages)])
        if contest is None:
            raise NotFound("contest_not_found")
        return contest

    # ------------------------------------------------------------------ coordinator

    async def candidates(self, actor: int, contest_id: int, page: int = 0) -> Page:
        """Accepted participants of the actor's regions, to schedule a connection for."""
        async with self.read() as s:
            scope = await coordinator_scope(s, self.ctx, actor, contest_id)
            cond: list[Any] = [
                Participant.contest_id == contest_id,
                Participant.verification_status == VerificationStatus.ACCEPTED,
                *in_scope(contest_id, scope),
            ]
            rows = (
                await s.execute(
                    select(Participant.id, Participant.full_name)
                    .where(*cond)
                    .order_by(Participant.full_name, Participant.id)
                )
            ).all()
            pages = max(1, math.ceil(len(rows) / PICK_PAGE))
            page = min(max(page, 0), pages - 1)
            items = [
                Choice(pid, name or "—")
                for pid, name in rows[page * PICK_PAGE : (page + 1) * PICK_PAGE]
            ]
            return Page(items, page, pages, len(rows))

    async def check_start(self, actor: int, contest_id: int, starts_at: datetime) -> None:
        """The ≥ 3 days rule on its own, so that a conversation can refuse early."""
        async with self.read() as s:
            await coordinator_scope(s, self.ctx, actor, contest_id)
            contest = await self._contest(s, contest_id)
            check_start(starts_at, self.ctx.clock.now(), contest.timezone)

    async def add_slot(
        self,
        actor: int,
        contest_id: int,
        participant_id: int,
        starts_at: datetime,
        duration_minutes: int,
        link: str,
        examiner_telegram_id: int | None = None,
        materials_file_id: str | None = None,
        materials_file_name: str | None = None,
    ) -> SlotView:
        """R-COO-3: one connection of the schedule. Refused when it could not be announced
        three days ahead; the announcement itself is sent by the sweep."""
        check_duration(duration_minutes)
        link = clean_link(link)
        async with self.uow() as uow:
            s = uow.session
            scope = await coordinator_scope(s, self.ctx, actor, contest_id)
            contest = await self._contest(s, contest_id)
            # The participant's schedule is changed one at a time (issue #12): two coordinators
            # adding overlapping connections — the second sees the first and is refused.
            await lock(s, Participant, participant_id)
            p = await s.get(Participant, participant_id, options=[selectinload(Participant.region)])
            if p is None or p.contest_id != contest_id:
                raise NotFound("participant_not_found")
            check_region(p, scope)
            if p.verification_status != VerificationStatus.ACCEPTED:
                raise DomainError("remote_not_accepted")
            check_start(starts_at, uow.now, contest.timezone)
            ends_at = starts_at + timedelta(minutes=duration_minutes)
            others = (
                await s.execute(
                    select(RemoteSlot).where(
                        RemoteSlot.participant_id == p.id,
                        RemoteSlot.cancelled_at.is_(None),
                        RemoteSlot.starts_at < ends_at,
                        RemoteSlot.starts_at > starts_at - timedelta(minutes=MAX_DURATION),
                    )
                )
            ).scalars()
            for other in others:
                if other.starts_at + timedelta(minutes=other.duration_minutes) > starts_at:
                    who = await actor_name(s, contest_id, other.created_by)
                    raise DomainError(
                        "remote_overlap", at=other.starts_at, who=who, tz=contest.timezone
                    )
            stage = stage_at(contest, starts_at)
            slot = RemoteSlot(
                contest_id=contest_id,
                stage_id=stage.id if stage else None,
                participant_id=p.id,
                starts_at=starts_at,
                duration_minutes=duration_minutes,
                link=link,
                examiner_telegram_id=examiner_telegram_id,
                materials_file_id=materials_file_id,
                materials_file_name=materials_file_name,
                created_by=actor,
                created_at=uow.now,
            )
            s.add(slot)
            await s.flush()
            uow.audit(
                actor,
                "remote.add_slot",
                "remote_slot",
                slot.id,
                contest_id=contest_id,
                after={
                    "participant_id": p.id,
                    "starts_at": starts_at.isoformat(),
                    "duration_minutes": duration_minutes,
                    "link": link,
                    "examiner": examiner_telegram_id,
                    "materials": materials_file_name or bool(materials_file_id),
                },
            )
            return slot_view(slot, p, contest)

    async def cancel_slot(self, actor: int, slot_id: int) -> SlotView:
        """Cancel a connection: the participant (and the examiner) are told; reminders of
        the slot not yet sent are dropped."""
        async with self.uow() as uow:
            s = uow.session
            slot, p, contest = await self._slot_for_coordinator(s, actor, slot_id, for_update=True)
            if slot.cancelled_at is not None:
                raise await self._cancelled(s, slot, contest)
            slot.cancelled_at = uow.now
            subject = f"slot:{slot.id}"
            await s.execute(
                update(Delivery)
                .where(
                    Delivery.subject == subject,
                    Delivery.reason.like("remote%"),
                    Delivery.status == "pending",
                )
                .values(status="cancelled")
            )
            view = slot_view(slot, p, contest)
            args = {
                "contest": contest.title,
                "when": format_local(slot.starts_at, contest.timezone),
                "name": view.participant_name,
            }
            person = await s.get(Person, p.person_id)
            if person is None:
                raise NotFound("participant_not_found")
            await uow.notify(
                reason="remote_cancelled",
                subject=subject,
                chat_id=person.chat_id or person.telegram_id,
                language=person.language,
                key="remote-cancelled-participant",
                args=args,
            )
            if slot.examiner_telegram_id:
                await uow.notify(
                    reason="remote_cancelled",
                    subject=subject,
                    chat_id=slot.examiner_telegram_id,
                    key="remote-cancelled-examiner",
                    args=args,
                )
            uow.audit(
                actor,
                "remote.cancel_slot",
                "remote_slot",
                slot.id,
                contest_id=slot.contest_id,
                before={"cancelled": False},
                after={"cancelled": True},
            )
            return view

    @staticmethod
    async def _cancelled(s: AsyncSession, slot: RemoteSlot, contest: Contest) -> DomainError:
        """What already happened to a cancelled connection: who cancelled it and when."""
        seen = await last_action(s, "remote_slot", slot.id, ["remote.cancel_slot"], slot.contest_id)
        who = seen.who if seen is not None else "—"
        return DomainError(
            "remote_already_cancelled",
            who=who,
            at=slot.cancelled_at,
            when=slot.starts_at,
            tz=contest.timezone,
        )

    async def slot(self, actor: int, slot_id: int, *, live: bool = False) -> SlotView:
        """A connection of the actor's regions; ``live``: refused at once when it was already
        cancelled (the «✖» of an old schedule, before the confirmation is asked)."""
        async with self.read() as s:
            slot, p, contest = await self._slot_for_coordinator(s, actor, slot_id)
            if live and slot.cancelled_at is not None:
                raise await self._cancelled(s, slot, contest)
            return slot_view(slot, p, contest)

    async def candidate(self, actor: int, contest_id: int, participant_id: int) -> Choice:
        """A participant a connection may be scheduled for — checked before the first question
        is asked: the role, the region, and that the participant is (still) accepted."""
        async with self.read() as s:
            scope = await coordinator_scope(s, self.ctx, actor, contest_id)
            p = await s.get(Participant, participant_id, options=[selectinload(Participant.region)])
            if p is None or p.contest_id != contest_id:
                raise NotFound("participant_not_found")
            check_region(p, scope)
            if p.verification_status != VerificationStatus.ACCEPTED:
                raise DomainError("remote_not_accepted")
            return Choice(p.id, p.full_name or "—")

    async def slots(self, actor: int, contest_id: int) -> list[SlotView]:
        """The schedule of the actor's regions: connections not yet over, soonest first."""
        async with self.read() as s:
            scope = await coordinator_scope(s, self.ctx, actor, contest_id)
            contest = await self._contest(s, contest_id)
            now = self.ctx.clock.now()
            rows = (
                await s.execute(
                    select(RemoteSlot, Participant)
                    .join(Participant, Participant.id == RemoteSlot.participant_id)
                    .where(
                        RemoteSlot.contest_id == contest_id,
                        RemoteSlot.starts_at > now - timedelta(minutes=MAX_DURATION),
                        RemoteSlot.cancelled_at.is_(None),
                        *in_scope(contest_id, scope),
                    )
                    .order_by(RemoteSlot.starts_at, RemoteSlot.id)
                    .limit(100)
                )
            ).all()
            return [
                slot_view(slot, p, contest)
                for slot, p in rows
                if slot.starts_at + timedelta(minutes=slot.duration_minutes) > now
            ]

    # ------------------------------------------------------------------ participant and examiner

    async def my_slots(self, telegram_id: int, contest_id: int) -> list[SlotView]:
        """A participant's connections not yet over (R-COO-3: when and how to connect)."""
        async with self.read() as s:
            contest = await self._contest(s, contest_id)
            now = self.ctx.clock.now()
            rows = (
                await s.execute(
                    select(RemoteSlot, Participant)
                    .join(Participant, Participant.id == RemoteSlot.participant_id)
                    .join(Person, Person.id == Participant.person_id)
                    .where(
                        Person.telegram_id == telegram_id,
                        RemoteSlot.contest_id == contest_id,
                        RemoteSlot.cancelled_at.is_(None),
                        RemoteSlot.starts_at > now - timedelta(minutes=MAX_DURATION),
                    )
                    .order_by(RemoteSlot.starts_at)
                )
            ).all()
            return [
                slot_view(slot, p, contest)
                for slot, p in rows
                if slot.starts_at + timedelta(minutes=slot.duration_minutes) > now
            ]

    async def materials(self, telegram_id: int, slot_id: int) -> Materials:
        """R-COO-3 (004 §4): the examiner of the slot (or its coordinator) gets the materials,
        not earlier than 30 minutes before the start. Every release is audited."""
        async with self.uow() as uow:
            s = uow.session
            slot = await s.get(RemoteSlot, slot_id)
            if slot is None:
                raise NotFound("remote_slot_not_found")
            if slot.examiner_telegram_id != telegram_id:
                await self._slot_for_coordinator(s, telegram_id, slot_id)
            contest = await self._contest(s, slot.contest_id)
            p = await s.get(Participant, slot.participant_id)
            if p is None:
                raise NotFound("participant_not_found")
            if slot.cancelled_at is not None:
                raise DomainError("remote_slot_cancelled")
            if not slot.materials_file_id:
                raise DomainError("remote_no_materials")
            if uow.now < materials_from(slot.starts_at):
                raise DomainError(
                    "remote_materials_not_yet",
                    at=materials_from(slot.starts_at),
                    tz=contest.timezone,
                )
            uow.audit(
                telegram_id,
                "remote.materials",
                "remote_slot",
                slot.id,
                contest_id=slot.contest_id,
                after={"released": True},
            )
            return Materials(
                slot.materials_file_id, slot.materials_file_name, slot_view(slot, p, contest)
            )

    # ------------------------------------------------------------------ helpers

    async def _slot_for_coordinator(
        self, s: AsyncSession, actor: int, slot_id: int, *, for_update: bool = False
    ) -> tuple[RemoteSlot, Participant, Contest]:
        """``for_update``: the first read of a transition locks the slot (issue #12)."""
        slot = (
            await lock(s, RemoteSlot, slot_id)
            if for_update
            else await s.get(RemoteSlot, slot_id, populate_existing=True)
        )
        if slot is None:
            if (
                not self.is_admin(actor)
                and not (await staff_roles(s, self.ctx, actor)).is_coordinator
            ):
                raise Forbidden("not_coordinator")
            raise NotFound("remote_slot_not_found")
        scope = await coordinator_scope(s, self.ctx, actor, slot.contest_id)
        p = await s.get(
            Participant, slot.participant_id, options=[selectinload(Participant.region)]
        )
        if p is None:
            raise NotFound("participant_not_found")
        check_region(p, scope)
        return slot, p, await self._contest(s, slot.contest_id)
