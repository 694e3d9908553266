"""The host's synthesis board: contributions as cards under their themes, and every edit the host makes to
the draft — move a card, merge two themes, split one (the engine clusters its cards again), add a theme, set a
card aside and bring it back, write or accept a label and summary line, order the themes, and re-run with a
number of themes.

**The machine never undoes the host.** A re-run keeps every card the host placed (``Contribution.placed``)
and every theme the host named or made (``Theme.pinned``) with its cards, keeps every card the host set
aside aside and every card the host brought back on topic, and clusters only the rest.

Every edit names the board version it was made on (``version``; ``None`` for the platform itself): the
version goes up with each edit in the same statement that checks it, so when two hosts edit at the same
moment the second edit, made on the board as it was before the first, is refused with
:class:`~werkkring.errors.ConflictError` (409 on the web) instead of silently overwriting. Nothing a
participant wrote is changed: a card's text, group and author stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from werkkring import lifecycle, limits, queue
from werkkring.actions._announce import session_changed
from werkkring.actions._audit import record
from werkkring.actions.permissions import Actor, require_session_host
from werkkring.engines.synthesis import Board, GroupSummary, HostTheme, Synthesis, split_theme, synthesize
from werkkring.engines.synthesis import Contribution as SynthesisInput
from werkkring.errors import N_, ConflictError, InputError, Problem
from werkkring.lifecycle import Status
from werkkring.queries import board as board_queries
from werkkring.queries import votes as vote_queries
from werkkring.queries.sessions import contribution_count, contributions_of, themes_of
from werkkring.store import Database
from werkkring.store.models import Contribution, Member, Theme, WorkSession, utcnow

QUOTES = 3
RERUN_KIND = "board.rerun"
# From this many contributions on, the first synthesis and every re-run go through the background job; a
# smaller board is drafted in the request (the redirect shows the themes, also without JavaScript, and it
# does not queue behind mail on the worker). Neither holds a transaction while the engine computes. Measured
# (bench/results/board-synthesis-wait.md, fresh sentence vectors, the shared 2-core machine under load): a
# first draft of 50 cards took 16-24 s, no request should take that; evening sessions (12-40 cards) stay.
LARGE_BOARD = 40

Parts = int | Literal["auto"]


# ---------------------------------------------------------------- the version, permissions, the aftermath


def _begin_edit(session: Session, actor: Member, work_session: WorkSession, version: int | None) -> int:
    """Check that ``actor`` may edit the board now and take the next board version, refusing when the board
    is no longer at ``version``. Returns the new version. The check and the step are one UPDATE, so of two
    edits made on the same version at the same moment exactly one passes (PostgreSQL's row lock, SQLite's
    write lock)."""
    require_session_host(session, actor, work_session)
    if not lifecycle.board_editable(work_session.status):
        raise InputError(
            N_("the board of session %(session)s cannot be edited in status %(status)s"),
            params={"session": work_session.id, "status": work_session.status},
        )
    statement = update(WorkSession).where(WorkSession.id == work_session.id)
    if version is not None:
        limits.require(limits.BOARD, {"version": version})
        statement = statement.where(WorkSession.board_version == version)
    result = session.execute(
        statement.values(board_version=WorkSession.board_version + 1).execution_options(
            synchronize_session=False
        )
    )
    if getattr(result, "rowcount", 0) != 1:
        raise ConflictError(
            N_(
                "the board changed since you loaded it (another host edited it); nothing was changed: "
                "reload the board and do your edit again"
            )
        )
    session.expire(work_session, ["board_version"])
    new = session.scalar(select(WorkSession.board_version).where(WorkSession.id == work_session.id))
    return int(new or 0)


def _done(
    session: Session,
    actor: Actor,
    work_session: WorkSession,
    action: str,
    version: int,
    **details: Any,
) -> int:
    _describe(session, work_session)
    record(session, actor, f"board.{action}", "work_session", work_session.id, version=version, **details)
    session_changed(session, work_session, "board", version=version)
    return version


def _describe(session: Session, work_session: WorkSession) -> None:
    """Each theme's size, groups and quotes again from the cards under it now (the host's version), and the
    undercurrent (the theme that came up in most groups). Quotes are verbatim cards of the theme, never a
    card set aside, from different groups where possible; quotes still in the theme stay. A draft summary
    line that is no longer a card of the theme is drafted again from its cards."""
    themes = themes_of(session, work_session)
    cards = contributions_of(session, work_session)
    numbers = {g.id: g.number for g in work_session.groups}
    by_theme: dict[int, list[Contribution]] = {t.id: [] for t in themes}
    for card in cards:
        if card.theme_id in by_theme and card.aside is None:
            by_theme[card.theme_id].append(card)
    for theme in themes:
        members = by_theme[theme.id]
        texts = [c.text.strip() for c in members]
        theme.size = len(members)
        theme.groups = sorted({numbers[c.group_id] for c in members if c.group_id in numbers})
        if theme.summary_source == "draft" and theme.summary not in texts:
            first = sorted(members, key=lambda c: (not c.key, c.id))
            theme.summary = first[0].text.strip() if first else ""
        kept = [str(q) for q in (theme.quotes or []) if str(q) in texts and str(q) != theme.summary]
        seen_groups = {c.group_id for c in members if c.text.strip() in kept}
        for prefer_new_group in (True, False):
            for card in sorted(members, key=lambda c: (not c.key, c.id)):
                text = card.text.strip()
                if len(kept) >= QUOTES:
                    break
                if text in kept or text == theme.summary:
                    continue
                if prefer_new_group and card.group_id in seen_groups:
                    continue
                kept.append(text)
                seen_groups.add(card.group_id)
        theme.quotes = kept[:QUOTES]
    widest = max(
        (t for t in themes if t.size), key=lambda t: (len(t.groups), t.size, -t.position), default=None
    )
    for theme in themes:
        theme.undercurrent = widest is not None and theme.id == widest.id
    session.flush()


def _id(value: int, field: str) -> int:
    """A record's id as the databases can hold it (a larger number is no row, and would fail the query)."""
    checked = limits.ID.clean(value, field=field)
    if checked.problems:
        raise InputError(checked.problems)
    return int(value)


