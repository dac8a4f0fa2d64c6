"""The Mini App score sheet in a real browser (issue #16, item 1): Debian's chromium driven by
Playwright, a phone-sized window (360×740), Telegram's WebApp stubbed before load, the
project's aiohttp app over real services. Screenshots of every screen land in
test-output/webapp/ for review."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.async_api import Browser, Page, Response, expect
from sqlalchemy import select

from models.services import Services
from models.tables import AuditRecord, Score, SheetConfirmation
from tests.browserkit import (
    THEME,
    cell,
    chromium,
    no_horizontal_scroll,
    open_page,
    phone,
    serving,
    settled,
    shot,
    tap,
    telegram_stub,
)
from tests.builders import G1, Setup, setup, small_scheme
from tests.conftest import PG_URL, needs_postgres, reset_postgres
from tests.webappkit import sign_init_data

#: in G1 and G2: both subcriteria of the small scheme (1.1: two judgements, a binary, a
#: discrete; 1.2: two judgements)
EXPERT = 100005
#: the value each kind gets when an expert fills a subcriterion
FILL = {"judgement": 2, "binary": 1, "discrete": 2}


@pytest.fixture(params=["sqlite"])
async def db_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """The browser tests run on SQLite; a test asks for PostgreSQL with ``indirect``."""
    if request.param == "postgres":
        needs_postgres()
        assert PG_URL
        await reset_postgres(PG_URL)
        return PG_URL
    return sqlite_url


@pytest.fixture
async def st(services: Services, contest_id: int) -> Setup:
    return await setup(services, contest_id, d=small_scheme(judgements=2))


@pytest.fixture
async def url(services: Services) -> AsyncIterator[str]:
    async with serving(services) as page_url:
        yield page_url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as b:
        yield b


async def sheet_of(page: Page, url: str, st: Setup, target: int) -> None:
    """The worklist, then one participant's sheet (its first subcriterion)."""
    await page.goto(f"{url}?scheme={st.scheme_id}")
    await page.locator(f'button.target[data-target="{target}"]').click()
    await expect(page.locator("#table")).to_be_visible()


async def marks_of(services: Services, target: int, expert: int = EXPERT) -> dict[int, int]:
    async with services.ctx.sessionmaker() as s:
        rows = (
            await s.execute(
                select(Score.aspect_id, Score.value).where(
                    Score.target_id == target, Score.expert_telegram_id == expert
                )
            )
        ).all()
    return {a: v for a, v in rows}


async def cells_on_screen(page: Page) -> list[dict[str, Any]]:
    return list(
        await page.eval_on_selector_all(
            ".cell",
            "els => els.map(e => ({aspect: +e.dataset.aspect, kind: e.dataset.kind}))",
        )
    )


async def fill_section(page: Page) -> dict[int, int]:
    """One tap per aspect of the shown subcriterion; returns what was tapped."""
    tapped = {}
    for c in await cells_on_screen(page):
        tapped[c["aspect"]] = FILL[c["kind"]]
        await tap(page, c["aspect"], FILL[c["kind"]])
    return tapped


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
async def test_an_expert_fills_a_subcriterion_one_tap_per_aspect(
    services: Services, st: Setup, url: str, browser: Browser, db_url: str
) -> None:
    target = st.targets[1]
    context = await phone(browser, EXPERT)
    page = await context.new_page()
    await page.goto(f"{url}?scheme={st.scheme_id}")
    await expect(page.locator("#worklist")).to_contain_text("Оценено 0 из")
    await expect(page.locator("#worklist")).to_contain_text("«Подтвердить оценки» появится")
    await no_horizontal_scroll(page)
    await shot(page, "01-worklist")

    await page.locator(f'button.target[data-target="{target}"]').click()
    await expect(page.locator("#section-title")).to_contain_text("1.1")
    await expect(page.locator("#section-title")).to_contain_text("4 не оценено")
    await expect(cell(page, st.aspects["1.1.1"]).locator(".state")).to_have_text("не оценено")
    await no_horizontal_scroll(page)
    await shot(page, "02-sheet-empty")

    clicks = 0
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/marks" in r.url else None)
    tapped = await fill_section(page)
    clicks += len(tapped)
    # the mark shows as chosen at once, before any answer
    assert len(tapped) == 4 == clicks
    await settled(page)
    for aspect, value in tapped.items():
        c = cell(page, aspect)
        await expect(c.locator(".state")).to_have_text("сохранено")
        await expect(c.locator(f'button.opt[data-value="{value}"]')).to_have_class("opt on")
    await expect(page.locator("#section-title")).to_contain_text("всё оценено")
    await no_horizontal_scroll(page)
    await shot(page, "03-sheet-saved")
    assert await marks_of(services, target) == tapped
    assert 1 <= len(requests) <= 4  # taps during a request travel together

    # the scale of a judgement on demand
    help_button = cell(page, st.aspects["1.1.1"]).locator("button.help")
    await help_button.click()
    await expect(cell(page, st.aspects["1.1.1"]).locator(".scale")).to_contain_text(
        "0 — ниже требований"
    )
    await shot(page, "04-scale")
    await help_button.click()
    await expect(cell(page, st.aspects["1.1.1"]).locator(".scale")).to_have_count(0)

    # the next subcriterion, then the whole participant is done
    await page.locator("#next").click()
    await expect(page.locator("#section-title")).to_contain_text("1.2")
    tapped2 = await fill_section(page)
    await settled(page)
    await expect(page.locator("#sheet-done")).to_be_visible()
    await expect(page.locator("#sheet-progress")).to_have_text("Оценено 6 из 6")
    assert await marks_of(services, target) == tapped | tapped2
    await shot(page, "05-participant-done")
    await context.close()


