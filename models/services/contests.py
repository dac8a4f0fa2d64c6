"""Contest definitions: load and re-load (admins), read contests, stages, nominations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import org_names
from models.contest_file import (
    ContestDef,
    definition_sha256,
    nomination_conditions,
    nomination_file_requirements,
    parse_contest_definition,
)
from models.definition_file import DefinitionError, DefinitionInvalid
from models.errors import Forbidden, NotFound
from models.services.base import Service, update_memo
from models.services.invitations.contest_file import apply_file_invitations
from models.services.scoring.scheme import apply_scheme
from models.tables import (
    Contest,
    Nomination,
    Organisation,
    Region,
    RoleAssignment,
    Stage,
)
from models.views import ContestBrief, FieldSpec, FileSlotSpec, LoadResult, NominationView


def application_deadline(contest: Contest) -> datetime | None:
    """R-APP-7: participants register and upload by the first active stage's deadline."""
    for stage in contest.stages:
        if stage.active and stage.application_deadline is not None:
            return stage.application_deadline
    return None


def application_stage(contest: Contest) -> Stage | None:
    for stage in contest.stages:
        if stage.active and stage.application_deadline is not None:
            return stage
    return None


def contest_tz(contest: Contest) -> ZoneInfo:
    return ZoneInfo(contest.timezone)


def stage_start_day(contest: Contest) -> date | None:
    """The day, in the contest's time zone, the stage participants register for starts: the
    championship's "event" of R-VER-6 and the stage date of R-ROLE-4/5."""
    stage = application_stage(contest)
    if stage is None or stage.starts_at is None:
        return None
    return stage.starts_at.astimezone(contest_tz(contest)).date()


def stage_at(contest: Contest, at: datetime) -> Stage | None:
    """The stage in force at a moment: the latest active one that has started by then."""
    started = [
        st for st in contest.stages if st.active and st.starts_at is not None and st.starts_at <= at
    ]
    return max(started, key=lambda st: st.starts_at) if started else None  # type: ignore[arg-type,return-value]


def contest_brief(contest: Contest) -> ContestBrief:
    return ContestBrief(
        id=contest.id,
        code=contest.code,
        title=contest.title,
        timezone=contest.timezone,
        application_deadline=application_deadline(contest),
        privacy_policy_url=contest.privacy_policy_url,
        kind=contest.kind or "",
    )


def nomination_view(nom: Nomination) -> NominationView:
    requirements = {r.code: r for r in nomination_file_requirements(nom.files)}
    return NominationView(
        id=nom.id,
        code=nom.code,
        title=nom.title,
        description=nom.description,
        conditions=nomination_conditions(nom.conditions),
        fields=[
            FieldSpec(
                code=f["code"],
                title=f["title"],
                kind=f.get("kind", "text"),
                required=f.get("required", True),
                max_length=f.get("max_length", 1000),
                hint=f.get("hint"),
            )
            for f in nom.fields
        ],
        files=[FileSlotSpec(f["code"], f["title"], requirements[f["code"]]) for f in nom.files],
    )


async def _upsert_children(
    session: AsyncSession,
    model: Any,
    parent_filter: Any,
    items: list[tuple[str, dict[str, Any]]],
) -> tuple[dict[str, Any], int]:
    """Create or update rows by code; rows the file no longer lists are deactivated, not
    deleted, so nothing that refers to them (participants, applications) is lost."""
    existing = {
        row.code: row
        for row in (await session.execute(select(model).where(parent_filter))).scalars()
    }
    by_code: dict[str, Any] = {}
    for code, values in items:
        row = existing.get(code)
        if row is None:
            row = model(code=code, **values)
            session.add(row)
        else:
            for key, value in values.items():
                setattr(row, key, value)
        row.active = True
        by_code[code] = row
    deactivated = 0
    for code, row in existing.items():
        if code not in by_code and row.active:
            row.active = False
            deactivated += 1
    await session.flush()
    return by_code, deactivated