def _theme(session: Session, work_session: WorkSession, theme_id: int) -> Theme:
    theme = session.get(Theme, _id(theme_id, "theme"))
    if theme is None or theme.session_id != work_session.id:
        raise InputError(
            N_("session %(session)s has no theme %(theme)s"),
            params={"session": work_session.id, "theme": theme_id},
        )
    return theme


def _card(session: Session, work_session: WorkSession, contribution_id: int) -> Contribution:
    card = session.get(Contribution, _id(contribution_id, "card"))
    if card is None or card.session_id != work_session.id:
        raise InputError(
            N_("session %(session)s has no contribution %(contribution)s"),
            params={"session": work_session.id, "contribution": contribution_id},
        )
    return card


def _renumber(session: Session, work_session: WorkSession, order: Sequence[Theme] | None = None) -> None:
    for position, theme in enumerate(order if order is not None else themes_of(session, work_session)):
        theme.position = position
    session.flush()


# ---------------------------------------------------------------- cards


def move_card(
    session: Session,
    work_session: WorkSession,
    contribution_id: int,
    theme_id: int,
    *,
    actor: Member,
    version: int | None,
) -> int:
    """The host puts a card in a theme (from another theme, from the unsorted cards, or back from aside):
    it stays there through every re-run."""
    new = _begin_edit(session, actor, work_session, version)
    card = _card(session, work_session, contribution_id)
    theme = _theme(session, work_session, theme_id)
    came_from = card.theme_id
    if card.aside is not None:
        card.on_topic = True
    card.theme_id, card.placed, card.aside, card.aside_detail = theme.id, True, None, ""
    return _done(session, actor, work_session, "move", new, card=card.id, theme=theme.id, came_from=came_from)


def set_aside(
    session: Session,
    work_session: WorkSession,
    contribution_id: int,
    reason: str = "",
    *,
    actor: Member,
    version: int | None,
) -> int:
    """The host sets a card aside as off-topic: kept, shown to the host with the reason, never quoted, in
    no theme, and a re-run leaves it aside."""
    cleaned = limits.require(limits.BOARD, {"reason": reason})
    new = _begin_edit(session, actor, work_session, version)
    card = _card(session, work_session, contribution_id)
    came_from = card.theme_id
    card.theme_id, card.placed, card.on_topic = None, False, False
    card.aside, card.aside_detail = "host", cleaned["reason"] or ""
    return _done(session, actor, work_session, "set_aside", new, card=card.id, came_from=came_from)


def bring_back(
    session: Session,
    work_session: WorkSession,
    contribution_id: int,
    theme_id: int | None = None,
    *,
    actor: Member,
    version: int | None,
) -> int:
    """A card set aside (by the host or by the draft) comes back on topic: into ``theme_id`` (placed there),
    or among the unsorted cards for the next re-run to place. The draft never sets it aside again."""
    new = _begin_edit(session, actor, work_session, version)
    card = _card(session, work_session, contribution_id)
    if card.aside is None:
        raise InputError(N_("this card is not set aside"))
    theme = _theme(session, work_session, theme_id) if theme_id is not None else None
    card.aside, card.aside_detail, card.on_topic = None, "", True
    card.theme_id, card.placed = (theme.id, True) if theme is not None else (None, False)
    return _done(session, actor, work_session, "bring_back", new, card=card.id, theme=theme_id)


