"""Protocols in the chat (R-PRO-1…4) and publication of results (R-RES-1…3).

«Подписать» / «Отказаться» come on the protocol's PDF (``ProtocolCb``); ``/protocols``
shows a scheme's protocols to its chief expert and the coordinators, with who has not
signed and who refused; ``/publish`` is the coordinator's publication screen; ``/verify``
checks that a PDF is exactly a protocol version and who signed it.

Handlers stay thin: every button calls a service, which checks the role again (a forged
button changes nothing) and refuses in Russian through ``handlers.common``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import flow
from bot.callbacks import ProtocolCb, ScoringCb
from bot.downloads import fetch
from bot.prompts import ask, confirm_markup
from bot.texts import error_text, format_dt, tr
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.protocols import ProtocolView, SignerState
from models.services.scoring import SchemeBrief
from notifications.i18n import has

router = Router(name=__name__)

_NOT_COMMAND = F.text & ~F.text.startswith("/")

#: a protocol PDF is a few hundred kilobytes; Telegram lets a bot download up to 20 MB
MAX_VERIFY_BYTES = 20 * 1024 * 1024
#: Telegram allows 100 buttons on a message; keep room for the scheme's own buttons
MAX_PDF_BUTTONS = 90


class ProtocolForm(StatesGroup):
    refusal_reason = State()
    verify_file = State()


class PubCb(CallbackData, prefix="pb"):
    """The protocols and publication screens of one scheme."""

    scheme_id: int
    action: str  # list | pub | results | ask | go


# --------------------------------------------------------------------------- wording


def _kind(kind: str) -> str:
    return tr(f"doc-kind-{kind}") if has(f"doc-kind-{kind}") else kind


def _role(code: str) -> str:
    return tr(f"doc-role-{code}") if code and has(f"doc-role-{code}") else code or "—"


def _who(signers: tuple[SignerState, ...]) -> str:
    return ", ".join(f"{x.name} ({_role(x.role)})" for x in signers) or "—"


def _signed(view: ProtocolView) -> int:
    return sum(1 for x in view.signers if x.decision == "signed")


def _state_lines(view: ProtocolView) -> list[str]:
    """Signed N of M; complete, or who is missing and who refused with the reason."""
    lines = [tr("pro-state-count", signed=_signed(view), total=len(view.signers))]
    if view.status == "complete":
        lines.append(tr("pro-state-complete", at=format_dt(view.completed_at, view.timezone)))
        return lines
    waiting = tuple(x for x in view.missing if x.decision != "refused")
    if waiting:
        lines.append(tr("pro-state-missing", names=_who(waiting)))
    for x in view.refusals:
        lines.append(tr("pro-state-refusal", name=x.name, role=_role(x.role), why=x.reason or "—"))
    return lines


def _protocol_text(view: ProtocolView) -> str:
    lines = [
        tr("pro-card-title", title=view.title, number=str(view.id)),
        tr(
            "pro-card-kind",
            kind=_kind(view.kind),
            version=view.version,
            status=tr(f"pro-status-{view.status}"),
        ),
    ]
    return "\n".join(lines + _state_lines(view))


def _pdf_button(kb: InlineKeyboardBuilder, view: ProtocolView) -> None:
    # titles differ at their start («Блокировка оценок «…»», «Результаты «…»»): kept, whole words
    title = flow.button_label(view.title)
    kb.button(
        text=tr("pro-btn-pdf", number=str(view.id), title=title),
        callback_data=ProtocolCb(protocol_id=view.id, version=view.version, action="pdf"),
    )


async def _long(message: Message, text: str, kb: InlineKeyboardMarkup | None = None) -> None:
    """A long list in parts under Telegram's 4096-character limit; the buttons on the last."""
    parts: list[str] = []
    chunk = ""
    for line in text.split("\n"):
        if chunk and len(chunk) + len(line) + 1 > 3800:
            parts.append(chunk)
            chunk = ""
        chunk += line + "\n"
    parts.append(chunk)
    for i, part in enumerate(parts):
        await message.answer(part.rstrip(), reply_markup=kb if i == len(parts) - 1 else None)


def _steps(*steps: tuple[str, CallbackData]) -> InlineKeyboardMarkup:
    """Issue #15: a result screen offers the next step and a way back (one a row)."""
    kb = InlineKeyboardBuilder()
    for key, data in steps:
        kb.button(text=tr(key), callback_data=data)
    kb.adjust(1)
    return kb.as_markup()


def _back_protocol(view: ProtocolView) -> tuple[str, CallbackData]:
    return "nxt-btn-back-protocol", ProtocolCb(
        protocol_id=view.id, version=view.version, action="view"
    )