class ContestService(Service):
    async def load_definition(
        self, actor: int | None, raw: bytes, *, parsed: ContestDef | None = None
    ) -> LoadResult:
        """Load or re-load a contest file (admins only; ``actor=None`` is the command line).
        Raises :class:`DefinitionInvalid` listing every problem; a bad file changes nothing.
        ``parsed``: ``raw`` already parsed off the event loop (the bot, issue #13)."""
        if actor is not None and not self.is_admin(actor):
            raise Forbidden("admin_only")
        definition = parsed if parsed is not None else parse_contest_definition(raw)
        async with self.uow() as uow:
            return await self._apply(uow, actor, definition, definition_sha256(raw))

    async def _apply(self, uow: Any, actor: int | None, d: ContestDef, sha: str) -> LoadResult:
        s = uow.session
        memo = update_memo()
        if memo is not None:  # a load from the chat: the rest of this update reads it afresh
            memo.pop("contests", None)
        contest = (
            await s.execute(select(Contest).where(Contest.code == d.code))
        ).scalar_one_or_none()
        created = contest is None
        before = None if created else {"sha256": contest.definition_sha256, "title": contest.title}
        if contest is None:
            contest = Contest(code=d.code)
            s.add(contest)
        contest.title = d.title
        contest.kind = d.kind
        contest.timezone = d.timezone
        contest.privacy_policy_url = d.privacy_policy_url
        contest.definition_sha256 = sha
        contest.loaded_at = uow.now
        await s.flush()

        deactivated: dict[str, int] = {}
        _, deactivated["stages"] = await _upsert_children(
            s,
            Stage,
            Stage.contest_id == contest.id,
            [
                (
                    st.code,
                    dict(
                        contest_id=contest.id,
                        title=st.title,
                        position=i,
                        starts_at=d.aware(st.starts_at, end_of_day=False),
                        application_deadline=d.aware(st.application_deadline),
                        evaluation_deadline=d.aware(st.evaluation_deadline),
                    ),
                )
                for i, st in enumerate(d.stages)
            ],
        )
        regions, deactivated["regions"] = await _upsert_children(
            s,
            Region,
            Region.contest_id == contest.id,
            [(r.code, dict(contest_id=contest.id, name=r.name)) for r in d.regions],
        )
        orgs_deactivated = 0
        org_count = 0
        for r in d.regions:
            region = regions[r.code]
            _, n = await _upsert_children(
                s,
                Organisation,
                Organisation.region_id == region.id,
                [
                    (
                        o.code,
                        dict(
                            region_id=region.id,
                            name=o.name,
                            search_name=org_names.search_key(o.name),
                        ),
                    )
                    for o in r.organisations
                ],
            )
            orgs_deactivated += n
            org_count += len(r.organisations)
        deactivated["organisations"] = orgs_deactivated
        _, deactivated["nominations"] = await _upsert_children(
            s,
            Nomination,
            Nomination.contest_id == contest.id,
            [
                (
                    n.code,
                    dict(
                        contest_id=contest.id,
                        title=n.title,
                        description=n.description,
                        position=i,
                        conditions=n.conditions.model_dump(mode="json"),
                        fields=[f.model_dump(mode="json") for f in n.fields],
                        files=[f.model_dump(mode="json") for f in n.files],
                    ),
                )
                for i, n in enumerate(d.nominations)
            ],
        )
        existing_roles = {
            (r.telegram_id, r.role): r
            for r in (
                await s.execute(
                    select(RoleAssignment).where(RoleAssignment.contest_id == contest.id)
                )
            ).scalars()
        }
        wanted: set[tuple[int, str]] = set()
        # staff declared without a Telegram id become invitations; roles bound through an
        # invitation are not the file's to revoke unless it was the file that invited them
        kept_by_invitations = await apply_file_invitations(
            uow, contest.id, [p for p in d.people if p.telegram_id is None]
        )
        for p in d.people:
            if p.telegram_id is None:
                continue
            key = (p.telegram_id, p.role.value)
            wanted.add(key)
            row = existing_roles.get(key)
            if row is None:
                row = RoleAssignment(
                    contest_id=contest.id, telegram_id=p.telegram_id, role=p.role.value
                )
                s.add(row)
            row.name = p.name
            row.region_codes = list(p.regions)
            row.expert_status = p.expert_status.value if p.expert_status else None
            row.chief_for = list(p.chief_for)
            row.commission_role = p.commission_role
            row.organisation_code = p.organisation
            row.active = True
        revoked = 0
        for key, row in existing_roles.items():
            if key not in wanted and key not in kept_by_invitations and row.active:
                row.active = False  # revoking a role takes effect at once: checks read this
                revoked += 1
        deactivated["roles"] = revoked
        await s.flush()

        # schemes declared in the file: in this transaction, so a locked scheme the file
        # would change refuses the whole file (R-SCH-3) and nothing is half-loaded
        for i, scheme in enumerate(d.scheme_defs()):
            try:
                await apply_scheme(uow, self.ctx, actor, contest.id, scheme)
            except DefinitionInvalid as exc:
                prefix = f"schemes[{i + 1}]"
                raise DefinitionInvalid(
                    [
                        DefinitionError(
                            prefix if e.place == "—" else f"{prefix}.{e.place}", e.code, e.args
                        )
                        for e in exc.errors
                    ]
                ) from None

        counts = {
            "stages": len(d.stages),
            "regions": len(d.regions),
            "organisations": org_count,
            "nominations": len(d.nominations),
            "people": len(d.people),
            "schemes": len(d.schemes),
        }
        uow.audit(
            actor,
            "contest.load" if created else "contest.reload",
            "contest",
            contest.id,
            contest_id=contest.id,
            before=before,
            after={"sha256": sha, "title": d.title, **counts, "deactivated": deactivated},
        )
        return LoadResult(contest.id, d.code, d.title, created, counts, deactivated)

    async def contests(self) -> list[ContestBrief]:
        """Every contest, in load order. Read on almost every update, changed only by loading a
        definition: kept in memory and checked against one light statement (each contest's id,
        definition hash and load time), so a load by another process is seen at once."""
        memo = update_memo()
        if memo is not None and "contests" in memo:  # already checked during this update
            return list(memo["contests"])
        cache = self.ctx.caches
        async with self.read() as s:
            version = tuple(
                (
                    await s.execute(
                        select(Contest.id, Contest.definition_sha256, Contest.loaded_at).order_by(
                            Contest.id
                        )
                    )
                ).all()
            )
            if cache.get("contests_version") == version:
                if memo is not None:
                    memo["contests"] = cache["contests"]
                return list(cache["contests"])
            rows = (
                await s.execute(
                    select(Contest).options(selectinload(Contest.stages)).order_by(Contest.id)
                )
            ).scalars()
            briefs = [contest_brief(c) for c in rows]
        if tuple((b.id,) for b in briefs) == tuple((v[0],) for v in version):
            cache["contests_version"], cache["contests"] = version, briefs
        if memo is not None:
            memo["contests"] = briefs
        return list(briefs)

    async def contest(self, contest_id: int) -> ContestBrief:
        for brief in await self.contests():
            if brief.id == contest_id:
                return brief
        raise NotFound("contest_not_found")

    async def nominations(self, contest_id: int) -> list[NominationView]:
        async with self.read() as s:
            rows = (
                await s.execute(
                    select(Nomination)
                    .where(Nomination.contest_id == contest_id, Nomination.active.is_(True))
                    .order_by(Nomination.position)
                )
            ).scalars()
            return [nomination_view(n) for n in rows]
