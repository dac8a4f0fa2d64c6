"""Screens of the participant's journey and "what comes next". Handlers call these after a
service call; nothing here changes data."""

from __future__ import annotations

import html
from collections.abc import Sequence

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import (
    AppCb,
    ConsentCb,
    ContestCb,
    FormCb,
    NavCb,
    NominationCb,
    OrgCb,
    OrgPageCb,
    RegionCb,
)
from bot.prompts import BACK_KEY, LEFT_KEY, PROMPT_KEY, cancel_button, cancel_markup
from bot.texts import error_text, format_dt, missing_lines, status_text, tr
from models import org_names, rules
from models.errors import DomainError
from models.rules import ApplicationStatus, VerificationStatus
from models.services import Services
from models.services.access import Viewer
from models.services.participants import ORGANISATIONS_PAGE
from models.views import ApplicationView, ContestBrief, NominationView, ParticipantView

#: FSM data key: why the last nomination choice was refused (R-ROLE-4, R-APP-3) —
#: ``{"contest_id", "text"}`` — so /status can say it (QA 3 of issue #15); nothing is stored
#: in the database for a refusal.
ENTRY_REFUSED_KEY = "entry_refused"


class Form(StatesGroup):
    full_name = State()
    snils = State()
    org_search = State()


class Apply(StatesGroup):
    birth_date = State()
    experience = State()
    field = State()
    file = State()


class Coord(StatesGroup):
    reason = State()


class Admin(StatesGroup):
    contest_file = State()


async def send(bot: Bot, chat_id: int, text: str, kb: InlineKeyboardMarkup | None = None) -> None:
    await bot.send_message(chat_id, text, reply_markup=kb)


async def prompt(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    prompt_state: State,
    text: str,
    back: CallbackData | str,
    **data: object,
) -> None:
    """A free-text prompt with «Отмена» (bot.prompts, issue #12): ``back`` re-opens the
    screen the person came from; cancelling changes nothing. The question is remembered as
    bot.prompts.ask remembers it, so after a command «Продолжить» asks it again (QA 5 of
    issue #15: the birth date question was lost after /help)."""
    await state.set_state(prompt_state)
    remembered = {"state": prompt_state.state, "text": text, "rows": []}
    await state.update_data(
        **data,
        **{
            BACK_KEY: back if isinstance(back, str) else back.pack(),
            PROMPT_KEY: remembered,
            LEFT_KEY: None,
        },
    )
    await bot.send_message(chat_id, text, reply_markup=cancel_markup())


def form_back(contest_id: int) -> FormCb:
    """Where a form prompt returns to: the form as far as it is filled."""
    return FormCb(contest_id=contest_id, action="next")


async def resolve_contest(
    services: Services, state: FSMContext, user_id: int, participations: Sequence[int] | None = None
) -> int | list[ContestBrief]:
    """The contest this conversation is about: remembered, the only one the user takes part
    in, or the only one there is; otherwise the list to choose from. ``participations``:
    the user's contests when already read this update (bot.viewer)."""
    data = await state.get_data()
    contests = await services.contests.contests()
    known = {c.id for c in contests}
    if data.get("contest_id") in known:
        return data["contest_id"]
    if participations is None:
        participations = await services.participants.contests_of(user_id)
    mine = [cid for cid in participations if cid in known]
    if len(mine) == 1:
        chosen = mine[0]
    elif len(contests) == 1:
        chosen = contests[0].id
    else:
        return contests
    await state.update_data(contest_id=chosen)
    return chosen


def button_label(title: str, number: int | None = None, width: int = 48) -> str:
    """The one way a long name becomes a button label (issue #15: labels were cut mid-word,
    «2. …риальный центр…», «Стаж работы…, полн»). The full name belongs in the message text.

    Within ``width`` characters: the registry's long phrases abbreviated first («Территориальный
    центр социального обслуживания» → «ТЦСО», :func:`models.org_names.abbreviate`); if still too
    long, whole words from the start and the distinguishing end («ГБУ г. Москвы … «Арбат»»),
    never a part of a word — unless a single word is longer than the whole label."""
    prefix = f"{number}. " if number is not None else ""
    text = " ".join(title.split())
    if len(text) > width:
        text = org_names.abbreviate(text)
    if len(text) <= width:
        return prefix + text
    words = text.split(" ")
    tail: list[str] = []
    while (
        len(words) - len(tail) > 1 and len(" ".join([words[-1 - len(tail)], *tail])) <= width // 3
    ):
        tail.insert(0, words[-1 - len(tail)])
    ending = " … " + " ".join(tail) if tail else "…"
    head: list[str] = []
    for word in words[: len(words) - len(tail)]:
        if len(" ".join([*head, word]).rstrip(",;:—-") + ending) > width:
            break
        head.append(word)
    if not head:
        return prefix + text[: width - 1] + "…"
    return prefix + " ".join(head).rstrip(",;:—- ") + ending


