"""A published result never changes silently (issue #12, guarantee 3; R-RES-2, R-APL-1,
R-APL-9, R-PRO-2).

Publication keeps a snapshot of what each participant was told (:class:`PublishedResult`:
total, place, medal). When the results move afterwards — an appeal decided later with a
deduction or a disqualification (R-APL-9), an accepted pre-appeal penalty (R-APL-1) —
:func:`results_changed`, called in the transaction of that decision, compares the new
results with the snapshot exactly and, for every participant whose total, place or medal
changed: records the change (:class:`ResultChange`), tells them old → new and why, and
re-issues their diploma or certificate when it changed. The results protocol gets a new
version, to be signed again (R-PRO-2), and the publication is marked «итоги изменены после
публикации» for the coordinator (``/progress``, ``/publish``).

Before publication nothing is told: the results protocol is then outdated and ``/publish``
refuses until it is made again and signed (``PublicationService``).

A pre-appeal's penalty is the text the experts voted on; :func:`parse_penalty` reads the
participant's number and the points from it («вычет 1 балла у участника №2», «№3 −2,5
балла», «дисквалификация участника №4»), as the dispute form's example asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules
from models.services.access import competence_experts
from models.services.base import ServiceContext, UnitOfWork, count_rows, lock
from models.services.scoring import protocols as docs
from models.services.scoring.results import scheme_results
from models.tables import (
    Appeal,
    Contest,
    EvaluationTarget,
    Nomination,
    Person,
    PreAppeal,
    Protocol,
    ProtocolSignature,
    ProtocolSigner,
    ProtocolVersion,
    PublishedResult,
    ResultAdjustment,
    ResultChange,
    ResultsPublication,
    Scheme,
    Stage,
)

# --------------------------------------------------------------------------- pre-appeal penalty (R-APL-1)

_NUMBER = re.compile(r"№\s*(\d+)")
_POINTS = re.compile(r"(\d+(?:[.,]\d+)?)\s*балл", re.IGNORECASE)
_DISQUALIFY = re.compile(r"дисквалифи", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Penalty:
    """A penalty the results can apply: one participant (by their number on the list), the
    points deducted, or a disqualification."""

    number: int
    points: Decimal
    disqualified: bool


def parse_penalty(text: str | None) -> Penalty | None:
    """R-APL-1: the penalty of a pre-appeal proposal as the results apply it — exactly one
    participant number («№2») and points («1 балл», «2,5 балла») or a disqualification.
    Anything else (a warning, several participants, no number) is a penalty in words only:
    it stays in the protocol and changes no result. Points are checked as a deduction on
    appeal is (R-APL-9): 0.01 steps, at most the scheme's 100 points."""
    if not text:
        return None
    numbers = {int(n) for n in _NUMBER.findall(text)}
    if len(numbers) != 1:
        return None
    disqualified = bool(_DISQUALIFY.search(text))
    points = Decimal(0)
    found = _POINTS.search(_NUMBER.sub(" ", text))
    if found:
        try:
            points = Decimal(found.group(1).replace(",", "."))
        except InvalidOperation:
            return None
        if (
            points < 0
            or points > rules.SCHEME_TOTAL_POINTS
            or points != points.quantize(rules.POINTS_QUANTUM)
        ):
            return None
    if not points and not disqualified:
        return None
    return Penalty(numbers.pop(), points, disqualified)


async def apply_pre_appeal(
    ctx: ServiceContext, uow: UnitOfWork, row: PreAppeal, actor: int | None
) -> bool:
    """An accepted pre-appeal's penalty is applied to the results with its protocol, the same
    way as an appeal deduction (R-APL-1, R-APL-9): a :class:`ResultAdjustment`, and — after
    publication — the change announced (:func:`results_changed`). True when applied."""
    if row.status != "accepted":
        return False
    penalty = parse_penalty(row.penalty)
    if penalty is None:
        return False
    s = uow.session
    target = (
        await s.execute(
            select(EvaluationTarget).where(
                EvaluationTarget.scheme_id == row.scheme_id,
                EvaluationTarget.number == penalty.number,
            )
        )
    ).scalar_one_or_none()
    if target is None:
        return False
    exists = (
        await s.execute(
            select(ResultAdjustment.id).where(
                ResultAdjustment.pre_appeal_id == row.id, ResultAdjustment.target_id == target.id
            )
        )
    ).first()
    if exists is not None:
        return False
    s.add(
        ResultAdjustment(
            scheme_id=row.scheme_id,
            target_id=target.id,
            appeal_id=None,
            pre_appeal_id=row.id,
            points=penalty.points,
            disqualified=penalty.disqualified,
            created_at=uow.now,
        )
    )
    await s.flush()
    scheme = await s.get(Scheme, row.scheme_id)
    uow.audit(
        actor,
        "pre_appeal.penalty",
        "pre_appeal",
        row.id,
        contest_id=scheme.contest_id if scheme else None,
        after={
            "target_id": target.id,
            "points": str(penalty.points),
            "disqualified": penalty.disqualified,
        },
    )
    await results_changed(ctx, uow, row.scheme_id, f"pre_appeal:{row.id}", actor)
    return True


