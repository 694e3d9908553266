"""Work sessions from creation to publication: sign-up, breakout groups, input, themes, publication."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from werkkring.actions._announce import contribution_added, session_changed
from werkkring.actions._audit import record
from werkkring.actions.initiatives import propose_initiative
from werkkring.actions.notifications import notify
from werkkring.actions.permissions import require_host, require_session_host
from werkkring.engines import grouping
from werkkring.engines.synthesis import Contribution as SynthesisInput
from werkkring.engines.synthesis import synthesize
from werkkring.engines.text import short_title
from werkkring.errors import N_, ConstraintError, InputError, PermissionDenied, Problem
from werkkring.queries import votes as vote_queries
from werkkring.queries.sessions import (
    active_registrations,
    contributions_of,
    get_session,
    group_of,
    met_before,
    mix_records,
    participants,
    seat_of,
)
from werkkring.store.models import (
    BreakoutGroup,
    Contribution,
    Initiative,
    Member,
    Registration,
    Seat,
    Theme,
    WorkSession,
    utcnow,
)


@dataclass(frozen=True)
class ThemeInput:
    """One theme to store: what the synthesis found, or what a host wrote by hand."""

    label: str
    summary: str = ""
    size: int = 0
    groups: Sequence[int] = ()
    quotes: Sequence[str] = ()
    undercurrent: bool = False


def create_session(
    session: Session,
    actor: Member,
    *,
    title: str,
    question: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    place: str | None = None,
    online_url: str | None = None,
    capacity: int | None = None,
    group_size: int = 4,
    circle_id: int | None = None,
    language: str = "nl",
    status: str = "open",
) -> WorkSession:
    require_host(session, actor, circle_id)
    problems = []
    if not title.strip():
        problems.append(Problem(N_("a work session needs a title"), field="title"))
    if not question.strip():
        problems.append(Problem(N_("a work session needs a central question"), field="question"))
    if capacity is not None and capacity < 1:
        problems.append(Problem(N_("capacity must be at least 1"), field="capacity"))
    if not 2 <= group_size <= 20:
        problems.append(Problem(N_("group size must be between 2 and 20"), field="group_size"))
    if ends_at is not None and ends_at <= starts_at:
        problems.append(Problem(N_("the session must end after it starts"), field="ends_at"))
    if online_url and not online_url.startswith(("https://", "http://")):
        problems.append(Problem(N_("an online link starts with https://"), field="online_url"))
    if language not in ("nl", "en"):
        problems.append(Problem(N_("language must be nl or en"), field="language"))
    if problems:
        raise InputError(problems)
    work_session = WorkSession(
        title=title.strip(),
        question=question.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=(place or "").strip() or None,
        online_url=(online_url or "").strip() or None,
        capacity=capacity,
        group_size=group_size,
        circle_id=circle_id,
        host_id=actor.id,
        language=language,
        status=status,
    )
    session.add(work_session)
    session.flush()
    record(session, actor, "session.create", "work_session", work_session.id, title=work_session.title)
    return work_session


def register(session: Session, actor: Member, work_session: WorkSession) -> Registration:
    """Sign the actor up; refused when the session is full, not open, or already in the past."""
    if work_session.status not in ("open", "grouped"):
        raise InputError(
            N_("session %(session)s is not open for sign-up (status %(status)s)"),
            params={"session": work_session.id, "status": work_session.status},
        )
    existing = session.get(Registration, (work_session.id, actor.id))
    if existing is not None and existing.cancelled_at is None:
        return existing
    if work_session.capacity is not None:
        # Counted under the session's write lock: two sign-ups, or a host lowering the capacity, take turns.
        hold_session(session, work_session)
        taken = session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.session_id == work_session.id, Registration.cancelled_at.is_(None))
        )
        if (taken or 0) >= work_session.capacity:
            raise InputError(
                N_("session %(session)s is full (%(capacity)s places)"),
                params={"session": work_session.id, "capacity": work_session.capacity},
            )
    if existing is None:
        existing = Registration(session_id=work_session.id, member_id=actor.id)
        session.add(existing)
    else:
        existing.cancelled_at = None
        existing.registered_at = utcnow()
    session.flush()
    record(session, actor, "session.register", "work_session", work_session.id)
    return existing


def cancel_registration(session: Session, actor: Member, work_session: WorkSession) -> None:
    registration = session.get(Registration, (work_session.id, actor.id))
    if registration is None or registration.cancelled_at is not None:
        return
    registration.cancelled_at = utcnow()
    session.execute(delete(Seat).where(Seat.session_id == work_session.id, Seat.member_id == actor.id))
    record(session, actor, "session.cancel", "work_session", work_session.id)
    session_changed(session, work_session, "cancellation", member=actor.id)


def seat_groups(
    session: Session, actor: Member | None, work_session: WorkSession, groups: Sequence[Sequence[int]]
) -> list[BreakoutGroup]:
    """Replace the session's breakout groups with ``groups`` (lists of member ids), e.g. from the engine."""
    if actor is not None:
        require_session_host(session, actor, work_session)
    if any(g.round > 1 for g in work_session.groups):
        raise InputError(
            N_("session %(session)s is in a later round; its groups come from the round before"),
            params={"session": work_session.id},
        )
    if any(g.locked for g in work_session.groups):
        raise InputError(
            N_("the groups of session %(session)s are locked; unlock them first"),
            params={"session": work_session.id},
        )
    registered = {r.member_id for r in active_registrations(session, work_session)}
    seated = [m for group in groups for m in group]
    problems = [
        Problem(N_("member %(member)s is not signed up for this session"), params={"member": m})
        for m in seated
        if m not in registered
    ]
    if len(seated) != len(set(seated)):
        problems.append(Problem(N_("a member appears in more than one group")))
    if problems:
        raise InputError(problems)
    for group in list(work_session.groups):
        session.delete(group)
    session.flush()
    made = []
    for number, members in enumerate(groups, start=1):
        group = BreakoutGroup(session_id=work_session.id, number=number)
        session.add(group)
        session.flush()
        for member_id in members:
            session.add(Seat(session_id=work_session.id, group_id=group.id, member_id=member_id))
        made.append(group)
    if work_session.status == "open":
        work_session.status = "grouped"
    session.flush()
    session.refresh(work_session)
    record(session, actor, "session.groups", "work_session", work_session.id, groups=len(made))
    session_changed(session, work_session, "groups")
    return made