async def contest_for_anyone(
    message: Message, services: Services, state: FSMContext, then: str
) -> int | None:
    """The contest a command is about, for staff (the contests they coordinate) and for
    participants alike; when several fit, a picker whose choice comes back as
    ``ContestCb(then=then)`` and ``None`` is returned."""
    uid = message.from_user.id
    roles = await services.coordination.staff_roles(uid)
    if roles.is_coordinator:
        ids = sorted(roles.coordinator_contests)
        if len(ids) == 1:
            return ids[0]
        contests = [
            c for c in await services.contests.contests() if c.id in roles.coordinator_contests
        ]
        await message.answer(
            tr("coord-choose-contest"), reply_markup=contest_picker(contests, then)
        )
        return None
    resolved = await resolve_contest(services, state, uid)
    if isinstance(resolved, int):
        return resolved
    if not resolved:
        await message.answer(tr("no-contests"))
    else:
        await message.answer(tr("choose-contest"), reply_markup=contest_picker(resolved, then))
    return None


def contest_picker(contests: list[ContestBrief], then: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for c in contests:
        kb.button(
            text=button_label(c.title, width=60),
            callback_data=ContestCb(contest_id=c.id, then=then),
        )
    kb.adjust(1)
    return kb.as_markup()


# --------------------------------------------------------------------------- the next step


async def show_next(
    bot: Bot,
    chat_id: int,
    services: Services,
    state: FSMContext,
    user_id: int,
    contest_id: int,
    view: ParticipantView | None = None,
    *,
    not_participant: bool = False,
) -> None:
    """Show the participant the first thing still to do (resuming where they stopped:
    every answer is already saved in the database). ``view``: the participant as the service
    call that just saved an answer returned it (read after its write, in its transaction),
    so it is not read again (issue #13). ``not_participant``: this update already read that the
    person takes no part in this contest (bot.viewer) — nothing to read."""
    if (view is None or view.contest.id != contest_id) and not not_participant:
        view = await services.participants.view(user_id, contest_id)
    elif view is not None and view.contest.id != contest_id:
        view = None
    if view is None or not view.pd_consent:
        contest = await services.contests.contest(contest_id)
        await state.set_state(None)
        # one message, not two: under Telegram's 30 messages/s a burst of /start is answered
        # twice as fast (issue #13)
        await send(
            bot,
            chat_id,
            tr("welcome", contest=contest.title) + "\n\n" + consent_text(contest),
            consent_keyboard(contest_id),
        )
        return
    status = VerificationStatus(view.status)
    if status in (VerificationStatus.DRAFT, VerificationStatus.REJECTED):
        closed = await registration_closed(services, user_id, view.contest, view)
        if closed is not None:  # R-VER-6: not asked what can no longer be sent (QA 1 of issue #15)
            await show_registration_closed(bot, chat_id, state, contest_id, closed)
            return
        await show_form_step(bot, chat_id, services, state, view)
    elif status == VerificationStatus.ACCEPTED and view.application is None:
        await state.set_state(None)
        await show_nominations(bot, chat_id, services, contest_id)
    elif (
        status == VerificationStatus.ACCEPTED and view.application.status == ApplicationStatus.DRAFT
    ):
        await state.set_state(None)
        await send(bot, chat_id, *application_menu(view))
    else:
        await state.set_state(None)
        await send(bot, chat_id, status_card(view))


def greets_as_staff(who: Viewer) -> bool:
    """Staff who take part in nothing are greeted with their tools, not a participant's consent
    form (/start); a stray message of theirs is not pointed at that form either."""
    roles = who.staff_roles()
    team = any(
        r in who.menu_roles() for r in ("team_representative", "volunteer")
    )  # R-APL-2, R-RES-3
    staff = (
        roles.is_coordinator or roles.is_admin or who.is_expert or who.is_commission_member or team
    )
    return staff and not who.participations


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
) -> InlineKeyboardMarkup:
    """The way out of a refusal at the championship's entry (QA 2–3 of issue #15): correct the
    birth date, back to the nominations, the status."""
    kb = InlineKeyboardBuilder()
    if fix_birth_date is not None:
        kb.button(text=tr("btn-entry-fix-birth-date"), callback_data=fix_birth_date)
    if nominations:
        to_list = NavCb(contest_id=contest_id, to="nominations")
        kb.button(text=tr("btn-entry-nominations"), callback_data=to_list)
    kb.button(text=tr("btn-entry-status"), callback_data=NavCb(contest_id=contest_id, to="status"))
    kb.adjust(1)
    return kb.as_markup()


