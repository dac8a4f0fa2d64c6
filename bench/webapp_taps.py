#!/usr/bin/env python
"""Taps and wall time for ONE expert to score ONE participant of ``examples/scheme.yaml``:
in the chat against the Mini App (issue #16, goal: one tap per aspect, and the whole
participant saved in < 10 % of the chat flow's time).

Two modes; each measures the chat and the Mini App in the same run, on the same machine:

``--real`` (the default): ONE real ``python -m bot`` process in the embedded mode (SQLite and
    the in-process worker) with ``WEBAPP_URL`` set, so the same process serves the Mini App
    on a loopback port, against the Bot API stand-in of the tests (tests/fakes.FakeBotAPI on
    127.0.0.1, no network), with a rehearsal clock inside the contest's period. The contest
    is loaded with the CLI; the participants, the scheme (locked) and its targets are built
    through the services over the same SQLite file before the process starts.
    (a) the chat: /scoring → «📝 Мои ведомости» → participant №1, then one score button per
        aspect, each pressed only when the bot's reply (the next aspect's screen, an
        editMessageText) has reached the stand-in, until «Все ваши аспекты… оценены». The
        process paces what it sends at Telegram's limit of one message a second per chat
        (bot/send_gate.py) — the production behaviour, so a press costs about a second;
    (b) the Mini App: Debian's chromium (Playwright, 360×740, Telegram's WebApp stubbed with
        initData signed with the process's bot token) opens the page the same process serves,
        participant №2, one click per aspect, subcriterion after subcriterion (the switches
        counted apart), timed from the first click until the page holds no unsaved mark; then
        the database is read: every mark must be there.
``--in-process``: the dispatcher in the bench's own process over the fake session of the
    tests (no HTTP, no pacing: what the handlers alone cost; a round trip per press is added
    as an estimate, ``--rtt``) and the Mini App's aiohttp app in a child process.
``--both``: the real run, then the in-process one, two tables.

Usage::

    .venv/bin/python bench/webapp_taps.py [--real | --in-process | --both] [--expert 100005]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker  # noqa: E402

from bot.callbacks import ScoreCb  # noqa: E402
from bot.webapp import WEBAPP_PATH  # noqa: E402
from bot.webapp.server import create_webapp_app  # noqa: E402
from models.clock import FixedClock  # noqa: E402
from models.crypto import PersonalDataCipher  # noqa: E402
from models.db import create_engine, create_sessionmaker  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.scheme_file import parse_scheme_yaml  # noqa: E402
from models.services import ServiceContext, Services  # noqa: E402
from models.settings import Settings  # noqa: E402
from models.tables import SchemeAspect, Score  # noqa: E402
from notifications.wiring import wire  # noqa: E402
from tests.browserkit import chromium, phone, settled  # noqa: E402
from tests.builders import (  # noqa: E402
    CHIEF,
    EXAMPLE,
    IN_PERIOD,
    SCHEME,
    SOCIAL,
    TEST_KEY,
    VALUE,
    JobLog,
    World,
    accepted_in,
    application,
    make_world,
    participants,
)
from tests.e2ekit import TOKEN, Process, base_env, cli, running  # noqa: E402
from tests.fakes import FakeBotAPI  # noqa: E402
from tests.webappkit import TEST_TOKEN, sign_init_data  # noqa: E402

DONE = "Все ваши аспекты по этому участнику оценены"
#: the real process's rehearsal clock: inside the contest's scoring period
CLOCK_START = "2027-02-01T10:00:00+03:00"
WEBAPP_URL = "https://mini.example.test"
#: longest wait for one reply of the real process
WAIT = 60.0
_MESSAGES = {"sendmessage", "editmessagetext"}

Count = Callable[[], Awaitable[int]]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def count_marks(
    sessionmaker: async_sessionmaker[AsyncSession], expert: int, target: int
) -> int:
    async with sessionmaker() as s:
        n = await s.scalar(
            select(func.count())
            .select_from(Score)
            .where(Score.expert_telegram_id == expert, Score.target_id == target)
        )
    return int(n or 0)


async def scheme_and_targets(services: Services) -> tuple[int, list[int], dict[int, str]]:
    """examples/scheme.yaml loaded, its targets built, locked (as the chief expert would)."""
    scheme_id = (
        await services.schemes.load_scheme(CHIEF, 1, parse_scheme_yaml(SCHEME.read_bytes()))
    ).scheme_id
    await services.scoring_setup.build_targets(CHIEF, scheme_id)
    await services.schemes.lock_scheme(CHIEF, scheme_id)
    targets = [t[0] for t in await services.scoring_setup.targets(CHIEF, scheme_id)]
    async with services.ctx.sessionmaker() as s:
        kinds = dict(
            (
                await s.execute(
                    select(SchemeAspect.id, SchemeAspect.kind).where(
                        SchemeAspect.scheme_id == scheme_id
                    )
                )
            ).all()
        )
    return scheme_id, targets, kinds


# --------------------------------------------------------------------------- the Mini App


async def miniapp_flow(
    page_url: str, init_data: str, expert: int, scheme_id: int, target: int, count: Count
) -> dict[str, Any]:
    """Chromium on the page: participant ``target``, one click per aspect; ``count`` reads
    the expert's marks of the participant from the database afterwards."""
    async with chromium() as browser:
        context = await phone(browser, expert, init_data=init_data)
        page = await context.new_page()
        await page.goto(f"{page_url}?scheme={scheme_id}")
        await page.locator(f'button.target[data-target="{target}"]').click()
        await page.wait_for_selector("#table")
        nav = 1
        taps = switches = 0
        started = None
        sections = await page.locator(".chip").count() or 1
        for i in range(sections):
            cells = await page.eval_on_selector_all(
                ".cell", "els => els.map(e => [+e.dataset.aspect, e.dataset.kind])"
            )
            for aspect, kind in cells:
                button = page.locator(
                    f'.cell[data-aspect="{aspect}"] button.opt[data-value="{VALUE[kind]}"]'
                )
                if started is None:
                    started = time.perf_counter()
                await button.click(force=True)  # the cell is on screen: skip the waits
                taps += 1
            if i < sections - 1:
                await page.locator("#next").click()
                switches += 1
        assert started is not None
        clicked = time.perf_counter() - started
        await settled(page, 60_000)
        await page.wait_for_selector("#sheet-done")
        seconds = time.perf_counter() - started
        saved = await count()
        # the automation's own cost of a click, on a page of plain buttons in the same browser
        await page.set_content(
            "".join(
                f'<button id="b{i}" onclick="this.textContent=1">{i}</button>'
                for i in range(taps + switches)
            )
        )
        t0 = time.perf_counter()
        for i in range(taps + switches):
            await page.locator(f"#b{i}").click(force=True)
        automation = time.perf_counter() - t0
        await context.close()
    return {
        "taps": taps,
        "switches": switches,
        "nav": nav,
        "seconds": seconds,
        "clicked": clicked,
        "automation": automation,
        "saved": saved,
    }


