"""Admin operations: ``/export_person <telegram_id>`` — everything held about one person
(a subject-access request, R-PD-1…3) as a JSON document."""

from __future__ import annotations

import json

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message

from bot.texts import tr
from models.services import Services

router = Router(name=__name__)


@router.message(Command("export_person"))
async def export_person(message: Message, command: CommandObject, services: Services) -> None:
    actor = message.from_user.id
    if not services.retention.is_admin(actor):
        await message.answer(tr("ops-admin-only"))
        return
    raw = (command.args or "").strip()
    if not raw.lstrip("-").isdigit():
        await message.answer(tr("ops-export-usage"))
        return
    telegram_id = int(raw)
    data = await services.retention.export_person(actor, telegram_id)
    if data["person"] is None and not any(
        data[k]
        for k in (
            "participants",
            "roles",
            "protocol_signers",
            "commission",
            "appeals_filed",
            "deliveries",
            "audit",
        )
    ):
        await message.answer(tr("ops-export-empty", id=str(telegram_id)))
        return
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    await message.answer_document(
        BufferedInputFile(body, filename=f"person-{telegram_id}.json"),
        caption=tr("ops-export-caption", id=str(telegram_id)),
    )