async def test_an_expert_changes_a_cell_and_the_audit_has_it(
    services: Services, st: Setup, url: str, browser: Browser
) -> None:
    target, aspect = st.targets[1], st.aspects["1.1.1"]
    context = await phone(browser, EXPERT)
    page = await context.new_page()
    await sheet_of(page, url, st, target)
    await tap(page, aspect, 2)
    await settled(page)
    await tap(page, aspect, 3)
    await settled(page)
    await expect(cell(page, aspect).locator(".state")).to_have_text("сохранено")
    await expect(cell(page, aspect).locator('button.opt[data-value="3"]')).to_have_class("opt on")
    assert (await marks_of(services, target))[aspect] == 3
    async with services.ctx.sessionmaker() as s:
        audit = (
            (await s.execute(select(AuditRecord).where(AuditRecord.action == "score.enter")))
            .scalars()
            .all()
        )
    mine = [(a.before, a.after or {}) for a in audit if (a.after or {}).get("aspect") == "1.1.1"]
    assert [(before, after["value"]) for before, after in mine] == [(None, 2), ({"value": 2}, 3)]
    assert {a.actor_telegram_id for a in audit} == {EXPERT}
    # a reload shows the saved mark
    await page.reload()
    await expect(cell(page, aspect).locator('button.opt[data-value="3"]')).to_have_class("opt on")
    await context.close()


async def test_quick_taps_on_one_cell_end_with_the_last_one(
    services: Services, st: Setup, url: str, browser: Browser
) -> None:
    """A person changing their mind fast (0, 1, 2, 3 without waiting) while the first taps are
    still being saved: the last tap wins, no conflict with the page's own earlier taps, and a
    second cell tapped at the same moment is saved too."""
    target, aspect, other = st.targets[1], st.aspects["1.1.1"], st.aspects["1.1.b"]
    context = await phone(browser, EXPERT)
    page = await context.new_page()
    await sheet_of(page, url, st, target)
    for value in (0, 1, 2, 3):
        await tap(page, aspect, value)
    await tap(page, other, 1)
    await settled(page)
    await expect(cell(page, aspect).locator(".state")).to_have_text("сохранено")
    await expect(cell(page, aspect).locator('button.opt[data-value="3"]')).to_have_class("opt on")
    assert await marks_of(services, target) == {aspect: 3, other: 1}
    await expect(page.locator(".cell .state", has_text="конфликт")).to_have_count(0)
    await context.close()


