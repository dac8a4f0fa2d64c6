"""Participant: nomination (R-APP-1…3), application fields and files (R-APP-4), consents and
submission (R-APP-5, R-APP-6)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import downloads
from bot.journey.application import application_menu, application_summary
from bot.journey.application import nomination_card as nomination_screen
from bot.journey.callbacks import AppAction, AppCb, NominationCb, PracticeCb
from bot.journey.form import entry_keyboard
from bot.journey.status import ENTRY_REFUSED_KEY, show_next, status_card
from bot.prompts import ask_chat
from bot.screens import Button, Screen, button_label, choices, keyboard, send, send_to, show
from bot.states import Apply
from bot.texts import error_text, tr
from models import rules
from models.clock import Clock
from models.errors import DomainError
from models.rules import ConditionAnswers
from models.services import Services, TelegramFile
from models.services.base import Limits
from models.views import ParticipantView

router = Router(name=__name__)


def _today(clock: Clock, tz: str) -> date:
    return clock.now().astimezone(ZoneInfo(tz)).date()


@router.callback_query(NominationCb.filter(~F.choose))
async def nomination_card(
    query: CallbackQuery, callback_data: NominationCb, bot: Bot, services: Services
) -> None:
    noms = {n.id: n for n in await services.contests.nominations(callback_data.contest_id)}
    nom = noms.get(callback_data.nomination_id)
    if nom is None:
        raise DomainError("nomination_not_found")
    await send_to(bot, query.from_user.id, nomination_screen(callback_data.contest_id, nom))


async def _next_condition_question(
    bot: Bot, chat_id: int, services: Services, state: FSMContext
) -> None:
    """Ask the nomination's condition questions one by one (R-APP-3), then choose it."""
    data = await state.get_data()
    cid, nid = data["contest_id"], data["nomination_id"]
    entry = await services.participants.entry_questions(
        cid, nid
    )  # R-ROLE-4: a championship asks every birth date
    nom = entry.nomination
    c = nom.conditions
    back = NominationCb(
        contest_id=cid, nomination_id=nid
    )  # «Отмена» returns to the nomination card
    if c.asks_birth_date and "birth_date" not in data:
        if entry.championship and entry.stage_day is not None:
            text = tr(
                "champ-ask-birth-date",
                limit=rules.CHAMPIONSHIP_MIN_AGE,
                day=f"{entry.stage_day:%d.%m.%Y}",
            )
        else:
            text = tr("nomination-ask-birth-date", title=nom.title)
        await ask_chat(bot, chat_id, state, Apply.birth_date, text, back=back)
        return
    if c.asks_experience and "experience_years" not in data:
        await ask_chat(
            bot,
            chat_id,
            state,
            Apply.experience,
            tr("nomination-ask-experience", title=nom.title),
            back=back,
        )
        return
    if c.requires_practice and "has_practice" not in data:
        await state.set_state(None)
        markup = choices(
            (
                (tr("btn-yes"), PracticeCb(contest_id=cid, nomination_id=nid, yes=True)),
                (tr("btn-no"), PracticeCb(contest_id=cid, nomination_id=nid, yes=False)),
            ),
            per_row=2,
        )
        await send_to(bot, chat_id, Screen(tr("nomination-ask-practice"), markup))
        return
    await state.set_state(None)
    answers = ConditionAnswers(
        birth_date=date.fromisoformat(data["birth_date"]) if data.get("birth_date") else None,
        experience_years=data.get("experience_years"),
        has_practice=data.get("has_practice"),
    )
    await _forget_answers(state)
    uid = chat_id
    try:
        view = await services.participants.choose_nomination(uid, cid, nid, answers)
    except DomainError as err:
        if err.code not in ENTRY_REFUSALS:
            raise
        refusal = err
    else:
        await state.update_data(**{ENTRY_REFUSED_KEY: None})
        await bot.send_message(
            chat_id, tr("nomination-chosen", title=view.application.nomination.title)
        )
        await send_to(bot, chat_id, application_menu(view))
        return
    asked_birth_date = answers.birth_date is not None
    await _entry_refused(bot, chat_id, state, cid, nid, refusal, asked_birth_date=asked_birth_date)


#: refusals of a nomination for the answers given (R-ROLE-4, R-APP-3): told with a way out
ENTRY_REFUSALS = frozenset(
    {"championship_too_young", "conditions_not_met", "birth_date_future", "birth_date_too_old"}
)


async def _entry_refused(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    cid: int,
    nid: int,
    err: DomainError,
    *,
    asked_birth_date: bool,
) -> None:
    """The nomination was refused for the answers (QA 3 of issue #15): the refusal offers to
    correct the birth date (a typo: the questions are asked again), the nominations and the
    status, and is remembered for /status. Nothing was created."""
    text = error_text(err)
    await state.update_data(**{ENTRY_REFUSED_KEY: {"contest_id": cid, "text": text}})
    fix = NominationCb(contest_id=cid, nomination_id=nid, choose=True) if asked_birth_date else None
    hint = "\n\n" + tr("entry-refused-hint") if fix is not None else ""
    kb = entry_keyboard(cid, fix_birth_date=fix, nominations=True)
    await send_to(bot, chat_id, Screen(text + hint, kb))