async def _drop_buttons(query: CallbackQuery) -> None:
    """The PDF's «Подписать» / «Отказаться» are spent once signed."""
    try:
        await query.message.edit_reply_markup(reply_markup=None)
    except Exception:  # too old to edit, or already without buttons
        pass


# --------------------------------------------------------------------------- signing (R-PRO-2)


@router.callback_query(ProtocolCb.filter(F.action.in_({"sign", "resign"})))
async def sign(query: CallbackQuery, callback_data: ProtocolCb, services: Services) -> None:
    """«Подписать» (once, on the button's version); «Всё-таки подписать» under one's own
    refusal is the only way to sign a version one refused, so «Подписать» and «Отказаться»
    pressed together never both count."""
    # one entry for every kind: a mentor's sheet and a correction go through their scoring step
    view = await services.signing.sign(
        query.from_user.id,
        callback_data.protocol_id,
        callback_data.version,
        over_refusal=callback_data.action == "resign",
    )
    await query.answer()
    await _drop_buttons(query)
    text = tr("pro-signed", title=view.title, version=view.version)
    await query.message.answer(
        "\n".join([text, *_state_lines(view)]), reply_markup=_steps(_back_protocol(view))
    )


async def _ask_refusal(query: CallbackQuery, state: FSMContext, view: ProtocolView) -> None:
    await ask(
        query.message,
        state,
        ProtocolForm.refusal_reason,
        tr("pro-refuse-ask", title=view.title, version=view.version),
        back=ProtocolCb(protocol_id=view.id, version=view.version, action="view"),
        pro_refuse=[view.id, view.version],
        pro_refuse_reason=None,
    )


@router.callback_query(ProtocolCb.filter(F.action.in_({"refuse", "refuseedit"})))
async def refuse_ask(
    query: CallbackQuery, callback_data: ProtocolCb, services: Services, state: FSMContext
) -> None:
    """«Отказаться»: an old version, a signature or a refusal already given are refused at
    once, before the reason is asked."""
    view = await services.protocols.check_decision(
        query.from_user.id, callback_data.protocol_id, callback_data.version
    )
    await query.answer()
    await _ask_refusal(query, state, view)


@router.message(ProtocolForm.refusal_reason, _NOT_COMMAND)
async def refuse(message: Message, services: Services, state: FSMContext) -> None:
    """The reason decides about a protocol others sign: shown back with «Подтвердить» /
    «Изменить» before it is recorded. A new text replaces the draft."""
    data = await state.get_data()
    protocol_id, version = data.get("pro_refuse") or (0, 0)
    reason = services.protocols.check_reason(message.text)
    view = await services.protocols.check_decision(message.from_user.id, protocol_id, version)
    await state.update_data(pro_refuse_reason=reason)
    await message.answer(
        tr("pro-refuse-check", title=view.title, version=view.version, reason=reason),
        reply_markup=confirm_markup(
            ProtocolCb(protocol_id=protocol_id, version=version, action="refuseok"),
            ProtocolCb(protocol_id=protocol_id, version=version, action="refuseedit"),
        ),
    )


@router.callback_query(ProtocolCb.filter(F.action == "refuseok"))
async def refuse_confirm(
    query: CallbackQuery, callback_data: ProtocolCb, services: Services, state: FSMContext
) -> None:
    """«Подтвердить» the refusal: only the draft of the prompt still open for this very
    version (after «Отмена» or a command the old button changes nothing)."""
    data = await state.get_data()
    reason = data.get("pro_refuse_reason")
    if (
        await state.get_state() != ProtocolForm.refusal_reason.state
        or list(data.get("pro_refuse") or []) != [callback_data.protocol_id, callback_data.version]
        or not reason
    ):
        raise DomainError("guard_draft_lost")
    view = await services.protocols.refuse(
        query.from_user.id, callback_data.protocol_id, callback_data.version, reason
    )
    await state.set_state(None)
    await state.update_data(pro_refuse=None, pro_refuse_reason=None)
    await query.answer()
    await _drop_buttons(query)
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr("pro-btn-resign"),
        callback_data=ProtocolCb(protocol_id=view.id, version=view.version, action="resign"),
    )
    key, data = _back_protocol(view)
    kb.button(text=tr(key), callback_data=data)
    kb.adjust(1)
    await query.message.answer(
        "\n".join(
            [
                tr("pro-refused-recorded", title=view.title, version=view.version),
                *_state_lines(view),
            ]
        ),
        reply_markup=kb.as_markup(),
    )


