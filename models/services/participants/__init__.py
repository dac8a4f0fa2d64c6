"""The participant's journey: consent → verification form → nomination → application →
submission; withdrawal of consent (R-VER-*, R-APP-*, R-PD-1).

Each stage is its own module and service class; the steps they share are module functions
taking the session (``records``, ``guards``). ``ParticipantService`` gathers the stages under
the one name the bot, the workers and the tests call (``services.participants``): it adds no
behaviour of its own."""

from __future__ import annotations

from models.services.participants.application import ApplicationService
from models.services.participants.erasure import (
    delete_stored_files,
    erase_personal_data,
    erase_task_answers,
    unshared_files,
)
from models.services.participants.files import ApplicationFileService, file_refusal_error
from models.services.participants.form import VerificationFormService
from models.services.participants.records import restage
from models.services.participants.settings import PersonSettingsService
from models.services.participants.views import (
    ORGANISATIONS_PAGE,
    EntryQuestions,
    TelegramFile,
    application_view,
)
from models.services.participants.withdrawal import WithdrawalService


class ParticipantService(
    VerificationFormService,
    ApplicationService,
    ApplicationFileService,
    PersonSettingsService,
    WithdrawalService,
):
    """The participant's side of the bot, stage by stage (see the modules)."""


__all__ = [
    "ORGANISATIONS_PAGE",
    "ApplicationFileService",
    "ApplicationService",
    "EntryQuestions",
    "ParticipantService",
    "PersonSettingsService",
    "TelegramFile",
    "VerificationFormService",
    "WithdrawalService",
    "application_view",
    "delete_stored_files",
    "erase_personal_data",
    "erase_task_answers",
    "file_refusal_error",
    "restage",
    "unshared_files",
]
