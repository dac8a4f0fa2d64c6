"""Staff invitations (R-ROLE-1): staff are not typed in by Telegram id. A coordinator, a
federal coordinator or an admin invites a named person to a role in a contest and hands out a
deep link; the person opens it, confirms the name, and this Telegram account gets the role.

Tokens are random (``secrets.token_urlsafe``), kept only as SHA-256, single use, expire after
:data:`INVITATION_TTL` and can be revoked. Revoking a role sets ``RoleAssignment.active`` to
false: every permission check reads it, so buttons already on screen stop working at once.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.contest_file import ExpertStatus, PersonDef, Role
from models.errors import DomainError, Forbidden, NotFound
from models.sandbox import FileRefused, XlsxLimits, inspect_xlsx, run_bounded
from models.services.base import Service, UnitOfWork, lock
from models.services.staff_history import contest_tz, last_action
from models.tables import Contest, Invitation, Nomination, Participant, Region, RoleAssignment
from models.teams import representatives_allowed

#: how long a link stays valid
INVITATION_TTL = timedelta(days=14)
#: the ``/start`` payload of an invitation link: ``inv_<token>``
TOKEN_PREFIX = "inv_"
#: rows of one bulk file
MAX_BULK_ROWS = 1000
MAX_BULK_BYTES = 2 * 1024 * 1024

ALL = None  # an inviter's scope: None = every region and role, else the region codes
#: what a regional coordinator may invite to: staff of their region — a coordinator, an
#: expert, the region's team representative (002 §5.3: named by the regional operator) and
#: volunteers (R-RES-3)
REGIONAL_ROLES = (Role.COORDINATOR, Role.EXPERT, Role.TEAM_REPRESENTATIVE, Role.VOLUNTEER)
COMMISSION_ROLES = ("chair", "secretary", "member")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

#: words of a bulk file's «роль» column (lower case) → (role, commission role)
ROLE_WORDS: dict[str, tuple[str, str | None]] = {
    "координатор": (Role.COORDINATOR, None),
    "региональный координатор": (Role.COORDINATOR, None),
    "региональный оператор": (Role.COORDINATOR, None),
    "федеральный координатор": (Role.FEDERAL_COORDINATOR, None),
    "федеральный оператор": (Role.FEDERAL_COORDINATOR, None),
    "эксперт": (Role.EXPERT, None),
    "член комиссии": (Role.COMMISSION_MEMBER, "member"),
    "член апелляционной комиссии": (Role.COMMISSION_MEMBER, "member"),
    "председатель комиссии": (Role.COMMISSION_MEMBER, "chair"),
    "председатель апелляционной комиссии": (Role.COMMISSION_MEMBER, "chair"),
    "секретарь комиссии": (Role.COMMISSION_MEMBER, "secretary"),
    "секретарь апелляционной комиссии": (Role.COMMISSION_MEMBER, "secretary"),
    "представитель команды": (Role.TEAM_REPRESENTATIVE, None),
    "представитель": (Role.TEAM_REPRESENTATIVE, None),
    "волонтер": (Role.VOLUNTEER, None),
    "волонтёр": (Role.VOLUNTEER, None),
    "доброволец": (Role.VOLUNTEER, None),
    **{r.value: (r.value, "member" if r is Role.COMMISSION_MEMBER else None) for r in Role},
}
#: words of the «статус» column (R-ROLE-2)
STATUS_WORDS: dict[str, str] = {
    "менеджер компетенции": ExpertStatus.COMPETENCE_MANAGER,
    "эксперт-наставник": ExpertStatus.MENTOR,
    "наставник": ExpertStatus.MENTOR,
    "индустриальный эксперт": ExpertStatus.INDUSTRIAL,
    "индустриальный": ExpertStatus.INDUSTRIAL,
    "эксперт-методист": ExpertStatus.METHODIST,
    "методист": ExpertStatus.METHODIST,
    **{s.value: s.value for s in ExpertStatus},
}
#: bulk file headers (lower case, without spaces) → field
HEADERS = {
    "фио": "name",
    "ф.и.о.": "name",
    "роль": "role",
    "регион": "region",
    "регионы": "region",
    "e-mail": "email",
    "email": "email",
    "эл.почта": "email",
    "электроннаяпочта": "email",
    "статус": "status",
}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(16)
    return token, hash_token(token)


@dataclass(frozen=True, slots=True)
class InviteSpec:
    """Who is invited to what: the same fields as a person of the contest file."""

    role: str
    name: str
    regions: tuple[str, ...] = ()
    expert_status: str | None = None
    chief_for: tuple[str, ...] = ()
    commission_role: str | None = None
    email: str | None = None
    organisation_code: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    """A new link: the token is shown once and never stored."""

    id: int
    token: str
    name: str
    role: str
    expires_at: datetime

    @property
    def payload(self) -> str:
        return TOKEN_PREFIX + self.token


@dataclass(frozen=True, slots=True)
class InvitationPreview:
    contest_id: int
    contest_title: str
    role: str
    name: str
    regions: list[str]
    expert_status: str | None
    commission_role: str | None
    chief_for: list[str]


@dataclass(frozen=True, slots=True)
class Bound:
    contest_id: int
    contest_title: str
    role: str
    name: str


@dataclass(slots=True)
class BulkRow:
    row: int  # the row number in the sheet (the header is row 1)
    cells: list[str]
    issued: IssuedInvitation | None = None
    error: DomainError | None = None


@dataclass(slots=True)
class BulkResult:
    header: list[str]
    rows: list[BulkRow] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.issued is not None)

    @property
    def failed(self) -> list[int]:
        return [r.row for r in self.rows if r.error is not None]


@dataclass(frozen=True, slots=True)
class StaffEntry:
    id: int
    telegram_id: int
    name: str
    role: str
    regions: list[str]
    expert_status: str | None
    commission_role: str | None


@dataclass(frozen=True, slots=True)
class PendingInvitation:
    id: int
    name: str
    role: str
    source: str
    expires_at: datetime | None  # None: no link issued yet (a contest-file entry)


@dataclass(frozen=True, slots=True)
class StaffList:
    contest_id: int
    contest_title: str
    roles: list[StaffEntry]
    pending: list[PendingInvitation]


# ----------------------------------------------------------------------------- bulk files


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


#: A list's workbook, judged before openpyxl opens it (issue #13: a 287 KB list that unpacked
#: to 2,000,000 rows froze the bot for 142 s): see :func:`models.sandbox.inspect_xlsx`.
LIST_XLSX_LIMITS = XlsxLimits(
    max_unpacked=24 * 1024 * 1024,
    max_part=16 * 1024 * 1024,
    max_shared_strings=8 * 1024 * 1024,
    max_styles=2 * 1024 * 1024,
    max_rows=10 * MAX_BULK_ROWS,
    max_columns=1024,
)
#: Columns read from a list (ФИО, роль, регион, e-mail, статус and a few of the sender's own).
MAX_BULK_COLUMNS = 50
#: Bounds of reading a list in a child process (models.sandbox.run_bounded).
LIST_SECONDS = 15
LIST_MEMORY_MB = 512


def _trimmed(row: list[str]) -> list[str]:
    while row and not row[-1]:
        row.pop()
    return row


def _limited(rows: Any) -> list[list[str]]:
    """At most the rows :meth:`InvitationService.create_bulk` can judge: the blank rows
    before the header, the header, and one row past :data:`MAX_BULK_ROWS` (so that it says
    «больше 1000 строк») — never every row of a long sheet first."""
    out: list[list[str]] = []
    body = -1  # rows after the header; -1 while the header is not yet found
    for row in rows:
        out.append(row)
        if body < 0:
            if any(row):
                body = 0
            elif len(out) > MAX_BULK_ROWS:  # only blank rows: there is no header
                break
            continue
        body += 1
        if body > MAX_BULK_ROWS:
            break
    return out


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """The rows of a CSV or XLSX file as text cells (the first row is the header), at most
    one past the limit. Pure (run it with :func:`read_table_bounded` in the bot); a
    workbook is checked by :func:`models.sandbox.inspect_xlsx` before openpyxl opens it."""
    if len(data) > MAX_BULK_BYTES:
        raise DomainError("inv_file_too_large")
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            inspect_xlsx(data, LIST_XLSX_LIMITS)
        except FileRefused as exc:
            if exc.code == "file_broken":
                raise DomainError("inv_bad_file") from None
            raise
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # a damaged or foreign file: openpyxl raises many kinds
            raise DomainError("inv_bad_file") from exc
        try:
            sheet = book.worksheets[0]
            rows = sheet.iter_rows(max_col=MAX_BULK_COLUMNS, values_only=True)
            return _limited(_trimmed([_cell(v) for v in row]) for row in rows)
        except Exception as exc:  # a malformed sheet
            raise DomainError("inv_bad_file") from exc
        finally:
            book.close()
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "cp1251"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DomainError("inv_bad_file")
        first = text.splitlines()[0] if text else ""
        delimiter = max(";,\t", key=first.count)
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        return _limited(_trimmed([_cell(v) for v in row[:MAX_BULK_COLUMNS]]) for row in reader)
    raise DomainError("inv_bad_file_type")


async def read_table_bounded(filename: str, data: bytes) -> list[list[str]]:
    """:func:`read_table` in a child process, bounded in time and memory (issue #13): the
    event loop and the bot's memory are untouched by a hostile workbook."""
    if len(data) > MAX_BULK_BYTES:
        raise DomainError("inv_file_too_large")
    if filename.lower().endswith(".xlsx"):  # the ZIP checks (milliseconds) before any child
        try:
            inspect_xlsx(data, LIST_XLSX_LIMITS)
        except FileRefused as exc:
            if exc.code == "file_broken":
                raise DomainError("inv_bad_file") from None
            raise
    return await run_bounded(
        read_table, filename, data, seconds=LIST_SECONDS, memory_mb=LIST_MEMORY_MB
    )


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, title in enumerate(header):
        key = HEADERS.get(re.sub(r"\s+", "", title.lower()))
        if key and key not in columns:
            columns[key] = i
    if "name" not in columns or "role" not in columns:
        raise DomainError("inv_bad_header")
    return columns


def _words(value: str) -> list[str]:
    return [w.strip() for w in re.split(r"[,;]", value) if w.strip()]


# ----------------------------------------------------------------------------- the service


class InvitationService(Service):
    async def _scope(self, s: AsyncSession, actor: int, contest_id: int) -> frozenset[str] | None:
        """What ``actor`` may invite to in a contest: None = anything (admin, federal
        coordinator), else coordinators and experts of these regions (a coordinator)."""
        if self.is_admin(actor):
            return ALL
        rows = (
            (
                await s.execute(
                    select(RoleAssignment).where(
                        RoleAssignment.telegram_id == actor,
                        RoleAssignment.contest_id == contest_id,
                        RoleAssignment.active.is_(True),
                        RoleAssignment.role.in_([Role.COORDINATOR, Role.FEDERAL_COORDINATOR]),
                    )
                )
            )
            .scalars()
            .all()
        )
        if not rows:
            raise Forbidden("inv_not_allowed")
        if any(r.role == Role.FEDERAL_COORDINATOR for r in rows):
            return ALL
        return frozenset(code for r in rows for code in r.region_codes)

    async def _require_staff_manager(self, s: AsyncSession, actor: int, contest_id: int) -> None:
        """The staff list and revoking roles: admins and federal coordinators."""
        try:
            scope = await self._scope(s, actor, contest_id)
        except Forbidden:
            raise Forbidden("inv_staff_only") from None
        if scope is not ALL:
            raise Forbidden("inv_staff_only")

    # ------------------------------------------------------------------ reading

    async def inviter_contests(self, actor: int) -> list[tuple[int, str]]:
        """The contests in which ``actor`` may invite someone, (id, title)."""
        async with self.read() as s:
            stmt = select(Contest.id, Contest.title).order_by(Contest.id)
            if not self.is_admin(actor):
                stmt = stmt.where(
                    Contest.id.in_(
                        select(RoleAssignment.contest_id).where(
                            RoleAssignment.telegram_id == actor,
                            RoleAssignment.active.is_(True),
                            RoleAssignment.role.in_([Role.COORDINATOR, Role.FEDERAL_COORDINATOR]),
                        )
                    )
                )
            return [(cid, title) for cid, title in await s.execute(stmt)]

    async def choices(
        self, actor: int, contest_id: int
    ) -> tuple[list[str], list[tuple[str, str]], list[tuple[str, str]]]:
        """For the chat flow: the roles ``actor`` may invite to, the regions (code, name) and
        the nominations (code, title) they may choose from."""
        async with self.read() as s:
            scope = await self._scope(s, actor, contest_id)
            regions = [
                (r.code, r.name)
                for r in (
                    await s.execute(
                        select(Region)
                        .where(Region.contest_id == contest_id, Region.active.is_(True))
                        .order_by(Region.id)
                    )
                ).scalars()
                if scope is ALL or r.code in scope
            ]
            nominations = (
                [
                    (n.code, n.title)
                    for n in (
                        await s.execute(
                            select(Nomination)
                            .where(Nomination.contest_id == contest_id, Nomination.active.is_(True))
                            .order_by(Nomination.position)
                        )
                    ).scalars()
                ]
                if scope is ALL
                else []
            )
            roles = [r.value for r in Role] if scope is ALL else [r.value for r in REGIONAL_ROLES]
            return roles, regions, nominations

    async def menu_roles(self, telegram_id: int) -> frozenset[str]:
        """The roles that shape a person's command menu: participant (everyone), coordinator,
        federal_coordinator, expert, chief, mentor, commission_member, admin."""
        async with self.read() as s:
            rows = (
                (
                    await s.execute(
                        select(RoleAssignment).where(
                            RoleAssignment.telegram_id == telegram_id,
                            RoleAssignment.active.is_(True),
                        )
                    )
                )
                .scalars()
                .all()
            )
        roles = {"participant"}
        for r in rows:
            roles.add(r.role)
            if r.role == Role.EXPERT and r.chief_for:
                roles.add("chief")
            if r.role == Role.EXPERT and r.expert_status == ExpertStatus.MENTOR:
                roles.add("mentor")
        if self.is_admin(telegram_id):
            roles.add("admin")
        return frozenset(roles)

    # ------------------------------------------------------------------ creating

    async def _check_spec(
        self, s: AsyncSession, contest_id: int, scope: frozenset[str] | None, spec: InviteSpec
    ) -> InviteSpec:
        name = " ".join(spec.name.split())
        if not 3 <= len(name) <= 200 or not any(ch.isalpha() for ch in name):
            raise DomainError("inv_bad_name")
        if spec.role not in {r.value for r in Role}:
            raise DomainError("inv_bad_role")
        if scope is not ALL and spec.role not in REGIONAL_ROLES:
            raise Forbidden("inv_role_not_allowed")
        if spec.email is not None and not _EMAIL.match(spec.email):
            raise DomainError("inv_bad_email")
        known = set(
            (
                await s.execute(
                    select(Region.code).where(
                        Region.contest_id == contest_id, Region.active.is_(True)
                    )
                )
            ).scalars()
        )
        for code in spec.regions:
            if code not in known:
                raise DomainError("inv_unknown_region", region=code)
        if spec.role == Role.COORDINATOR and not spec.regions:
            raise DomainError("inv_needs_region")
        if spec.role == Role.TEAM_REPRESENTATIVE and len(spec.regions) != 1:
            raise DomainError("inv_team_one_region")
        if scope is not ALL and spec.role == Role.VOLUNTEER and not spec.regions:
            raise DomainError(
                "inv_volunteer_needs_region"
            )  # a regional coordinator's volunteer is of their region
        if scope is not ALL and not set(spec.regions) <= scope:
            raise Forbidden("inv_region_out_of_scope")
        if spec.role == Role.TEAM_REPRESENTATIVE:
            await self._team_has_room(s, contest_id, spec.regions[0])
        if spec.role == Role.EXPERT:
            if spec.expert_status not in {st.value for st in ExpertStatus}:
                raise DomainError("inv_needs_status")
        elif spec.expert_status is not None or spec.chief_for:
            raise DomainError("inv_status_needs_expert")
        if spec.chief_for:
            if scope is not ALL:
                raise Forbidden("inv_role_not_allowed")
            noms = set(
                (
                    await s.execute(
                        select(Nomination.code).where(Nomination.contest_id == contest_id)
                    )
                ).scalars()
            )
            for code in spec.chief_for:
                if code not in noms:
                    raise DomainError("inv_unknown_nomination", nomination=code)
        commission_role = spec.commission_role
        if spec.role == Role.COMMISSION_MEMBER:
            commission_role = commission_role or "member"
            if commission_role not in COMMISSION_ROLES:
                raise DomainError("inv_bad_role")
        elif commission_role is not None:
            raise DomainError("inv_bad_role")
        return InviteSpec(
            role=spec.role,
            name=name,
            regions=tuple(spec.regions),
            expert_status=spec.expert_status,
            chief_for=tuple(spec.chief_for),
            commission_role=commission_role,
            email=spec.email,
            organisation_code=spec.organisation_code,
        )

    async def _team_has_room(self, s: AsyncSession, contest_id: int, code: str) -> None:
        """002 §5.3 (R-APL-2): at most one team representative per 15 participants of the
        region (:func:`models.teams.representatives_allowed`), counting the representatives in
        force and the invitations still open. The region's row is locked first, so two
        coordinators inviting at once cannot both take the last place."""
        region_id = (
            await s.execute(
                select(Region.id).where(Region.contest_id == contest_id, Region.code == code)
            )
        ).scalar_one()
        region = await lock(s, Region, region_id)
        assert region is not None
        participants = (
            await s.execute(
                select(func.count())
                .select_from(Participant)
                .where(
                    Participant.contest_id == contest_id,
                    Participant.region_id == region_id,
                    Participant.withdrawn_at.is_(None),
                )
            )
        ).scalar_one()
        now = self.ctx.clock.now()
        bound = [
            r
            for r in (
                await s.execute(
                    select(RoleAssignment).where(
                        RoleAssignment.contest_id == contest_id,
                        RoleAssignment.role == Role.TEAM_REPRESENTATIVE,
                        RoleAssignment.active.is_(True),
                    )
                )
            ).scalars()
            if code in (r.region_codes or [])
        ]
        pending = [
            i
            for i in (
                await s.execute(
                    select(Invitation).where(
                        Invitation.contest_id == contest_id,
                        Invitation.role == Role.TEAM_REPRESENTATIVE,
                        Invitation.used_at.is_(None),
                        Invitation.revoked_at.is_(None),
                    )
                )
            ).scalars()
            if code in (i.region_codes or []) and (i.expires_at is None or i.expires_at > now)
        ]
        allowed = representatives_allowed(int(participants))
        if len(bound) + len(pending) >= allowed:
            raise DomainError(
                "inv_team_full",
                region=region.name,
                count=len(bound) + len(pending),
                allowed=allowed,
                participants=int(participants),
                names=", ".join(
                    [r.name or str(r.telegram_id) for r in bound] + [i.name for i in pending]
                ),
            )

    def _add(
        self, uow: UnitOfWork, actor: int | None, contest_id: int, spec: InviteSpec, source: str
    ) -> tuple[Invitation, str]:
        token, digest = _new_token()
        inv = Invitation(
            contest_id=contest_id,
            token_hash=digest,
            role=spec.role,
            name=spec.name,
            email=spec.email,
            region_codes=list(spec.regions),
            expert_status=spec.expert_status,
            chief_for=list(spec.chief_for),
            commission_role=spec.commission_role,
            organisation_code=spec.organisation_code,
            source=source,
            created_by=actor,
            created_at=uow.now,
            expires_at=uow.now + INVITATION_TTL,
        )
        uow.session.add(inv)
        return inv, token

    async def create(self, actor: int, contest_id: int, spec: InviteSpec) -> IssuedInvitation:
        """One invitation, created in the chat (/invite)."""
        async with self.uow() as uow:
            scope = await self._scope(uow.session, actor, contest_id)
            spec = await self._check_spec(uow.session, contest_id, scope, spec)
            inv, token = self._add(uow, actor, contest_id, spec, "chat")
            await uow.session.flush()
            uow.audit(
                actor,
                "invitation.create",
                "invitation",
                inv.id,
                contest_id=contest_id,
                after={"role": spec.role},
            )
            assert inv.expires_at is not None
            return IssuedInvitation(inv.id, token, inv.name, inv.role, inv.expires_at)

    async def create_bulk(
        self, actor: int, contest_id: int, filename: str, data: bytes
    ) -> BulkResult:
        """Invitations from a CSV/XLSX list (ФИО, роль, регион, e-mail, статус). Each row is
        checked on its own: good rows get links, bad ones an error by row number."""
        table = await read_table_bounded(filename, data)  # off the event loop (issue #13)
        while table and not any(table[0]):
            table.pop(0)
        if not table:
            raise DomainError("inv_bad_header")
        header, body = table[0], table[1:]
        columns = _columns(header)
        if len(body) > MAX_BULK_ROWS:
            raise DomainError("inv_too_many_rows", limit=MAX_BULK_ROWS)
        result = BulkResult(header=header)
        async with self.uow() as uow:
            s = uow.session
            scope = await self._scope(s, actor, contest_id)
            regions = {
                key: r.code
                for r in (
                    await s.execute(
                        select(Region).where(
                            Region.contest_id == contest_id, Region.active.is_(True)
                        )
                    )
                ).scalars()
                for key in (r.code.casefold(), r.name.casefold())
            }
            pending: list[tuple[BulkRow, Invitation, str]] = []
            for i, cells in enumerate(body, start=2):
                if not any(cells):
                    continue
                row = BulkRow(i, cells)
                result.rows.append(row)

                def get(key: str, cells: list[str] = cells) -> str:
                    j = columns.get(key)
                    return cells[j].strip() if j is not None and j < len(cells) else ""

                try:
                    role_word = get("role").lower()
                    if role_word not in ROLE_WORDS:
                        raise DomainError("inv_bad_role")
                    role, commission_role = ROLE_WORDS[role_word]
                    codes = []
                    for word in _words(get("region")):
                        if word.casefold() not in regions:
                            raise DomainError("inv_unknown_region", region=word)
                        codes.append(regions[word.casefold()])
                    status_word = get("status").lower()
                    status = STATUS_WORDS.get(status_word) if status_word else None
                    if status_word and status is None:
                        raise DomainError("inv_bad_status", status=get("status"))
                    spec = await self._check_spec(
                        s,
                        contest_id,
                        scope,
                        InviteSpec(
                            role=str(role),
                            name=get("name"),
                            regions=tuple(codes),
                            expert_status=str(status) if status else None,
                            commission_role=commission_role,
                            email=get("email") or None,
                        ),
                    )
                except DomainError as exc:
                    row.error = exc
                    continue
                inv, token = self._add(uow, actor, contest_id, spec, "bulk")
                pending.append((row, inv, token))
            await s.flush()
            for row, inv, token in pending:
                assert inv.expires_at is not None
                row.issued = IssuedInvitation(inv.id, token, inv.name, inv.role, inv.expires_at)
            uow.audit(
                actor,
                "invitation.bulk",
                "contest",
                contest_id,
                contest_id=contest_id,
                after={"created": result.created, "failed_rows": result.failed},
            )
        return result

    # ------------------------------------------------------------------ opening a link

    async def _by_token(
        self, s: AsyncSession, token: str, actor: int, now: datetime, *, for_update: bool = False
    ) -> Invitation:
        """The invitation of a link, refused (with what happened and when) unless it can still
        be accepted. ``for_update``: the row is locked first, so two «Да, это я», or an
        acceptance racing a revocation, are settled once (issue #12)."""
        token = token.removeprefix(TOKEN_PREFIX)
        inv_id = None
        if token and len(token) <= 64:
            inv_id = (
                await s.execute(
                    select(Invitation.id).where(Invitation.token_hash == hash_token(token))
                )
            ).scalar_one_or_none()
        inv = None
        if inv_id is not None:
            inv = (
                await lock(s, Invitation, inv_id)
                if for_update
                else await s.get(Invitation, inv_id, populate_existing=True)
            )
        if inv is None or inv.token_hash != hash_token(token):  # a new link was issued meanwhile
            raise NotFound("inv_unknown")
        await self._still_open(s, inv, actor, now)
        return inv

    async def _still_open(
        self, s: AsyncSession, inv: Invitation, actor: int | None, now: datetime
    ) -> None:
        tz = await contest_tz(s, inv.contest_id)
        if inv.used_at is not None:
            code = "inv_already_yours" if actor is not None and inv.used_by == actor else "inv_used"
            raise DomainError(code, at=inv.used_at, tz=tz)
        if inv.revoked_at is not None:
            seen = await last_action(s, "invitation", inv.id, ["invitation.revoke"], inv.contest_id)
            # no audit row of its own: revoked by a re-load of the contest file
            raise DomainError(
                "inv_revoked", who=seen.who if seen else "none", at=inv.revoked_at, tz=tz
            )
        if inv.expires_at is None or inv.expires_at <= now:
            raise DomainError("inv_expired")

    async def preview(self, actor: int, token: str) -> InvitationPreview:
        """What a link offers, before the person confirms it is them."""
        async with self.read() as s:
            inv = await self._by_token(s, token, actor, self.ctx.clock.now())
            contest = await s.get(Contest, inv.contest_id)
            assert contest is not None
            names = dict(
                (
                    await s.execute(
                        select(Region.code, Region.name).where(Region.contest_id == inv.contest_id)
                    )
                ).all()
            )
            noms = dict(
                (
                    await s.execute(
                        select(Nomination.code, Nomination.title).where(
                            Nomination.contest_id == inv.contest_id
                        )
                    )
                ).all()
            )
            return InvitationPreview(
                contest_id=contest.id,
                contest_title=contest.title,
                role=inv.role,
                name=inv.name,
                regions=[names.get(c, c) for c in inv.region_codes],
                expert_status=inv.expert_status,
                commission_role=inv.commission_role,
                chief_for=[noms.get(c, c) for c in inv.chief_for],
            )

    async def accept(self, actor: int, token: str) -> Bound:
        """«Да, это я»: bind this Telegram account to the invited role. Single use: a second
        acceptance — also a concurrent one — is refused."""
        async with self.uow() as uow:
            s = uow.session
            inv = await self._by_token(s, token, actor, uow.now, for_update=True)
            row = (
                await s.execute(
                    select(RoleAssignment)
                    .where(
                        RoleAssignment.contest_id == inv.contest_id,
                        RoleAssignment.telegram_id == actor,
                        RoleAssignment.role == inv.role,
                    )
                    .with_for_update()
                    .execution_options(populate_existing=True)
                )
            ).scalar_one_or_none()
            if row is None:
                row = RoleAssignment(contest_id=inv.contest_id, telegram_id=actor, role=inv.role)
                s.add(row)
            row.name = inv.name
            row.region_codes = list(inv.region_codes)
            row.expert_status = inv.expert_status
            row.chief_for = list(inv.chief_for)
            row.commission_role = inv.commission_role
            row.organisation_code = inv.organisation_code
            row.active = True
            await s.flush()
            taken = await s.execute(
                update(Invitation)
                .where(
                    Invitation.id == inv.id,
                    Invitation.used_at.is_(None),
                    Invitation.revoked_at.is_(None),
                )
                .values(used_at=uow.now, used_by=actor, role_assignment_id=row.id)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]  # cannot happen under the lock; kept as a guard
                raise DomainError(
                    "inv_used", at=uow.now, tz="Europe/Moscow"
                )  # the binding rolls back
            uow.audit(
                actor,
                "invitation.accept",
                "invitation",
                inv.id,
                contest_id=inv.contest_id,
                after={"role": inv.role},
            )
            contest = await s.get(Contest, inv.contest_id)
            assert contest is not None
            return Bound(contest.id, contest.title, inv.role, inv.name)

    # ------------------------------------------------------------------ managing

    async def _own_invitation(
        self, s: AsyncSession, actor: int, invitation_id: int, now: datetime
    ) -> Invitation:
        """A pending invitation the actor manages, locked for a transition (revoke, new link):
        a used or revoked one is refused with who and when (issue #12)."""
        inv = await lock(s, Invitation, invitation_id)
        if inv is None:
            raise NotFound("inv_unknown")
        scope = await self._scope(s, actor, inv.contest_id)
        if scope is not ALL and inv.created_by != actor:
            raise Forbidden("inv_not_allowed")
        tz = await contest_tz(s, inv.contest_id)
        if inv.used_at is not None:
            raise DomainError("inv_already_accepted", name=inv.name, at=inv.used_at, tz=tz)
        if inv.revoked_at is not None:
            await self._still_open(s, inv, None, now)
        return inv

    async def revoke_invitation(self, actor: int, invitation_id: int) -> str:
        """Cancel a link not yet used; returns the invited name. Settled once against an
        acceptance of the same link: both lock the invitation first."""
        async with self.uow() as uow:
            inv = await self._own_invitation(uow.session, actor, invitation_id, uow.now)
            inv.revoked_at = uow.now
            uow.audit(actor, "invitation.revoke", "invitation", inv.id, contest_id=inv.contest_id)
            return inv.name

    async def issue_link(self, actor: int, invitation_id: int) -> IssuedInvitation:
        """A new link for a pending invitation (a contest-file entry, or a lost link): the
        old token stops working."""
        async with self.uow() as uow:
            inv = await self._own_invitation(uow.session, actor, invitation_id, uow.now)
            token, inv.token_hash = _new_token()
            inv.expires_at = uow.now + INVITATION_TTL
            uow.audit(actor, "invitation.issue", "invitation", inv.id, contest_id=inv.contest_id)
            return IssuedInvitation(inv.id, token, inv.name, inv.role, inv.expires_at)

    async def staff(self, actor: int, contest_id: int) -> StaffList:
        """Active roles and pending invitations of a contest (admins, federal coordinators)."""
        async with self.read() as s:
            await self._require_staff_manager(s, actor, contest_id)
            contest = await s.get(Contest, contest_id)
            if contest is None:
                raise NotFound("contest_not_found")
            roles = [
                StaffEntry(
                    r.id,
                    r.telegram_id,
                    r.name or str(r.telegram_id),
                    r.role,
                    list(r.region_codes),
                    r.expert_status,
                    r.commission_role,
                )
                for r in (
                    await s.execute(
                        select(RoleAssignment)
                        .where(
                            RoleAssignment.contest_id == contest_id, RoleAssignment.active.is_(True)
                        )
                        .order_by(RoleAssignment.role, RoleAssignment.name, RoleAssignment.id)
                    )
                ).scalars()
            ]
            now = self.ctx.clock.now()
            pending = [
                PendingInvitation(
                    i.id, i.name, i.role, i.source, i.expires_at if i.token_hash else None
                )
                for i in (
                    await s.execute(
                        select(Invitation)
                        .where(
                            Invitation.contest_id == contest_id,
                            Invitation.used_at.is_(None),
                            Invitation.revoked_at.is_(None),
                        )
                        .order_by(Invitation.id)
                    )
                ).scalars()
                if i.token_hash is None or (i.expires_at is not None and i.expires_at > now)
            ]
            return StaffList(contest.id, contest.title, roles, pending)

    async def role_entry(self, actor: int, role_id: int) -> StaffEntry:
        async with self.read() as s:
            r = await s.get(RoleAssignment, role_id)
            if r is None:
                raise NotFound("inv_role_not_found")
            await self._require_staff_manager(s, actor, r.contest_id)
            if (
                not r.active
            ):  # «Отозвать» of a role already revoked: refused before the confirmation
                raise await self._role_revoked(s, r)
            return StaffEntry(
                r.id,
                r.telegram_id,
                r.name or str(r.telegram_id),
                r.role,
                list(r.region_codes),
                r.expert_status,
                r.commission_role,
            )

    @staticmethod
    async def _role_revoked(s: AsyncSession, r: RoleAssignment) -> DomainError:
        seen = await last_action(s, "role_assignment", r.id, ["role.revoke"], r.contest_id)
        if seen is None:
            return DomainError("inv_role_not_found")
        return DomainError(
            "inv_role_revoked",
            name=r.name or str(r.telegram_id),
            **seen.args(await contest_tz(s, r.contest_id)),
        )

    async def revoke_role(self, actor: int, role_id: int) -> StaffEntry:
        """Take a role away at once: every check reads ``active``, so the person's buttons
        already on screen are refused from now on."""
        async with self.uow() as uow:
            r = await lock(uow.session, RoleAssignment, role_id)
            if r is None:
                raise NotFound("inv_role_not_found")
            await self._require_staff_manager(uow.session, actor, r.contest_id)
            if not r.active:
                raise await self._role_revoked(uow.session, r)
            r.active = False
            uow.audit(
                actor,
                "role.revoke",
                "role_assignment",
                r.id,
                contest_id=r.contest_id,
                before={"role": r.role},
                after={"active": False},
            )
            return StaffEntry(
                r.id,
                r.telegram_id,
                r.name or str(r.telegram_id),
                r.role,
                list(r.region_codes),
                r.expert_status,
                r.commission_role,
            )


# ----------------------------------------------------------------------------- the contest file


def file_key(p: PersonDef) -> str:
    return f"{p.role.value}|{p.name.casefold()}|{(p.email or '').casefold()}"


async def apply_file_invitations(
    uow: UnitOfWork, contest_id: int, people: list[PersonDef]
) -> set[tuple[int, str]]:
    """Contest-file staff without a Telegram id become invitations (their link is issued from
    /staff). On re-load an entry is matched by role, name and e-mail: a pending invitation
    takes the new details, an accepted one passes them on to the bound role, and an entry
    the file no longer lists is revoked (its role too). Returns the (telegram id, role) of
    roles bound through invitations that the re-load must keep."""
    s = uow.session
    existing = {
        i.file_key: i
        for i in (
            await s.execute(
                select(Invitation).where(
                    Invitation.contest_id == contest_id,
                    Invitation.source == "file",
                    Invitation.revoked_at.is_(None),
                )
            )
        ).scalars()
    }
    wanted: set[str] = set()
    for p in people:
        key = file_key(p)
        wanted.add(key)
        details = dict(
            name=p.name,
            email=p.email,
            region_codes=list(p.regions),
            expert_status=p.expert_status.value if p.expert_status else None,
            chief_for=list(p.chief_for),
            commission_role=p.commission_role
            or ("member" if p.role is Role.COMMISSION_MEMBER else None),
            organisation_code=p.organisation,
        )
        inv = existing.get(key)
        if inv is None:
            s.add(
                Invitation(
                    contest_id=contest_id,
                    role=p.role.value,
                    source="file",
                    file_key=key,
                    created_at=uow.now,
                    **details,
                )
            )
            continue
        for k, v in details.items():
            setattr(inv, k, v)
        if inv.used_at is not None and inv.role_assignment_id is not None:
            bound = await s.get(RoleAssignment, inv.role_assignment_id)
            if bound is not None:
                for k, v in details.items():
                    if k != "email":
                        setattr(bound, k, v)
    for key, inv in existing.items():
        if key in wanted:
            continue
        if inv.used_at is None:
            inv.revoked_at = uow.now
        elif inv.role_assignment_id is not None:
            bound = await s.get(RoleAssignment, inv.role_assignment_id)
            if bound is not None:
                bound.active = False
            inv.revoked_at = uow.now
    await s.flush()
    kept = (
        await s.execute(
            select(Invitation.used_by, Invitation.role).where(
                Invitation.contest_id == contest_id,
                Invitation.used_by.is_not(None),
                Invitation.revoked_at.is_(None),
            )
        )
    ).all()
    return {(int(tg), role) for tg, role in kept if tg is not None}
