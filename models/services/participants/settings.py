"""A person's own settings: muting reminders (/settings) and the language (/language)."""

from __future__ import annotations

from sqlalchemy import select, update

from models.errors import DomainError
from models.services.access import LANGUAGE_CHOSEN, LANGUAGES
from models.services.base import Service
from models.services.participants.records import ensure_person
from models.tables import Person


class PersonSettingsService(Service):
    # ------------------------------------------------------------------ /settings

    async def reminders_muted(self, telegram_id: int) -> bool:
        async with self.read() as s:
            muted = (
                await s.execute(
                    select(Person.mute_reminders).where(Person.telegram_id == telegram_id)
                )
            ).scalar_one_or_none()
            return bool(muted)

    async def mute_reminders(
        self, telegram_id: int, muted: bool, display_name: str | None = None
    ) -> bool:
        """Mute non-essential reminders; deadline and appeal notices are not muteable
        (their kinds say so), whatever this flag says."""
        async with self.uow() as uow:
            person = await ensure_person(uow.session, telegram_id, uow.now, display_name)
            if person.mute_reminders != muted:
                person.mute_reminders = muted
                uow.audit(
                    telegram_id,
                    "person.mute_reminders",
                    "person",
                    person.id,
                    before={"muted": not muted},
                    after={"muted": muted},
                )
            return muted

    # ------------------------------------------------------------------ language (/language)

    async def language_for(self, telegram_id: int, detected: str) -> str:
        """The language to talk to this person in: their /language choice, else ``detected``
        (their Telegram language), which is remembered on the person so that notifications
        from the outbox follow it too."""
        async with self.read() as s:
            stored = (
                await s.execute(select(Person.language).where(Person.telegram_id == telegram_id))
            ).scalar_one_or_none()
        if stored is None:
            return detected
        if stored.endswith(LANGUAGE_CHOSEN):
            return stored.removesuffix(LANGUAGE_CHOSEN)
        if stored != detected:
            async with self.uow() as uow:
                await uow.session.execute(
                    update(Person)
                    .where(
                        Person.telegram_id == telegram_id,
                        Person.language.not_like(f"%{LANGUAGE_CHOSEN}"),
                    )
                    .values(language=detected)
                )
        return detected

    async def set_language(
        self, telegram_id: int, language: str, display_name: str | None = None
    ) -> str:
        """/language: the person's own choice; it wins over their Telegram language from now on."""
        if language not in LANGUAGES:
            raise DomainError("not_found")
        async with self.uow() as uow:
            person = await ensure_person(uow.session, telegram_id, uow.now, display_name)
            before = person.language
            person.language = language + LANGUAGE_CHOSEN
            if before != person.language:
                uow.audit(
                    telegram_id,
                    "person.language",
                    "person",
                    person.id,
                    before={"language": before},
                    after={"language": person.language},
                )
        return language
