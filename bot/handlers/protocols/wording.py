"""What the protocol screens share: a protocol's state in words, its PDF button, the
scheme pickers and the staff's schemes."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import ProtocolAction, ProtocolCb
from bot.handlers.protocols.callbacks import PubAction, PubCb
from bot.screens import Button, button_label, choices
from bot.texts import format_dt, tr
from models.errors import Forbidden
from models.services import Services
from models.services.protocols import ProtocolView, SignerState
from models.services.scoring import SchemeBrief
from notifications.i18n import has


def kind_label(kind: str) -> str:
    return tr(f"doc-kind-{kind}") if has(f"doc-kind-{kind}") else kind


def role_label(code: str) -> str:
    return tr(f"doc-role-{code}") if code and has(f"doc-role-{code}") else code or "—"


def who(signers: tuple[SignerState, ...]) -> str:
    return ", ".join(f"{x.name} ({role_label(x.role)})" for x in signers) or "—"


def signed_count(view: ProtocolView) -> int:
    return sum(1 for x in view.signers if x.decision == "signed")


def state_lines(view: ProtocolView) -> list[str]:
    """Signed N of M; complete, or who is missing and who refused with the reason."""
    lines = [tr("pro-state-count", signed=signed_count(view), total=len(view.signers))]
    if view.status == "complete":
        lines.append(tr("pro-state-complete", at=format_dt(view.completed_at, view.timezone)))
        return lines
    waiting = tuple(x for x in view.missing if x.decision != "refused")
    if waiting:
        lines.append(tr("pro-state-missing", names=who(waiting)))
    for x in view.refusals:
        lines.append(
            tr("pro-state-refusal", name=x.name, role=role_label(x.role), why=x.reason or "—")
        )
    return lines


def protocol_text(view: ProtocolView) -> str:
    lines = [
        tr("pro-card-title", title=view.title, number=str(view.id)),
        tr(
            "pro-card-kind",
            kind=kind_label(view.kind),
            version=view.version,
            status=tr(f"pro-status-{view.status}"),
        ),
    ]
    return "\n".join(lines + state_lines(view))


def pdf_item(view: ProtocolView) -> Button:
    # titles differ at their start («Блокировка оценок «…»», «Результаты «…»»): kept, whole words
    label = tr("pro-btn-pdf", number=str(view.id), title=button_label(view.title))
    return label, ProtocolCb(protocol_id=view.id, version=view.version, action=ProtocolAction.PDF)


def steps(*items: tuple[str, ProtocolCb | PubCb]) -> InlineKeyboardMarkup | None:
    """Issue #15: a result screen offers the next step and a way back (one a row); each
    step is a catalogue key and its callback data."""
    return choices((tr(key), data) for key, data in items)


def back_protocol(view: ProtocolView) -> tuple[str, ProtocolCb]:
    to_card = ProtocolCb(protocol_id=view.id, version=view.version, action=ProtocolAction.VIEW)
    return "nxt-btn-back-protocol", to_card


async def drop_buttons(query: CallbackQuery) -> None:
    """The PDF's «Подписать» / «Отказаться» are spent once signed."""
    if not isinstance(query.message, Message):
        return
    try:
        await query.message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest:  # too old to edit, or already without buttons
        pass


async def staff_schemes(services: Services, uid: int, roles: set[str]) -> list[SchemeBrief]:
    return [s for s in await services.schemes.schemes_for(uid) if roles & s.roles]


async def scheme_brief(
    services: Services, uid: int, scheme_id: int, roles: set[str]
) -> SchemeBrief:
    brief = next((s for s in await staff_schemes(services, uid, roles) if s.id == scheme_id), None)
    if brief is None:
        raise Forbidden("pro_chief_or_coordinator" if "chief" in roles else "not_coordinator")
    return brief


def scheme_picker(schemes: list[SchemeBrief], action: PubAction) -> InlineKeyboardMarkup | None:
    return choices(
        (button_label(f"{s.title} · {s.stage}"), PubCb(scheme_id=s.id, action=action))
        for s in schemes
    )


__all__ = [
    "back_protocol",
    "drop_buttons",
    "kind_label",
    "pdf_item",
    "protocol_text",
    "role_label",
    "scheme_brief",
    "scheme_picker",
    "signed_count",
    "staff_schemes",
    "state_lines",
    "steps",
    "who",
]
