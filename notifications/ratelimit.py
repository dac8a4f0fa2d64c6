"""Telegram's limits, for every sender at once: about ``SEND_RATE`` messages a second in
total and at most one a second to one chat; after a 429 every sender waits ``retry_after``.

Sends are *paced*, not counted in windows: each sender reserves the next free moment (the
generic cell rate algorithm — a "theoretical arrival time" that advances by one interval per
send) and sleeps until it. A moving-window counter lets a burst of ``SEND_RATE`` through at
the start of each second, and Telegram, counting arrivals that jitter by a few
milliseconds, answers some of them 429 — which pauses everyone for a second (the first
benchmark lost a quarter of the throughput that way: ``bench/BROADCAST_RESULTS.md``). Even
spacing at 93 % of the limit keeps clear of it: 98 % still met 117 429s in 10,000 replies
on a busy 2-core machine, where the event loop stalls long enough to bunch sends
(``bench/BURST_RESULTS.md``); two spare messages a second absorb a 70 ms stall. The
``limits`` library has no pacing mode, so the reservation is a few lines of Lua in Redis
(atomic, on Redis's clock, shared by every worker process) or a number in memory in the
embedded mode.

Two classes share the one budget (issue #13 §3): ``interactive`` — the bot's replies to a
person's own action (``bot.send_gate``) — and ``bulk`` — outbox deliveries: broadcasts,
reminders (``notifications.delivery``). Replies come first:

* every send of either class takes its overall slot from the same ``global`` schedule, so
  together they never exceed ``SEND_RATE`` (×0.93), and every send keeps its chat's 1/s —
  counted from the moment the previous message to the chat actually went out (``hold``),
  not from its reserved slot: a reply kept waiting in the overall queue and the next one
  to the same chat would otherwise arrive less than a second apart (429s in the benchmark);
* bulk also passes a schedule of its own at ``1 − INTERACTIVE_RESERVE`` of the rate: a
  share (20 %) that only replies may use, so a reply arriving during a broadcast usually
  finds a free slot at once;
* bulk yields while replies hold slots: an interactive reservation records, in
  ``interactive``, the end of the last slot it took; while that moment is in the future a
  bulk sender takes no slot and comes back then — a burst of replies gets the whole rate;
* bulk never books further ahead than ``BULK_HORIZON``, so a reply is never queued behind
  a long row of bulk reservations (only behind the slot or two already promised).
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from enum import StrEnum
from typing import Protocol

import redis.asyncio as aioredis

DEFAULT_RATE = 30
#: pace at this share of the limit: room for network jitter and event-loop stalls without a 429
MARGIN = 0.93
#: one message a second per chat, with room for the jitter between the moment a send is let
#: through and its arrival at Telegram (a strict 1.00 s met 429s in the reply benchmark)
PER_CHAT_INTERVAL = 1.1
#: A reply may run this far ahead of a chat's 1/s schedule: the two or three messages one
#: press produces («Сохранено», then the next question) go out at once, as Telegram tolerates
#: short bursts in a private chat; a fourth and later ones keep to about one a second.
INTERACTIVE_CHAT_BURST = 2 * PER_CHAT_INTERVAL
#: the share of the rate bulk sends leave to replies (issue #13 §3)
INTERACTIVE_RESERVE = 0.2
#: bulk sends book their overall slot at most this far ahead (seconds)
BULK_HORIZON = 0.1
#: a bulk sender turned away comes back no sooner than this (seconds)
BULK_RECHECK = 0.25


class Priority(StrEnum):
    INTERACTIVE = "interactive"  # a reply to a person's own action
    BULK = "bulk"  # outbox deliveries: broadcasts, reminders


class Pacer(Protocol):
    async def reserve(self, key: str, interval: float) -> float:
        """Reserve the next moment for ``key``; returns how long to wait for it (s)."""
        ...

    async def reserve_global(
        self, interval: float, interactive: bool, horizon: float
    ) -> tuple[bool, float]:
        """The overall slot. Interactive: always granted, ``(True, wait)``. Bulk: granted
        only when no reply holds a slot ahead and the schedule is at most ``horizon`` ahead;
        otherwise ``(False, come back in)``."""
        ...

    async def hold(self, key: str, seconds: float) -> float:
        """Nothing for ``key`` before ``seconds`` from now (the chat's next message counts
        from the moment this one actually goes out); returns :meth:`paused_for`."""
        ...

    async def paused_for(self) -> float: ...
    async def pause(self, seconds: float) -> None: ...
    async def close(self) -> None: ...


class MemoryPacer:
    """One process (the embedded mode): the bot's event loop and the in-process worker's
    thread share it, so every read-and-advance is under a thread lock (never held across
    an ``await``)."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}
        self._pause_until = 0.0
        self._interactive_until = 0.0
        self._lock = threading.Lock()

    async def reserve(self, key: str, interval: float) -> float:
        with self._lock:
            now = time.monotonic()
            tat = max(self._tat.get(key, 0.0), now)
            self._tat[key] = tat + interval
            if len(self._tat) > 50_000:  # forget chats whose moment has long passed
                self._tat = {k: v for k, v in self._tat.items() if v > now}
            return tat - now

    async def reserve_global(
        self, interval: float, interactive: bool, horizon: float
    ) -> tuple[bool, float]:
        with self._lock:
            now = time.monotonic()
            tat = max(self._tat.get("global", 0.0), now)
            if not interactive:
                if self._interactive_until > now:
                    return False, self._interactive_until - now
                if tat - now > horizon:
                    return False, tat - now - horizon
            self._tat["global"] = tat + interval
            if interactive:
                self._interactive_until = max(self._interactive_until, tat + interval)
            return True, tat - now

    async def hold(self, key: str, seconds: float) -> float:
        with self._lock:
            now = time.monotonic()
            self._tat[key] = max(self._tat.get(key, 0.0), now + seconds)
            return self._pause_until - now

    async def paused_for(self) -> float:
        return self._pause_until - time.monotonic()

    async def pause(self, seconds: float) -> None:
        with self._lock:
            self._pause_until = max(self._pause_until, time.monotonic() + seconds)

    async def close(self) -> None:
        return None


