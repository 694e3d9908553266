"""Live updates that reach every web process: ``publish(session, channel, data)`` and ``Hub.subscribe``.

Publishing is part of the change it announces: :func:`publish` writes the event into ``live_events`` in the
caller's transaction, so a change that rolls back announces nothing, and a page that reconnects asks for what
it missed (``Last-Event-ID``). How the other processes learn of it at once depends on the set-up:

- SQLite (the embedded default, also with several web processes): each process polls ``live_events`` a few
  times a second, once for all its subscribers;
- PostgreSQL: ``pg_notify`` right after commit, to every process that LISTENs (one statement for all the
  events a process committed meanwhile: PostgreSQL takes one lock for every transaction that notifies, so a
  NOTIFY inside each change made all changes commit one at a time, at a fifth of the rate without);
- Redis (``WERKKRING_REDIS_URL``): PUBLISH right after commit, every process subscribed.

Pages stream events to browsers with server-sent events (:func:`werkkring.web.live.stream`)::

    live.publish(session, f"session:{work_session.id}", {"type": "contribution", "group": 3})
    return stream(request, [f"session:{work_session.id}"])  # in a route; the browser's EventSource reads it
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import datetime as dt
import json
import logging
import queue
import re
import threading
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Engine, delete, event, func, inspect, select
from sqlalchemy.orm import Session

from werkkring.config import Settings
from werkkring.store import Database
from werkkring.store.models import LiveEvent, utcnow

log = logging.getLogger("werkkring.live")

CHANNEL: Final = re.compile(r"[A-Za-z0-9:_.-]{1,120}")
PG_CHANNEL: Final = "werkkring_live"
REDIS_CHANNEL: Final = "werkkring:live"
POLL_SECONDS: Final = 0.25
KEEP: Final = dt.timedelta(hours=6)
_PENDING: Final = "werkkring.live.pending"
_ROWS: Final = "werkkring.live.rows"
_NOTIFY: Final = "werkkring.live.notify"
NOTIFY_BATCH: Final = 100  # NOTIFYs in one statement
NOTIFY_LIMIT: Final = 7000  # PostgreSQL refuses NOTIFY payloads of 8000 bytes or more


@dataclass(frozen=True)
class Event:
    id: int
    channel: str
    data: dict[str, Any]


# ---------------------------------------------------------------- publishing

_redis_for: dict[Engine, Any] = {}


def configure(database: Database, settings: Settings) -> None:
    """Publish through Redis as well when ``settings.redis_url`` is set (web processes and workers)."""
    if settings.redis_url:
        import redis

        _redis_for[database.engine] = redis.Redis.from_url(settings.redis_url)
    else:
        _redis_for.pop(database.engine, None)


def publish(session: Session, channel: str, data: dict[str, Any]) -> None:
    """Announce ``data`` on ``channel`` when (and only if) the session's transaction commits."""
    if not CHANNEL.fullmatch(channel):
        raise ValueError(f"a live channel is 1-120 letters, digits and :_.- characters, not {channel!r}")
    row = LiveEvent(channel=channel, data=json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    session.add(row)
    # Written with the rest of the change in one flush at commit (a flush per event cost a post a fifth of
    # its time); the messages need the rows' ids, so they are made then (_before_commit).
    session.info.setdefault(_ROWS, []).append((row, data))


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    rows: list[tuple[LiveEvent, dict[str, Any]]] | None = session.info.pop(_ROWS, None)
    if not rows:
        return
    session.flush()
    # An event published inside a savepoint that rolled back is not in the session any more.
    written = [(row, data) for row, data in rows if inspect(row).persistent]
    messages = [
        json.dumps({"id": row.id, "channel": row.channel, "data": data}, ensure_ascii=False)
        for row, data in written
    ]
    if not messages:
        return
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # Too large for NOTIFY: the listeners read the row.
        session.info.setdefault(_NOTIFY, []).extend(
            message if len(message.encode()) < NOTIFY_LIMIT else json.dumps({"id": row.id})
            for message, (row, _data) in zip(messages, written, strict=True)
        )
    session.info.setdefault(_PENDING, []).extend(messages)


def publish_now(database: Database, channel: str, data: dict[str, Any]) -> None:
    with database.transaction() as session:
        publish(session, channel, data)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    notices = session.info.pop(_NOTIFY, None)
    if not pending:
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if notices:
        _notifier(engine).send(notices)
    client = _redis_for.get(engine)
    if client is None:
        return
    try:
        for message in pending:
            client.publish(redis_channel(engine), message)
    except Exception:  # the row is stored: pages that reconnect still get it
        log.exception("could not publish %s live events to Redis", len(pending))


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_ROWS, None)
    session.info.pop(_NOTIFY, None)