def move_member(
    session: Session, actor: Member, work_session: WorkSession, member_id: int, number: int
) -> None:
    """The host moves one person to another group by hand."""
    require_session_host(session, actor, work_session)
    target = next((g for g in work_session.groups if g.number == number), None)
    if target is None:
        raise InputError(
            N_("session %(session)s has no group %(group)s"),
            params={"session": work_session.id, "group": number},
        )
    if target.locked:
        raise InputError(N_("the groups are locked; unlock them first"))
    seat = seat_of(session, work_session, member_id)
    if seat is None:
        raise InputError(
            N_("member %(member)s has no seat in session %(session)s"),
            params={"member": member_id, "session": work_session.id},
        )
    seat.group_id = target.id
    seat.fixed = True
    session_changed(session, work_session, "groups")
    record(session, actor, "session.move", "work_session", work_session.id, member=member_id, group=number)


def lock_groups(session: Session, actor: Member, work_session: WorkSession, locked: bool = True) -> None:
    require_session_host(session, actor, work_session)
    if not work_session.groups:
        raise InputError(N_("form the groups before locking them"))
    for group in work_session.groups:
        group.locked = locked
    work_session.groups_locked_at = utcnow() if locked else None
    session_changed(session, work_session, "groups")
    if locked:
        for group in work_session.groups:
            notify(
                session,
                "seated",
                [seat.member_id for seat in group.seats],
                {**_about(work_session), "group": group.number},
                once=True,
            )
    record(session, actor, "session.lock" if locked else "session.unlock", "work_session", work_session.id)


def add_contribution(
    session: Session,
    actor: Member,
    work_session: WorkSession,
    text: str,
    *,
    group_number: int | None = None,
    is_proposal: bool = False,
    anonymous: bool = False,
) -> Contribution:
    """A participant adds input for their own group; a host may add input for any group."""
    text = text.strip()
    if not text:
        raise InputError(N_("the input is empty"))
    if len(text) > 2000:
        raise InputError(N_("one contribution holds at most 2,000 characters; split it up"))
    if work_session.status in ("published", "cancelled", "draft"):
        raise InputError(
            N_("session %(session)s does not take input now (status %(status)s)"),
            params={"session": work_session.id, "status": work_session.status},
        )
    own_group = group_of(session, work_session, actor.id)
    group: BreakoutGroup | None = own_group
    if group_number is not None:
        group = next((g for g in work_session.groups if g.number == group_number), None)
        if group is None:
            raise InputError(
                N_("session %(session)s has no group %(group)s"),
                params={"session": work_session.id, "group": group_number},
            )
        if own_group is None or own_group.id != group.id:
            require_session_host(session, actor, work_session)
    elif own_group is None:
        try:
            require_session_host(session, actor, work_session)
        except PermissionDenied:
            raise PermissionDenied(N_("you have no seat in this session")) from None
    contribution = Contribution(
        session_id=work_session.id,
        group_id=group.id if group is not None else None,
        author_id=None if anonymous else actor.id,
        text=text,
        is_proposal=is_proposal,
    )
    session.add(contribution)
    if work_session.status in ("open", "grouped"):
        work_session.status = "running"
    session.flush()
    record(session, actor, "contribution.add", "work_session", work_session.id, contribution=contribution.id)
    contribution_added(session, work_session, contribution)
    return contribution


