"""Admin: load or re-load a contest definition by sending the YAML file (or /load_contest)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Document, Message

from bot.downloads import fetch
from bot.prompts import ask
from bot.states import Admin
from bot.texts import error_text, tr
from models.contest_file import MAX_DEFINITION_BYTES, DefinitionInvalid, parse_contest_definition
from models.errors import Forbidden
from models.sandbox import FileRefused, run_bounded
from models.services import Services
from models.views import LoadResult
from notifications.definition_errors import render_definition_errors

router = Router(name=__name__)

_YAML = F.document.file_name.lower().endswith((".yaml", ".yml"))
#: Bounds of parsing a contest file in a child process (models.sandbox.run_bounded).
CONTEST_SECONDS = 15
CONTEST_MEMORY_MB = 512


def loaded_text(result: LoadResult) -> str:
    text = tr(
        "admin-loaded",
        title=result.title,
        created="yes" if result.created else "no",
        **result.counts,
    )
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


@router.message(Admin.contest_file, F.document.as_("doc"))
@router.message(F.document.as_("doc"), _YAML)
async def contest_file(
    message: Message, doc: Document, bot: Bot, services: Services, state: FSMContext
) -> None:
    if not services.contests.is_admin(message.from_user.id):
        raise Forbidden("admin_only")
    # «Проверяю файл…», then the result in its place; the YAML is parsed in a child process
    # bounded in time and memory (issue #13; its depth and tags are checked by the parser)
    progress = await message.answer(tr("heavy-checking"))
    if (doc.file_size or 0) > MAX_DEFINITION_BYTES:
        await progress.edit_text(tr("admin-file-too-large"))
        return
    try:
        raw = await fetch(bot, doc, MAX_DEFINITION_BYTES)
        parsed = await run_bounded(
            parse_contest_definition, raw, seconds=CONTEST_SECONDS, memory_mb=CONTEST_MEMORY_MB
        )
        result = await services.contests.load_definition(message.from_user.id, raw, parsed=parsed)
    except DefinitionInvalid as exc:
        await progress.edit_text(render_definition_errors(exc.errors))
        return
    except FileRefused as exc:
        await progress.edit_text(error_text(exc))
        return
    await state.set_state(None)
    await progress.edit_text(loaded_text(result))
