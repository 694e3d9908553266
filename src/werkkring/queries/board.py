"""Reading the host's synthesis board: the themes in the host's order with their cards, the cards in no
theme yet, the cards set aside with the reason, the board's version (each edit names it, so a stale edit is
refused) and whether a re-run is running in the background."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from werkkring.queries import votes as vote_queries
from werkkring.queries.sessions import contributions_of, themes_of
from werkkring.store.models import Job, WorkSession


@dataclass(frozen=True)
class Card:
    id: int
    text: str
    group: int | None
    placed: bool
    key: bool
    proposal: bool
    dots: int
    aside: str | None = None
    aside_detail: str = ""


@dataclass(frozen=True)
class BoardTheme:
    id: int
    label: str
    summary: str
    label_source: str
    summary_source: str
    pinned: bool
    size: int
    groups: tuple[int, ...]
    quotes: tuple[str, ...]
    undercurrent: bool
    cards: tuple[Card, ...]

    @property
    def draft(self) -> bool:
        """The label or the summary line is still a proposal (the draft's, a group's, the model's)."""
        return self.label_source != "host" or (bool(self.summary) and self.summary_source != "host")


@dataclass(frozen=True)
class BoardView:
    version: int
    themes: tuple[BoardTheme, ...]
    unsorted: tuple[Card, ...]
    aside: tuple[Card, ...]
    running: bool
    asked: int | None
    total: int
    groups: int
    harvest: tuple[tuple[int, str], ...] = ()
    """The groups' own one-line summaries (group harvest), by group number."""


def job_key(session_id: int) -> str:
    return f"board-rerun:{session_id}"


def running_job(session: Session, work_session: WorkSession) -> Job | None:
    """The re-run of this board queued or running in the background, if any."""
    return session.scalar(select(Job).where(Job.active_key == job_key(work_session.id)))


def board_of(session: Session, work_session: WorkSession) -> BoardView:
    numbers = {g.id: g.number for g in work_session.groups}
    dots = vote_queries.counts(session, work_session)
    themes = themes_of(session, work_session)
    by_theme: dict[int, list[Card]] = {t.id: [] for t in themes}
    unsorted: list[Card] = []
    aside: list[Card] = []
    contributions = contributions_of(session, work_session)
    for c in contributions:
        card = Card(
            id=c.id,
            text=c.text,
            group=numbers.get(c.group_id) if c.group_id is not None else None,
            placed=c.placed,
            key=c.key,
            proposal=c.is_proposal,
            dots=dots.get(c.id, 0),
            aside=c.aside,
            aside_detail=c.aside_detail,
        )
        if c.aside is not None:
            aside.append(card)
        elif c.theme_id in by_theme:
            by_theme[c.theme_id].append(card)
        else:
            unsorted.append(card)
    return BoardView(
        version=work_session.board_version,
        themes=tuple(
            BoardTheme(
                id=t.id,
                label=t.label,
                summary=t.summary,
                label_source=t.label_source,
                summary_source=t.summary_source,
                pinned=t.pinned,
                size=t.size,
                groups=tuple(int(g) for g in (t.groups or [])),
                quotes=tuple(str(q) for q in (t.quotes or [])),
                undercurrent=t.undercurrent,
                cards=tuple(by_theme[t.id]),
            )
            for t in themes
        ),
        unsorted=tuple(unsorted),
        aside=tuple(aside),
        running=running_job(session, work_session) is not None,
        asked=work_session.board_themes,
        total=len(contributions),
        groups=len({c.group_id for c in contributions if c.group_id is not None}),
        harvest=tuple((g.number, g.summary) for g in work_session.groups if (g.summary or "").strip()),
    )
