"""Reading the host's synthesis board: the themes in the host's order with their cards, the cards in no
theme yet, the cards set aside with the reason, the board's version (each edit names it, so a stale edit is
refused), whether a re-run is running in the background, and what became of the last background draft
(:func:`draft_job`: queued, running, trying again, failed with a message for people, or done)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from werkkring.domain import TIMEZONE
from werkkring.errors import N_
from werkkring.queries import votes as vote_queries
from werkkring.queries.sessions import contributions_of, themes_of
from werkkring.store.models import Job, WorkSession, utcnow


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
    draft: DraftJob | None = None
    """What became of the last background draft (:func:`draft_job`)."""


def job_key(session_id: int) -> str:
    return f"board-rerun:{session_id}"


def running_job(session: Session, work_session: WorkSession) -> Job | None:
    """The re-run of this board queued or running in the background, if any."""
    return session.scalar(select(Job).where(Job.active_key == job_key(work_session.id)))


DraftState = Literal["queued", "running", "retrying", "failed", "done"]
# A draft that no worker has taken after this long is taken for stuck (the worker normally takes a job
# within a second, and its sweep hands over a lost one within a minute); a running one is stuck when its
# lease ran out (the job extends it while the engine computes, see jobs.board).
STUCK_QUEUED: Final = dt.timedelta(minutes=3)
_STATES: Final[dict[str, DraftState]] = {
    "queued": "queued",
    "running": "running",
    "retrying": "retrying",
    "failed": "failed",
}
_ZONE: Final = ZoneInfo(TIMEZONE)
_UTC: Final = ZoneInfo("UTC")

# What went wrong, for people: the job stores the message of an error werkkring raised on purpose (its
# English template and parameters, in progress["problem"]); anything else is the server's, and its details
# are in the server's log, never on the page.
SERVER_PROBLEM: Final = N_(
    "something went wrong on the server while the draft was being made; the details are in the server's log"
)
STOPPED_PROBLEM: Final = N_("the background worker stopped while it was making the draft")
STUCK_QUEUED_PROBLEM: Final = N_(
    "the draft has not started yet: the background worker may not be running; try again, or tell the "
    "administrator"
)
STUCK_RUNNING_PROBLEM: Final = N_("the background worker that was making the draft stopped answering")


@dataclass(frozen=True)
class Message:
    """A message for people: an English template (in the catalog) and its parameters."""

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DraftJob:
    """The last background draft of a board, as its host sees it. Times are in the network's zone."""

    id: str
    state: DraftState
    asked_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    retry_at: dt.datetime | None
    attempts: int
    max_attempts: int
    themes: int | None
    """The number of themes asked for (None: automatic)."""
    stuck: bool
    """Queued and not taken for :data:`STUCK_QUEUED`, or running past its lease: it may never end."""
    problem: tuple[Message, ...] = ()
    """Why it failed (or is trying again, or is stuck), for people; never a traceback."""

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running", "retrying")

    @property
    def can_retry(self) -> bool:
        """The host's "try again" applies: it failed, or it is stuck."""
        return self.state == "failed" or self.stuck


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """A job's time (stored as UTC without zone) in the network's zone."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=_UTC)).astimezone(_ZONE)


def _problem(job: Job, state: DraftState, stuck: bool) -> tuple[Message, ...]:
    if stuck:
        return (Message(STUCK_QUEUED_PROBLEM if state == "queued" else STUCK_RUNNING_PROBLEM),)
    if state not in ("failed", "retrying") or not job.error:
        return ()
    stored = (job.progress or {}).get("problem")
    if isinstance(stored, list) and stored:
        return tuple(
            Message(str(p.get("template", "")), dict(p.get("params") or {}))
            for p in stored
            if isinstance(p, dict) and p.get("template")
        ) or (Message(SERVER_PROBLEM),)
    if job.error.startswith("handed over again"):
        return ()
    if job.error.startswith("the runner stopped"):
        return (Message(STOPPED_PROBLEM),)
    return (Message(SERVER_PROBLEM),)


def draft_job(
    session: Session, work_session: WorkSession, *, now: dt.datetime | None = None
) -> DraftJob | None:
    """The last background draft (re-run) of this board, whatever became of it; None when the board never
    had one (a small board is drafted in the request)."""
    job = session.scalar(
        select(Job)
        .where(Job.key == job_key(work_session.id))
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(1)
    )
    if job is None:
        return None
    now = now or utcnow()
    state = _STATES.get(job.status, "done")
    stuck = (state in ("queued", "retrying") and job.run_after + STUCK_QUEUED < now) or (
        state == "running" and job.lease_until is not None and job.lease_until < now
    )
    themes = (job.payload or {}).get("themes")
    return DraftJob(
        id=job.id,
        state=state,
        asked_at=_local(job.created_at) or job.created_at,
        started_at=_local(job.started_at),
        finished_at=_local(job.finished_at),
        retry_at=_local(job.run_after) if state == "retrying" else None,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        themes=themes if isinstance(themes, int) else None,
        stuck=stuck,
        problem=_problem(job, state, stuck),
    )


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
        draft=draft_job(session, work_session),
    )
