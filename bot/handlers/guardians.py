"""A minor's parental consent (R-ROLE-5; seed 002 §4.7, §5.3): the participant's screens (who
gives the consent, the signed form, the accompanying adult, sending it for checking) and the
coordinator's check (accept / return with a reason, like R-VER-3). Thin: the rules and the
permission checks are in models.services.guardians."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot import downloads
from bot.journey.application import guardian_status_label
from bot.journey.callbacks import AppAction, AppCb, GuardianAction, GuardianCb
from bot.prompts import ReasonPrompt, ask
from bot.screens import Button, Screen, choices, confirm, keyboard, message_of, send, send_to, show
from bot.texts import error_text, format_dt, tr
from bot.verification_callbacks import CardCb, GuardianDecideCb, GuardianDecision
from models.errors import DomainError
from models.guardian_rules import RELATIONS, Gap, GuardianStatus, GuardianSummary
from models.services import Services, TelegramFile
from models.services.guardians import GuardianView, MinorLine

router = Router(name=__name__)

#: how many minors the coordinator's list shows on one screen
LIST_LIMIT = 30

#: the participant's stale buttons (the consent was sent or accepted meanwhile): the refusal
#: comes with a way on — the consent screen and the application (issue #15, no dead ends)
STALE_PARTICIPANT = frozenset(
    {"guardian_consent_frozen", "guardian_already_submitted", "guardian_already_accepted"}
)

#: the coordinator's stale buttons (decided, sent again, a reason no longer live): the refusal
#: says what happened and offers the participant's card
STALE_COORDINATOR = frozenset(
    {"guardian_already_decided", "guardian_resubmitted", "guardian_reason_draft_stale"}
)


class Guardian(StatesGroup):
    """The participant's prompts of the consent screen."""

    guardian_name = State()
    form = State()
    companion_name = State()
    companion_phone = State()


class GuardianCoord(StatesGroup):
    """The coordinator's reason for returning a consent."""

    reason = State()


#: the reason a consent is returned with: typed, shown back, applied from the live draft only
REASON = ReasonPrompt(
    GuardianCoord.reason, "guardian-ask-reason", rev_key="guardian_rev", draft_key="guardian_reason"
)


# --------------------------------------------------------------------------- texts


def gap_lines(summary: GuardianSummary) -> list[str]:
    """«нет согласия родителя», «не указан сопровождающий», «согласие на проверке»…"""
    return [tr("guardian-gap-" + gap.replace("_", "-")) for gap in summary.gaps]


def relation_label(relation: str | None) -> str:
    return tr("guardian-relation-" + relation) if relation in RELATIONS else "—"


def details(view: GuardianView) -> list[str]:
    return [
        tr("guardian-who", name=view.guardian_name or "—", relation=relation_label(view.relation)),
        tr(
            "guardian-form-line",
            form=(view.form_name or tr("guardian-form-photo"))
            if view.has_form
            else tr("guardian-form-none"),
        ),
        tr(
            "guardian-companion-line",
            name=view.companion_name or "—",
            phone=view.companion_phone or "—",
        ),
    ]


def screen(view: GuardianView) -> Screen:
    s = view.summary
    lines = [
        tr("guardian-title"),
        tr("guardian-why", age=s.age, day=f"{s.stage_date:%d.%m.%Y}"),
        "",
        tr("guardian-state", state=guardian_status_label(s.status)),
        *details(view),
    ]
    if s.status == GuardianStatus.RETURNED and view.return_reason:
        lines.append(tr("guardian-return-reason", reason=view.return_reason))
    if s.status == GuardianStatus.PENDING:
        lines.append(tr("guardian-pending-hint", at=format_dt(view.submitted_at, view.timezone)))
    cid = view.contest_id

    def step(key: str, action: GuardianAction) -> Button:
        return tr(key), GuardianCb(contest_id=cid, action=action)

    items: list[Button] = []
    if view.editable:
        items.append(step("btn-guardian-who", GuardianAction.WHO))
        items.append(step("btn-guardian-form", GuardianAction.FORM))
        items.append(step("btn-guardian-companion", GuardianAction.COMPANION))
        if view.complete:
            items.append(step("btn-guardian-submit", GuardianAction.SUBMIT))
        else:
            lines.append("")
            lines.append(tr("guardian-missing"))
            lines += ["• " + line for line in gap_lines(s) if line]
    items.append(_to_application(cid))
    return Screen("\n".join(lines), choices(items))


def _back(contest_id: int) -> GuardianCb:
    return GuardianCb(contest_id=contest_id, action=GuardianAction.OPEN)


def _to_application(contest_id: int) -> Button:
    return tr("btn-guardian-to-application"), AppCb(contest_id=contest_id, action=AppAction.MENU)