async def _forget_answers(state: FSMContext) -> None:
    data = await state.get_data()
    for key in ("birth_date", "experience_years", "has_practice", "nomination_id"):
        data.pop(key, None)
    await state.set_data(data)


@router.callback_query(NominationCb.filter(F.choose))
async def nomination_choose(
    query: CallbackQuery,
    callback_data: NominationCb,
    bot: Bot,
    services: Services,
    state: FSMContext,
) -> None:
    uid = query.from_user.id
    # Refuse early (before asking condition questions) when the choice cannot succeed.
    await services.participants.check_may_choose(uid, callback_data.contest_id)
    await _forget_answers(state)
    await state.update_data(
        contest_id=callback_data.contest_id, nomination_id=callback_data.nomination_id
    )
    await _next_condition_question(bot, uid, services, state)


@router.message(Apply.birth_date, F.text.as_("text"))
async def birth_date(
    message: Message, text: str, bot: Bot, services: Services, state: FSMContext, clock: Clock
) -> None:
    contest = await services.contests.contest((await state.get_data())["contest_id"])
    today = _today(clock, contest.timezone)
    problem = rules.birth_date_problem(text, today)  # the reason is named (issue #15)
    if problem is not None:  # «31.02.2011»: there is no such date (QA 6c of issue #15)
        key = (
            "bad-birth-date"
            if problem == "format"
            else "err-birth-date-" + problem.replace("_", "-")
        )
        await message.answer(tr(key, limit=rules.BIRTH_DATE_MAX_YEARS, value=text.strip()[:20]))
        return
    value = rules.parse_birth_date(text, today)
    assert value is not None
    await state.update_data(birth_date=value.isoformat())
    await _next_condition_question(bot, message.chat.id, services, state)


@router.message(Apply.experience, F.text.as_("text"))
async def experience(
    message: Message, text: str, bot: Bot, services: Services, state: FSMContext
) -> None:
    problem = rules.experience_years_problem(text)
    if problem is not None:  # «5,5» is told that the стаж counts whole years (issue #15)
        await message.answer(
            tr("err-field-years-fraction" if problem == "fraction" else "bad-experience")
        )
        return
    value = rules.parse_experience_years(text)
    assert value is not None
    await state.update_data(experience_years=value)
    await _next_condition_question(bot, message.chat.id, services, state)


@router.callback_query(PracticeCb.filter())
async def practice(
    query: CallbackQuery, callback_data: PracticeCb, bot: Bot, services: Services, state: FSMContext
) -> None:
    await state.update_data(
        contest_id=callback_data.contest_id,
        nomination_id=callback_data.nomination_id,
        has_practice=callback_data.yes,
    )
    await _next_condition_question(bot, query.from_user.id, services, state)


# --------------------------------------------------------------------------- the application


@router.callback_query(AppCb.filter())
async def application_action(
    query: CallbackQuery,
    callback_data: AppCb,
    bot: Bot,
    services: Services,
    state: FSMContext,
    limits: Limits,
) -> None:
    uid, cid = query.from_user.id, callback_data.contest_id
    await state.update_data(contest_id=cid)
    action = callback_data.action
    participants = services.participants
    if action == AppAction.SUBMIT:
        view = await participants.view(uid, cid)
        try:
            # R-APP-6, issue #12: one submission; a second press is told when it was sent
            await participants.submit_application(uid, cid)
        except DomainError as err:
            await bot.send_message(uid, error_text(err, view.application if view else None))
            return
        await state.set_state(None)
        await bot.send_message(uid, tr("app-submitted"))
        return
    try:
        # a stale button (application sent, participant withdrawn) is refused before asking
        view = await participants.check_draft_open(uid, cid)
    except DomainError as err:
        if err.code == "no_application":
            await show_next(bot, uid, services, state, uid, cid)
            return
        if err.code != "application_frozen":
            raise
        await state.set_state(None)
        frozen = await participants.view(uid, cid)
        await bot.send_message(
            uid, error_text(err) + ("\n\n" + status_card(frozen) if frozen else "")
        )
        return
    if action in (AppAction.PRIVACY, AppAction.TRANSFER):
        current = getattr(view.application, f"consent_{action}")
        wanted = (
            callback_data.code == "1" if callback_data.code in ("0", "1") else not current
        )  # old buttons toggle
        view = await participants.set_consent(uid, cid, action.value, wanted)
        await show(query, application_menu(view))
        return
    app = view.application
    assert app is not None
    if action == AppAction.FIELD:
        spec = next((f for f in app.nomination.fields if f.code == callback_data.code), None)
        if spec is None:
            raise DomainError("field_not_found")
        lines = [tr("app-ask-field", title=spec.title)]
        if spec.hint:
            lines.append(spec.hint)
        lines.append(
            tr(
                {"number": "app-ask-field-number", "date": "app-ask-field-date"}.get(
                    spec.kind, "app-ask-field-limit"
                ),
                limit=spec.max_length,
            )
        )
        if app.field_values.get(spec.code):
            lines.append(tr("app-field-current", value=str(app.field_values[spec.code])[:500]))
        await ask_chat(
            bot,
            uid,
            state,
            Apply.field,
            "\n".join(lines),
            back=AppCb(contest_id=cid, action=AppAction.MENU),
            field=spec.code,
        )
    elif action == AppAction.FILE:
        await _ask_file(bot, uid, limits, state, view, callback_data.code)
    elif action == AppAction.RMFILE:
        view = await participants.remove_file(uid, cid, callback_data.file_id)
        await bot.send_message(uid, tr("app-file-removed"))
        await _ask_file(bot, uid, limits, state, view, callback_data.code)
    elif action == AppAction.REVIEW:
        await state.set_state(None)
        await send_to(bot, uid, application_summary(view))
    else:  # menu
        await state.set_state(None)
        await send_to(bot, uid, application_menu(view))


