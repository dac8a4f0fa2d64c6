"""Which contest a conversation is about: remembered, the only one, or a picker."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup, Message

from bot.callbacks import ContestCb, ContestThen
from bot.screens import button_label, choices
from bot.texts import tr
from models.services import Services
from models.views import ContestBrief


async def resolve_contest(
    services: Services, state: FSMContext, user_id: int, participations: Sequence[int] | None = None
) -> int | list[ContestBrief]:
    """The contest this conversation is about: remembered, the only one the user takes part
    in, or the only one there is; otherwise the list to choose from. ``participations``:
    the user's contests when already read this update (bot.viewer)."""
    data = await state.get_data()
    contests = await services.contests.contests()
    known = {c.id for c in contests}
    if data.get("contest_id") in known:
        return int(data["contest_id"])
    if participations is None:
        participations = await services.participants.contests_of(user_id)
    mine = [cid for cid in participations if cid in known]
    if len(mine) == 1:
        chosen = mine[0]
    elif len(contests) == 1:
        chosen = contests[0].id
    else:
        return contests
    await state.update_data(contest_id=chosen)
    return chosen


def contest_picker(contests: list[ContestBrief], then: ContestThen) -> InlineKeyboardMarkup | None:
    return choices(
        (button_label(c.title, width=60), ContestCb(contest_id=c.id, then=then)) for c in contests
    )


async def contest_or_pick(
    message: Message,
    services: Services,
    state: FSMContext,
    then: ContestThen,
    participations: Sequence[int] | None = None,
) -> int | None:
    """The participant's contest, or a picker whose choice comes back as ``ContestCb(then)``
    (and ``None``)."""
    resolved = await resolve_contest(services, state, message.from_user.id, participations)  # type: ignore[union-attr]
    if isinstance(resolved, int):
        return resolved
    if not resolved:
        await message.answer(tr("no-contests"))
    else:
        await message.answer(tr("choose-contest"), reply_markup=contest_picker(resolved, then))
    return None


async def contest_for_anyone(
    message: Message, services: Services, state: FSMContext, then: ContestThen
) -> int | None:
    """The contest a command is about, for staff (the contests they coordinate) and for
    participants alike; when several fit, a picker whose choice comes back as
    ``ContestCb(then=then)`` and ``None`` is returned."""
    uid = message.from_user.id  # type: ignore[union-attr]
    roles = await services.coordination.staff_roles(uid)
    if roles.is_coordinator:
        ids = sorted(roles.coordinator_contests)
        if len(ids) == 1:
            return ids[0]
        contests = [
            c for c in await services.contests.contests() if c.id in roles.coordinator_contests
        ]
        await message.answer(
            tr("coord-choose-contest"), reply_markup=contest_picker(contests, then)
        )
        return None
    return await contest_or_pick(message, services, state, then)


__all__ = ["contest_for_anyone", "contest_or_pick", "contest_picker", "resolve_contest"]
