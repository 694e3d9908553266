"""The live room's hot writes on a short path: posting a contribution (a member's and a guest's) and putting a
dot down or taking it back. At a summit these arrive by the thousand within seconds, and most of a post's
server time went to the framework around the handler (FastAPI's router, its dependency solving and form
parsing, two more ASGI layers), not to the handler (bench/results/web-profile.md, Round 3).

:class:`HotWrites` is a plain ASGI layer inside the session cookie's (so the signed cookie, the request id,
the log line and the security headers are the same layers as for every other request). For a request it
knows (method, path and a url-encoded form of the usual size) it does what FastAPI would do for that route
and nothing more: it checks the CSRF token the way :func:`werkkring.web.security.verify_csrf` does, reads
the form fields the route declares, and calls **the route's own function** in the thread pool, so the
sign-in or guest check, the validation, the action (with its audit entry and live announcement) and the
answer (redirect with a flash message, or JSON) are the route's. A refusal raised there is answered by the
app's own exception handlers, as on the long path.

Anything else goes the long path unchanged, with the body it carried: another method or address, another
content type (multipart), a body larger than :data:`MAX_BODY`, a missing or empty required field, a number in
the path out of the databases' range (:func:`werkkring.web.common.ids_in_range`). Those answers (404, "some
fields are missing") are then exactly the app's. ``tests/web/test_lean.py`` checks that each hot route reads
the form fields its function declares, and that both paths answer alike."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from werkkring.limits import DB_INT_MAX
from werkkring.web.pages import room, sessions, votes
from werkkring.web.security import CSRF_FIELD, CSRF_HEADER, require_csrf

MAX_BODY: Final = 64 * 1024
"""A contribution is at most 2,000 characters (``limits.CONTRIBUTION``): up to 24 KB url-encoded. A larger
body goes the long path, which answers it as it always did."""

FORM: Final = b"application/x-www-form-urlencoded"
_CSRF_HEADER: Final = CSRF_HEADER.encode()
_WHOLE: Final = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class HotRoute:
    """One route of the app taken on the short path: its address, the route's function, the name of the
    path's parameter (and whether it is a whole number), and the form fields the function takes, the
    required ones first."""

    path: re.Pattern[str]
    endpoint: Callable[..., Response]
    parameter: str
    whole: bool
    required: tuple[str, ...]
    optional: tuple[str, ...]


HOT: Final = (
    HotRoute(
        re.compile(r"/sessions/(\d+)/contributions"),
        sessions.contribute,
        "session_id",
        True,
        ("text",),
        ("proposal", "anonymous", "group"),
    ),
    HotRoute(
        re.compile(r"/j/([^/]+)/contributions"),
        room.guest_contributes,
        "code",
        False,
        (),
        ("text", "proposal"),
    ),
    HotRoute(re.compile(r"/sessions/(\d+)/votes"), votes.cast, "session_id", True, (), ("card",)),
    HotRoute(re.compile(r"/sessions/(\d+)/votes/back"), votes.take_back, "session_id", True, (), ("card",)),
)


def _match(path: str) -> tuple[HotRoute, str] | None:
    for route in HOT:
        found = route.path.fullmatch(path)
        if found is not None:
            return route, found.group(1)
    return None


class HotWrites:
    """Plain ASGI: the hot room writes on the short path, everything else passed on untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):  # as Starlette's routes see it behind a proxy's prefix
            path = path[len(root) :]
        hit = _match(path)
        if hit is None or not _is_form(scope):
            await self.app(scope, receive, send)
            return
        route, value = hit
        body, fits, more = await _read(receive, MAX_BODY)
        if not fits:
            await self.app(scope, _replay(body, receive, more=more), send)
            return
        if _WHOLE.fullmatch(value) and not 0 <= int(value) <= DB_INT_MAX:  # ids_in_range's 404
            await self.app(scope, _replay(body, receive), send)
            return
        form = dict(parse_qsl(body.decode("latin-1"), keep_blank_values=True, max_num_fields=100))
        request = Request(scope)
        try:
            _check_csrf(scope, form)
            if any(not form.get(name) for name in route.required):
                # FastAPI's own answer for a missing field ("some fields are missing or not valid").
                await self.app(scope, _replay(body, receive), send)
                return
            arguments: dict[str, Any] = {route.parameter: int(value) if route.whole else value}
            for name in (*route.required, *route.optional):
                if name in form:
                    arguments[name] = form[name]
            response = await run_in_threadpool(route.endpoint, request, **arguments)
        except Exception as error:
            handler = _handler_for(scope, error)
            if handler is None:
                raise
            response = await handler(request, error)
        await response(scope, receive, send)


def _is_form(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bool(value.split(b";", 1)[0].strip().lower() == FORM)
    return False


async def _read(receive: Receive, limit: int) -> tuple[bytes, bool, bool]:
    """The request's body as far as read: (body, whether it fits in ``limit`` bytes and is complete, whether
    the client has more to send)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: the long path sees it the same way
            return b"".join(chunks), False, True
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = bool(message.get("more_body", False))
        if size > limit or not more:
            return b"".join(chunks), size <= limit and not more, more


def _replay(body: bytes, receive: Receive, *, more: bool = False) -> Receive:
    """A ``receive`` that gives the body read so far first, then (if there is ``more``) the rest."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay


def _check_csrf(scope: Scope, form: dict[str, str]) -> None:
    """:func:`werkkring.web.security.verify_csrf` for a form already read: the header, else the field."""
    expected = scope.get("session", {}).get("csrf")
    sent: str | None = None
    for name, value in scope["headers"]:
        if name == _CSRF_HEADER:
            sent = value.decode("latin-1")
            break
    if sent is None:
        sent = form.get(CSRF_FIELD)
    require_csrf(expected, sent)


def _handler_for(scope: Scope, error: Exception) -> Callable[[Request, Exception], Any] | None:
    """The app's exception handler for ``error``, looked up as Starlette's ExceptionMiddleware does."""
    handlers: dict[Any, Any] = scope["app"].exception_handlers
    if isinstance(error, HTTPException) and error.status_code in handlers:
        return handlers[error.status_code]  # type: ignore[no-any-return]
    for kind in type(error).__mro__:
        if kind in handlers:
            handler = handlers[kind]
            if not inspect.iscoroutinefunction(handler):
                return lambda request, exc: run_in_threadpool(handler, request, exc)
            return handler  # type: ignore[no-any-return]
    return None
