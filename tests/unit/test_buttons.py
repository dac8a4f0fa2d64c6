"""The buttons of outbox messages (issue #14, item 3): typed, checked when the row is
written, stored in the shape rows have always had (so rows written before still deliver), and
turned into callback data by the renderer the wiring hands the delivery."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.callbacks import button_data, nav_button_data
from models.buttons import (
    Button,
    Protocol,
    Score,
    Worklist,
    check_keyboard,
    read_keyboard,
)
from models.tables import Delivery
from notifications.delivery import render
from workers.actors import broker
from workers.broker import QUEUES
from workers.queue import ACTOR_OF

#: every shape the services and the sweep write today (and wrote before this module)
STORED = [
    {"text": "btn-fill-form", "action": "form", "contest_id": "3"},
    {"text": "btn-choose-nomination", "action": "nominations", "contest_id": "3"},
    {"text": "btn-open-application", "action": "application", "contest_id": "3"},
    {
        "text": "btn-gap-file",
        "args": {"title": "Портфолио"},
        "action": "file",
        "code": "portfolio",
        "contest_id": "3",
    },
    {
        "text": "btn-gap-field",
        "args": {"title": "Стаж"},
        "action": "field",
        "code": "x",
        "contest_id": "3",
    },
    {"text": "btn-queue", "action": "queue", "contest_id": "3"},
    {"text": "btn-guardian-open", "action": "guardian", "contest_id": "3"},
    {"text": "task-btn-open", "action": "task-12", "contest_id": "3"},
    {"text": "remote-btn-materials", "action": "rmat-4", "contest_id": "3"},
    {"text": "sco-btn-rescore", "action": "score", "contest_id": "3", "target": "5", "aspect": "9"},
    {"text": "sco-btn-allow", "action": "allow", "contest_id": "3", "target": "5", "value": "1"},
    {"text": "sco-btn-open-sheet", "action": "sheet", "contest_id": "3", "target": "5"},
    {"text": "sco-btn-continue", "action": "worklist", "contest_id": "3", "scheme": "2"},
    {"text": "sco-btn-correction", "action": "correction", "contest_id": "3", "correction": "8"},
    {
        "text": "pro-btn-sign",
        "action": "protocol",
        "contest_id": "3",
        "protocol": "7",
        "version": "1",
        "do": "sign",
    },
    {"text": "apl-btn-for", "action": "preappeal", "contest_id": "3", "id": "6", "vote": "1"},
    {"text": "apl-btn-open", "action": "appeal", "contest_id": "3", "id": "6", "do": "view"},
]


@pytest.mark.parametrize("spec", STORED, ids=lambda s: s["action"])
def test_stored_shapes_round_trip_and_render(spec: dict[str, object]) -> None:
    [[stored]] = check_keyboard([[spec]])
    assert stored == spec  # the row keeps exactly what it kept before
    [[button]] = read_keyboard([[spec]])
    data = button_data(button.target)
    assert data == nav_button_data(spec) and len(data.encode()) <= 64


def test_typed_buttons_are_stored_as_the_services_wrote_them() -> None:
    sign = Button(
        text="pro-btn-sign", target=Protocol(contest_id=3, protocol=7, version=1, do="sign")
    )
    assert check_keyboard([[sign]]) == [[STORED[14]]]
    assert Button(text="x", target=Worklist(contest_id=3, scheme=2)).stored()["scheme"] == "2"
    assert Score(target=5).stored() == {"action": "score", "target": "5"}


@pytest.mark.parametrize(
    "spec",
    [
        {"text": "x", "action": "bogus", "contest_id": "3"},  # no such place
        {"text": "x", "action": "protocol", "contest_id": "3"},  # which protocol?
        {"text": "x", "action": "protocol", "protocol": "7", "do": "delete"},  # no such step
        {"text": "x", "action": "allow", "target": "5", "value": "maybe"},
        {"text": "x", "action": "score", "target": "five"},
        {"text": "x", "action": "queue", "contest_id": "3", "extra": "1"},  # unknown field
        {"action": "form", "contest_id": "3"},  # no label
    ],
)
def test_a_bad_button_is_refused_when_the_row_is_written(spec: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        check_keyboard([[spec]])


def test_a_row_written_by_the_old_code_delivers() -> None:
    row = Delivery(
        message_key="pro-note-unsigned",
        message_args={"title": "Протокол", "version": 1},
        keyboard=[[STORED[14], {**STORED[14], "text": "pro-btn-refuse", "do": "refuse"}]],
        language="ru",
        created_at=datetime.now(UTC),
    )
    text, markup = render(row, button_data)
    assert text and markup is not None
    [[sign, refuse]] = markup.inline_keyboard
    assert (sign.callback_data, refuse.callback_data) == ("pt:7:1:sign", "pt:7:1:refuse")


def test_jobs_are_queued_to_declared_actors_on_declared_queues() -> None:
    """``workers.queue.enqueue`` finds the actors by name; the health process reads the depth
    of ``workers.broker.QUEUES`` without importing the actors."""
    for name in ACTOR_OF.values():
        assert broker.get_actor(name).queue_name in QUEUES
    assert {broker.get_actor(a).queue_name for a in broker.get_declared_actors()} <= set(QUEUES)
