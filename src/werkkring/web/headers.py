"""Headers every answer carries, in one place: a Content-Security-Policy (scripts only from our own static
files, no inline script), ``no-store`` on everything that is not a static file (pages show personal data;
a route that sets its own Cache-Control keeps it), one Referrer-Policy (a route's own wins), and HEAD
answered like GET without a body (monitors and link checkers send it; Starlette's routes answer 405)."""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""Inline styles stay allowed: the report's and the print cards' HTML carry their own <style> (also read by
WeasyPrint); scripts never run inline."""

DOCS_CSP: Final = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; "
    "frame-ancestors 'none'"
)
"""The API's own documentation page (FastAPI's Swagger UI) is one inline script and files from a CDN."""

FIXED: Final = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
]


def _headers(scope: Scope, present: set[bytes]) -> list[tuple[bytes, bytes]]:
    path: str = scope.get("path", "")
    extra = list(FIXED)
    if b"referrer-policy" not in present:
        extra.append((b"referrer-policy", b"same-origin"))
    if b"content-security-policy" not in present:
        extra.append((b"content-security-policy", (DOCS_CSP if path == "/api/docs" else CSP).encode()))
    if b"cache-control" not in present and not path.startswith("/static/"):
        extra.append((b"cache-control", b"no-store"))
    return [pair for pair in extra if pair[0] not in present]


class SecurityHeaders:
    """Plain ASGI (cheaper than a BaseHTTPMiddleware); the outermost layer, so error pages get them too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                message["headers"] = [*headers, *_headers(scope, present)]
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, with_headers)
