"""/help, anything unexpected, and the one place refusals are turned into Russian text."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, ExceptionTypeFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ErrorEvent, Message

from bot.callbacks import SettingsCb
from bot.conversation import where_they_were
from bot.menus import refresh_menu
from bot.screens import Screen, keyboard, send, show
from bot.texts import error_text, staff_help, tr
from bot.viewer import Viewer, viewer_of
from models.clock import Clock, RehearsalClock, format_clock, is_rehearsal
from models.errors import DomainError
from models.services import Services

router = Router(name=__name__)
log = logging.getLogger(__name__)


@router.message(Command("help"))
async def help_(
    message: Message, bot: Bot, services: Services, clock: Clock, viewer: Viewer | None = None
) -> None:
    who = await viewer_of(
        services, message.from_user.id, viewer
    )  # read once per update (bot.viewer)
    await refresh_menu(bot, services, who)
    roles = who.staff_roles()
    expert, commission = who.is_expert, who.is_commission_member
    parts = [
        tr("help-participant"),
        *staff_help(roles.is_coordinator, roles.is_admin, expert, commission),
    ]
    parts += [
        tr(f"teams-help-{r}") for r in ("team_representative", "volunteer") if r in who.menu_roles()
    ]  # R-APL-2, R-RES-3
    # CLOCK_START (issue 12 §4): admins see the rehearsal clock
    if roles.is_admin and is_rehearsal(clock) and isinstance(clock, RehearsalClock):
        start, now = format_clock(clock.start, clock.tz), format_clock(clock.now(), clock.tz)
        parts.append(tr("clock-help-admin", start=start, now=now))
    await message.answer("\n\n".join(parts))


def _settings_screen(muted: bool) -> Screen:
    state = tr("settings-reminders-off" if muted else "settings-reminders-on")
    toggle = (tr("btn-unmute" if muted else "btn-mute"), SettingsCb(mute=not muted))
    return Screen(tr("settings-title") + "\n" + state, keyboard(toggle))


@router.message(Command("settings"))
async def settings(message: Message, services: Services) -> None:
    await send(
        message, _settings_screen(await services.participants.reminders_muted(message.from_user.id))
    )


@router.callback_query(SettingsCb.filter())
async def settings_toggle(
    query: CallbackQuery, callback_data: SettingsCb, services: Services
) -> None:
    muted = await services.participants.mute_reminders(
        query.from_user.id, callback_data.mute, query.from_user.full_name
    )
    await show(query, _settings_screen(muted))


@router.message()
async def fallback(
    message: Message,
    services: Services,
    state: FSMContext | None = None,
    raw_state: str | None = None,
) -> None:
    """A message no handler took. If we know where the person was — a step this message
    does not fit (or a state no handler knows any more), a prompt they left with a command,
    an unfinished participant form — say so with «Продолжить» (issue #12, guarantee 2,
    bot.conversation); only otherwise «Не понимаю» with the commands."""
    where = (
        None
        if message.from_user is None
        else await where_they_were(message.from_user.id, services, state, raw_state)
    )
    if where is None:
        await message.answer(tr("unknown-command"))
        return
    text, markup = where
    await message.answer(text, reply_markup=markup)


@router.callback_query()
async def stale_button(query: CallbackQuery) -> None:
    """A button no handler knows (old, or forged): say so; nothing changes."""
    await query.bot.send_message(query.from_user.id, tr("session-expired"))


@router.error(ExceptionTypeFilter(DomainError))
async def refused(event: ErrorEvent) -> None:
    """A refused action: say why in Russian. The service changed nothing."""
    assert isinstance(event.exception, DomainError)  # the filter above
    await _reply(event, error_text(event.exception))


@router.error()
async def unexpected(event: ErrorEvent) -> None:
    # Log the type and where, never the update itself: it may carry personal data (R-PD-2).
    log.error(
        "unhandled %s in update %s",
        type(event.exception).__name__,
        event.update.update_id,
        exc_info=event.exception,
    )
    await _reply(event, tr("err-unexpected"))


async def _reply(event: ErrorEvent, text: str) -> None:
    update = event.update
    if update.callback_query is not None:
        query = update.callback_query
        try:
            await query.answer()
        except TelegramBadRequest:  # already answered (the handler's CallbackAnswer, a toast)
            pass
        await query.bot.send_message(query.from_user.id, text)
    elif update.message is not None:
        await update.message.answer(text)
