"""Issue #12, guarantee 1: every callback action the bot offers, pressed twice at once — by the
same person and by two staff members with the same rights — and conflicting choices pressed
together, against the real dispatcher on SQLite and PostgreSQL. One state change, one audit
row, one outbox row, every callback query answered (see tests/scenarios.py for the harness)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PG_URL, _sqlite_db, needs_postgres, reset_postgres
from tests.scenarios import SCENARIOS, Harness, Report, Scenario, all_factories, crawl, load
from tests.test_bot_journey import dispatcher_for

#: factories pressed by no scenario, with the reason. A factory of the bot that is neither
#: covered by a scenario nor listed here fails test_every_factory_is_exercised_or_exempt.
EXEMPT: dict[str, str] = {
    # a reading, not a transition: each coordinator's showing of a СНИЛС is its own audit row
    # (two coordinators of the region pressing at once are two showings); the same person's
    # double tap shows it once — tests/test_files_pd.py (issue #15)
    "sn": "«Показать СНИЛС»: one audit row per showing, double tap in tests/test_files_pd.py",
}


@pytest.fixture(params=["sqlite", "postgres"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        needs_postgres()
        await reset_postgres(PG_URL)
        return PG_URL  # type: ignore[return-value]
    return await _sqlite_db(tmp_path)


def test_every_factory_is_exercised_or_exempt() -> None:
    factories = all_factories()
    covered = {p for sc in SCENARIOS for p in sc.covers}
    missing = sorted(set(factories) - covered - set(EXEMPT))
    assert not missing, "callback factories neither exercised nor exempt: " + ", ".join(
        f"{p} ({factories[p].__module__}.{factories[p].__name__})" for p in missing
    )
    assert not (set(EXEMPT) - set(factories)), "exempt factories the bot no longer has"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_double_press(url: str, tmp_path: Path, scenario: Scenario) -> None:
    h = Harness(url, tmp_path, dispatcher_for)
    try:
        await load(h)
        report = Report()
        await crawl(h, scenario, all_factories(), report)
    finally:
        await h.close()
    not_pressed = sorted(set(scenario.covers) - report.pressed)
    lines = [str(f) for f in report.findings]
    summary = f"{scenario.name}: {report.trials} trials, kinds pressed: {sorted(report.kinds)}"
    print(summary)
    assert not not_pressed, (
        f"{summary}\nfactories this scenario should press but did not: {not_pressed}"
    )
    assert not lines, summary + "\n" + "\n".join(lines)
