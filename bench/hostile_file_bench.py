#!/usr/bin/env python
"""Hostile workbook benchmark (issue #13, item 4): a 2 MB hostile staff list sent in the chat
while 100 users use the bot.

In-process: the real dispatcher (bot.app.create_dispatcher, every router and middleware)
over the fake Bot API session of the tests (no network at all), on a SQLite file with
``examples/contest.yaml`` loaded — the same set-up as tests/test_bot_journey.make_world.
100 users each send /status, then wait 5–10 s, for the length of a phase; a reply's time is
the time ``Dispatcher.feed_update`` takes (the handler's work and its sendMessage).

Phases (``--seconds`` each):

* ``idle``, ``idle-after`` — nobody uploads (before and after the upload phases: the noise);
* ``bomb``      — the admin sends, back to back, the 2,000,000-row list (1 MB, tests/hostile_files.million_rows)
  through /invite: refused by the ZIP check before openpyxl;
* ``heavy``     — the admin sends, back to back, a 2 MB list that passes every ZIP check but
  makes openpyxl work (~7.5 MB of distinct shared strings, ~1 MB of styles:
  tests/hostile_files.within_limits_bomb): parsed in the bounded child (models/sandbox.py);
* ``on-loop``   — for contrast, the same 2 MB file parsed by ``read_table`` ON the event loop
  (what the bot did before: workbooks were parsed on the loop).

Reported per phase: replies, median / p95 / max reply time, uploads done and their time,
and the bot process's peak resident memory growth (VmRSS sampled every 5 ms) — plus the
child's own peak (ru_maxrss inside the child) for the heavy file.

Usage::

    .venv/bin/python bench/hostile_file_bench.py [--users 100] [--seconds 15]
"""

from __future__ import annotations

