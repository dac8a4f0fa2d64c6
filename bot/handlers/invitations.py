"""Staff invitations: /invite (one at a time, or a CSV/XLSX list → a file of links), opening
an invitation link (``/start inv_<token>``), and /staff (roles, links, revoking a role)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Document, InlineKeyboardMarkup, Message
from openpyxl import Workbook

from bot.downloads import fetch
from bot.menus import set_menu
from bot.prompts import ask, cancel_item
from bot.screens import Button, Screen, button_label, choices, confirm, message_of, show
from bot.texts import error_text, format_dt, staff_help, tr
from models.errors import DomainError, Forbidden
from models.services import Services
from models.services.invitations import (
    MAX_BULK_BYTES,
    TOKEN_PREFIX,
    BulkResult,
    InviteSpec,
    IssuedInvitation,
    StaffEntry,
)

router = Router(name=__name__)

TZ = "Europe/Moscow"
STAFF_PAGE = 8
_TABLE = F.document.file_name.lower().endswith((".csv", ".xlsx"))


class Invite(StatesGroup):
    menu = State()  # a contest is chosen: a role button or a list file
    name = State()  # waiting for the invited person's full name


class InviteStep(StrEnum):
    CONTEST = "contest"  # the role menu of a contest
    ROLE = "role"  # value: the role
    REGION = "region"  # value: the region code
    STATUS = "status"  # value: the expert's status
    CHIEF = "chief"  # value: the nomination code, or "" (not a chief expert)
    COMMISSION = "commission"  # value: the commission role
    REVOKE = "revoke"  # invitation_id: the invitation just issued


class InviteCb(CallbackData, prefix="iv"):
    """/invite, step by step (R-ROLE-1…3)."""

    action: InviteStep
    contest_id: int = 0
    value: str = ""
    invitation_id: int = 0


class AcceptCb(CallbackData, prefix="ia"):
    token: str
    yes: bool


class StaffAction(StrEnum):
    CONTEST = "contest"
    PAGE = "page"
    ASK = "ask"  # entry_id: the role to revoke, asked first
    REVOKE = "revoke"  # entry_id: the role
    CANCEL = "cancel"
    LINK = "link"  # entry_id: the pending invitation to issue a new link for


class StaffCb(CallbackData, prefix="sf"):
    """/staff: a contest's staff and pending invitations."""

    action: StaffAction
    contest_id: int = 0
    entry_id: int = 0
    page: int = 0


def role_label(role: str) -> str:
    return tr(f"inv-role-{role}")


async def invitation_link(bot: Bot, payload: str) -> str:
    me = await bot.me()
    return f"https://t.me/{me.username}?start={payload}"


def _keyboard(buttons: Sequence[Button], *, cancel: bool = False) -> InlineKeyboardMarkup | None:
    """One button a row; ``cancel``: a step of /invite, which can be left with «Отмена»."""
    return choices(buttons, tail=[cancel_item()] if cancel else [])


async def _help_parts(services: Services, uid: int) -> list[str]:
    roles = await services.invitations.menu_roles(uid)
    coordinator = bool(roles & {"coordinator", "federal_coordinator", "admin"})
    parts = staff_help(
        coordinator, "admin" in roles, "expert" in roles, "commission_member" in roles
    )
    # R-APL-2, R-RES-3: what a team representative and a volunteer have here (teams.ftl)
    parts += [
        tr(f"teams-help-{role}") for role in ("team_representative", "volunteer") if role in roles
    ]
    return parts


# ----------------------------------------------------------------------------- /invite


@router.message(Command("invite"))
async def invite(message: Message, services: Services, state: FSMContext) -> None:
    contests = await services.invitations.inviter_contests(message.from_user.id)
    if not contests:
        raise Forbidden("inv_not_allowed")
    if len(contests) == 1:
        await _start_menu(message, services, state, message.from_user.id, contests[0][0])
        return
    buttons = [
        (button_label(title, width=60), InviteCb(action=InviteStep.CONTEST, contest_id=cid))
        for cid, title in contests
    ]
    await message.answer(tr("inv-choose-contest"), reply_markup=_keyboard(buttons))


