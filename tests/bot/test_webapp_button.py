"""The Mini App's button (issue #16): with WEBAPP_URL an expert's /scoring menu opens the score
sheet as a web_app button with the scheme in the URL; without it the chat flow is unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.builders import CHIEF, G1, World, setup

URL = "https://bot.example.ru"


@pytest.fixture
def webapp_url(world: World) -> Iterator[str]:
    """WEBAPP_URL set for the dispatcher (create_dispatcher's workflow data), reset after:
    the dispatcher is shared by the tests of the process (tests/builders.dispatcher_for)."""
    world.dp["webapp_url"] = URL
    yield URL
    world.dp["webapp_url"] = None


def _web_app_buttons(world: World, user: int) -> list[tuple[str, str]]:
    found = []
    for (chat, _), message in world.session.state.messages.items():
        if chat != str(user):
            continue
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            found += [(b["text"], b["web_app"]["url"]) for b in row if b.get("web_app")]
    return found


async def test_an_expert_gets_the_mini_app_button(world: World, webapp_url: str) -> None:
    st = await setup(world.services, 1, count=1, mentor=False)
    expert = world.person(G1[0], "Дмитрий")
    await expert.send("/scoring")
    assert expert.buttons()  # the chat's own menu stays
    assert _web_app_buttons(world, G1[0]) == [
        ("📋 Лист оценок (Mini App)", f"{URL}/webapp/?scheme={st.scheme_id}")
    ]
    # the chief expert (in no group) scores nothing: no sheet to open
    await world.person(CHIEF, "Павел").send("/scoring")
    assert _web_app_buttons(world, CHIEF) == []


async def test_without_webapp_url_there_is_no_button(world: World) -> None:
    assert world.dp.workflow_data.get("webapp_url") is None
    await setup(world.services, 1, count=1, mentor=False)
    expert = world.person(G1[0], "Дмитрий")
    await expert.send("/scoring")
    assert expert.buttons()  # the chat's own menu is there
    assert _web_app_buttons(world, G1[0]) == []
