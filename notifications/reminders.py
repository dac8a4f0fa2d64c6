"""Reminder kinds: each knows when it is due and what it says. The sweep asks every
registered kind for its due runs and turns their messages into outbox rows; a later feature
(scoring, signing, appeals, remote events) adds a kind with :func:`register`, without
touching the sweep.

A *run* is one kind for one scope (a contest) at one due time. It is recorded in
``reminder_runs`` in the transaction that writes its messages, so it happens once (R-REM-6),
and a sweep with nothing due costs one indexed look-up per kind and contest."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules
from models.buttons import Button, KeyboardSpec, Place, Queue, Slot, Worklist
from models.buttons import Protocol as ProtocolTarget
from models.contest_file import Role
from models.rules import Gap, VerificationStatus, format_local
from models.services.contests import application_deadline
from models.services.participants import application_view
from models.services.scoring.reports import unscored_by_expert
from models.tables import (
    Application,
    Contest,
    Participant,
    Person,
    Protocol,
    ProtocolSignature,
    ProtocolSigner,
    ProtocolVersion,
    Region,
    RoleAssignment,
    Scheme,
)
from notifications.i18n import t


@dataclass(frozen=True, slots=True)
class Run:
    scope: str
    due_at: datetime
    expires_at: datetime | None
    contest: Contest
    label: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    chat_id: int
    key: str
    args: dict[str, Any]
    keyboard: KeyboardSpec | None = None
    language: str = "ru"


@dataclass
class ReminderKind:
    """Subclasses say when (``runs``) and what (``messages``)."""

    name: ClassVar[str]
    #: non-essential kinds are skipped for people who muted reminders (/settings)
    muteable: ClassVar[bool] = True

    def reason(self, run: Run) -> str:
        return f"{self.name}:{run.label}" if run.label else self.name

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        raise NotImplementedError

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        raise NotImplementedError


REGISTRY: list[ReminderKind] = []


def register(kind: ReminderKind) -> ReminderKind:
    REGISTRY.append(kind)
    return kind


def _offset_label(off: timedelta) -> str:
    return f"{off.days}d" if off.days else f"{off.seconds // 3600}h"


# --------------------------------------------------------------------------- R-REM-1


@dataclass
class ApplicationDeadlineReminder(ReminderKind):
    """R-REM-1: participants with an unfinished verification or application, 7 days, 1 day
    and 3 hours before the application deadline. Each message lists what is missing and its
    button leads to the first missing thing. Deadline notices cannot be muted."""

    name: ClassVar[str] = "app_deadline"
    muteable: ClassVar[bool] = False
    offsets: tuple[timedelta, ...] = field(default=rules.DEADLINE_REMINDER_OFFSETS)

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        out = []
        for contest in contests:
            deadline = application_deadline(contest)
            if deadline is None:
                continue
            off = rules.current_deadline_reminder(deadline, now, self.offsets)
            if off is not None:
                out.append(
                    Run(
                        f"contest:{contest.id}",
                        deadline - off,
                        deadline,
                        contest,
                        _offset_label(off),
                    )
                )
        return out

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        contest = run.contest
        rows = (
            await s.execute(
                select(Participant, Person)
                .join(Person, Person.id == Participant.person_id)
                .where(
                    Participant.contest_id == contest.id,
                    Participant.stage.in_(rules.UNFINISHED_STAGES),
                )
                .options(
                    selectinload(Participant.application).selectinload(Application.nomination),
                    selectinload(Participant.application).selectinload(Application.files),
                )
            )
        ).all()
        assert run.expires_at is not None  # these runs expire at the deadline (runs above)
        deadline = format_local(run.expires_at, contest.timezone)
        out = []
        for p, person in rows:
            view = application_view(p.application) if p.application is not None else None
            gaps = rules.participant_gaps(
                p.stage,
                form={
                    "full_name": bool(p.full_name),
                    "snils": bool(p.snils_encrypted),
                    "region": bool(p.region_id),
                    "organisation": bool(p.organisation_id),
                },
                rejected=p.verification_status == VerificationStatus.REJECTED,
                missing=view.missing if view else None,
            )
            if not gaps:
                continue
            titles = {}
            if view is not None:
                titles = {f.code: f.title for f in view.nomination.fields} | {
                    f.code: f.title for f in view.nomination.files
                }
            lang = person.language or "ru"
            lines = "\n".join("• " + gap_text(g, titles, lang) for g in gaps)
            out.append(
                Message(
                    subject=f"participant:{p.id}",
                    chat_id=person.chat_id or person.telegram_id,
                    key="remind-deadline",
                    args={"contest": contest.title, "deadline": deadline, "missing": lines},
                    keyboard=[[gap_button(gaps[0], contest.id, titles)]],
                    language=lang,
                )
            )
        return out


def gap_text(gap: Gap, titles: dict[str, str], lang: str = "ru") -> str:
    """A missing thing in words: plain text (the sender escapes arguments once)."""
    title = titles.get(gap.code, gap.code)
    if gap.kind == "form_field":
        return t(f"gap-form-{gap.code.replace('_', '-')}", lang)
    if gap.kind in ("form_send", "form_resend", "nomination", "submit"):
        return t(f"gap-{gap.kind.replace('_', '-')}", lang)
    if gap.kind == "field":
        return t("missing-field", lang, title=title)
    if gap.kind == "file":
        return t("missing-file", lang, title=title)
    return t(f"missing-consent-{gap.code}", lang)


def gap_button(gap: Gap, contest_id: int, titles: dict[str, str]) -> Button:
    """The button that leads straight to the missing thing."""
    cid = contest_id
    if gap.kind.startswith("form"):
        return Button(text="btn-fill-form", target=Place(action="form", contest_id=cid))
    if gap.kind == "nomination":
        return Button(
            text="btn-choose-nomination", target=Place(action="nominations", contest_id=cid)
        )
    if gap.kind in ("field", "file"):
        is_field = gap.kind == "field"
        return Button(
            text="btn-gap-field" if is_field else "btn-gap-file",
            args={"title": titles.get(gap.code, gap.code)[:40]},
            target=Slot(action="field" if is_field else "file", code=gap.code, contest_id=cid),
        )
    return Button(text="btn-open-application", target=Place(action="application", contest_id=cid))


# --------------------------------------------------------------------------- R-REM-2 / R-VER-4


async def _overdue_by_region(
    s: AsyncSession, contest_id: int, older_than: datetime
) -> dict[str, tuple[str, int, datetime]]:
    """Pending verification requests sent before ``older_than``, per region code:
    (region name, count, oldest) — counted by the database over the queue index
    (contest, status, submitted_at)."""
    rows = (
        await s.execute(
            select(Region.code, Region.name, func.count(), func.min(Participant.submitted_at))
            .join(Region, Region.id == Participant.region_id)
            .where(
                Participant.contest_id == contest_id,
                Participant.verification_status == VerificationStatus.PENDING,
                Participant.submitted_at <= older_than,
            )
            .group_by(Region.code, Region.name)
        )
    ).all()
    # submitted_at is set on every pending request counted here (the WHERE above)
    return {code: (name, count, oldest) for code, name, count, oldest in rows if oldest is not None}


async def _languages(s: AsyncSession, telegram_ids: list[int]) -> dict[int, str]:
    """Each staff member's language (their Person row; Russian when they have none)."""
    if not telegram_ids:
        return {}
    rows = await s.execute(
        select(Person.telegram_id, Person.language).where(Person.telegram_id.in_(telegram_ids))
    )
    return {tid: (lang or "ru") for tid, lang in rows.all()}