async def _start_menu(
    message: Message, services: Services, state: FSMContext, uid: int, contest_id: int
) -> None:
    roles, _, _ = await services.invitations.choices(uid, contest_id)
    contest = await services.contests.contest(contest_id)
    # a role button, or a list file: the wait for the file can be left with «Отмена» (issue #12)
    buttons: list[Button] = [
        (
            role_label(r).capitalize(),
            InviteCb(action=InviteStep.ROLE, contest_id=contest_id, value=r),
        )
        for r in roles
    ]
    markup = _keyboard(buttons)
    rows = markup.inline_keyboard if markup is not None else []
    await ask(
        message,
        state,
        Invite.menu,
        tr("inv-start", contest=contest.title),
        rows=rows,
        inv={"contest_id": contest_id},
    )


async def _draft(state: FSMContext, contest_id: int, **changes: Any) -> dict[str, Any]:
    data = await state.get_data()
    draft = dict(data.get("inv") or {})
    if draft.get("contest_id") != contest_id:
        draft = {"contest_id": contest_id}
    draft.update(changes)
    await state.update_data(inv=draft)
    return draft


async def _ask_name(message: Message, state: FSMContext, contest_id: int) -> None:
    """The invited person's ФИО, with «Отмена» back to the role menu (issue #12)."""
    await ask(
        message,
        state,
        Invite.name,
        tr("inv-ask-name"),
        back=InviteCb(action=InviteStep.CONTEST, contest_id=contest_id),
    )