async def test_marks_survive_the_network_dropping_and_a_reload(
    services: Services, st: Setup, url: str, browser: Browser
) -> None:
    target = st.targets[1]
    a1, ab = st.aspects["1.1.1"], st.aspects["1.1.b"]
    context = await phone(browser, EXPERT)
    page = await context.new_page()
    await sheet_of(page, url, st, target)

    await context.set_offline(True)
    await tap(page, a1, 3)
    await tap(page, ab, 0)
    for aspect in (a1, ab):
        await expect(cell(page, aspect).locator(".state")).to_have_text(
            "не отправлено — сохранится при связи"
        )
    await expect(cell(page, a1).locator('button.opt[data-value="3"]')).to_have_class("opt on")
    await expect(page.locator("#sync")).to_contain_text("Нет связи")
    await shot(page, "06-offline")
    assert await marks_of(services, target) == {}

    # the server stays unreachable for marks while the page is reloaded: the taps come back
    # from localStorage and are still «не отправлено»
    async def refuse(route: Any) -> None:
        await route.abort("internetdisconnected")

    await page.route("**/api/marks", refuse)
    await context.set_offline(False)
    await page.reload()
    await expect(cell(page, a1).locator('button.opt[data-value="3"]')).to_have_class("opt on")
    await expect(cell(page, ab).locator(".state")).to_have_text(
        "не отправлено — сохранится при связи"
    )
    await expect(page.locator("#sync")).to_have_text("Не отправлено: 2")
    await shot(page, "07-unsent-after-reload")
    assert await marks_of(services, target) == {}

    # the network is back
    await page.unroute("**/api/marks", refuse)
    await page.evaluate("window.dispatchEvent(new Event('online'))")
    await settled(page)
    for aspect in (a1, ab):
        await expect(cell(page, aspect).locator(".state")).to_have_text("сохранено")
    assert await marks_of(services, target) == {a1: 3, ab: 0}
    stored = await page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('webapp-queue:'))"
    )
    assert stored == []
    await context.close()


async def test_a_conflict_is_shown_and_nothing_is_overwritten(
    services: Services, st: Setup, url: str, browser: Browser
) -> None:
    target, aspect = st.targets[1], st.aspects["1.1.1"]
    await services.marks.enter_mark(EXPERT, target, aspect, 2)
    context = await phone(browser, EXPERT)
    page = await context.new_page()
    await sheet_of(page, url, st, target)
    await expect(cell(page, aspect).locator('button.opt[data-value="2"]')).to_have_class("opt on")

    # meanwhile the mark is changed in the chat
    await services.marks.enter_mark(EXPERT, target, aspect, 1)
    await tap(page, aspect, 3)
    await expect(cell(page, aspect).locator(".state")).to_have_text("конфликт: сейчас 1")
    await expect(cell(page, aspect).locator('button.opt[data-value="1"]')).to_have_class("opt on")
    await expect(cell(page, aspect)).to_contain_text("Оценку изменили в другом месте")
    await shot(page, "08-conflict")
    assert (await marks_of(services, target))[aspect] == 1

    # the person has seen the current mark: a tap now changes it
    await tap(page, aspect, 3)
    await settled(page)
    await expect(cell(page, aspect).locator(".state")).to_have_text("сохранено")
    assert (await marks_of(services, target))[aspect] == 3
    await context.close()


async def test_a_flagged_aspect_shows_the_groups_marks(
    services: Services, st: Setup, url: str, browser: Browser
) -> None:
    target, aspect = st.targets[1], st.aspects["1.1.1"]
    others = [e for e in G1 if e != EXPERT]
    for expert, value in zip(others, (0, 0, 3), strict=True):
        await services.marks.enter_mark(expert, target, aspect, value)
    context = await phone(browser, EXPERT)
    page = await context.new_page()
    await sheet_of(page, url, st, target)
    await tap(page, aspect, 2)  # the fourth mark: 0, 0, 2, 3 differ by more than 1 (R-SCO-1)
    await settled(page)
    c = cell(page, aspect)
    await expect(c).to_have_class("cell missing flagged")
    await expect(c).to_contain_text("Нужна повторная оценка")
    await expect(c.locator(".marks")).to_have_text("Оценки группы: 0, 0, 2, 3")
    # still to do: the flagged aspect counts as not scored
    await expect(page.locator("#section-title")).to_contain_text("4 не оценено")
    await no_horizontal_scroll(page)
    await shot(page, "09-flagged")
    calls = await page.evaluate("window.__tg.calls")
    assert ["notification", "warning"] in calls

    # a reload shows it too; the re-score is one tap
    await page.reload()
    await expect(cell(page, aspect).locator(".marks")).to_have_text("Оценки группы: 0, 0, 2, 3")
    await tap(page, aspect, 1)
    await settled(page)
    await expect(cell(page, aspect).locator(".state")).to_have_text("сохранено")
    await expect(page.locator("#section-title")).to_contain_text("3 не оценено")
    assert (await marks_of(services, target))[aspect] == 1
    await context.close()


