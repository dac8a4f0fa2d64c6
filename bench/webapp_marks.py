#!/usr/bin/env python
"""Mini App marks endpoint against ``enter_mark`` called directly (issue #16, «Measure»).

Goal: marks saved per second through ``POST /webapp/api/marks`` with 6 experts at once, on
PostgreSQL, ≥ 80 % of the rate of ``services.marks.enter_mark`` called directly with the same
6-way concurrency; 0 lost, 0 duplicated marks.

Set-up (fresh database, through the services as tests/builders does): ``examples/contest.yaml``
loaded, ``--targets`` participants with submitted applications (Moscow), the example scheme
``examples/scheme.yaml`` (60 aspects; G1 and G2 of four experts, six distinct experts: 100005
and 100007 sit in both) loaded, locked, its targets built, no mentor. Each expert marks every
aspect of their groups for every target of a phase:

* ``direct``: 6 asyncio tasks in this process, each calling ``enter_mark`` mark after mark;
* ``http×1``: a real aiohttp server (``bot.webapp.server.create_webapp_app``) in a child
  process on 127.0.0.1, 6 clients (aiohttp, keep-alive) each POSTing one mark per request
  and waiting for the answer before the next, as the page does while the expert taps;
* ``http×10``: the same with 10 marks per request (the page's offline queue replayed).

The targets are split among the phases (each mark is a new one, as a first pass is); the
phases run ``--rounds`` times in turn and the best rate of each mode is compared (the machine
is shared). Then every row is counted: each (target, aspect, expert) exactly once with the
value sent, one ``score.enter`` audit row per mark. Marks: an aspect's four marks differ by at
most one, so no re-score is asked (the chat's common case); each expert starts at another
point of their list (six people rarely tap the same cell at the same moment).

Usage::

    .venv/bin/python bench/webapp_marks.py [--url postgresql+asyncpg://…/contest_wa_bench]
        [--targets 12] [--rounds 2]

It drops and recreates the ``public`` schema of the database (refuses ``contest_test``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from bot.webapp.server import create_webapp_app  # noqa: E402
from models.clock import FixedClock  # noqa: E402
from models.crypto import PersonalDataCipher  # noqa: E402
from models.db import create_engine, create_sessionmaker  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.scheme_file import parse_scheme_yaml  # noqa: E402
from models.services import ServiceContext, Services  # noqa: E402
from models.services.scoring import Expected  # noqa: E402
from models.tables import AuditRecord, GroupMember, SchemeAspect, SchemeSubcriterion, Score  # noqa: E402
from tests.builders import (  # noqa: E402
    ADMIN_ID,
    CHIEF,
    EXAMPLE,
    IN_PERIOD,
    SCHEME,
    JobLog,
    people,
)
from tests.webappkit import TEST_TOKEN, auth_header, sign_init_data  # noqa: E402

DEFAULT_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+asyncpg://contest@127.0.0.1:55432/contest_wa_bench"
)
EXPERTS = (100004, 100005, 100007, 100008, 100009, 100010)
KEY_FILE = "/tmp/webapp_marks_bench.key"
Mark = tuple[int, int, int]  # target, aspect, value


def services_for(url: str, key: bytes) -> tuple[Any, Services]:
    engine = create_engine(url)
    ctx = ServiceContext(
        sessionmaker=create_sessionmaker(engine),
        cipher=PersonalDataCipher(key),
        clock=FixedClock(IN_PERIOD),
        jobs=JobLog(),
        admin_ids=frozenset({ADMIN_ID}),
        files_dir=Path("/tmp/webapp_marks_bench_files"),
    )
    return engine, Services(ctx)


async def build(url: str, key: bytes, targets: int) -> tuple[int, list[int]]:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    await upgrade(url)
    engine, sc = services_for(url, key)
    contest_id = (await sc.contests.load_definition(None, EXAMPLE.read_bytes())).contest_id
    await people(sc, contest_id, tuple((701 + i, "77") for i in range(targets)))
    scheme_id = (
        await sc.schemes.load_scheme(CHIEF, contest_id, parse_scheme_yaml(SCHEME.read_bytes()))
    ).scheme_id
    await sc.schemes.lock_scheme(CHIEF, scheme_id)
    await sc.scoring_setup.build_targets(CHIEF, scheme_id)
    ids = [t[0] for t in await sc.scoring_setup.targets(CHIEF, scheme_id)]
    await engine.dispose()
    return scheme_id, ids


async def work_of(
    url: str, key: bytes, scheme_id: int, targets: list[int]
) -> dict[int, list[Mark]]:
    """Every mark each expert gives for ``targets``: their groups' aspects, in sheet order."""
    engine, sc = services_for(url, key)
    async with sc.ctx.sessionmaker() as s:
        rows = (
            await s.execute(
                select(SchemeAspect.id, SchemeAspect.kind, GroupMember.telegram_id)
                .join(SchemeSubcriterion, SchemeSubcriterion.id == SchemeAspect.subcriterion_id)
                .join(GroupMember, GroupMember.group_id == SchemeSubcriterion.group_id)
                .where(SchemeAspect.scheme_id == scheme_id)
                .order_by(SchemeAspect.id)
            )
        ).all()
    await engine.dispose()
    out: dict[int, list[Mark]] = {e: [] for e in EXPERTS}
    for t in targets:
        for aspect, kind, expert in rows:
            base = (t + aspect) % 3  # 0..2; an expert of an odd id adds one: a spread of 1
            value = (
                base + expert % 2
                if kind == "judgement"
                else (t + aspect) % 2
                if kind == "binary"
                else min(2, base)
            )
            out[expert].append((t, aspect, value))
    # each expert starts at another point of the sheet: six people do not tap the same
    # aspect of the same participant at the same moment (that would only measure row locks)
    for i, e in enumerate(EXPERTS):
        cut = i * len(out[e]) // len(EXPERTS)
        out[e] = out[e][cut:] + out[e][:cut]
    return out