# ---------------------------------------------------------------- themes


def add_theme(
    session: Session,
    work_session: WorkSession,
    label: str,
    summary: str = "",
    *,
    actor: Member,
    version: int | None,
) -> Theme:
    """A new, empty theme with the host's label, last on the board; cards are moved into it."""
    cleaned = limits.require(limits.THEME, {"label": label, "summary": summary})
    if not cleaned["label"]:
        raise InputError([Problem(N_("a theme needs a label"), field="label")])
    new = _begin_edit(session, actor, work_session, version)
    theme = Theme(
        session_id=work_session.id,
        position=len(themes_of(session, work_session)),
        label=cleaned["label"],
        summary=cleaned["summary"] or "",
        label_source="host",
        summary_source="host" if cleaned["summary"] else "draft",
        by_host=True,
        size=0,
        groups=[],
        quotes=[],
    )
    session.add(theme)
    session.flush()
    if work_session.status in (Status.GROUPED, Status.RUNNING):
        work_session.status = Status.SYNTHESISED
    _done(session, actor, work_session, "add_theme", new, theme=theme.id)
    return theme


def edit_theme(
    session: Session,
    work_session: WorkSession,
    theme_id: int,
    *,
    actor: Member,
    label: str | None = None,
    summary: str | None = None,
    version: int | None,
) -> int:
    """The host writes the label and/or the summary line (``None``: leave it); what the host writes is the
    host's, no longer a draft, and a re-run keeps the theme."""
    cleaned = limits.require(limits.THEME, {"label": label, "summary": summary})
    if label is not None and not cleaned["label"]:
        raise InputError([Problem(N_("a theme needs a label"), field="label")])
    new = _begin_edit(session, actor, work_session, version)
    theme = _theme(session, work_session, theme_id)
    if label is not None:
        theme.label, theme.label_source = cleaned["label"], "host"
    if summary is not None:
        theme.summary, theme.summary_source = cleaned["summary"] or "", "host"
    return _done(session, actor, work_session, "edit_theme", new, theme=theme.id)


def accept_theme(
    session: Session, work_session: WorkSession, theme_id: int, *, actor: Member, version: int | None
) -> int:
    """The host accepts the drafted (or proposed) label and summary line as they are."""
    new = _begin_edit(session, actor, work_session, version)
    theme = _theme(session, work_session, theme_id)
    theme.label_source, theme.summary_source = "host", "host"
    return _done(session, actor, work_session, "accept_theme", new, theme=theme.id)


def move_theme(
    session: Session,
    work_session: WorkSession,
    theme_id: int,
    step: int,
    *,
    actor: Member,
    version: int | None,
) -> int:
    """One place up (``step`` -1) or down (+1) in the order the report and the projector show."""
    if step not in (-1, 1):
        raise InputError([Problem(N_("a theme moves one place up or down"), field="step")])
    new = _begin_edit(session, actor, work_session, version)
    theme = _theme(session, work_session, theme_id)
    order = themes_of(session, work_session)
    at = order.index(theme)
    other = at + step
    if 0 <= other < len(order):
        order[at], order[other] = order[other], order[at]
    _renumber(session, work_session, order)
    return _done(session, actor, work_session, "move_theme", new, theme=theme.id, step=step)


def merge_themes(
    session: Session,
    work_session: WorkSession,
    theme_id: int,
    into_id: int,
    *,
    actor: Member,
    version: int | None,
) -> int:
    """Every card of ``theme_id`` joins ``into_id`` (placed there by the host) and ``theme_id`` goes; the
    merged theme keeps the label and summary line of ``into_id``."""
    if theme_id == into_id:
        raise InputError([Problem(N_("choose another theme to merge with"), field="into")])
    new = _begin_edit(session, actor, work_session, version)
    theme = _theme(session, work_session, theme_id)
    into = _theme(session, work_session, into_id)
    moved = 0
    for card in contributions_of(session, work_session):
        if card.theme_id == theme.id:
            card.theme_id, card.placed = into.id, True
            moved += 1
        elif card.theme_id == into.id:
            card.placed = True
    into.by_host = True
    into.quotes = list(into.quotes or []) + [q for q in (theme.quotes or []) if q not in (into.quotes or [])]
    session.flush()
    session.delete(theme)
    session.flush()
    _renumber(session, work_session)
    return _done(session, actor, work_session, "merge", new, theme=theme_id, into=into_id, cards=moved)