@dataclass
class VerificationBacklogReminder(ReminderKind):
    """R-REM-2: every morning (09:00 contest time) each regional coordinator with requests
    pending ≥ 3 days gets one message with their count and the oldest's age."""

    name: ClassVar[str] = "verification_backlog"
    after: timedelta = rules.VERIFICATION_REMIND_AFTER

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        out = []
        for c in contests:
            due = rules.daily_due(now, ZoneInfo(c.timezone))
            out.append(Run(f"contest:{c.id}", due, due + timedelta(days=1), c))
        return out

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        overdue = await _overdue_by_region(s, run.contest.id, now - self.after)
        if not overdue:
            return []
        coordinators = (
            await s.execute(
                select(RoleAssignment).where(
                    RoleAssignment.contest_id == run.contest.id,
                    RoleAssignment.role == Role.COORDINATOR,
                    RoleAssignment.active.is_(True),
                )
            )
        ).scalars()
        per_person: dict[int, list[tuple[str, int, datetime]]] = defaultdict(list)
        for role in coordinators:
            for code in role.region_codes:
                if code in overdue:
                    per_person[role.telegram_id].append(overdue[code])
        out = []
        languages = await _languages(s, list(per_person))
        for telegram_id, items in per_person.items():
            count = sum(n for _, n, _ in items)
            oldest = min(at for _, _, at in items)
            out.append(
                Message(
                    subject=f"contest:{run.contest.id}",
                    chat_id=telegram_id,
                    key="remind-coord-backlog",
                    args={
                        "contest": run.contest.title,
                        "count": count,
                        "days": (now - oldest).days,
                        "after": self.after.days,
                    },
                    keyboard=[
                        [Button(text="btn-open-queue", target=Queue(contest_id=run.contest.id))]
                    ],
                    language=languages.get(telegram_id, "ru"),
                )
            )
        return out


