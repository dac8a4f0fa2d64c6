"""The command menu per person (``setMyCommands`` scoped to their chat): only the commands
of the roles they hold, in Russian from the catalogue. The one place roles map to commands;
``/help`` (bot.texts.staff_help) explains the same commands per role."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.texts import tr
from models.services import Services
from models.services.access import Viewer

log = logging.getLogger(__name__)

#: role → its commands, in menu order. Menu roles come from
#: ``InvitationService.menu_roles``: chief and mentor are experts with an event role / status.
ROLE_COMMANDS: dict[str, tuple[str, ...]] = {
    "participant": ("start", "status", "withdraw", "settings", "language", "tasks"),
    "coordinator": (
        "queue",
        "applications",
        "broadcast",
        "progress",
        "remote",
        "scoring",
        "protocols",
        "publish",
        "verify",
        "appeal",
        "invite",
    ),
    "federal_coordinator": (
        "queue",
        "applications",
        "broadcast",
        "progress",
        "remote",
        "scoring",
        "protocols",
        "publish",
        "verify",
        "commission",
        "invite",
        "staff",
    ),
    "expert": ("scoring",),
    "chief": ("scheme", "protocols", "dispute"),
    "mentor": ("appeal",),
    "commission_member": ("commission",),
    # R-APL-2: the team representative appeals for the participants of their region
    "team_representative": ("appeal",),
    # admins pass every coordinator check, so they see the coordinator's tools too
    "admin": (
        "queue",
        "applications",
        "broadcast",
        "progress",
        "remote",
        "scoring",
        "protocols",
        "publish",
        "verify",
        "commission",
        "load_contest",
        "invite",
        "staff",
    ),
}
ROLE_ORDER = (
    "participant",
    "coordinator",
    "federal_coordinator",
    "expert",
    "chief",
    "mentor",
    "commission_member",
    "team_representative",
    "admin",
)


def commands_for(roles: frozenset[str] | set[str]) -> list[BotCommand]:
    """The menu of a person holding ``roles`` (participant is implied); /help comes last."""
    names: list[str] = []
    for role in ROLE_ORDER:
        if role == "participant" or role in roles:
            names += [n for n in ROLE_COMMANDS[role] if n not in names]
    names.append("help")
    return [BotCommand(command=n, description=tr(f"cmd-{n}")) for n in names]


async def refresh_menu(bot: Bot, services: Services, who: Viewer) -> None:
    """/start and /help: show the commands of this person's roles. Someone the bot has never
    met and who holds no role sees the default menu already (set for every chat at start-up)
    and never had a menu of their own — no call (in a burst of new people, one Bot API call
    fewer each, issue #13)."""
    roles = who.menu_roles()
    if not who.known and roles == frozenset({"participant"}):
        return
    await set_menu(bot, services, who.telegram_id, roles)


async def set_menu(
    bot: Bot, services: Services, telegram_id: int, roles: frozenset[str] | None = None
) -> None:
    """Show this person the commands of their roles. A failure (the person blocked the bot,
    a network error) is logged and never fails the action that changed the roles.
    ``roles``: already known this update (bot.viewer), else read."""
    if roles is None:
        roles = await services.invitations.menu_roles(telegram_id)
    try:
        await bot.set_my_commands(
            commands_for(roles), scope=BotCommandScopeChat(chat_id=telegram_id)
        )
    except TelegramAPIError as exc:
        log.warning("setMyCommands failed: %s", type(exc).__name__)