# --------------------------------------------------------------------------- in-process mode


def score_buttons(world: World, user: int, target: int) -> list[ScoreCb]:
    p = world.person(user)
    return [
        cb
        for _, _, data in p.buttons()
        if data.startswith("sc:")
        for cb in [ScoreCb.unpack(data)]
        if cb.target_id == target and cb.value >= 0
    ]


async def chat_flow(
    world: World, expert: int, target: int, kinds: dict[int, str]
) -> dict[str, Any]:
    p = world.person(expert, "Эксперт")
    nav = 0
    await p.send("/scoring")
    nav += 1
    await p.press("Мои ведомости")
    nav += 1
    reply = await p.press("№1")
    nav += 1
    assert "1.1.1" in reply, reply
    taps = 0
    started = time.perf_counter()
    per_tap: list[float] = []
    while True:
        shown = score_buttons(world, expert, target)
        assert shown, "the chat shows no score buttons"
        aspect = shown[0].aspect_id
        pick = next(b for b in shown if b.aspect_id == aspect and b.value == VALUE[kinds[aspect]])
        t0 = time.perf_counter()
        reply = await p.press_data(
            pick.pack(), message_id=world.session.state.last_message(expert)["message_id"]
        )
        per_tap.append(time.perf_counter() - t0)
        taps += 1
        if DONE in reply:
            break
        assert taps < 500, "the chat flow did not finish"
    seconds = time.perf_counter() - started
    return {"taps": taps, "nav": nav, "seconds": seconds, "per_tap": per_tap}


