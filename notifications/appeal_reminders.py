"""The workers' checks of appeals (R-REM-4) as reminder kinds driven by the sweep, so they
survive worker crashes and a lost Redis: the due times live in the database (``Appeal``'s
``decide_by`` and ``decided_at``), each run is recorded in ``reminder_runs`` in the
transaction that writes its messages, and the outbox key sends each message once (R-REM-6).

- «decide today» (R-APL-7): at 15:00 in the contest's zone on a decision day with
  registered, undecided appeals, every commission member (the secretary too) is told how
  many are pending and by when;
- «evening alarm»: at 20:00 the same day, if any are still undecided, the chair and the
  secretary are alarmed;
- «extract undelivered» (R-APL-8): an hour after a decision, if any extract of it
  (reason ``appeal-extract``) is not sent yet, the chair is alarmed once with how many.

Appeals decided before a check do not count in it; a day's checks are not made after the
day, and an extract check not made within :data:`EXTRACT_CHECK_WINDOW` of its due time
(the system was down for that long) is dropped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import rules
from models.buttons import Appeal as AppealTarget
from models.buttons import Button
from models.rules import format_local
from models.services.base import move
from models.tables import Appeal, AuditRecord, CommissionMember, Contest, Delivery, Person, Scheme
from notifications.reminders import Message, ReminderKind, Run, register

#: R-REM-4 (our decision): the commission is reminded at 15:00 of a decision day …
DECIDE_REMIND_AT = time(15, 0)
#: … and the chair and the secretary alarmed at 20:00 if appeals are still undecided
DECIDE_ALARM_AT = time(20, 0)
#: the reason and subject of a decision's extract (written by DecisionService.decide)
EXTRACT_REASON = "appeal-extract"
#: an extract check not made within this time after its due time is dropped
EXTRACT_CHECK_WINDOW = timedelta(days=1)


def _wall(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at).replace(tzinfo=tz)


def _day_bounds(now: datetime, tz: ZoneInfo) -> tuple[date, datetime, datetime]:
    """Today in the zone, and its first and the next day's first moment."""
    day = now.astimezone(tz).date()
    return day, _wall(day, time(0), tz), _wall(day + timedelta(days=1), time(0), tz)


async def _pending_today(s: AsyncSession, contest: Contest, now: datetime) -> list[Appeal]:
    """Registered, undecided appeals of a contest whose decision day (``decide_by``'s date
    in the contest's zone) is today."""
    _, start, end = _day_bounds(now, ZoneInfo(contest.timezone))
    return list(
        (
            await s.execute(
                select(Appeal)
                .where(
                    Appeal.contest_id == contest.id,
                    Appeal.status == "registered",
                    Appeal.decide_by >= start,
                    Appeal.decide_by < end,
                )
                .order_by(Appeal.registered_at, Appeal.id)
            )
        ).scalars()
    )


async def _members(
    s: AsyncSession, contest_id: int, roles: tuple[str, ...] | None = None
) -> list[tuple[int, int, str]]:
    """(telegram id, chat id, language) of the contest's commission members, in the order
    the commission was formed; ``roles`` limits them (chair, secretary, member)."""
    q = (
        select(CommissionMember.telegram_id, Person.chat_id, Person.language)
        .outerjoin(Person, Person.telegram_id == CommissionMember.telegram_id)
        .where(CommissionMember.contest_id == contest_id)
        .order_by(CommissionMember.id)
    )
    if roles is not None:
        q = q.where(CommissionMember.role.in_(roles))
    return [
        (tid, chat_id or tid, language or "ru")
        for tid, chat_id, language in (await s.execute(q)).all()
    ]


def _decide_by(pending: list[Appeal], contest: Contest) -> str:
    return format_local(
        max(a.decide_by for a in pending if a.decide_by is not None), contest.timezone
    )


