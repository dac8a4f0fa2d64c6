"""Broadcast throughput against a rate-limiting Bot API stand-in.

Does a broadcast to N recipients keep Telegram's global limit busy (goal ≥ 95 % of
``SEND_RATE``) at 0 ms and at an 80 ms round trip, with no duplicates and nothing lost —
also when one worker process is killed with SIGKILL midway?

* The stand-in (``LimitedBotAPI``, a :class:`tests.fakes.botapi_server.FakeBotAPI`) runs in a
  process of its own on 127.0.0.1, so that the bench's own work (sweeps, polling) cannot
  distort its clock. It answers sendMessage/sendPhoto/sendDocument with 429 and
  ``retry_after`` = 1 above ``--rate`` accepted sends in any sliding second, or for a second
  message to one chat within 1 s; every request takes ``--delay-ms`` (half before the
  decision, half after: a round trip).
* Per run: a fresh migrated database, ``examples/contest.yaml``, N participants in region
  "77" (accepted, ``stage='nomination'``) inserted with ``INSERT … SELECT generate_series``,
  a broadcast created and started through ``BroadcastService`` as the federal coordinator
  (100003), real ``dramatiq workers.actors`` processes, a sweep from here every 5 s.

    .venv/bin/python bench/broadcast_bench.py                      # the full benchmark (~20 min)
    .venv/bin/python bench/broadcast_bench.py --quick              # 600 recipients, ~1 min a run
    .venv/bin/python bench/broadcast_bench.py --runs 0,80,80kill --recipients 10000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_ADMIN = "postgresql://contest@127.0.0.1:55432/postgres"
DB_NAME = "contest_bench_bc"
DB_URL = f"postgresql+asyncpg://contest@127.0.0.1:55432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:56379/14"
EXAMPLE = ROOT / "examples" / "contest.yaml"
FEDERAL = 100003
BASE_CHAT = 5_000_000_000
SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument"})
TOKEN = "4242:bench"


# ====================================================================== the stand-in
def _standin_class():  # imported lazily: the child process imports the repo's fakes itself
    from aiohttp import web

    from tests.fakes.botapi_server import _API_PATH, FakeBotAPI
    from tests.fakes.session import error_payload

    class LimitedBotAPI(FakeBotAPI):
        """Telegram's flood control as a local server: ``rate`` accepted sends in any sliding
        second overall, one a second per chat; above either, 429 with ``retry_after``.
        Every request takes ``delay_ms`` (a round trip: half before the decision, half after).
        Only compact logs are kept (accepted (t, chat) pairs, 429 times)."""

        def __init__(
            self, *, rate: int, delay_ms: int, retry_after: int = 1, max_inflight: int = 512
        ) -> None:
            super().__init__(delay_ms=0, token=TOKEN)
            self.rate = rate
            self.rtt = delay_ms / 1000
            self.retry_after = retry_after
            self._window: deque[float] = deque()  # accepted sends of the last second
            self._last_per_chat: dict[str, float] = {}
            self.accepted: list[tuple[float, int]] = []
            self.refused: list[tuple[float, str]] = []  # (t, "global" | "chat")
            self._slots = asyncio.Semaphore(
                max_inflight
            )  # bounded: at most this many requests held

        async def _handle(self, request: web.Request) -> web.StreamResponse:
            async with self._slots:
                if self.rtt:
                    await asyncio.sleep(self.rtt / 2)
                response = await self._decide(request)
                if self.rtt:
                    await asyncio.sleep(self.rtt / 2)
                # keep memory flat: the base class logs every call with its params
                self.requests.clear()
                self.delivered.clear()
                if len(self.request_log) > 10_000:
                    del self.request_log[:5_000]
                return response

        async def _read_params(self, request: web.Request) -> Any:  # type: ignore[override]
            cached = request.get("bench_params")
            return cached if cached is not None else await FakeBotAPI._read_params(request)

        async def _decide(self, request: web.Request) -> web.StreamResponse:
            match = _API_PATH.fullmatch(request.path)
            if match is None or match["method"].lower() not in SEND_METHODS:
                return await super()._handle(request)
            params, uploads = await self._read_params(request)
            request["bench_params"] = (
                params,
                uploads,
            )  # the base class reads them through _read_params below
            chat = str(params.get("chat_id"))
            now = time.monotonic()
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            last = self._last_per_chat.get(chat)
            why = None
            if len(self._window) >= self.rate:
                why = "global"
            elif last is not None and now - last < 1.0:
                why = "chat"
            if why is not None:
                self.refused.append((now, why))
                self.request_log.append((now, match["method"], 429))
                payload = error_payload(
                    429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after
                )
                return self._json(payload, 429)
            self._window.append(now)
            self._last_per_chat[chat] = now
            if len(self._last_per_chat) > 50_000:
                self._last_per_chat = {
                    c: t for c, t in self._last_per_chat.items() if t > now - 1.0
                }
            with contextlib.suppress(ValueError):
                self.accepted.append((now, int(params.get("chat_id"))))
            return await super()._handle(request)

    return LimitedBotAPI


def _standin_main(conn: Any, rate: int, delay_ms: int) -> None:
    """The stand-in's own process: serve, answer the parent's questions over a pipe."""
    sys.path.insert(0, str(ROOT))
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    async def main() -> None:
        api = _standin_class()(rate=rate, delay_ms=delay_ms)
        await api.start()
        conn.send(api.url)
        loop = asyncio.get_running_loop()
        while True:
            cmd = await loop.run_in_executor(None, conn.recv)
            if cmd == "count":
                conn.send((len(api.accepted), len(api.refused)))
            elif cmd == "dump":
                conn.send((list(api.accepted), list(api.refused), time.monotonic()))
            elif cmd == "stop":
                await api.stop()
                conn.send("stopped")
                return

    asyncio.run(main())


class StandIn:
    def __init__(self, rate: int, delay_ms: int) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_standin_main, args=(child, rate, delay_ms), daemon=True)
        self._proc.start()
        self.url: str = self._conn.recv()

    def ask(self, cmd: str) -> Any:
        self._conn.send(cmd)
        return self._conn.recv()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.ask("stop")
        self._proc.join(10)
        if self._proc.is_alive():
            self._proc.kill()


# ====================================================================== setup
async def fresh_database() -> None:
    import asyncpg
    from sqlalchemy import text

    from models.db import create_engine
    from models.migrate import upgrade

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DB_NAME):
            await conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        await conn.close()
    engine = create_engine(DB_URL)
    async with engine.begin() as c:
        await c.execute(text("DROP SCHEMA public CASCADE"))
        await c.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    await upgrade(DB_URL)


async def populate(engine: Any, services: Any, n: int) -> int:
    """The example contest and n accepted participants in region 77; returns the contest id."""
    from sqlalchemy import text

    contest_id = (await services.contests.load_definition(None, EXAMPLE.read_bytes())).contest_id
    async with engine.begin() as c:
        region_id = (
            await c.execute(
                text("SELECT id FROM regions WHERE contest_id = :c AND code = '77'"),
                {"c": contest_id},
            )
        ).scalar_one()
        await c.execute(
            text(
                """INSERT INTO persons (telegram_id, chat_id, display_name, language, mute_reminders, created_at)
                   SELECT CAST(:base AS bigint) + i, CAST(:base AS bigint) + i, 'Участник ' || i, 'ru', false, now() - interval '30 days'
                   FROM generate_series(1, :n) AS i"""
            ),
            {"base": BASE_CHAT, "n": n},
        )
        await c.execute(
            text(
                """INSERT INTO participants (contest_id, person_id, full_name, region_id, verification_status, stage,
                       pd_consent_at, submitted_at, decided_at, decided_by, created_at)
                   SELECT :c, p.id, p.display_name, :r, 'accepted', 'nomination',
                          p.created_at, p.created_at + interval '1 hour', p.created_at + interval '1 day', :fed, p.created_at
                   FROM persons p WHERE p.telegram_id > CAST(:base AS bigint) AND p.telegram_id <= CAST(:base AS bigint) + :n"""
            ),
            {"c": contest_id, "r": region_id, "fed": FEDERAL, "base": BASE_CHAT, "n": n},
        )
    async with engine.connect() as c:
        await c.execution_options(isolation_level="AUTOCOMMIT")
        await c.execute(text("VACUUM ANALYZE persons"))
        await c.execute(text("VACUUM ANALYZE participants"))
    return contest_id


# ====================================================================== a run
@dataclass
class RunResult:
    name: str
    delay_ms: int
    recipients: int
    rate_limit: int
    accepted: int = 0
    refused_global: int = 0
    refused_chat: int = 0
    duplicates: int = 0
    lost: int = 0
    status: str = "?"
    steady_rate: float = 0.0
    mid90_rate: float = 0.0
    first_to_last_rate: float = 0.0
    max_window: int = 0
    wall: float = 0.0
    send_span: float = 0.0
    first_send_after: float = 0.0
    killed_at: int | None = None
    notes: list[str] = field(default_factory=list)
    per_second: list[int] = field(default_factory=list)

    @property
    def pct(self) -> float:
        return 100 * self.steady_rate / self.rate_limit


def analyse(
    res: RunResult, accepted: list[tuple[float, int]], refused: list[tuple[float, str]], n: int
) -> None:
    times = sorted(t for t, _ in accepted)
    res.accepted = len(times)
    res.refused_global = sum(1 for _, w in refused if w == "global")
    res.refused_chat = sum(1 for _, w in refused if w == "chat")
    chats = Counter(c for _, c in accepted)
    expected = {BASE_CHAT + i for i in range(1, n + 1)}
    res.duplicates = sum(k - 1 for c, k in chats.items() if c in expected and k > 1)
    res.lost = len(expected - set(chats))
    extra = set(chats) - expected
    if extra:
        res.notes.append(
            f"{sum(chats[c] for c in extra)} send(s) to other chats: {sorted(extra)[:5]}"
        )
    if len(times) < 3:
        return
    t0, t1 = times[0], times[-1]
    res.send_span = t1 - t0
    res.first_to_last_rate = (len(times) - 1) / max(t1 - t0, 1e-9)
    # steady: from the 2nd second to the last-but-one (whole seconds after the first send)
    whole = int(t1 - t0)
    if whole >= 3:
        lo, hi = t0 + 1.0, t0 + whole - 1.0
        res.steady_rate = sum(1 for t in times if lo <= t < hi) / (hi - lo)
    else:
        res.steady_rate = res.first_to_last_rate
    a, b = int(0.05 * len(times)), int(0.95 * len(times)) - 1
    if b > a:
        res.mid90_rate = (b - a) / (times[b] - times[a])
    # the busiest sliding second (must never exceed the limit: the stand-in refuses above it)
    j = 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        res.max_window = max(res.max_window, i - j + 1)
    res.per_second = [0] * (whole + 1)
    for t in times:
        res.per_second[int(t - t0)] += 1


def worker_env(api_url: str, tmp: Path, rate: int, requeue_after: int) -> dict[str, str]:
    from models.crypto import PersonalDataCipher

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "BOT_TOKEN", "TELEGRAM_API_URL"}
    }
    env.update(
        DATABASE_URL=DB_URL,
        REDIS_URL=REDIS_URL,
        PD_ENCRYPTION_KEY=PersonalDataCipher.generate_key(),
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api_url,
        SEND_RATE=str(rate),
        REQUEUE_AFTER_SECONDS=str(requeue_after),
        SEND_LEASE_SECONDS="5",
        DATA_DIR=str(tmp / "data"),
        PYTHONUNBUFFERED="1",
    )
    return env


def start_worker(
    env: dict[str, str], tmp: Path, name: str, processes: int, threads: int
) -> subprocess.Popen[bytes]:
    log = (tmp / f"{name}.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dramatiq", "workers.actors", "--processes", str(processes), "--threads", str(threads)],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    log.close()
    return proc


def stop_worker(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


async def run_once(
    name: str,
    delay_ms: int,
    kill: bool,
    n: int,
    rate: int,
    threads: int,
    log: Any,
    worker_rate: int,
    requeue_after: int,
) -> RunResult:
    from dramatiq import Message
    from dramatiq.brokers.redis import RedisBroker
    from sqlalchemy import text

    from models.clock import SystemClock
    from models.crypto import PersonalDataCipher
    from models.db import create_engine, create_sessionmaker
    from models.services import ServiceContext, Services
    from models.services.broadcasts import Audience
    from notifications.sweep import sweep

    res = RunResult(name, delay_ms, n, rate)
    res.notes.append(
        f"workers' SEND_RATE={worker_rate}, REQUEUE_AFTER_SECONDS={requeue_after}, {threads} threads per process"
    )
    log(f"[{name}] fresh database, {n} participants …")
    await fresh_database()
    broker = RedisBroker(url=REDIS_URL)
    broker.client.flushdb()
    engine = create_engine(DB_URL)
    sm = create_sessionmaker(engine)
    sweeps: list[tuple[float, int, float]] = []

    def enqueue(job: str, entity_id: int) -> None:
        if job == "deliver":
            broker.enqueue(
                Message(
                    queue_name="deliveries",
                    actor_name="deliver",
                    args=(entity_id,),
                    kwargs={},
                    options={},
                )
            )
        elif job == "broadcast":
            broker.enqueue(
                Message(
                    queue_name="broadcasts",
                    actor_name="broadcast_progress",
                    args=(entity_id,),
                    kwargs={},
                    options={},
                )
            )
        else:
            res.notes.append(f"unexpected job {job}")

    ctx = ServiceContext(
        sessionmaker=sm,
        cipher=PersonalDataCipher(PersonalDataCipher.generate_key().encode()),
        clock=SystemClock(),
        jobs=enqueue,
    )
    services = Services(ctx)
    contest_id = await populate(engine, services, n)
    api = StandIn(rate, delay_ms)
    tmp = Path(tempfile.mkdtemp(prefix=f"bcbench-{name}-"))
    env = worker_env(api.url, tmp, worker_rate, requeue_after)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        # workers first, so that they are up when the broadcast starts (their start-up is not the sender's cost)
        if kill:
            procs += [
                start_worker(env, tmp, "w1", 1, threads),
                start_worker(env, tmp, "w2", 1, threads),
            ]
        else:
            procs.append(start_worker(env, tmp, "w", 2, threads))
        await asyncio.sleep(6)
        draft = await services.broadcasts.create_draft(
            FEDERAL, contest_id, "<b>Бенчмарк</b>: рассылка участникам региона 77."
        )
        _, count = await services.broadcasts.set_audience(
            FEDERAL,
            draft.id,
            Audience(role="participants", regions=["77"], state="verified_no_application"),
        )
        assert count == n, f"audience {count} != {n}"
        started = time.monotonic()
        b = await services.broadcasts.start(FEDERAL, draft.id)
        log(
            f"[{name}] broadcast {b.id} started: {b.total} recipients, stand-in {api.url}, delay {delay_ms} ms, workers {'2×(1 proc × ' + str(threads) + ' thr)' if kill else '1×(2 proc × ' + str(threads) + ' thr)'}"
        )
        deadline = started + n / rate * 2 + 180
        next_sweep = started + 5
        last_print = 0.0
        status = "running"
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            now_m = time.monotonic()
            if now_m >= next_sweep:
                t0 = time.perf_counter()
                rep = await sweep(
                    sm,
                    datetime.now(UTC),
                    enqueue,
                    kinds=[],
                    requeue_after=timedelta(seconds=requeue_after),
                )
                sweeps.append((now_m - started, rep.enqueued, time.perf_counter() - t0))
                next_sweep = now_m + 5
            acc, ref = api.ask("count")
            if kill and res.killed_at is None and acc >= n // 2:
                victim = procs[0]
                os.killpg(victim.pid, signal.SIGKILL)  # no goodbye: in-flight sends stay "sending"
                victim.wait()
                res.killed_at = acc
                log(
                    f"[{name}] killed worker w1 (SIGKILL, process group {victim.pid}) at {acc} accepted; starting w3"
                )
                procs.append(start_worker(env, tmp, "w3", 1, threads))
            async with engine.connect() as c:
                status = (
                    await c.execute(
                        text("SELECT status FROM broadcasts WHERE id = :i"), {"i": b.id}
                    )
                ).scalar_one()
            if now_m - last_print >= 15:
                last_print = now_m
                log(f"[{name}] t={now_m - started:5.0f}s accepted={acc} 429={ref} status={status}")
            if status == "done":
                break
        res.status = status
        res.wall = time.monotonic() - started
        await asyncio.sleep(1.0)  # a late answer still in flight is counted
        accepted, refused, _ = api.ask("dump")
        analyse(res, accepted, refused, n)
        if accepted:
            res.first_send_after = (
                min(t for t, _ in accepted) - started
            )  # both monotonic, same machine
        async with engine.connect() as c:
            rows = (
                await c.execute(
                    text(
                        "SELECT status, count(*), sum(attempts) FROM deliveries WHERE broadcast_id = :i GROUP BY status"
                    ),
                    {"i": b.id},
                )
            ).all()
        res.notes.append("outbox: " + ", ".join(f"{s}={k} (attempts {a})" for s, k, a in rows))
        res.notes.append(
            f"sweeps: {len(sweeps)}, ids handed again: {sum(e for _, e, _ in sweeps)}, longest sweep {max((s for *_, s in sweeps), default=0):.2f}s"
        )
        qlen = broker.client.llen("dramatiq:deliveries") if hasattr(broker, "client") else -1
        res.notes.append(f"left in the deliveries queue at the end: {qlen}")
        log(f"[{name}] {res.status}: accepted={res.accepted} steady={res.steady_rate:.2f}/s ({res.pct:.1f} %) "
            f"429={res.refused_global}+{res.refused_chat} dup={res.duplicates} lost={res.lost} wall={res.wall:.0f}s")  # fmt: skip
        for note in res.notes:
            log(f"[{name}]   {note}")
    finally:
        for p in procs:
            stop_worker(p)
        api.stop()
        broker.client.flushdb()
        broker.close()
        await engine.dispose()
    return res


# ====================================================================== report
def machine() -> str:
    mem = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    cpu = platform.processor() or "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"`nproc` = {os.cpu_count()}, RAM {mem}, {cpu}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def write_results(path: Path, results: list[RunResult], command: str, threads: int) -> None:
    lines = [
        "# Broadcast throughput: results",
        "",
        f"Generated by `bench/broadcast_bench.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"Machine: {machine()}.",
        "",
        "```sh",
        command,
        "```",
        "",
        "Sustained rate = accepted sends at the stand-in from the 2nd second after the first send to the last-but-one "
        "second, divided by the length of that interval; % of the configured `SEND_RATE`. "
        "Goal: ≥ 95 % at both delays, 0 duplicates, 0 lost.",
        "",
        "| run | delay | recipients | sustained rate | % of limit | middle 90 % | busiest 1 s | 429 (global + per chat) | duplicates | lost | status | wall time | first send after start |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.delay_ms} ms | {r.recipients} | {r.steady_rate:.2f} msg/s | **{r.pct:.1f} %** | {r.mid90_rate:.2f} msg/s | "
            f"{r.max_window} | {r.refused_global + r.refused_chat} ({r.refused_global} + {r.refused_chat}) | {r.duplicates} | {r.lost} | "
            f"{r.status} | {r.wall:.0f} s | {r.first_send_after:.1f} s |"
        )
    lines += ["", f"Workers: {threads} threads per process; the stand-in's limit {results[0].rate_limit if results else 30} msg/s, "
              "workers' `SEND_RATE`, `REQUEUE_AFTER_SECONDS` as in the command (defaults: `SEND_RATE` = the limit, 10 s); "
              "`SEND_LEASE_SECONDS=5`; a sweep every 5 s from the bench process.", ""]  # fmt: skip
    for r in results:
        lines.append(f"### {r.name}")
        lines.append("")
        if r.killed_at is not None:
            lines.append(
                f"* one of two worker processes killed with SIGKILL at {r.killed_at} accepted sends; a replacement started at once"
            )
        for note in r.notes:
            lines.append(f"* {note}")
        if r.per_second:
            ps = r.per_second
            lines.append(f"* accepted per second (first 20): {ps[:20]}")
            lines.append(
                f"* seconds below 28 msg/s (excluding first and last): {sum(1 for x in ps[1:-1] if x < 28)} of {max(len(ps) - 2, 0)}"
            )
        lines.append("")
    path.write_text("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--recipients", type=int, default=10_000)
    ap.add_argument(
        "--rate",
        type=int,
        default=30,
        help="the stand-in's global limit and the workers' SEND_RATE",
    )
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument(
        "--worker-rate",
        type=int,
        default=None,
        help="the workers' SEND_RATE when it should differ from --rate (a margin experiment)",
    )
    ap.add_argument(
        "--requeue-after",
        type=int,
        default=10,
        help="REQUEUE_AFTER_SECONDS of the workers and of the bench's sweeps",
    )
    ap.add_argument("--runs", default="0,80,80kill", help="comma-separated: <delay ms>[kill]")
    ap.add_argument("--quick", action="store_true", help="600 recipients")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "BROADCAST_RESULTS.md")
    args = ap.parse_args()
    n = 600 if args.quick else args.recipients
    command = ".venv/bin/python bench/broadcast_bench.py " + " ".join(sys.argv[1:])
    t_start = time.monotonic()

    def log(msg: str) -> None:
        print(f"{time.monotonic() - t_start:7.1f}s {msg}", flush=True)

    results = []
    for spec in args.runs.split(","):
        kill = spec.endswith("kill")
        delay = int(spec.removesuffix("kill"))
        name = f"{delay} ms" + (", worker killed" if kill else "")
        results.append(
            asyncio.run(
                run_once(
                    name,
                    delay,
                    kill,
                    n,
                    args.rate,
                    args.threads,
                    log,
                    args.worker_rate or args.rate,
                    args.requeue_after,
                )
            )
        )
        write_results(args.results, results, command.strip(), args.threads)
    log(f"results in {args.results}")


if __name__ == "__main__":
    main()
