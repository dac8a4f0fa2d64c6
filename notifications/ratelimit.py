"""Telegram's limits, for every sender at once: about ``SEND_RATE`` messages a second in
total and at most one a second to one chat; after a 429 every sender waits ``retry_after``.

Sends are *paced*, not counted in windows: each sender reserves the next free moment (the
generic cell rate algorithm — a "theoretical arrival time" that advances by one interval per
send) and sleeps until it. A moving-window counter lets a burst of ``SEND_RATE`` through at
the start of each second, and Telegram, counting arrivals that jitter by a few
milliseconds, answers some of them 429 — which pauses everyone for a second (the first
benchmark lost a quarter of the throughput that way: ``bench/BROADCAST_RESULTS.md``). Even
spacing at 98 % of the limit keeps clear of it. The ``limits`` library has no pacing mode,
so the reservation is a few lines of Lua in Redis (atomic, on Redis's clock, shared by every
worker process) or a number in memory in the embedded mode."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

DEFAULT_RATE = 30
#: pace at this share of the limit: room for network jitter without a 429
MARGIN = 0.98
PER_CHAT_INTERVAL = 1.0


class Pacer(Protocol):
    async def reserve(self, key: str, interval: float) -> float:
        """Reserve the next moment for ``key``; returns how long to wait for it (s)."""
        ...

    async def paused_for(self) -> float: ...
    async def pause(self, seconds: float) -> None: ...
    async def close(self) -> None: ...


class MemoryPacer:
    def __init__(self) -> None:
        self._tat: dict[str, float] = {}
        self._pause_until = 0.0

    async def reserve(self, key: str, interval: float) -> float:
        now = time.monotonic()
        tat = max(self._tat.get(key, 0.0), now)
        self._tat[key] = tat + interval
        if len(self._tat) > 50_000:  # forget chats whose moment has long passed
            self._tat = {k: v for k, v in self._tat.items() if v > now}
        return tat - now

    async def paused_for(self) -> float:
        return self._pause_until - time.monotonic()

    async def pause(self, seconds: float) -> None:
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
    """The same, in Redis: one budget for every worker process, on Redis's own clock."""

    PREFIX = "contest-bot:gate:"

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(url)
        self._reserve = self._redis.register_script(_RESERVE)
        self._pause = self._redis.register_script(_PAUSE)
        self._paused_for = self._redis.register_script(_PAUSED_FOR)

    async def reserve(self, key: str, interval: float) -> float:
        return int(await self._reserve(keys=[self.PREFIX + key], args=[int(interval * 1_000_000)])) / 1_000_000

    async def paused_for(self) -> float:
        return int(await self._paused_for(keys=[self.PREFIX + "pause"])) / 1_000_000

    async def pause(self, seconds: float) -> None:
        await self._pause(keys=[self.PREFIX + "pause"], args=[int(seconds * 1_000_000)])

    async def close(self) -> None:
        await self._redis.aclose()


class SendGate:
    """``await gate.wait_turn(chat_id)`` before each send; ``await gate.pause(s)`` on a 429."""

    def __init__(self, pacer: Pacer, rate: int = DEFAULT_RATE) -> None:
        self._pacer = pacer
        self.rate = rate
        self.interval = 1.0 / (rate * MARGIN)

    @classmethod
    def for_settings(cls, redis_url: str | None, rate: int = DEFAULT_RATE) -> SendGate:
        return cls(RedisPacer(redis_url) if redis_url else MemoryPacer(), rate)

    async def wait_turn(self, chat_id: int) -> None:
        while (paused := await self._pacer.paused_for()) > 0:  # noqa: ASYNC110 (the pause lives in Redis)
            await asyncio.sleep(paused)
        # the chat's second first (rarely a wait in a broadcast), then the overall slot, so
        # a slot is never reserved and left unused while waiting for the chat
        chat_wait = await self._pacer.reserve(f"chat:{chat_id}", PER_CHAT_INTERVAL)
        if chat_wait > 0:
            await asyncio.sleep(chat_wait)
        wait = await self._pacer.reserve("global", self.interval)
        if wait > 0:
            await asyncio.sleep(wait)

    async def pause(self, seconds: float) -> None:
        """A 429: every sender, in every process, waits ``seconds`` from now."""
        await self._pacer.pause(seconds)

    async def close(self) -> None:
        await self._pacer.close()