@dataclass
class AppealDecideToday(ReminderKind):
    """R-REM-4 / R-APL-7: at 15:00 on a decision day, each commission member (the secretary
    too) gets one message with how many appeals are to be decided today. The run is due
    only while appeals are pending; it is not made after 20:00 (the alarm takes over)."""

    name: ClassVar[str] = "appeal_decide_today"
    muteable: ClassVar[bool] = False
    at: time = DECIDE_REMIND_AT
    until: time = DECIDE_ALARM_AT

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        out = []
        for contest in contests:
            tz = ZoneInfo(contest.timezone)
            day, _, _ = _day_bounds(now, tz)
            due, expires = _wall(day, self.at, tz), _wall(day, self.until, tz)
            if due <= now < expires and await _pending_today(s, contest, now):
                out.append(Run(f"contest:{contest.id}", due, expires, contest))
        return out

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        pending = await _pending_today(s, run.contest, now)
        if not pending:
            return []
        args = {"count": len(pending), "decide_by": _decide_by(pending, run.contest)}
        return [
            Message(run.scope, chat_id, "apl-note-decide-today", args, language=lang)
            for _, chat_id, lang in await _members(s, run.contest.id)
        ]


@dataclass
class AppealDecideAlarm(ReminderKind):
    """R-REM-4 / R-APL-7: at 20:00 on a decision day, if appeals are still undecided, the
    chair and the secretary are alarmed once. Nothing when everything was decided."""

    name: ClassVar[str] = "appeal_decide_alarm"
    muteable: ClassVar[bool] = False
    at: time = DECIDE_ALARM_AT

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        out = []
        for contest in contests:
            tz = ZoneInfo(contest.timezone)
            day, _, end = _day_bounds(now, tz)
            due = _wall(day, self.at, tz)
            if due <= now < end and await _pending_today(s, contest, now):
                out.append(Run(f"contest:{contest.id}", due, end, contest))
        return out

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        pending = await _pending_today(s, run.contest, now)
        if not pending:
            return []
        args = {"count": len(pending), "decide_by": _decide_by(pending, run.contest)}
        people = await _members(s, run.contest.id, ("chair", "secretary"))
        return [
            Message(run.scope, chat_id, "apl-note-decide-alarm", args, language=lang)
            for _, chat_id, lang in people
        ]


async def _undelivered(s: AsyncSession, appeal_id: int) -> int:
    return (
        await s.execute(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.reason == EXTRACT_REASON,
                Delivery.subject == f"appeal:{appeal_id}:extract",
                Delivery.status != "sent",
            )
        )
    ).scalar_one()


@dataclass
class AppealExtractAlarm(ReminderKind):
    """R-REM-4 / R-APL-8: an hour after a decision, if an extract of it has not reached
    every recipient (the applicant, the chief expert), the chair gets one alarm with how
    many are missing. Nothing when all were sent."""

    name: ClassVar[str] = "appeal_extract_alarm"
    muteable: ClassVar[bool] = False
    within: timedelta = rules.EXTRACT_WITHIN
    window: timedelta = EXTRACT_CHECK_WINDOW

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        by_id = {c.id: c for c in contests}
        if not by_id:
            return []
        rows = (
            await s.execute(
                select(Appeal.id, Appeal.contest_id, Appeal.decided_at)
                .where(
                    Appeal.contest_id.in_(by_id),
                    Appeal.status == "decided",
                    Appeal.decided_at <= now - self.within,
                    Appeal.decided_at > now - self.within - self.window,
                )
                .order_by(Appeal.id)
            )
        ).all()
        return [
            Run(f"appeal:{appeal_id}", decided_at + self.within, None, by_id[contest_id])
            for appeal_id, contest_id, decided_at in rows
            if decided_at is not None  # a decided appeal has its time (the WHERE above)
        ]

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        appeal = await s.get(Appeal, int(run.scope.removeprefix("appeal:")))
        if appeal is None or appeal.status != "decided":
            return []
        missing = await _undelivered(s, appeal.id)
        if not missing:
            return []
        chairs = await _members(s, appeal.contest_id, ("chair",))
        if not chairs and appeal.decided_by is not None:
            person = (
                await s.execute(select(Person).where(Person.telegram_id == appeal.decided_by))
            ).scalar_one_or_none()
            chat_id = person.chat_id if person is not None and person.chat_id else appeal.decided_by
            chairs = [
                (
                    appeal.decided_by,
                    chat_id,
                    (person.language if person is not None else None) or "ru",
                )
            ]
        target = AppealTarget(contest_id=appeal.contest_id, id=appeal.id, do="view")
        keyboard = [[Button(text="apl-btn-open", target=target)]]
        return [
            Message(
                run.scope,
                chat_id,
                "apl-note-extract-alarm",
                {"id": appeal.id, "missing": missing},
                keyboard=keyboard,
                language=lang,
            )
            for _, chat_id, lang in chairs
        ]


