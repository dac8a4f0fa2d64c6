"""``kill -9`` of the bot at random moments during a burst of presses, then a restart (issue #13).

The real ``python -m bot`` process, embedded mode (SQLite, in-process worker, as
``scripts/run.sh`` starts it), talks to the local Bot API stand-in (tests/fakes/botapi_server.py,
127.0.0.1 only). N participants (default 500) have filled in their form (seeded through the
services, as the bot would); all of them press «Отправить на проверку» (R-VER-3) at once.
While the burst is handled the bot is killed with SIGKILL at random moments and started again
at once. At the end:

* presses lost: participants whose form is not «На рассмотрении» (goal 0);
* effects applied twice: participants with more than one ``verification.submit`` audit row
  (goal 0);
* notices sent twice: participants who got «Анкета отправлена на проверку» more than once,
  and those told «уже отправлена» (the repeat of a press whose effect had committed just
  before the kill — re-handled from the inbox, refused by the locked transition) (reported).

    .venv/bin/python bench/kill_bench.py [--presses 500] [--kills 5] [--seed 1] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bot.app import build_context  # noqa: E402
from bot.journey.callbacks import FormCb  # noqa: E402
from models.db import create_engine, create_sessionmaker  # noqa: E402
from models.rules import snils_checksum  # noqa: E402
from models.services import Services  # noqa: E402
from models.settings import Settings  # noqa: E402
from models.tables import AuditRecord, InboxUpdate, Participant  # noqa: E402
from tests.conftest import EXAMPLE, ids  # noqa: E402
from tests.e2e.test_e2e import Process, base_env, cli  # noqa: E402
from tests.fakes import FakeBotAPI  # noqa: E402

FIRST_USER = 700_000


def snils(n: int) -> str:
    nine = f"{200_000_000 + n * 7:09d}"
    return f"{nine[:3]}-{nine[3:6]}-{nine[6:9]} {snils_checksum(nine) % 100:02d}"


async def seed(data_dir: Path, n: int) -> int:
    settings = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    engine = create_engine(settings.effective_database_url)
    try:
        services = Services(
            build_context(settings, create_sessionmaker(engine), jobs=lambda job, i: None)
        )
        contest_id = (await services.contests.contests())[0].id
        known = await ids(services, contest_id)
        region, org = known["regions"]["77"], known["orgs"]["7704000101"]
        p = services.participants
        for i in range(n):
            uid = FIRST_USER + i
            await p.give_consent(uid, contest_id, f"Участник {i}")
            await p.set_full_name(
                uid,
                contest_id,
                "Тестова" + "".join("абвгдежзик"[int(d)] for d in str(i)) + " Анна Петровна",
            )
            await p.set_snils(uid, contest_id, snils(i))
            await p.set_region(uid, contest_id, region)
            await p.set_organisation(uid, contest_id, org)
        return contest_id
    finally:
        await engine.dispose()


async def counts(db_url: str) -> dict[str, int]:
    engine = create_engine(db_url)
    try:
        async with create_sessionmaker(engine)() as s:
            pending = (
                await s.execute(
                    select(func.count())
                    .select_from(Participant)
                    .where(Participant.verification_status == "pending")
                )
            ).scalar_one()
            per = (
                await s.execute(
                    select(AuditRecord.entity_id, func.count())
                    .where(AuditRecord.action == "verification.submit")
                    .group_by(AuditRecord.entity_id)
                )
            ).all()
            unhandled = (
                await s.execute(
                    select(func.count())
                    .select_from(InboxUpdate)
                    .where(InboxUpdate.handled_at.is_(None), InboxUpdate.failed_at.is_(None))
                )
            ).scalar_one()
            failed = (
                await s.execute(
                    select(func.count())
                    .select_from(InboxUpdate)
                    .where(InboxUpdate.failed_at.is_not(None))
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    return {
        "pending": pending,
        "twice": sum(1 for _, c in per if c > 1),
        "unhandled": unhandled,
        "failed": failed,
    }


async def started(api: FakeBotAPI, since: int) -> None:
    """Wait for the new process's first getUpdates."""
    for _ in range(1200):
        if any(m.lower() == "getupdates" for m, _ in api.requests[since:]):
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the bot did not start polling")


