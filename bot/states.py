"""The conversation's steps (aiogram states) shared by several handler modules.

The state names (``Form:full_name``…) are stored with the conversation (bot.storage): a class
here keeps its name so a person's step survives an update of the bot."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class Form(StatesGroup):
    """The participant's verification form (R-VER-1)."""

    full_name = State()
    snils = State()
    org_search = State()


class Apply(StatesGroup):
    """The nomination's questions and the application's prompts (R-APP)."""

    birth_date = State()
    experience = State()
    field = State()
    file = State()


class Coord(StatesGroup):
    """The coordinator's reason for a refusal (R-VER-3)."""

    reason = State()


class Admin(StatesGroup):
    contest_file = State()


__all__ = ["Admin", "Apply", "Coord", "Form"]
