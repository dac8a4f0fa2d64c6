"""Every prompt can be left (issue #12, guarantee 2): a text that starts with ``/`` is never
taken as an answer. For EVERY conversation state the bot declares (enumerated from its
``StatesGroup`` classes, so a new prompt is covered the day it is written), a person in that
state who sends /status, /help, /withdraw or /start gets the command — and nothing they had
already given changes (R-PD-1: the right to withdraw is reachable from anywhere)."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.state import State, StatesGroup
from sqlalchemy import select

from bot import app as _app  # noqa: F401 - imports every handler module, so every StatesGroup exists
from models.tables import Participant, Person
from tests.builders import World, register
from tests.conftest import EXPERT


def _all_states() -> list[State]:
    found: list[State] = []

    def walk(cls: type[StatesGroup]) -> None:
        for sub in cls.__subclasses__():
            found.extend(sub.__all_states__)
            walk(sub)

    walk(StatesGroup)
    return sorted({s for s in found if s.state}, key=lambda s: s.state or "")


STATES = _all_states()


def test_the_bot_declares_prompts() -> None:
    # the enumeration works: the participant's form, the staff's prompts, the appeal form
    names = {s.state for s in STATES}
    assert len(STATES) >= 15, names
    assert any(n and n.startswith("Form:") for n in names)
    assert any(n and "Appeal" in n for n in names)


async def _in_state(world: World, user_id: int, state: State, **data: Any) -> None:
    ctx = world.dp.fsm.get_context(world.bot, chat_id=user_id, user_id=user_id)
    await ctx.set_state(state)
    if data:
        await ctx.update_data(**data)


async def _snapshot(world: World, user_id: int) -> tuple[Any, ...]:
    async with world.services.ctx.sessionmaker() as s:
        row = (
            await s.execute(
                select(
                    Participant.full_name,
                    Participant.snils_last2,
                    Participant.verification_status,
                    Participant.region_id,
                )
                .join(Person, Person.id == Participant.person_id)
                .where(Person.telegram_id == user_id)
            )
        ).one()
    return tuple(row)


async def test_commands_leave_every_prompt_and_change_nothing(world: World) -> None:
    p = await register(world, 555001)
    before = await _snapshot(world, 555001)
    ctx = world.dp.fsm.get_context(world.bot, chat_id=555001, user_id=555001)
    for state in STATES:
        await _in_state(world, 555001, state, participant_id=1, contest_id=1)
        status = await p.send("/status")
        assert "Право на участие" in status and "На рассмотрении" in status, (state, status)

        await _in_state(world, 555001, state, participant_id=1, contest_id=1)
        assert "/withdraw" in await p.send("/help"), state

        await _in_state(world, 555001, state, participant_id=1, contest_id=1)
        withdraw = await p.send("/withdraw")
        assert "Да, отозвать согласие" in str(world.session.last_markup(555001)), (state, withdraw)

        await _in_state(world, 555001, state, participant_id=1, contest_id=1)
        start = await p.send("/start")
        assert start and "Что-то пошло не так" not in start, (state, start)

        # the command was never saved as an answer, and the prompt is gone
        assert await _snapshot(world, 555001) == before, state
        assert await ctx.get_state() != state.state, state


async def test_staff_commands_leave_staff_prompts(world: World) -> None:
    """An expert in the middle of a staff prompt types /help: the help comes, not a refusal
    of «/help» as the answer."""
    expert = world.person(EXPERT, "Эксперт")
    ctx = world.dp.fsm.get_context(world.bot, chat_id=EXPERT, user_id=EXPERT)
    for state in STATES:
        await _in_state(world, EXPERT, state, participant_id=1, contest_id=1)
        reply = await expert.send("/help")
        assert "/scoring" in reply, (state, reply)
        assert await ctx.get_state() is None, state
