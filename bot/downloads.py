"""Downloading what a person sent, bounded and with a clear refusal.

Telegram's file servers fail like any network: a 404 for an expired file id, a 5xx, a
timeout. Such a failure is a Russian «не удалось получить файл — отправьте его ещё раз», never
«Что-то пошло не так»; and the download stops at the limit whatever size the update claimed
(models.sandbox.BoundedBuffer)."""

from __future__ import annotations

import io
import logging
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Document

from models.filetypes import HEAD_BYTES
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


class _Enough(Exception):
    """The head is full: stop the download (raised out of the destination's write)."""


class _HeadBuffer(io.BytesIO):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def write(self, data: Any) -> int:
        room = self.size - self.tell()
        written = super().write(bytes(data[:room]))
        if self.tell() >= self.size:
            raise _Enough
        return written


async def head(bot: Bot, file_id: str, size: int = HEAD_BYTES) -> bytes | None:
    """The first ``size`` bytes of a sent file, to judge its type by its signature (issue #15);
    only that much is downloaded. None when Telegram does not give the file out (the stored
    copy is checked again when it is downloaded)."""
    buffer = _HeadBuffer(size)
    try:
        await bot.download(file_id, destination=buffer, chunk_size=size)
    except _Enough:
        pass
    except (TimeoutError, aiohttp.ClientError, TelegramAPIError, OSError) as exc:
        log.warning("file head not read (%s)", type(exc).__name__)
        return None
    return buffer.getvalue()
