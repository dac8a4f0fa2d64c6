"""The inbox (issue #13, items 1 and 2): every update recorded before it is acknowledged,
idempotent on update_id, handled once; a failing handler retried a bounded number of times,
then «Не получилось, попробуйте ещё раз» and a metric; a process that died mid-update
re-handles it; the webhook retries from the inbox instead of losing the update. The press
used throughout is a participant's «Отправить на проверку» (R-VER-3)."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.inbox import Inbox, InboxRunner
from models.settings import Settings
from models.tables import AuditRecord, InboxUpdate, Participant
from ops import metrics
from tests.fakes.updates import callback_update_json, message_update_json, to_json

BOT_ID = 42
_ids = itertools.count(900_000)


def message(user_id: int, text: str) -> dict[str, Any]:
    return to_json(message_update_json(user_id, text, update_id=next(_ids), first_name="Анна"))


def press(user_id: int, data: str, message_id: int = 1) -> dict[str, Any]:
    return to_json(
        callback_update_json(
            user_id, data, message_id=message_id, message_text="…", update_id=next(_ids)
        )
    )


def inbox_for(services: Any, **kwargs: Any) -> Inbox:
    return Inbox(services.ctx.sessionmaker, services.ctx.cipher, BOT_ID, **kwargs)


# ------------------------------------------------------------- the table (SQLite and PostgreSQL)


async def test_record_is_idempotent_on_update_id_and_encrypted(services) -> None:  # type: ignore[no-untyped-def]
    inbox = inbox_for(services)
    a, b, c = message(555001, "Иванова Анна Петровна"), message(555001, "x"), message(555002, "y")
    assert [r["update_id"] for r in await inbox.record([a, b])] == [a["update_id"], b["update_id"]]
    # Telegram delivers a and b again with a new c: only c is new
    assert [r["update_id"] for r in await inbox.record([a, c, b])] == [c["update_id"]]
    async with services.ctx.sessionmaker() as s:
        rows = (
            (await s.execute(select(InboxUpdate).order_by(InboxUpdate.update_id))).scalars().all()
        )
    assert [r.update_id for r in rows] == [a["update_id"], b["update_id"], c["update_id"]]
    # leased by the recorder; no attempt counted until one starts (Inbox.begin)
    assert all(r.attempts == 0 and r.handled_at is None for r in rows)
    assert "Иванова".encode() not in rows[0].payload and b"555001" not in rows[0].payload  # R-PD-2
    assert rows[0].chat_id == 555001

    # the recorder holds them (lease): no other process takes them up…
    assert await inbox.pending() == []
    assert await inbox.claim(a["update_id"]) is None
    # …unless it is the only poller starting again (force)
    attempts, raw = await inbox.claim(a["update_id"], force=True)  # type: ignore[misc]
    assert attempts == 1 and raw == a  # claim (a retry) counts its attempt at once
    await inbox.handled(a["update_id"])
    assert await inbox.claim(a["update_id"], force=True) is None  # handled: never again
    assert await inbox.record([a]) == []  # nor when delivered once more

    # handled rows are purged after `keep`
    later = Inbox(
        services.ctx.sessionmaker,
        services.ctx.cipher,
        BOT_ID,
        keep=timedelta(hours=48),
        now=lambda: datetime.now(UTC) + timedelta(hours=49),
    )
    assert await later.purge() == 1
    assert sorted(await later.pending()) == [b["update_id"], c["update_id"]]  # their leases ran out


async def test_two_copies_recorded_at_once_are_one(services) -> None:  # type: ignore[no-untyped-def]
    """Two instances receive the same update in the same instant: one of them records it."""
    one, two = inbox_for(services), inbox_for(services)
    u = message(555001, "/start")
    results = await asyncio.gather(*(x.record([u]) for x in (one, two, one, two)))
    assert sum(len(r) for r in results) == 1


# --------------------------------------------- the runner over the real dispatcher (SQLite)


async def _to_the_submit_button(world) -> tuple[Any, str, int]:  # type: ignore[no-untyped-def]
    p = world.person(555001, "Анна")
    await p.send("/start")
    await p.press("Согласен(а) на обработку")
    await p.send("Иванова Анна Петровна")
    await p.send("123-456-789 64")
    await p.press("г. Москва")
    await p.press("«Арбат»")
    for mid, text, data in p.buttons():
        if "Отправить на проверку" in text:
            return p, data, mid
    raise AssertionError("no «Отправить на проверку»")


def _flaky(world, monkeypatch, failures: int | None) -> list[int]:  # type: ignore[no-untyped-def]
    """submit_verification fails like a database that is away, `failures` times (None: always)."""
    calls: list[int] = []
    real = world.services.participants.submit_verification

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if failures is None or len(calls) <= failures:
            raise OperationalError("SELECT 1", {}, Exception("database is away"))
        return await real(*args, **kwargs)

    monkeypatch.setattr(world.services.participants, "submit_verification", flaky)
    return calls


async def _effects(world) -> tuple[int, str | None]:  # type: ignore[no-untyped-def]
    async with world.services.ctx.sessionmaker() as s:
        audits = (
            await s.execute(
                select(func.count())
                .select_from(AuditRecord)
                .where(AuditRecord.action == "verification.submit")
            )
        ).scalar_one()
        status = (await s.execute(select(Participant.verification_status))).scalar_one_or_none()
    return audits, status


async def _feed(runner: InboxRunner, raw: dict[str, Any]) -> str:
    fresh = await runner.record([raw])
    outcome = await runner.handle(fresh[0], 0, counted=False) if fresh else "duplicate"
    await runner.drain(30)
    return outcome


async def test_failing_twice_then_succeeding_is_handled_once(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    p, data, mid = await _to_the_submit_button(world)
    calls = _flaky(world, monkeypatch, failures=2)
    runner = InboxRunner(
        world.dp, world.bot, inbox_for(world.services, max_attempts=3), retry_delays=(0.01,)
    )
    mark = len(world.session.requests)
    assert await _feed(runner, press(p.user_id, data, mid)) == "retry"
    assert len(calls) == 3
    assert await _effects(world) == (1, "pending")
    said = p._texts_since(mark)
    assert sum("На рассмотрении" in t for t in said) == 1, said
    assert not any("Что-то пошло не так" in t or "Не получилось" in t for t in said), said
    async with world.services.ctx.sessionmaker() as s:
        row = (await s.execute(select(InboxUpdate))).scalars().all()[-1]
    assert row.handled_at is not None and row.attempts == 3 and row.failed_at is None


async def test_always_failing_tells_the_person_once_and_counts(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    p, data, mid = await _to_the_submit_button(world)
    calls = _flaky(world, monkeypatch, failures=None)
    runner = InboxRunner(
        world.dp, world.bot, inbox_for(world.services, max_attempts=3), retry_delays=(0.01,)
    )
    before = metrics.UPDATES_GIVEN_UP._value.get()
    mark = len(world.session.requests)
    await _feed(runner, press(p.user_id, data, mid))
    assert len(calls) == 3  # bounded
    said = p._texts_since(mark)
    assert said.count("Не получилось, попробуйте ещё раз.") == 1, said
    assert not any("Что-то пошло не так" in t for t in said), said
    assert metrics.UPDATES_GIVEN_UP._value.get() == before + 1
    assert b"contest_bot_updates_given_up_total" in metrics.render()
    assert (await _effects(world))[0] == 0
    async with world.services.ctx.sessionmaker() as s:
        row = (await s.execute(select(InboxUpdate))).scalars().all()[-1]
    assert row.failed_at is not None and row.handled_at is None
    # not taken up again by recovery
    assert await runner.recover(force=True) == 0


async def test_a_duplicate_update_is_handled_once(world) -> None:  # type: ignore[no-untyped-def]
    p, data, mid = await _to_the_submit_button(world)
    runner = InboxRunner(world.dp, world.bot, inbox_for(world.services))
    raw = press(p.user_id, data, mid)
    mark = len(world.session.requests)
    assert await _feed(runner, raw) == "handled"
    assert await _feed(runner, dict(raw)) == "duplicate"  # Telegram's redelivery
    # two copies in one batch, then again at once from two "instances"
    other = message(p.user_id, "/status")
    fresh = await runner.record([other, dict(other)])
    assert len(fresh) == 1
    assert await _effects(world) == (1, "pending")
    said = p._texts_since(mark)
    assert sum("На рассмотрении" in t for t in said) == 1, said
    assert not any("уже" in t for t in said), said  # the copy was not even refused: not handled


async def test_a_refusal_is_an_answer_not_a_failure(world) -> None:  # type: ignore[no-untyped-def]
    """A DomainError is answered by the error handlers at once and the update is handled."""
    p, data, mid = await _to_the_submit_button(world)
    runner = InboxRunner(world.dp, world.bot, inbox_for(world.services), retry_delays=(0.01,))
    assert await _feed(runner, press(p.user_id, data, mid)) == "handled"
    mark = len(world.session.requests)
    assert await _feed(runner, press(p.user_id, data, mid)) == "handled"  # a second, real press
    said = p._texts_since(mark)
    assert any("уже" in t for t in said) and not any("Не получилось" in t for t in said), said
    assert await _effects(world) == (1, "pending")


async def test_a_process_that_died_mid_update_handles_it_on_restart(world) -> None:  # type: ignore[no-untyped-def]
    p, data, mid = await _to_the_submit_button(world)
    first = InboxRunner(world.dp, world.bot, inbox_for(world.services))
    raw = press(p.user_id, data, mid)
    assert await first.record([raw])  # recorded, offset advanced… and the process dies here
    assert await _effects(world) == (0, "draft")
    second = InboxRunner(world.dp, world.bot, inbox_for(world.services))
    assert await second.recover(force=True) == 1
    await second.drain(30)
    assert await _effects(world) == (1, "pending")
    assert await second.record([raw]) == []  # the unconfirmed copy Telegram sends again


async def test_concurrency_is_bounded(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """MAX_CONCURRENT_UPDATES: no more updates in the handlers at once than the limit."""
    runner = InboxRunner(world.dp, world.bot, inbox_for(world.services), max_concurrent=3)
    running, peak = 0, 0
    real = world.dp.feed_update

    async def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        try:
            await asyncio.sleep(0.02)
            return await real(*args, **kwargs)
        finally:
            running -= 1

    monkeypatch.setattr(world.dp, "feed_update", counting)
    runner.start(await runner.record([message(600000 + i, "/help") for i in range(12)]))
    await runner.drain(30)
    assert peak == 3
    async with world.services.ctx.sessionmaker() as s:
        handled = (
            await s.execute(
                select(func.count())
                .select_from(InboxUpdate)
                .where(InboxUpdate.handled_at.is_not(None))
            )
        ).scalar_one()
    assert handled == 12


def test_settings_size_the_pool_and_the_concurrency() -> None:
    s = Settings(_env_file=None, max_concurrent_updates=7, db_pool_size=9, db_max_overflow=3)  # type: ignore[call-arg]
    assert (s.max_concurrent_updates, s.db_pool_size, s.db_max_overflow, s.inbox_max_attempts) == (
        7,
        9,
        3,
        3,
    )
    from models.db import create_engine

    engine = create_engine(
        "sqlite+aiosqlite:////tmp/inbox-pool-check.sqlite3", pool_size=9, max_overflow=3
    )
    assert engine.pool.size() == 9  # type: ignore[attr-defined]


# -------------------------------------------------------------------------------- webhook


async def test_webhook_handler_error_is_retried_from_the_inbox(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.webhook import build_app
    from tests.e2ekit import HEADER, PATH, SECRET, client_for

    p, data, mid = await _to_the_submit_button(world)
    calls = _flaky(world, monkeypatch, failures=1)
    runner = InboxRunner(world.dp, world.bot, inbox_for(world.services), retry_delays=(0.01,))
    app = build_app(world.dp, world.bot, secret=SECRET, path=PATH, inbox=runner)
    raw = press(p.user_id, data, mid)
    mark = len(world.session.requests)
    async with client_for(app) as client:
        resp = await client.post(PATH, json=raw, headers={HEADER: SECRET})
        assert resp.status == 200  # recorded: the inbox retries it, Telegram need not
        await runner.drain(30)
        again = await client.post(PATH, json=raw, headers={HEADER: SECRET})  # Telegram's copy
        assert again.status == 200
    assert len(calls) == 2
    assert await _effects(world) == (1, "pending")
    said = p._texts_since(mark)
    assert sum("На рассмотрении" in t for t in said) == 1, said


async def test_webhook_answers_500_only_when_not_recorded(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.webhook import build_app
    from tests.e2ekit import HEADER, PATH, SECRET, client_for

    p, data, mid = await _to_the_submit_button(world)
    _flaky(world, monkeypatch, failures=1)
    inbox = inbox_for(world.services)

    async def database_away(raws: Any) -> Any:
        raise OperationalError("INSERT", {}, Exception("database is away"))

    monkeypatch.setattr(inbox, "record", database_away)
    runner = InboxRunner(world.dp, world.bot, inbox, retry_delays=(0.01,))
    app = build_app(world.dp, world.bot, secret=SECRET, path=PATH, inbox=runner)
    raw = press(p.user_id, data, mid)
    async with client_for(app) as client:
        resp = await client.post(PATH, json=raw, headers={HEADER: SECRET})
        assert resp.status == 500  # neither recorded nor handled: Telegram must deliver it again
        resp = await client.post(PATH, json=raw, headers={HEADER: SECRET})
        assert resp.status == 200  # the redelivery succeeds
    assert await _effects(world) == (1, "pending")


# --------------------------------------------------------------------------- the poller's lock


async def test_a_flushed_poller_key_is_taken_again_another_pollers_key_stops_it() -> None:
    """Issue #13, item 5: with Redis, the poller holds a key. Redis restarted without its
    data (or flushed) is not another poller: the key is taken again and polling goes on. A key
    held by someone else is: the watch ends and the process is to exit with an error."""
    from bot.polling import RedisLock
    from tests.conftest import REDIS_URL, needs_redis

    needs_redis()
    lock = RedisLock(REDIS_URL, bot_id=987_654)
    lock.RENEW_S = 0.05  # type: ignore[misc]
    try:
        await lock.client.delete(lock.key)
        await lock.acquire()
        watch = asyncio.ensure_future(lock.watch())
        await lock.client.delete(lock.key)  # what FLUSHALL or a restart does to it
        await asyncio.sleep(0.3)
        assert not watch.done() and not lock.lost
        assert await lock.client.get(lock.key) == lock.value.encode()

        await lock.client.set(lock.key, '{"pid": 1, "host": "elsewhere"}')  # another poller
        await asyncio.wait_for(watch, 2)
        assert lock.lost
    finally:
        await lock.client.delete(lock.key)
        await lock.client.aclose()


async def test_restarts_while_updates_wait_for_a_slot_are_not_attempts(services) -> None:  # type: ignore[no-untyped-def]
    """Issue #13: a process killed three times during a burst must not give up on the updates
    that were only waiting for a slot — they were never tried. Taking them up again leases them;
    an attempt is counted when it starts."""
    inbox = inbox_for(services, max_attempts=3)
    raws = [message(555100 + i, "x") for i in range(5)]
    await inbox.record(raws)
    for _ in range(4):  # four restarts, each taking up everything left unhandled
        taken = await inbox.claim_pending(force=True)
        assert sorted(a for a, _ in taken) == [0] * 5
    assert await inbox.begin(raws[0]["update_id"]) == 1  # the first real attempt
    async with services.ctx.sessionmaker() as s:
        rows = (
            (await s.execute(select(InboxUpdate).order_by(InboxUpdate.update_id))).scalars().all()
        )
    assert [r.attempts for r in rows] == [1, 0, 0, 0, 0] and all(r.failed_at is None for r in rows)
