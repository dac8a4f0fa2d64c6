"""Results: the commission's results protocol and their publication (R-RES-1…3, R-PRO-1,
R-PRO-4). Publication tells each participant privately their own total, place and medal
with their certificate or diploma; experts get a thank-you letter; the coordinator gets the
results protocol. Documents are made by the sender from their content (``_award``), in the
outbox's batches at Telegram's limits.

Publication is refused, with the reason and the count, while anything could still change
the results or the protocol is not signed by everyone (:func:`blockers`); it happens once
(the scheme's row is locked); what each participant was told is kept, and a change after
publication is announced, never silent (``results_changes``, issue #12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import rules
from models.errors import DomainError, Forbidden, NotFound
from models.services.access import competence_experts, coordinator_scope
from models.services.base import Service, UnitOfWork, count_rows, lock
from models.services.scoring import changes as results_changes
from models.services.scoring import protocols as docs
from models.services.scoring.results import scheme_results
from models.services.scoring.views import ResultLine
from models.services.volunteers import thank_volunteers
from models.tables import (
    Appeal,
    Contest,
    Correction,
    EvaluationTarget,
    Person,
    PreAppeal,
    Protocol,
    ProtocolSignature,
    ProtocolSigner,
    ProtocolVersion,
    Region,
    RoleAssignment,
    Scheme,
)

#: appeal statuses that are not decided yet (R-APL-7): publication waits for them
UNDECIDED_APPEALS = ("awaiting_time", "registered")


def blockers(ready: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Why the results cannot be published now, in the order they are to be dealt with:
    (catalogue code, its arguments with the count). Empty: publication may go ahead.
    R-PRO-4 (score lock signed), R-SCO-6 (no open correction), R-APL-3 / R-APL-7 / R-APL-1
    (no undecided appeal, no open pre-appeal vote, no dispute whose filing window is still
    open), R-PRO-1 / R-PRO-2 / R-RES-2 (a results protocol signed by every signer)."""
    out: list[tuple[str, dict[str, Any]]] = []
    if not ready["scores_locked"]:
        return [("scores_not_locked", {})]
    if not ready["score_lock_complete"]:
        out.append(("score_lock_unsigned", {}))
    if ready["open_corrections"]:
        out.append(("publish_correction_open", {"count": ready["open_corrections"]}))
    if ready["undecided_appeals"]:
        out.append(("publish_appeals_undecided", {"count": ready["undecided_appeals"]}))
    if ready["voting_pre_appeals"]:
        out.append(("publish_pre_appeals_voting", {"count": ready["voting_pre_appeals"]}))
    if ready["open_disputes"]:
        out.append(
            (
                "publish_dispute_window_open",
                {
                    "count": ready["open_disputes"],
                    "until": ready["disputes_until"],
                    "tz": ready["timezone"],
                },
            )
        )
    if ready["results_pdf"] is None:
        out.append(("results_protocol_missing", {}))
    elif ready.get("results_outdated"):
        out.append(("results_protocol_outdated", {}))
    elif not ready["results_complete"]:
        out.append(
            (
                "publish_results_unsigned",
                {
                    "signed": ready["results_signed"],
                    "total": ready["results_signers"],
                    "waiting": ready["results_signers"] - ready["results_signed"],
                },
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class PublishReport:
    scheme_id: int
    participants: int
    experts: int
    medals: int
    #: R-RES-3 (issue #15): volunteers' letters written by this publication (the stage's first)
    volunteers: int = 0


class PublicationService(Service):
    async def _coordinator_of_all(self, s: AsyncSession, actor: int, scheme: Scheme) -> None:
        """Publishing covers every region of the list: a federal coordinator, an admin, or
        a regional coordinator whose regions hold every participant on it."""
        scope = await coordinator_scope(s, self.ctx, actor, scheme.contest_id)
        if scope is None:
            return
        regions = set(
            (
                await s.execute(
                    select(Region.code)
                    .join(EvaluationTarget, EvaluationTarget.region_id == Region.id)
                    .where(EvaluationTarget.scheme_id == scheme.id)
                )
            ).scalars()
        )
        if not regions <= scope:
            raise Forbidden("publish_other_regions")

    async def _scheme(self, s: AsyncSession, scheme_id: int) -> Scheme:
        scheme = await s.get(Scheme, scheme_id)
        if scheme is None:
            raise NotFound("scheme_not_found")
        return scheme

    async def issue_results_protocol(self, actor: int, scheme_id: int) -> int:
        """The commission's results protocol (R-PRO-1), signed by the chief expert and the
        experts of the competence. Returns the protocol id."""
        async with self.uow() as uow:
            s = uow.session
            scheme = await self._scheme(s, scheme_id)
            await self._coordinator_of_all(s, actor, scheme)
            if scheme.scores_locked_at is None:
                raise DomainError("scores_not_locked")
            results = await scheme_results(s, scheme_id)
            experts = sorted(await competence_experts(s, scheme))
            pid, _, _ = await docs.results(uow, scheme, results.lines, experts, actor)
            return pid

    async def readiness(self, actor: int, scheme_id: int) -> dict[str, Any]:
        """What publication waits for (see :func:`blockers`), and what happened after it
        («итоги изменены после публикации»). ``blockers`` lists the refusals in order."""
        async with self.read() as s:
            scheme = await self._scheme(s, scheme_id)
            await self._coordinator_of_all(s, actor, scheme)
            ready = await self._readiness(s, scheme, self.ctx.clock.now())
            ready["results_outdated"] = (
                await self._outdated(UnitOfWork(session=s, now=self.ctx.clock.now()), scheme, actor)
                if ready["results_pdf"]
                else False
            )
            ready["blockers"] = blockers(ready)
            changed = await results_changes.changed_after_publication(
                s, scheme.contest_id, [scheme.id]
            )
            ready["changed"] = changed[0] if changed else None
            return ready

    async def _readiness(self, s: AsyncSession, scheme: Scheme, now: datetime) -> dict[str, Any]:
        contest = await s.get(Contest, scheme.contest_id)
        tz = contest.timezone if contest else "Europe/Moscow"
        lock_protocol = (
            await s.execute(
                select(Protocol).where(
                    Protocol.kind == "score_lock", Protocol.subject_key == f"scores:{scheme.id}"
                )
            )
        ).scalar_one_or_none()
        results = (
            await s.execute(
                select(Protocol).where(
                    Protocol.kind == "results", Protocol.subject_key == f"results:{scheme.id}"
                )
            )
        ).scalar_one_or_none()
        results_pdf = None
        signed = signers = 0
        if results is not None:
            v = (
                await s.execute(
                    select(ProtocolVersion).where(
                        ProtocolVersion.protocol_id == results.id,
                        ProtocolVersion.version == results.current_version,
                    )
                )
            ).scalar_one_or_none()
            results_pdf = v.pdf_path if v is not None else None
            signers = await count_rows(s, ProtocolSigner, ProtocolSigner.protocol_id == results.id)
            if v is not None:
                signed = await count_rows(
                    s,
                    ProtocolSignature,
                    ProtocolSignature.version_id == v.id,
                    ProtocolSignature.decision == "signed",
                )
        # R-SCO-6: a correction not yet signed again leaves a sheet unlocked or unconfirmed
        corrections = await count_rows(
            s,
            Correction,
            Correction.scheme_id == scheme.id,
            Correction.status.in_(["approval", "open", "signing"]),
        )
        # R-APL-7: appeals not decided yet (awaiting the time's confirmation or the commission)
        undecided = await count_rows(
            s, Appeal, Appeal.scheme_id == scheme.id, Appeal.status.in_(UNDECIDED_APPEALS)
        )
        # R-APL-1: a pre-appeal vote still open may bring a penalty
        pre_appeals = (
            (await s.execute(select(PreAppeal).where(PreAppeal.scheme_id == scheme.id)))
            .scalars()
            .all()
        )
        voting = sum(1 for p in pre_appeals if p.status == "voting")
        # R-APL-3: a dispute (a pre-appeal at the site, or one an appeal names) may still be
        # appealed until 21:00 that day, or 12:00 the next day for a dispute after 21:00
        deadlines = [
            rules.appeal_filing_deadline(p.opened_at.astimezone(ZoneInfo(tz))) for p in pre_appeals
        ]
        deadlines += list(
            (
                await s.execute(select(Appeal.deadline_at).where(Appeal.scheme_id == scheme.id))
            ).scalars()
        )
        open_windows = [d for d in deadlines if d > now]
        return {
            "timezone": tz,
            "open_corrections": corrections,
            "undecided_appeals": undecided,
            "voting_pre_appeals": voting,
            "open_disputes": len(open_windows),
            "disputes_until": max(open_windows) if open_windows else None,
            "scores_locked": scheme.scores_locked_at is not None,
            "score_lock_complete": lock_protocol is not None and lock_protocol.status == "complete",
            "results_protocol": results.id if results is not None else None,
            "results_version": results.current_version if results is not None else None,
            "results_pdf": results_pdf,
            "results_complete": results is not None and results.status == "complete",
            "results_signed": signed,
            "results_signers": signers,
            "published_at": scheme.results_published_at,
        }

    async def _outdated(self, uow: UnitOfWork, scheme: Scheme, actor: int) -> bool:
        """The results protocol must say what the participants are told: a correction, an
        appeal or a pre-appeal penalty since it was made means a new version is due."""
        results = await scheme_results(uow.session, scheme.id)
        experts = sorted(await competence_experts(uow.session, scheme))
        _, _, outdated = await docs.results(
            uow, scheme, results.lines, experts, actor, dry_run=True
        )
        return outdated

    async def publish(self, actor: int, scheme_id: int) -> PublishReport:
        """R-RES-2: publish after the confirmation in the chat — once. Refused, with the
        reason and the count (:func:`blockers`), before the scores are locked and the
        score-lock protocol is signed by everyone (R-PRO-4), while a correction is open
        (R-SCO-6), an appeal is undecided, a pre-appeal vote is open or a dispute's filing
        window is open (R-APL-1, R-APL-3, R-APL-7), without a results protocol saying what
        the participants are told, or before every required signer signed it (R-PRO-2).
        The scheme's row is locked first: a second «Опубликовать» (or a second coordinator)
        waits, then is told when it was published — one set of notices. What each
        participant is told is kept (:func:`results_changes.snapshot`) for any later change."""
        async with self.uow() as uow:
            s = uow.session
            scheme = await lock(s, Scheme, scheme_id)
            if scheme is None:
                raise NotFound("scheme_not_found")
            await self._coordinator_of_all(s, actor, scheme)
            ready = await self._readiness(s, scheme, uow.now)
            if scheme.results_published_at is not None:
                raise DomainError(
                    "already_published", at=scheme.results_published_at, tz=ready["timezone"]
                )
            ready["results_outdated"] = (
                await self._outdated(uow, scheme, actor) if ready["results_pdf"] else False
            )
            refusals = blockers(ready)
            if refusals:
                code, args = refusals[0]
                raise DomainError(code, **args)
            results = await scheme_results(s, scheme_id)
            scheme.results_published_at = uow.now
            uow.audit(
                actor,
                "results.publish",
                "scheme",
                scheme_id,
                contest_id=scheme.contest_id,
                after={
                    "participants": len(results.lines),
                    "protocol_version": ready["results_version"],
                },
            )
            await results_changes.snapshot(
                uow, scheme, results.lines, actor, int(ready["results_version"])
            )
            report = await self._deliver(
                uow,
                scheme,
                results.lines,
                actor,
                str(ready["results_pdf"]),
                int(ready["results_protocol"]),
            )
            return report

    async def _deliver(
        self,
        uow: UnitOfWork,
        scheme: Scheme,
        lines: list[ResultLine],
        actor: int,
        results_pdf: str,
        results_protocol: int,
    ) -> PublishReport:
        s = uow.session
        common = await results_changes.award_common(s, scheme, uow.now)
        targets = {
            t.id: t
            for t in (
                await s.execute(
                    select(EvaluationTarget)
                    .where(EvaluationTarget.scheme_id == scheme.id)
                    .options(selectinload(EvaluationTarget.participant))
                )
            ).scalars()
        }
        medals = 0
        told = 0
        for ln in lines:
            t = targets[ln.target_id]
            person = (
                await s.get(Person, t.participant.person_id) if t.participant is not None else None
            )
            if person is None or t.participant.withdrawn_at is not None:
                continue
            name = t.participant.full_name or ""
            kind = "diploma" if ln.medal else "certificate"
            medals += bool(ln.medal)
            told += 1
            await uow.notify(
                reason="result",
                subject=f"scheme:{scheme.id}",
                chat_id=person.chat_id or person.telegram_id,
                key="pub-note-result",
                args={
                    "scheme": scheme.title,
                    "total": f"{ln.total:.2f}".replace(".", ","),
                    "place": ln.place,
                    "medal": ln.medal or "none",
                    "advances": "yes" if ln.advances else "no",
                    "_award": {
                        **common,
                        "kind": kind,
                        "person": name,
                        "text": "",
                        "medal": ln.medal,
                        "number": results_changes.document_number(scheme.id, t.number),
                        "file_name": f"{'diploma' if ln.medal else 'certificate'}-{t.number}.pdf",
                    },
                },
                language=person.language or "ru",
            )
        experts = sorted(await competence_experts(s, scheme))
        names = dict(
            (
                await s.execute(
                    select(RoleAssignment.telegram_id, RoleAssignment.name).where(
                        RoleAssignment.contest_id == scheme.contest_id,
                        RoleAssignment.telegram_id.in_(experts),
                    )
                )
            ).all()
        )
        for i, e in enumerate(experts, start=1):
            await uow.notify_person(
                e,
                reason="thanks",
                subject=f"scheme:{scheme.id}",
                key="pub-note-thanks",
                args={
                    "scheme": scheme.title,
                    "_award": {
                        **common,
                        "kind": "thanks",
                        "person": names.get(e) or "",
                        "text": "",
                        "medal": None,
                        "number": f"{scheme.id}-E{i}",
                        "file_name": f"thanks-{i}.pdf",
                    },
                },
            )
        volunteers = await thank_volunteers(
            uow, scheme, common
        )  # R-RES-3: volunteers' letters, once per stage
        await uow.notify_person(
            actor,
            reason="published",
            subject=f"scheme:{scheme.id}",
            key="pub-note-published",
            args={
                "scheme": scheme.title,
                "participants": told,
                "_document": {
                    "path": results_pdf,
                    "name": f"protocol-{results_protocol}-results.pdf",
                },
            },
        )
        return PublishReport(scheme.id, told, len(experts), medals, volunteers)


__all__ = ["UNDECIDED_APPEALS", "PublicationService", "PublishReport", "blockers"]