async def run_direct(sc: Services, work: dict[int, list[Mark]]) -> float:
    async def expert(e: int) -> None:
        for t, a, v in work[e]:
            out = await sc.marks.enter_mark(e, t, a, v, expect=Expected(None, 0))
            assert out.changed

    start = time.perf_counter()
    await asyncio.gather(*(expert(e) for e in EXPERTS))
    return time.perf_counter() - start


async def run_http(port: int, work: dict[int, list[Mark]], batch: int) -> float:
    base = f"http://127.0.0.1:{port}/webapp/api/marks"

    async def expert(e: int, http: aiohttp.ClientSession) -> None:
        headers = auth_header(sign_init_data(TEST_TOKEN, e))
        marks = work[e]
        for i in range(0, len(marks), batch):
            body = {
                "marks": [
                    {
                        "id": f"{e}-{t}-{a}",
                        "target": t,
                        "aspect": a,
                        "value": v,
                        "expect": {"value": None, "round": 0},
                    }
                    for t, a, v in marks[i : i + batch]
                ]
            }
            async with http.post(base, json=body, headers=headers) as r:
                got = await r.json()
                assert r.status == 200, got
                bad = [x for x in got["results"] if x["status"] != "saved"]
                assert not bad, bad[:3]

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        start = time.perf_counter()
        await asyncio.gather(*(expert(e, http) for e in EXPERTS))
        return time.perf_counter() - start