async def fill_all_but_one(services: Services, st: Setup, expert: int) -> tuple[int, int]:
    """Every item of the expert's worklist scored through the services except one cell,
    which is returned (target, aspect)."""
    wl = await services.marks.worklist(expert, st.scheme_id)
    left: tuple[int, int] | None = None
    for item in wl.targets:
        sheet = await services.expert_sheets.sheet(expert, item.target_id)
        for sec in sheet.sections:
            for c in sec.cells:
                if left is None:
                    left = (item.target_id, c.aspect_id)
                    continue
                await services.marks.enter_mark(expert, item.target_id, c.aspect_id, FILL[c.kind])
    assert left is not None
    return left


async def test_the_expert_confirms_at_the_end(
    services: Services, st: Setup, url: str, browser: Browser
) -> None:
    target, aspect = await fill_all_but_one(services, st, EXPERT)
    context = await phone(browser, EXPERT)
    page = await context.new_page()
    await page.goto(f"{url}?scheme={st.scheme_id}")
    await expect(page.locator("#confirm")).to_have_count(0)
    await page.locator(f'button.target[data-target="{target}"]').click()
    await expect(page.locator("#section-title")).to_contain_text("1 не оценено")
    await tap(page, aspect, 2)
    await settled(page)
    await expect(page.locator("#sheet-done")).to_be_visible()
    await page.locator("#to-worklist").click()

    await page.locator("#confirm").click()
    await expect(page.locator("#confirm-step")).to_contain_text("изменить их нельзя")
    await no_horizontal_scroll(page)
    await shot(page, "10-confirm-step")
    await page.locator("#confirm-no").click()  # not yet
    await expect(page.locator("#confirm-step")).to_have_count(0)
    async with services.ctx.sessionmaker() as s:
        assert (await s.execute(select(SheetConfirmation))).scalars().all() == []

    await page.locator("#confirm").click()
    await page.locator("#confirm-yes").click()
    await expect(page.locator("#confirmed")).to_contain_text("Ваши оценки подтверждены")
    await expect(page.locator("#confirm")).to_have_count(0)
    await shot(page, "11-confirmed")
    assert (await services.marks.worklist(EXPERT, st.scheme_id)).confirmed

    # the sheet is read-only now (R-SCO-4)
    await page.locator(f'button.target[data-target="{target}"]').click()
    await expect(page.locator("#sheet")).to_contain_text("Ваши оценки подтверждены")
    await expect(cell(page, aspect).locator('button.opt[data-value="3"]')).to_be_disabled()
    await context.close()


async def test_a_forged_init_data_is_refused(
    services: Services, st: Setup, url: str, browser: Browser
) -> None:
    forged = sign_init_data(user=EXPERT, hash="0" * 64)
    context = await phone(browser, EXPERT, init_data=forged)
    page = await context.new_page()
    answers: list[Response] = []
    page.on("response", lambda r: answers.append(r) if "/api/" in r.url else None)
    await page.goto(f"{url}?scheme={st.scheme_id}")
    await expect(page.locator(".panel.denied")).to_contain_text("Доступ запрещён")
    assert answers and {r.status for r in answers} == {401}
    await no_horizontal_scroll(page)
    await shot(page, "12-denied")
    assert await marks_of(services, st.targets[1]) == {}
    await context.close()


async def test_an_english_speaking_expert_sees_english(
    services: Services, st: Setup, url: str, browser: Browser
) -> None:
    user = {"id": EXPERT, "first_name": "Ann", "language_code": "en"}
    context = await phone(browser, user)
    page = await context.new_page()
    await page.goto(f"{url}?scheme={st.scheme_id}")
    await expect(page.locator("#worklist")).to_contain_text("Scored 0 of")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.locator(f'button.target[data-target="{st.targets[1]}"]').click()
    await expect(page.locator("#section-title")).to_contain_text("4 not scored")
    ab = cell(page, st.aspects["1.1.b"])
    await expect(ab.locator("button.opt")).to_have_text(["Yes", "No"])
    await tap(page, st.aspects["1.1.b"], 1)
    await settled(page)
    await expect(ab.locator(".state")).to_have_text("saved")
    await expect(page.locator("#back")).to_have_text("‹ Back")
    await no_horizontal_scroll(page)
    await shot(page, "13-english")
    await context.close()