@router.message(ProtocolForm.refusal_reason, ~F.text)
async def refuse_not_text(message: Message) -> None:
    await message.answer(tr("pro-refuse-need-text"))


# --------------------------------------------------------------------------- one protocol, its PDF


@router.callback_query(ProtocolCb.filter(F.action == "view"))
async def view_one(query: CallbackQuery, callback_data: ProtocolCb, services: Services) -> None:
    view = await services.protocols.view(query.from_user.id, callback_data.protocol_id)
    await query.answer()
    kb = InlineKeyboardBuilder()
    if view.pdf_path:
        _pdf_button(kb, view)
    if (
        view.scheme_id is not None
    ):  # the chief expert and coordinators: back to the scheme's protocols
        if any(
            s.id == view.scheme_id
            for s in await _staff_schemes(services, query.from_user.id, {"chief", "coordinator"})
        ):
            kb.button(
                text=tr("nxt-btn-back-protocols"),
                callback_data=PubCb(scheme_id=view.scheme_id, action="list"),
            )
    kb.adjust(1)
    await query.message.answer(_protocol_text(view), reply_markup=kb.as_markup())


@router.callback_query(ProtocolCb.filter(F.action == "pdf"))
async def pdf(
    query: CallbackQuery, callback_data: ProtocolCb, bot: Bot, services: Services
) -> None:
    """The stored file again — signers, the chief expert and coordinators (the service checks)."""
    view = await services.protocols.view(query.from_user.id, callback_data.protocol_id)
    if not view.pdf_path or services.ctx.files_dir is None:
        raise DomainError("protocol_not_ready")
    path = Path(services.ctx.files_dir) / view.pdf_path
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError:
        raise DomainError("protocol_not_ready") from None
    await query.answer()
    caption = tr(
        "pro-pdf-caption",
        title=view.title,
        version=view.version,
        status=tr(f"pro-status-{view.status}"),
    )
    await bot.send_document(
        query.from_user.id,
        BufferedInputFile(data, filename=f"protocol-{view.id}-v{view.version}.pdf"),
        caption=caption,
    )


# --------------------------------------------------------------------------- /protocols


async def _staff_schemes(services: Services, uid: int, roles: set[str]) -> list[SchemeBrief]:
    return [s for s in await services.scoring.schemes_for(uid) if roles & s.roles]