def split(
    session: Session,
    work_session: WorkSession,
    theme_id: int,
    parts: Parts = "auto",
    *,
    actor: Member,
    version: int | None,
) -> list[Theme]:
    """The engine clusters the theme's cards again among themselves (``parts`` themes, ``"auto"``: its own
    choice, at least two). The first part stays in the theme (with the host's label if the host wrote one),
    the others follow it with drafted labels; every card of the split is placed by the host."""
    if parts != "auto":
        number: int = limits.require(limits.BOARD, {"themes": parts})["themes"]
        parts = number
        if number < 2:
            raise InputError([Problem(N_("a theme splits into at least 2 parts"), field="parts")])
    new = _begin_edit(session, actor, work_session, version)
    theme = _theme(session, work_session, theme_id)
    cards = [c for c in contributions_of(session, work_session) if c.theme_id == theme.id and c.aside is None]
    if len(cards) < 2:
        raise InputError(N_("a theme needs at least two cards to be split"))
    if isinstance(parts, int) and parts > len(cards):
        raise InputError(
            [
                Problem(
                    N_("this theme has %(cards)s cards; it splits into at most that many parts"),
                    field="parts",
                    params={"cards": len(cards)},
                )
            ]
        )
    found = split_theme(
        _engine_input(work_session, cards),
        list(range(len(cards))),
        parts=parts,
        question=work_session.question,
        backend="hybrid",
        votes=vote_queries.for_synthesis(session, work_session, cards),
    )
    order = themes_of(session, work_session)
    at = order.index(theme)
    made: list[Theme] = []
    for number, part in enumerate(found):
        row = theme
        if number == 0:
            if theme.label_source != "host":
                theme.label, theme.label_source = part.label, _source(part.label_source)
            if theme.summary_source != "host":
                theme.summary, theme.summary_source = part.summary, _source(part.summary_source)
        else:
            row = Theme(
                session_id=work_session.id,
                label=part.label,
                summary=part.summary,
                label_source=_source(part.label_source),
                summary_source=_source(part.summary_source),
                size=part.size,
                groups=[],
                quotes=list(part.quotes),
            )
            session.add(row)
        row.by_host = True
        made.append(row)
    session.flush()
    for row, part in zip(made, found, strict=True):
        for member in part.members:
            cards[member].theme_id, cards[member].placed = row.id, True
    _renumber(session, work_session, [*order[:at], *made, *order[at + 1 :]])
    _done(session, actor, work_session, "split", new, theme=theme.id, parts=[t.id for t in made])
    return made


def delete_theme(
    session: Session, work_session: WorkSession, theme_id: int, *, actor: Member, version: int | None
) -> int:
    """An empty theme goes (one with cards is merged instead, so no card loses its place unseen)."""
    new = _begin_edit(session, actor, work_session, version)
    theme = _theme(session, work_session, theme_id)
    if any(c.theme_id == theme.id for c in contributions_of(session, work_session)):
        raise InputError(N_("only an empty theme can be removed; move its cards or merge it first"))
    session.delete(theme)
    session.flush()
    _renumber(session, work_session)
    return _done(session, actor, work_session, "delete_theme", new, theme=theme_id)


# ---------------------------------------------------------------- re-run


def _source(value: str) -> str:
    return value if value in ("draft", "host", "group", "model") else "draft"


def _engine_input(work_session: WorkSession, cards: Sequence[Contribution]) -> list[SynthesisInput]:
    numbers = {g.id: g.number for g in work_session.groups}
    return [
        SynthesisInput(
            c.text, group=str(numbers[c.group_id]) if c.group_id in numbers else None, key=bool(c.key)
        )
        for c in cards
    ]


def engine_board(themes: Sequence[Theme], cards: Sequence[Contribution]) -> Board:
    """What the host decided, for the engine: each pinned theme (named or made by the host) with all its
    cards, each other theme with the cards the host placed in it, the cards the host set aside, and the
    cards the host brought back on topic. Positions are those in ``cards``."""
    host_themes = []
    for theme in themes:
        held = tuple(
            i
            for i, c in enumerate(cards)
            if c.theme_id == theme.id and c.aside is None and (c.placed or theme.pinned)
        )
        if not theme.pinned and not held:
            continue
        host_themes.append(
            HostTheme(
                key=str(theme.id),
                cards=held,
                label=theme.label if theme.label_source == "host" else None,
                summary=theme.summary if theme.summary_source == "host" else None,
            )
        )
    return Board(
        themes=tuple(host_themes),
        set_aside=tuple(i for i, c in enumerate(cards) if c.aside == "host"),
        on_topic=tuple(i for i, c in enumerate(cards) if c.on_topic),
    )


