"""What the room sees: the host's panel on the session page, and the projector (/sessions/ID/present) — the
question, the join code, the phase and the timer, the groups at their tables with a live count of their
input, the dots, and after the synthesis the themes (the host's version) with their support from the dots."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from werkkring import lifecycle
from werkkring.queries import timer as timer_queries
from werkkring.queries import votes as vote_queries
from werkkring.queries.sessions import groups_with_seats, registration_counts, themes_of
from werkkring.queries.timer import TimerView
from werkkring.queries.votes import Support, Tally
from werkkring.store.models import BreakoutGroup, Contribution, Seat, Theme, WorkSession

# The phases a room goes through, as the projector names them, from the session's status.
PHASES = lifecycle.PHASES
TOP_CARDS = 6


@dataclass(frozen=True)
class Panel:
    """What the session page shows of the room: the dots and the voting, how many dots are down, the timer."""

    dots: int
    voting: str
    tally: Tally
    timer: TimerView
    round: int = 1
    input_closed: bool = False
    """The host closed the current round's input."""


def panel(session: Session, work_session: WorkSession) -> Panel:
    settings = vote_queries.settings_of(session, work_session)
    timer = timer_queries.timer_of(session, work_session)
    return Panel(
        settings.dots,
        settings.voting,
        vote_queries.tally(session, work_session),
        timer,
        round=timer.round_no,
        input_closed=settings.input_closed_round >= timer.round_no,
    )


@dataclass(frozen=True)
class Table:
    """A group at its table: the number on the table card, who sits there, how much they wrote."""

    number: int
    people: int
    names: tuple[str, ...]
    contributions: int
    host: str | None = None


@dataclass(frozen=True)
class TopCard:
    text: str
    group: int | None
    dots: int
    proposal: bool


@dataclass(frozen=True)
class ShownTheme:
    id: int
    label: str
    summary: str
    quotes: tuple[str, ...]
    groups: tuple[int, ...]
    size: int
    support: Support


@dataclass(frozen=True)
class Projection:
    phase: str
    signed_up: int
    tables: tuple[Table, ...]
    contributions: int
    panel: Panel
    top: tuple[TopCard, ...]
    themes: tuple[ShownTheme, ...]
    join_code: str | None


def join_code(work_session: WorkSession) -> str | None:
    """The session's join code once join-by-code gives it one (the projector does without until then)."""
    for name in ("join_code", "code"):
        value = getattr(work_session, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def contribution_counts(session: Session, work_session: WorkSession) -> dict[int | None, int]:
    """Input per group id (None: input without a group)."""
    rows = session.execute(
        select(Contribution.group_id, func.count())
        .where(Contribution.session_id == work_session.id)
        .group_by(Contribution.group_id)
    ).all()
    return {group_id: int(n) for group_id, n in rows}


def table_host(seats: Sequence[Seat], work_session: WorkSession) -> str | None:
    """Who hosts the table: the facilitator the host pinned to it (with table hosts), else a host of the
    network seated there (the grouping engine spreads hosts over the groups), never the session's host."""
    pinned = [seat for seat in seats if getattr(seat, "table_host", False) is True]
    if pinned:
        return pinned[0].member.name
    hosts = sorted(
        seat.member.name
        for seat in seats
        if seat.member.role in ("host", "admin") and seat.member_id != work_session.host_id
    )
    return hosts[0] if hosts else None


def tables(session: Session, work_session: WorkSession) -> tuple[Table, ...]:
    counts = contribution_counts(session, work_session)
    return tuple(
        Table(
            number=group.number,
            people=len(group.seats),
            names=tuple(sorted(seat.member.name for seat in group.seats)),
            contributions=counts.get(group.id, 0),
            host=table_host(group.seats, work_session),
        )
        for group in groups_with_seats(session, work_session)
    )


def name_index(found: Sequence[Table]) -> list[tuple[str, int]]:
    """Everyone seated, by name, with their table: the list at the door."""
    return sorted(
        ((name, t.number) for t in found for name in t.names), key=lambda nt: (nt[0].lower(), nt[1])
    )


def top_cards(session: Session, work_session: WorkSession, limit: int = TOP_CARDS) -> tuple[TopCard, ...]:
    counts = vote_queries.counts(session, work_session)
    if not counts:
        return ()
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    rows = session.execute(
        select(Contribution, BreakoutGroup.number)
        .outerjoin(BreakoutGroup, BreakoutGroup.id == Contribution.group_id)
        .where(Contribution.id.in_([card for card, _ in best]))
    ).all()
    found = {c.id: (c, number) for c, number in rows}
    return tuple(
        TopCard(found[card][0].text, found[card][1], dots, found[card][0].is_proposal)
        for card, dots in best
        if card in found
    )


def shown_themes(session: Session, work_session: WorkSession) -> tuple[ShownTheme, ...]:
    """The themes as the host left them (labels, order, cards), each with its support from the dots."""
    support = vote_queries.theme_support(session, work_session)
    themes: list[Theme] = themes_of(session, work_session)
    return tuple(
        ShownTheme(
            id=t.id,
            label=t.label,
            summary=t.summary,
            quotes=tuple(str(q) for q in (t.quotes or []) if str(q).strip())[:2],
            groups=tuple(sorted(int(g) for g in (t.groups or []))),
            size=t.size,
            support=support.get(t.id, Support()),
        )
        for t in themes
        if t.size
    )


def projection(session: Session, work_session: WorkSession) -> Projection:
    room = panel(session, work_session)
    phase = lifecycle.phase(work_session.status)
    seated = tables(session, work_session)
    counts = contribution_counts(session, work_session)
    return Projection(
        phase=phase,
        signed_up=registration_counts(session, [work_session.id]).get(work_session.id, 0),
        tables=seated,
        contributions=sum(counts.values()),
        panel=room,
        top=top_cards(session, work_session) if room.voting != "closed" else (),
        themes=shown_themes(session, work_session) if phase in ("synthesis", "published") else (),
        join_code=join_code(work_session),
    )
