"""The consent and the verification form (R-PD-1, R-VER-1…3, R-VER-6): its questions,
the region and organisation pickers, the summary, and a championship's closed registration."""

from __future__ import annotations

import html

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup

from bot.callbacks import NavCb
from bot.journey.callbacks import (
    ConsentCb,
    FormAction,
    FormCb,
    NominationCb,
    OrgCb,
    OrgPageCb,
    RegionCb,
)
from bot.prompts import BACK_KEY, LEFT_KEY, ask_chat, cancel_item
from bot.screens import Button, Screen, button_label, choices, keyboard, pager, send_to
from bot.states import Form
from bot.texts import error_text, tr
from models import rules
from models.errors import DomainError
from models.rules import VerificationStatus
from models.services import Services
from models.services.participants import ORGANISATIONS_PAGE
from models.views import ContestBrief, ParticipantView


def form_back(contest_id: int) -> FormCb:
    """Where a form prompt returns to: the form as far as it is filled."""
    return FormCb(contest_id=contest_id, action=FormAction.NEXT)


async def ask_full_name(bot: Bot, chat_id: int, state: FSMContext, contest_id: int) -> None:
    await ask_chat(
        bot, chat_id, state, Form.full_name, tr("form-ask-full-name"), back=form_back(contest_id)
    )


async def ask_snils(bot: Bot, chat_id: int, state: FSMContext, contest_id: int) -> None:
    await ask_chat(
        bot, chat_id, state, Form.snils, tr("form-ask-snils"), back=form_back(contest_id)
    )


async def registration_closed(
    services: Services, user_id: int, contest: ContestBrief, view: ParticipantView | None
) -> DomainError | None:
    """R-VER-6: the championship's refusal of this person's registration now, or ``None``.
    Only a championship, and only someone who has not sent the form yet, is asked about."""
    if contest.kind != rules.CHAMPIONSHIP or (view is not None and view.submitted_at is not None):
        return None
    return await services.participants.registration_refusal(user_id, contest.id)


def entry_keyboard(
    contest_id: int, *, fix_birth_date: NominationCb | None = None, nominations: bool = False
) -> InlineKeyboardMarkup | None:
    """The way out of a refusal at the championship's entry (QA 2–3 of issue #15): correct the
    birth date, back to the nominations, the status."""
    to_list = NavCb(contest_id=contest_id, to="nominations")
    return keyboard(
        (tr("btn-entry-fix-birth-date"), fix_birth_date) if fix_birth_date is not None else None,
        (tr("btn-entry-nominations"), to_list) if nominations else None,
        (tr("btn-entry-status"), NavCb(contest_id=contest_id, to="status")),
    )


async def show_registration_closed(
    bot: Bot, chat_id: int, state: FSMContext, contest_id: int, err: DomainError
) -> None:
    """R-VER-6 refused: the question that was open is closed (its answer can no longer be
    sent), the refusal names the last day and offers the status (QA 1–2 of issue #15)."""
    await state.set_state(None)
    await state.update_data(**{LEFT_KEY: None})
    await send_to(bot, chat_id, Screen(error_text(err), entry_keyboard(contest_id)))


def consent_text(contest: ContestBrief) -> str:
    text = tr("pd-consent-request")
    if contest.privacy_policy_url:
        text += "\n" + tr("pd-consent-policy", url=contest.privacy_policy_url)
    return text


def consent_keyboard(contest_id: int) -> InlineKeyboardMarkup | None:
    return keyboard(
        (tr("btn-pd-agree"), ConsentCb(contest_id=contest_id, agree=True)),
        (tr("btn-pd-decline"), ConsentCb(contest_id=contest_id, agree=False)),
    )


async def show_form_step(
    bot: Bot, chat_id: int, services: Services, state: FSMContext, view: ParticipantView
) -> None:
    cid = view.contest.id
    if not view.full_name:
        await ask_full_name(bot, chat_id, state, cid)
    elif not view.snils_masked:
        await ask_snils(bot, chat_id, state, cid)
    elif not view.region:
        await show_regions(bot, chat_id, services, state, cid)
    elif not view.organisation:
        await show_organisations(
            bot, chat_id, services, state, cid, view.region.id, view.region.title
        )
    else:
        await state.set_state(None)
        text = form_summary(view)
        if view.status == VerificationStatus.REJECTED:
            text = tr("form-rejected", reason=view.rejection_reason or "—") + "\n\n" + text
        await send_to(bot, chat_id, Screen(text, form_keyboard(cid)))


