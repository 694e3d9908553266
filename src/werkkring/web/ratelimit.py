"""Rate limits shared by every web process: counters in the database (SQLite or PostgreSQL, one atomic
upsert per hit) or in Redis when ``WERKKRING_REDIS_URL`` is set. A limit is "at most N hits per key in a
sliding window", estimated from the current and the previous fixed window (the previous one weighted by how
much of it still lies inside the sliding window), so a burst across a window's edge does not pass double.

Used for sign-in links, password resets and invitations (per address and per client) and for failed
passwords (:class:`SignInLimiter`)."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from werkkring.store import Database
from werkkring.store.models import RateCounter, utcnow


class Counters(Protocol):
    def add(self, key: str, window: int, size: int) -> tuple[int, int]:
        """Count one hit in fixed window ``window`` of ``size`` seconds; returns (hits in it, hits in the one
        before)."""

    def peek(self, key: str, window: int) -> tuple[int, int]: ...

    def clear(self, key: str) -> None: ...


class DatabaseCounters:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.insert: Any = sqlite.insert if database.is_sqlite else postgresql.insert

    def add(self, key: str, window: int, size: int) -> tuple[int, int]:
        expires = utcnow() + dt.timedelta(seconds=2 * size)
        statement = self.insert(RateCounter).values(key=key, window=window, hits=1, expires_at=expires)
        statement = statement.on_conflict_do_update(
            index_elements=[RateCounter.key, RateCounter.window],
            set_={"hits": RateCounter.hits + 1},
        ).returning(RateCounter.hits)
        with self.database.transaction() as session:
            hits = int(session.execute(statement).scalar_one())
            before = session.scalar(
                select(RateCounter.hits).where(RateCounter.key == key, RateCounter.window == window - 1)
            )
            if random.random() < 0.01:  # now and then, forget counters nobody will read again
                session.execute(delete(RateCounter).where(RateCounter.expires_at < utcnow()))
        return hits, int(before or 0)

    def peek(self, key: str, window: int) -> tuple[int, int]:
        with self.database.reader() as session:
            rows = dict(
                session.execute(
                    select(RateCounter.window, RateCounter.hits).where(
                        RateCounter.key == key, RateCounter.window.in_((window, window - 1))
                    )
                ).all()
            )
        return int(rows.get(window, 0)), int(rows.get(window - 1, 0))

    def clear(self, key: str) -> None:
        with self.database.transaction() as session:
            session.execute(delete(RateCounter).where(RateCounter.key == key))


class RedisCounters:
    def __init__(self, url: str, prefix: str = "werkkring:rate:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix

    def _key(self, key: str, window: int) -> str:
        return f"{self.prefix}{key}:{window}"

    def add(self, key: str, window: int, size: int) -> tuple[int, int]:
        pipe = self.redis.pipeline()
        pipe.incr(self._key(key, window))
        pipe.expire(self._key(key, window), 2 * size)
        pipe.get(self._key(key, window - 1))
        hits, _, before = pipe.execute()
        return int(hits), int(before or 0)

    def peek(self, key: str, window: int) -> tuple[int, int]:
        now, before = self.redis.mget([self._key(key, window), self._key(key, window - 1)])
        return int(now or 0), int(before or 0)  # type: ignore[arg-type]

    def clear(self, key: str) -> None:
        keys = list(self.redis.scan_iter(match=f"{self.prefix}{key}:*"))
        if keys:
            self.redis.delete(*keys)


def counters_for(database: Database, redis_url: str | None) -> Counters:
    return RedisCounters(redis_url) if redis_url else DatabaseCounters(database)


@dataclass(frozen=True)
class Limit:
    hits: int
    seconds: int


class RateLimiter:
    def __init__(self, counters: Counters, clock: Any = time.time) -> None:
        self.counters = counters
        self.clock = clock

    def _estimate(self, now_hits: int, before_hits: int, limit: Limit) -> float:
        elapsed = (self.clock() % limit.seconds) / limit.seconds
        return float(now_hits + before_hits * (1.0 - elapsed))

    def hit(self, key: str, limit: Limit) -> bool:
        """Count one attempt; True while the key stays within its limit (the attempt may go ahead)."""
        window = int(self.clock() // limit.seconds)
        now_hits, before = self.counters.add(f"{key}@{limit.seconds}", window, limit.seconds)
        return self._estimate(now_hits, before, limit) <= limit.hits

    def exceeded(self, key: str, limit: Limit) -> bool:
        """Whether the key has used up its limit, without counting anything."""
        window = int(self.clock() // limit.seconds)
        now_hits, before = self.counters.peek(f"{key}@{limit.seconds}", window)
        return self._estimate(now_hits, before, limit) >= limit.hits

    def clear(self, key: str, limit: Limit) -> None:
        self.counters.clear(f"{key}@{limit.seconds}")

    def free_at(self, key: str, limit: Limit) -> float:
        """When the key is within its limit again if nothing more is counted (a Unix time; now if it is)."""
        now = float(self.clock())
        window = int(now // limit.seconds)
        now_hits, before = self.counters.peek(f"{key}@{limit.seconds}", window)
        # The sliding estimate falls as the window moves on: first in this window, then in the next one,
        # where this window's hits are the "before" part.
        for step in range(0, 2 * limit.seconds + 1, 30):
            at = now + step
            elapsed = (at % limit.seconds) / limit.seconds
            if int(at // limit.seconds) == window:
                estimate = now_hits + before * (1.0 - elapsed)
            elif int(at // limit.seconds) == window + 1:
                estimate = now_hits * (1.0 - elapsed)
            else:
                estimate = 0.0
            if estimate < limit.hits:
                return at
        return now + 2 * limit.seconds


# Mails a person can ask for (sign-in links, resets): a few per address, more per client (a shared office
# connection); invitations per inviting client.
LINKS_PER_ADDRESS = Limit(3, 15 * 60)
LINKS_PER_CLIENT = Limit(10, 15 * 60)
INVITES_PER_CLIENT = Limit(60, 60 * 60)
INVITES_PER_ADDRESS = Limit(3, 60 * 60)
FAILED_PER_ADDRESS = Limit(5, 15 * 60)
FAILED_PER_CLIENT = Limit(20, 15 * 60)


class SignInLimiter:
    """Failed sign-ins per e-mail address and per client address, shared by every web process."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    def blocked(self, email: str, client: str) -> bool:
        return self.limiter.exceeded("fail:e:" + email.lower(), FAILED_PER_ADDRESS) or self.limiter.exceeded(
            "fail:c:" + client, FAILED_PER_CLIENT
        )

    def free_at(self, email: str, client: str) -> float:
        """When a sign-in from ``client`` for ``email`` is accepted again (a Unix time)."""
        return max(
            self.limiter.free_at("fail:e:" + email.lower(), FAILED_PER_ADDRESS),
            self.limiter.free_at("fail:c:" + client, FAILED_PER_CLIENT),
        )

    def failed(self, email: str, client: str) -> None:
        self.limiter.hit("fail:e:" + email.lower(), FAILED_PER_ADDRESS)
        self.limiter.hit("fail:c:" + client, FAILED_PER_CLIENT)

    def succeeded(self, email: str) -> None:
        self.limiter.clear("fail:e:" + email.lower(), FAILED_PER_ADDRESS)
