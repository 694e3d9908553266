"""Builds the web application (FastAPI + Jinja2) around one Database."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import and_, func, or_, select

from werkkring.domain import country_name
from werkkring.store import Database
from werkkring.store.models import Circle, Member, Membership, WorkSession
from werkkring.web.outreach_routes import router as outreach_router

HERE = Path(__file__).parent
PAGE_SIZE = 50


def create_app(database: Database | None = None) -> FastAPI:
    database = database or Database()
    app = FastAPI(title="werkkring", version="0.1.0", docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.database = database
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals["country_name"] = country_name
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(outreach_router)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        with database.reader() as session:
            counts = {
                "members": session.scalar(select(func.count()).select_from(Member)) or 0,
                "circles": session.scalar(select(func.count()).select_from(Circle)) or 0,
                "sessions": session.scalar(select(func.count()).select_from(WorkSession)) or 0,
            }
            circles = session.scalars(select(Circle).order_by(Circle.kind, Circle.name)).all()
        return templates.TemplateResponse(request, "home.html", {"counts": counts, "circles": circles})

    @app.get("/members", response_class=HTMLResponse)
    def directory(request: Request, q: str = "", circle: str = "", page: int = 1) -> HTMLResponse:
        page = max(1, page)
        with database.reader() as session:
            query = select(Member).order_by(Member.name, Member.id)
            if circle:
                query = query.join(Membership).join(Circle).where(Circle.slug == circle)
            if q.strip():
                like = f"%{q.strip()}%"
                offers_public = func.coalesce(Member.visibility["offers"].as_string(), "network") == "network"
                query = query.where(
                    or_(Member.name.ilike(like), and_(offers_public, Member.offers.ilike(like)))
                )
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            members = session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
            circle_names = {
                member_id: names
                for member_id, names in _circle_names(session, [m.id for m in members]).items()
            }
            circles = session.scalars(select(Circle).order_by(Circle.name)).all()
            rows = [_public_card(m, circle_names.get(m.id, [])) for m in members]
        return templates.TemplateResponse(
            request,
            "members.html",
            {
                "rows": rows,
                "q": q,
                "circle": circle,
                "circles": circles,
                "page": page,
                "total": total,
                "pages": max(1, -(-total // PAGE_SIZE)),
            },
        )

    return app


def _circle_names(session: object, member_ids: list[int]) -> dict[int, list[str]]:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    names: dict[int, list[str]] = {}
    if not member_ids:
        return names
    for member_id, name in session.execute(
        select(Membership.member_id, Circle.name).join(Circle).where(Membership.member_id.in_(member_ids))
    ):
        names.setdefault(member_id, []).append(name)
    return names


def _public_card(member: Member, circles: list[str]) -> dict[str, object]:
    """Only what the member shows to the whole network."""

    def shown(field: str) -> bool:
        return member.visibility_of(field) == "network"

    return {
        "name": member.name,
        "circles": sorted(circles),
        "region": member.region if shown("region") else None,
        "country": member.country if shown("country") else None,
        "offers": [o for o in member.offers.splitlines() if o.strip()] if shown("offers") else [],
    }
