"""A work session with the input of a real evening, for the board's tests: ../shared/examples/session-17.tsv
when it is there (read in place, never copied), else the same evening as kept in
tests/actions/test_synthesis_action.py. Nine people in three groups, a host and a co-host."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from tests.actions.test_synthesis_action import LINES
from tests.web import factories
from werkkring.actions import sessions as session_actions
from werkkring.store.models import Member

SESSION_17 = Path(__file__).resolve().parents[2] / "shared" / "examples" / "session-17.tsv"
QUESTION = "Waar heb jij behoefte aan in WIN-verband?"


def evening_lines() -> list[tuple[int, str, int]]:
    """(group, text, facilitator's theme; 0 = off-topic) per line."""
    if SESSION_17.exists():
        with SESSION_17.open(encoding="utf-8") as handle:
            return [
                (int(r["group"]), r["text"], int(r["theme"])) for r in csv.DictReader(handle, delimiter="\t")
            ]
    off = {
        "De koffie was koud vanavond :)",
        "Ik moet om half tien weg, sorry.",
        "Graag het wifi-wachtwoord op het bord.",
    }
    return [(g, t, 0 if t in off else g) for g, lines in LINES.items() for t in lines]


@dataclass
class Evening:
    session_id: int
    host: int
    cohost: int
    participant: int
    admin: int
    cards: dict[str, int]  # text -> contribution id


def evening(
    session: Session, *, title: str = "De blik vooruit", lines: list[tuple[int, str, int]] | None = None
) -> Evening:
    circle = factories.circle(session, f"Kring {title}")
    host = factories.member(session, f"Hanna Host {title}", role="host", circles=[circle])
    cohost = factories.member(session, f"Cor Cohost {title}", role="host", circles=[circle])
    admin = factories.member(session, f"Ada Admin {title}", role="admin")
    people = [
        factories.member(session, f"Lid {i} {title}", circles=[circle], birth_year=1960 + 3 * i)
        for i in range(9)
    ]
    ws = session_actions.create_session(
        session,
        title=title,
        question=QUESTION,
        starts_at=dt.datetime.now() + dt.timedelta(hours=1),
        circle_id=circle.id,
        group_size=3,
        actor=host,
    )
    for person in people:
        session_actions.register(session, ws, actor=person)
    session_actions.seat_groups(session, ws, [[p.id for p in people[i::3]] for i in range(3)], actor=host)
    session_actions.lock_groups(session, ws, actor=host)
    cards = {}
    for group, text, _theme in lines or evening_lines():
        made = session_actions.add_contribution(session, ws, text, group_number=group, actor=host)
        cards[text] = made.id
    participant: Member = people[0]
    return Evening(ws.id, host.id, cohost.id, participant.id, admin.id, cards)