@dataclass(frozen=True)
class RerunInput:
    """What a re-run needs, read in one short read: the board's version then, the cards (ids and what the
    engine gets of them) and the engine's arguments. The engine computes on it with no transaction open."""

    session_id: int
    version: int
    card_ids: tuple[int, ...]
    contributions: tuple[SynthesisInput, ...]
    engine: dict[str, Any]
    themes: Parts
    nothing_to_cluster: bool


def read_rerun(
    session: Session,
    work_session: WorkSession,
    themes: Parts = "auto",
    *,
    actor: Member,
    version: int | None,
    seed: int = 0,
    in_job: bool = False,
) -> RerunInput:
    """Check that the host may re-run now (as :func:`rerun`) and read what the engine needs; writes nothing.
    ``version``: the board version the host's form was made on (refused when the board moved since)."""
    if themes != "auto":
        themes = limits.require(limits.BOARD, {"themes": themes})["themes"]
    require_session_host(session, actor, work_session)
    if not lifecycle.can_synthesise(work_session.status):
        raise InputError(
            N_("session %(session)s cannot be synthesised in status %(status)s"),
            params={"session": work_session.id, "status": work_session.status},
        )
    if not lifecycle.board_editable(work_session.status):
        raise InputError(
            N_("the board of session %(session)s cannot be edited in status %(status)s"),
            params={"session": work_session.id, "status": work_session.status},
        )
    if not in_job and board_queries.running_job(session, work_session) is not None:
        raise queue.JobAlreadyActive(N_("the synthesis is already running; wait until it has finished"))
    if version is not None:
        limits.require(limits.BOARD, {"version": version})
        if version != work_session.board_version:
            raise ConflictError(
                N_(
                    "the board changed since you loaded it (another host edited it); nothing was changed: "
                    "reload the board and do your edit again"
                )
            )
    cards = contributions_of(session, work_session)
    if not cards:
        raise InputError(N_("there is no input to synthesise yet"))
    stored = themes_of(session, work_session)
    engine: dict[str, Any] = {
        "question": work_session.question,
        "themes": themes,
        "backend": "hybrid",
        "board": engine_board(stored, cards),
        "votes": vote_queries.for_synthesis(session, work_session, cards),
        "summaries": [
            GroupSummary(str(g.number), g.summary) for g in work_session.groups if (g.summary or "").strip()
        ],
        "seed": seed,
    }
    return RerunInput(
        session_id=work_session.id,
        version=int(work_session.board_version or 0),
        card_ids=tuple(c.id for c in cards),
        contributions=tuple(_engine_input(work_session, cards)),
        engine=engine,
        themes=themes,
        nothing_to_cluster=all(c.aside == "host" for c in cards),
    )


def compute_rerun(snapshot: RerunInput, model: Any = None) -> Synthesis | None:
    """The engine's draft for ``snapshot`` (the heavy part: sentence vectors, clustering, labels), with no
    database in sight. None when there is nothing to cluster (every card set aside by the host)."""
    if snapshot.nothing_to_cluster:
        return None
    if model is not None:
        from werkkring.llm import synthesize_with_model

        return synthesize_with_model(list(snapshot.contributions), model=model, **snapshot.engine)
    return synthesize(list(snapshot.contributions), **snapshot.engine)