async def verify(url: str, key: bytes, sent: dict[tuple[int, int, int], int]) -> dict[str, int]:
    engine, sc = services_for(url, key)
    async with sc.ctx.sessionmaker() as s:
        rows = (
            await s.execute(
                select(Score.target_id, Score.aspect_id, Score.expert_telegram_id, Score.value)
            )
        ).all()
        audits = (
            await s.execute(select(func.count()).where(AuditRecord.action == "score.enter"))
        ).scalar_one()
    await engine.dispose()
    seen = Counter((t, a, e) for t, a, e, _ in rows)
    values = {(t, a, e): v for t, a, e, v in rows}
    return {
        "sent": len(sent),
        "rows": len(rows),
        "lost": sum(1 for k in sent if k not in seen),
        "duplicated": sum(n - 1 for n in seen.values() if n > 1),
        "wrong value": sum(1 for k, v in sent.items() if k in values and values[k] != v),
        "unexpected": sum(1 for k in seen if k not in sent),
        "audit rows": audits,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def serve(url: str, port: int, key: bytes) -> None:
    """The child process: the Mini App's server over the services, until killed."""
    _engine, sc = services_for(url, key)
    runner = web.AppRunner(create_webapp_app(sc, TEST_TOKEN), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


async def main(opts: argparse.Namespace, key: bytes) -> int:
    modes = [("direct", 0), ("http×1", 1), ("http×10", 10)]
    print(f"building: {opts.targets} targets …", flush=True)
    scheme_id, targets = await build(opts.url, key, opts.targets)
    slices = len(modes) * opts.rounds
    per = len(targets) // slices
    if per < 1:
        print(f"--targets must be at least {slices}", file=sys.stderr)
        return 2
    port = free_port()
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        "--url",
        opts.url,
        "--port",
        str(port),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        assert (await child.stdout.readline()).strip() == b"ready"
        engine, sc = services_for(opts.url, key)
        rates: dict[str, list[float]] = {m: [] for m, _ in modes}
        sent: dict[tuple[int, int, int], int] = {}
        n = 0
        for r in range(opts.rounds):
            for name, batch in modes:
                chunk = targets[n * per : (n + 1) * per]
                n += 1
                work = await work_of(opts.url, key, scheme_id, chunk)
                count = sum(len(v) for v in work.values())
                for e, marks in work.items():
                    sent.update({(t, a, e): v for t, a, v in marks})
                if batch == 0:
                    seconds = await run_direct(sc, work)
                else:
                    seconds = await run_http(port, work, batch)
                rates[name].append(count / seconds)
                print(
                    f"round {r + 1} {name:8} {count:5} marks in {seconds:6.2f} s: "
                    f"{count / seconds:7.1f} marks/s",
                    flush=True,
                )
        await engine.dispose()
    finally:
        child.kill()
        await child.wait()
    check = await verify(opts.url, key, sent)
    best = {m: max(v) for m, v in rates.items()}
    print()
    print(f"6 experts at once, PostgreSQL, {per} targets × their groups' aspects per run")
    print()
    median = {m: statistics.median(v) for m, v in rates.items()}
    print("| mode | marks/s (best) | median | runs | % of direct (best) | % of direct (median) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, _ in modes:
        print(
            f"| {name} | {best[name]:.1f} | {median[name]:.1f} | {len(rates[name])} | "
            f"{100 * best[name] / best['direct']:.0f} % | {100 * median[name] / median['direct']:.0f} % |"
        )
    print()
    print("rows: " + ", ".join(f"{k} {v}" for k, v in check.items()))
    ok = (
        check["lost"] == 0
        and check["duplicated"] == 0
        and check["wrong value"] == 0
        and check["unexpected"] == 0
        and check["audit rows"] == check["sent"]
    )
    goal = min(best["http×1"], best["http×10"]) >= 0.8 * best["direct"]
    print(
        f"0 lost / 0 duplicated / values as sent: {'yes' if ok else 'NO'}; "
        f"endpoint ≥ 80 % of direct: {'yes' if goal else 'no'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=DEFAULT_URL)
    ap.add_argument("--targets", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    opts = ap.parse_args()
    if opts.serve:  # the key the parent wrote for this run (personal data are encrypted)
        asyncio.run(serve(opts.url, opts.port, Path(KEY_FILE).read_bytes()))
    elif opts.url.rsplit("/", 1)[-1] == "contest_test":
        sys.exit("refusing the test-suite's database")
    else:
        fresh = PersonalDataCipher.generate_key().encode()
        Path(KEY_FILE).write_bytes(fresh)
        sys.exit(asyncio.run(main(opts, fresh)))
