"""Server-sent events for pages that follow a work session (or the job list) live, with sse-starlette.

``stream(request, channels)`` answers with an event stream of every event published on those channels by
any web process or job runner; a browser that loses the connection reconnects by itself, sends the id of
the last event it saw (``Last-Event-ID``), and gets what it missed first."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence

from fastapi import Request
from sse_starlette.sse import EventSourceResponse

from werkkring.live import Hub

PING_SECONDS = 15


def stream(request: Request, channels: Sequence[str]) -> EventSourceResponse:
    hub: Hub = request.app.state.live
    last = request.headers.get("last-event-id", "")
    after = int(last) if last.isdigit() else None

    async def events() -> AsyncIterator[dict[str, str]]:
        async with hub.subscribe(channels, after=after) as feed:
            async for event in feed:
                yield {"id": str(event.id), "event": event.channel, "data": json.dumps(event.data)}

    # no-store: an event stream is personal and must not be cached by a proxy; X-Accel-Buffering: nginx
    # passes each event on at once instead of buffering the response.
    return EventSourceResponse(
        events(), ping=PING_SECONDS, headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
