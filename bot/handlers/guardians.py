"""A minor's parental consent (R-ROLE-5; seed 002 §4.7, §5.3): the participant's screens (who
gives the consent, the signed form, the accompanying adult, sending it for checking) and the
coordinator's check (accept / return with a reason, like R-VER-3). Thin: the rules and the
permission checks are in models.services.guardians."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import downloads
from bot.callbacks import AppCb, CardCb, GuardianCb, GuardianDecideCb
from bot.prompts import ask, confirm_markup
from bot.texts import error_text, format_dt, tr
from models.errors import DomainError
from models.guardian_rules import RELATIONS, Gap, GuardianStatus, GuardianSummary
from models.services import Services, TelegramFile
from models.services.coordination import MAX_REASON
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


# --------------------------------------------------------------------------- texts


def gap_lines(summary: GuardianSummary) -> list[str]:
    """«нет согласия родителя», «не указан сопровождающий», «согласие на проверке»…"""
    return [tr("guardian-gap-" + gap.replace("_", "-")) for gap in summary.gaps]


def status_label(status: str) -> str:
    return tr("guardian-status-" + status)


def relation_label(relation: str | None) -> str:
    return tr("guardian-relation-" + relation) if relation in RELATIONS else "—"


def menu_button(contest_id: int, summary: GuardianSummary) -> InlineKeyboardButton:
    """The application menu's line for a minor's consent (bot.flow.application_menu)."""
    return InlineKeyboardButton(
        text=tr(
            "btn-guardian-menu",
            state=summary.status
            if summary.status != GuardianStatus.DRAFT or summary.gaps
            else "ready",
        ),
        callback_data=GuardianCb(contest_id=contest_id, action="open").pack(),
    )


def status_line(summary: GuardianSummary) -> str:
    """/status: the consent's state in one line."""
    return tr(
        "guardian-status-line",
        state=status_label(summary.status),
        age=summary.age,
        day=f"{summary.stage_date:%d.%m.%Y}",
    )


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


def screen(view: GuardianView) -> tuple[str, InlineKeyboardMarkup]:
    s = view.summary
    lines = [
        tr("guardian-title"),
        tr("guardian-why", age=s.age, day=f"{s.stage_date:%d.%m.%Y}"),
        "",
        tr("guardian-state", state=status_label(s.status)),
        *details(view),
    ]
    if s.status == GuardianStatus.RETURNED and view.return_reason:
        lines.append(tr("guardian-return-reason", reason=view.return_reason))
    if s.status == GuardianStatus.PENDING:
        lines.append(tr("guardian-pending-hint", at=format_dt(view.submitted_at, view.timezone)))
    cid = view.contest_id
    kb = InlineKeyboardBuilder()
    if view.editable:
        kb.button(
            text=tr("btn-guardian-who"), callback_data=GuardianCb(contest_id=cid, action="who")
        )
        kb.button(
            text=tr("btn-guardian-form"), callback_data=GuardianCb(contest_id=cid, action="form")
        )
        kb.button(
            text=tr("btn-guardian-companion"),
            callback_data=GuardianCb(contest_id=cid, action="companion"),
        )
        if view.complete:
            kb.button(
                text=tr("btn-guardian-submit"),
                callback_data=GuardianCb(contest_id=cid, action="submit"),
            )
        else:
            lines.append("")
            lines.append(tr("guardian-missing"))
            lines += ["• " + line for line in gap_lines(s) if line]
    kb.button(
        text=tr("btn-guardian-to-application"), callback_data=AppCb(contest_id=cid, action="menu")
    )
    kb.adjust(1)
    return "\n".join(lines), kb.as_markup()


def _back(contest_id: int) -> GuardianCb:
    return GuardianCb(contest_id=contest_id, action="open")


async def _answer_quietly(query: CallbackQuery) -> None:
    try:
        await query.answer()
    except Exception:  # already answered before the refusal
        pass


