"""Replies first, under the same budget: a burst of /start while a broadcast runs (issue #13 §3).

How long does a person who just sent /start wait for the reply when a 10,000-recipient
broadcast is going out at the same time, compared with the same burst alone (goal: the
median at most 2 s more)? Which share of Telegram's limit does the broadcast get before,
during and after the burst? How many 429s?

* The stand-in: ``bench/broadcast_bench.py``'s ``LimitedBotAPI`` (Telegram's 30/s overall
  and 1/s per chat: 429 with ``retry_after`` = 1 above either), in a process of its own on
  127.0.0.1, which also serves ``getUpdates`` with the burst and records when each update
  was handed out and when each chat's first message was accepted.
* Real processes, the scaled deployment: ``python -m bot`` (polling, PostgreSQL + Redis)
  and ``dramatiq workers.actors`` (2 processes × 8 threads), as ``compose.yaml`` runs them;
  the broadcast is created and started through ``BroadcastService`` (as in
  ``broadcast_bench.py``), a sweep from here every 5 s.
* Per run: a fresh database, the example contest, N accepted participants (the broadcast's
  audience); the bot and the workers start; a warm-up /start; then (``broadcast`` runs) the
  broadcast starts and runs ``--lead`` seconds alone; then B distinct new users send /start
  at the same moment. A reply's wait = its chat's first accepted message − the moment the
  update was queued for ``getUpdates`` (the bot is long-polling: it takes it at once).

Runs (``--runs``): ``alone`` (the burst, no broadcast), ``broadcast`` (the burst during the
broadcast), ``ungated`` (the burst during the broadcast with the bot's replies *not* going
through the gate — the behaviour before issue #13 §3, by a shim that skips
``bot.send_gate.install`` in the bot process only).

    .venv/bin/python bench/reply_priority_bench.py                 # 1,000 /start, 10,000 recipients
    .venv/bin/python bench/reply_priority_bench.py --quick         # 200 /start, 3,000 recipients
    .venv/bin/python bench/reply_priority_bench.py --runs alone,broadcast,ungated --burst 1000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import broadcast_bench as bb  # noqa: E402  (the stand-in, the database, the workers)

bb.DB_NAME = "contest_bench_rp"
bb.DB_URL = f"postgresql+asyncpg://contest@127.0.0.1:55432/{bb.DB_NAME}"
bb.REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:56379/3")
USER_BASE = 7_000_000_000  # the burst's people (the broadcast's are bb.BASE_CHAT + i)
WARMUP_USER = USER_BASE - 1


# ====================================================================== the stand-in
def _standin_main(conn: Any, rate: int, delay_ms: int) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import broadcast_bench as bb_child

    base = bb_child._standin_class()

    class Standin(base):  # type: ignore[misc, valid-type]
        """Records which chat each 429 was for, and when each burst update was queued."""

        def __init__(self, **kw: Any) -> None:
            super().__init__(**kw)
            self.refused_chats: list[tuple[float, int]] = []
            self.pushed: dict[int, float] = {}

        async def _decide(self, request: Any) -> Any:
            before = len(self.refused)
            response = await super()._decide(request)
            if len(self.refused) > before:
                params = request.get("bench_params")
                with contextlib.suppress(TypeError, ValueError):
                    self.refused_chats.append((self.refused[-1][0], int(params[0].get("chat_id"))))
            return response

    async def main() -> None:
        api = Standin(rate=rate, delay_ms=delay_ms)
        await api.start()
        conn.send(api.url)
        loop = asyncio.get_running_loop()
        while True:
            cmd = await loop.run_in_executor(None, conn.recv)
            if isinstance(cmd, tuple) and cmd[0] == "push":
                for user in cmd[1]:
                    api.pushed[user] = time.monotonic()
                    api.push_message(user, "/start", first_name="Гость")
                conn.send(len(cmd[1]))
            elif cmd == "count":
                conn.send((len(api.accepted), len(api.refused)))
            elif isinstance(cmd, tuple) and cmd[0] == "replied":
                lo, hi = cmd[1], cmd[2]
                conn.send(len({c for _, c in api.accepted if lo <= c < hi}))
            elif cmd == "dump":
                conn.send(
                    (
                        list(api.accepted),
                        list(api.refused_chats),
                        dict(api.pushed),
                        time.monotonic(),
                    )
                )
            elif cmd == "stop":
                await api.stop()
                conn.send("stopped")
                return

    asyncio.run(main())


class StandIn(bb.StandIn):
    def __init__(self, rate: int, delay_ms: int) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_standin_main, args=(child, rate, delay_ms), daemon=True)
        self._proc.start()
        self.url = self._conn.recv()


# ====================================================================== processes
UNGATED_SHIM = (
    "import bot.send_gate as g; g.install = lambda *a, **k: None; "  # the bot's replies bypass the gate (before §3)
    "import runpy, sys; sys.argv = ['bot']; runpy.run_module('bot', run_name='__main__')"
)


def start_bot(env: dict[str, str], tmp: Path, ungated: bool) -> subprocess.Popen[bytes]:
    log = (tmp / "bot.log").open("wb")
    cmd = [sys.executable, "-c", UNGATED_SHIM] if ungated else [sys.executable, "-m", "bot"]
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    log.close()
    return proc


# ====================================================================== a run
@dataclass
class Result:
    name: str
    burst: int
    recipients: int
    rate: int
    waits: list[float] = field(default_factory=list)
    unanswered: int = 0
    burst_span: float = 0.0  # first push → last first-reply
    bc_before: float = 0.0  # broadcast sends/s in the --lead window before the burst
    bc_during: float = 0.0
    bc_after: float = 0.0
    replies_rate: float = 0.0
    total_during: float = 0.0
    busiest: int = 0
    refused_replies: int = 0
    refused_broadcast: int = 0
    refused_other: int = 0
    notes: list[str] = field(default_factory=list)

    def q(self, p: float) -> float:
        if not self.waits:
            return float("nan")
        s = sorted(self.waits)
        return s[min(len(s) - 1, int(p * len(s)))]

    @property
    def median(self) -> float:
        return statistics.median(self.waits) if self.waits else float("nan")


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        best = max(best, i - j + 1)
    return best


async def run_once(
    name: str, burst: int, n: int, rate: int, threads: int, lead: float, log: Any
) -> Result:
    from dramatiq.brokers.redis import RedisBroker
    from sqlalchemy import text

    from models.clock import SystemClock
    from models.crypto import PersonalDataCipher
    from models.db import create_engine, create_sessionmaker
    from models.services import ServiceContext, Services
    from models.services.broadcasts import Audience
    from notifications.sweep import sweep

    with_broadcast = name != "alone"
    res = Result(name, burst, n if with_broadcast else 0, rate)
    log(f"[{name}] fresh database, {n} participants …")
    await bb.fresh_database()
    broker = RedisBroker(url=bb.REDIS_URL)
    broker.client.flushdb()
    engine = create_engine(bb.DB_URL)
    sm = create_sessionmaker(engine)

    def enqueue(job: str, entity_id: int) -> None:
        from dramatiq import Message

        queue, actor = {
            "deliver": ("deliveries", "deliver"),
            "broadcast": ("broadcasts", "broadcast_progress"),
        }.get(job, (None, None))
        if queue:
            broker.enqueue(
                Message(
                    queue_name=queue, actor_name=actor, args=(entity_id,), kwargs={}, options={}
                )
            )

    ctx = ServiceContext(
        sessionmaker=sm,
        cipher=PersonalDataCipher(PersonalDataCipher.generate_key().encode()),
        clock=SystemClock(),
        jobs=enqueue,
    )
    services = Services(ctx)
    contest_id = await bb.populate(engine, services, n)
    api = StandIn(rate, 0)
    tmp = Path(tempfile.mkdtemp(prefix=f"rpbench-{name}-"))
    env = bb.worker_env(api.url, tmp, rate, 10)
    env.update(METRICS_PORT="0", LOG_LEVEL="WARNING")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        procs.append(bb.start_worker(env, tmp, "w", 2, threads))
        procs.append(start_bot(env, tmp, ungated=name == "ungated"))
        # warm-up: the bot answers one /start (it is polling, its pool and caches are up)
        api.ask(("push", [WARMUP_USER]))
        deadline = time.monotonic() + 60
        while api.ask(("replied", WARMUP_USER, WARMUP_USER + 1)) == 0:
            if time.monotonic() > deadline or procs[-1].poll() is not None:
                raise RuntimeError(
                    f"the bot did not answer the warm-up /start; see {tmp / 'bot.log'}"
                )
            await asyncio.sleep(0.2)
        log(f"[{name}] bot and workers up (logs in {tmp})")
        await asyncio.sleep(2)
        b_id = None
        next_sweep = time.monotonic() + 5
        if with_broadcast:
            draft = await services.broadcasts.create_draft(
                bb.FEDERAL, contest_id, "<b>Бенчмарк</b>: рассылка участникам региона 77."
            )
            _, count = await services.broadcasts.set_audience(
                bb.FEDERAL,
                draft.id,
                Audience(role="participants", regions=["77"], state="verified_no_application"),
            )
            assert count == n, f"audience {count} != {n}"
            b_id = (await services.broadcasts.start(bb.FEDERAL, draft.id)).id
            log(f"[{name}] broadcast {b_id} to {n} started; the burst in {lead:.0f} s")
            t_end = time.monotonic() + lead
            while time.monotonic() < t_end:
                await asyncio.sleep(0.5)
                if time.monotonic() >= next_sweep:
                    await sweep(
                        sm,
                        datetime.now(UTC),
                        enqueue,
                        kinds=[],
                        requeue_after=timedelta(seconds=10),
                    )
                    next_sweep = time.monotonic() + 5
        users = list(range(USER_BASE, USER_BASE + burst))
        api.ask(("push", users))
        pushed_at = time.monotonic()
        log(f"[{name}] {burst} × /start pushed")
        deadline = pushed_at + burst / rate * 4 + 120
        last_print = 0.0
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            if with_broadcast and time.monotonic() >= next_sweep:
                await sweep(
                    sm, datetime.now(UTC), enqueue, kinds=[], requeue_after=timedelta(seconds=10)
                )
                next_sweep = time.monotonic() + 5
            got = api.ask(("replied", USER_BASE, USER_BASE + burst))
            if time.monotonic() - last_print > 10:
                last_print = time.monotonic()
                log(
                    f"[{name}] t={time.monotonic() - pushed_at:5.1f}s replied {got}/{burst}, stand-in accepted/429: {api.ask('count')}"
                )
            if got >= burst:
                break
        await asyncio.sleep(lead if with_broadcast else 1.0)  # the broadcast after the burst
        accepted, refused, pushed, _ = api.ask("dump")
        analyse(res, accepted, refused, pushed, users, lead)
        if b_id is not None:
            async with engine.connect() as c:
                rows = (
                    await c.execute(
                        text(
                            "SELECT status, count(*) FROM deliveries WHERE broadcast_id = :i GROUP BY status"
                        ),
                        {"i": b_id},
                    )
                ).all()
            res.notes.append(
                "broadcast outbox at the end of the run: " + ", ".join(f"{s}={k}" for s, k in rows)
            )
        bot_log = (tmp / "bot.log").read_text(errors="replace").splitlines()
        res.notes.append(
            f"tracebacks in the bot's log: {sum(1 for line in bot_log if 'Traceback' in line)}"
        )
        if any(
            "CRITICAL bot.polling" in line for line in bot_log
        ):  # e.g. another session's FLUSHALL
            res.notes.append(
                "DISTURBED: the bot lost its poller lock in Redis during the run (its Redis keys vanished)"
            )
        log(f"[{name}] replies: median {res.median:.2f}s p90 {res.q(0.9):.2f}s max {res.q(1.0):.2f}s, unanswered {res.unanswered}; "
            f"broadcast {res.bc_before:.1f}/{res.bc_during:.1f}/{res.bc_after:.1f} msg/s before/during/after; "
            f"429: replies {res.refused_replies}, broadcast {res.refused_broadcast}")  # fmt: skip
    finally:
        for proc in reversed(procs):
            bb.stop_worker(proc)
        api.stop()
        broker.client.flushdb()
        broker.close()
        await engine.dispose()
    return res


def analyse(
    res: Result,
    accepted: list[tuple[float, int]],
    refused: list[tuple[float, int]],
    pushed: dict[int, float],
    users: list[int],
    lead: float,
) -> None:
    lo, hi = users[0], users[-1] + 1
    first: dict[int, float] = {}
    for t, c in accepted:
        if lo <= c < hi and c not in first:
            first[c] = t
    res.waits = [first[u] - pushed[u] for u in users if u in first]
    res.unanswered = len(users) - len(first)
    t_push = min(pushed[u] for u in users)
    t_last = max(first.values()) if first else t_push
    res.burst_span = t_last - t_push
    is_bc = lambda c: bb.BASE_CHAT < c <= bb.BASE_CHAT + 1_000_000  # noqa: E731
    bc = [t for t, c in accepted if is_bc(c)]
    replies = [t for t, c in accepted if lo <= c < hi]

    def rate_in(times: list[float], a: float, b: float) -> float:
        return sum(1 for t in times if a <= t < b) / (b - a) if b > a else 0.0

    res.bc_before = rate_in(bc, t_push - lead + 2, t_push)  # the first seconds are the start-up
    res.bc_during = rate_in(bc, t_push, t_last)
    res.bc_after = rate_in(bc, t_last + 1, t_last + lead)
    res.replies_rate = rate_in(replies, t_push, t_last + 1e-6)
    res.total_during = rate_in([t for t, _ in accepted], t_push, t_last)
    res.busiest = busiest_second([t for t, _ in accepted])
    res.refused_replies = sum(1 for _, c in refused if lo <= c < hi)
    res.refused_broadcast = sum(1 for _, c in refused if is_bc(c))
    res.refused_other = len(refused) - res.refused_replies - res.refused_broadcast


# ====================================================================== report
def load() -> str:
    with contextlib.suppress(OSError):
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


def write_results(
    path: Path, results: list[Result], command: str, threads: int, lead: float, loads: list[str]
) -> None:
    alone = next((r for r in results if r.name == "alone"), None)
    lines = [
        "# Replies first, under the same budget: results (issue #13 §3)",
        "",
        f"Generated by `bench/reply_priority_bench.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"Machine: {bb.machine()}; load average at the start of each run: {', '.join(loads)} "
        "(a shared machine: other sessions' tests were running).",
        "",
        "```sh",
        command,
        "```",
        "",
        "A burst of B distinct new users sending /start at the same moment to the real `python -m bot` "
        "(polling, PostgreSQL + Redis) with `dramatiq workers.actors` (2 processes × "
        f"{threads} threads), against the local stand-in with Telegram's limits (30/s overall, 1/s per chat, "
        f"429 above either). `broadcast`: the burst {lead:.0f} s after a broadcast started; `ungated`: the same with the "
        "bot's replies not going through the send gate (as before issue #13 §3). A reply's wait = its chat's first "
        "message accepted by the stand-in − the moment the update was queued for `getUpdates`. "
        "Goal: the median wait during a broadcast ≤ 2 s above the burst alone; 0 × 429.",
        "",
        "| run | burst | broadcast to | reply wait median | p90 | p99 | max | unanswered | burst span | replies/s | "
        "broadcast msg/s before / during / after the burst | all sends/s during | busiest 1 s | 429 replies / broadcast / other |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for r in results:
        bc = (
            "—"
            if not r.recipients
            else f"{r.bc_before:.1f} / {r.bc_during:.1f} / {r.bc_after:.1f} ({100 * r.bc_before / r.rate:.0f} % / {100 * r.bc_during / r.rate:.0f} % / {100 * r.bc_after / r.rate:.0f} % of {r.rate})"
        )
        lines.append(
            f"| {r.name} | {r.burst} | {r.recipients or '—'} | **{r.median:.2f} s** | {r.q(0.9):.2f} s | {r.q(0.99):.2f} s | {r.q(1.0):.2f} s | "
            f"{r.unanswered} | {r.burst_span:.1f} s | {r.replies_rate:.1f} | {bc} | {r.total_during:.1f} | {r.busiest} | "
            f"{r.refused_replies} / {r.refused_broadcast} / {r.refused_other} |"
        )
    lines.append("")
    if alone is not None:
        for r in results:
            if r is not alone:
                lines.append(
                    f"* `{r.name}`: median wait {r.median - alone.median:+.2f} s against the burst alone (goal ≤ +2 s)."
                )
        lines.append("")
    for r in results:
        lines.append(f"### {r.name}")
        lines.append("")
        lines += [f"* {note}" for note in r.notes]
        lines.append("")
    path.write_text("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--burst", type=int, default=1000, help="distinct users sending /start at once")
    ap.add_argument("--recipients", type=int, default=10_000)
    ap.add_argument("--rate", type=int, default=30, help="the stand-in's limit and SEND_RATE")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument(
        "--lead",
        type=float,
        default=15.0,
        help="seconds the broadcast runs alone before the burst (and after it)",
    )
    ap.add_argument("--runs", default="alone,broadcast,ungated")
    ap.add_argument(
        "--quick", action="store_true", help="200 × /start, 3,000 recipients, 10 s lead"
    )
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "REPLY_PRIORITY_RESULTS.md")
    args = ap.parse_args()
    if args.quick:
        args.burst, args.recipients, args.lead = 200, 3000, 10.0
    command = ".venv/bin/python bench/reply_priority_bench.py " + " ".join(sys.argv[1:])
    t0 = time.monotonic()

    def log(msg: str) -> None:
        print(f"{time.monotonic() - t0:7.1f}s {msg}", flush=True)

    results: list[Result] = []
    loads: list[str] = []
    for name in args.runs.split(","):
        loads.append(f"{name}: {load()}")
        results.append(
            asyncio.run(
                run_once(name, args.burst, args.recipients, args.rate, args.threads, args.lead, log)
            )
        )
        write_results(args.results, results, command.strip(), args.threads, args.lead, loads)
    log(f"results in {args.results}")


if __name__ == "__main__":
    main()
