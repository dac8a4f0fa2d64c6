"""Participant: /start, consent, the verification form, /status, /withdraw (R-VER, R-PD-1)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.callbacks import ContestCb, ContestThen, NavCb
from bot.journey.callbacks import (
    ConsentCb,
    FormAction,
    FormCb,
    OrgCb,
    OrgPageCb,
    RegionCb,
    WithdrawCb,
)
from bot.journey.contest import contest_or_pick
from bot.journey.form import (
    ask_full_name,
    ask_snils,
    form_back,
    organisations_screen,
    registration_closed,
    show_organisations,
    show_regions,
    show_registration_closed,
)
from bot.journey.status import ENTRY_REFUSED_KEY, greets_as_staff, show_next, status_card
from bot.menus import refresh_menu
from bot.prompts import BACK_KEY
from bot.screens import Screen, confirm, send, show
from bot.states import Form
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
    await show_registration_closed(bot, chat_id, state, contest_id, refusal)
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
    if greets_as_staff(who):
        # Staff are greeted with their tools, not pushed into a participant's consent form.
        parts = [
            tr("staff-welcome"),
            *staff_help(roles.is_coordinator, roles.is_admin, expert, commission),
            *team,
        ]
        await message.answer("\n\n".join(parts))
        return
    contest_id = await contest_or_pick(
        message, services, state, ContestThen.START, who.participations
    )
    if contest_id is not None:
        await show_next(
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
    uid = query.from_user.id
    if callback_data.then == ContestThen.STATUS:
        await _send_status(bot, uid, services, uid, contest.id, state)
    elif callback_data.then == ContestThen.WITHDRAW:
        await _ask_withdraw(bot, uid, services, contest.id)
    else:
        await show_next(bot, uid, services, state, uid, contest.id)


@router.callback_query(NavCb.filter())
async def navigate(
    query: CallbackQuery, callback_data: NavCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    """Buttons in notifications lead straight to the place in the journey."""
    await state.update_data(contest_id=callback_data.contest_id)
    uid = query.from_user.id
    if callback_data.to == "status":
        await _send_status(bot, uid, services, uid, callback_data.contest_id, state)
    else:
        await show_next(bot, uid, services, state, uid, callback_data.contest_id)


@router.callback_query(ConsentCb.filter())
async def consent(
    query: CallbackQuery, callback_data: ConsentCb, bot: Bot, services: Services, state: FSMContext
) -> None:
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
    await show_next(bot, uid, services, state, uid, callback_data.contest_id)


async def _contest_from_state(state: FSMContext) -> int:
    """The contest the form is for; a conversation without one (lost long ago) is stale."""
    contest_id = (await state.get_data()).get("contest_id")
    if contest_id is None:
        raise DomainError("session_expired")
    return int(contest_id)


@router.message(Form.full_name, F.text.as_("text"))
async def full_name(
    message: Message, text: str, bot: Bot, services: Services, state: FSMContext
) -> None:
    contest_id = await _contest_from_state(state)
    saved = services.participants.set_full_name(message.from_user.id, contest_id, text)
    view = await _unless_closed(saved, bot, message.chat.id, state, contest_id)
    if view is None:
        return
    await message.answer(tr("form-saved-full-name"))
    await show_next(bot, message.chat.id, services, state, message.from_user.id, contest_id, view)


@router.message(Form.snils, F.text.as_("text"))
async def snils(
    message: Message, text: str, bot: Bot, services: Services, state: FSMContext
) -> None:
    contest_id = await _contest_from_state(state)
    saved = services.participants.set_snils(message.from_user.id, contest_id, text)
    view = await _unless_closed(saved, bot, message.chat.id, state, contest_id)
    if view is None:
        return
    await message.answer(tr("form-saved-snils", snils=view.snils_masked))
    await show_next(bot, message.chat.id, services, state, message.from_user.id, contest_id, view)


@router.callback_query(RegionCb.filter())
async def region(
    query: CallbackQuery, callback_data: RegionCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    uid = query.from_user.id
    await state.update_data(contest_id=callback_data.contest_id)
    saved = services.participants.set_region(uid, callback_data.contest_id, callback_data.region_id)
    view = await _unless_closed(saved, bot, uid, state, callback_data.contest_id)
    if view is None:
        return
    await show_organisations(
        bot, uid, services, state, callback_data.contest_id, view.region.id, view.region.title
    )


@router.message(Form.org_search, F.text)
async def organisation_search(message: Message, services: Services, state: FSMContext) -> None:
    data = await state.get_data()
    query = message.text.strip()[:100]
    await state.update_data(org_query=query)
    screen = await organisations_screen(
        services, data["contest_id"], data["region_id"], data.get("region_title", ""), query, 0
    )
    await send(message, screen)


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
        return
    data = await state.get_data()
    search = data.get("org_query") if callback_data.search else None
    if not callback_data.search:
        await state.update_data(org_query=None)
    await state.set_state(Form.org_search)
    await state.update_data(
        contest_id=callback_data.contest_id,
        region_id=callback_data.region_id,
    )
    await state.update_data({BACK_KEY: form_back(callback_data.contest_id).pack()})
    screen = await organisations_screen(
        services,
        callback_data.contest_id,
        callback_data.region_id,
        data.get("region_title", ""),
        search,
        callback_data.page,
    )
    await show(query, screen)


@router.callback_query(OrgCb.filter())
async def organisation(
    query: CallbackQuery, callback_data: OrgCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    uid = query.from_user.id
    await state.update_data(contest_id=callback_data.contest_id)
    saved = services.participants.set_organisation(
        uid, callback_data.contest_id, callback_data.org_id
    )
    if await _unless_closed(saved, bot, uid, state, callback_data.contest_id) is None:
        return
    await show_next(bot, uid, services, state, uid, callback_data.contest_id)


@router.callback_query(FormCb.filter())
async def form_action(
    query: CallbackQuery, callback_data: FormCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    uid, cid = query.from_user.id, callback_data.contest_id
    await state.update_data(contest_id=cid)
    action = callback_data.action
    if action == FormAction.SUBMIT:
        # R-VER-3, issue #12: one submission; a second press is told when it was sent
        sent = services.participants.submit_verification(uid, cid)
        if await _unless_closed(sent, bot, uid, state, cid) is None:
            return
        await state.set_state(None)
        await bot.send_message(uid, tr("form-sent"))
        return
    if action in (FormAction.NAME, FormAction.SNILS, FormAction.REGION, FormAction.ORG):
        # a stale «Изменить …» (form sent, accepted, withdrawn) is refused before asking
        opened = await _unless_closed(
            services.participants.check_form_open(uid, cid), bot, uid, state, cid
        )
        if opened is None:
            return
        view = opened
    if action == FormAction.NAME:
        await ask_full_name(bot, uid, state, cid)
    elif action == FormAction.SNILS:
        await ask_snils(bot, uid, state, cid)
    elif action == FormAction.REGION:
        await show_regions(bot, uid, services, state, cid)
    elif action == FormAction.ORG:
        if view.region is None:
            await show_regions(bot, uid, services, None, cid)
        else:
            await show_organisations(
                bot, uid, services, state, cid, view.region.id, view.region.title
            )
    else:
        await show_next(bot, uid, services, state, uid, cid)


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
    closed = await registration_closed(services, user_id, contest, view)
    if view is None and closed is not None:
        text = tr("status-not-registered", contest=contest.title) + "\n\n" + error_text(closed)
        await bot.send_message(chat_id, text)
    elif view is None:
        await bot.send_message(chat_id, tr("status-none", contest=contest.title))
    else:
        notes: list[str] = []
        refused = (await state.get_data()).get(ENTRY_REFUSED_KEY) if state is not None else None
        if (
            view.application is None
            and isinstance(refused, dict)
            and refused.get("contest_id") == contest_id
        ):
            notes = [tr("status-entry-refused"), str(refused.get("text", ""))]
        await bot.send_message(chat_id, status_card(view, notes, closed))


@router.message(Command("status"))
async def status(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    contest_id = await contest_or_pick(message, services, state, ContestThen.STATUS)
    if contest_id is not None:
        await _send_status(bot, message.chat.id, services, message.from_user.id, contest_id, state)


# --------------------------------------------------------------------------- /withdraw (R-PD-1)


def _withdraw_keyboard(contest_id: int) -> InlineKeyboardMarkup:
    return confirm(
        WithdrawCb(contest_id=contest_id, confirm=True),
        WithdrawCb(contest_id=contest_id, confirm=False),
        yes_label=tr("btn-withdraw-yes"),
        no_label=tr("btn-cancel"),
    )


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
    contest_id = await contest_or_pick(message, services, state, ContestThen.WITHDRAW)
    if contest_id is not None:
        await _ask_withdraw(bot, message.chat.id, services, contest_id)


@router.callback_query(WithdrawCb.filter())
async def withdraw_confirmed(
    query: CallbackQuery, callback_data: WithdrawCb, services: Services, state: FSMContext
) -> None:
    if not callback_data.confirm:
        await show(query, Screen(tr("withdraw-cancelled")))
        return
    # R-PD-1, issue #12: anonymised once; a second confirmation is told when it happened
    await services.participants.withdraw(query.from_user.id, callback_data.contest_id)
    await state.set_state(None)
    await show(query, Screen(tr("withdraw-done")))