@dataclass
class VerificationEscalation(ReminderKind):
    """R-VER-4 (our decision): requests pending ≥ 5 days are escalated every morning to the
    contest's federal coordinators, region by region."""

    name: ClassVar[str] = "verification_escalation"
    after: timedelta = rules.VERIFICATION_ESCALATE_AFTER

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        return await VerificationBacklogReminder.runs(self, s, now, contests)  # type: ignore[arg-type]

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        overdue = await _overdue_by_region(s, run.contest.id, now - self.after)
        if not overdue:
            return []
        federal = (
            (
                await s.execute(
                    select(RoleAssignment.telegram_id).where(
                        RoleAssignment.contest_id == run.contest.id,
                        RoleAssignment.role == Role.FEDERAL_COORDINATOR,
                        RoleAssignment.active.is_(True),
                    )
                )
            )
            .scalars()
            .all()
        )
        languages = await _languages(s, list(federal))

        def lines(lang: str) -> str:
            return "\n".join(
                "• "
                + t(
                    "remind-escalation-region",
                    lang,
                    region=name,
                    count=count,
                    days=(now - oldest).days,
                )
                for name, count, oldest in sorted(overdue.values())
            )

        return [
            Message(
                subject=f"contest:{run.contest.id}",
                chat_id=telegram_id,
                key="remind-federal-escalation",
                args={
                    "contest": run.contest.title,
                    "after": self.after.days,
                    "regions": lines(languages.get(telegram_id, "ru")),
                },
                keyboard=[[Button(text="btn-open-queue", target=Queue(contest_id=run.contest.id))]],
                language=languages.get(telegram_id, "ru"),
            )
            for telegram_id in federal
        ]


# --------------------------------------------------------------------------- R-REM-3 / R-APP-7

#: our decision: experts are reminded 3 days and 1 day before the evaluation deadline
SCORING_REMINDER_OFFSETS: tuple[timedelta, ...] = (timedelta(days=3), timedelta(days=1))


@dataclass
class ScoringDeadlineReminder(ReminderKind):
    """R-REM-3: 3 days and 1 day before a stage's evaluation deadline (R-APP-7), each expert
    of a locked scheme of that stage who still has aspects to score (never scored, or
    flagged for a re-score) gets one message: how many are left, the scheme and the
    deadline, with a button to score entry. One run per scheme and due time (a scheme
    locked inside the window still gets the next one); nothing after the deadline or once
    the scores are locked."""

    name: ClassVar[str] = "scoring_deadline"
    offsets: tuple[timedelta, ...] = field(default=SCORING_REMINDER_OFFSETS)

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        due: dict[int, tuple[Contest, datetime, timedelta]] = {}
        for contest in contests:
            for stage in contest.stages:
                if not stage.active or stage.evaluation_deadline is None:
                    continue
                off = rules.current_deadline_reminder(stage.evaluation_deadline, now, self.offsets)
                if off is not None:
                    due[stage.id] = (contest, stage.evaluation_deadline, off)
        if not due:
            return []
        schemes = (
            await s.execute(
                select(Scheme.id, Scheme.stage_id)
                .where(
                    Scheme.stage_id.in_(due),
                    Scheme.locked_at.is_not(None),
                    Scheme.scores_locked_at.is_(None),
                )
                .order_by(Scheme.id)
            )
        ).all()
        out = []
        for scheme_id, stage_id in schemes:
            contest, deadline, off = due[stage_id]
            out.append(
                Run(f"scheme:{scheme_id}", deadline - off, deadline, contest, _offset_label(off))
            )
        return out

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        scheme = await s.get(Scheme, int(run.scope.removeprefix("scheme:")))
        if scheme is None:
            return []
        left = await unscored_by_expert(s, scheme)
        if not left:
            return []
        people = {
            p.telegram_id: p
            for p in (
                await s.execute(
                    select(Person).where(Person.telegram_id.in_([tid for tid, _ in left]))
                )
            ).scalars()
        }
        assert run.expires_at is not None  # these runs expire at the deadline (runs above)
        deadline = format_local(run.expires_at, run.contest.timezone)
        out = []
        for telegram_id, count in left:
            person = people.get(telegram_id)
            out.append(
                Message(
                    subject=f"scheme:{scheme.id}",
                    chat_id=(person.chat_id or person.telegram_id)
                    if person is not None
                    else telegram_id,
                    key="remind-scoring-deadline",
                    args={
                        "scheme": scheme.title,
                        "contest": run.contest.title,
                        "deadline": deadline,
                        "count": count,
                    },
                    keyboard=[
                        [
                            Button(
                                text="sco-btn-continue",
                                target=Worklist(contest_id=run.contest.id, scheme=scheme.id),
                            )
                        ]
                    ],
                    language=(person.language or "ru") if person is not None else "ru",
                )
            )
        return out