# --------------------------------------------------------------------------- documents


async def award_common(s: AsyncSession, scheme: Scheme, now: datetime) -> dict[str, str]:
    """The fields every certificate and diploma of a scheme shares (R-RES-3)."""
    contest = await s.get(Contest, scheme.contest_id)
    stage = await s.get(Stage, scheme.stage_id)
    nomination = await s.get(Nomination, scheme.nomination_id)
    tz = contest.timezone if contest else "Europe/Moscow"
    return {
        "contest": contest.title if contest else "",
        "stage": stage.title if stage else "",
        "subject": nomination.title if nomination else scheme.title,
        "issued_at": f"{now.astimezone(ZoneInfo(tz)):%d.%m.%Y}",
    }


def document_number(scheme_id: int, target_number: int) -> str:
    return f"{scheme_id}-{target_number}"


# --------------------------------------------------------------------------- the snapshot


async def snapshot(
    uow: UnitOfWork, scheme: Scheme, lines: list[Any], actor: int | None, protocol_version: int
) -> None:
    """At publication: what each participant is told, the base of every later comparison."""
    s = uow.session
    s.add(
        ResultsPublication(
            scheme_id=scheme.id,
            published_by=actor,
            published_at=uow.now,
            protocol_version=protocol_version,
        )
    )
    numbers = dict(
        (
            await s.execute(
                select(EvaluationTarget.id, EvaluationTarget.number).where(
                    EvaluationTarget.scheme_id == scheme.id
                )
            )
        ).all()
    )
    for ln in lines:
        s.add(
            PublishedResult(
                scheme_id=scheme.id,
                target_id=ln.target_id,
                total=ln.total,
                place=ln.place,
                medal=ln.medal,
                disqualified=ln.disqualified,
                document_number=document_number(scheme.id, numbers[ln.target_id]),
                told_at=uow.now,
            )
        )


# --------------------------------------------------------------------------- after publication (R-APL-9)


async def _cause(s: AsyncSession, cause: str) -> tuple[str, int, set[int], str]:
    """(kind, id, the participants it was about, its decision text) of a cause. An appeal is
    about the appellant's participant and any other it penalised (R-APL-9, issue #15)."""
    kind, _, raw = cause.partition(":")
    ident = int(raw) if raw.isdigit() else 0
    if kind == "appeal":
        a = await s.get(Appeal, ident)
        if a is not None:
            others = (
                await s.execute(
                    select(ResultAdjustment.target_id).where(ResultAdjustment.appeal_id == ident)
                )
            ).scalars()
            return kind, ident, {a.target_id, *others}, a.decision_text or ""
    if kind == "pre_appeal":
        p = await s.get(PreAppeal, ident)
        if p is not None:
            about = (
                (
                    await s.execute(
                        select(ResultAdjustment.target_id).where(
                            ResultAdjustment.pre_appeal_id == ident
                        )
                    )
                )
                .scalars()
                .first()
            )
            return kind, ident, {about} if about is not None else set(), p.penalty or p.proposal
    return kind, ident, set(), ""


