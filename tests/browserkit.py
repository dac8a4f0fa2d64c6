"""The Mini App in a real browser (issue #16): Debian's chromium driven by Playwright, the
project's aiohttp app on a loopback port over real services, and a stub of
``window.Telegram.WebApp`` injected before the page loads (initData signed as Telegram signs
it, tests/webappkit.py). Used by tests/browser/ and bench/webapp_taps.py."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    async_playwright,
)

from bot.webapp import WEBAPP_PATH
from bot.webapp.server import create_webapp_app
from models.services import Services
from tests.builders import ROOT
from tests.webappkit import TEST_TOKEN, sign_init_data

#: Debian's chromium (apt-get install chromium; scripts/test.sh installs it as root)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: a phone: the page must fit 360 CSS pixels without horizontal scroll
PHONE: ViewportSize = {"width": 360, "height": 740}
#: screenshots for review, one per screen (gitignored)
SHOTS = ROOT / "test-output" / "webapp"
#: Telegram's light theme, as a client sends it
THEME = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#999999",
    "link_color": "#2481cc",
    "button_color": "#2481cc",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#efeff3",
}


def chromium_path() -> str | None:
    found = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    return found or None


def needs_chromium() -> str:
    """The browser's path; without it the test is skipped — but never in CI, where a
    missing browser is a failure (scripts/test.sh installs it)."""
    path = chromium_path()
    if path is None:
        message = f"chromium not found at {CHROMIUM} (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@asynccontextmanager
async def serving(
    services: Services, token: str = TEST_TOKEN, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[str]:
    """The Mini App's server on a free loopback port; yields the page's URL. ``clock``: the
    wall clock the server measures initData's age against (a test moves it)."""
    runner = web.AppRunner(create_webapp_app(services, token, clock=clock), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}{WEBAPP_PATH}/"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    path = needs_chromium()
    async with async_playwright() as pw:
        browser = await launch(pw, path)
        try:
            yield browser
        finally:
            await browser.close()


async def launch(pw: Playwright, path: str) -> Browser:
    return await pw.chromium.launch(executable_path=path, args=["--disable-gpu"])


def telegram_stub(init_data: str, theme: dict[str, str] | None = None) -> str:
    """``window.Telegram.WebApp`` as Telegram's script builds it, with no-op chrome; the calls
    are recorded in ``window.__tg`` for the tests."""
    data = json.dumps(init_data)
    theme_json = json.dumps(theme or THEME)
    return f"""
    (() => {{
      const calls = [];
      const back = [];
      window.__tg = {{ calls, back }};
      const record = (name) => (...args) => calls.push([name, ...args]);
      window.Telegram = {{ WebApp: {{
        initData: {data},
        initDataUnsafe: {{}},
        themeParams: {theme_json},
        colorScheme: "light",
        platform: "tdesktop",
        version: "8.0",
        ready: record("ready"),
        expand: record("expand"),
        close: record("close"),
        onEvent: record("onEvent"),
        offEvent: record("offEvent"),
        BackButton: {{
          isVisible: false,
          show() {{ this.isVisible = true; calls.push(["BackButton.show"]); }},
          hide() {{ this.isVisible = false; calls.push(["BackButton.hide"]); }},
          onClick: (cb) => back.push(cb),
          offClick: () => {{}},
        }},
        HapticFeedback: {{
          impactOccurred: record("impact"),
          notificationOccurred: record("notification"),
          selectionChanged: record("selection"),
        }},
      }} }};
    }})();
    """


async def phone(
    browser: Browser,
    user: int | dict[str, Any],
    *,
    init_data: str | None = None,
    stub: bool = True,
) -> BrowserContext:
    """A phone-sized browser context whose Telegram stub carries ``user``'s initData."""
    context = await browser.new_context(
        viewport=PHONE, device_scale_factor=2, locale="ru-RU", service_workers="block"
    )
    if stub:
        await context.add_init_script(telegram_stub(init_data or sign_init_data(user=user)))
    return context


async def open_page(context: BrowserContext, url: str) -> Page:
    page = await context.new_page()
    await page.goto(url)
    return page


async def shot(page: Page, name: str) -> Path:
    """A full-page screenshot for review (test-output/webapp/<name>.png)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def no_horizontal_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"


def cell(page: Page, aspect: int) -> Any:
    """One aspect's row of the table."""
    return page.locator(f'.cell[data-aspect="{aspect}"]')


async def tap(page: Page, aspect: int, value: int) -> None:
    await cell(page, aspect).locator(f'button.opt[data-value="{value}"]').click()


async def settled(page: Page, within_ms: float = 15_000) -> None:
    """Every mark the page holds is saved (the header's count of unsaved marks is 0)."""
    await page.wait_for_selector('#sync[data-pending="0"]', state="attached", timeout=within_ms)