def write_rerun(
    session: Session,
    work_session: WorkSession,
    snapshot: RerunInput,
    result: Synthesis | None,
    *,
    actor: Member,
) -> list[Theme]:
    """Store ``result`` (computed on ``snapshot``) in one short transaction, only if the board is still at
    the snapshot's version (else :class:`ConflictError`, nothing written: an edit made meanwhile is the
    host's and stays). Cards that came in meanwhile stay unsorted for the next run; a card deleted meanwhile
    is skipped; quotes and summary lines are checked against the cards as they are now (:func:`_describe`)."""
    themes = snapshot.themes
    new = _begin_edit(session, actor, work_session, snapshot.version)
    stored = themes_of(session, work_session)
    if result is None:
        # Nothing left to cluster (the engine needs at least one card): the host's themes stay, empty.
        for theme in stored:
            if not theme.pinned:
                session.delete(theme)
        session.flush()
        _renumber(session, work_session)
        work_session.board_themes = None if themes == "auto" else themes
        work_session.status = Status.SYNTHESISED
        _done(session, actor, work_session, "rerun", new, themes=0, asked=themes, kept=[])
        return themes_of(session, work_session)
    current = {c.id: c for c in contributions_of(session, work_session)}
    by_id = {t.id: t for t in stored}
    rows: list[Theme] = []
    kept_ids: set[int] = set()
    for found in result.themes:
        row = by_id.get(int(found.key)) if found.key is not None and found.key.isdigit() else None
        if row is None:
            row = Theme(session_id=work_session.id, by_host=False)
            session.add(row)
        else:
            kept_ids.add(row.id)
        row.label = found.label.strip()[:200] or row.label or "…"
        row.summary = found.summary.strip()
        row.label_source = _source(found.label_source)
        row.summary_source = _source(found.summary_source)
        row.size = found.size
        row.groups = sorted(int(g) for g in found.groups if g.isdigit())
        row.quotes = list(found.quotes)
        rows.append(row)
    cards = [current.get(card_id) for card_id in snapshot.card_ids]
    for card in cards:
        if card is not None:
            card.theme_id = None
    session.flush()
    for theme in stored:
        if theme.id not in kept_ids:
            session.delete(theme)
    session.flush()
    aside = {s.index: s for s in result.set_aside}
    for position, (card, assigned) in enumerate(zip(cards, result.assignments, strict=True)):
        if card is None:
            continue
        reason = aside.get(position)
        if reason is None:
            card.aside, card.aside_detail = None, ""
        elif not (reason.reason == "host" and card.aside == "host"):  # the host's own words stay
            card.aside, card.aside_detail = reason.reason, reason.detail
        card.theme_id = rows[assigned].id if assigned is not None and assigned < len(rows) else None
        if card.theme_id is None:
            card.placed = False
    _renumber(session, work_session, rows)
    work_session.board_themes = None if themes == "auto" else themes
    work_session.status = Status.SYNTHESISED
    _done(
        session,
        actor,
        work_session,
        "rerun",
        new,
        themes=len(rows),
        asked=themes,
        kept=sorted(kept_ids),
        from_model=list(result.from_model),
        model_notes=list(result.model_notes),
    )
    return rows


def rerun(
    session: Session,
    work_session: WorkSession,
    themes: Parts = "auto",
    *,
    actor: Member,
    version: int | None,
    model: Any = None,
    seed: int = 0,
    in_job: bool = False,
) -> list[Theme]:
    """Draft the themes again with the synthesis engine (``themes``: how many, the host's included, or
    ``"auto"``), keeping everything the host decided (:func:`engine_board`), and mark the session
    synthesised. ``model``: a :class:`werkkring.llm.LanguageModel` whose proposal the draft checks and uses
    where it holds (None: the offline draft). Refused while a re-run runs in the background (``in_job``:
    this is that run).

    All in the caller's transaction, engine included: for scripts, tests and the demo, where nobody waits
    on the write lock. The web pages, the API and the job use :func:`rerun_outside` (the engine runs with
    no transaction open) through :func:`synthesise`."""
    snapshot = read_rerun(
        session, work_session, themes, version=version, seed=seed, in_job=in_job, actor=actor
    )
    return write_rerun(session, work_session, snapshot, compute_rerun(snapshot, model), actor=actor)


# How often a re-run that did not name a version (the job) reads the board again and computes again when
# the host edited it while the engine was computing; then it gives up with ConflictError (the job retries).
ATTEMPTS = 3


def rerun_outside(
    database: Database,
    actor_id: int,
    session_id: int,
    themes: Parts = "auto",
    *,
    version: int | None,
    model: Any = None,
    seed: int = 0,
    in_job: bool = False,
    seen: str | None = None,
    also: Callable[[Session], None] | None = None,
) -> int:
    """:func:`rerun` without holding a transaction while the engine computes: a short read
    (:func:`read_rerun`), the engine with no transaction open (:func:`compute_rerun`), then one short write
    (:func:`write_rerun`) that checks the board is still at the version read. Participants' posts (and every
    other writer) go on meanwhile; their cards stay unsorted for the next run.

    When the host edited the board while the engine computed, the host's edit is kept: a re-run asked on a
    form (``version`` or ``seen`` given) is refused with :class:`ConflictError` (a double click gives one
    result); one asked without (the background job, which runs on the board as it is when it runs) reads
    the board again and computes again, up to :data:`ATTEMPTS` times. ``also`` runs in the write's
    transaction (the job marks itself done there). Returns the number of themes."""
    from werkkring.queries.members import get_member
    from werkkring.queries.sessions import get_session

    strict = version is not None or seen is not None
    for attempt in range(1 if strict else ATTEMPTS):
        with database.reader() as session:
            actor = get_member(session, actor_id)
            work_session = get_session(session, session_id)
            _still_seen(session, work_session, seen)
            snapshot = read_rerun(
                session, work_session, themes, actor=actor, version=version, seed=seed, in_job=in_job
            )
        result = compute_rerun(snapshot, model)
        try:
            with database.transaction() as session:
                actor = get_member(session, actor_id)
                work_session = get_session(session, session_id)
                if not in_job and board_queries.running_job(session, work_session) is not None:
                    raise queue.JobAlreadyActive(
                        N_("the synthesis is already running; wait until it has finished")
                    )
                made = write_rerun(session, work_session, snapshot, result, actor=actor)
                if also is not None:
                    also(session)
                return len(made)
        except ConflictError:
            if strict or attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _still_seen(session: Session, work_session: WorkSession, seen: str | None) -> None:
    """As ``actions.sessions._take``: refused when the host's page was built from an older state."""
    from werkkring.queries.sessions import state_token

    if seen is not None and seen != state_token(session, work_session):
        raise ConflictError(
            N_("someone else changed session %(session)s a moment ago; look at it again before you go on"),
            params={"session": work_session.id},
        )