def _scheme_picker(schemes: list[SchemeBrief], action: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for s in schemes:
        kb.button(
            text=flow.button_label(f"{s.title} · {s.stage}"),
            callback_data=PubCb(scheme_id=s.id, action=action),
        )
    kb.adjust(1)
    return kb.as_markup()


@router.message(Command("protocols"))
async def protocols_cmd(message: Message, services: Services, state: FSMContext) -> None:
    await state.set_state(None)
    schemes = await _staff_schemes(services, message.from_user.id, {"chief", "coordinator"})
    if not schemes:
        raise Forbidden("pro_chief_or_coordinator")
    if len(schemes) == 1:
        await _protocol_list(message, services, message.from_user.id, schemes[0])
        return
    await message.answer(tr("pro-choose-scheme"), reply_markup=_scheme_picker(schemes, "list"))


@router.callback_query(PubCb.filter(F.action == "list"))
async def protocols_list(query: CallbackQuery, callback_data: PubCb, services: Services) -> None:
    brief = await _brief(
        services, query.from_user.id, callback_data.scheme_id, {"chief", "coordinator"}
    )
    await query.answer()
    await _protocol_list(query.message, services, query.from_user.id, brief)


async def _brief(services: Services, uid: int, scheme_id: int, roles: set[str]) -> SchemeBrief:
    brief = next((s for s in await _staff_schemes(services, uid, roles) if s.id == scheme_id), None)
    if brief is None:
        raise Forbidden("pro_chief_or_coordinator" if "chief" in roles else "not_coordinator")
    return brief


async def _protocol_list(
    message: Message, services: Services, uid: int, brief: SchemeBrief
) -> None:
    views = await services.protocols.for_scheme(uid, brief.id)
    lines = [tr("pro-list-title", title=brief.title, stage=brief.stage, count=len(views))]
    kb = InlineKeyboardBuilder()
    if not views:
        lines.append(tr("pro-list-empty"))
    for i, v in enumerate(views):
        lines.append("")
        lines.append(_protocol_text(v))
        if v.pdf_path and i < MAX_PDF_BUTTONS:
            _pdf_button(kb, v)
    if "coordinator" in brief.roles:
        kb.button(text=tr("pub-btn-screen"), callback_data=PubCb(scheme_id=brief.id, action="pub"))
    if "chief" in brief.roles:  # issue #15: the way back to the scoring setup
        kb.button(
            text=tr("nxt-btn-back-setup"),
            callback_data=ScoringCb(scheme_id=brief.id, action="chief"),
        )
    kb.adjust(1)
    await _long(message, "\n".join(lines), kb.as_markup())


# --------------------------------------------------------------------------- /publish (R-RES-2, R-PRO-4)


@router.message(Command("publish"))
async def publish_cmd(message: Message, services: Services, state: FSMContext) -> None:
    await state.set_state(None)
    schemes = await _staff_schemes(services, message.from_user.id, {"coordinator"})
    if not schemes:
        raise Forbidden("not_coordinator")
    if len(schemes) == 1:
        text, kb = await _publication_screen(services, message.from_user.id, schemes[0])
        await message.answer(text, reply_markup=kb)
        return
    await message.answer(tr("pro-choose-scheme"), reply_markup=_scheme_picker(schemes, "pub"))


@router.callback_query(PubCb.filter(F.action == "pub"))
async def publication(query: CallbackQuery, callback_data: PubCb, services: Services) -> None:
    brief = await _brief(services, query.from_user.id, callback_data.scheme_id, {"coordinator"})
    text, kb = await _publication_screen(services, query.from_user.id, brief)
    await query.answer()
    await query.message.answer(text, reply_markup=kb)


def _mark(ok: bool) -> str:
    return "✅" if ok else "⏳"


async def _publication_screen(
    services: Services, uid: int, brief: SchemeBrief
) -> tuple[str, InlineKeyboardMarkup]:
    ready = await services.publication.readiness(
        uid, brief.id
    )  # the service checks the coordinator
    lock = await services.protocols.by_subject("score_lock", f"scores:{brief.id}")
    results = await services.protocols.by_subject("results", f"results:{brief.id}")
    tz = str(ready.get("timezone") or "Europe/Moscow")
    lines = [tr("pub-title", title=brief.title, stage=brief.stage)]
    lines.append(tr("pub-ready-scores", mark=_mark(bool(ready["scores_locked"]))))
    lines.append(tr("pub-ready-lock", mark=_mark(bool(ready["score_lock_complete"]))))
    if lock is not None and lock.status != "complete":
        lines += ["   " + x for x in _state_lines(lock)]
    corrections = ready.get("open_corrections") or 0
    if corrections:
        lines.append(tr("pub-ready-corrections", count=corrections))
    # R-APL-1, R-APL-3, R-APL-7: disputes that may still change the results
    if ready["undecided_appeals"]:
        lines.append(tr("pubg-ready-appeals", count=ready["undecided_appeals"]))
    if ready["voting_pre_appeals"]:
        lines.append(tr("pubg-ready-pre-appeals", count=ready["voting_pre_appeals"]))
    if ready["open_disputes"]:
        lines.append(
            tr(
                "pubg-ready-disputes",
                count=ready["open_disputes"],
                until=format_dt(ready["disputes_until"], tz),
            )
        )
    published = ready["published_at"]
    lines.append(
        tr(
            "pub-ready-results",
            mark=_mark(ready["results_pdf"] is not None),
            made="yes" if ready["results_protocol"] else "no",
        )
    )
    if ready.get("results_outdated") and published is None:
        lines.append(tr("pubg-ready-outdated"))
    if results is not None:
        # R-PRO-2: publication waits for every required signer of the results protocol
        lines.append(
            tr(
                "pubg-ready-results-signed",
                mark=_mark(bool(ready["results_complete"])),
                signed=_signed(results),
                total=len(results.signers),
            )
        )
        if results.status != "complete":
            lines += ["   " + x for x in _state_lines(results)[1:]]
    kb = InlineKeyboardBuilder()
    if published is not None:
        lines.append(tr("pub-published-at", at=format_dt(published, tz)))  # type: ignore[arg-type]
        changed = ready.get("changed")
        if changed is not None:  # «итоги изменены после публикации» (R-APL-9, issue #12)
            lines.append(
                tr(
                    "pubg-changed",
                    at=format_dt(changed.changed_at, tz),
                    count=changed.participants,
                    version=changed.protocol_version,
                    signed=changed.protocol_signed,
                    total=changed.protocol_signers,
                    complete="yes" if changed.protocol_complete else "no",
                )
            )
    else:
        ok = not ready["blockers"]
        lines.append(tr("pub-can-publish" if ok else "pub-cannot-publish"))
        if ready["scores_locked"]:
            kb.button(
                text=tr("pub-btn-results"),
                callback_data=PubCb(scheme_id=brief.id, action="results"),
            )
        kb.button(text=tr("pub-btn-publish"), callback_data=PubCb(scheme_id=brief.id, action="ask"))
    kb.button(text=tr("pub-btn-protocols"), callback_data=PubCb(scheme_id=brief.id, action="list"))
    kb.adjust(1)
    return "\n".join(lines), kb.as_markup()


@router.callback_query(PubCb.filter(F.action == "results"))
async def results_protocol(query: CallbackQuery, callback_data: PubCb, services: Services) -> None:
    uid = query.from_user.id
    protocol_id = await services.publication.issue_results_protocol(uid, callback_data.scheme_id)
    view = await services.protocols.view(uid, protocol_id)
    await query.answer()
    await query.message.answer(
        tr("pub-results-issued", title=view.title, version=view.version, signers=len(view.signers)),
        reply_markup=_steps(
            ("nxt-btn-publication", PubCb(scheme_id=callback_data.scheme_id, action="pub")),
            ("nxt-btn-back-protocols", PubCb(scheme_id=callback_data.scheme_id, action="list")),
        ),
    )


@router.callback_query(PubCb.filter(F.action == "ask"))
async def publish_ask(query: CallbackQuery, callback_data: PubCb, services: Services) -> None:
    """The confirmation — after the same checks the service makes, so nobody confirms in vain
    (the service checks again when it publishes)."""
    uid = query.from_user.id
    brief = await _brief(services, uid, callback_data.scheme_id, {"coordinator"})
    ready = await services.publication.readiness(uid, brief.id)
    if ready["published_at"] is not None:
        raise DomainError("already_published", at=ready["published_at"], tz=ready["timezone"])
    for code, args in ready["blockers"]:  # the first reason, with its count
        if code == "results_protocol_missing" and ready["results_protocol"]:
            code = "protocol_not_ready"
        raise DomainError(code, **args)
    await query.answer()
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("pub-btn-publish-yes"), callback_data=PubCb(scheme_id=brief.id, action="go"))
    kb.button(text=tr("pub-btn-cancel"), callback_data=PubCb(scheme_id=brief.id, action="pub"))
    kb.adjust(1)
    await query.message.answer(tr("pub-confirm", title=brief.title), reply_markup=kb.as_markup())