async def test_without_telegram_script_the_launch_parameters_are_used(
    services: Services, st: Setup, url: str, browser: Browser, tmp_path: Path
) -> None:
    """No ``Telegram.WebApp`` before load: tg.js builds it from ``location.hash`` as Telegram
    launches a Mini App, and tells the client it is ready through the web events."""
    context = await phone(browser, EXPERT, stub=False)
    await context.add_init_script(
        "window.__events = []; window.TelegramWebviewProxy = {postEvent: (t, d) =>"
        " window.__events.push([t, JSON.parse(d)])};"
    )
    theme = {  # Telegram's night theme
        **THEME,
        "bg_color": "#17212b",
        "text_color": "#f5f5f5",
        "hint_color": "#708499",
        "link_color": "#6ab3f3",
        "button_color": "#5288c1",
        "secondary_bg_color": "#232e3c",
    }
    launch = (
        f"#tgWebAppData={quote(sign_init_data(user=EXPERT), safe='')}"
        f"&tgWebAppThemeParams={quote(json.dumps(theme), safe='')}&tgWebAppVersion=8.0"
    )
    page = await open_page(context, f"{url}?scheme={st.scheme_id}{launch}")
    await expect(page.locator("#worklist")).to_contain_text("Оценено 0 из")
    events = [name for name, _ in await page.evaluate("window.__events")]
    assert "web_app_ready" in events and "web_app_expand" in events
    bg = await page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--tg-theme-bg-color')"
    )
    assert bg.strip() == "#17212b"
    assert await page.evaluate("getComputedStyle(document.body).backgroundColor") == (
        "rgb(23, 33, 43)"
    )
    # the Back button of the client: shown on a sheet, pressing it comes back
    await page.locator(f'button.target[data-target="{st.targets[1]}"]').click()
    await expect(page.locator("#table")).to_be_visible()
    setups = [
        d for name, d in await page.evaluate("window.__events") if name.endswith("back_button")
    ]
    assert setups[-1] == {"is_visible": True}
    await page.evaluate("Telegram.WebView.receiveEvent('back_button_pressed')")
    await expect(page.locator("#worklist")).to_be_visible()
    await shot(page, "14-dark-theme")
    await context.close()


async def test_an_expired_session_keeps_the_taps_until_the_sheet_is_opened_again(
    services: Services, st: Setup, browser: Browser
) -> None:
    """initData lives an hour: an expert who keeps the page open longer is refused (401) —
    the page says to open the sheet again from the chat, and the taps it could not send stay
    on the phone and are saved when the sheet is opened again (nothing given is lost)."""
    target = st.targets[1]
    a1, a2 = st.aspects["1.1.1"], st.aspects["1.1.2"]
    moved = timedelta(0)

    def clock() -> datetime:
        return datetime.now(UTC) + moved

    async with serving(services, clock=clock) as url:
        context = await phone(browser, EXPERT)
        page = await context.new_page()
        await sheet_of(page, url, st, target)
        await tap(page, a1, 2)
        await settled(page)
        assert await marks_of(services, target) == {a1: 2}
        moved = timedelta(minutes=61)  # the page stayed open for an hour
        await tap(page, a2, 3)
        await expect(page.locator(".panel.denied")).to_contain_text("откройте лист оценок заново")
        await expect(page.locator(".panel.denied .kept")).to_contain_text(
            "Неотправленные оценки (1) сохранены на этом телефоне"
        )
        await expect(page.locator("#sync")).to_have_text("Не отправлено: 1")
        await shot(page, "15-session-expired")
        assert await marks_of(services, target) == {a1: 2}
        # opened again from the chat: Telegram signs a fresh initData
        moved = timedelta(0)
        await context.add_init_script(telegram_stub(sign_init_data(user=EXPERT)))
        again = await context.new_page()
        await again.goto(f"{url}?scheme={st.scheme_id}")
        await again.locator(f'button.target[data-target="{target}"]').click()
        await settled(again)
        assert await marks_of(services, target) == {a1: 2, a2: 3}
        await context.close()
