"""Builds the web application (FastAPI + Jinja2) around one Database: pages for members and hosts, and the
JSON API under /api/v1 with its OpenAPI description at /api/openapi.json."""

from __future__ import annotations

import dataclasses
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from werkkring import __version__, live
from werkkring.config import Settings
from werkkring.errors import ConflictError, InputError, NotFoundError, PermissionDenied, WerkkringError
from werkkring.i18n import N_
from werkkring.jobs.runner import JobBackend
from werkkring.outreach import PANGO_HINT, PdfUnavailable
from werkkring.queries import circles as circle_queries
from werkkring.queries import members as member_queries
from werkkring.queries import sessions as session_queries
from werkkring.store import Database
from werkkring.store.keys import with_site_secret
from werkkring.store.models import Member
from werkkring.web import api, api_board, api_room
from werkkring.web.common import (
    SignInRequired,
    current_member,
    flash,
    ids_in_range,
    redirect,
    render,
    safe_next,
    translate,
    translate_error,
)
from werkkring.web.headers import SecurityHeaders
from werkkring.web.lean import HotWrites
from werkkring.web.middleware import RequestContext, request_id_of
from werkkring.web.pages import (
    accounts,
    circles,
    connections,
    helix,
    initiatives,
    jobs,
    members,
    notifications,
    outreach,
    present,
    public,
    session_edits,
    sessions,
    votes,
)
from werkkring.web.pages import board as board_pages
from werkkring.web.pages import room as room_pages
from werkkring.web.ratelimit import RateLimiter, SignInLimiter, counters_for
from werkkring.web.security import verify_csrf

HERE = Path(__file__).parent
SESSION_COOKIE = "werkkring_session"


def create_app(
    database: Database | None = None, settings: Settings | None = None, backend: JobBackend | None = None
) -> FastAPI:
    """The web app's start-up: ``werkkring serve`` passes the settings its root command read; an ASGI server
    calling this factory directly gets them from the environment, once, here. ``backend`` hands committed
    jobs to the job backend (default: the one ``settings.jobs_url`` names)."""
    settings = settings or Settings.from_env()
    database = database or Database(settings.database_url)
    if database.is_sqlite and database.engine.url.database in (None, "", ":memory:"):
        settings = dataclasses.replace(settings, secret_key=settings.secret_key or secrets.token_urlsafe(48))
    settings = with_site_secret(settings, database)
    backend = backend or JobBackend(database, settings)
    app = FastAPI(
        title="werkkring",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(ids_in_range)],
        description="The werkkring JSON API. Authenticate with a personal token: "
        "`Authorization: Bearer wk_...` (create one on your profile page). The same permissions apply as on "
        "the pages.",
    )
    app.state.database = database
    app.state.settings = settings
    app.state.jobs = backend
    app.state.rate = RateLimiter(counters_for(database, settings.redis_url))
    app.state.limiter = SignInLimiter(app.state.rate)
    app.state.readiness = {"jobs": backend.ping}
    live.configure(database, settings)
    app.state.live = live.Hub(database, settings)
    # The live room's hot writes skip FastAPI's router and dependency solving (werkkring.web.lean); added
    # first, so it runs inside the session cookie's layer and the ones around it.
    app.add_middleware(HotWrites)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=14 * 24 * 3600,
        same_site="lax",
        https_only=settings.base_url.startswith("https://"),
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Feeds and unsubscribe links carry their own secret and are followed from calendars and mail clients.
    app.include_router(outreach.links, include_in_schema=False)

    app.add_middleware(RequestContext, error_page=_server_error_page)
    app.add_middleware(SecurityHeaders)  # outermost: the error pages RequestContext makes carry them too

    front = FrontPage(database)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        with database.reader() as session:
            me = current_member(request, session)
            counts, circle_list = front.facts(session)
            return render(
                request, "home.html", {"counts": counts, "circles": circle_list}, me=me, session=session
            )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        """The process is up and answers; says nothing about what it depends on (that is /readyz)."""
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        """Ready to serve: the database and the job backend answer. 503 with what is missing otherwise."""
        checks = {name: check() for name, check in readiness_checks(app).items()}
        ready = all(problem is None for problem in checks.values())
        return JSONResponse(
            {
                "status": "ok" if ready else "unavailable",
                "checks": {name: problem or "ok" for name, problem in checks.items()},
            },
            status_code=200 if ready else 503,
        )

    pages = [
        accounts,
        members,
        circles,
        sessions,
        initiatives,
        connections,
        helix,
        outreach,
        jobs,
        votes,
        present,
        session_edits,
        notifications,
        public,
    ]
    for module in pages:
        app.include_router(module.router, dependencies=[Depends(verify_csrf)], include_in_schema=False)
    # The live room: join by code, guests, the door (werkkring.web.pages.room).
    app.include_router(room_pages.router, dependencies=[Depends(verify_csrf)], include_in_schema=False)
    # The host's synthesis board (werkkring.web.pages.board) and its part of the JSON API.
    app.include_router(board_pages.router, dependencies=[Depends(verify_csrf)], include_in_schema=False)
    app.include_router(api.router)
    app.include_router(api_room.router)
    app.include_router(api_board.router)
    _install_error_pages(app)
    return app


@dataclass(frozen=True)
class CircleCard:
    id: int
    name: str
    description: str