# ruff: noqa: B023  (the closures of a phase run and finish inside that phase)
import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Sampler:
    def __init__(self) -> None:
        self.base = _rss_kb()
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_kb())
            time.sleep(0.005)

    def stop(self) -> tuple[int, int]:
        self._stop.set()
        self._thread.join()
        return self.base // 1024, (self.peak - self.base) // 1024


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def run(users: int, seconds: float) -> tuple[list[dict], dict]:
    from models.sandbox import call_bounded, warm_up
    from models.services.invitations import read_table
    from tests import hostile_files as hostile
    from tests.bot.test_bot_journey import make_world
    from tests.conftest import ADMIN_ID, _sqlite_db
    from tests.fakes import document

    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    bomb = hostile.million_rows()
    heavy = hostile.within_limits_bomb()
    await asyncio.to_thread(warm_up)  # the fork server, as at the bot's first upload
    extra: dict = {"bomb_bytes": len(bomb), "heavy_bytes": len(heavy)}
    child = call_bounded(hostile.measured_read_table, "list.xlsx", heavy, seconds=60, memory_mb=512)
    extra["child"] = child

    tmp = Path(tempfile.mkdtemp(prefix="hostile-bench-"))
    url = await _sqlite_db(tmp)
    results = []
    async for world in make_world(url, tmp):
        world.session.add_file("bomb", bomb)
        world.session.add_file("heavy", heavy)
        admin = world.person(ADMIN_ID, "Админ")
        await admin.send("/invite")
        people = [world.person(800000 + i, f"U{i}") for i in range(users)]
        for p in people[:5]:
            await p.send("/status")  # warm the handlers

        for phase in ("idle", "bomb", "heavy", "idle-after", "on-loop"):
            world.session.requests.clear()
            latencies: list[float] = []
            uploads: list[float] = []
            outcomes: list[str] = []
            deadline = time.monotonic() + seconds
            sampler = Sampler()

            async def user(p, rnd: random.Random) -> None:
                await asyncio.sleep(rnd.uniform(0, 5))
                while time.monotonic() < deadline:
                    t0 = time.monotonic()
                    await p.send("/status")
                    latencies.append(time.monotonic() - t0)
                    await asyncio.sleep(rnd.uniform(5, 10))

            async def uploader() -> None:
                await asyncio.sleep(1.0)
                while time.monotonic() < deadline - 0.5:
                    t0 = time.monotonic()
                    if phase == "on-loop":
                        try:
                            read_table("Сотрудники.xlsx", heavy)
                            outcomes.append("read")
                        except Exception as exc:  # the outcome is reported
                            outcomes.append(getattr(exc, "code", type(exc).__name__))
                    else:
                        file_id = "bomb" if phase == "bomb" else "heavy"
                        size = len(bomb) if phase == "bomb" else len(heavy)
                        reply = await admin.send(
                            document=document(file_id, "Сотрудники.xlsx", mime, size)
                        )
                        outcomes.append(reply.splitlines()[-1][:90])
                    uploads.append(time.monotonic() - t0)
                    await asyncio.sleep(0.2)

            tasks = [user(p, random.Random(i)) for i, p in enumerate(people)]
            if not phase.startswith("idle"):
                tasks.append(uploader())
            await asyncio.gather(*tasks)
            base_mb, growth_mb = sampler.stop()
            row = {
                "phase": phase,
                "replies": len(latencies),
                "median": statistics.median(latencies) if latencies else float("nan"),
                "p95": _pct(latencies, 0.95),
                "max": max(latencies) if latencies else float("nan"),
                "uploads": len(uploads),
                "upload_median": statistics.median(uploads) if uploads else float("nan"),
                "outcome": outcomes[0] if outcomes else "",
                "rss_base_mb": base_mb,
                "rss_growth_mb": growth_mb,
            }
            results.append(row)
            print(
                f"{phase:8} replies={row['replies']:4} median={row['median'] * 1000:7.1f} ms p95={row['p95'] * 1000:7.1f} ms "
                f"max={row['max'] * 1000:7.1f} ms uploads={row['uploads']:3} upload={row['upload_median']:.3f} s "
                f"rss={base_mb} MB +{growth_mb} MB  [{row['outcome']}]",
                flush=True,
            )
    return results, extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    load_before = os.getloadavg()
    started = time.monotonic()
    results, extra = asyncio.run(run(args.users, args.seconds))
    load_after = os.getloadavg()
    lines = [
        "# Hostile workbook benchmark (issue #13, item 4)",
        "",
        f"Command: `.venv/bin/python bench/hostile_file_bench.py --users {args.users} --seconds {args.seconds:g}`",
        "",
        f"Machine: nproc={os.cpu_count()}, load average before {load_before[0]:.2f} / after {load_after[0]:.2f} "
        f"(a shared machine: other engineers' tests were running), run took {time.monotonic() - started:.0f} s.",
        "",
        "In-process: the real dispatcher (all routers and middlewares) over the tests' fake Bot API session,",
        "SQLite file, examples/contest.yaml loaded. Each of the users sends /status, waits 5–10 s, repeats.",
        "A reply's time = `Dispatcher.feed_update` of that /status. The admin meanwhile sends the file",
        "through /invite back to back (phases bomb / heavy) or it is parsed on the event loop (on-loop, the",
        "old behaviour, for contrast).",
        "",
        f"Files: the 2,000,000-row list is {extra['bomb_bytes'] / 1024:.0f} KB (tests/hostile_files.million_rows);",
        f"the within-limits hostile list is {extra['heavy_bytes'] / 1024 / 1024:.2f} MB (tests/hostile_files.within_limits_bomb):",
        f"in its child it ran {extra['child']['seconds']:.2f} s at a peak of {extra['child']['maxrss_mb']} MB RSS",
        f"(child bound: 512 MB address space, 15 s), outcome `{extra['child']['outcome']}`.",
        "",
        "| phase | replies | median | p95 | max | uploads | upload time (median) | bot RSS at start | bot RSS peak growth | upload outcome |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['phase']} | {r['replies']} | {r['median'] * 1000:.1f} ms | {r['p95'] * 1000:.1f} ms | {r['max'] * 1000:.1f} ms | "
            f"{r['uploads']} | {r['upload_median']:.3f} s | {r['rss_base_mb']} MB | +{r['rss_growth_mb']} MB | {r['outcome']} |"
        )
    out = ROOT / "bench" / "HOSTILE_FILE_RESULTS.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {out}")


if __name__ == "__main__":
    main()