async def serve(url: str, key: str, port_file: str) -> None:
    """The Mini App's server in a process of its own (as in production: the page runs on the
    phone, the server in the bot's process), over the bench's SQLite file."""
    engine = create_engine(url)
    services = Services(
        ServiceContext(
            sessionmaker=create_sessionmaker(engine),
            cipher=PersonalDataCipher(base64.b64decode(key)),
            clock=FixedClock(IN_PERIOD),
            jobs=JobLog(),
        )
    )
    runner = web.AppRunner(create_webapp_app(services, TEST_TOKEN), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    await asyncio.to_thread(Path(port_file).write_text, str(runner.addresses[0][1]))
    await asyncio.Event().wait()


async def server_process(url: str, tmp: str) -> tuple[asyncio.subprocess.Process, str]:
    port_file = Path(tmp) / "port"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        url,
        "--port-file",
        str(port_file),
        env={**os.environ, "BENCH_KEY": base64.b64encode(TEST_KEY).decode()},
    )
    for _ in range(300):
        if port_file.exists() and port_file.read_text():
            return proc, f"http://127.0.0.1:{port_file.read_text()}{WEBAPP_PATH}/"
        await asyncio.sleep(0.1)
    proc.kill()
    raise RuntimeError("the Mini App server did not start")


async def in_process(
    expert: int, _log: str | None = None
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        await upgrade(url)
        async for world in make_world(url, Path(tmp)):
            await participants(world, n=2)
            scheme_id, targets, kinds = await scheme_and_targets(world.services)
            chat = await chat_flow(world, expert, targets[0], kinds)
            sm = world.services.ctx.sessionmaker
            chat["saved"] = await count_marks(sm, expert, targets[0])
            proc, page_url = await server_process(url, tmp)
            try:
                app = await miniapp_flow(
                    page_url,
                    sign_init_data(TEST_TOKEN, expert),
                    expert,
                    scheme_id,
                    targets[1],
                    partial(count_marks, sm, expert, targets[1]),
                )
            finally:
                proc.terminate()
                await proc.wait()
    return chat, app, []


# --------------------------------------------------------------------------- real mode


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def prepare_real(env: dict[str, str]) -> tuple[int, list[int], dict[int, str], str]:
    """Participants, the scheme and its targets through the services over the process's own
    SQLite file (the contest is already loaded by the CLI), before the process starts."""
    os.environ.update(env)  # Settings reads the process's environment, as the bot will
    settings = Settings()
    w = wire(settings, lambda *a, **k: None, clock=FixedClock(IN_PERIOD))
    try:
        await upgrade(settings.effective_database_url, w.engine)
        for i in range(2):
            await accepted_in(w.services, 1, 700001 + i, "77")
            await application(w.services, 1, 700001 + i, SOCIAL, submit=True)
        scheme_id, targets, kinds = await scheme_and_targets(w.services)
    finally:
        await w.close()
    return scheme_id, targets, kinds, settings.effective_database_url


def newest(api: FakeBotAPI, user: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(params, result) of the newest message the bot sent or edited in ``user``'s chat."""
    for method, params, result in reversed(api.delivered):
        if (
            method.lower() in _MESSAGES
            and str(params.get("chat_id")) == str(user)
            and isinstance(result, dict)
        ):
            return params, result
    raise AssertionError(f"nothing was sent to {user}")


def markup(params: dict[str, Any]) -> list[dict[str, Any]]:
    raw = params.get("reply_markup") or {}
    if isinstance(raw, str):
        raw = json.loads(raw)
    return [b for row in raw.get("inline_keyboard", []) for b in row]


def scores_in(params: dict[str, Any], target: int) -> list[ScoreCb]:
    return [
        cb
        for b in markup(params)
        if (b.get("callback_data") or "").startswith("sc:")
        for cb in [ScoreCb.unpack(b["callback_data"])]
        if cb.target_id == target and cb.value >= 0
    ]


class RealChat:
    """One person pressing buttons of the real process through the stand-in; every press
    waits for the bot's reply before the next one, as a person would."""

    def __init__(self, api: FakeBotAPI, user: int) -> None:
        self.api, self.user = api, user
        #: messages to the person that were not the awaited reply (texts, cut)
        self.other: list[str] = []

    def _mine(self, params: dict[str, Any]) -> bool:
        return str(params.get("chat_id")) == str(self.user)

    async def _reply(self, since: int, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        def check(params: dict[str, Any]) -> bool:
            if not self._mine(params):
                return False
            if wanted(params):
                return True
            self.other.append((params.get("text") or "")[:120])
            return False

        return await self.api.wait_for(check, WAIT, since=since)

    async def say(self, text: str, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        since = self.api.mark()
        self.api.push_message(self.user, text)
        return await self._reply(since, wanted)

    async def press(
        self, data: str, message_id: int, wanted: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        since = self.api.mark()
        self.api.push_callback(self.user, data, message_id)
        return await self._reply(since, wanted)

    def button(self, label: str) -> tuple[str, int]:
        params, result = newest(self.api, self.user)
        for b in markup(params):
            if label in (b.get("text") or "") and b.get("callback_data"):
                return b["callback_data"], int(result["message_id"])
        raise AssertionError(f"no button {label!r} on {params.get('text', '')[:200]!r}")


def has(label: str) -> Callable[[dict[str, Any]], bool]:
    return lambda p: any(label in (b.get("text") or "") for b in markup(p))


async def real_chat(
    api: FakeBotAPI, expert: int, scheme_id: int, target: int, kinds: dict[int, str]
) -> dict[str, Any]:
    person = RealChat(api, expert)
    menu = await person.say("/scoring", has("Мои ведомости"))
    webapp = [b["web_app"]["url"] for b in markup(menu) if b.get("web_app")]
    await person.press(*person.button("Мои ведомости"), has("№1"))
    first = await person.press(*person.button("№1"), lambda p: bool(scores_in(p, target)))
    nav = 3
    per_tap: list[float] = []
    shown = scores_in(first, target)
    started = time.perf_counter()
    while True:
        aspect = shown[0].aspect_id
        pick = next(b for b in shown if b.aspect_id == aspect and b.value == VALUE[kinds[aspect]])
        _, result = newest(api, expert)

        def next_screen(p: dict[str, Any], aspect: int = aspect) -> bool:
            return DONE in (p.get("text") or "") or any(
                cb.aspect_id != aspect for cb in scores_in(p, target)
            )

        t0 = time.perf_counter()
        reply = await person.press(pick.pack(), int(result["message_id"]), next_screen)
        per_tap.append(time.perf_counter() - t0)
        if DONE in (reply.get("text") or ""):
            break
        shown = scores_in(reply, target)
        assert len(per_tap) < 500, "the chat flow did not finish"
    seconds = time.perf_counter() - started
    return {
        "taps": len(per_tap),
        "nav": nav,
        "seconds": seconds,
        "per_tap": per_tap,
        "webapp": webapp,
        "other": person.other,
        "elsewhere": [
            (params.get("chat_id"), (params.get("text") or "")[:80])
            for method, params, _ in api.delivered
            if method.lower() in _MESSAGES and str(params.get("chat_id")) != str(expert)
        ],
    }


async def page_served(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(url) as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the process does not serve {url}")


LOG_TROUBLE = re.compile(r"\b(ERROR|CRITICAL|WARNING|Traceback|Exception)\b")


async def real(
    expert: int, keep_log: str | None
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        port = free_port()
        async with FakeBotAPI() as api:
            env = base_env(tmp, api)
            env.update(
                CLOCK_START=CLOCK_START,
                WEBAPP_URL=WEBAPP_URL,
                WEBAPP_HOST="127.0.0.1",
                WEBAPP_PORT=str(port),
                METRICS_PORT="0",
            )
            await cli(env, "load-contest", str(EXAMPLE))
            scheme_id, targets, kinds, db_url = await prepare_real(env)
            page_url = f"http://127.0.0.1:{port}{WEBAPP_PATH}/"
            log = tmp / "bot.log"
            bot = Process("bot", [sys.executable, "-m", "bot"], env, log)
            engine = create_engine(db_url)
            sm = create_sessionmaker(engine)
            try:
                async with running(bot):
                    await page_served(page_url)
                    chat = await real_chat(api, expert, scheme_id, targets[0], kinds)
                    chat["saved"] = await count_marks(sm, expert, targets[0])
                    app = await miniapp_flow(
                        page_url,
                        sign_init_data(TOKEN, expert),
                        expert,
                        scheme_id,
                        targets[1],
                        partial(count_marks, sm, expert, targets[1]),
                    )
                app["saved_after_stop"] = await count_marks(sm, expert, targets[1])
            finally:
                await engine.dispose()
            text = log.read_text(errors="replace") if log.exists() else ""
            if keep_log:
                await asyncio.to_thread(Path(keep_log).write_text, text)
            notes = [line for line in text.splitlines() if LOG_TROUBLE.search(line)]
            chat["expected_webapp"] = f"{WEBAPP_URL}{WEBAPP_PATH}/?scheme={scheme_id}"
            chat["throttled"] = sum(1 for _, _, status in api.request_log if status == 429)
    return chat, app, notes


# --------------------------------------------------------------------------- the report


def report(mode: str, expert: int, chat: dict[str, Any], app: dict[str, Any], rtt: float) -> None:
    per = chat["per_tap"]
    aspects = chat["saved"]
    real_mode = mode == "real"
    print()
    if real_mode:
        print(
            "== real: one `python -m bot` process (embedded: SQLite + in-process worker, "
            "WEBAPP_URL set) against the Bot API stand-in on 127.0.0.1 =="
        )
    else:
        print("== in-process: the dispatcher over the tests' fake session; the Mini App's app ==")
    print(
        f"expert {expert}, examples/scheme.yaml: {aspects} aspects; participant №1 in the chat, "
        f"№2 in the Mini App"
    )
    chat_s = chat["seconds"]
    app_s = app["seconds"]
    rows = [
        (
            "chat",
            str(chat["taps"]),
            f"{chat['nav']} (/scoring, Мои ведомости, №1)",
            f"{chat_s:.2f}",
            f"{statistics.median(per) * 1000:.0f} / {pct(per, 0.9) * 1000:.0f} ms",
        ),
        (
            "Mini App",
            str(app["taps"]),
            f"{app['nav']} + {app['switches']} subcriterion switches"
            + (" (+2 in Telegram: /scoring, the Mini App button)" if real_mode else ""),
            f"{app_s:.2f}",
            f"— (the last tap at {app['clicked']:.2f} s)",
        ),
    ]
    head = ("", "score taps", "navigation taps", "wall s", "per press median / p90")
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(len(head))]
    for r in (head, *rows):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    net = app_s - app["automation"]
    print(
        f"ratio Mini App / chat: {app_s / chat_s:.1%} of the time "
        f"({net / chat_s:.1%} net of Playwright's own clicking, {app['automation']:.2f} s "
        f"for as many clicks on plain buttons); taps {app['taps'] + app['switches']} vs "
        f"{chat['taps']}"
    )
    print(
        f"marks in the database: chat {chat['saved']}, Mini App {app['saved']}"
        + (f" (after the process stopped: {app['saved_after_stop']})" if real_mode else "")
    )
    if real_mode:
        print(
            "note: the process paces what it sends at Telegram's one message a second per chat "
            "(bot/send_gate.py), as in production: each chat press waits for that, so the chat's "
            "time is bounded below by ≈1 s a press; the Mini App's saves are HTTP, not messages."
        )
        first = ", ".join(f"{s * 1000:.0f}" for s in per[:3])
        print(
            f"the first presses (inside the pacing's burst allowance, notifications/ratelimit.py): "
            f"{first} ms; the fastest {min(per) * 1000:.0f} ms, the slowest {max(per) * 1000:.0f} ms"
        )
        slow = [f"#{i + 1}: {s:.2f} s" for i, s in enumerate(per) if s > 1.5]
        print(f"presses slower than 1.5 s: {', '.join(slow) or 'none'}")
        ok = chat["expected_webapp"] in chat["webapp"]
        print(
            f"/scoring's Mini App button: {chat['webapp'] or 'missing'}"
            + ("" if ok else f" (expected {chat['expected_webapp']})")
        )
        if chat["other"]:
            print(f"other messages to the expert during the flow: {chat['other']}")
        print(f"429s from the stand-in: {chat['throttled']}")
        if chat["elsewhere"]:
            print(f"messages to other chats during the run: {chat['elsewhere']}")
    else:
        estimated = chat_s + rtt * chat["taps"]
        print(
            f"in-process, no Telegram round trip: with {rtt * 1000:.0f} ms a press the chat "
            f"≈ {estimated:.1f} s, the Mini App {app_s / estimated:.1%} of it"
        )


async def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument(
        "--real", action="store_true", help="one real `python -m bot` process (default)"
    )
    mode.add_argument("--in-process", action="store_true", help="the dispatcher in this process")
    mode.add_argument("--both", action="store_true", help="the real run, then the in-process one")
    ap.add_argument("--expert", type=int, default=100005, help="an expert of examples/scheme.yaml")
    ap.add_argument(
        "--rtt", type=float, default=0.2, help="in-process: a Telegram round trip, seconds"
    )
    ap.add_argument("--log", help="real: keep the process's log in this file")
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    ap.add_argument("--port-file", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        await serve(args.serve, os.environ["BENCH_KEY"], args.port_file)
        return 0
    modes = ["real", "in-process"] if args.both else ["in-process"] if args.in_process else ["real"]
    failed = False
    for name in modes:
        chat, app, notes = await (real if name == "real" else in_process)(args.expert, args.log)
        report(name, args.expert, chat, app, args.rtt)
        if name == "real":
            print(f"the process's log: {len(notes)} warning/error lines")
            for line in notes[:20]:
                print(f"  {line[:200]}")
        if not chat["saved"] == app["saved"] == app["taps"] == chat["taps"]:
            print("!! not every aspect was saved")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