class FrontPage:
    """The start page's counts and circles, read at most once every few seconds per process: every visitor
    sees the same, and counting 10,000 members on each visit cost a fifth of the page's time."""

    SECONDS: ClassVar[float] = 10.0

    def __init__(self, database: Database) -> None:
        self.database = database
        self._facts: tuple[dict[str, int], list[CircleCard]] | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()

    def facts(self, session: Session) -> tuple[dict[str, int], list[CircleCard]]:
        now = time.monotonic()
        if self._facts is not None and now - self._read_at < self.SECONDS:
            return self._facts
        counts = {
            "members": member_queries.member_count(session),
            "circles": circle_queries.circle_count(session),
            "sessions": session_queries.session_count(session),
        }
        circles = [
            CircleCard(c.id, c.name, c.description) for c in circle_queries.all_circles(session, by_kind=True)
        ]
        with self._lock:
            self._facts, self._read_at = (counts, circles), now
        return counts, circles


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _back(request: Request) -> str:
    referer = request.headers.get("referer", "")
    base = str(request.base_url)
    if referer.startswith(base):
        return safe_next("/" + referer[len(base) :].lstrip("/"), "/")
    return "/"


def readiness_checks(app: FastAPI) -> dict[str, Callable[[], str | None]]:
    """What /readyz asks: each check returns None when fine, else what is wrong (one line)."""
    database: Database = app.state.database

    def database_check() -> str | None:
        try:
            with database.engine.connect() as connection:
                connection.execute(select(1))
        except Exception as error:
            return f"database: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        return None

    checks: dict[str, Callable[[], str | None]] = {"database": database_check}
    checks.update(getattr(app.state, "readiness", {}))
    return checks


def _signed_in(request: Request) -> Member | None:
    """The member for the layout of an error page, if the database answers (it may be why we are here)."""
    if "session" not in request.scope:
        return None
    try:
        with request.app.state.database.reader() as session:
            return current_member(request, session)
    except Exception:
        return None


async def _server_error_page(request: Request, request_id: str) -> Response:
    """An unhandled error: the person sees the request id to quote; the log line with it has the traceback."""
    if _is_api(request):
        return JSONResponse({"error": "internal server error", "request_id": request_id}, status_code=500)
    title = N_("Something went wrong")
    text = N_(
        "An unexpected error stopped this page. It has been logged; if you tell the administrator, "
        "mention this code: %(code)s"
    )
    if "session" not in request.scope:
        request.scope["session"] = {}
    return render(
        request,
        "error.html",
        {
            "title": translate(request, title),
            "message": translate(request, text) % {"code": request_id},
            "request_id": request_id,
        },
        status_code=500,
    )


def _install_error_pages(app: FastAPI) -> None:
    def page(request: Request, status: int, title: str, message: str) -> Response:
        if _is_api(request):
            return JSONResponse({"error": message}, status_code=status)
        me = _signed_in(request)
        return render(
            request,
            "error.html",
            {"title": translate(request, title), "message": message, "request_id": request_id_of(request)},
            me=me,
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

    @app.exception_handler(PdfUnavailable)
    async def no_pdf(request: Request, exc: PdfUnavailable) -> Response:
        """The machine lacks Pango: say so and how to get it, instead of a bare server error."""
        text = translate(
            request,
            "This server cannot make PDF files yet: it lacks the Pango library. An administrator installs it "
            "with %(command)s. The HTML version works meanwhile.",
        ) % {"command": PANGO_HINT}
        return page(request, 501, N_("PDF not available here"), text)

    @app.exception_handler(ConflictError)
    async def conflict(request: Request, exc: ConflictError) -> Response:
        """Someone else acted first on the same thing (a co-host changed the board, two hosts formed the
        groups, Publish pressed twice): nothing changed; 409, with a link to the page as it is now."""
        if _is_api(request):
            return JSONResponse({"error": str(exc)}, status_code=409)
        found = re.match(r"/sessions/(\d+)/", request.url.path)
        board = "/board" in request.url.path
        return render(
            request,
            "error.html",
            {
                "title": translate(
                    request, N_("The board changed") if board else N_("Changed in the meantime")
                ),
                "message": message(request, exc),
                "request_id": request_id_of(request),
                "back": f"/sessions/{found.group(1)}" + ("#board" if board else "") if found else None,
                "back_text": translate(request, N_("Reload the board") if board else N_("Look at it again")),
            },
            me=_signed_in(request),
            status_code=409,
        )

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
        titles = {
            404: N_("Not found"),
            403: N_("Not allowed"),
            405: N_("Not allowed"),
            429: N_("Too many attempts"),
        }
        # Starlette's own answers ("Not Found" for an unknown address) are English words; say it properly.
        standard = {
            404: N_("There is no page at this address. Perhaps the link is old or has a typo."),
            405: N_("This page cannot be used this way."),
        }
        detail = str(exc.detail)
        if exc.status_code in standard and detail in ("Not Found", "Method Not Allowed"):
            detail = translate(request, standard[exc.status_code])
        response = page(
            request, exc.status_code, titles.get(exc.status_code, N_("Something went wrong")), detail
        )
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            # The input itself is not echoed: it may be a NaN or a lone surrogate that JSON cannot carry, or
            # a megabyte of text.
            problems = [
                {
                    "field": str(error["loc"][-1]) if error.get("loc") else None,
                    "loc": [str(part) for part in error.get("loc", ())],
                    "message": str(error.get("msg", "")),
                    "type": str(error.get("type", "")),
                }
                for error in exc.errors()
            ]
            return JSONResponse({"error": "invalid request", "problems": problems}, status_code=422)
        if request.method == "POST":
            flash(request, translate(request, "Some fields are missing or not valid."), "error")
            return redirect(_back(request))
        return page(
            request, 400, N_("Please check"), translate(request, "Some fields are missing or not valid.")
        )
