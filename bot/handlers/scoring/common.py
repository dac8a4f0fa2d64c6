"""What the scoring screens share: the prompts' states, how points and kinds are written,
and the «what next» buttons every result screen ends with (issue #15)."""

from __future__ import annotations

from decimal import Decimal

from aiogram import F
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.handlers.protocols.callbacks import PubAction, PubCb
from bot.handlers.scoring.callbacks import ChiefAction, ChiefCb, MenuCb, ScoringProgressCb
from bot.screens import Screen, keyboard, send, send_to
from bot.texts import tr
from models.services import Services
from models.services.scoring import Option, SchemeView, TargetSheet

NOT_COMMAND = F.text & ~F.text.startswith("/")


class ScoringForm(StatesGroup):
    scheme_file = State()
    correction_reason = State()


async def reply(query: CallbackQuery, screen: Screen) -> None:
    """``screen`` as a new message under the pressed button's (in the person's private chat,
    also when that message is too old to reach)."""
    if isinstance(query.message, Message):
        await send(query.message, screen)
    elif query.bot is not None:
        await send_to(query.bot, query.from_user.id, screen)


def points(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def kind_name(kind: str) -> str:
    return tr(f"sco-kind-{kind}")


def option_label(kind: str, option: Option) -> str:
    if kind == "binary":
        return tr("sco-yes") if option.value == 1 else tr("sco-no")
    return option.label


def option_width(kind: str) -> int:
    """Marks a row: 0…3 side by side, yes/no side by side, a discrete table one a row."""
    return 4 if kind == "judgement" else 2 if kind == "binary" else 1


def sheet_text(sheet: TargetSheet, *, with_marks: bool = True) -> str:
    lines = [tr("sco-sheet-title", target=sheet.label)]
    for ln in sheet.lines:
        marks = " ".join(str(v) for _, v in sorted(ln.marks.items())) if with_marks else ""
        state = "" if ln.state == "scored" else " " + tr(f"sco-state-{ln.state}")
        lines.append(
            f"{ln.code} {ln.title}: {marks} → {points(ln.points)} / {points(ln.max_points)}{state}"
        )
    lines.append(tr("sco-sheet-total", total=points(sheet.total)))
    return "\n".join(lines)


# Every result screen offers the next step and a way back: the chat never ends on a message
# without buttons after an action (8 of 27 setup actions were re-navigation before).

#: a «what next» button: its catalogue key and where it leads
Step = tuple[str, CallbackData]


def steps(*items: Step) -> InlineKeyboardMarkup:
    """One button a row: the next step(s) first, the way back last."""
    kb = keyboard(*((tr(key), data) for key, data in items))
    assert kb is not None
    return kb


def setup_step(v: SchemeView) -> Step:
    """The chief expert's next step, from the scheme's state: groups (R-SCO-2), sub-criteria
    assigned to them, the list of participants, the lock (R-SCH-3), scoring, the protocols
    to sign once the scores are locked (R-PRO-4)."""
    if v.scores_locked_at is not None:
        return "nxt-btn-protocols", PubCb(scheme_id=v.id, action=PubAction.LIST)
    if not v.groups:
        return "nxt-btn-newgroup", ChiefCb(scheme_id=v.id, action=ChiefAction.NEW_GROUP)
    if any(sub.group_id is None for sub in v.subcriteria):
        return "nxt-btn-assign", ChiefCb(scheme_id=v.id, action=ChiefAction.ASSIGN)
    if not v.targets:
        return "nxt-btn-build", ChiefCb(scheme_id=v.id, action=ChiefAction.BUILD)
    if v.locked_at is None:
        return "nxt-btn-lock", ChiefCb(scheme_id=v.id, action=ChiefAction.LOCK)
    return "nxt-btn-progress", ScoringProgressCb(scheme_id=v.id)


def back_setup(scheme_id: int) -> Step:
    return "nxt-btn-back-setup", ChiefCb(scheme_id=scheme_id)


def back_menu(scheme_id: int) -> Step:
    """The scheme's /scoring menu; ``0`` — the list of one's schemes (or the only one)."""
    return "nxt-btn-back-menu", MenuCb(scheme_id=scheme_id)


async def chief_next(
    services: Services, uid: int, scheme_id: int, *first: Step
) -> InlineKeyboardMarkup:
    """A chief expert's result screen: ``first`` (if any), the next setup step, «⬅️ К настройке»."""
    step = setup_step(await services.schemes.scheme_view(uid, scheme_id))
    items = list(first)
    if all(step[1] != data for _, data in items):
        items.append(step)
    return steps(*items, back_setup(scheme_id))
