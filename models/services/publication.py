"""Results: the commission's results protocol and their publication (R-RES-1…3, R-PRO-1,
R-PRO-4). Publication tells each participant privately their own total, place and medal
with their certificate or diploma; experts get a thank-you letter; the coordinator gets the
results protocol. Documents are made by the sender from their content (``_award``), in the
outbox's batches at Telegram's limits."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models.errors import DomainError, Forbidden, NotFound
from models.services import scoring_protocols as docs
from models.services.base import Service, UnitOfWork
from models.services.coordination import CoordinatorService
from models.services.protocols import ProtocolService
from models.services.scoring import ScoringService
from models.tables import (
    Contest,
    Correction,
    EvaluationTarget,
    Nomination,
    Person,
    Protocol,
    ProtocolVersion,
    Region,
    RoleAssignment,
    Scheme,
    Stage,
)


@dataclass(frozen=True, slots=True)
class PublishReport:
    scheme_id: int
    participants: int
    experts: int
    medals: int


class PublicationService(Service):
    async def _coordinator_of_all(self, s: AsyncSession, actor: int, scheme: Scheme) -> None:
        """Publishing covers every region of the list: a federal coordinator, an admin, or
        a regional coordinator whose regions hold every participant on it."""
        scope = await CoordinatorService(self.ctx)._scope(s, actor, scheme.contest_id)
        if scope is None:
            return
        regions = set(
            (
                await s.execute(
                    select(Region.code).join(EvaluationTarget, EvaluationTarget.region_id == Region.id).where(EvaluationTarget.scheme_id == scheme.id)
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
        scoring = ScoringService(self.ctx)
        async with self.uow() as uow:
            s = uow.session
            scheme = await self._scheme(s, scheme_id)
            await self._coordinator_of_all(s, actor, scheme)
            if scheme.scores_locked_at is None:
                raise DomainError("scores_not_locked")
            results = await scoring._results(s, scheme_id)
            experts = sorted(await scoring._competence_experts(s, scheme))
            pid, _, _ = await docs.results(uow, ProtocolService(self.ctx), scheme, results.lines, experts, actor)
            return pid

    async def readiness(self, actor: int, scheme_id: int) -> dict[str, object]:
        """What publication waits for: the score-lock protocol signed by every expert
        (R-PRO-4) and a results protocol made."""
        async with self.read() as s:
            scheme = await self._scheme(s, scheme_id)
            await self._coordinator_of_all(s, actor, scheme)
            return await self._readiness(s, scheme)

    async def _readiness(self, s: AsyncSession, scheme: Scheme) -> dict[str, object]:
        lock = (await s.execute(select(Protocol).where(Protocol.kind == "score_lock", Protocol.subject_key == f"scores:{scheme.id}"))).scalar_one_or_none()
        results = (await s.execute(select(Protocol).where(Protocol.kind == "results", Protocol.subject_key == f"results:{scheme.id}"))).scalar_one_or_none()
        results_pdf = None
        if results is not None:
            v = (
                await s.execute(select(ProtocolVersion).where(ProtocolVersion.protocol_id == results.id, ProtocolVersion.version == results.current_version))
            ).scalar_one_or_none()
            results_pdf = v.pdf_path if v is not None else None
        # R-SCO-6: a correction not yet signed again leaves a sheet unlocked or unconfirmed
        corrections = (
            await s.execute(
                select(func.count()).select_from(Correction).where(Correction.scheme_id == scheme.id, Correction.status.in_(["approval", "open", "signing"]))
            )
        ).scalar_one()
        return {
            "open_corrections": corrections,
            "scores_locked": scheme.scores_locked_at is not None,
            "score_lock_complete": lock is not None and lock.status == "complete",
            "results_protocol": results.id if results is not None else None,
            "results_pdf": results_pdf,
            "published_at": scheme.results_published_at,
        }

    async def publish(self, actor: int, scheme_id: int) -> PublishReport:
        """R-RES-2: publish after the confirmation in the chat. Refused before the scores are
        locked and the score-lock protocol is signed by everyone (R-PRO-4), or without a
        results protocol; publishing twice changes nothing."""
        scoring = ScoringService(self.ctx)
        async with self.uow() as uow:
            s = uow.session
            scheme = (await s.execute(select(Scheme).where(Scheme.id == scheme_id).with_for_update())).scalar_one_or_none()
            if scheme is None:
                raise NotFound("scheme_not_found")
            await self._coordinator_of_all(s, actor, scheme)
            ready = await self._readiness(s, scheme)
            if scheme.results_published_at is not None:
                contest = await s.get(Contest, scheme.contest_id)
                raise DomainError("already_published", at=scheme.results_published_at, tz=contest.timezone if contest else "Europe/Moscow")
            if not ready["scores_locked"]:
                raise DomainError("scores_not_locked")
            if not ready["score_lock_complete"]:
                raise DomainError("score_lock_unsigned")
            if ready["open_corrections"]:
                raise DomainError("publish_correction_open", count=ready["open_corrections"])
            if ready["results_pdf"] is None:
                raise DomainError("results_protocol_missing")
            results = await scoring._results(s, scheme_id)
            # the attached protocol must say what the participants are told: a correction or
            # an appeal since it was made means it is to be made again (a new version)
            experts = sorted(await scoring._competence_experts(s, scheme))
            _, _, outdated = await docs.results(uow, ProtocolService(self.ctx), scheme, results.lines, experts, actor, dry_run=True)
            if outdated:
                raise DomainError("results_protocol_outdated")
            scheme.results_published_at = uow.now
            uow.audit(actor, "results.publish", "scheme", scheme_id, contest_id=scheme.contest_id, after={"participants": len(results.lines)})
            report = await self._deliver(uow, scheme, results.lines, actor, str(ready["results_pdf"]), int(ready["results_protocol"]))  # type: ignore[arg-type]
            return report

    async def _deliver(self, uow: UnitOfWork, scheme: Scheme, lines: list, actor: int, results_pdf: str, results_protocol: int) -> PublishReport:  # type: ignore[type-arg]
        s = uow.session
        contest = await s.get(Contest, scheme.contest_id)
        stage = await s.get(Stage, scheme.stage_id)
        nomination = await s.get(Nomination, scheme.nomination_id)
        tz = contest.timezone if contest else "Europe/Moscow"
        issued = f"{uow.now.astimezone(ZoneInfo(tz)):%d.%m.%Y}"
        common = {
            "contest": contest.title if contest else "",
            "stage": stage.title if stage else "",
            "subject": nomination.title if nomination else scheme.title,
            "issued_at": issued,
        }
        targets = {
            t.id: t
            for t in (
                await s.execute(
                    select(EvaluationTarget).where(EvaluationTarget.scheme_id == scheme.id).options(
                        selectinload(EvaluationTarget.participant)
                    )
                )
            ).scalars()
        }
        medals = 0
        told = 0
        for ln in lines:
            t = targets[ln.target_id]
            person = await s.get(Person, t.participant.person_id) if t.participant is not None else None
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
                    "_award": {**common, "kind": kind, "person": name, "text": "", "medal": ln.medal,
                               "number": f"{scheme.id}-{t.number}", "file_name": f"{'diploma' if ln.medal else 'certificate'}-{t.number}.pdf"},
                },
                language=person.language or "ru",
            )
        experts = sorted(await ScoringService(self.ctx)._competence_experts(s, scheme))
        names = dict(
            (await s.execute(select(RoleAssignment.telegram_id, RoleAssignment.name).where(RoleAssignment.contest_id == scheme.contest_id, RoleAssignment.telegram_id.in_(experts)))).all()
        )
        for i, e in enumerate(experts, start=1):
            await uow.notify_person(
                e,
                reason="thanks",
                subject=f"scheme:{scheme.id}",
                key="pub-note-thanks",
                args={"scheme": scheme.title, "_award": {**common, "kind": "thanks", "person": names.get(e) or "", "text": "", "medal": None,
                                                          "number": f"{scheme.id}-E{i}", "file_name": f"thanks-{i}.pdf"}},
            )
        await uow.notify_person(
            actor,
            reason="published",
            subject=f"scheme:{scheme.id}",
            key="pub-note-published",
            args={"scheme": scheme.title, "participants": told, "_document": {"path": results_pdf, "name": f"protocol-{results_protocol}-results.pdf"}},
        )
        return PublishReport(scheme.id, told, len(experts), medals)


__all__ = ["PublicationService", "PublishReport"]