@dataclass
class AppealLateRefusal(ReminderKind):
    """R-REM-4 / R-APL-3: a dispute after 21:00 waits for the chief expert to confirm its
    time; if 12:00 comes first, the appeal is refused automatically — in the sweep's
    transaction, with the run — and the applicant and the chief expert are told. The refusal
    is a conditional move (``awaiting_time`` → ``refused_late``): racing the chief's
    confirmation, exactly one of them wins (issue #12)."""

    name: ClassVar[str] = "appeal_late_refusal"
    muteable: ClassVar[bool] = False
    window: timedelta = EXTRACT_CHECK_WINDOW

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        # SQLite: this kind's transaction changes state; the sweep opens it with the write
        # lock (models.db.writing), like a unit of work — its reads stay true until it commits.
        by_id = {c.id: c for c in contests}
        if not by_id:
            return []
        rows = (
            await s.execute(
                select(Appeal.id, Appeal.contest_id, Appeal.deadline_at).where(
                    Appeal.contest_id.in_(by_id),
                    Appeal.status == "awaiting_time",
                    Appeal.deadline_at <= now,
                    Appeal.deadline_at > now - self.window,
                )
            )
        ).all()
        return [
            Run(f"appeal:{appeal_id}", deadline, None, by_id[contest_id])
            for appeal_id, contest_id, deadline in rows
        ]

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        appeal_id = int(run.scope.removeprefix("appeal:"))
        # issue #12: the chief may confirm the time at this very moment (AppealFormService.
        # confirm_time locks the row): a conditional UPDATE moves it only if nobody did —
        # the row count is the verdict; the loser of the race does nothing.
        if not await move(s, Appeal, appeal_id, "status", "awaiting_time", status="refused_late"):
            return []
        appeal = await s.get(Appeal, appeal_id, populate_existing=True)
        if appeal is None:
            return []
        s.add(
            AuditRecord(
                at=now,
                actor_telegram_id=None,
                action="appeal.refused_late",
                entity="appeal",
                entity_id=appeal.id,
                contest_id=appeal.contest_id,
                after={"deadline": appeal.deadline_at.isoformat()},
            )
        )
        scheme = await s.get(Scheme, appeal.scheme_id)
        args = {"id": appeal.id, "deadline": format_local(appeal.deadline_at, run.contest.timezone)}
        out = []
        for who in dict.fromkeys(
            [appeal.applicant_telegram_id, scheme.chief_telegram_id if scheme else None]
        ):
            if who is None:
                continue
            person = (
                await s.execute(select(Person).where(Person.telegram_id == who))
            ).scalar_one_or_none()
            chat_id = person.chat_id if person is not None and person.chat_id else who
            out.append(
                Message(
                    run.scope,
                    chat_id,
                    "apl-note-refused-late",
                    args,
                    language=(person.language if person is not None else None) or "ru",
                )
            )
        return out


register(AppealDecideToday())
register(AppealDecideAlarm())
register(AppealExtractAlarm())
register(AppealLateRefusal())
