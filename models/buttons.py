"""The buttons of outbox messages (issue #14, item 3): where a button of a notification leads,
as typed values checked when the row is written (``check_keyboard``), not free dicts.

A row keeps its keyboard as JSON in the stored shape the outbox has always used — the
button's catalogue key (``text``), its ``args`` when there are any, the ``action`` and the
target's fields as strings (``{"text": "pro-btn-sign", "action": "protocol", "protocol":
"7", "version": "1", "do": "sign"}``) — so rows written before this module deliver as
before. Turning a target into Telegram callback data is the bot's business: the delivery
gets a ``ButtonRenderer`` from the wiring (``notifications.wiring``) and never imports
``bot/``; models/ knows nothing of aiogram."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class Target(BaseModel):
    """Where a button leads. ``contest_id`` rides along on every kind (the rows carry it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: str
    contest_id: int | None = None

    def stored(self) -> dict[str, str]:
        """The outbox's JSON shape: the action first, then every field given, as text."""
        fields = self.model_dump(exclude_unset=True, exclude_none=True, exclude={"action"})
        return {"action": self.action, **{k: str(v) for k, v in fields.items()}}


_PLACES = r"^(nominations|form|application|status|task-\d+|rmat-\d+)$"


class Place(Target):
    """A place of the participant's journey (``NavCb``): the nominations, the form, the
    application, the status card; a published task (``task-<id>``, R-COO-4) or a remote
    event's materials (``rmat-<slot>``, R-COO-3)."""

    action: Annotated[str, Field(pattern=_PLACES)]
    contest_id: int


class Slot(Target):
    """A field or a file slot of the application (R-APP-4), by its code."""

    action: Literal["field", "file"]
    contest_id: int
    code: str


class Queue(Target):
    """The coordinator's verification queue (R-VER-3)."""

    action: Literal["queue"] = "queue"
    contest_id: int


class Guardian(Target):
    """A minor's parental consent screen (R-ROLE-5)."""

    action: Literal["guardian"] = "guardian"
    contest_id: int


class Score(Target):
    """An aspect to (re-)score (R-SCO-3); aspect and scheme 0: the worklist's next one."""

    action: Literal["score"] = "score"
    target: int
    aspect: int = 0
    scheme: int = 0


class Allow(Target):
    """The mentor's permission vote (R-SCO-5): ``value`` "1" allows, "0" denies."""

    action: Literal["allow"] = "allow"
    target: int
    value: Literal["0", "1"]


class Sheet(Target):
    """A participant's score sheet, for their mentor (R-SCO-7)."""

    action: Literal["sheet"] = "sheet"
    target: int


class Worklist(Target):
    """An expert's worklist of a scheme (R-REM-3)."""

    action: Literal["worklist"] = "worklist"
    scheme: int


class Correction(Target):
    """A correction of locked marks (R-SCO-7)."""

    action: Literal["correction"] = "correction"
    correction: int


class Protocol(Target):
    """A protocol version to view, sign or refuse (R-PRO-2)."""

    action: Literal["protocol"] = "protocol"
    protocol: int
    version: int = 0
    do: Literal["view", "sign", "refuse", "pdf"] = "view"


class PreAppeal(Target):
    """A pre-appeal dispute: ``vote`` 1 for, 0 against, -1 view (R-APL-*)."""

    action: Literal["preappeal"] = "preappeal"
    id: int
    vote: Annotated[int, Field(ge=-1, le=1)] = -1


class Appeal(Target):
    """An appeal's card, or one of its steps (R-APL-*)."""

    action: Literal["appeal"] = "appeal"
    id: int
    do: str = "view"


class BroadcastControl(Target):
    """Pause, resume or stop a running broadcast (R-COO-1); on its progress message only,
    never in an outbox row."""

    action: Literal["broadcast"] = "broadcast"
    broadcast_id: int
    do: Literal["pause", "resume", "stop"]


#: the kinds a row's button may be, by ``action``
_KINDS: dict[str, type[Target]] = {
    "field": Slot,
    "file": Slot,
    "queue": Queue,
    "guardian": Guardian,
    "score": Score,
    "allow": Allow,
    "sheet": Sheet,
    "worklist": Worklist,
    "correction": Correction,
    "protocol": Protocol,
    "preappeal": PreAppeal,
    "appeal": Appeal,
}

ButtonRenderer = Callable[[Target], str]
"""Turns a target into callback data (the bot's ``bot.callbacks.button_data``)."""

_ARGS = TypeAdapter(dict[str, Any])


class Button(BaseModel):
    """One button of an outbox message: its label (a catalogue key and arguments) and target."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(min_length=1)
    args: dict[str, Any] = Field(default_factory=dict)
    target: Target

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> Button:
        """A stored button (or a service's spec in the stored shape), checked. Raises
        ``pydantic.ValidationError`` (a ``ValueError``) for an unknown action or a bad field."""
        fields = {k: v for k, v in spec.items() if k not in ("text", "args")}
        kind = _KINDS.get(str(fields.get("action", "")), Place)
        return cls(
            text=spec.get("text", ""),
            args=_ARGS.validate_python(spec.get("args", {})),
            target=kind.model_validate(fields),
        )

    def stored(self) -> dict[str, Any]:
        label: dict[str, Any] = {"text": self.text}
        if self.args:
            label["args"] = dict(self.args)
        return {**label, **self.target.stored()}


Keyboard = list[list[Button]]
KeyboardSpec = Sequence[Sequence[Button | Mapping[str, Any]]]


def check_keyboard(spec: KeyboardSpec | None) -> list[list[dict[str, Any]]] | None:
    """The keyboard of a row about to be written: every button checked (``Button`` values,
    or dicts in the stored shape), returned in the stored shape. Raises ``ValueError``."""
    if not spec:
        return None
    return [
        [(b if isinstance(b, Button) else Button.parse(b)).stored() for b in line] for line in spec
    ]


def read_keyboard(stored: Sequence[Sequence[Mapping[str, Any]]] | None) -> Keyboard:
    """A row's stored keyboard as buttons (rows of every age). Raises ``ValueError``."""
    return [[Button.parse(b) for b in line] for line in stored or ()]
