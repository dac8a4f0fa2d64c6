#!/usr/bin/env python
"""Burst benchmark (issue #13, «Measure», first item): N distinct users press /start at the
same moment, against the real ``python -m bot`` process and, in the same run, against a tiny
aiogram echo bot (bench/echo_bot.py) — both polling the local Bot API stand-in
(tests/fakes/botapi_server.py FakeBotAPI) on 127.0.0.1; no traffic leaves the machine.

For each database mode (embedded SQLite; PostgreSQL + Redis with a separate dramatiq worker)
and each limit (none; Telegram's 30 sendMessage/s, answered with 429 ``retry_after`` beyond
it — a sliding one-second window in the stand-in), the echo bot runs first, then the bot,
each on a fresh stand-in. All N updates are queued before the process starts polling.

Reported per run:
* errors — users whose replies include «Что-то пошло не так» (err-unexpected) or «Не получилось»;
  missing — users with no reply at all (goal 0 for both);
* done — bot: users who got the consent request (the /start screen of a new person);
* handled/s — users answered ÷ seconds from the first getUpdates to the last first reply;
  share — the bot's handled/s as a share of the echo bot's in the same mode and limit
  (goal ≥ 25 % on PostgreSQL);
* first-reply latency median / p99 (from the moment polling started: every update was
  already waiting), and 429s answered by the stand-in (goal 0).

    .venv/bin/python bench/burst_bench.py [--users 3000] [--modes sqlite,postgres] [--limits none,30]
        [--pg-url URL] [--redis-url URL] [--idle 30] [--timeout 900] [--results bench/BURST_RESULTS.md]

Quick check: ``--users 500``. PostgreSQL mode empties the database at ``--pg-url`` (default
$BENCH_POSTGRES_URL, else $TEST_POSTGRES_URL) and flushes the Redis db at ``--redis-url``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.botapi_server import BotAPIError, FakeBotAPI  # noqa: E402

TOKEN = "4242:burst-bench-token"
EXAMPLE = ROOT / "examples" / "contest.yaml"
USER0 = 10_000_000
ERROR_MARKS = ("Что-то пошло не так", "Не получилось")


class LimitedBotAPI(FakeBotAPI):
    """The stand-in with Telegram's overall limit: more than ``rate`` sendMessage calls in
    any one second are answered 429 with ``retry_after`` 1. Records when each message left."""

    def __init__(self, rate: int | None = None, **kwargs: Any) -> None:
        super().__init__(poll_cap=1.0, **kwargs)
        self.rate = rate
        self._window: collections.deque[float] = collections.deque()
        self.sent_at: list[tuple[float, str, str]] = []  # (monotonic, chat_id, text)
        self.first_poll: float | None = None
        self.watch_pid: int | None = (
            None  # the process whose CPU time is measured from its first poll
        )
        self.cpu_at_poll = 0.0

    async def _handle(self, request: Any) -> Any:
        if self.rate and request.path.lower().endswith("/sendmessage"):
            now = time.monotonic()
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if len(self._window) >= self.rate:
                self.request_log.append((now, "sendMessage", 429))
                return self._json(
                    BotAPIError(429, "Too Many Requests: retry after 1", 1).payload(), 429
                )
            self._window.append(now)
        if self.first_poll is None and request.path.lower().endswith("/getupdates"):
            self.first_poll = time.monotonic()
            if self.watch_pid:
                self.cpu_at_poll = cpu_seconds(self.watch_pid)
        return await super()._handle(request)

    def _pulse_delivered(self) -> None:
        method, params, _ = self.delivered[-1]
        if method.lower() == "sendmessage":
            self.sent_at.append(
                (time.monotonic(), str(params.get("chat_id")), str(params.get("text") or ""))
            )
        super()._pulse_delivered()


@dataclass
class Run:
    mode: str
    limit: str
    who: str
    users: int
    answered: int = 0
    done: int = 0
    errors: int = 0
    missing: int = 0
    seconds: float = 0.0
    rate: float = 0.0
    median: float = 0.0
    p99: float = 0.0
    last: float = 0.0
    r429: int = 0
    messages: int = 0
    cpu: float = 0.0  # CPU seconds the process used from its first getUpdates to the end of the run
    notes: list[str] = field(default_factory=list)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def cli(env: dict[str, str], *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"python -m bot {' '.join(args)} failed:\n{out.decode()[-2000:]}")
    return out.decode()


async def start(args: list[str], env: dict[str, str], logfile: Path) -> asyncio.subprocess.Process:
    fh = logfile.open("wb")
    return await asyncio.create_subprocess_exec(
        *args, env=env, cwd=ROOT, stdout=fh, stderr=asyncio.subprocess.STDOUT
    )


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 20)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def prepare(
    mode: str, tmp: Path, api: FakeBotAPI, opts: argparse.Namespace, limit: str
) -> dict[str, str]:
    """A fresh database with the example contest; the environment of the bot process.

    The bot's send budget (``SEND_RATE``) is set to what the stand-in enforces: 30 with the 30/s
    limit; with no limit, ``--no-limit-rate`` (default 1000, the ceiling Telegram allows a bot with
    paid broadcasts) — otherwise the bot's own gate, not its handling, would be measured."""
    from models.crypto import PersonalDataCipher

    drop = {
        "DATABASE_URL",
        "REDIS_URL",
        "PD_ENCRYPTION_KEY",
        "BOT_TOKEN",
        "ADMIN_IDS",
        "WEBHOOK_URL",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api.url,
        DATA_DIR=str(tmp / "data"),
        FILES_DIR=str(tmp / "files"),
        ADMIN_IDS="900001",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        METRICS_PORT="0",
        SEND_RATE=str(opts.no_limit_rate if limit == "none" else int(limit)),
    )
    if mode == "postgres":
        from tests.conftest import reset_postgres

        await reset_postgres(opts.pg_url)
        import redis.asyncio as aioredis

        client = aioredis.from_url(opts.redis_url)
        await client.flushdb()
        await client.aclose()
        env.update(
            DATABASE_URL=opts.pg_url,
            REDIS_URL=opts.redis_url,
            PD_ENCRYPTION_KEY=PersonalDataCipher.generate_key(),
        )
    await cli(env, "load-contest", str(EXAMPLE))
    return env


