"""Monitoring (R-COO-2): how a contest is going in the regions a coordinator looks after —
verification requests, applications per nomination and region, scoring completion and
missing signatures — as a report of plain values and as an XLSX workbook.

Every figure is a SQL aggregate (GROUP BY); Python only arranges the grouped rows. The role
and the regions are checked exactly as for the verification queue (``CoordinatorService``).
Missing signatures (:meth:`MonitoringService._missing_signatures`) are the required signers
without a signature on the current version of each protocol still being signed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import rules
from models.errors import NotFound
from models.rules import ApplicationStatus, VerificationStatus
from models.services.access import Scope, coordinator_scope, in_scope
from models.services.base import Service
from models.services.scoring.changes import ChangedAfterPublication, changed_after_publication
from models.tables import (
    Application,
    AspectResult,
    Contest,
    EvaluationTarget,
    Nomination,
    Participant,
    Protocol,
    ProtocolSignature,
    ProtocolSigner,
    ProtocolVersion,
    Region,
    Scheme,
    SchemeAspect,
)

# --------------------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class VerificationCounts:
    """Verification forms by status (R-VER-3) and the oldest request still waiting."""

    draft: int = 0
    pending: int = 0
    accepted: int = 0
    rejected: int = 0
    withdrawn: int = 0
    oldest_pending_at: datetime | None = None

    @property
    def total(self) -> int:
        return self.draft + self.pending + self.accepted + self.rejected + self.withdrawn


@dataclass(frozen=True, slots=True)
class RegionProgress:
    """One region's totals. ``code`` / ``name`` are None for forms that have no region yet
    (seen only by those who see every region)."""

    code: str | None
    name: str | None
    verification: VerificationCounts
    #: accepted, but no nomination chosen (no application yet)
    no_application: int
    drafts: int
    submitted: int


@dataclass(frozen=True, slots=True)
class NominationProgress:
    """Applications of one nomination in one region (R-APP-2, R-APP-6)."""

    region_code: str
    region_name: str
    nomination_code: str
    nomination_title: str
    drafts: int
    submitted: int


@dataclass(frozen=True, slots=True)
class ScoringProgress:
    """Scoring completion of one nomination in one region (R-SCO-4): applications in the
    evaluation list and how many of them are fully scored."""

    region_name: str
    nomination_title: str
    to_score: int
    scored: int

    @property
    def percent(self) -> int:
        return round(100 * self.scored / self.to_score) if self.to_score else 0


@dataclass(frozen=True, slots=True)
class MissingSignature:
    """A protocol still waiting for a signer (R-PRO-2)."""

    protocol: str
    signer: str
    since: datetime


@dataclass(frozen=True, slots=True)
class ProgressReport:
    contest_id: int
    contest_code: str
    contest_title: str
    timezone: str
    generated_at: datetime
    #: region codes the report covers; None means every region of the contest
    scope: tuple[str, ...] | None
    verification: VerificationCounts
    regions: tuple[RegionProgress, ...]
    #: every region × nomination of the scope, zeros included
    applications: tuple[NominationProgress, ...]
    scoring: tuple[ScoringProgress, ...]
    signatures: tuple[MissingSignature, ...]
    #: «итоги изменены после публикации» (R-APL-9, issue #12): schemes whose published
    #: results changed afterwards, with the new results-protocol version's signatures
    results_changed: tuple[ChangedAfterPublication, ...] = ()

    @property
    def drafts(self) -> int:
        return sum(r.drafts for r in self.applications)

    @property
    def submitted(self) -> int:
        return sum(r.submitted for r in self.applications)

    @property
    def oldest_pending_age(self) -> timedelta | None:
        at = self.verification.oldest_pending_at
        return None if at is None else max(self.generated_at - at, timedelta(0))

    @property
    def oldest_pending_overdue(self) -> bool:
        """R-VER-4: a request waiting this long is already being reminded about."""
        age = self.oldest_pending_age
        return age is not None and age >= rules.VERIFICATION_REMIND_AFTER

    @property
    def export_file_name(self) -> str:
        return export_file_name(self.contest_code, self.generated_at, self.timezone)


def export_file_name(contest_code: str, at: datetime, tz: str) -> str:
    """``progress-<contest code>-<local date>.xlsx``"""
    return f"progress-{contest_code}-{at.astimezone(ZoneInfo(tz)):%Y-%m-%d}.xlsx"


# --------------------------------------------------------------------------- the service

_STATUSES = tuple(VerificationStatus)


class MonitoringService(Service):
    async def progress(self, telegram_id: int, contest_id: int) -> ProgressReport:
        """R-COO-2: the progress of a contest in the regions of a coordinator (all regions
        for a federal coordinator or an admin); anyone else gets ``Forbidden``."""
        async with self.read() as s:
            scope = await coordinator_scope(s, self.ctx, telegram_id, contest_id)
            contest = await s.get(Contest, contest_id)
            if contest is None:
                raise NotFound("contest_not_found")
            region_rows = await self._regions(s, contest_id, scope)
            applications = await self._applications(s, contest_id, scope)
            scoring = await self._scoring(s, contest_id, scope)
            signatures = await self._missing_signatures(s, contest_id, scope)
            results_changed = await self._results_changed(s, contest_id, scope)
        per_region_apps: dict[str | None, tuple[int, int]] = {}
        for row in applications:
            drafts, submitted = per_region_apps.get(row.region_code, (0, 0))
            per_region_apps[row.region_code] = (drafts + row.drafts, submitted + row.submitted)
        regions = tuple(
            RegionProgress(
                r.code,
                r.name,
                r.verification,
                r.no_application,
                *per_region_apps.get(r.code, (0, 0)),
            )
            for r in region_rows
        )
        return ProgressReport(
            contest_id=contest.id,
            contest_code=contest.code,
            contest_title=contest.title,
            timezone=contest.timezone,
            generated_at=self.ctx.clock.now(),
            scope=None if scope is None else tuple(sorted(scope)),
            verification=_sum_counts([r.verification for r in regions]),
            regions=regions,
            applications=applications,
            scoring=scoring,
            signatures=signatures,
            results_changed=results_changed,
        )

    async def _regions(
        self, s: AsyncSession, contest_id: int, scope: Scope
    ) -> list[RegionProgress]:
        """Verification forms per region and status, with the oldest pending request and the
        accepted participants who have no application yet (application counts are added from
        :meth:`_applications`)."""
        grouped = (
            select(
                Participant.region_id,
                Participant.verification_status,
                func.count(Participant.id),
                func.count(Application.id),
                func.min(Participant.submitted_at),
            )
            .outerjoin(Application, Application.participant_id == Participant.id)
            .where(Participant.contest_id == contest_id, *in_scope(contest_id, scope))
            .group_by(Participant.region_id, Participant.verification_status)
        )
        counts: dict[int | None, dict[str, Any]] = {}
        for region_id, status, n, with_application, oldest in await s.execute(grouped):
            entry = counts.setdefault(region_id, {"no_application": 0})
            entry[status] = n
            if status == VerificationStatus.PENDING:
                entry["oldest_pending_at"] = oldest
            elif status == VerificationStatus.ACCEPTED:
                entry["no_application"] = n - with_application
        region_rows = select(Region.id, Region.code, Region.name, Region.active).where(
            Region.contest_id == contest_id
        )
        if scope is not None:
            region_rows = region_rows.where(Region.code.in_(scope))
        out = []
        for region_id, code, name, active in await s.execute(region_rows.order_by(Region.id)):
            found = counts.get(region_id)
            if found is None and not active:
                continue
            out.append(_region(code, name, found or {}))
        if None in counts:  # forms without a region yet: only in an all-regions scope
            out.append(_region(None, None, counts[None]))
        return out

    async def _applications(
        self, s: AsyncSession, contest_id: int, scope: Scope
    ) -> tuple[NominationProgress, ...]:
        """Every region × nomination of the scope with its draft and submitted applications.
        Applications of participants who withdrew (R-PD-1) no longer count."""
        live = (
            select(
                Participant.region_id.label("region_id"),
                Application.nomination_id.label("nomination_id"),
                Application.status.label("status"),
            )
            .join(Application, Application.participant_id == Participant.id)
            .where(
                Participant.contest_id == contest_id,
                Participant.verification_status != VerificationStatus.WITHDRAWN,
            )
            .subquery()
        )
        drafts = func.sum(case((live.c.status == ApplicationStatus.DRAFT, 1), else_=0))
        submitted = func.sum(case((live.c.status == ApplicationStatus.SUBMITTED, 1), else_=0))
        stmt = (
            select(Region.code, Region.name, Nomination.code, Nomination.title, drafts, submitted)
            .select_from(Region)
            .join(Nomination, Nomination.contest_id == Region.contest_id)
            .outerjoin(
                live, and_(live.c.region_id == Region.id, live.c.nomination_id == Nomination.id)
            )
            .where(Region.contest_id == contest_id)
            .group_by(
                Region.id,
                Region.code,
                Region.name,
                Region.active,
                Nomination.id,
                Nomination.code,
                Nomination.title,
                Nomination.position,
                Nomination.active,
            )
            # retired regions and nominations only while they still hold applications
            .having(or_(and_(Region.active, Nomination.active), func.count(live.c.status) > 0))
            .order_by(Region.id, Nomination.position, Nomination.id)
        )
        if scope is not None:
            stmt = stmt.where(Region.code.in_(scope))
        return tuple(
            NominationProgress(rc, rn, nc, nt, int(d or 0), int(sub or 0))
            for rc, rn, nc, nt, d, sub in await s.execute(stmt)
        )

    async def _scoring(
        self, s: AsyncSession, contest_id: int, scope: Scope
    ) -> tuple[ScoringProgress, ...]:
        """Scoring completion per region × nomination (R-SCO-4, R-SCO-5): targets on the
        evaluation lists of the scope and how many have a group result on every aspect.
        Counts only — never marks or totals. One GROUP BY; no schemes → «ещё не начато»."""
        aspects = (
            select(SchemeAspect.scheme_id, func.count().label("n"))
            .group_by(SchemeAspect.scheme_id)
            .subquery()
        )
        scored = (
            select(AspectResult.target_id, func.count().label("k"))
            .where(AspectResult.state == "scored")
            .group_by(AspectResult.target_id)
            .subquery()
        )
        stmt = (
            select(
                Region.name,
                Nomination.title,
                func.count(EvaluationTarget.id),
                func.sum(case((func.coalesce(scored.c.k, 0) >= aspects.c.n, 1), else_=0)),
            )
            .select_from(EvaluationTarget)
            .join(Scheme, Scheme.id == EvaluationTarget.scheme_id)
            .join(Nomination, Nomination.id == Scheme.nomination_id)
            .join(Region, Region.id == EvaluationTarget.region_id)
            .join(aspects, aspects.c.scheme_id == Scheme.id)
            .outerjoin(scored, scored.c.target_id == EvaluationTarget.id)
            .where(Scheme.contest_id == contest_id)
            .group_by(Region.name, Nomination.title)
            .order_by(Region.name, Nomination.title)
        )
        if scope is not None:
            stmt = stmt.where(Region.code.in_(scope))
        return tuple(
            ScoringProgress(rn, nt, int(total), int(done or 0))
            for rn, nt, total, done in await s.execute(stmt)
        )

    async def _results_changed(
        self, s: AsyncSession, contest_id: int, scope: Scope
    ) -> tuple[ChangedAfterPublication, ...]:
        """Published results that changed afterwards (R-APL-9, R-RES-2): for a regional
        coordinator, the schemes with participants of their regions."""
        ids = None
        if scope is not None:
            ids = list(
                (
                    await s.execute(
                        select(EvaluationTarget.scheme_id)
                        .join(Region, Region.id == EvaluationTarget.region_id)
                        .where(Region.contest_id == contest_id, Region.code.in_(scope))
                        .distinct()
                    )
                ).scalars()
            )
        return tuple(await changed_after_publication(s, contest_id, ids))

    async def _missing_signatures(
        self, s: AsyncSession, contest_id: int, scope: Scope
    ) -> tuple[MissingSignature, ...]:
        """Protocols waiting for signers (R-PRO-1, R-PRO-2): every required signer without a
        signature on the current version of a protocol still being signed (a refusal is
        still missing), since that version was made. Signers are the contest's staff, not
        people of a region, so ``scope`` does not narrow the list: every coordinator sees
        every protocol of the contest. One query, oldest first."""
        signed = (
            select(ProtocolSignature.id)
            .where(
                ProtocolSignature.version_id == ProtocolVersion.id,
                ProtocolSignature.telegram_id == ProtocolSigner.telegram_id,
                ProtocolSignature.decision == "signed",
            )
            .exists()
        )
        stmt = (
            select(Protocol.title, ProtocolSigner.name, ProtocolVersion.created_at)
            .join(
                ProtocolVersion,
                and_(
                    ProtocolVersion.protocol_id == Protocol.id,
                    ProtocolVersion.version == Protocol.current_version,
                ),
            )
            .join(ProtocolSigner, ProtocolSigner.protocol_id == Protocol.id)
            .where(Protocol.contest_id == contest_id, Protocol.status == "signing", ~signed)
            .order_by(ProtocolVersion.created_at, Protocol.id, ProtocolSigner.id)
        )
        return tuple(
            MissingSignature(title, name, since) for title, name, since in await s.execute(stmt)
        )


def _region(code: str | None, name: str | None, entry: dict[str, Any]) -> RegionProgress:
    counts = VerificationCounts(
        **{status.value: entry.get(status, 0) for status in _STATUSES},
        oldest_pending_at=entry.get("oldest_pending_at"),
    )
    return RegionProgress(code, name, counts, entry.get("no_application", 0), 0, 0)


def _sum_counts(items: list[VerificationCounts]) -> VerificationCounts:
    oldest = [c.oldest_pending_at for c in items if c.oldest_pending_at is not None]
    return VerificationCounts(
        **{status.value: sum(getattr(c, status.value) for c in items) for status in _STATUSES},
        oldest_pending_at=min(oldest) if oldest else None,
    )


# --------------------------------------------------------------------------- the workbook