def _way_on(contest_id: int) -> InlineKeyboardMarkup | None:
    """A refused stale button of the participant: the consent as it is now, and the application."""
    return keyboard((tr("btn-guardian-open"), _back(contest_id)), _to_application(contest_id))


# --------------------------------------------------------------------------- the participant


@router.callback_query(GuardianCb.filter(F.action != GuardianAction.MINORS))
async def guardian_action(
    query: CallbackQuery, callback_data: GuardianCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    """The participant's consent buttons; a stale one (the consent was sent or accepted
    meanwhile) is refused with what happened and a way on, never a bare message (issue #15)."""
    try:
        await _guardian_action(query, callback_data, bot, services, state)
    except DomainError as err:
        if err.code not in STALE_PARTICIPANT:
            raise
        await bot.send_message(
            query.from_user.id, error_text(err), reply_markup=_way_on(callback_data.contest_id)
        )


async def _guardian_action(
    query: CallbackQuery, callback_data: GuardianCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    uid, cid, action = query.from_user.id, callback_data.contest_id, callback_data.action
    guardians = services.guardians
    if action == GuardianAction.SUBMIT:
        view = await guardians.submit(uid, cid)  # once; a second press is told when it was sent
        await state.set_state(None)
        shown = screen(view)
        text = tr("guardian-submitted") + "\n\n" + shown.text
        await send_to(bot, uid, Screen(text, shown.keyboard))
        return
    if action == GuardianAction.REL:
        view = await guardians.set_relation(uid, cid, callback_data.value)
        await state.set_state(None)
        await bot.send_message(uid, tr("guardian-saved"))
        await send_to(bot, uid, screen(view))
        return
    view = await guardians.view(uid, cid)  # refused at once when no consent is needed
    await state.update_data(contest_id=cid)
    if (
        action in (GuardianAction.WHO, GuardianAction.FORM, GuardianAction.COMPANION)
        and not view.editable
    ):
        # a stale button: the consent was sent or accepted meanwhile
        raise DomainError(
            "guardian_consent_frozen",
            state=view.summary.status,
            at=(view.decided_at or view.submitted_at) or "—",
            tz=view.timezone,
        )
    prompt = _PROMPTS.get(action)
    if prompt is not None:
        step, text_key = prompt
        await ask(message_of(query), state, step, tr(text_key), back=_back(cid), contest_id=cid)
    else:  # open
        await state.set_state(None)
        await send_to(bot, uid, screen(view))


#: the question each step's button asks (its state, its catalogue text)
_PROMPTS = {
    GuardianAction.WHO: (Guardian.guardian_name, "guardian-ask-name"),
    GuardianAction.FORM: (Guardian.form, "guardian-ask-form"),
    GuardianAction.COMPANION: (Guardian.companion_name, "guardian-ask-companion"),
}


def _relation_keyboard(contest_id: int) -> InlineKeyboardMarkup | None:
    return choices(
        (
            (
                relation_label(code),
                GuardianCb(contest_id=contest_id, action=GuardianAction.REL, value=code),
            )
            for code in RELATIONS
        ),
        tail=[(tr("btn-back"), _back(contest_id))],
    )


@router.message(Guardian.guardian_name, F.text.as_("text"))
async def guardian_name(message: Message, text: str, services: Services, state: FSMContext) -> None:
    cid = (await state.get_data())["contest_id"]
    await services.guardians.set_guardian_name(message.from_user.id, cid, text)
    await state.set_state(None)
    await message.answer(tr("guardian-ask-relation"), reply_markup=_relation_keyboard(cid))


@router.message(Guardian.companion_name, F.text.as_("text"))
async def companion_name(
    message: Message, text: str, services: Services, state: FSMContext
) -> None:
    cid = (await state.get_data())["contest_id"]
    await services.guardians.set_companion_name(message.from_user.id, cid, text)
    await ask(
        message,
        state,
        Guardian.companion_phone,
        tr("guardian-ask-phone"),
        back=_back(cid),
        contest_id=cid,
    )


@router.message(Guardian.companion_phone, F.text.as_("text"))
async def companion_phone(
    message: Message, text: str, services: Services, state: FSMContext
) -> None:
    cid = (await state.get_data())["contest_id"]
    view = await services.guardians.set_companion_phone(message.from_user.id, cid, text)
    await state.set_state(None)
    await message.answer(tr("guardian-saved"))
    await send(message, screen(view))


@router.message(Guardian.form, F.document | F.photo)
async def form_upload(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    cid = (await state.get_data())["contest_id"]
    if message.photo:
        photo = message.photo[-1]  # the largest size
        offered = TelegramFile(
            photo.file_id, photo.file_unique_id, None, "image/jpeg", photo.file_size
        )
    else:
        doc = message.document
        assert doc is not None
        offered = TelegramFile(
            doc.file_id, doc.file_unique_id, doc.file_name, doc.mime_type, doc.file_size
        )
    head = await downloads.head(bot, offered.file_id)  # the content's signature (issue #15)
    if head is not None and hasattr(offered, "head"):
        offered = TelegramFile(
            offered.file_id,
            offered.file_unique_id,
            offered.file_name,
            offered.mime_type,
            offered.size,
            head=head,
        )
    view = await services.guardians.set_form(message.from_user.id, cid, offered)
    await state.set_state(None)
    await message.answer(tr("guardian-form-saved"))
    await send(message, screen(view))


@router.message(Guardian.form)
async def form_expected(message: Message, state: FSMContext) -> None:
    cid = (await state.get_data())["contest_id"]
    markup = keyboard((tr("btn-back"), _back(cid)))
    await message.answer(tr("guardian-form-expected"), reply_markup=markup)


# --------------------------------------------------------------------------- the coordinator


async def card_part(
    services: Services, user_id: int, participant_id: int
) -> tuple[list[str], list[Button]]:
    """The consent part of the coordinator's participant card (bot.handlers.coordinator.card):
    what is missing for a minor, and «Согласие родителя» / «Принять» / «Вернуть»."""
    view = await services.guardians.for_coordinator(user_id, participant_id)
    if view is None:
        return [], []
    s = view.summary
    lines = [
        "",
        tr(
            "guardian-card-title",
            age=s.age,
            day=f"{s.stage_date:%d.%m.%Y}",
            state=guardian_status_label(s.status),
        ),
        *details(view),
    ]
    # what the participant still has to give; «на проверке» is not a gap but the coordinator's turn
    missing = [
        tr("guardian-gap-" + gap.replace("_", "-"))
        for gap in s.gaps
        if gap in (Gap.NO_CONSENT, Gap.NO_COMPANION)
    ]
    if missing:
        lines.append(tr("guardian-card-gaps", gaps="; ".join(missing)))
    if s.status == GuardianStatus.PENDING:
        lines.append(tr("guardian-card-pending"))
    if s.status == GuardianStatus.RETURNED and view.return_reason:
        lines.append(tr("guardian-return-reason", reason=view.return_reason))
    buttons: list[Button] = []
    pid = view.participant_id
    if view.has_form:
        show_form = GuardianDecideCb(participant_id=pid, action=GuardianDecision.FORM)
        buttons.append((tr("btn-guardian-show-form"), show_form))
    if s.status == GuardianStatus.PENDING:
        accept = GuardianDecideCb(participant_id=pid, action=GuardianDecision.ACCEPT, rev=view.rev)
        back = GuardianDecideCb(participant_id=pid, action=GuardianDecision.RETURN, rev=view.rev)
        buttons.append((tr("btn-guardian-accept"), accept))
        buttons.append((tr("btn-guardian-return"), back))
    return lines, buttons


def _after_decision(participant_id: int, contest_id: int) -> InlineKeyboardMarkup | None:
    """A result screen offers the next step and a way back."""
    minors = GuardianCb(contest_id=contest_id, action=GuardianAction.MINORS)
    return keyboard((tr("btn-guardian-minors"), minors), _card_item(participant_id))


def _card_item(participant_id: int) -> Button:
    return tr("btn-guardian-card"), CardCb(participant_id=participant_id)


def _to_card(participant_id: int) -> InlineKeyboardMarkup | None:
    return keyboard(_card_item(participant_id))


@router.callback_query(GuardianDecideCb.filter())
async def decide(
    query: CallbackQuery,
    callback_data: GuardianDecideCb,
    bot: Bot,
    services: Services,
    state: FSMContext,
) -> None:
    """Accept after a confirmation, or return with a reason shown back before it is applied;
    the loser of a race (a double press, two coordinators) is told what already happened,
    with the participant's card to go on from (issue #15)."""
    try:
        await _decide(query, callback_data, bot, services, state)
    except DomainError as err:
        if err.code not in STALE_COORDINATOR:
            raise
        await bot.send_message(
            query.from_user.id, error_text(err), reply_markup=_to_card(callback_data.participant_id)
        )


async def _decide(
    query: CallbackQuery,
    callback_data: GuardianDecideCb,
    bot: Bot,
    services: Services,
    state: FSMContext,
) -> None:
    uid, pid, action = query.from_user.id, callback_data.participant_id, callback_data.action
    rev = callback_data.rev or None
    guardians = services.guardians
    if action == GuardianDecision.FORM:
        file_id, name, mime = await guardians.form_file(uid, pid)
        if name is None and mime == "image/jpeg":
            await bot.send_photo(uid, file_id, caption=tr("guardian-form-caption"))
        else:
            await bot.send_document(uid, file_id, caption=tr("guardian-form-caption"))
        return
    if action == GuardianDecision.ACCEPT:
        view = await guardians.check_decision(uid, pid, rev)  # refused at once when stale
        await REASON.leave(state)
        markup = confirm(
            GuardianDecideCb(
                participant_id=pid, action=GuardianDecision.ACCEPT_OK, rev=callback_data.rev
            ),
            CardCb(participant_id=pid),
            no_label=tr("btn-cancel"),
        )
        await query.message.answer(
            tr("guardian-accept-confirm", name=view.full_name), reply_markup=markup
        )
    elif action == GuardianDecision.ACCEPT_OK:
        view = await guardians.decide(uid, pid, accept=True, expected_rev=rev)
        await REASON.leave(state)
        text = tr("guardian-accepted", name=view.full_name)
        await show(query, Screen(text, _after_decision(pid, view.contest_id)))
    elif action == GuardianDecision.RETURN:
        await guardians.check_decision(uid, pid, rev)
        await REASON.ask(
            message_of(query), state, pid, callback_data.rev, CardCb(participant_id=pid)
        )
    elif action == GuardianDecision.CONFIRM:
        draft = await REASON.draft(state, pid)
        if draft is None:
            # decided meanwhile (the second «Подтвердить» of a double press, another coordinator):
            # say what happened; only a consent still waiting gets «the reason is no longer live»
            await guardians.check_decision(uid, pid, rev)
            raise DomainError("guardian_reason_draft_stale")
        view = await guardians.decide(uid, pid, accept=False, reason=draft, expected_rev=rev)
        await REASON.done(state)
        text = tr("guardian-returned", name=view.full_name, reason=draft)
        await show(query, Screen(text, _after_decision(pid, view.contest_id)))


@router.message(GuardianCoord.reason, F.text)
async def reason_text(message: Message, services: Services, state: FSMContext) -> None:
    typed = await REASON.typed(message, state)
    if typed is None:
        return
    pid, rev, reason = typed
    view = await services.guardians.check_decision(message.from_user.id, pid, rev or None)
    await REASON.keep(
        message,
        state,
        reason,
        tr("guardian-return-confirm", name=view.full_name, reason=reason),
        GuardianDecideCb(participant_id=pid, action=GuardianDecision.CONFIRM, rev=rev),
        GuardianDecideCb(participant_id=pid, action=GuardianDecision.RETURN, rev=rev),
    )


def _minor_line(m: MinorLine) -> str:
    gaps = "; ".join(gap_lines(m.summary)) or guardian_status_label(m.summary.status)
    return tr("guardian-minor-item", name=m.full_name, age=m.summary.age, gaps=gaps)


async def queue_part(
    services: Services, user_id: int, contest_id: int
) -> tuple[list[str], Button | None]:
    """The verification queue's part about minors (R-ROLE-5): who still lacks what."""
    minors = await services.guardians.minors(user_id, contest_id)
    waiting = [m for m in minors if not m.summary.accepted]
    if not waiting:
        return [], None
    pending = sum(1 for m in waiting if m.summary.status == GuardianStatus.PENDING)
    lines = ["", tr("guardian-queue-title", total=len(waiting), pending=pending)]
    lines += ["• " + _minor_line(m) for m in waiting[:5]]
    to_list = GuardianCb(contest_id=contest_id, action=GuardianAction.MINORS)
    return lines, (tr("btn-guardian-minors-count", count=len(waiting)), to_list)


@router.callback_query(GuardianCb.filter(F.action == GuardianAction.MINORS))
async def minors(
    query: CallbackQuery, callback_data: GuardianCb, bot: Bot, services: Services
) -> None:
    """The coordinator's list of minors with what each one lacks; a card per minor."""
    lines_ = await services.guardians.minors(query.from_user.id, callback_data.contest_id)
    if not lines_:
        await bot.send_message(query.from_user.id, tr("guardian-minors-empty"))
        return
    text = [tr("guardian-minors-title", total=len(lines_))]
    text += ["• " + _minor_line(m) for m in lines_[:LIST_LIMIT]]
    if len(lines_) > LIST_LIMIT:
        text.append(tr("guardian-minors-more", more=len(lines_) - LIST_LIMIT))
    markup = choices(
        (m.full_name[:60], CardCb(participant_id=m.participant_id))
        for m in lines_[:LIST_LIMIT]
        if not m.summary.accepted
    )
    await send_to(bot, query.from_user.id, Screen("\n".join(text), markup))