async def measure(
    api: LimitedBotAPI,
    users: int,
    run: Run,
    opts: argparse.Namespace,
    proc: asyncio.subprocess.Process,
) -> None:
    """Wait until every user has a reply, or nothing new was sent for ``--idle`` seconds."""
    deadline = time.monotonic() + opts.timeout
    seen = 0
    last_change = time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        if proc.returncode is not None:
            run.notes.append(f"process exited with {proc.returncode}")
            break
        if api.first_poll is None:  # still starting (imports, migrations): not idle yet
            last_change = time.monotonic()
            continue
        n = len(api.sent_at)
        if n != seen:
            seen, last_change = n, time.monotonic()
        answered = {c for _, c, _ in api.sent_at}
        if run.who == "bot":
            complete = len(
                {c for _, c, t in api.sent_at if "согласие" in t.lower() or "Согласен" in t}
            )
            if complete >= users and time.monotonic() - last_change > 2:
                break
        elif len(answered) >= users:
            break
        if time.monotonic() - last_change > opts.idle:
            run.notes.append(f"stopped after {opts.idle:.0f} s without a new message")
            break
    else:
        run.notes.append(f"timeout {opts.timeout:.0f} s")
    t0 = api.first_poll or 0.0
    first: dict[str, float] = {}
    texts: dict[str, list[str]] = collections.defaultdict(list)
    for at, chat, text in api.sent_at:
        first.setdefault(chat, at)
        texts[chat].append(text)
    ids = [str(USER0 + i) for i in range(users)]
    lat = [first[c] - t0 for c in ids if c in first]
    run.answered = len(lat)
    run.missing = users - run.answered
    run.errors = sum(1 for c in ids if any(m in t for t in texts.get(c, []) for m in ERROR_MARKS))
    run.done = (
        sum(
            1
            for c in ids
            if any("Согласен" in t or "согласие" in t.lower() for t in texts.get(c, []))
        )
        if run.who == "bot"
        else run.answered
    )
    run.last = max(lat) if lat else 0.0
    run.rate = run.answered / run.last if run.last > 0 else 0.0
    run.median = statistics.median(lat) if lat else float("nan")
    run.p99 = pct(lat, 0.99)
    run.r429 = sum(1 for _, _, status in api.request_log if status == 429)
    run.messages = len(api.sent_at)


async def one(mode: str, limit: str, who: str, opts: argparse.Namespace) -> Run:
    run = Run(mode, limit, who, opts.users)
    rate = None if limit == "none" else int(limit)
    with tempfile.TemporaryDirectory(prefix="burst-") as d:
        tmp = Path(d)
        async with LimitedBotAPI(rate=rate, token=TOKEN) as api:
            if who == "echo":
                env = {k: v for k, v in os.environ.items()}
                env.update(BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.url, PYTHONUNBUFFERED="1")
                procs_args = [[sys.executable, str(ROOT / "bench" / "echo_bot.py")]]
            else:
                env = await prepare(mode, tmp, api, opts, limit)
                procs_args = [[sys.executable, "-m", "bot"]]
                if opts.profile:  # sample the bot with py-spy (its CPU figure is then py-spy's own)
                    procs_args[0] = [
                        "py-spy",
                        "record",
                        "-r",
                        "200",
                        "-f",
                        "raw",
                        "-o",
                        opts.profile,
                        "--",
                        *procs_args[0],
                    ]
                if mode == "postgres":
                    procs_args.append(
                        [
                            sys.executable,
                            "-m",
                            "dramatiq",
                            "workers.actors",
                            "--processes",
                            "1",
                            "--threads",
                            "4",
                        ]
                    )
            for i in range(opts.users):  # the burst is already waiting when polling starts
                api.push_message(USER0 + i, "/start", first_name=f"U{i}")
            procs = [await start(a, env, tmp / f"{who}-{n}.log") for n, a in enumerate(procs_args)]
            api.watch_pid = procs[0].pid
            try:
                await measure(api, opts.users, run, opts, procs[0])
                run.cpu = cpu_seconds(procs[0].pid) - api.cpu_at_poll
            finally:
                for p in reversed(procs):
                    await stop(p)
                logtext = (tmp / f"{who}-0.log").read_text(errors="replace")
                run.notes += summarise_log(logtext)
                if opts.keep_logs:
                    keep = Path(opts.keep_logs) / f"{mode}-{limit}-{who}.log"
                    keep.parent.mkdir(parents=True, exist_ok=True)
                    keep.write_text(logtext)
    log(
        f"{mode:8} limit={limit:4} {who:4}: answered {run.answered}/{run.users}, errors {run.errors}, missing {run.missing}, "
        f"{run.rate:.1f}/s, median {run.median:.2f} s, p99 {run.p99:.2f} s, last {run.last:.1f} s, 429s {run.r429} {run.notes}"
    )
    return run


