"""Builds the web application (FastAPI + Jinja2) around one Database: pages for members and hosts, and the
JSON API under /api/v1 with its OpenAPI description at /api/openapi.json."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import func, select
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from werkkring import __version__
from werkkring.config import Settings
from werkkring.errors import InputError, NotFoundError, PermissionDenied, WerkkringError
from werkkring.store import Database
from werkkring.store.models import Circle, Member, WorkSession
from werkkring.web import api
from werkkring.web.common import (
    SignInRequired,
    current_member,
    flash,
    redirect,
    render,
    safe_next,
    translate,
    translate_error,
)
from werkkring.web.i18n import N_
from werkkring.web.outreach_routes import router as outreach_router
from werkkring.web.pages import accounts, circles, connections, helix, initiatives, members, sessions
from werkkring.web.security import SignInLimiter, secret_key, verify_csrf

HERE = Path(__file__).parent
SESSION_COOKIE = "werkkring_session"


def create_app(database: Database | None = None, settings: Settings | None = None) -> FastAPI:
    """The web app's start-up: ``werkkring serve`` passes the settings its root command read; an ASGI server
    calling this factory directly gets them from the environment, once, here."""
    settings = settings or Settings.from_env()
    database = database or Database(settings.database_url)
    app = FastAPI(
        title="werkkring",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        description="The werkkring JSON API. Authenticate with a personal token: "
        "`Authorization: Bearer wk_...` (create one on your profile page). The same permissions apply as on "
        "the pages.",
    )
    app.state.database = database
    app.state.settings = settings
    app.state.limiter = SignInLimiter()
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(settings, database),
        session_cookie=SESSION_COOKIE,
        max_age=14 * 24 * 3600,
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(outreach_router)

    app.add_middleware(SecurityHeaders)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        with database.reader() as session:
            me = current_member(request, session)
            counts = {
                "members": session.scalar(select(func.count()).select_from(Member)) or 0,
                "circles": session.scalar(select(func.count()).select_from(Circle)) or 0,
                "sessions": session.scalar(select(func.count()).select_from(WorkSession)) or 0,
            }
            circle_list = session.scalars(select(Circle).order_by(Circle.kind, Circle.name)).all()
            return render(
                request, "home.html", {"counts": counts, "circles": circle_list}, me=me, session=session
            )

    pages = [accounts, members, circles, sessions, initiatives, connections, helix]
    for module in pages:
        app.include_router(module.router, dependencies=[Depends(verify_csrf)], include_in_schema=False)
    app.include_router(api.router)
    _install_error_pages(app)
    return app


class SecurityHeaders:
    """A few headers on every response (plain ASGI, cheaper than a BaseHTTPMiddleware)."""

    HEADERS: ClassVar[list[tuple[bytes, bytes]]] = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    ]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _back(request: Request) -> str:
    referer = request.headers.get("referer", "")
    base = str(request.base_url)
    if referer.startswith(base):
        return safe_next("/" + referer[len(base) :].lstrip("/"), "/")
    return "/"


def _install_error_pages(app: FastAPI) -> None:
    def page(request: Request, status: int, title: str, message: str) -> Response:
        if _is_api(request):
            return JSONResponse({"error": message}, status_code=status)
        return render(
            request,
            "error.html",
            {"title": translate(request, title), "message": message},
            status_code=status,
        )

    def message(request: Request, exc: WerkkringError) -> str:
        """English for the API (a machine interface), the page's language on the pages."""
        return str(exc) if _is_api(request) else translate_error(request, exc)

    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, _exc: SignInRequired) -> Response:
        if _is_api(request):
            return JSONResponse({"error": "authentication required"}, status_code=401)
        return redirect(f"/signin?next={request.url.path}")

    @app.exception_handler(PermissionDenied)
    async def forbidden(request: Request, exc: PermissionDenied) -> Response:
        return page(request, 403, N_("Not allowed"), message(request, exc))

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return page(request, 404, N_("Not found"), message(request, exc))

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> Response:
        if _is_api(request):
            return JSONResponse(
                {
                    "error": str(exc),
                    "problems": [{"message": p.message, "field": p.field} for p in exc.problems],
                },
                status_code=400,
            )
        if request.method == "POST":
            for problem in exc.problems:
                flash(request, translate_error(request, problem), "error")
            return redirect(_back(request))
        return page(request, 400, N_("Please check"), translate_error(request, exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 403 and exc.detail == "csrf":
            return page(
                request,
                403,
                N_("Form expired"),
                translate(
                    request,
                    "This form was refused: it lacked a valid security token. Reload the page and try again.",
                ),
            )
        if _is_api(request):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        titles = {404: N_("Not found"), 405: N_("Not allowed"), 429: N_("Too many attempts")}
        return page(
            request, exc.status_code, titles.get(exc.status_code, N_("Something went wrong")), str(exc.detail)
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"error": "invalid request", "problems": jsonable_encoder(exc.errors())}, status_code=422
            )
        if request.method == "POST":
            flash(request, translate(request, "Some fields are missing or not valid."), "error")
            return redirect(_back(request))
        return page(
            request, 400, N_("Please check"), translate(request, "Some fields are missing or not valid.")
        )
