"""Staff invitations (R-ROLE-1): staff are not typed in by Telegram id. A coordinator, a
federal coordinator or an admin invites a named person to a role in a contest and hands out a
deep link; the person opens it, confirms the name, and this Telegram account gets the role.

Modules: ``specs`` (values and limits), ``lists`` (bulk files), ``steps`` (shared module
functions), ``issuing`` (inviting), ``links`` (opening a link), ``staff`` (managing),
``contest_file`` (staff declared in the contest file). ``InvitationService`` gathers the
three services under the one name callers use (``services.invitations``)."""

from __future__ import annotations

from models.services.invitations.contest_file import apply_file_invitations, file_key
from models.services.invitations.issuing import InviteService
from models.services.invitations.links import InvitationLinkService
from models.services.invitations.lists import (
    LIST_XLSX_LIMITS,
    MAX_BULK_BYTES,
    read_table,
    read_table_bounded,
)
from models.services.invitations.specs import (
    ALL,
    INVITATION_TTL,
    MAX_BULK_ROWS,
    TOKEN_PREFIX,
    Bound,
    BulkResult,
    BulkRow,
    InvitationPreview,
    InviteSpec,
    IssuedInvitation,
    PendingInvitation,
    StaffEntry,
    StaffList,
    hash_token,
)
from models.services.invitations.staff import StaffService


class InvitationService(InviteService, InvitationLinkService, StaffService):
    """Inviting, opening a link and managing staff (see the modules); no behaviour of its own."""


__all__ = [
    "ALL",
    "INVITATION_TTL",
    "LIST_XLSX_LIMITS",
    "MAX_BULK_BYTES",
    "MAX_BULK_ROWS",
    "TOKEN_PREFIX",
    "Bound",
    "BulkResult",
    "BulkRow",
    "InvitationLinkService",
    "InvitationPreview",
    "InvitationService",
    "InviteService",
    "InviteSpec",
    "IssuedInvitation",
    "PendingInvitation",
    "StaffEntry",
    "StaffList",
    "StaffService",
    "apply_file_invitations",
    "file_key",
    "hash_token",
    "read_table",
    "read_table_bounded",
]
