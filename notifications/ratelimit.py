"""Telegram's limits, for every sender at once: about 30 messages a second in total and at
most one a second to one chat; after a 429 every sender waits ``retry_after``.

The counting is the ``limits`` library's moving window — in Redis when ``REDIS_URL`` is set,
so all worker processes share one budget; in memory in the embedded mode. The pause after
a 429 is one key with an expiry (or one number in memory)."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Protocol

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

DEFAULT_RATE = 30


class PauseStore(Protocol):
    async def until(self) -> float: ...
    async def extend(self, until: float) -> None: ...


class MemoryPause:
    def __init__(self) -> None:
        self._until = 0.0

    async def until(self) -> float:
        return self._until

    async def extend(self, until: float) -> None:
        self._until = max(self._until, until)


class RedisPause:
    """The pause as a Redis key: every process sees it; it expires by itself."""

    KEY = "contest-bot:send-pause-until"

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(url)

    async def until(self) -> float:
        value = await self._redis.get(self.KEY)
        return float(value) if value else 0.0

    async def extend(self, until: float) -> None:
        ttl_ms = max(1, int((until - time.time()) * 1000) + 1000)
        # keep the later of the two pauses (a small race only shortens nothing: both wait)
        current = await self.until()
        if until > current:
            await self._redis.set(self.KEY, repr(until), px=ttl_ms)

    async def close(self) -> None:
        await self._redis.aclose()


class SendGate:
    """``await gate.wait_turn(chat_id)`` before each send; ``await gate.pause(s)`` on a 429."""

    def __init__(self, storage: Storage, pause: PauseStore, rate: int = DEFAULT_RATE) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._storage = storage
        self._pause = pause
        self._global = RateLimitItemPerSecond(rate)
        self._per_chat = RateLimitItemPerSecond(1)
        self.rate = rate

    @classmethod
    def for_settings(cls, redis_url: str | None, rate: int = DEFAULT_RATE) -> SendGate:
        if redis_url:
            storage = RedisStorage("async+" + redis_url, implementation="redispy", key_prefix="contest-bot-rl")
            return cls(storage, RedisPause(redis_url), rate)
        return cls(MemoryStorage(), MemoryPause(), rate)

    async def _wait_reset(self, item: RateLimitItemPerSecond, *key: str) -> None:
        stats = await self._limiter.get_window_stats(item, *key)
        # a little jitter so that waiting senders do not all wake at the same instant
        await asyncio.sleep(max(0.005, stats.reset_time - time.time()) + random.uniform(0, 0.01))

    async def wait_turn(self, chat_id: int) -> None:
        chat = ("chat", str(chat_id))
        while True:
            paused = await self._pause.until() - time.time()
            if paused > 0:
                await asyncio.sleep(paused)
                continue
            if not await self._limiter.test(self._per_chat, *chat):
                await self._wait_reset(self._per_chat, *chat)
                continue
            if not await self._limiter.hit(self._global, "global"):
                await self._wait_reset(self._global, "global")
                continue
            if await self._limiter.hit(self._per_chat, *chat):
                return
            # another sender took this chat's second in between; our global slot is spent,
            # which only slows us down a little

    async def pause(self, seconds: float) -> None:
        """A 429: every sender, in every process, waits ``seconds`` from now."""
        await self._pause.extend(time.time() + seconds)

    async def close(self) -> None:
        close = getattr(self._pause, "close", None)
        if close is not None:
            await close()
