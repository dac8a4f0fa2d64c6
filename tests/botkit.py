"""A person in a chat with the bot: sends messages and presses buttons through the real
dispatcher, over the fake Bot API session, and reads back what the bot said."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import Document, Video

from tests.fakes import FakeTelegramSession, callback_update, message_update


@dataclass
class Person:
    dp: Dispatcher
    bot: Bot
    session: FakeTelegramSession
    user_id: int
    name: str = "Тест"

    def _mark(self) -> int:
        return len(self.session.requests)

    def _texts_since(self, mark: int) -> list[str]:
        out = []
        for req in self.session.requests[mark:]:
            if (
                isinstance(req, (SendMessage, EditMessageText))
                and str(req.chat_id) == str(self.user_id)
                and self.session.succeeded(req)
            ):
                out.append(req.text)
        return out

    async def send(
        self,
        text: str | None = None,
        *,
        document: Document | None = None,
        video: Video | None = None,
    ) -> str:
        """Send a message; returns everything the bot said to this person in reply."""
        mark = self._mark()
        await self.dp.feed_update(
            self.bot,
            message_update(
                self.user_id, text, document=document, video=video, first_name=self.name
            ),
        )
        return "\n".join(self._texts_since(mark))

    def buttons(self) -> list[tuple[int, str, str]]:
        """(message_id, text, callback_data) of every button on the bot's messages here, newest first."""
        found = []
        for (chat, mid), message in sorted(
            self.session.state.messages.items(), key=lambda kv: -kv[0][1]
        ):
            if chat != str(self.user_id):
                continue
            markup = message.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for b in row:
                    if b.get("callback_data"):
                        found.append((mid, b["text"], b["callback_data"]))
        return found

    def has_button(self, label: str) -> bool:
        return any(label in text for _, text, _ in self.buttons())

    async def press(self, label: str) -> str:
        """Press the newest button whose text contains ``label``."""
        for mid, text, data in self.buttons():
            if label in text:
                return await self.press_data(data, mid)
        raise AssertionError(f"no button {label!r}; have: {[t for _, t, _ in self.buttons()][:15]}")

    async def press_data(self, data: str, message_id: int = 1) -> str:
        """Send callback data as is — also data no button of this person carries (forged)."""
        mark = self._mark()
        message = self.session.state.messages.get((str(self.user_id), message_id), {})
        await self.dp.feed_update(
            self.bot,
            callback_update(
                self.user_id,
                data,
                message_id=message_id,
                message_text=message.get("text") or "…",
                first_name=self.name,
            ),
        )
        return "\n".join(self._texts_since(mark))

    def answered_all_callbacks(self) -> bool:
        from aiogram.methods import AnswerCallbackQuery

        return bool(self.session.calls(AnswerCallbackQuery))


def texts_to(session: FakeTelegramSession, chat_id: int) -> list[str]:
    return session.sent_texts(chat_id)


def any_text(texts: list[str], needle: str) -> bool:
    return any(needle in t for t in texts)


def flatten(*parts: Any) -> str:
    return "\n".join(str(p) for p in parts)