@dataclass(frozen=True)
class Started:
    """What the host's Synthesise did: ran here (``themes``), or started the background job (``job``)."""

    themes: int = 0
    job: str | None = None


def is_large(database: Database, session_id: int) -> bool:
    with database.reader() as session:
        return contribution_count(session, session_id) >= LARGE_BOARD


def synthesise(
    database: Database,
    actor_id: int,
    session_id: int,
    themes: Parts = "auto",
    *,
    version: int | None = None,
    seen: str | None = None,
    model: Any = None,
    seed: int = 0,
) -> Started:
    """The host's Synthesise, from the session page, the board's re-run and the API: a board of
    :data:`LARGE_BOARD` cards and more as the background job (:func:`request_rerun`; a second press while
    it is queued or running is refused), a smaller one here with :func:`rerun_outside`. Either way no
    transaction is open while the engine computes."""
    from werkkring.queries.members import get_member
    from werkkring.queries.sessions import get_session

    if not is_large(database, session_id):
        return Started(
            themes=rerun_outside(
                database, actor_id, session_id, themes, version=version, seen=seen, model=model, seed=seed
            )
        )
    with queue.refusing_duplicates(database) as session:
        actor = get_member(session, actor_id)
        work_session = get_session(session, session_id)
        if seen is not None:
            from werkkring.store.locks import lock_session

            lock_session(session, work_session)
            _still_seen(session, work_session, seen)
        job = request_rerun(session, work_session, themes, actor=actor, version=version)
    return Started(job=job)


def request_rerun(
    session: Session,
    work_session: WorkSession,
    themes: Parts = "auto",
    *,
    actor: Member,
    version: int | None,
) -> str:
    """A re-run of a large board as a background job (enqueued with this transaction, run after its
    commit): the page shows it is running. Refused while one is queued or running for the session. The
    job re-runs on the board as it is when it runs, so an edit made meanwhile is kept too."""
    require_session_host(session, actor, work_session)
    if themes != "auto":
        themes = limits.require(limits.BOARD, {"themes": themes})["themes"]
    if version is not None and version != work_session.board_version:
        raise ConflictError(
            N_(
                "the board changed since you loaded it (another host edited it); nothing was changed: "
                "reload the board and do your edit again"
            )
        )
    if not lifecycle.can_synthesise(work_session.status):
        raise InputError(
            N_("session %(session)s cannot be synthesised in status %(status)s"),
            params={"session": work_session.id, "status": work_session.status},
        )
    if board_queries.running_job(session, work_session) is not None:
        raise queue.JobAlreadyActive(N_("the synthesis is already running; wait until it has finished"))
    return _enqueue_rerun(session, work_session, themes, actor=actor, action="board.rerun_requested")


def _enqueue_rerun(
    session: Session, work_session: WorkSession, themes: Parts, *, actor: Member, action: str, **details: Any
) -> str:
    job_id = queue.enqueue(
        session,
        RERUN_KIND,
        {"session_id": work_session.id, "themes": themes, "member_id": actor.id},
        key=board_queries.job_key(work_session.id),
        requested_by=actor.id,
    )
    record(session, actor, action, "work_session", work_session.id, job=job_id, themes=themes, **details)
    session_changed(
        session, work_session, "board", version=work_session.board_version, running=True, job="queued"
    )
    return job_id


