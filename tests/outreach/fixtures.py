"""Themes for the demo network's past sessions, standing in for the synthesis engine: each contribution of
the demo belongs to one latent theme of the demo vocabulary, so grouping by that gives honest themes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from werkkring.actions.permissions import SYSTEM
from werkkring.actions.sessions import ThemeInput, store_themes
from werkkring.demo import _vocabulary as vocab
from werkkring.store.models import Contribution, WorkSession

TODAY = dt.date(2026, 11, 29)

# Hand-written label and summary line per latent theme of each past demo session.
LABELS: dict[str, list[tuple[str, str]]] = {
    "Werksessie: wat heb je nodig?": [
        ("Samen kansen zoeken", "Met anderen, ook buiten het eigen vak, nieuwe mogelijkheden verkennen."),
        ("Laten zien dat het anders kan", "Anderen bewust maken van een andere manier van werken."),
        ("Een luisterend oor", "Een veilige plek om twijfels te delen, zonder meteen oplossingen."),
        ("Werk dat ertoe doet", "Betekenis vinden in het werk van elke dag."),
    ],
    "Werksessie: de 20 % in de praktijk": [
        ("Maatschappij", "Vrijwilligerswerk, lesgeven en besturen als maatschappelijke tijd."),
        ("Privé", "Tijd voor familie en rust even bewust plannen als werk."),
        ("Arbeidsmarkt", "Kennis en opdrachten delen, starters op weg helpen."),
        ("Overzicht van de uren", "Zonder bijhouden weet niemand of de 20 % gehaald wordt."),
    ],
    "Work session: reaching new members": [
        ("Show it on film", "Short films in which members tell how a session feels."),
        ("LinkedIn again", "Bring the LinkedIn group back to life and share reports there."),
        ("Open doors", "Let people join once, bring a friend, and get a buddy."),
    ],
    "Werksessie: lokaal en samen": [
        ("Zichtbaar in de regio", "Samen naar buiten: markt, bibliotheek, gemeente."),
        ("Elkaar leren kennen", "Informeel samenkomen: lunchen, wandelen, koffie."),
        ("Samen opdrachten doen", "Grotere klussen samen oppakken en elkaar werk gunnen."),
    ],
}


def add_demo_themes(session: Session, session_id: int) -> int:
    """Store themes for one past demo session; returns how many."""
    work_session = session.get(WorkSession, session_id)
    assert work_session is not None
    spec = next(s for s in vocab.PAST_SESSIONS if s[0] == work_session.title)
    latent = spec[3]
    contributions = session.scalars(
        select(Contribution).where(Contribution.session_id == session_id).order_by(Contribution.id)
    ).all()
    group_number = {g.id: g.number for g in work_session.groups}
    themes = []
    for index, texts in enumerate(latent):
        mine = [c for c in contributions if c.text in texts]
        if not mine:
            continue
        groups = sorted({group_number[c.group_id] for c in mine if c.group_id is not None})
        quotes = list(dict.fromkeys(c.text for c in mine))[:2]
        label, summary = LABELS[work_session.title][index]
        themes.append(
            ThemeInput(
                label=label,
                summary=summary,
                size=len(mine),
                groups=groups,
                quotes=quotes,
                undercurrent=len(groups) == len(work_session.groups) and len(groups) > 1,
            )
        )
    themes.sort(key=lambda t: (-len(t.groups), -t.size))
    store_themes(session, work_session, themes, actor=SYSTEM)
    return len(themes)


def past_session_ids(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(WorkSession.id)
            .where(WorkSession.starts_at < dt.datetime.combine(TODAY, dt.time()))
            .order_by(WorkSession.starts_at)
        )
    )