_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], tat + interval, 'PX', math.floor((tat - now + interval) / 1000) + 1000)
return tat - now
"""

# KEYS: the global schedule, the end of the last slot a reply took
# ARGV: interval (µs), 1 = interactive / 0 = bulk, bulk's horizon (µs)
_RESERVE_GLOBAL = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local interval = tonumber(ARGV[1])
local replies = tonumber(redis.call('GET', KEYS[2]) or '0')
if ARGV[2] == '0' then
  if replies > now then return {0, replies - now} end
  if tat - now > tonumber(ARGV[3]) then return {0, tat - now - tonumber(ARGV[3])} end
end
local ttl = math.floor((tat - now + interval) / 1000) + 1000
redis.call('SET', KEYS[1], tat + interval, 'PX', ttl)
if ARGV[2] == '1' and tat + interval > replies then
  redis.call('SET', KEYS[2], tat + interval, 'PX', ttl)
end
return {1, tat - now}
"""

# KEYS: the chat's schedule, the pause; returns the pause left (µs)
_HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untl = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untl > cur then redis.call('SET', KEYS[1], untl, 'PX', math.floor(tonumber(ARGV[1]) / 1000) + 1000) end
return tonumber(redis.call('GET', KEYS[2]) or '0') - now
"""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untl = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untl > cur then redis.call('SET', KEYS[1], untl, 'PX', math.floor(tonumber(ARGV[1]) / 1000) + 1000) end
return 0
"""

_PAUSED_FOR = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
return tonumber(redis.call('GET', KEYS[1]) or '0') - now
"""


class RedisPacer:
    """The same, in Redis: one budget for every process (bot and workers), on Redis's own clock."""

    PREFIX = "contest-bot:gate:"

    def __init__(self, url: str, prefix: str | None = None) -> None:
        if prefix is not None:  # tests: a budget of their own in a shared database
            self.PREFIX = prefix
        self._redis = aioredis.from_url(url)
        self._reserve = self._redis.register_script(_RESERVE)
        self._reserve_global = self._redis.register_script(_RESERVE_GLOBAL)
        self._hold = self._redis.register_script(_HOLD)
        self._pause = self._redis.register_script(_PAUSE)
        self._paused_for = self._redis.register_script(_PAUSED_FOR)

    async def reserve(self, key: str, interval: float) -> float:
        return (
            int(await self._reserve(keys=[self.PREFIX + key], args=[int(interval * 1_000_000)]))
            / 1_000_000
        )

    async def reserve_global(
        self, interval: float, interactive: bool, horizon: float
    ) -> tuple[bool, float]:
        granted, wait = await self._reserve_global(
            keys=[self.PREFIX + "global", self.PREFIX + "interactive"],
            args=[int(interval * 1_000_000), 1 if interactive else 0, int(horizon * 1_000_000)],
        )
        return bool(granted), int(wait) / 1_000_000

    async def hold(self, key: str, seconds: float) -> float:
        return (
            int(
                await self._hold(
                    keys=[self.PREFIX + key, self.PREFIX + "pause"], args=[int(seconds * 1_000_000)]
                )
            )
            / 1_000_000
        )

    async def paused_for(self) -> float:
        return int(await self._paused_for(keys=[self.PREFIX + "pause"])) / 1_000_000

    async def pause(self, seconds: float) -> None:
        await self._pause(keys=[self.PREFIX + "pause"], args=[int(seconds * 1_000_000)])

    async def close(self) -> None:
        await self._redis.aclose()