def rename_theme(
    session: Session, actor: Member, theme: Theme, label: str, summary: str | None = None
) -> None:
    work_session = get_session(session, theme.session_id)
    require_session_host(session, actor, work_session)
    if not label.strip():
        raise InputError(N_("a theme needs a label"))
    theme.label = label.strip()[:200]
    if summary is not None:
        theme.summary = summary.strip()
    record(session, actor, "theme.edit", "theme", theme.id)


def publish(session: Session, actor: Member, work_session: WorkSession, summary: str = "") -> None:
    require_session_host(session, actor, work_session)
    if work_session.status != "synthesised":
        raise InputError(N_("run the synthesis before publishing the outcome"))
    work_session.status = "published"
    work_session.published_at = utcnow()
    if summary.strip():
        work_session.summary = summary.strip()
    record(session, actor, "session.publish", "work_session", work_session.id)
    session_changed(session, work_session, "phase")
    notify(
        session,
        "outcome_published",
        [r.member_id for r in active_registrations(session, work_session) if r.member_id != actor.id],
        _about(work_session),
    )


def _about(work_session: WorkSession) -> dict[str, object]:
    """What a notification about the session names: its title and page."""
    return {"session": work_session.id, "title": work_session.title, "path": f"/sessions/{work_session.id}"}


# An initiative's title is short: the proposal itself becomes its description.
TITLE_LIMIT = 80


def proposal_to_initiative(
    session: Session, actor: Member, contribution: Contribution, owner: Member, title: str | None = None
) -> Initiative:
    """One step from a proposal in a session to an initiative with an owner, under a short title the host
    confirms (the form suggests one); the initiative links back to its session."""
    work_session = get_session(session, contribution.session_id)
    require_session_host(session, actor, work_session)
    # No title at all (the demo, a script): the suggestion the form shows; an empty one is refused.
    title = short_title(contribution.text, TITLE_LIMIT) if title is None else title.strip()
    if not title:
        raise InputError([Problem(N_("give the initiative a short title"), field="title")])
    if len(title) > TITLE_LIMIT:
        raise InputError(
            [
                Problem(
                    N_("a short title holds at most %(n)s characters"),
                    field="title",
                    params={"n": TITLE_LIMIT},
                )
            ]
        )
    contribution.is_proposal = True
    return propose_initiative(
        session,
        actor,
        title,
        description=contribution.text,
        owner=owner,
        circle_id=work_session.circle_id,
        contribution=contribution,
    )


