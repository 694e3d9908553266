"""The 20 % in three helixes: log hours, my dashboard (my share per helix per month against the aim), and the
network dashboard with aggregates only."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from werkkring import i18n
from werkkring.actions import helix as helix_actions
from werkkring.errors import N_, InputError, PermissionDenied
from werkkring.queries import helix as helix_queries
from werkkring.store.models import HELIXES
from werkkring.web.charts import StackedBars, stacked_bars
from werkkring.web.common import database, flash, locale_of, redirect, render, require_member, translate
from werkkring.web.labels import LABELS

router = APIRouter()
AIM = 0.20
MONTHS = 6
# Fewer members than this in a month and the network dashboard leaves that month out, so nobody's own
# entries can be read back from the aggregate.
MIN_MEMBERS = 5
HELIX_NAMES = LABELS["helix"]


def _months(today: dt.date, count: int) -> list[dt.date]:
    first = today.replace(day=1)
    result = []
    for _ in range(count):
        result.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(result))


def _working_hours(month: dt.date, hours_per_week: float) -> float:
    days = calendar.monthrange(month.year, month.month)[1]
    return hours_per_week * days / 7


def _month_key(value: dt.date) -> tuple[int, int]:
    return value.year, value.month


def _series(
    rows: list[tuple[dt.date, str, Decimal]], months: list[dt.date], hours_per_week: float
) -> list[list[float]]:
    hours: dict[tuple[int, int], dict[str, float]] = {}
    for day, helix, amount in rows:
        bucket = hours.setdefault(_month_key(day), {})
        bucket[helix] = bucket.get(helix, 0.0) + float(amount)
    return [
        [hours.get(_month_key(m), {}).get(h, 0.0) / _working_hours(m, hours_per_week) for h in HELIXES]
        for m in months
    ]


def _chart(request: Request, title: str, months: list[dt.date], values: list[list[float]]) -> object:
    token = i18n.current_locale.set(locale_of(request))
    try:
        labels = [i18n.format_date(m, "MMM yyyy") for m in months]
        names = [i18n.gettext(HELIX_NAMES[h]) for h in HELIXES]
        return stacked_bars(
            StackedBars(
                labels=labels,
                series=names,
                values=values,
                aim=AIM,
                aim_label=i18n.gettext("aim 20%"),
                title=title,
                description=i18n.gettext(
                    "Per month, the share of working time given to each helix, stacked, against the 20% aim. "
                    "The table below gives the same figures."
                ),
            )
        )
    finally:
        i18n.current_locale.reset(token)


@router.get("/helix", response_class=HTMLResponse)
def my_helix(request: Request, week: float = 40.0) -> HTMLResponse:
    week = min(max(week, 4.0), 80.0)
    today = dt.date.today()
    months = _months(today, MONTHS)
    with database(request).reader() as session:
        me = require_member(request, session)
        rows = helix_queries.hours_since(session, me, months[0])
        recent = helix_queries.entries(session, me)
        values = _series(rows, months, week)
        chart = _chart(request, translate(request, "My share per helix"), months, values)
        return render(
            request,
            "helix.html",
            {
                "chart": chart,
                "months": months,
                "values": values,
                "helixes": HELIXES,
                "helix_names": HELIX_NAMES,
                "recent": recent,
                "week": week,
                "today": today,
            },
            me=me,
            session=session,
        )


@router.post("/helix")
def log(
    request: Request,
    helix: Annotated[str, Form()],
    hours: Annotated[str, Form()],
    date: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise InputError(N_("%(value)r is not a date like 2026-11-29"), params={"value": date}) from None
    with database(request).transaction() as session:
        me = require_member(request, session)
        helix_actions.log_hours(
            session, helix=helix, hours=hours.replace(",", "."), date=day, note=note, actor=me
        )
    flash(request, translate(request, "Your hours have been logged."))
    return redirect("/helix")


@router.get("/helix/{entry_id}/delete", response_class=HTMLResponse)
def remove_page(request: Request, entry_id: int) -> HTMLResponse:
    """Removing an entry asks first (no script needed): the entry, and a button that removes it."""
    with database(request).reader() as session:
        me = require_member(request, session)
        entry = helix_queries.get_entry(session, entry_id)
        if entry.member_id != me.id:
            raise PermissionDenied(N_("you can only remove your own helix entries"))
        return render(request, "helix_delete.html", {"entry": entry}, me=me, session=session)


@router.post("/helix/{entry_id}/delete")
def remove(request: Request, entry_id: int, confirm: Annotated[str, Form()] = "") -> Response:
    if confirm != "yes":
        return redirect(f"/helix/{entry_id}/delete")
    with database(request).transaction() as session:
        me = require_member(request, session)
        helix_actions.delete_entry(session, helix_queries.get_entry(session, entry_id), actor=me)
    flash(request, translate(request, "The entry has been removed."))
    return redirect("/helix")


@router.get("/helix/network", response_class=HTMLResponse)
def network_helix(request: Request, week: float = 40.0) -> HTMLResponse:
    """Averages over the members who logged hours in a month; months with too few members are left out."""
    week = min(max(week, 4.0), 80.0)
    today = dt.date.today()
    months = _months(today, MONTHS)
    with database(request).reader() as session:
        me = require_member(request, session)
        totals, counts = helix_queries.network_months(session, months[0])
        values: list[list[float]] = []
        members: list[int] = []
        for month in months:
            key = month.year * 100 + month.month
            n = counts.get(key, 0)
            members.append(n)
            row = []
            for helix in HELIXES:
                total = totals.get((key, helix), 0.0)
                row.append(total / n / _working_hours(month, week) if n >= MIN_MEMBERS else 0.0)
            values.append(row)
        chart = _chart(request, translate(request, "The network's average share per helix"), months, values)
        return render(
            request,
            "helix_network.html",
            {
                "chart": chart,
                "months": months,
                "values": values,
                "members": members,
                "minimum": MIN_MEMBERS,
                "helixes": HELIXES,
                "helix_names": HELIX_NAMES,
                "week": week,
            },
            me=me,
            session=session,
        )