class _Notifier:
    """Sends the NOTIFYs of committed events for one engine, from one thread: all that queued up while the
    previous statement ran go in the next one. Like Redis's PUBLISH, it runs after commit: a process that
    dies in between leaves the event stored, and a page that reconnects still gets it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.queue: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.pending = 0  # queued or being sent
        self.settled = threading.Condition()

    def send(self, payloads: Sequence[str]) -> None:
        with self.settled:
            self.pending += len(payloads)
        for payload in payloads:
            self.queue.put(payload)
        if self.thread is None or not self.thread.is_alive():
            with self.lock:
                if self.thread is None or not self.thread.is_alive():
                    self.thread = threading.Thread(target=self._run, name="live-notify", daemon=True)
                    self.thread.start()

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            while len(batch) < NOTIFY_BATCH:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                with self.engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                        select(*(func.pg_notify(PG_CHANNEL, payload) for payload in batch))
                    )
            except Exception:  # the rows are stored: pages that reconnect still get them
                log.exception("could not send %s live events with NOTIFY", len(batch))
            finally:
                with self.settled:
                    self.pending -= len(batch)
                    self.settled.notify_all()

    def drain(self, timeout: float) -> bool:
        """Wait until everything queued is sent; False if that took longer than ``timeout`` seconds."""
        with self.settled:
            return self.settled.wait_for(lambda: self.pending == 0, timeout)


_notifiers: dict[Engine, _Notifier] = {}
_notifiers_lock = threading.Lock()


@atexit.register
def _drain_notifiers() -> None:
    """A process that ends (a command, a job runner stopping) first sends the NOTIFYs it still holds."""
    for notifier in list(_notifiers.values()):
        notifier.drain(timeout=2.0)


def _notifier(engine: Engine) -> _Notifier:
    with _notifiers_lock:
        found = _notifiers.get(engine)
        if found is None:
            found = _notifiers[engine] = _Notifier(engine)
        return found


def redis_channel(engine: Engine) -> str:
    """One Redis channel per database: werkkrings (and test runs) sharing a Redis do not hear each other."""
    return f"{REDIS_CHANNEL}:{engine.url.database or ''}"


def prune(database: Database, settings: Settings | None = None) -> int:
    """Forget events older than a few hours (nobody reconnects that late); run by the job runner hourly."""
    with database.transaction() as session:
        result = session.execute(delete(LiveEvent).where(LiveEvent.created_at < utcnow() - KEEP))
    return int(getattr(result, "rowcount", 0) or 0)


# ---------------------------------------------------------------- subscribing


class _Subscriber:
    def __init__(self, channels: frozenset[str]) -> None:
        self.channels = channels
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize=1000)

    def offer(self, item: Event) -> None:
        if item.channel in self.channels:
            try:
                self.queue.put_nowait(item)
            except asyncio.QueueFull:  # a stuck reader: end its stream; its page reconnects and catches up
                while not self.queue.empty():
                    self.queue.get_nowait()
                self.queue.put_nowait(None)


class Hub:
    """One per web process: one listener (poll, LISTEN or Redis) shared by all its subscribers."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.mode = "redis" if settings.redis_url else ("postgres" if not database.is_sqlite else "poll")
        self._subscribers: set[_Subscriber] = set()
        self._task: asyncio.Task[None] | None = None
        self._last = 0

    @contextlib.asynccontextmanager
    async def subscribe(
        self, channels: Sequence[str], after: int | None = None
    ) -> AsyncIterator[AsyncIterator[Event]]:
        """Events on ``channels`` from now on (and those after event id ``after`` first, for a reconnect)."""
        for channel in channels:
            if not CHANNEL.fullmatch(channel):
                raise ValueError(f"not a live channel: {channel!r}")
        subscriber = _Subscriber(frozenset(channels))
        self._subscribers.add(subscriber)
        await self._ensure_listening()
        try:
            missed = (
                await asyncio.to_thread(self._since, subscriber.channels, after) if after is not None else []
            )
            yield self._feed(subscriber, missed)
        finally:
            self._subscribers.discard(subscriber)

    async def _feed(self, subscriber: _Subscriber, missed: list[Event]) -> AsyncIterator[Event]:
        newest = 0
        for old in missed:
            newest = max(newest, old.id)
            yield old
        while True:
            item = await subscriber.queue.get()
            if item is None:
                return
            if item.id > newest or not missed:
                yield item

    def _since(self, channels: frozenset[str], after: int) -> list[Event]:
        with self.database.reader() as session:
            rows = session.scalars(
                select(LiveEvent)
                .where(LiveEvent.id > after, LiveEvent.channel.in_(channels))
                .order_by(LiveEvent.id)
                .limit(1000)
            ).all()
        return [Event(row.id, row.channel, json.loads(row.data)) for row in rows]

    def _newest_id(self) -> int:
        with self.database.reader() as session:
            return int(session.scalar(select(func.max(LiveEvent.id))) or 0)

    def _dispatch(self, item: Event) -> None:
        for subscriber in list(self._subscribers):
            subscriber.offer(item)

    async def _ensure_listening(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._last = await asyncio.to_thread(self._newest_id)
        listen = {"poll": self._poll, "postgres": self._listen_postgres, "redis": self._listen_redis}[
            self.mode
        ]
        self._task = asyncio.get_running_loop().create_task(self._forever(listen), name=f"live-{self.mode}")

    async def _forever(self, listen: Any) -> None:
        while True:
            try:
                await listen()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live updates: the %s listener stopped; starting again in 1 s", self.mode)
                await asyncio.sleep(1.0)

    async def _poll(self) -> None:
        while True:
            if self._subscribers:
                for item in await asyncio.to_thread(self._rows_after, self._last):
                    self._last = max(self._last, item.id)
                    self._dispatch(item)
            await asyncio.sleep(POLL_SECONDS)

    def _rows_after(self, last: int) -> list[Event]:
        with self.database.reader() as session:
            rows = session.scalars(
                select(LiveEvent).where(LiveEvent.id > last).order_by(LiveEvent.id).limit(1000)
            ).all()
        return [Event(row.id, row.channel, json.loads(row.data)) for row in rows]

    async def _listen_postgres(self) -> None:
        import psycopg

        url = self.database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
            await connection.execute(f"LISTEN {PG_CHANNEL}")
            async for note in connection.notifies():
                message = json.loads(note.payload)
                if "channel" not in message:  # too large for NOTIFY: read the row
                    rows = await asyncio.to_thread(self._rows_after, int(message["id"]) - 1)
                    found = [row for row in rows if row.id == int(message["id"])]
                    if not found:
                        continue
                    self._dispatch(found[0])
                    continue
                self._dispatch(Event(int(message["id"]), message["channel"], message["data"]))

    async def _listen_redis(self) -> None:
        import redis.asyncio as aioredis

        assert self.settings.redis_url is not None
        client = aioredis.Redis.from_url(self.settings.redis_url)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(redis_channel(self.database.engine))
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    body = json.loads(message["data"])
                    self._dispatch(Event(int(body["id"]), body["channel"], body["data"]))
        finally:
            await client.aclose()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
