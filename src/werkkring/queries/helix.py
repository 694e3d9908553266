"""Reading the 20 % in three helixes: a member's own hours, and the network's totals per month (the page
leaves out months with too few members, so nobody's entries can be read back from an aggregate)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from werkkring.errors import N_, NotFoundError
from werkkring.store.models import HelixEntry, Member


def get_entry(session: Session, entry_id: int) -> HelixEntry:
    entry = session.get(HelixEntry, entry_id)
    if entry is None:
        raise NotFoundError(N_("no helix entry %(id)s"), {"id": entry_id})
    return entry


def hours_since(session: Session, member: Member, since: dt.date) -> list[tuple[dt.date, str, Decimal]]:
    """The member's (date, helix, hours) from ``since`` on."""
    return [
        (day, helix, hours)
        for day, helix, hours in session.execute(
            select(HelixEntry.date, HelixEntry.helix, HelixEntry.hours).where(
                HelixEntry.member_id == member.id, HelixEntry.date >= since
            )
        ).all()
    ]


def entries(
    session: Session, member: Member, *, since: dt.date | None = None, limit: int = 20
) -> Sequence[HelixEntry]:
    """The member's own entries, latest first."""
    query = select(HelixEntry).where(HelixEntry.member_id == member.id)
    if since is not None:
        query = query.where(HelixEntry.date >= since)
    return session.scalars(query.order_by(HelixEntry.date.desc(), HelixEntry.id.desc()).limit(limit)).all()


def network_months(session: Session, since: dt.date) -> tuple[dict[tuple[int, str], float], dict[int, int]]:
    """From ``since`` on: total hours per (year*100+month, helix), and how many members logged per month."""
    month = func.extract("year", HelixEntry.date) * 100 + func.extract("month", HelixEntry.date)
    totals = {
        (int(key), helix): float(total or 0)
        for key, helix, total in session.execute(
            select(month, HelixEntry.helix, func.sum(HelixEntry.hours))
            .where(HelixEntry.date >= since)
            .group_by(month, HelixEntry.helix)
        ).all()
    }
    people = {
        int(key): int(count)
        for key, count in session.execute(
            select(month, func.count(func.distinct(HelixEntry.member_id)))
            .where(HelixEntry.date >= since)
            .group_by(month)
        ).all()
    }
    return totals, people