async def show_registration_closed(
    bot: Bot, chat_id: int, state: FSMContext, contest_id: int, err: DomainError
) -> None:
    """R-VER-6 refused: the question that was open is closed (its answer can no longer be
    sent), the refusal names the last day and offers the status (QA 1–2 of issue #15)."""
    await state.set_state(None)
    await state.update_data(**{LEFT_KEY: None})
    await send(bot, chat_id, error_text(err), entry_keyboard(contest_id))


def consent_text(contest: ContestBrief) -> str:
    text = tr("pd-consent-request")
    if contest.privacy_policy_url:
        text += "\n" + tr("pd-consent-policy", url=contest.privacy_policy_url)
    return text


def consent_keyboard(contest_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("btn-pd-agree"), callback_data=ConsentCb(contest_id=contest_id, agree=True))
    kb.button(
        text=tr("btn-pd-decline"), callback_data=ConsentCb(contest_id=contest_id, agree=False)
    )
    kb.adjust(1)
    return kb.as_markup()


async def show_form_step(
    bot: Bot, chat_id: int, services: Services, state: FSMContext, view: ParticipantView
) -> None:
    cid = view.contest.id
    if not view.full_name:
        await prompt(bot, chat_id, state, Form.full_name, tr("form-ask-full-name"), form_back(cid))
    elif not view.snils_masked:
        await prompt(bot, chat_id, state, Form.snils, tr("form-ask-snils"), form_back(cid))
    elif not view.region:
        await state.set_state(None)
        await send(bot, chat_id, tr("form-ask-region"), await region_keyboard(services, cid))
    elif not view.organisation:
        await show_organisations(
            bot, chat_id, services, state, cid, view.region.id, view.region.title
        )
    else:
        await state.set_state(None)
        text = form_summary(view)
        if view.status == VerificationStatus.REJECTED:
            text = tr("form-rejected", reason=view.rejection_reason or "—") + "\n\n" + text
        await send(bot, chat_id, text, form_keyboard(cid))


def form_summary(view: ParticipantView) -> str:
    return tr(
        "form-summary",
        full_name=view.full_name or "—",
        snils=view.snils_masked or "—",
        region=view.region.title if view.region else "—",
        organisation=view.organisation.title if view.organisation else "—",
    )


def form_keyboard(contest_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr("btn-form-submit"), callback_data=FormCb(contest_id=contest_id, action="submit")
    )
    for action, key in (
        ("name", "btn-edit-name"),
        ("snils", "btn-edit-snils"),
        ("region", "btn-edit-region"),
        ("org", "btn-edit-organisation"),
    ):
        kb.button(text=tr(key), callback_data=FormCb(contest_id=contest_id, action=action))
    kb.adjust(1, 2, 2)
    return kb.as_markup()