async def main(args: argparse.Namespace) -> dict[str, object]:
    rnd = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="kill-bench-"))
    async with FakeBotAPI() as api:
        env = base_env(tmp, api)
        env.update(METRICS_PORT="0", SEND_RATE="1000", LOG_LEVEL="INFO")
        await cli(env, "load-contest", str(EXAMPLE))
        t0 = time.perf_counter()
        contest_id = await seed(tmp / "data", args.presses)
        print(f"seeded {args.presses} forms in {time.perf_counter() - t0:.1f} s", flush=True)
        db_url = f"sqlite+aiosqlite:///{tmp / 'data' / 'contest.sqlite3'}"
        n = 0

        async def start() -> Process:
            nonlocal n
            n += 1
            mark = len(api.requests)
            proc = await Process(
                "bot", [sys.executable, "-m", "bot"], env, tmp / f"bot-{n}.log"
            ).start()
            await started(api, mark)
            return proc

        bot = await start()
        data = FormCb(contest_id=contest_id, action="submit").pack()
        burst_at = time.perf_counter()
        for i in range(args.presses):
            api.push_callback(FIRST_USER + i, data, 1)
        kills: list[float] = []
        for _ in range(args.kills):
            await asyncio.sleep(rnd.uniform(args.min_gap, args.max_gap))
            assert bot.proc is not None
            bot.proc.kill()
            await bot.proc.wait()
            kills.append(round(time.perf_counter() - burst_at, 2))
            now = await counts(db_url)
            print(
                f"kill -9 at +{kills[-1]:.2f} s: {now['pending']} of {args.presses} submitted so far",
                flush=True,
            )
            bot = await start()
        deadline = time.perf_counter() + args.timeout
        c = await counts(db_url)
        while (c["pending"] < args.presses or c["unhandled"]) and time.perf_counter() < deadline:
            await asyncio.sleep(0.5)
            c = await counts(db_url)
        finished = time.perf_counter() - burst_at
        await asyncio.sleep(3)  # the last replies
        await bot.stop()
        c = await counts(db_url)
        sent = twice_sent = refused = 0
        for i in range(args.presses):
            texts = api.texts_to(FIRST_USER + i)
            k = sum("Анкета отправлена на проверку" in t for t in texts)
            sent += k >= 1
            twice_sent += k > 1
            refused += any("уже отправлена" in t or "уже отправ" in t for t in texts)
        logs = "".join((tmp / f"bot-{i}.log").read_text(errors="replace") for i in range(1, n + 1))
    return {
        "presses": args.presses,
        "kills": len(kills),
        "kill_times_s": kills,
        "lost": args.presses - c["pending"],
        "twice": c["twice"],
        "notice_twice": twice_sent,
        "refusal_notices": refused,
        "no_notice": args.presses - sent,
        "unhandled_left": c["unhandled"],
        "given_up": c["failed"],
        "seconds_to_all_submitted": round(finished, 1),
        "recovered_lines": logs.count("taken up again"),
        "errors_in_logs": logs.count(" ERROR "),
        "data": str(tmp),
    }


def report(args: argparse.Namespace, r: dict[str, object]) -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"""# kill -9 during a burst of presses (issue #13)

Command: `.venv/bin/python bench/kill_bench.py --presses {args.presses} --kills {args.kills} --seed {args.seed}`
Machine: nproc {os.cpu_count()}, load average before the run {args.load_before}, after {load}.
The real `python -m bot`, embedded (SQLite, in-process worker), SEND_RATE=1000, against the local
Bot API stand-in (127.0.0.1). {args.presses} participants with a filled-in form press «Отправить на
проверку» at once; the bot is killed with SIGKILL {r["kills"]} times at random moments
(+{", +".join(str(x) for x in r["kill_times_s"])} s after the burst) and started again at once.

| figure | value | goal |
|---|---:|---|
| presses lost (form not «На рассмотрении» at the end) | {r["lost"]} | 0 |
| effects applied twice (>1 `verification.submit` audit row) | {r["twice"]} | 0 |
| notices «Анкета отправлена» sent twice | {r["notice_twice"]} | report |
| presses answered «уже отправлена» (re-handled after a kill that fell after the commit) | {r["refusal_notices"]} | report |
| presses with no «Анкета отправлена» notice (reply lost with the killed process) | {r["no_notice"]} | report |
| inbox rows left unhandled / given up | {r["unhandled_left"]} / {r["given_up"]} | 0 / 0 |
| restarts that took up unhandled updates from the inbox | {r["recovered_lines"]} | — |
| time from the burst until all {args.presses} were submitted | {r["seconds_to_all_submitted"]} s | — |

How to read it: the inbox records every update before the offset moves past it, so a kill
never loses a press; an update whose handler committed but was not yet marked handled when
the process died is handled again on restart and refused by the locked transition (a second
notice, «уже отправлена», never a second effect). A reply sent by the handler (not through the
outbox) is lost if the process dies between the commit and the send — that update is then
re-handled and answered «уже отправлена» instead.
"""


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--presses", type=int, default=500)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min-gap", type=float, default=0.5)
    parser.add_argument("--max-gap", type=float, default=3.0)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--write", action="store_true", help="write bench/KILL_RESULTS.md")
    args = parser.parse_args()
    args.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    result = asyncio.run(main(args))
    for key, value in result.items():
        print(f"{key}: {value}")
    if args.write:
        (ROOT / "bench" / "KILL_RESULTS.md").write_text(report(args, result), encoding="utf-8")
        print("written bench/KILL_RESULTS.md")
