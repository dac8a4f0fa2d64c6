"""Buttons of messages sent before issue #14 keep doing what they said.

The redesign gave each screen its own typed ``CallbackData`` (``bot/handlers/*/callbacks.py``,
``bot/callbacks.py``). Messages already in people's chats still carry the old, generic data;
four of its families no longer parse under the new classes:

- ``sg:<scheme>:<action>:<item>:<extra>`` — the scoring screens (``ScoringCb``, 35 actions);
- ``cr:<correction>:<action>:<aspect>:<expert>:<value>`` — a correction's card and marks;
- ``dp:<action>:<item>:<key>`` — ``/dispute``: the list, the draft, closing a vote;
- ``ax:<action>:<target>:<contest>:<value>:<key>`` — the ``/appeal`` form.

Every other old button (``sc``, ``ma``, ``al``, ``pa``, ``cm``, ``ad``, ``pt``, ``bc``…) parses
unchanged under its new class and needs nothing here.

:func:`translate` turns an old press into the new button of the same screen and action; the
router then routes the press, with that data, through the dispatcher's routers again
(:func:`route_again`), so the new handler runs exactly as for a fresh press: the same
injected services, clock, limits and conversation state, every permission check in the
service, a refusal reaching the one error handler (``handlers.common``), and the press
answered once — by the answering middleware it already went through (``bot.screens.AnswerOnce``
on the dispatcher; a handler's toast set on the same ``callback_answer``).

Why this way: only the routing runs again, below the middlewares. Feeding a new update would
run the update-level ones twice and wait for the person's lock this very press holds;
``Dispatcher.propagate_event`` would run the dispatcher's callback middlewares twice (a second
answer); calling the new handler function directly would tie this module to each handler's
signature and filters.

An old action that has no screen any more gets the current screen of its scheme, correction,
dispute list or appeal form, plus a short note (``legacy-button-moved``). Old data that is not
of these forms (or is malformed) is left to ``common.stale_button``, as before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from aiogram import Bot, Dispatcher, Router
from aiogram.dispatcher.event.bases import UNHANDLED, SkipHandler
from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery

from bot.handlers.appeals.callbacks import (
    AppealEditCb,
    AppealFormCb,
    AppealKindCb,
    AppealTargetCb,
    DisputeCloseCb,
    DisputeDraftCb,
    DisputeSchemeCb,
    DraftAction,
    FormAction,
)
from bot.handlers.scoring.callbacks import (
    AllowAskCb,
    AssignGroupCb,
    AssignSubCb,
    ChiefAction,
    ChiefCb,
    ConfirmSheetCb,
    CorrAction,
    CorrCb,
    CorrDraftAction,
    CorrDraftCb,
    CorrMarkCb,
    CorrTargetCb,
    GroupToggleCb,
    MentorPickCb,
    MentorSheetsCb,
    MenuCb,
    ResultsAction,
    ResultsCb,
    ScoringProgressCb,
    SetMentorCb,
    SheetCb,
    SheetConfirmCb,
    WorklistCb,
)
from bot.texts import tr

router = Router(name=__name__)

E = TypeVar("E", bound=StrEnum)


def _member(kind: type[E], value: str) -> E | None:
    """The member of ``kind`` with this value, or None (``in`` on an Enum class refuses a
    plain string before Python 3.12)."""
    try:
        return kind(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class Translation:
    """The new button an old press stands for; ``moved``: the old action has no screen of its
    own any more, so this is the current screen of the same place (shown with a note)."""

    data: CallbackData
    moved: bool = False


# --------------------------------------------------------------------------- scoring: sg


def _scoring(scheme: int, action: str, item: int, extra: int) -> CallbackData | None:
    """``ScoringCb``: ``item`` / ``extra`` meant a target, an expert, a subcriterion, a group
    or a mentor depending on the action (old bot/handlers/scoring.py)."""
    # chief, lock(ok), lockscores(ok), build, …
    if (chief := _member(ChiefAction, action)) is not None:
        return ChiefCb(scheme_id=scheme, action=chief)
    # results, promote(ok), export (R-RES-1)
    if (results := _member(ResultsAction, action)) is not None:
        return ResultsCb(scheme_id=scheme, action=results)
    by_scheme: dict[str, Callable[[], CallbackData]] = {
        "menu": lambda: MenuCb(scheme_id=scheme),
        "worklist": lambda: WorklistCb(scheme_id=scheme),
        "confirm": lambda: ConfirmSheetCb(scheme_id=scheme),  # R-SCO-4: asks first
        "confirmok": lambda: ConfirmSheetCb(scheme_id=scheme, sure=True),
        "mentor": lambda: MentorSheetsCb(scheme_id=scheme),  # R-SCO-5
        "sheet": lambda: SheetCb(target_id=item),
        "sheetok": lambda: SheetConfirmCb(target_id=item),
        "progress": lambda: ScoringProgressCb(scheme_id=scheme),
        "toggle": lambda: GroupToggleCb(scheme_id=scheme, expert_id=item),  # R-SCH-4
        "assignsub": lambda: AssignSubCb(scheme_id=scheme, subcriterion_id=item),
        "assigngrp": lambda: AssignGroupCb(scheme_id=scheme, subcriterion_id=item, group_id=extra),
        "mentor1": lambda: MentorPickCb(scheme_id=scheme, target_id=item),  # R-ROLE-3
        "setmentor": lambda: SetMentorCb(scheme_id=scheme, target_id=item, mentor_id=extra),
        "allowask": lambda: AllowAskCb(scheme_id=scheme, target_id=item),
        "corrsub": lambda: CorrTargetCb(scheme_id=scheme, target_id=item),  # R-SCO-6
    }
    if action in by_scheme:
        return by_scheme[action]()
    draft = {
        "corrreason": CorrDraftAction.REASON,
        "corredit": CorrDraftAction.EDIT,
        "corrok": CorrDraftAction.OK,
    }
    if action in draft:
        return CorrDraftCb(
            scheme_id=scheme, target_id=item, subcriterion_id=extra, action=draft[action]
        )
    return None


def _old_scoring(parts: list[str]) -> Translation | None:
    scheme, action, item, extra = parts
    new = _scoring(int(scheme), action, int(item), int(extra))
    if new is None:  # the scheme's menu: what the scheme offers this person now
        return Translation(MenuCb(scheme_id=int(scheme)), moved=True)
    return Translation(new)


# --------------------------------------------------------------------------- corrections: cr


def _old_correction(parts: list[str]) -> Translation | None:
    """``CorrCb`` with aspect/expert/value: view | sign | relock stay ``CorrCb``; the three
    steps of correcting a mark are now ``CorrMarkCb`` (R-SCO-6)."""
    correction, action, aspect, expert, value = parts
    cid = int(correction)
    if (known := _member(CorrAction, action)) is not None:
        return Translation(CorrCb(correction_id=cid, action=known))
    marks = {
        "aspect": lambda: CorrMarkCb(correction_id=cid, aspect_id=int(aspect)),
        "expert": lambda: CorrMarkCb(
            correction_id=cid, aspect_id=int(aspect), expert_id=int(expert)
        ),
        "value": lambda: CorrMarkCb(
            correction_id=cid, aspect_id=int(aspect), expert_id=int(expert), value=int(value)
        ),
    }
    if action in marks:
        return Translation(marks[action]())
    return Translation(CorrCb(correction_id=cid), moved=True)


# --------------------------------------------------------------------------- disputes: dp, ax


def _old_dispute(parts: list[str]) -> Translation | None:
    """``DisputeCb``: the chief expert's /dispute (R-APL-1)."""
    action, item, key = parts
    number = int(item)
    if action == "scheme":
        return Translation(DisputeSchemeCb(scheme_id=number))
    if action == "list":
        return Translation(DisputeSchemeCb())
    # open | change | cancel: its key is checked
    if (draft := _member(DraftAction, action)) is not None:
        return Translation(DisputeDraftCb(action=draft, key=key))
    if action in ("close", "closenq"):
        return Translation(DisputeCloseCb(pre_appeal_id=number, without_quorum=action == "closenq"))
    return Translation(DisputeSchemeCb(), moved=True)