@router.callback_query(PubCb.filter(F.action == "go"))
async def publish(query: CallbackQuery, callback_data: PubCb, services: Services) -> None:
    report = await services.publication.publish(query.from_user.id, callback_data.scheme_id)
    await query.answer()
    await _drop_buttons(query)
    await query.message.answer(
        tr(
            "pub-done",
            participants=report.participants,
            experts=report.experts,
            medals=report.medals,
            volunteers=report.volunteers,
        ),
        reply_markup=_steps(
            ("nxt-btn-back-publication", PubCb(scheme_id=callback_data.scheme_id, action="pub")),
            ("nxt-btn-back-protocols", PubCb(scheme_id=callback_data.scheme_id, action="list")),
        ),
    )


# --------------------------------------------------------------------------- /verify


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
    await _require_verifier(services, uid)
    if (message.document.file_size or 0) > MAX_VERIFY_BYTES:
        await message.answer(tr("pro-verify-too-large"))
        return
    # «Проверяю файл…», then the result in its place; the download stops at the limit
    # whatever size the update claimed, and the hash runs in a thread (issue #13)
    progress = await message.answer(tr("heavy-checking"))
    try:
        found = await services.protocols.verify(
            await fetch(bot, message.document, MAX_VERIFY_BYTES)
        )
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
            kind=_kind(view.kind),
            version=found.version or 0,
            sha=found.pdf_sha256,
        )
    ]
    if found.current:
        if view.status == "complete":
            lines.append(tr("pro-verify-current-complete", at=format_dt(view.completed_at, tz)))
        else:
            lines.append(tr("pro-verify-current-incomplete", missing=_who(view.missing)))
    else:
        lines.append(tr("pro-verify-superseded", current=view.version))
    if found.signed_by:
        lines.append(tr("pro-verify-signers", count=len(found.signed_by)))
        lines += [
            tr("pro-verify-signer", name=x.name, role=_role(x.role), at=format_dt(x.at, tz))
            for x in found.signed_by
        ]
    else:
        lines.append(tr("pro-verify-no-signers"))
    text = "\n".join(lines)
    if len(text) <= 3800:
        await progress.edit_text(text)
    else:  # a long list of signers: in parts, as elsewhere
        await progress.edit_text(lines[0])
        await _long(message, "\n".join(lines[1:]))


@router.message(ProtocolForm.verify_file, ~F.text.startswith("/"))
async def verify_not_file(message: Message) -> None:
    await message.answer(tr("pro-verify-need-file"))
