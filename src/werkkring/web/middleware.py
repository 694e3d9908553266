"""The outermost layer of the web app: a request id for every request (in the logs and the ``X-Request-ID``
response header), one log line per request with its status and time, and the last safety net for an
unhandled error, which is logged with its traceback and answered with a page that shows the request id."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from werkkring import logs

log = logging.getLogger("werkkring.web")
HEADER: Final = "x-request-id"
# An id from a trusted proxy is kept when it looks like one (so a proxy's and our logs can be joined);
# anything else is replaced, so nobody can write arbitrary text into our logs through a header.
_INCOMING: Final = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Health probes arrive every few seconds; logging each would drown the lines people read.
QUIET_PATHS: Final = frozenset({"/healthz", "/readyz"})

ErrorPage = Callable[[Request, str], Awaitable[Response]]


def new_request_id() -> str:
    return os.urandom(8).hex()  # 16 hex digits; cheaper than a uuid4 on every request


class RequestContext:
    def __init__(self, app: ASGIApp, error_page: ErrorPage) -> None:
        self.app = app
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(HEADER.encode(), b"").decode("latin-1")
        rid = incoming if _INCOMING.fullmatch(incoming) else new_request_id()
        scope.setdefault("state", {})["request_id"] = rid
        token = logs.request_id.set(rid)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (HEADER.encode(), rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if status == 0:
                response = await self.error_page(Request(scope), rid)
                await response(scope, receive, send_with_id)
            status = status or 500
        finally:
            if scope["path"] not in QUIET_PATHS or status >= 400:
                log.info(
                    "%s %s %s",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "client": (scope.get("client") or ("-",))[0],
                    },
                )
            logs.request_id.reset(token)


def request_id_of(request: Request) -> str:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else "-"
