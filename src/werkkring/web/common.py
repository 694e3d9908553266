"""What every page handler shares: the template environment, who is signed in, flash messages, redirects."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from werkkring import i18n, lifecycle
from werkkring.actions.permissions import is_admin, is_host
from werkkring.config import Settings
from werkkring.domain import country_name
from werkkring.errors import Problem, WerkkringError, fill
from werkkring.limits import DB_INT_MAX
from werkkring.outreach import pdf_available
from werkkring.store import Database
from werkkring.store.models import Member
from werkkring.web.labels import label
from werkkring.web.security import CSRF_FIELD, csrf_token

HERE = Path(__file__).parent


class SignInRequired(Exception):
    """Raised by a page that needs a signed-in member; answered with a redirect to the sign-in page."""


def _marked(text: str) -> Markup:
    """Escape, then show the engine's **matched words** in bold."""
    return Markup(re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", str(escape(text))))


def _lines(text: str | None, semicolons: bool = False) -> list[str]:
    """A one-item-per-line field as its items; interests are also accepted separated by semicolons."""
    value = (text or "").replace(";", "\n") if semicolons else (text or "")
    return [line.strip() for line in value.splitlines() if line.strip()]


@functools.cache
def _hyphenator(language: str) -> Any:
    import pyphen

    return pyphen.Pyphen(lang=language if language in pyphen.LANGUAGES else "nl")


def _hyphenate(text: str) -> Markup:
    """Soft hyphens where the reader's language breaks words (Maat\u00adschap\u00adpij), so a narrow
    table heading may break across lines with a hyphen instead of widening the table past a phone."""
    words = _hyphenator(i18n.current_locale.get()).inserted
    return Markup(" ".join(str(escape(words(w, hyphen="\u00ad"))) for w in str(text).split(" ")))


def _message(message: Any) -> str:
    """A message for people (``queries.board.Message``: English template and parameters) in the reader's
    language."""
    return fill(message.template, message.params, i18n.gettext)


def _build_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change with a new release, not while it runs: no stat() of the file per page.
        auto_reload=False,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        date=i18n.format_date,
        datetime=i18n.format_datetime,
        time=i18n.format_time,
        number=i18n.format_number,
        percent=i18n.format_percent,
        country=lambda code: country_name(code or "", i18n.current_locale.get()),
        urlq=lambda value: quote(str(value), safe=""),
        marked=_marked,
        lines=_lines,
        hyphenate=_hyphenate,
        message=_message,
        clock=lambda value: "" if value is None else i18n.short_time(value, i18n.current_locale.get()),
    )
    env.globals["label"] = label
    env.globals["lifecycle"] = lifecycle  # what each session status allows, as the actions ask it
    env.globals["pdf_available"] = pdf_available
    return env


templates = _build_environment()


def database(request: Request) -> Database:
    db: Database = request.app.state.database
    return db


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


def password_stamp(member: Member) -> str:
    """Changes when the password changes, so a reset signs out every other browser."""
    return hashlib.sha256((member.password_hash or "-").encode()).hexdigest()[:16]


def current_member(request: Request, session: Session) -> Member | None:
    member_id = request.session.get("member_id")
    if not isinstance(member_id, int):
        return None
    member = session.get(Member, member_id)
    # A guest of one session (web/pages/room.py) is never a signed-in member.
    if (
        member is None
        or member.guest_of is not None
        or request.session.get("stamp") != password_stamp(member)
    ):
        request.session.pop("member_id", None)
        return None
    return member


def require_member(request: Request, session: Session) -> Member:
    member = current_member(request, session)
    if member is None:
        raise SignInRequired()
    return member


def sign_in(request: Request, member: Member) -> None:
    request.session.clear()
    request.session["member_id"] = member.id
    request.session["stamp"] = password_stamp(member)
    request.session["lang"] = i18n.normalise(member.language)
    csrf_token(request)


def locale_of(request: Request, me: Member | None = None) -> str:
    lang = request.session.get("lang")
    if isinstance(lang, str) and lang in i18n.LOCALES:
        return lang
    return i18n.normalise(me.language if me is not None else None)


def flash(request: Request, message: str, kind: str = "info") -> None:
    messages = list(request.session.get("flash", []))
    messages.append([kind, message])
    request.session["flash"] = messages[-5:]


def translate(request: Request, message: str) -> str:
    token = i18n.current_locale.set(locale_of(request))
    try:
        return i18n.gettext(message)
    finally:
        i18n.current_locale.reset(token)


def translate_count(request: Request, singular: str, plural: str, count: int) -> str:
    """A message with a count in the request's language, singular or plural as the language has it
    ("1 groep gevormd", "3 groepen gevormd"); ``%(num)s`` in it is the count."""
    token = i18n.current_locale.set(locale_of(request))
    try:
        return i18n.ngettext(singular, plural, count) % {"num": i18n.format_number(count)}
    finally:
        i18n.current_locale.reset(token)


def translate_error(request: Request, error: WerkkringError | Problem) -> str:
    """An error's message in the request's language: its English template translated, then filled in."""
    return error.render(lambda message: translate(request, message))


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(url: str | None, default: str = "/") -> str:
    """Only same-site paths: a sign-in link must not send people elsewhere."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return default


class _LazyFlag:
    """A yes/no the template asks for only on the pages that show it (is_host: one query, on one page)."""

    def __init__(self, ask: Callable[[], bool]) -> None:
        self._ask = ask
        self._value: bool | None = None

    def __bool__(self) -> bool:
        if self._value is None:
            self._value = self._ask()
        return self._value


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    me: Member | None = None,
    session: Session | None = None,
    status_code: int = 200,
    locale: str | None = None,
) -> HTMLResponse:
    """Render a page in ``locale``, else the reader's (their choice this visit, else their profile's)."""
    locale = i18n.normalise(locale) if locale else locale_of(request, me)
    token = i18n.current_locale.set(locale)
    try:
        host: object = False
        if me is not None and session is not None:
            host = _LazyFlag(lambda: is_host(session, me))
        csrf = csrf_token(request)
        values: dict[str, Any] = {
            "request": request,
            "me": me,
            "is_admin": is_admin(me),
            "is_host": host,
            "locale": locale,
            "languages": i18n.LANGUAGE_NAMES,
            "csrf": csrf,
            "csrf_field": Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{csrf}">'),
            "flashes": [] if name.startswith("_") else request.session.pop("flash", []),
            "path": request.url.path,
        }
        values.update(context or {})
        html = templates.get_template(name).render(values)
    finally:
        i18n.current_locale.reset(token)
    return HTMLResponse(html, status_code=status_code)


_WHOLE = re.compile(r"[+-]?\d+")


async def ids_in_range(request: Request) -> None:
    """A number in the path that no row can have (negative, or beyond the databases' integer, see
    :data:`werkkring.limits.DB_INT_MAX`) is simply not there: 404, before any query is made (PostgreSQL
    and SQLite would otherwise fail on it with a server error). Applies to every route of the app.
    ``async``: it does no I/O, and as a plain function FastAPI ran it in the thread pool, a second
    thread hop on every request."""
    for value in request.path_params.values():
        if isinstance(value, str) and _WHOLE.fullmatch(value) and not 0 <= int(value) <= DB_INT_MAX:
            raise HTTPException(404, "Not Found")