class SendGate:
    """``await gate.wait_turn(chat_id, priority)`` before each send; ``await gate.pause(s)``
    on a 429. ``priority``: :attr:`Priority.INTERACTIVE` for a reply, :attr:`Priority.BULK`
    (the default) for the outbox."""

    def __init__(
        self, pacer: Pacer, rate: int = DEFAULT_RATE, reserve: float = INTERACTIVE_RESERVE
    ) -> None:
        self._pacer = pacer
        self.rate = rate
        self.interval = 1.0 / (rate * MARGIN)
        #: bulk's own schedule: the rate less the share kept for replies
        self.bulk_interval = self.interval / (1.0 - reserve)
        self.horizon = max(BULK_HORIZON, 2 * self.interval)

    @classmethod
    def for_settings(cls, redis_url: str | None, rate: int = DEFAULT_RATE) -> SendGate:
        return cls(RedisPacer(redis_url) if redis_url else MemoryPacer(), rate)

    @classmethod
    def shared(cls, redis_url: str | None, rate: int = DEFAULT_RATE) -> SendGate:
        """The gate of this process's senders, replies and outbox alike. With Redis a new
        client each call (a client belongs to one event loop; the budget is in Redis); in
        the embedded mode one in-memory budget for the whole process — the bot's replies
        and the in-process worker's deliveries take their turns from the same numbers."""
        if redis_url:
            return cls(RedisPacer(redis_url), rate)
        with _shared_lock:
            pacer = _shared_pacers.setdefault(rate, MemoryPacer())
        return cls(pacer, rate)

    async def wait_turn(
        self, chat_id: int | str | None, priority: Priority = Priority.BULK
    ) -> float:
        """Wait for this send's turn; returns the seconds waited. ``chat_id`` None (an
        inline message): the overall budget only."""
        waited = 0.0
        while (paused := await self._pacer.paused_for()) > 0:
            await asyncio.sleep(paused)
            waited += paused
        # the chat's second first (rarely a wait in a broadcast), then the overall slot, so
        # a slot is never reserved and left unused while waiting for the chat
        if chat_id is not None:
            chat_wait = await self._pacer.reserve(f"chat:{chat_id}", PER_CHAT_INTERVAL)
            if priority == Priority.INTERACTIVE:
                chat_wait = max(0.0, chat_wait - INTERACTIVE_CHAT_BURST)
            if chat_wait > 0:
                await asyncio.sleep(chat_wait)
                waited += chat_wait
        interactive = priority == Priority.INTERACTIVE
        if not interactive:
            own = await self._pacer.reserve("bulk", self.bulk_interval)
            if own > 0:
                await asyncio.sleep(own)
                waited += own
        while True:
            granted, wait = await self._pacer.reserve_global(
                self.interval, interactive, self.horizon
            )
            if not granted:
                # bulk yields to replies (or would book too far ahead): come back a little
                # after that moment — not sooner than BULK_RECHECK, so that during a burst of
                # replies the outbox's senders do not ask again every slot (CPU the bot needs) —
                # spread so that the waiting senders do not all return at once
                wait = max(wait, BULK_RECHECK) + random.uniform(0, 2 * self.interval)
                await asyncio.sleep(wait)
                waited += wait
                continue
            if wait > 0:
                await asyncio.sleep(wait)
                waited += wait
            # the chat's next message counts from now, when this one goes out — not from the
            # chat's slot, which the overall queue may have kept waiting; and a 429 that came
            # meanwhile is honoured with a fresh slot after it
            paused = await (
                self._pacer.hold(f"chat:{chat_id}", PER_CHAT_INTERVAL)
                if chat_id is not None
                else self._pacer.paused_for()
            )
            if paused <= 0:
                return waited
            await asyncio.sleep(paused)
            waited += paused

    async def pause(self, seconds: float) -> None:
        """A 429: every sender, in every process, waits ``seconds`` from now."""
        await self._pacer.pause(seconds)

    async def close(self) -> None:
        await self._pacer.close()


_shared_pacers: dict[int, MemoryPacer] = {}
_shared_lock = threading.Lock()
