"""Issue #12, guarantee 1: every callback action the bot offers, pressed twice at once — by the
same person and by two staff members with the same rights — and conflicting choices pressed
together, against the real dispatcher on SQLite and PostgreSQL. One state change, one audit
row, one outbox row, every callback query answered (see tests/scenarios.py for the harness)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import dispatcher_for
from tests.conftest import PG_URL, _sqlite_db, needs_postgres, reset_postgres
from tests.scenarios import SCENARIOS, Harness, Report, Scenario, all_factories, crawl, load

#: factories pressed by no scenario, with the reason. A factory of the bot that is neither
#: covered by a scenario nor listed here fails test_every_factory_is_exercised_or_exempt.
EXEMPT: dict[str, str] = {
    # Issue #14 split the appeals' generic buttons (``dp``, ``ax``) into one factory per screen.
    # The crawl presses the other actions of the old factories as before; these two screens
    # were not reached by it before the split either (the old prefix was covered by its other
    # actions): the scheme picker shows only for a chief of several schemes, the review's
    # «Изменить» sits one step deeper than the crawl goes.
    "dps": "dispute scheme picker: only for a chief of several schemes (legacy test too)",
    "ae": "appeal review «Изменить»: deeper than the crawl; the old «ax» covered the rest",
    # a reading, not a transition: each coordinator's showing of a СНИЛС is its own audit row
    # (two coordinators of the region pressing at once are two showings); the same person's
    # double tap shows it once — tests/bot/test_files_pd.py (issue #15)
    "sn": "«Показать СНИЛС»: one audit row per showing, double tap in tests/bot/test_files_pd.py",
    # Issue #14 split the generic scoring button (``sg:<scheme>:<action>:<item>:<extra>``) into
    # one factory per screen. The old "sg" was covered by scheme_loaded pressing the chief's
    # screens only (the kinds now sgx/sgm/sgp/sgt/sga/sgmp); these screens lie deeper than the
    # crawls reach, as they did before the split. Their flows are driven in
    # tests/bot/test_scoring_bot.py, tests/bot/test_votes_next_steps.py, tests/bot/test_transitions_scoring.py.
    "sgc": "an expert confirms their sheet: only once every mark is in (test_scoring_bot)",
    "sgms": "a mentor's list of sheets: after the score lock (test_scoring_bot)",
    "sgs": "a mentor's sheet: after the score lock (test_scoring_bot)",
    "sgso": "a mentor confirms a sheet: after the score lock (test_scoring_bot)",
    "sgag": "assign a subcriterion to a group: depth 3 of the chief's setup (test_votes_next_steps)",
    "sgmt": "set a mentor: depth 4 of the chief's setup (test_scoring_bot)",
    "sgaa": "ask the mentor allowance: depth 4 of the chief's setup (allowance scenario: its votes)",
    "sgr": "a coordinator's results: after the score lock (test_scoring_bot)",
    "sgct": "a new correction's target: depth 3 of the corrections list (test_scoring_bot)",
    "sgcd": "a new correction's reason/confirm: a prompt (test_transitions_scoring)",
    "crm": "correcting a mark: the chief of an open correction, depth 3 (test_scoring_bot)",
    # issue #16: read-only, a PDF per press; the sheets need a locked scheme with its list of
    # participants, which the crawled scheme_loaded has not (test_paper_sheets_bot)
    "sgpp": "the chief's paper sheets: read-only, a PDF per press (test_paper_sheets_bot)",
    # issue #16: read-only (the service writes nothing), a screen or an XLSX per press
    "sgan": "the chief's marking analytics: read-only (test_marking_analytics_bot)",
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
