"""Live updates: published with the change (nothing for a rolled-back one), heard by every subscriber on the
channel, replayed after a reconnect; by polling on SQLite, LISTEN/NOTIFY on PostgreSQL, Redis pub/sub."""

from __future__ import annotations

import asyncio
import socket
import uuid

import pytest

from tests.web.helpers import make_settings
from werkkring import live
from werkkring.store import Database


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


async def _next(feed: object, timeout: float = 5.0) -> live.Event:
    return await asyncio.wait_for(feed.__anext__(), timeout)  # type: ignore[attr-defined]


@pytest.mark.parametrize("redis", [False, True], ids=["database", "redis"])
def test_publish_subscribe_and_replay(database: Database, tmp_path: object, redis: bool) -> None:
    if redis and not _redis_up():
        pytest.skip("Redis is not reachable")
    extra = {"WERKKRING_REDIS_URL": "redis://127.0.0.1:6379/0"} if redis else {}
    settings = make_settings(tmp_path, **extra)  # type: ignore[arg-type]
    live.configure(database, settings)
    channel = f"session:{uuid.uuid4().hex[:8]}"

    async def scenario() -> None:
        hub = live.Hub(database, settings)
        assert hub.mode == ("redis" if redis else ("poll" if database.is_sqlite else "postgres"))
        try:
            async with hub.subscribe([channel]) as feed, hub.subscribe(["elsewhere"]) as other:
                await asyncio.sleep(0.3)  # the listener is up
                with pytest.raises(RuntimeError), database.transaction() as session:
                    live.publish(session, channel, {"n": 0})
                    raise RuntimeError("rolled back: nothing to announce")
                await asyncio.to_thread(live.publish_now, database, channel, {"n": 1})
                await asyncio.to_thread(live.publish_now, database, channel, {"n": 2, "text": "é" * 5000})
                first, second = await _next(feed), await _next(feed)
                assert (first.data, second.data["n"]) == ({"n": 1}, 2)
                assert len(second.data["text"]) == 5000
                with pytest.raises(asyncio.TimeoutError):
                    await _next(other, timeout=0.6)
            # A page that reconnects after event 1 gets event 2 first, then what comes next.
            async with hub.subscribe([channel], after=first.id) as again:
                assert (await _next(again)).data["n"] == 2
                await asyncio.to_thread(live.publish_now, database, channel, {"n": 3})
                assert (await _next(again)).data == {"n": 3}
        finally:
            await hub.close()

    asyncio.run(scenario())


def test_channel_names_are_checked(sqlite_database: Database) -> None:
    with pytest.raises(ValueError, match="live channel"), sqlite_database.transaction() as session:
        live.publish(session, "no spaces allowed", {})


def test_a_process_that_ends_at_once_still_sends_its_notify(database: Database) -> None:
    """PostgreSQL: the NOTIFY goes out after commit from a thread; a command that publishes and exits at once
    still sends it before it ends."""
    if database.is_sqlite:
        pytest.skip("PostgreSQL's LISTEN/NOTIFY only")
    import subprocess
    import sys

    import psycopg

    channel = f"session:{uuid.uuid4().hex[:8]}"
    url = database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as listener:
        listener.execute(f"LISTEN {live.PG_CHANNEL}")
        program = (
            "import sys; from werkkring import live; from werkkring.store import Database; "
            "live.publish_now(Database(sys.argv[1]), sys.argv[2], {'n': 7})"
        )
        subprocess.run([sys.executable, "-c", program, database.url, channel], check=True, timeout=60)
        notes = listener.notifies(timeout=10.0, stop_after=1)
        heard = [note.payload for note in notes if channel in note.payload]
    assert heard and '"n": 7' in heard[0]
