"""/verify: is this PDF one of our protocols, which version, signed by whom (R-PRO-3)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.downloads import fetch
from bot.handlers.protocols.signing import ProtocolForm
from bot.handlers.protocols.wording import kind_label, role_label, who
from bot.prompts import ask
from bot.screens import MESSAGE_LIMIT, Screen, send
from bot.texts import error_text, format_dt, tr
from models.errors import DomainError, Forbidden
from models.services import Services

router = Router(name=__name__)

#: a protocol PDF is a few hundred kilobytes; Telegram lets a bot download up to 20 MB
MAX_VERIFY_BYTES = 20 * 1024 * 1024


async def _require_verifier(services: Services, uid: int) -> None:
    # ProtocolService.verify takes no actor: the check is made here (coordinators and admins)
    roles = await services.coordination.staff_roles(uid)
    if not (roles.is_coordinator or roles.is_admin):
        raise Forbidden("pro_verify_coordinator_only")


@router.message(Command("verify"), ~F.document)
async def verify_ask(message: Message, services: Services, state: FSMContext) -> None:
    await _require_verifier(services, message.from_user.id)
    await ask(message, state, ProtocolForm.verify_file, tr("pro-verify-send"))


@router.message(ProtocolForm.verify_file, F.document)
@router.message(F.document, F.caption.startswith("/verify"))
async def verify_file(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    uid = message.from_user.id
    document = message.document
    assert document is not None  # the filters
    await _require_verifier(services, uid)
    if (document.file_size or 0) > MAX_VERIFY_BYTES:
        await message.answer(tr("pro-verify-too-large"))
        return
    # «Проверяю файл…», then the result in its place; the download stops at the limit
    # whatever size the update claimed, and the hash runs in a thread (issue #13)
    progress = await message.answer(tr("heavy-checking"))
    try:
        found = await services.protocols.verify(await fetch(bot, document, MAX_VERIFY_BYTES))
        await state.set_state(None)
        if not found.found or found.protocol is None:
            await progress.edit_text(tr("pro-verify-no-match", sha=found.pdf_sha256))
            return
        view = found.protocol
        roles = await services.coordination.staff_roles(uid)
        if not roles.is_admin and view.contest_id not in roles.coordinator_contests:
            raise Forbidden("pro_verify_coordinator_only")
    except DomainError as exc:
        await progress.edit_text(error_text(exc))
        return
    tz = view.timezone
    lines = [
        tr(
            "pro-verify-match",
            title=view.title,
            number=str(view.id),
            kind=kind_label(view.kind),
            version=found.version or 0,
            sha=found.pdf_sha256,
        )
    ]
    if found.current:
        if view.status == "complete":
            lines.append(tr("pro-verify-current-complete", at=format_dt(view.completed_at, tz)))
        else:
            lines.append(tr("pro-verify-current-incomplete", missing=who(view.missing)))
    else:
        lines.append(tr("pro-verify-superseded", current=view.version))
    if found.signed_by:
        lines.append(tr("pro-verify-signers", count=len(found.signed_by)))
        lines += [
            tr("pro-verify-signer", name=x.name, role=role_label(x.role), at=format_dt(x.at, tz))
            for x in found.signed_by
        ]
    else:
        lines.append(tr("pro-verify-no-signers"))
    text = "\n".join(lines)
    if len(text) <= MESSAGE_LIMIT:
        await progress.edit_text(text)
    else:  # a long list of signers: in parts, as elsewhere
        await progress.edit_text(lines[0])
        await send(message, Screen("\n".join(lines[1:])))


@router.message(ProtocolForm.verify_file, ~F.text.startswith("/"))
async def verify_not_file(message: Message) -> None:
    await message.answer(tr("pro-verify-need-file"))


__all__ = ["MAX_VERIFY_BYTES", "router"]
