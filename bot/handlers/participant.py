"""Participant: /start, consent, the verification form, /status, /withdraw (R-VER, R-PD-1)."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import TypeVar

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import flow
from bot.callbacks import (
    ConsentCb,
    ContestCb,
    FormCb,
    NavCb,
    OrgCb,
    OrgPageCb,
    RegionCb,
    WithdrawCb,
)
from bot.flow import Form
from bot.menus import refresh_menu
from bot.prompts import BACK_KEY
from bot.texts import error_text, staff_help, tr
from bot.viewer import Viewer, viewer_of
from models.errors import DomainError
from models.services import Services

router = Router(name=__name__)
T = TypeVar("T")
#: R-VER-6: a championship's registration closed while the person was at the consent or the form
REGISTRATION_CLOSED = "championship_registration_closed"


async def _unless_closed(
    call: Awaitable[T], bot: Bot, chat_id: int, state: FSMContext, contest_id: int
) -> T | None:
    """``await call``; when it is refused because the championship's registration closed
    (R-VER-6), the open question is closed and the refusal offers a way out (QA 1–2 of
    issue #15) and ``None`` is returned. Other refusals go to the common handler."""
    try:
        return await call
    except DomainError as err:
        if err.code != REGISTRATION_CLOSED:
            raise
        refusal = err
    await flow.show_registration_closed(bot, chat_id, state, contest_id, refusal)
    return None


async def _contest_or_pick(
    message: Message,
    services: Services,
    state: FSMContext,
    then: str,
    participations: Sequence[int] | None = None,
) -> int | None:
    resolved = await flow.resolve_contest(services, state, message.from_user.id, participations)
    if isinstance(resolved, int):
        return resolved
    if not resolved:
        await message.answer(tr("no-contests"))
    else:
        await message.answer(tr("choose-contest"), reply_markup=flow.contest_picker(resolved, then))
    return None


@router.message(CommandStart())
async def start(
    message: Message, bot: Bot, services: Services, state: FSMContext, viewer: Viewer | None = None
) -> None:
    # issue #13: who this is was read once for the whole update (bot.viewer)
    who = await viewer_of(services, message.from_user.id, viewer)
    await refresh_menu(bot, services, who)
    roles = who.staff_roles()
    expert, commission = who.is_expert, who.is_commission_member
    # R-APL-2, R-RES-3: a team representative or a volunteer is staff too, not a participant
    team = [
        tr(f"teams-help-{r}") for r in ("team_representative", "volunteer") if r in who.menu_roles()
    ]
    if flow.greets_as_staff(who):
        # Staff are greeted with their tools, not pushed into a participant's consent form.
        parts = [
            tr("staff-welcome"),
            *staff_help(roles.is_coordinator, roles.is_admin, expert, commission),
            *team,
        ]
        await message.answer("\n\n".join(parts))
        return
    contest_id = await _contest_or_pick(message, services, state, "start", who.participations)
    if contest_id is not None:
        await flow.show_next(
            bot,
            message.chat.id,
            services,
            state,
            message.from_user.id,
            contest_id,
            not_participant=contest_id not in who.participations,
        )


@router.callback_query(ContestCb.filter())
async def contest_chosen(
    query: CallbackQuery, callback_data: ContestCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    contest = await services.contests.contest(callback_data.contest_id)
    await state.update_data(contest_id=contest.id)
    await query.answer()
    uid = query.from_user.id
    if callback_data.then == "status":
        await _send_status(bot, uid, services, uid, contest.id, state)
    elif callback_data.then == "withdraw":
        await _ask_withdraw(bot, uid, services, contest.id)
    else:
        await flow.show_next(bot, uid, services, state, uid, contest.id)


@router.callback_query(NavCb.filter())
async def navigate(
    query: CallbackQuery, callback_data: NavCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    """Buttons in notifications lead straight to the place in the journey."""
    await state.update_data(contest_id=callback_data.contest_id)
    await query.answer()
    uid = query.from_user.id
    if callback_data.to == "status":
        await _send_status(bot, uid, services, uid, callback_data.contest_id, state)
    else:
        await flow.show_next(bot, uid, services, state, uid, callback_data.contest_id)


@router.callback_query(ConsentCb.filter())
async def consent(
    query: CallbackQuery, callback_data: ConsentCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    await query.answer()
    uid = query.from_user.id
    if not callback_data.agree:
        await bot.send_message(uid, tr("pd-declined"))
        return
    await state.update_data(contest_id=callback_data.contest_id)
    given = services.participants.give_consent(
        uid, callback_data.contest_id, query.from_user.full_name
    )
    if await _unless_closed(given, bot, uid, state, callback_data.contest_id) is None:
        return
    await flow.show_next(bot, uid, services, state, uid, callback_data.contest_id)


async def _contest_from_state(state: FSMContext) -> int | None:
    return (await state.get_data()).get("contest_id")


@router.message(Form.full_name, F.text)
async def full_name(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    contest_id = await _contest_from_state(state)
    saved = services.participants.set_full_name(message.from_user.id, contest_id, message.text)
    view = await _unless_closed(saved, bot, message.chat.id, state, contest_id)
    if view is None:
        return
    await message.answer(tr("form-saved-full-name"))
    await flow.show_next(
        bot, message.chat.id, services, state, message.from_user.id, contest_id, view
    )


@router.message(Form.snils, F.text)
async def snils(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    contest_id = await _contest_from_state(state)
    saved = services.participants.set_snils(message.from_user.id, contest_id, message.text)
    view = await _unless_closed(saved, bot, message.chat.id, state, contest_id)
    if view is None:
        return
    await message.answer(tr("form-saved-snils", snils=view.snils_masked))
    await flow.show_next(
        bot, message.chat.id, services, state, message.from_user.id, contest_id, view
    )


@router.callback_query(RegionCb.filter())
async def region(
    query: CallbackQuery, callback_data: RegionCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    await query.answer()
    uid = query.from_user.id
    await state.update_data(contest_id=callback_data.contest_id)
    saved = services.participants.set_region(uid, callback_data.contest_id, callback_data.region_id)
    view = await _unless_closed(saved, bot, uid, state, callback_data.contest_id)
    if view is None:
        return
    await flow.show_organisations(
        bot, uid, services, state, callback_data.contest_id, view.region.id, view.region.title
    )


@router.message(Form.org_search, F.text)
async def organisation_search(message: Message, services: Services, state: FSMContext) -> None:
    data = await state.get_data()
    query = message.text.strip()[:100]
    await state.update_data(org_query=query)
    text, kb = await flow.organisations_screen(
        services, data["contest_id"], data["region_id"], data.get("region_title", ""), query, 0
    )
    await message.answer(text, reply_markup=kb)


@router.callback_query(OrgPageCb.filter())
async def organisation_page(
    query: CallbackQuery, callback_data: OrgPageCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    # stale: refused at once
    check = services.participants.check_form_open(query.from_user.id, callback_data.contest_id)
    if (
        await _unless_closed(check, bot, query.from_user.id, state, callback_data.contest_id)
        is None
    ):
        await query.answer()
        return
    data = await state.get_data()
    search = data.get("org_query") if callback_data.search else None
    if not callback_data.search:
        await state.update_data(org_query=None)
    await state.set_state(Form.org_search)
    await state.update_data(
        contest_id=callback_data.contest_id,
        region_id=callback_data.region_id,
        **{BACK_KEY: flow.form_back(callback_data.contest_id).pack()},
    )
    text, kb = await flow.organisations_screen(
        services,
        callback_data.contest_id,
        callback_data.region_id,
        data.get("region_title", ""),
        search,
        callback_data.page,
    )
    await query.answer()
    await query.message.edit_text(text, reply_markup=kb)


@router.callback_query(OrgCb.filter())
async def organisation(
    query: CallbackQuery, callback_data: OrgCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    await query.answer()
    uid = query.from_user.id
    await state.update_data(contest_id=callback_data.contest_id)
    saved = services.participants.set_organisation(
        uid, callback_data.contest_id, callback_data.org_id
    )
    if await _unless_closed(saved, bot, uid, state, callback_data.contest_id) is None:
        return
    await flow.show_next(bot, uid, services, state, uid, callback_data.contest_id)


@router.callback_query(FormCb.filter())
async def form_action(
    query: CallbackQuery, callback_data: FormCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    uid, cid = query.from_user.id, callback_data.contest_id
    await state.update_data(contest_id=cid)
    action = callback_data.action
    if action == "submit":
        # R-VER-3, issue #12: one submission; a second press is told when it was sent
        sent = services.participants.submit_verification(uid, cid)
        if await _unless_closed(sent, bot, uid, state, cid) is None:
            await query.answer()
            return
        await query.answer()
        await state.set_state(None)
        await bot.send_message(uid, tr("form-sent"))
        return
    if action in ("name", "snils", "region", "org"):
        # a stale «Изменить …» (form sent, accepted, withdrawn) is refused before asking
        opened = await _unless_closed(
            services.participants.check_form_open(uid, cid), bot, uid, state, cid
        )
        if opened is None:
            await query.answer()
            return
        view = opened
    await query.answer()
    if action == "name":
        await flow.prompt(
            bot, uid, state, Form.full_name, tr("form-ask-full-name"), flow.form_back(cid)
        )
    elif action == "snils":
        await flow.prompt(bot, uid, state, Form.snils, tr("form-ask-snils"), flow.form_back(cid))
    elif action == "region":
        await state.set_state(None)
        await bot.send_message(
            uid, tr("form-ask-region"), reply_markup=await flow.region_keyboard(services, cid)
        )
    elif action == "org":
        if view.region is None:
            await bot.send_message(
                uid, tr("form-ask-region"), reply_markup=await flow.region_keyboard(services, cid)
            )
        else:
            await flow.show_organisations(
                bot, uid, services, state, cid, view.region.id, view.region.title
            )
    else:
        await flow.show_next(bot, uid, services, state, uid, cid)


# --------------------------------------------------------------------------- /status (R-VER-5)


async def _send_status(
    bot: Bot,
    chat_id: int,
    services: Services,
    user_id: int,
    contest_id: int,
    state: FSMContext | None = None,
) -> None:
    """R-VER-5. A championship's closed registration (R-VER-6) is named instead of «Нажмите
    /start» or the applications' deadline; why a nomination was refused, when this conversation
    knows it (QA 1–3 of issue #15)."""
    view = await services.participants.view(user_id, contest_id)
    contest = view.contest if view is not None else await services.contests.contest(contest_id)
    closed = await flow.registration_closed(services, user_id, contest, view)
    if view is None and closed is not None:
        text = tr("status-not-registered", contest=contest.title) + "\n\n" + error_text(closed)
        await bot.send_message(chat_id, text)
    elif view is None:
        await bot.send_message(chat_id, tr("status-none", contest=contest.title))
    else:
        notes: list[str] = []
        refused = (
            (await state.get_data()).get(flow.ENTRY_REFUSED_KEY) if state is not None else None
        )
        if (
            view.application is None
            and isinstance(refused, dict)
            and refused.get("contest_id") == contest_id
        ):
            notes = [tr("status-entry-refused"), str(refused.get("text", ""))]
        await bot.send_message(chat_id, flow.status_card(view, notes, closed))


@router.message(Command("status"))
async def status(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    contest_id = await _contest_or_pick(message, services, state, "status")
    if contest_id is not None:
        await _send_status(bot, message.chat.id, services, message.from_user.id, contest_id, state)


# --------------------------------------------------------------------------- /withdraw (R-PD-1)


def _withdraw_keyboard(contest_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr("btn-withdraw-yes"), callback_data=WithdrawCb(contest_id=contest_id, confirm=True)
    )
    kb.button(text=tr("btn-cancel"), callback_data=WithdrawCb(contest_id=contest_id, confirm=False))
    kb.adjust(1)
    return kb.as_markup()


async def _ask_withdraw(bot: Bot, chat_id: int, services: Services, contest_id: int) -> None:
    await services.participants.check_may_withdraw(
        chat_id, contest_id
    )  # already withdrawn: said at once
    contest = await services.contests.contest(contest_id)
    await bot.send_message(
        chat_id,
        tr("withdraw-confirm", contest=contest.title),
        reply_markup=_withdraw_keyboard(contest_id),
    )


@router.message(Command("withdraw"))
async def withdraw(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    mine = await services.participants.contests_of(message.from_user.id)
    if not mine:
        await message.answer(tr("withdraw-nothing"))
        return
    contest_id = await _contest_or_pick(message, services, state, "withdraw")
    if contest_id is not None:
        await _ask_withdraw(bot, message.chat.id, services, contest_id)


@router.callback_query(WithdrawCb.filter())
async def withdraw_confirmed(
    query: CallbackQuery, callback_data: WithdrawCb, services: Services, state: FSMContext
) -> None:
    if not callback_data.confirm:
        await query.answer()
        await query.message.edit_text(tr("withdraw-cancelled"))
        return
    # R-PD-1, issue #12: anonymised once; a second confirmation is told when it happened
    await services.participants.withdraw(query.from_user.id, callback_data.contest_id)
    await query.answer()
    await state.set_state(None)
    await query.message.edit_text(tr("withdraw-done"))