def _pts(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


async def results_changed(
    ctx: ServiceContext, uow: UnitOfWork, scheme_id: int, cause: str, actor: int | None
) -> int:
    """Called in the transaction of a decision that may move the results (``cause``:
    ``appeal:<id>`` or ``pre_appeal:<id>``). Before publication: nothing (publication waits
    for an up-to-date, signed results protocol). After: every participant whose total, place
    or medal differs from what they were told is told old → new and why, their document is
    re-issued when it changed, the results protocol gets a new version to be signed, and the
    publication is marked changed. Returns how many participants changed. Idempotent: the
    snapshot moves with each announcement, so the same cause twice changes nothing."""
    s = uow.session
    # the publication's lock: a publication and a decision racing are serialised here
    scheme = await lock(s, Scheme, scheme_id)
    if scheme is None:
        return 0
    publication = (
        await s.execute(select(ResultsPublication).where(ResultsPublication.scheme_id == scheme_id))
    ).scalar_one_or_none()
    if publication is None:
        return 0
    await s.flush()
    results = await scheme_results(s, scheme_id)
    told = {
        r.target_id: r
        for r in (
            await s.execute(select(PublishedResult).where(PublishedResult.scheme_id == scheme_id))
        ).scalars()
    }
    changed = []
    for ln in results.lines:
        old = told.get(ln.target_id)
        if old is None:
            continue
        if (Decimal(old.total), old.place, old.medal, old.disqualified) != (
            ln.total,
            ln.place,
            ln.medal,
            ln.disqualified,
        ):
            changed.append((ln, old))
    if not changed:
        return 0
    # R-PRO-2: the results protocol says what the participants are now told — a new version
    experts = sorted(await competence_experts(s, scheme))
    _, version, _ = await docs.results(uow, scheme, results.lines, experts, actor)
    kind, ident, about, text = await _cause(s, cause)
    common = await award_common(s, scheme, uow.now)
    targets = {
        t.id: t
        for t in (
            await s.execute(
                select(EvaluationTarget)
                .where(EvaluationTarget.scheme_id == scheme_id)
                .options(selectinload(EvaluationTarget.participant))
            )
        ).scalars()
    }
    for ln, old in changed:
        t = targets[ln.target_id]
        reissued = None
        if (old.medal, old.disqualified) != (ln.medal, ln.disqualified) and not ln.disqualified:
            editions = await count_rows(
                s, ResultChange, ResultChange.target_id == t.id, ResultChange.reissued.is_not(None)
            )
            reissued = f"{document_number(scheme_id, t.number)}-{editions + 2}"
        s.add(
            ResultChange(
                scheme_id=scheme_id,
                target_id=t.id,
                cause=cause,
                old_total=old.total,
                new_total=ln.total,
                old_place=old.place,
                new_place=ln.place,
                old_medal=old.medal,
                new_medal=ln.medal,
                disqualified=ln.disqualified,
                reissued=reissued,
                protocol_version=version,
                at=uow.now,
            )
        )
        participant = t.participant
        person = await s.get(Person, participant.person_id) if participant is not None else None
        if person is not None and participant.withdrawn_at is None:
            args: dict[str, Any] = {
                "scheme": scheme.title,
                "old_total": _pts(Decimal(old.total)),
                "new_total": _pts(ln.total),
                "old_place": old.place,
                "new_place": ln.place,
                "old_medal": old.medal or "none",
                "new_medal": ln.medal or "none",
                "disqualified": "yes" if ln.disqualified else "no",
                "cause": kind,
                "id": ident,
                "own": "yes" if t.id in about else "no",
                "text": text if t.id in about else "",
                "document": "reissued"
                if reissued
                else ("void" if ln.disqualified and not old.disqualified else "same"),
            }
            if reissued:
                args["_award"] = {
                    **common,
                    "kind": "diploma" if ln.medal else "certificate",
                    "person": participant.full_name or "",
                    "text": "",
                    # the words are the catalogue's (doc-award-replaces), made by the sender
                    "phrase": {
                        "key": "doc-award-replaces",
                        "args": {
                            "number": old.document_number or document_number(scheme_id, t.number)
                        },
                    },
                    "medal": ln.medal,
                    "number": reissued,
                    "file_name": (
                        f"{'diploma' if ln.medal else 'certificate'}-{t.number}-"
                        f"{reissued.rsplit('-', 1)[-1]}.pdf"
                    ),
                }
            await uow.notify(
                reason="result-change",
                subject=f"scheme:{scheme_id}:{cause}",
                chat_id=person.chat_id or person.telegram_id,
                key="pubchg-note-changed",
                args=args,
                language=person.language or "ru",
            )
        old.total, old.place, old.medal, old.disqualified, old.told_at = (
            ln.total,
            ln.place,
            ln.medal,
            ln.disqualified,
            uow.now,
        )
        if reissued:
            old.document_number = reissued
    publication.changed_at = uow.now
    uow.audit(
        actor,
        "results.changed_after_publication",
        "scheme",
        scheme_id,
        contest_id=scheme.contest_id,
        after={
            "cause": cause,
            "participants": [ln.target_id for ln, _ in changed],
            "protocol_version": version,
        },
    )
    if publication.published_by is not None:
        await uow.notify_person(
            publication.published_by,
            reason="result-change",
            subject=f"scheme:{scheme_id}:{cause}",
            key="pubchg-note-coordinator",
            args={
                "scheme": scheme.title,
                "count": len(changed),
                "cause": kind,
                "id": ident,
                "version": version,
            },
        )
    return len(changed)


async def tell_adjusted(
    uow: UnitOfWork, appeal: Appeal, adjustments: list[ResultAdjustment]
) -> int:
    """R-APL-9 (issue #15): before publication, each participant whose result an upheld
    appeal adjusted — points deducted, restored, or a disqualification — is told what changed
    and why (their total and place stay undisclosed until publication, R-RES-2). After
    publication :func:`results_changed` tells them old → new instead. Returns how many."""
    s = uow.session
    if not adjustments:
        return 0
    published = (
        await s.execute(
            select(ResultsPublication.id).where(ResultsPublication.scheme_id == appeal.scheme_id)
        )
    ).first()
    if published is not None:
        return 0
    scheme = await s.get(Scheme, appeal.scheme_id)
    told = 0
    for adj in adjustments:
        t = (
            await s.execute(
                select(EvaluationTarget)
                .where(EvaluationTarget.id == adj.target_id)
                .options(selectinload(EvaluationTarget.participant))
            )
        ).scalar_one_or_none()
        participant = t.participant if t is not None else None
        person = (
            await s.get(Person, participant.person_id)
            if participant is not None and participant.person_id is not None
            else None
        )
        if person is None or participant is None or participant.withdrawn_at is not None:
            continue
        points = Decimal(adj.points)
        await uow.notify(
            reason="result-change",
            subject=f"appeal:{appeal.id}:adjusted:{adj.target_id}",
            chat_id=person.chat_id or person.telegram_id,
            key="cms-note-adjusted",
            language=person.language or "ru",
            args={
                "id": appeal.id,
                "scheme": scheme.title if scheme else "",
                "text": appeal.decision_text or "",
                "effect": "restored" if points < 0 else "deducted" if points > 0 else "none",
                "points": _pts(abs(points)),
                "disqualified": "yes" if adj.disqualified else "no",
            },
        )
        told += 1
    return told


# --------------------------------------------------------------------------- for the coordinator


@dataclass(frozen=True, slots=True)
class ChangedAfterPublication:
    """«итоги изменены после публикации»: one scheme whose published results changed."""

    scheme_id: int
    scheme_title: str
    published_at: datetime
    changed_at: datetime
    participants: int
    protocol_version: int
    protocol_signed: int
    protocol_signers: int
    protocol_complete: bool


async def changed_after_publication(
    s: AsyncSession, contest_id: int, scheme_ids: list[int] | None = None
) -> list[ChangedAfterPublication]:
    """Every scheme of a contest (or of ``scheme_ids``) whose results changed after
    publication, with the state of the new results-protocol version."""
    stmt = (
        select(ResultsPublication, Scheme.title)
        .join(Scheme, Scheme.id == ResultsPublication.scheme_id)
        .where(Scheme.contest_id == contest_id, ResultsPublication.changed_at.is_not(None))
        .order_by(ResultsPublication.changed_at, Scheme.id)
    )
    if scheme_ids is not None:
        stmt = stmt.where(Scheme.id.in_(scheme_ids))
    out = []
    for pub, title in (await s.execute(stmt)).all():
        participants = (
            await s.execute(
                select(func.count(func.distinct(ResultChange.target_id))).where(
                    ResultChange.scheme_id == pub.scheme_id
                )
            )
        ).scalar_one()
        protocol = (
            await s.execute(
                select(Protocol).where(
                    Protocol.kind == "results", Protocol.subject_key == f"results:{pub.scheme_id}"
                )
            )
        ).scalar_one_or_none()
        version, signed, signers, complete = 0, 0, 0, False
        if protocol is not None:
            version, complete = protocol.current_version, protocol.status == "complete"
            signers = await count_rows(s, ProtocolSigner, ProtocolSigner.protocol_id == protocol.id)
            signed = (
                await s.execute(
                    select(func.count())
                    .select_from(ProtocolSignature)
                    .join(ProtocolVersion, ProtocolVersion.id == ProtocolSignature.version_id)
                    .where(
                        ProtocolVersion.protocol_id == protocol.id,
                        ProtocolVersion.version == protocol.current_version,
                        ProtocolSignature.decision == "signed",
                    )
                )
            ).scalar_one()
        out.append(
            ChangedAfterPublication(
                pub.scheme_id,
                title,
                pub.published_at,
                pub.changed_at or pub.published_at,  # the query keeps changed ones only
                int(participants),
                version,
                int(signed),
                int(signers),
                complete,
            )
        )
    return out


__all__ = [
    "ChangedAfterPublication",
    "Penalty",
    "apply_pre_appeal",
    "award_common",
    "changed_after_publication",
    "document_number",
    "parse_penalty",
    "results_changed",
    "snapshot",
    "tell_adjusted",
]