async def region_keyboard(services: Services, contest_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for region in await services.participants.regions(contest_id):
        kb.button(
            text=button_label(region.title),
            callback_data=RegionCb(contest_id=contest_id, region_id=region.id),
        )
    kb.adjust(1)
    return kb.as_markup()


async def organisations_screen(
    services: Services,
    contest_id: int,
    region_id: int,
    region_title: str,
    query: str | None,
    page: int,
) -> tuple[str, InlineKeyboardMarkup]:
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
    kb = InlineKeyboardBuilder()
    first = result.page * ORGANISATIONS_PAGE
    lines = []
    for n, org in enumerate(result.items, start=first + 1):
        lines.append(f"{n}. {html.escape(org.title)}")
        kb.button(
            text=button_label(org.title, n),
            callback_data=OrgCb(contest_id=contest_id, org_id=org.id),
        )
    if lines:
        text += "\n\n" + "\n".join(lines)
    nav = []
    if result.page > 0:
        nav.append(
            (
                tr("btn-prev"),
                OrgPageCb(
                    contest_id=contest_id,
                    region_id=region_id,
                    page=result.page - 1,
                    search=bool(query),
                ),
            )
        )
    if result.page < result.pages - 1:
        nav.append(
            (
                tr("btn-next"),
                OrgPageCb(
                    contest_id=contest_id,
                    region_id=region_id,
                    page=result.page + 1,
                    search=bool(query),
                ),
            )
        )
    for label, cb in nav:
        kb.button(text=f"{label} {result.page + 1}/{result.pages}", callback_data=cb)
    if query:
        kb.button(
            text=tr("btn-show-all"),
            callback_data=OrgPageCb(contest_id=contest_id, region_id=region_id, page=0),
        )
    kb.button(
        text=tr("btn-edit-region"), callback_data=FormCb(contest_id=contest_id, action="region")
    )
    kb.add(cancel_button())  # the search prompt can be left (issue #12)
    kb.adjust(*([1] * len(result.items)), max(1, len(nav)), 1, 1, 1)
    return text, kb.as_markup()


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
        org_query=None,
        region_id=region_id,
        region_title=region_title,
        **{BACK_KEY: form_back(contest_id).pack()},
    )
    text, kb = await organisations_screen(services, contest_id, region_id, region_title, None, 0)
    await send(bot, chat_id, text, kb)


# --------------------------------------------------------------------------- status (R-VER-5)


def status_card(
    view: ParticipantView, notes: Sequence[str] = (), closed: DomainError | None = None
) -> str:
    """The participant's /status. ``notes``: lines known to the conversation only (why a
    nomination was refused, QA 3 of issue #15); ``closed``: the championship's registration
    closed before the form was sent (R-VER-6) — said instead of the applications' deadline."""
    lines = [tr("status-card", contest=view.contest.title, status=status_text(view.status))]
    if view.status == VerificationStatus.REJECTED and view.rejection_reason:
        lines.append(tr("status-reason", reason=view.rejection_reason))
    if view.status != VerificationStatus.WITHDRAWN:
        lines.append(
            tr(
                "status-form",
                full_name=view.full_name or "—",
                snils=view.snils_masked or "—",
                region=view.region.title if view.region else "—",
                organisation=view.organisation.title if view.organisation else "—",
            )
        )
    if view.status == VerificationStatus.PENDING:
        lines.append(tr("status-pending-hint"))
    app = view.application
    if app is None:
        state = tr("app-status-none")
    elif app.status == ApplicationStatus.SUBMITTED:
        state = tr("app-status-submitted", at=format_dt(app.submitted_at, view.contest.timezone))
    else:
        state = tr("app-status-draft")
    lines.append(tr("status-application", state=state))
    if app is not None:
        lines.append(tr("status-nomination", nomination=app.nomination.title))
    if view.guardian is not None:  # R-ROLE-5
        from bot.handlers.guardians import status_line

        lines.append(status_line(view.guardian))
    lines += notes
    if closed is not None:
        lines.append(
            tr("status-registration-closed", last_day=str(closed.args_.get("last_day", "—")))
        )
    elif view.contest.application_deadline:
        lines.append(
            tr(
                "status-deadline",
                deadline=format_dt(view.contest.application_deadline, view.contest.timezone),
            )
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- nominations (R-APP-1…3)


def conditions_lines(nom: NominationView) -> list[str]:
    c = nom.conditions
    lines = []
    if c.min_age is not None:
        lines.append(tr("cond-min-age", limit=c.min_age))
    if c.max_age is not None:
        lines.append(tr("cond-max-age", limit=c.max_age))
    if c.min_experience_years is not None:
        lines.append(tr("cond-min-experience", limit=c.min_experience_years))
    if c.requires_practice:
        lines.append(tr("cond-practice"))
    return lines


async def show_nominations(bot: Bot, chat_id: int, services: Services, contest_id: int) -> None:
    kb = InlineKeyboardBuilder()
    for nom in await services.contests.nominations(contest_id):
        kb.button(
            text=button_label(nom.title, width=60),
            callback_data=NominationCb(contest_id=contest_id, nomination_id=nom.id),
        )
    kb.adjust(1)
    await send(bot, chat_id, tr("nominations-title"), kb.as_markup())


def nomination_card(contest_id: int, nom: NominationView) -> tuple[str, InlineKeyboardMarkup]:
    text = tr("nomination-card", title=nom.title, description=nom.description or "")
    cond = conditions_lines(nom)
    if cond:
        text += "\n\n" + tr("nomination-conditions") + "\n" + "\n".join("• " + c for c in cond)
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr("btn-choose-this"),
        callback_data=NominationCb(contest_id=contest_id, nomination_id=nom.id, choose=True),
    )
    kb.button(text=tr("btn-back"), callback_data=NavCb(contest_id=contest_id, to="nominations"))
    kb.adjust(1)
    return text, kb.as_markup()