def form_groups(
    session: Session,
    actor: Member | None,
    work_session: WorkSession,
    *,
    seed: int = 0,
    history_weight: float = 1.0,
    time_limit: float = 10.0,
) -> list[BreakoutGroup]:
    """Form breakout groups that are each a good mix of the room (the grouping engine): tenure, age, region
    and home circle spread evenly, hosts spread, and as few people as possible seated again with someone
    they met in an earlier session. People the host moved by hand keep their group."""
    if actor is not None:
        require_session_host(session, actor, work_session)
    members = participants(session, work_session)
    if len(members) < 2:
        raise InputError(N_("at least two people must be signed up to form groups"))
    # Fewer people than one group holds: they form one group together.
    size = max(2, min(work_session.group_size, len(members)))
    count = -(-len(members) // size)
    kept = {
        seat.member_id: seat.group.number - 1
        for group in work_session.groups
        for seat in group.seats
        if seat.fixed and seat.group.number <= count
    }
    # A table host pinned to a group number sits there (when the room has that many groups).
    for registration in active_registrations(session, work_session):
        if (
            registration.table_host
            and registration.host_group is not None
            and registration.host_group <= count
        ):
            kept[registration.member_id] = registration.host_group - 1
    try:
        result = _form(session, work_session, members, size, kept, seed, history_weight, time_limit)
    except ConstraintError as error:  # e.g. more people moved by hand into one group than it holds
        raise InputError(
            N_("the groups cannot be formed this way: %(reason)s"), params={"reason": str(error)}
        ) from error
    groups: list[list[int]] = [[] for _ in result.sizes]
    for member, group in zip(members, result.assignment, strict=True):
        groups[group].append(member.id)
    made = seat_groups(session, actor, work_session, groups)
    for seat in (seat for group in made for seat in group.seats):
        seat.fixed = seat.member_id in kept
    return made


def _form(
    session: Session,
    work_session: WorkSession,
    members: Sequence[Member],
    size: int,
    kept: dict[int, int],
    seed: int,
    history_weight: float,
    time_limit: float,
) -> grouping.GroupingResult:
    return grouping.form_groups(
        grouping.Participants.from_records(
            mix_records(session, members, work_session),
            numeric=("age",),
            categorical=("tenure", "region", "circle"),
            role_key="role",
        ),
        size=size,
        history=met_before(session, [m.id for m in members], exclude_session=work_session.id),
        history_weight=history_weight,
        fixed={str(member_id): group for member_id, group in kept.items()},
        seed=seed,
        time_limit=time_limit,
    )


def store_themes(
    session: Session, actor: Member | None, work_session: WorkSession, themes: Sequence[ThemeInput]
) -> list[Theme]:
    """Replace the session's themes (e.g. with the synthesis engine's result) and mark it synthesised.

    ``actor`` None means the system (a batch job or the demo); a member must be the session's host."""
    if actor is not None:
        require_session_host(session, actor, work_session)
    problems = [
        Problem(N_("theme %(theme)s has no label"), field="label", params={"theme": i})
        for i, t in enumerate(themes)
        if not t.label
    ]
    group_numbers = {g.number for g in work_session.groups}
    for index, theme in enumerate(themes):
        unknown = sorted(set(theme.groups) - group_numbers)
        if unknown:
            problems.append(
                Problem(
                    N_("theme %(theme)s names groups %(groups)s that session %(session)s does not have"),
                    params={"theme": index, "groups": unknown, "session": work_session.id},
                )
            )
    if problems:
        raise InputError(problems)
    session.execute(delete(Theme).where(Theme.session_id == work_session.id))
    made = []
    for position, theme in enumerate(themes):
        row = Theme(
            session_id=work_session.id,
            position=position,
            label=theme.label.strip()[:200],
            summary=theme.summary.strip(),
            size=theme.size,
            groups=sorted(set(theme.groups)),
            quotes=list(theme.quotes),
            undercurrent=theme.undercurrent,
        )
        session.add(row)
        made.append(row)
    if work_session.status in ("open", "grouped", "running"):
        work_session.status = "synthesised"
    session.flush()
    record(session, actor, "session.themes", "work_session", work_session.id, themes=len(made))
    session_changed(session, work_session, "phase")
    return made


def run_synthesis(
    session: Session, actor: Member, work_session: WorkSession, *, seed: int = 0
) -> list[Theme]:
    """Cluster the session's input into themes with the synthesis engine (replacing earlier themes), link
    each contribution to its theme, and mark the session synthesised. Contributions that do not answer the
    session's question are set aside (no theme, never quoted)."""
    require_session_host(session, actor, work_session)
    if work_session.status in ("published", "cancelled", "draft"):
        raise InputError(
            N_("session %(session)s cannot be synthesised in status %(status)s"),
            params={"session": work_session.id, "status": work_session.status},
        )
    contributions = contributions_of(session, work_session)
    if not contributions:
        raise InputError(N_("there is no input to synthesise yet"))
    numbers = {g.id: g.number for g in work_session.groups}
    result = synthesize(
        [
            SynthesisInput(c.text, group=str(numbers[c.group_id]) if c.group_id in numbers else None)
            for c in contributions
        ],
        question=work_session.question,
        backend="hybrid",
        votes=vote_queries.for_synthesis(session, work_session, contributions),
        seed=seed,
    )
    for contribution in contributions:
        contribution.theme_id = None
    session.flush()
    made = store_themes(
        session,
        actor,
        work_session,
        [
            ThemeInput(
                label=found.label,
                summary=found.summary,
                size=found.size,
                groups=[int(g) for g in found.groups if g.isdigit()],
                quotes=found.quotes,
                undercurrent=result.undercurrent == found.id,
            )
            for found in result.themes
        ],
    )
    by_engine_id = {found.id: row for found, row in zip(result.themes, made, strict=True)}
    for contribution, assigned in zip(contributions, result.assignments, strict=True):
        if assigned is not None and assigned in by_engine_id:
            contribution.theme_id = by_engine_id[assigned].id
    work_session.status = "synthesised"
    record(session, actor, "session.synthesis", "work_session", work_session.id, themes=len(made))
    return made


def hold_session(session: Session, work_session: WorkSession) -> WorkSession:
    """Take the session's row for this transaction and read it again: an empty UPDATE locks the row on
    PostgreSQL and takes SQLite's write lock, so what is read after it (the capacity, the sign-ups) stays
    true until the commit, whoever else is changing the session at the same moment."""
    session.execute(
        update(WorkSession)
        .where(WorkSession.id == work_session.id)
        .values(sequence=WorkSession.sequence)
        .execution_options(synchronize_session=False)
    )
    session.refresh(work_session)
    return work_session
