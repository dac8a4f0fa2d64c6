"""Downloading what a person sent, bounded and with a clear refusal.

Telegram's file servers fail like any network: a 404 for an expired file id, a 5xx, a
timeout. Such a failure is a Russian «не удалось получить файл — отправьте его ещё раз», never
«Что-то пошло не так»; and the download stops at the limit whatever size the update claimed
(models.sandbox.BoundedBuffer)."""

from __future__ import annotations

import logging

import aiohttp
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Document

from models.sandbox import BoundedBuffer, FileRefused

log = logging.getLogger(__name__)


async def fetch(bot: Bot, document: Document, limit: int) -> bytes:
    buffer = BoundedBuffer(limit)
    try:
        await bot.download(document, destination=buffer)
    except (TimeoutError, aiohttp.ClientError, TelegramAPIError, OSError) as exc:
        log.warning("download failed (%s)", type(exc).__name__)
        raise FileRefused("file_download_failed") from exc
    return buffer.getvalue()