def _to_menu(contest_id: int) -> Button:
    return tr("btn-back"), AppCb(contest_id=contest_id, action=AppAction.MENU)


async def _ask_file(
    bot: Bot, chat_id: int, limits: Limits, state: FSMContext, view: ParticipantView, slot_code: str
) -> None:
    app = view.application
    assert app is not None
    slot = next((s for s in app.nomination.files if s.code == slot_code), None)
    if slot is None:
        raise DomainError("file_slot_not_found")
    req = slot.requirement
    limit = rules.effective_size_limit(req, limits.download)
    lines = [
        tr(
            "app-ask-file",
            title=slot.title,
            kind=tr("app-file-kind-" + req.kind.value),
            types=", ".join(req.types),
            limit=tr("file-size", size=rules.size_mb(limit)),
        )
    ]
    have = app.files_in(slot.code)
    if req.max_count > 1:
        lines.append(tr("app-ask-file-many", count=req.max_count, have=len(have)))
    if req.max_size > limits.download:
        lines.append(tr("app-ask-file-cloud-limit"))
    removals: list[Button] = []
    if have:
        lines.append(
            tr("app-file-current", files=", ".join(f.file_name or tr("file-unnamed") for f in have))
        )
        if req.max_count > 1:
            for f in have:
                name = button_label(f.file_name or tr("file-unnamed"), width=40)
                rm = AppCb(
                    contest_id=view.contest.id,
                    action=AppAction.RMFILE,
                    code=slot.code,
                    file_id=f.id,
                )
                removals.append((tr("btn-remove-file", name=name), rm))
    await state.set_state(Apply.file)
    await state.update_data(slot=slot.code)
    markup = choices(removals, tail=[_to_menu(view.contest.id)])
    await send_to(bot, chat_id, Screen("\n".join(lines), markup))


@router.message(Apply.field, F.text.as_("text"))
async def field_value(
    message: Message, text: str, bot: Bot, services: Services, state: FSMContext
) -> None:
    data = await state.get_data()
    view = await services.participants.set_field(
        message.from_user.id, data["contest_id"], data["field"], text
    )
    spec = next(f for f in view.application.nomination.fields if f.code == data["field"])
    await state.set_state(None)
    await message.answer(tr("app-field-saved", title=spec.title))
    await send(message, application_menu(view))


@router.message(Apply.file, F.document | F.video)
async def file_upload(message: Message, bot: Bot, services: Services, state: FSMContext) -> None:
    data = await state.get_data()
    media = message.document or message.video
    offered = TelegramFile(
        file_id=media.file_id,
        file_unique_id=media.file_unique_id,
        file_name=media.file_name,
        mime_type=media.mime_type,
        size=media.file_size,
        is_video_message=message.video is not None,
        # the first bytes, so the service judges the content, not only the name (issue #15)
        head=await downloads.head(bot, media.file_id),
    )
    before = await services.participants.view(message.from_user.id, data["contest_id"])
    had = len(before.application.files_in(data["slot"])) if before and before.application else 0
    view = await services.participants.add_file(
        message.from_user.id, data["contest_id"], data["slot"], offered
    )
    slot = next(s for s in view.application.nomination.files if s.code == data["slot"])
    lines = [
        tr(
            "app-file-saved",
            name=offered.file_name or tr("file-unnamed"),
            size=tr("file-size", size=rules.size_mb(offered.size or 0)),
            title=slot.title,
        )
    ]
    if slot.requirement.max_count == 1 and had:
        lines.append(tr("app-file-replaced"))
    await message.answer("\n".join(lines))
    if (
        slot.requirement.max_count > 1
        and len(view.application.files_in(slot.code)) < slot.requirement.max_count
    ):
        return  # stay in the slot: more files may follow
    await state.set_state(None)
    await send(message, application_menu(view))


@router.message(Apply.file)
async def file_expected(message: Message, services: Services, state: FSMContext) -> None:
    data = await state.get_data()
    view = await services.participants.view(message.from_user.id, data["contest_id"])
    slot = (
        next((s for s in view.application.nomination.files if s.code == data.get("slot")), None)
        if view and view.application
        else None
    )
    await message.answer(
        tr("app-expected-file", title=slot.title if slot else ""),
        reply_markup=keyboard(_to_menu(data["contest_id"])),
    )