# --------------------------------------------------------------------------- application (R-APP-4…6)


def application_menu(view: ParticipantView) -> tuple[str, InlineKeyboardMarkup]:
    app = view.application
    assert app is not None
    cid = view.contest.id
    kb = InlineKeyboardBuilder()
    done = total = 0
    for f in app.nomination.fields:
        filled = bool(app.field_values.get(f.code))
        total += f.required
        done += f.required and filled
        kb.button(
            text=tr(
                "app-field-done" if filled else "app-field-todo",
                title=button_label(f.title, width=50),
            ),
            callback_data=AppCb(contest_id=cid, action="field", code=f.code),
        )
    for slot in app.nomination.files:
        count = len(app.files_in(slot.code))
        total += slot.requirement.required
        done += slot.requirement.required and count > 0
        if not slot.requirement.required:
            key = "app-file-optional"
        else:
            key = "app-file-done" if count else "app-file-todo"
        kb.button(
            text=tr(key, title=button_label(slot.title, width=50), count=count),
            callback_data=AppCb(contest_id=cid, action="file", code=slot.code),
        )
    total += 2
    done += app.consent_privacy + app.consent_transfer
    # Each consent button says the value it sets ("1" give, "0" take back), so a double
    # press sets it twice instead of toggling it back (issue #12).
    kb.button(
        text=tr("app-consent-privacy-on" if app.consent_privacy else "app-consent-privacy-off"),
        callback_data=AppCb(
            contest_id=cid, action="privacy", code="0" if app.consent_privacy else "1"
        ),
    )
    kb.button(
        text=tr("app-consent-transfer-on" if app.consent_transfer else "app-consent-transfer-off"),
        callback_data=AppCb(
            contest_id=cid, action="transfer", code="0" if app.consent_transfer else "1"
        ),
    )
    if view.guardian is not None:  # R-ROLE-5: a minor's parental consent
        from bot.handlers.guardians import menu_button

        kb.add(menu_button(cid, view.guardian))
        total += 1
        done += view.guardian.accepted
    kb.button(text=tr("btn-app-review"), callback_data=AppCb(contest_id=cid, action="review"))
    kb.adjust(1)
    text = tr(
        "app-menu",
        nomination=app.nomination.title,
        done=done,
        total=total,
        deadline=format_dt(view.contest.application_deadline, view.contest.timezone),
    )
    return text, kb.as_markup()


def application_summary(view: ParticipantView) -> tuple[str, InlineKeyboardMarkup]:
    app: ApplicationView = view.application  # type: ignore[assignment]
    cid = view.contest.id
    lines = [tr("app-summary-title"), tr("app-summary-nomination", nomination=app.nomination.title)]
    for f in app.nomination.fields:
        lines.append(
            tr("app-summary-field", title=f.title, value=app.field_values.get(f.code) or "—")
        )
    for slot in app.nomination.files:
        names = (
            ", ".join(
                f"{x.file_name or 'файл'} ({rules.size_mb(x.size)} МБ)"
                for x in app.files_in(slot.code)
            )
            or "—"
        )
        lines.append(tr("app-summary-file", title=slot.title, files=names))
    kb = InlineKeyboardBuilder()
    guardian_waits = (
        view.guardian is not None and not view.guardian.accepted
    )  # R-ROLE-5: sent once accepted
    if guardian_waits:
        from bot.handlers.guardians import menu_button, status_line

        lines += ["", status_line(view.guardian)]  # type: ignore[arg-type]
        kb.add(menu_button(cid, view.guardian))  # type: ignore[arg-type]
    if app.missing.nothing and not guardian_waits:
        lines.append(tr("app-summary-consents"))
        kb.button(text=tr("btn-app-submit"), callback_data=AppCb(contest_id=cid, action="submit"))
    elif not app.missing.nothing:
        lines.append("")
        lines.append(tr("app-summary-missing"))
        lines += ["• " + line for line in missing_lines(app.missing, app)]
    kb.button(text=tr("btn-back"), callback_data=AppCb(contest_id=cid, action="menu"))
    kb.adjust(1)
    return "\n".join(lines), kb.as_markup()