def cpu_seconds(pid: int) -> float:
    """utime + stime of a live process (Linux /proc), so a figure that the machine's other load
    does not inflate: CPU milliseconds per handled update."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summarise_log(text: str) -> list[str]:
    """The most frequent warning/error lines of the process log, counted."""
    counter: collections.Counter[str] = collections.Counter()
    for line in text.splitlines():
        if " ERROR " in line or " WARNING " in line or "Traceback" in line or "Error:" in line:
            key = line.split(" - ", 1)[-1][:140] if " - " in line else line[-140:]
            counter[key] += 1
    return [f"{n}× {k}" for k, n in counter.most_common(4)]


def machine() -> str:
    load = os.getloadavg()
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    return f"{platform.node()} · nproc {os.cpu_count()} · {cpu} · RAM {mem} · load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} · Python {platform.python_version()}"


def table(runs: list[Run]) -> str:
    echo = {(r.mode, r.limit): r for r in runs if r.who == "echo"}
    lines = [
        "| mode | limit | bot | answered | done | errors | missing | handled/s | share of echo | CPU ms/update | median first reply | p99 | last | 429s | notes |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        e = echo.get((r.mode, r.limit))
        share = f"{100 * r.rate / e.rate:.0f} %" if r.who == "bot" and e and e.rate else "—"
        lines.append(
            f"| {r.mode} | {r.limit} | {r.who} | {r.answered}/{r.users} | {r.done} | {r.errors} | {r.missing} | {r.rate:.1f} | {share} | "
            f"{1000 * r.cpu / max(r.answered, 1):.1f} | "
            f"{r.median:.2f} s | {r.p99:.2f} s | {r.last:.1f} s | {r.r429} | {'; '.join(r.notes)[:300]} |"
        )
    return "\n".join(lines)


async def main_async(opts: argparse.Namespace) -> list[Run]:
    runs: list[Run] = []
    for mode in opts.modes:
        for limit in opts.limits:
            for who in ("echo", "bot"):
                log(f"starting {mode} limit={limit} {who} with {opts.users} users")
                runs.append(await one(mode, limit, who, opts))
    return runs


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--users", type=int, default=3000)
    ap.add_argument("--modes", default="sqlite,postgres")
    ap.add_argument(
        "--limits", default="none,30", help="comma-separated: none and/or a sendMessage/s limit"
    )
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL"),
    )
    ap.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL")
    )
    ap.add_argument(
        "--no-limit-rate",
        type=int,
        default=1000,
        help="SEND_RATE of the bot when the stand-in has no limit",
    )
    ap.add_argument(
        "--profile",
        default=None,
        help="run the bot under `py-spy record`, raw samples to this file",
    )
    ap.add_argument(
        "--idle", type=float, default=30.0, help="stop when nothing was sent for this long (s)"
    )
    ap.add_argument("--timeout", type=float, default=900.0, help="longest one run may take (s)")
    ap.add_argument(
        "--results",
        default=None,
        help="write the Markdown results here (e.g. bench/BURST_RESULTS.md)",
    )
    ap.add_argument("--keep-logs", default=None, help="copy each process log into this directory")
    opts = ap.parse_args()
    opts.modes = [m for m in opts.modes.split(",") if m]
    opts.limits = [x for x in opts.limits.split(",") if x]
    if "postgres" in opts.modes and (not opts.pg_url or not opts.redis_url):
        ap.error(
            "postgres mode needs --pg-url and --redis-url (or BENCH_/TEST_POSTGRES_URL, _REDIS_URL)"
        )
    if opts.pg_url and opts.pg_url.rsplit("/", 1)[-1] == "contest_test":
        ap.error("refusing to empty the test suite's database contest_test")
    before = machine()
    started = time.time()
    runs = asyncio.run(main_async(opts))
    out = table(runs)
    print(out)
    if opts.results:
        cmd = " ".join([".venv/bin/python", "bench/burst_bench.py", *sys.argv[1:]])
        Path(opts.results).write_text(
            f"## Burst of {opts.users} × /start — {time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}\n\n"
            f"Command: `{cmd}`  \nMachine before: {before}  \nMachine after: {machine()}\n\n{out}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