def form_summary(view: ParticipantView) -> str:
    return tr(
        "form-summary",
        full_name=view.full_name or "—",
        snils=view.snils_masked or "—",
        region=view.region.title if view.region else "—",
        organisation=view.organisation.title if view.organisation else "—",
    )


def form_keyboard(contest_id: int) -> InlineKeyboardMarkup | None:
    def edit(action: FormAction, key: str) -> Button:
        return tr(key), FormCb(contest_id=contest_id, action=action)

    return keyboard(
        edit(FormAction.SUBMIT, "btn-form-submit"),
        [edit(FormAction.NAME, "btn-edit-name"), edit(FormAction.SNILS, "btn-edit-snils")],
        [edit(FormAction.REGION, "btn-edit-region"), edit(FormAction.ORG, "btn-edit-organisation")],
    )


async def show_regions(
    bot: Bot, chat_id: int, services: Services, state: FSMContext | None, contest_id: int
) -> None:
    if state is not None:
        await state.set_state(None)
    regions = await services.participants.regions(contest_id)
    markup = choices(
        (button_label(r.title), RegionCb(contest_id=contest_id, region_id=r.id)) for r in regions
    )
    await send_to(bot, chat_id, Screen(tr("form-ask-region"), markup))


async def organisations_screen(
    services: Services,
    contest_id: int,
    region_id: int,
    region_title: str,
    query: str | None,
    page: int,
) -> Screen:
    result = await services.participants.organisations(contest_id, region_id, query, page)
    # a championship's participant is a student: not «в которой вы работаете» (QA 6a of issue #15)
    championship = (await services.contests.contest(contest_id)).kind == rules.CHAMPIONSHIP
    if query and result.total == 0:
        text = tr("form-no-organisations", query=query)
    elif query and result.closest:  # nothing exact: the closest names (issue #15)
        text = tr("form-closest-organisations", query=query)
    elif query:
        text = tr("form-ask-organisation-search", query=query, total=result.total)
    else:
        key = "form-ask-organisation-championship" if championship else "form-ask-organisation"
        text = tr(key, region=region_title, total=result.total)
    first = result.page * ORGANISATIONS_PAGE
    items = list(enumerate(result.items, start=first + 1))
    if items:
        text += "\n\n" + "\n".join(f"{n}. {html.escape(org.title)}" for n, org in items)

    def to_page(n: int) -> OrgPageCb:
        return OrgPageCb(contest_id=contest_id, region_id=region_id, page=n, search=bool(query))

    markup = choices(
        (
            (button_label(org.title, n), OrgCb(contest_id=contest_id, org_id=org.id))
            for n, org in items
        ),
        tail=[
            pager(result.page, result.pages, to_page),
            (tr("btn-show-all"), OrgPageCb(contest_id=contest_id, region_id=region_id, page=0))
            if query
            else None,
            (tr("btn-edit-region"), FormCb(contest_id=contest_id, action=FormAction.REGION)),
            # the search prompt can be left (issue #12)
            cancel_item(),
        ],
    )
    return Screen(text, markup)


async def show_organisations(
    bot: Bot,
    chat_id: int,
    services: Services,
    state: FSMContext,
    contest_id: int,
    region_id: int,
    region_title: str,
) -> None:
    await state.set_state(Form.org_search)
    await state.update_data(
        {
            "org_query": None,
            "region_id": region_id,
            "region_title": region_title,
            BACK_KEY: form_back(contest_id).pack(),
        }
    )
    screen = await organisations_screen(services, contest_id, region_id, region_title, None, 0)
    await send_to(bot, chat_id, screen)


__all__ = [
    "ask_full_name",
    "ask_snils",
    "consent_keyboard",
    "consent_text",
    "entry_keyboard",
    "form_back",
    "form_keyboard",
    "form_summary",
    "organisations_screen",
    "registration_closed",
    "show_form_step",
    "show_organisations",
    "show_regions",
    "show_registration_closed",
]