def _old_appeal_form(parts: list[str]) -> Translation | None:
    """``AplFormCb``: the /appeal form (R-APL-2…5); the form's key is checked as before."""
    action, target, contest, value, key = parts
    if action == "target":
        return Translation(AppealTargetCb(contest_id=int(contest), target_id=int(target)))
    if action == "kind":
        return Translation(AppealKindCb(kind=value, key=key))
    if action == "edit":
        return Translation(AppealEditCb(field=value, key=key))
    # resume | restart | review | done | submit | cancel
    if (step := _member(FormAction, action)) is not None:
        return Translation(AppealFormCb(action=step, key=key))
    return Translation(AppealFormCb(action=FormAction.RESUME, key=key), moved=True)


# --------------------------------------------------------------------------- recognising


#: prefix → (the number of fields after it, the translation). The new classes of the same
#: prefix (``cr``, ``ax``) have fewer fields, so new data never matches here.
OLD_FORMS: dict[str, tuple[int, Callable[[list[str]], Translation | None]]] = {
    "sg": (4, _old_scoring),
    "cr": (5, _old_correction),
    "dp": (3, _old_dispute),
    "ax": (5, _old_appeal_form),
}


def translate(data: str) -> Translation | None:
    """The new button for old callback data, or None when it is not of an old form (a new
    button, a malformed or unknown one)."""
    prefix, *parts = data.split(":")
    form = OLD_FORMS.get(prefix)
    if form is None or len(parts) != form[0]:
        return None
    try:
        return form[1](parts)
    except ValueError:  # a number that is not one, a value a new field refuses: forged
        return None