def _way_on(contest_id: int) -> InlineKeyboardMarkup:
    """A refused stale button of the participant: the consent as it is now, and the application."""
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("btn-guardian-open"), callback_data=_back(contest_id))
    kb.button(
        text=tr("btn-guardian-to-application"),
        callback_data=AppCb(contest_id=contest_id, action="menu"),
    )
    kb.adjust(1)
    return kb.as_markup()


# --------------------------------------------------------------------------- the participant


@router.callback_query(GuardianCb.filter(F.action != "minors"))
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
        await _answer_quietly(query)
        await bot.send_message(
            query.from_user.id, error_text(err), reply_markup=_way_on(callback_data.contest_id)
        )


async def _guardian_action(
    query: CallbackQuery, callback_data: GuardianCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    uid, cid, action = query.from_user.id, callback_data.contest_id, callback_data.action
    guardians = services.guardians
    if action == "submit":
        view = await guardians.submit(uid, cid)  # once; a second press is told when it was sent
        await query.answer()
        await state.set_state(None)
        text, kb = screen(view)
        await bot.send_message(uid, tr("guardian-submitted") + "\n\n" + text, reply_markup=kb)
        return
    if action == "rel":
        view = await guardians.set_relation(uid, cid, callback_data.value)
        await query.answer()
        await state.set_state(None)
        await bot.send_message(uid, tr("guardian-saved"))
        text, kb = screen(view)
        await bot.send_message(uid, text, reply_markup=kb)
        return
    view = await guardians.view(uid, cid)  # refused at once when no consent is needed
    await query.answer()
    await state.update_data(contest_id=cid)
    if action in ("who", "form", "companion") and not view.editable:
        # a stale button: the consent was sent or accepted meanwhile
        raise DomainError(
            "guardian_consent_frozen",
            state=view.summary.status,
            at=(view.decided_at or view.submitted_at) or "—",
            tz=view.timezone,
        )
    if action == "who":
        await ask(
            query.message,
            state,
            Guardian.guardian_name,
            tr("guardian-ask-name"),
            back=_back(cid),
            contest_id=cid,
        )
    elif action == "form":
        await ask(
            query.message,
            state,
            Guardian.form,
            tr("guardian-ask-form"),
            back=_back(cid),
            contest_id=cid,
        )
    elif action == "companion":
        await ask(
            query.message,
            state,
            Guardian.companion_name,
            tr("guardian-ask-companion"),
            back=_back(cid),
            contest_id=cid,
        )
    else:  # open
        await state.set_state(None)
        text, kb = screen(view)
        await bot.send_message(uid, text, reply_markup=kb)


def _relation_keyboard(contest_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code in RELATIONS:
        kb.button(
            text=relation_label(code),
            callback_data=GuardianCb(contest_id=contest_id, action="rel", value=code),
        )
    kb.button(text=tr("btn-back"), callback_data=_back(contest_id))
    kb.adjust(1)
    return kb.as_markup()


@router.message(Guardian.guardian_name, F.text)
async def guardian_name(message: Message, services: Services, state: FSMContext) -> None:
    cid = (await state.get_data())["contest_id"]
    await services.guardians.set_guardian_name(message.from_user.id, cid, message.text)
    await state.set_state(None)
    await message.answer(tr("guardian-ask-relation"), reply_markup=_relation_keyboard(cid))


@router.message(Guardian.companion_name, F.text)
async def companion_name(message: Message, services: Services, state: FSMContext) -> None:
    cid = (await state.get_data())["contest_id"]
    await services.guardians.set_companion_name(message.from_user.id, cid, message.text)
    await ask(
        message,
        state,
        Guardian.companion_phone,
        tr("guardian-ask-phone"),
        back=_back(cid),
        contest_id=cid,
    )


@router.message(Guardian.companion_phone, F.text)
async def companion_phone(message: Message, services: Services, state: FSMContext) -> None:
    cid = (await state.get_data())["contest_id"]
    view = await services.guardians.set_companion_phone(message.from_user.id, cid, message.text)
    await state.set_state(None)
    await message.answer(tr("guardian-saved"))
    text, kb = screen(view)
    await message.answer(text, reply_markup=kb)


@router.message(Guardian.form, F.document | F.photo)
async def form_upload(message: Message, services: Services, state: FSMContext) -> None:
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
    head = await downloads.head(message.bot, offered.file_id)  # the content's signature (issue #15)
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
    text, kb = screen(view)
    await message.answer(text, reply_markup=kb)


@router.message(Guardian.form)
async def form_expected(message: Message, state: FSMContext) -> None:
    cid = (await state.get_data())["contest_id"]
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("btn-back"), callback_data=_back(cid))
    await message.answer(tr("guardian-form-expected"), reply_markup=kb.as_markup())


# --------------------------------------------------------------------------- the coordinator


async def card_part(
    services: Services, user_id: int, participant_id: int
) -> tuple[list[str], list[InlineKeyboardButton]]:
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
            state=status_label(s.status),
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
    buttons = []
    pid = view.participant_id
    if view.has_form:
        buttons.append(
            InlineKeyboardButton(
                text=tr("btn-guardian-show-form"),
                callback_data=GuardianDecideCb(participant_id=pid, action="form").pack(),
            )
        )
    if s.status == GuardianStatus.PENDING:
        buttons.append(
            InlineKeyboardButton(
                text=tr("btn-guardian-accept"),
                callback_data=GuardianDecideCb(
                    participant_id=pid, action="accept", rev=view.rev
                ).pack(),
            )
        )
        buttons.append(
            InlineKeyboardButton(
                text=tr("btn-guardian-return"),
                callback_data=GuardianDecideCb(
                    participant_id=pid, action="return", rev=view.rev
                ).pack(),
            )
        )
    return lines, buttons


def _after_decision(participant_id: int, contest_id: int) -> InlineKeyboardMarkup:
    """A result screen offers the next step and a way back."""
    kb = InlineKeyboardBuilder()
    kb.button(
        text=tr("btn-guardian-minors"),
        callback_data=GuardianCb(contest_id=contest_id, action="minors"),
    )
    kb.button(text=tr("btn-guardian-card"), callback_data=CardCb(participant_id=participant_id))
    kb.adjust(1)
    return kb.as_markup()


async def _leave_reason(state: FSMContext) -> None:
    if await state.get_state() == GuardianCoord.reason.state:
        await state.set_state(None)


def _to_card(participant_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=tr("btn-guardian-card"), callback_data=CardCb(participant_id=participant_id))
    return kb.as_markup()


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
        await _answer_quietly(query)
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
    if action == "form":
        file_id, name, mime = await guardians.form_file(uid, pid)
        await query.answer()
        if name is None and mime == "image/jpeg":
            await bot.send_photo(uid, file_id, caption=tr("guardian-form-caption"))
        else:
            await bot.send_document(uid, file_id, caption=tr("guardian-form-caption"))
        return
    if action == "accept":
        view = await guardians.check_decision(uid, pid, rev)  # refused at once when stale
        await query.answer()
        await _leave_reason(state)
        kb = InlineKeyboardBuilder()
        kb.button(
            text=tr("btn-prompt-confirm"),
            callback_data=GuardianDecideCb(
                participant_id=pid, action="accept_ok", rev=callback_data.rev
            ),
        )
        kb.button(text=tr("btn-cancel"), callback_data=CardCb(participant_id=pid))
        kb.adjust(1)
        await query.message.answer(
            tr("guardian-accept-confirm", name=view.full_name), reply_markup=kb.as_markup()
        )
    elif action == "accept_ok":
        view = await guardians.decide(uid, pid, accept=True, expected_rev=rev)
        await query.answer()
        await _leave_reason(state)
        await query.message.edit_text(
            tr("guardian-accepted", name=view.full_name),
            reply_markup=_after_decision(pid, view.contest_id),
        )
    elif action == "return":
        await guardians.check_decision(uid, pid, rev)
        await query.answer()
        await ask(
            query.message,
            state,
            GuardianCoord.reason,
            tr("guardian-ask-reason"),
            back=CardCb(participant_id=pid),
            participant_id=pid,
            guardian_rev=callback_data.rev,
            guardian_reason=None,
        )
    elif action == "confirm":
        data = await state.get_data()
        draft = data.get("guardian_reason")
        live = await state.get_state() == GuardianCoord.reason.state
        if not live or not draft or data.get("participant_id") != pid:
            # decided meanwhile (the second «Подтвердить» of a double press, another coordinator):
            # say what happened; only a consent still waiting gets «the reason is no longer live»
            await guardians.check_decision(uid, pid, rev)
            raise DomainError("guardian_reason_draft_stale")
        view = await guardians.decide(uid, pid, accept=False, reason=draft, expected_rev=rev)
        await query.answer()
        await state.set_state(None)
        await state.update_data(guardian_reason=None)
        await query.message.edit_text(
            tr("guardian-returned", name=view.full_name, reason=draft),
            reply_markup=_after_decision(pid, view.contest_id),
        )
    else:
        await query.answer()


@router.message(GuardianCoord.reason, F.text)
async def reason_text(message: Message, services: Services, state: FSMContext) -> None:
    data = await state.get_data()
    pid, rev = data["participant_id"], data.get("guardian_rev") or 0
    reason = message.text.strip()
    if not reason:
        await message.answer(tr("coord-reason-empty"))
        return
    if len(reason) > MAX_REASON:
        raise DomainError("reason_too_long", limit=MAX_REASON)
    view = await services.guardians.check_decision(message.from_user.id, pid, rev or None)
    await state.update_data(guardian_reason=reason)
    markup = confirm_markup(
        GuardianDecideCb(participant_id=pid, action="confirm", rev=rev),
        GuardianDecideCb(participant_id=pid, action="return", rev=rev),
    )
    await message.answer(
        tr("guardian-return-confirm", name=view.full_name, reason=reason), reply_markup=markup
    )


def _minor_line(m: MinorLine) -> str:
    gaps = "; ".join(gap_lines(m.summary)) or status_label(m.summary.status)
    return tr("guardian-minor-item", name=m.full_name, age=m.summary.age, gaps=gaps)


async def queue_part(
    services: Services, user_id: int, contest_id: int
) -> tuple[list[str], InlineKeyboardButton | None]:
    """The verification queue's part about minors (R-ROLE-5): who still lacks what."""
    minors = await services.guardians.minors(user_id, contest_id)
    waiting = [m for m in minors if not m.summary.accepted]
    if not waiting:
        return [], None
    pending = sum(1 for m in waiting if m.summary.status == GuardianStatus.PENDING)
    lines = ["", tr("guardian-queue-title", total=len(waiting), pending=pending)]
    lines += ["• " + _minor_line(m) for m in waiting[:5]]
    button = InlineKeyboardButton(
        text=tr("btn-guardian-minors-count", count=len(waiting)),
        callback_data=GuardianCb(contest_id=contest_id, action="minors").pack(),
    )
    return lines, button


@router.callback_query(GuardianCb.filter(F.action == "minors"))
async def minors(
    query: CallbackQuery, callback_data: GuardianCb, bot: Bot, services: Services
) -> None:
    """The coordinator's list of minors with what each one lacks; a card per minor."""
    lines_ = await services.guardians.minors(query.from_user.id, callback_data.contest_id)
    await query.answer()
    if not lines_:
        await bot.send_message(query.from_user.id, tr("guardian-minors-empty"))
        return
    text = [tr("guardian-minors-title", total=len(lines_))]
    text += ["• " + _minor_line(m) for m in lines_[:LIST_LIMIT]]
    if len(lines_) > LIST_LIMIT:
        text.append(tr("guardian-minors-more", more=len(lines_) - LIST_LIMIT))
    kb = InlineKeyboardBuilder()
    for m in lines_[:LIST_LIMIT]:
        if not m.summary.accepted:
            kb.button(
                text=f"{m.full_name}"[:60], callback_data=CardCb(participant_id=m.participant_id)
            )
    kb.adjust(1)
    await bot.send_message(query.from_user.id, "\n".join(text), reply_markup=kb.as_markup())