# --------------------------------------------------------------------------- R-REM-3 / R-PRO-2

#: a version issued less than this before a morning's due time waits for the next morning
#: (its signers have just received the PDF)
UNSIGNED_REMIND_AFTER = timedelta(hours=1)


@dataclass
class UnsignedProtocolReminder(ReminderKind):
    """R-REM-3: every morning (09:00 contest time), until a protocol is signed, each signer
    still missing on its current version gets one message per protocol with «Подписать» and
    «Отказаться» for that version. Only protocols being signed whose PDF is ready (the
    signers have it); nothing once the person signed or the protocol is complete. A signer
    who refused this version with a reason is not reminded: the chief expert has the
    refusal, and a new version (or the signer's own «Подписать») settles it. One run per
    contest and day, one message per person and protocol in it (R-REM-6)."""

    name: ClassVar[str] = "protocol_unsigned"
    after: timedelta = UNSIGNED_REMIND_AFTER

    async def runs(self, s: AsyncSession, now: datetime, contests: list[Contest]) -> list[Run]:
        return await VerificationBacklogReminder.runs(self, s, now, contests)  # type: ignore[arg-type]

    async def messages(self, s: AsyncSession, run: Run, now: datetime) -> list[Message]:
        signed = (
            select(ProtocolSignature.id)
            .where(
                ProtocolSignature.version_id == ProtocolVersion.id,
                ProtocolSignature.telegram_id == ProtocolSigner.telegram_id,
            )
            .exists()
        )
        rows = (
            await s.execute(
                select(
                    Protocol.id,
                    Protocol.title,
                    ProtocolVersion.version,
                    ProtocolSigner.telegram_id,
                    Person.chat_id,
                    Person.language,
                )
                .join(
                    ProtocolVersion,
                    (ProtocolVersion.protocol_id == Protocol.id)
                    & (ProtocolVersion.version == Protocol.current_version),
                )
                .join(ProtocolSigner, ProtocolSigner.protocol_id == Protocol.id)
                .outerjoin(Person, Person.telegram_id == ProtocolSigner.telegram_id)
                .where(
                    Protocol.contest_id == run.contest.id,
                    Protocol.status == "signing",
                    ProtocolVersion.pdf_sha256.is_not(None),
                    ProtocolVersion.created_at <= run.due_at - self.after,
                    ~signed,
                )
                .order_by(Protocol.id, ProtocolSigner.id)
            )
        ).all()
        cid = run.contest.id
        out = []
        for protocol_id, title, version, telegram_id, chat_id, language in rows:
            sign = ProtocolTarget(contest_id=cid, protocol=protocol_id, version=version, do="sign")
            refuse = ProtocolTarget(
                contest_id=cid, protocol=protocol_id, version=version, do="refuse"
            )
            out.append(
                Message(
                    subject=f"protocol:{protocol_id}",
                    chat_id=chat_id or telegram_id,
                    key="pro-note-unsigned",
                    args={"title": title, "version": version},
                    keyboard=[
                        [
                            Button(text="pro-btn-sign", target=sign),
                            Button(text="pro-btn-refuse", target=refuse),
                        ]
                    ],
                    language=language or "ru",
                )
            )
        return out


register(ApplicationDeadlineReminder())
register(VerificationBacklogReminder())
register(VerificationEscalation())
register(ScoringDeadlineReminder())
register(UnsignedProtocolReminder())
