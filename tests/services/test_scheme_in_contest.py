"""A marking scheme declared in the contest file itself (R-SCH-1…3): loaded in the same
transaction as the contest, checked like a scheme file with places under ``schemes[N]``,
and a locked scheme the file would change refuses the whole file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from models.contest_file import DefinitionInvalid
from models.services import Services
from notifications.definition_errors import render_definition_errors
from tests.conftest import EXAMPLE

SCHEME = Path(__file__).resolve().parents[2] / "examples" / "scheme.yaml"
CHIEF = 100006


def contest_with(scheme: dict, **changes: str) -> bytes:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["schemes"] = [scheme]
    data.update(changes)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()


def scheme() -> dict:
    return yaml.safe_load(SCHEME.read_text(encoding="utf-8"))


async def test_scheme_loads_with_the_contest(services: Services) -> None:
    result = await services.contests.load_definition(None, contest_with(scheme()))
    assert result.counts["schemes"] == 1
    [brief] = await services.schemes.schemes_for(CHIEF)
    view = await services.schemes.scheme_view(CHIEF, brief.id)
    assert (
        view.aspects == 60 and view.total == 100 and [g.code for g in view.groups] == ["G1", "G2"]
    )


async def test_bad_scheme_in_the_contest_file_is_reported_by_place_and_loads_nothing(
    services: Services,
) -> None:
    bad = scheme()
    bad["criteria"] = bad["criteria"][:2]
    bad["groups"][0]["members"][1] = 424242  # not an expert of the contest
    with pytest.raises(DefinitionInvalid) as exc:
        await services.contests.load_definition(None, contest_with(bad))
    text = render_definition_errors(exc.value.errors)
    assert "schemes[1].criteria: в схеме 2 критерия, а должно быть от 3 до 9" in text
    assert await services.contests.contests() == []
    other = scheme()
    other["stage"] = "final"
    other["groups"][0]["members"][1] = 424242
    with pytest.raises(DefinitionInvalid) as exc:
        await services.contests.load_definition(None, contest_with(other))
    places = {(e.place, e.code) for e in exc.value.errors}
    assert ("schemes[1].stage", "unknown_stage") in places
    assert ("schemes[1].groups[1].members", "not_an_expert") in places


async def test_locked_scheme_cannot_be_changed_by_reloading_the_contest(services: Services) -> None:
    await services.contests.load_definition(None, contest_with(scheme()))
    [brief] = await services.schemes.schemes_for(CHIEF)
    await services.schemes.lock_scheme(CHIEF, brief.id)
    changed = scheme()
    changed["criteria"][0]["title"] = "Другое название"
    with pytest.raises(DefinitionInvalid) as exc:
        await services.contests.load_definition(
            None, contest_with(changed, title="Новое название конкурса")
        )
    assert [e.code for e in exc.value.errors] == ["scheme_locked"]
    assert "заблокирована главным экспертом" in render_definition_errors(exc.value.errors)
    [contest] = await services.contests.contests()
    assert contest.title != "Новое название конкурса"  # the whole file was refused
    # the same scheme again is fine (nothing changes)
    result = await services.contests.load_definition(
        None, contest_with(scheme(), title="Новое название конкурса")
    )
    assert result.title == "Новое название конкурса"
