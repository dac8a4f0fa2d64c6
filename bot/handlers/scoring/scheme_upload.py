"""``/scheme``: the chief expert sends a marking scheme (YAML or XLSX; R-SCH-1…3). The file
is read in a child process bounded in time and memory; the service checks the role and
refuses a change to a locked scheme."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.downloads import fetch
from bot.handlers.scoring.callbacks import ChiefCb
from bot.handlers.scoring.common import ScoringForm, setup_step
from bot.prompts import ask
from bot.screens import Button, keyboard
from bot.texts import error_text, tr
from models.definition_file import MAX_DEFINITION_BYTES, DefinitionInvalid
from models.errors import DomainError
from models.sandbox import FileRefused
from models.scheme_xlsx import parse_scheme_file_bounded
from models.services import Services
from notifications.definition_errors import render_definition_errors

router = Router(name=__name__)


@router.message(Command("scheme"))
async def scheme_ask(message: Message, services: Services, state: FSMContext) -> None:
    uid = message.from_user.id
    schemes = [s for s in await services.schemes.schemes_for(uid) if "chief" in s.roles]
    chief_of = await services.schemes.chief_contests(uid)
    if not chief_of and not services.schemes.is_admin(uid):
        raise DomainError("not_chief")
    await ask(
        message,
        state,
        ScoringForm.scheme_file,
        tr("sco-scheme-send"),
        sg_contest=chief_of[0] if chief_of else (schemes[0].contest_id if schemes else None),
    )


@router.message(ScoringForm.scheme_file, F.document)
async def scheme_file(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    doc = message.document
    assert doc is not None  # the filter: F.document
    if (doc.file_size or 0) > MAX_DEFINITION_BYTES * 2:
        await message.answer(tr("sco-scheme-too-large"))
        return
    contest_id = (await state.get_data()).get("sg_contest")
    if contest_id is None:
        contests = await services.contests.contests()
        contest_id = contests[0].id if contests else None
    if contest_id is None:
        raise DomainError("no_contests")
    # «Проверяю файл…», then the result in its place; the file is read in a child process
    # bounded in time and memory, after the ZIP checks (issue #13: a styles or shared-strings
    # bomb froze the bot for 32–82 s)
    progress_msg = await message.answer(tr("heavy-checking"))
    sources = None
    try:
        raw = await fetch(bot, doc, MAX_DEFINITION_BYTES * 2)
        d, sources = await parse_scheme_file_bounded(raw, doc.file_name or "")
        result = await services.schemes.load_scheme(message.from_user.id, contest_id, d)
    except DefinitionInvalid as exc:
        # «лист «Схема», строка 17»
        errors = sources.remap(exc.errors) if sources is not None else exc.errors
        await progress_msg.edit_text(
            render_definition_errors(errors, title_key="scheme-errors-title")
        )
        return
    except FileRefused as exc:  # too big to download, too slow or too complex to read
        await progress_msg.edit_text(error_text(exc))
        return
    await state.set_state(None)
    key = "sco-scheme-unchanged" if result.unchanged else "sco-scheme-loaded"
    step: Button | None = None
    try:  # issue #15: the next setup step; the chief's screen is the way back
        step_key, step_data = setup_step(
            await services.schemes.scheme_view(message.from_user.id, result.scheme_id)
        )
        step = (tr(step_key), step_data)
    except DomainError:  # loaded by an administrator who is not the chief: the screen only
        pass
    await progress_msg.edit_text(
        tr(key, criteria=result.criteria, aspects=result.aspects, groups=result.groups),
        reply_markup=keyboard(step, (tr("sco-btn-chief"), ChiefCb(scheme_id=result.scheme_id))),
    )


@router.message(ScoringForm.scheme_file, ~F.text.startswith("/"))
async def scheme_not_file(message: Message) -> None:
    await message.answer(tr("sco-scheme-need-file"))