class OldButton(Filter):
    """Matches a press whose data is of an old form; hands its translation to the handler."""

    async def __call__(self, query: CallbackQuery) -> bool | dict[str, Any]:
        found = translate(query.data or "")
        return False if found is None else {"translation": found}


#: Set by the routing for this handler only; the re-routed press gets its own.
_ROUTING_KEYS = frozenset({"handler", "event_router", "translation", "callback_data"})


async def route_again(root: Dispatcher, event: CallbackQuery, **kwargs: Any) -> Any:
    """The dispatcher's routing of a callback query, below the middlewares the press already
    went through (what ``Router._propagate_event`` does): the dispatcher's own handlers, then
    each router in order, with their filters and inner middlewares."""
    result = await root.callback_query.trigger(event, event_router=root, **kwargs)
    for sub in root.sub_routers:
        if result is not UNHANDLED:
            break
        result = await sub.propagate_event("callback_query", event, **kwargs)
    return result


@router.callback_query(OldButton())
async def old_button(
    query: CallbackQuery,
    translation: Translation,
    dispatcher: Dispatcher,
    bot: Bot,
    **data: Any,
) -> Any:
    """Route the press again as the new button (see the module docstring)."""
    new = query.model_copy(update={"data": translation.data.pack()}).as_(bot)
    kwargs = {k: v for k, v in data.items() if k not in _ROUTING_KEYS}
    result = await route_again(dispatcher, new, dispatcher=dispatcher, bot=bot, **kwargs)
    if result is UNHANDLED:  # no screen takes it now: on to common.stale_button
        raise SkipHandler
    if translation.moved:
        await bot.send_message(query.from_user.id, tr("legacy-button-moved"))
    return result


__all__ = ["OLD_FORMS", "OldButton", "Translation", "route_again", "router", "translate"]
