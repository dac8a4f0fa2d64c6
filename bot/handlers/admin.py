"""Admin: load or re-load a contest definition by sending the YAML file (or /load_contest)."""

from __future__ import annotations

import io

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.flow import Admin
from bot.prompts import ask
from bot.texts import tr
from models.contest_file import MAX_DEFINITION_BYTES, DefinitionInvalid
from models.errors import Forbidden
from models.services import Services
from models.views import LoadResult
from notifications.definition_errors import render_definition_errors

router = Router(name=__name__)

_YAML = F.document.file_name.lower().endswith((".yaml", ".yml"))


def loaded_text(result: LoadResult) -> str:
    text = tr("admin-loaded", title=result.title, created="yes" if result.created else "no", **result.counts)
    hidden = ", ".join(f"{k}: {v}" for k, v in result.deactivated.items() if v)
    if hidden:
        text += "\n" + tr("admin-deactivated", what=hidden)
    return text


@router.message(Command("load_contest"))
async def ask_file(message: Message, services: Services, state: FSMContext) -> None:
    if not services.contests.is_admin(message.from_user.id):
        raise Forbidden("admin_only")
    # the wait for the file can be left with «Отмена»: nothing is loaded (issue #12)
    await ask(message, state, Admin.contest_file, tr("admin-send-file"))


@router.message(Admin.contest_file, F.document)
@router.message(F.document, _YAML)
async def contest_file(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    if not services.contests.is_admin(message.from_user.id):
        raise Forbidden("admin_only")
    if (message.document.file_size or 0) > MAX_DEFINITION_BYTES:
        await message.answer(tr("admin-file-too-large"))
        return
    progress = await message.answer(tr("admin-loading"))
    buffer = io.BytesIO()
    await bot.download(message.document, destination=buffer)
    try:
        result = await services.contests.load_definition(message.from_user.id, buffer.getvalue())
    except DefinitionInvalid as exc:
        await progress.edit_text(render_definition_errors(exc.errors))
        return
    await state.set_state(None)
    await progress.edit_text(loaded_text(result))
