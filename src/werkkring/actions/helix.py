"""The 20 % in three helixes: members log hours given to private life, society and the labour market."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from werkkring import limits
from werkkring.actions._audit import record
from werkkring.errors import N_, InputError, PermissionDenied, Problem
from werkkring.store.models import HELIXES, HelixEntry, Member


def log_hours(
    session: Session,
    *,
    actor: Member,
    helix: str,
    hours: Decimal | float | str,
    date: dt.date | None = None,
    note: str = "",
    audit: bool = True,
) -> HelixEntry:
    problems = []
    if helix not in HELIXES:
        problems.append(
            Problem(
                N_("helix must be one of %(choices)s, not %(value)r"),
                field="helix",
                params={"choices": ", ".join(HELIXES), "value": helix},
            )
        )
    try:
        amount = Decimal(str(hours)).quantize(Decimal("0.01"))
    except InvalidOperation:
        problems.append(
            Problem(N_("hours must be a number, not %(value)r"), field="hours", params={"value": hours})
        )
        amount = Decimal(0)
    else:
        if not Decimal(0) < amount <= Decimal(24):
            problems.append(
                Problem(
                    N_("hours must be more than 0 and at most 24, not %(value)s"),
                    field="hours",
                    params={"value": amount},
                )
            )
    when = date or dt.date.today()
    if when > dt.date.today() + dt.timedelta(days=1):
        problems.append(
            Problem(N_("date %(date)s lies in the future"), field="date", params={"date": when.isoformat()})
        )
    problems.extend(limits.check(limits.HELIX_ENTRY, {"note": note, "date": date})[1])
    if problems:
        raise InputError(problems)
    entry = HelixEntry(member_id=actor.id, helix=helix, hours=amount, date=when, note=note.strip())
    session.add(entry)
    session.flush()
    if audit:
        record(session, actor, "helix.log", "helix_entry", entry.id)
    return entry


def delete_entry(session: Session, entry: HelixEntry, *, actor: Member) -> None:
    if entry.member_id != actor.id:
        raise PermissionDenied(N_("you can only remove your own helix entries"))
    session.delete(entry)
    record(session, actor, "helix.delete", "helix_entry", entry.id)
