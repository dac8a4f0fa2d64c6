"""Staff invitations (R-ROLE-1): staff are not typed in by Telegram id. A coordinator, a
federal coordinator or an admin invites a named person to a role in a contest and hands out a
deep link; the person opens it, confirms the name, and this Telegram account gets the role.

Tokens are random (``secrets.token_urlsafe``), kept only as SHA-256, single use, expire after
:data:`INVITATION_TTL` and can be revoked. Revoking a role sets ``RoleAssignment.active`` to
false: every permission check reads it, so buttons already on screen stop working at once."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from models.contest_file import Role
from models.errors import DomainError

#: how long a link stays valid
INVITATION_TTL = timedelta(days=14)
#: the ``/start`` payload of an invitation link: ``inv_<token>``
TOKEN_PREFIX = "inv_"
#: rows of one bulk file
MAX_BULK_ROWS = 1000

ALL = None  # an inviter's scope: None = every region and role, else the region codes
#: what a regional coordinator may invite to: staff of their region — a coordinator, an
#: expert, the region's team representative (002 §5.3: named by the regional operator) and
#: volunteers (R-RES-3)
REGIONAL_ROLES = (Role.COORDINATOR, Role.EXPERT, Role.TEAM_REPRESENTATIVE, Role.VOLUNTEER)
COMMISSION_ROLES = ("chair", "secretary", "member")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
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