def retry_draft(session: Session, work_session: WorkSession, *, actor: Member) -> str:
    """The host's "try again" on a background draft that failed or is stuck (``queries.board.draft_job``).

    Failed: a new job, with the number of themes the failed one was asked for, on the board as it is now.
    Stuck (no worker took it, or its worker stopped answering): the same job is handed to the worker again
    (it runs once however often it is handed over). Refused while the draft is on its way
    (:class:`~werkkring.queue.JobAlreadyActive`), and when there is nothing to try again. Two presses at the
    same moment give one job: the board's unique active job key (PostgreSQL), the write turn (SQLite), or
    the one conditional UPDATE of a stuck job decides. Returns the job's id."""
    require_session_host(session, actor, work_session)
    draft = board_queries.draft_job(session, work_session)
    if draft is not None and draft.active and not draft.stuck:
        raise queue.JobAlreadyActive(N_("the synthesis is already running; wait until it has finished"))
    if draft is None or not draft.can_retry:
        raise InputError(N_("there is no failed draft to try again; run the synthesis instead"))
    if draft.stuck:
        if not queue.hand_over_again(
            session, draft.id, not_taken_since=utcnow() - board_queries.STUCK_QUEUED
        ):
            raise queue.JobAlreadyActive(N_("the synthesis is already running; wait until it has finished"))
        record(session, actor, "board.retry", "work_session", work_session.id, job=draft.id, stuck=True)
        session_changed(
            session, work_session, "board", version=work_session.board_version, running=True, job="retrying"
        )
        return draft.id
    if not lifecycle.can_synthesise(work_session.status):
        raise InputError(
            N_("session %(session)s cannot be synthesised in status %(status)s"),
            params={"session": work_session.id, "status": work_session.status},
        )
    themes: Parts = draft.themes if draft.themes is not None else "auto"
    return _enqueue_rerun(session, work_session, themes, actor=actor, action="board.retry", failed=draft.id)


def try_again(database: Database, actor_id: int, session_id: int) -> str:
    """:func:`retry_draft` in its own transaction, a second job at the same moment refused with
    :class:`~werkkring.queue.JobAlreadyActive` (the pages and the API press it)."""
    from werkkring.queries.members import get_member
    from werkkring.queries.sessions import get_session

    with queue.refusing_duplicates(database) as session:
        actor = get_member(session, actor_id)
        return retry_draft(session, get_session(session, session_id), actor=actor)


def announce_draft(session: Session, session_id: int, status: str) -> None:
    """The background draft of session ``session_id`` changed status (the job runner tells, in the
    transaction of the change): the host's board and the projector follow on the session's channel."""
    work_session = session.get(WorkSession, session_id)
    if work_session is None:
        return
    session.refresh(work_session, ["board_version", "status"])
    session_changed(
        session,
        work_session,
        "board",
        version=work_session.board_version,
        running=status in ("queued", "running", "retrying"),
        job=status,
    )


# ---------------------------------------------------------------- group harvest


def harvest(
    session: Session,
    work_session: WorkSession,
    group_id: int,
    *,
    actor: Member,
    key: Sequence[int],
    summary: str,
) -> None:
    """A breakout group's own harvest, as real groups do: which of its contributions are its key ones (the
    draft weighs them more for labels, summary lines and quotes and never sets them aside on its own), and
    its own one-line summary (the first candidate for the summary line of its theme). Someone seated in the
    group does it, or the session's host; the group's texts themselves are not changed."""
    from werkkring.queries.sessions import group_of

    cleaned = limits.require(limits.THEME, {"summary": summary})
    group = next((g for g in work_session.groups if g.id == _id(group_id, "group")), None)
    if group is None:
        raise InputError(
            N_("session %(session)s has no group %(group)s"),
            params={"session": work_session.id, "group": group_id},
        )
    own = group_of(session, work_session, actor.id)
    if own is None or own.id != group.id:
        require_session_host(session, actor, work_session)
    if not lifecycle.takes_input(work_session.status):
        raise InputError(
            N_("session %(session)s does not take input now (status %(status)s)"),
            params={"session": work_session.id, "status": work_session.status},
        )
    cards = [c for c in contributions_of(session, work_session) if c.group_id == group.id]
    unknown = sorted(set(key) - {c.id for c in cards})
    if unknown:
        raise InputError(
            [
                Problem(
                    N_("contributions %(cards)s are not your group's"),
                    field="key",
                    params={"cards": ", ".join(map(str, unknown))},
                )
            ]
        )
    for card in cards:
        card.key = card.id in set(key)
    group.summary = (cleaned["summary"] or "").splitlines()[0] if cleaned["summary"] else ""
    record(
        session,
        actor,
        "board.harvest",
        "work_session",
        work_session.id,
        group=group.number,
        key=sorted(set(key)),
        summary=bool(group.summary),
    )
