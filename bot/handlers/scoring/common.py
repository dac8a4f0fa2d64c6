"""What the scoring screens share: the prompts' states, how points and kinds are written,
and the «what next» buttons every result screen ends with (issue #15)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from aiogram import F
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.handlers.protocols.callbacks import PubAction, PubCb
from bot.handlers.scoring.callbacks import ChiefAction, ChiefCb, MenuCb, ScoringProgressCb
from bot.screens import Button, Screen, button_label, choices, keyboard, send, send_to
from bot.texts import tr
from models.rules import short_name
from models.services import Services
from models.services.scoring import MarkOutcome, Option, SchemeView, ScoreItem, TargetSheet

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


def mark_label(
    kind: str, options: Sequence[Option], value: int | None, *, short: bool = False
) -> str:
    """A mark as a person reads it: 0–3, Да/Нет, a discrete table's option (``short``: its
    label without the points, for a button or a sheet line); «—» when there is none."""
    if value is None:
        return "—"
    if kind == "binary":
        return tr("sco-yes") if value == 1 else tr("sco-no")
    if kind == "discrete":
        label = next((o.label for o in options if o.value == value), str(value))
        return label.rsplit(" — ", 1)[0] if short else label
    return str(value)


def sheet_text(sheet: TargetSheet, *, with_marks: bool = True) -> str:
    """A participant's sheet: each aspect, its points, and (``with_marks``) who gave which
    mark — by name (issue #16), never by Telegram id."""
    lines = [tr("sco-sheet-title", target=sheet.label)]
    for ln in sheet.lines:
        state = "" if ln.state == "scored" else " " + tr(f"sco-state-{ln.state}")
        lines.append(f"{ln.code} {ln.title} → {points(ln.points)} / {points(ln.max_points)}{state}")
        if with_marks and ln.marks:
            marks = sorted(ln.marks.items(), key=lambda m: (sheet.name(m[0]), m[0]))
            lines.append(
                "    "
                + ", ".join(
                    f"{short_name(sheet.name(e))}: {mark_label(ln.kind, ln.options, v, short=True)}"
                    for e, v in marks
                )
            )
    lines.append(tr("sco-sheet-total", total=points(sheet.total)))
    return "\n".join(lines)


def group_marks_text(kind: str, options: Sequence[Option], marks: Sequence[int]) -> str:
    """The group's compared marks of a re-score (R-SCO-1/2), as the expert gave them."""
    sep = "; " if kind == "discrete" else ", "
    return sep.join(mark_label(kind, options, v, short=True) for v in marks)


def saved_note(outcome: MarkOutcome) -> str:
    """What a saved mark did (issue #16): «…группа уведомлена» only when THIS mark completed
    a comparison that flagged the aspect (R-SCO-1/2); a mark entered while the aspect waits
    for the others' new marks says so instead."""
    if outcome.flagged and outcome.state in ("rescore", "tie"):
        return tr(f"sco-saved-{outcome.state}")
    if outcome.state in ("rescore", "tie"):
        return tr("sco-saved-waiting")
    return tr("sco-saved")


def item_screen(
    item: ScoreItem,
    note: str,
    pick: Callable[[int], CallbackData],
    tail: Sequence[Button],
) -> Screen:
    """One aspect to score: the participant, the subcriterion, the aspect, the scale, the
    expert's mark (in words) and — while it waits for a re-score — the group's compared marks;
    ``pick(value)`` is the button data of a mark, ``tail`` the ways on and back."""
    lines = [note] if note else []
    lines += [
        tr("sco-item-target", target=item.target_label),
        tr("sco-item-subcriterion", subcriterion=item.subcriterion),
        tr("sco-item-aspect", code=item.code, title=item.title),
        tr("sco-item-kind", kind=kind_name(item.kind), points=points(item.max_points)),
    ]
    if item.kind == "judgement":
        lines.append(tr("sco-judgement-scale"))
    current = mark_label(item.kind, item.options, item.current)
    if item.rescore:
        # only a judgement spreads (R-SCO-1); a yes/no or table vote ties (R-SCO-2/3)
        key = "sco-item-rescore" if item.kind == "judgement" else "rev-item-tie"
        lines.append(tr(key, current=current))
        if item.group_marks:
            marks = group_marks_text(item.kind, item.options, item.group_marks)
            lines.append(tr("rev-group-marks", marks=marks))
    elif item.current is not None:
        lines.append(tr("sco-item-current", current=current))
    lines.append(tr("sco-progress", scored=item.scored, total=item.total))
    options = ((button_label(option_label(item.kind, o)), pick(o.value)) for o in item.options)
    return Screen("\n".join(lines), choices(options, per_row=option_width(item.kind), tail=tail))


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