@router.callback_query(InviteCb.filter())
async def invite_step(
    query: CallbackQuery, callback_data: InviteCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    uid, cid, value = query.from_user.id, callback_data.contest_id, callback_data.value
    action = callback_data.action
    message = message_of(query)
    if action == InviteStep.REVOKE:
        name = await services.invitations.revoke_invitation(uid, callback_data.invitation_id)
        await message.answer(tr("inv-invitation-revoked", name=name))
        return
    # every step asks the service again: a button is no proof of the right to invite
    roles, regions, nominations = await services.invitations.choices(uid, cid)
    if action == InviteStep.CONTEST:
        await _start_menu(message, services, state, uid, cid)
    elif action == InviteStep.ROLE:
        if value not in roles:
            raise Forbidden("inv_role_not_allowed")
        await _draft(
            state, cid, role=value, regions=[], status=None, chief_for=[], commission_role=None
        )
        if value in ("coordinator", "team_representative", "volunteer"):
            # a team representative speaks for the team of one region (R-APL-2, 002 §5.3)
            buttons = [
                (name, InviteCb(action=InviteStep.REGION, contest_id=cid, value=code))
                for code, name in regions
            ]
            ask = {"coordinator": "inv-ask-region"}.get(value, f"teams-ask-region-{value}")
            await message.answer(tr(ask), reply_markup=_keyboard(buttons, cancel=True))
        elif value == "expert":
            buttons = [
                (
                    tr(f"inv-status-{s}").capitalize(),
                    InviteCb(action=InviteStep.STATUS, contest_id=cid, value=s),
                )
                for s in ("competence_manager", "mentor", "industrial", "methodist")
            ]
            await message.answer(tr("inv-ask-status"), reply_markup=_keyboard(buttons, cancel=True))
        elif value == "commission_member":
            buttons = [
                (
                    tr(f"inv-commission-{r}").capitalize(),
                    InviteCb(action=InviteStep.COMMISSION, contest_id=cid, value=r),
                )
                for r in ("chair", "secretary", "member")
            ]
            await message.answer(
                tr("inv-ask-commission-role"), reply_markup=_keyboard(buttons, cancel=True)
            )
        else:
            await _ask_name(message, state, cid)
    elif action == InviteStep.REGION:
        await _draft(state, cid, regions=[value])
        await _ask_name(message, state, cid)
    elif action == InviteStep.STATUS:
        await _draft(state, cid, status=value)
        if nominations:
            buttons = [(tr("inv-btn-not-chief"), InviteCb(action=InviteStep.CHIEF, contest_id=cid))]
            buttons += [
                (
                    button_label(tr("inv-btn-chief", nomination=title), width=60),
                    InviteCb(action=InviteStep.CHIEF, contest_id=cid, value=code),
                )
                for code, title in nominations
            ]
            await message.answer(tr("inv-ask-chief"), reply_markup=_keyboard(buttons, cancel=True))
        else:
            await _ask_name(message, state, cid)
    elif action == InviteStep.CHIEF:
        await _draft(state, cid, chief_for=[value] if value else [])
        await _ask_name(message, state, cid)
    elif action == InviteStep.COMMISSION:
        await _draft(state, cid, commission_role=value)
        await _ask_name(message, state, cid)


@router.message(Invite.name, F.text, ~F.text.startswith("/"), F.text.as_("text"))
async def invited_name(
    message: Message, text: str, bot: Bot, services: Services, state: FSMContext
) -> None:
    draft = (await state.get_data()).get("inv") or {}
    if "role" not in draft:
        await state.set_state(None)
        await message.answer(tr("session-expired"))
        return
    spec = InviteSpec(
        role=draft["role"],
        name=text,
        regions=tuple(draft.get("regions") or ()),
        expert_status=draft.get("status"),
        chief_for=tuple(draft.get("chief_for") or ()),
        commission_role=draft.get("commission_role"),
    )
    issued = await services.invitations.create(message.from_user.id, draft["contest_id"], spec)
    await state.set_state(Invite.menu)  # another person: a role button again, or a list file
    await _send_issued(message, bot, issued)


async def _send_issued(message: Message, bot: Bot, issued: IssuedInvitation) -> None:
    link = await invitation_link(bot, issued.payload)
    kb = _keyboard(
        [
            (
                tr("inv-btn-revoke-invitation"),
                InviteCb(action=InviteStep.REVOKE, invitation_id=issued.id),
            )
        ]
    )
    text = tr(
        "inv-created",
        name=issued.name,
        role=role_label(issued.role),
        expires=format_dt(issued.expires_at, TZ),
        link=link,
    )
    await message.answer(text, reply_markup=kb)


@router.message(Invite.menu, F.document.as_("doc"), _TABLE)
@router.message(Invite.name, F.document.as_("doc"), _TABLE)
async def invite_list(
    message: Message, doc: Document, bot: Bot, services: Services, state: FSMContext
) -> None:
    draft = (await state.get_data()).get("inv") or {}
    if "contest_id" not in draft:
        await state.set_state(None)
        await message.answer(tr("session-expired"))
        return
    # «Проверяю файл…» first, then the result in its place; the list is read in a bounded
    # child process (issue #13: a hostile workbook froze every user for 142 s)
    progress = await message.answer(tr("heavy-checking"))
    filename = doc.file_name or "list.csv"
    try:
        if (doc.file_size or 0) > MAX_BULK_BYTES:
            raise DomainError("inv_file_too_large")
        raw = await fetch(bot, doc, MAX_BULK_BYTES)
        result = await services.invitations.create_bulk(
            message.from_user.id, draft["contest_id"], filename, raw
        )
    except DomainError as exc:
        await progress.edit_text(error_text(exc))
        return
    await state.set_state(Invite.menu)
    content = await _result_workbook(bot, result)
    expires = next((r.issued.expires_at for r in result.rows if r.issued), None)
    caption = tr("inv-bulk-caption", expires=format_dt(expires, TZ)) if expires else None
    stem = filename.rsplit(".", 1)[0][:40] or "list"
    text = tr("inv-bulk-done", created=result.created, failed=len(result.failed))
    if result.failed:
        text += "\n" + tr("inv-bulk-failed-rows", rows=", ".join(str(r) for r in result.failed))
    await progress.edit_text(text)
    await message.answer_document(
        BufferedInputFile(content, filename=f"{stem}-links.xlsx"), caption=caption
    )


async def _result_workbook(bot: Bot, result: BulkResult) -> bytes:
    """The same rows as the list sent, plus a link (or the error) for each; the workbook is
    written in a thread (up to 1000 rows: not on the event loop, issue #13)."""
    width = max([len(result.header), *(len(r.cells) for r in result.rows)])
    pad = [""] * width
    table = [
        [
            *(result.header + pad)[:width],
            tr("inv-col-link"),
            tr("inv-col-expires"),
            tr("inv-col-error"),
        ]
    ]
    for row in result.rows:
        cells = (row.cells + pad)[:width]
        if row.issued is not None:
            link = await invitation_link(bot, row.issued.payload)
            table.append([*cells, link, format_dt(row.issued.expires_at, TZ), ""])
        else:
            error = error_text(row.error) if row.error is not None else ""
            table.append([*cells, "", "", tr("inv-row-error", row=row.row, error=error)])
    return await asyncio.to_thread(_workbook_bytes, table)


def _workbook_bytes(table: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = tr("inv-sheet-title")
    for row in table:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ----------------------------------------------------------------------------- opening a link


@router.message(CommandStart(deep_link=True, magic=F.args.startswith(TOKEN_PREFIX)))
async def open_invitation(message: Message, command: CommandObject, services: Services) -> None:
    token = (command.args or "").removeprefix(TOKEN_PREFIX)
    offer = await services.invitations.preview(message.from_user.id, token)
    details = ""
    if offer.regions:
        details += tr("inv-offer-regions", regions=", ".join(offer.regions))
    if offer.expert_status:
        details += " (" + tr(f"inv-status-{offer.expert_status}") + ")"
    if offer.commission_role:
        details += " (" + tr(f"inv-commission-{offer.commission_role}") + ")"
    if offer.chief_for:
        details += tr("inv-offer-chief", nominations=", ".join(offer.chief_for))
    text = tr(
        "inv-offer",
        contest=offer.contest_title,
        role=role_label(offer.role),
        name=offer.name,
        details=details,
    )
    kb = _keyboard(
        [
            (tr("inv-btn-yes"), AcceptCb(token=token, yes=True)),
            (tr("inv-btn-no"), AcceptCb(token=token, yes=False)),
        ]
    )
    await message.answer(text, reply_markup=kb)


@router.callback_query(AcceptCb.filter())
async def answer_invitation(
    query: CallbackQuery, callback_data: AcceptCb, bot: Bot, services: Services
) -> None:
    uid = query.from_user.id
    if not callback_data.yes:
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(tr("inv-declined"))
        return
    bound = await services.invitations.accept(uid, callback_data.token)
    await query.message.edit_reply_markup(reply_markup=None)
    await set_menu(bot, services, uid)
    parts = [
        tr("inv-bound", role=role_label(bound.role), contest=bound.contest_title),
        *await _help_parts(services, uid),
    ]
    await query.message.answer("\n\n".join(parts))


# ----------------------------------------------------------------------------- /staff


@router.message(Command("staff"))
async def staff(message: Message, services: Services) -> None:
    uid = message.from_user.id
    contests = await services.invitations.inviter_contests(uid)
    if not contests:
        raise Forbidden("inv_staff_only")
    if len(contests) == 1:
        text, kb = await _staff_screen(services, uid, contests[0][0], 0)
        await message.answer(text, reply_markup=kb)
        return
    buttons = [
        (button_label(title, width=60), StaffCb(action=StaffAction.CONTEST, contest_id=cid))
        for cid, title in contests
    ]
    await message.answer(tr("inv-choose-contest"), reply_markup=_keyboard(buttons))


def _details(e: StaffEntry) -> str:
    parts = []
    if e.regions:
        parts.append(", ".join(e.regions))
    if e.expert_status:
        parts.append(tr(f"inv-status-{e.expert_status}"))
    if e.commission_role:
        parts.append(tr(f"inv-commission-{e.commission_role}"))
    return f" ({'; '.join(parts)})" if parts else ""


async def _staff_screen(
    services: Services, uid: int, contest_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    staff = await services.invitations.staff(uid, contest_id)
    entries: list[tuple[str, Any]] = [("role", e) for e in staff.roles] + [
        ("inv", p) for p in staff.pending
    ]
    pages = max(1, (len(entries) + STAFF_PAGE - 1) // STAFF_PAGE)
    page = min(max(page, 0), pages - 1)
    lines = [tr("inv-staff-title", contest=staff.contest_title)]
    if not staff.roles:
        lines.append(tr("inv-staff-none"))
    lines += [
        tr("inv-staff-role", name=e.name, role=role_label(e.role), details=_details(e))
        for e in staff.roles
    ]
    if staff.pending:
        lines.append("")
        lines.append(tr("inv-staff-pending"))
        for p in staff.pending:
            link = (
                tr("inv-staff-pending-expires", expires=format_dt(p.expires_at, TZ))
                if p.expires_at
                else tr("inv-staff-pending-no-link")
            )
            lines.append(
                tr("inv-staff-pending-item", name=p.name, role=role_label(p.role), link=link)
            )
    items: list[Button] = []
    for kind, e in entries[page * STAFF_PAGE : (page + 1) * STAFF_PAGE]:
        if kind == "role":
            label = button_label(tr("inv-btn-revoke-role", name=e.name), width=60)
            items.append(
                (label, StaffCb(action=StaffAction.ASK, contest_id=contest_id, entry_id=e.id))
            )
        else:
            label = button_label(tr("inv-btn-issue-link", name=e.name), width=60)
            items.append(
                (label, StaffCb(action=StaffAction.LINK, contest_id=contest_id, entry_id=e.id))
            )

    def to_page(n: int) -> StaffCb:
        return StaffCb(action=StaffAction.PAGE, contest_id=contest_id, page=n)

    if page > 0:
        items.append((tr("inv-btn-prev"), to_page(page - 1)))
    if page < pages - 1:
        items.append((tr("inv-btn-next"), to_page(page + 1)))
    return "\n".join(lines), choices(items)


@router.callback_query(StaffCb.filter())
async def staff_action(
    query: CallbackQuery, callback_data: StaffCb, bot: Bot, services: Services
) -> None:
    uid, action, cid = query.from_user.id, callback_data.action, callback_data.contest_id
    message = message_of(query)
    if action in (StaffAction.CONTEST, StaffAction.PAGE):
        text, kb = await _staff_screen(services, uid, cid, callback_data.page)
        if action == StaffAction.CONTEST:
            await message.answer(text, reply_markup=kb)
        else:
            await show(query, Screen(text, kb))
    elif action == StaffAction.ASK:
        entry = await services.invitations.role_entry(uid, callback_data.entry_id)
        kb = confirm(
            StaffCb(action=StaffAction.REVOKE, contest_id=cid, entry_id=entry.id),
            StaffCb(action=StaffAction.CANCEL, contest_id=cid),
            yes_label=tr("inv-btn-revoke-yes"),
            no_label=tr("inv-btn-cancel"),
        )
        await message.answer(
            tr("inv-revoke-confirm", role=role_label(entry.role), name=entry.name), reply_markup=kb
        )
    elif action == StaffAction.REVOKE:
        entry = await services.invitations.revoke_role(uid, callback_data.entry_id)
        await show(query, Screen(tr("inv-revoked", role=role_label(entry.role), name=entry.name)))
        await set_menu(bot, services, entry.telegram_id)
    elif action == StaffAction.LINK:
        issued = await services.invitations.issue_link(uid, callback_data.entry_id)
        await _send_issued(message, bot, issued)
    else:
        await show(query, Screen(tr("inv-cancelled")))
