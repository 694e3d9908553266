# ruff: noqa: E501
"""The web app's synthesis path (actions.sessions.run_synthesis): it passes the session's question, so lines
that do not answer it get no theme and are never stored as a quote or summary line."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from werkkring.actions import sessions
from werkkring.actions.members import create_member
from werkkring.actions.permissions import SYSTEM
from werkkring.io.members_csv import MemberRow
from werkkring.store import Database
from werkkring.store.models import AuditEntry, Contribution, Member, Theme

LINES = {
    1: [
        "Ik zoek mensen met wie ik samen nieuwe opdrachten kan oppakken; in mijn eentje zie ik de kansen niet meer.",
        "Samen met anderen verkennen welke nieuwe mogelijkheden er zijn, bijvoorbeeld door ons aanbod te combineren.",
        "Behoefte aan sparren met collega's uit andere vakgebieden om op nieuwe ideeën te komen.",
        "Voorstel: een filmpje maken waarin leden vertellen wat WIN hun brengt, om nieuwe mensen te laten zien wat mogelijk is.",
        "De koffie was koud vanavond :)",
        "In verbinding met anderen ontdekken wat mijn volgende stap wordt.",
    ],
    2: [
        "Meer mensen laten zien dat je ook anders kunt werken: in een netwerk van zelfstandigen in plaats van in loondienst.",
        "Bewustwording dat werk niet alleen om geld draait, maar ook om je bijdrage aan de samenleving.",
        "Bij opdrachtgevers het besef kweken dat zelfstandigen samen een volwaardig team kunnen vormen.",
        "Voorstel: de LinkedIn-groep Smaakmakers nieuw leven inblazen, zodat ons verhaal over anders werken zichtbaar wordt.",
        "Ik moet om half tien weg, sorry.",
    ],
    3: [
        "Een plek waar ik mijn twijfels kwijt kan zonder dat iemand meteen met een oplossing komt.",
        "Een luisterend oor als het even tegenzit met opdrachten of met mezelf.",
        "Een veilige omgeving om te oefenen met nieuwe rollen en fouten te mogen maken.",
        "Iemand die gewoon vraagt hoe het met me gaat, niet alleen met mijn bedrijf.",
        "Intervisie in kleine vaste groepjes, vertrouwelijk.",
        "Graag het wifi-wachtwoord op het bord.",
    ],
}
OFF_TOPIC = {
    "De koffie was koud vanavond :)",
    "Ik moet om half tien weg, sorry.",
    "Graag het wifi-wachtwoord op het bord.",
}


def test_run_synthesis_sets_aside_what_does_not_answer_the_question(database: Database) -> None:
    with database.transaction() as session:
        people = [
            create_member(
                session, MemberRow(line=i, name=f"Lid {i}", email=f"lid{i}@example.org"), actor=SYSTEM
            )
            for i in range(9)
        ]
        people[0].role = "host"
        session.flush()
        host = people[0]
        ws = sessions.create_session(
            session,
            title="De blik vooruit",
            question="Waar heb jij behoefte aan in WIN-verband?",
            starts_at=dt.datetime(2026, 12, 20, 19, 30),
            group_size=3,
            actor=host,
        )
        for member in people:
            sessions.register(session, ws, actor=member)
        sessions.form_groups(session, ws, actor=host)
        for number, lines in LINES.items():
            for text in lines:
                sessions.add_contribution(session, ws, text, group_number=number, actor=host)
        ws_id = ws.id
    with database.transaction() as session:
        ws = sessions.get_session(session, ws_id)
        host = session.scalars(select(Member).where(Member.role == "host")).one()
        host_id = host.id
        before = session.scalar(select(func.count()).select_from(AuditEntry))
        made = sessions.run_synthesis(session, ws, actor=host)
        assert len(made) == 3
    with database.reader() as session:  # one click, one audit entry (it wrote two before the board)
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id).offset(before)).all()
        assert [(e.action, e.actor_id) for e in entries] == [("board.rerun", host_id)]
    with database.reader() as session:
        themes = session.scalars(select(Theme).where(Theme.session_id == ws_id)).all()
        stored = {t for theme in themes for t in (theme.summary, *theme.quotes)}
        assert not stored & OFF_TOPIC
        rows = session.scalars(select(Contribution).where(Contribution.session_id == ws_id)).all()
        for row in rows:
            assert (row.theme_id is None) == (row.text in OFF_TOPIC), row.text
        assert sum(theme.size for theme in themes) == len(rows) - len(OFF_TOPIC)
