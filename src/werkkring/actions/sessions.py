"""Work sessions from creation to publication: sign-up, breakout groups, input, themes, publication."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from werkkring import lifecycle, limits
from werkkring.actions._announce import contribution_added, session_changed
from werkkring.actions._audit import record
from werkkring.actions.initiatives import propose_initiative
from werkkring.actions.notifications import notify
from werkkring.actions.permissions import Actor, is_session_host, require_host, require_session_host
from werkkring.engines import grouping
from werkkring.engines.text import short_title
from werkkring.errors import N_, ConflictError, ConstraintError, InputError, PermissionDenied, Problem
from werkkring.lifecycle import Status
from werkkring.queries import votes as vote_queries
from werkkring.queries.sessions import (
    active_registrations,
    get_session,
    group_of,
    met_before,
    mix_records,
    participants,
    seat_of,
    state_token,
)
from werkkring.queries.sessions import (
    contributions_of as contributions_of,  # read by callers of this module
)
from werkkring.store.locks import lock_session
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


def _take(session: Session, work_session: WorkSession, seen: str | None) -> None:
    """Lock the session; when the person's page was built from an older state than now, refuse: someone
    else formed the groups, ran the synthesis or published a moment ago, and this request changes nothing."""
    lock_session(session, work_session)
    if seen is not None and seen != state_token(session, work_session):
        raise ConflictError(
            N_("someone else changed session %(session)s a moment ago; look at it again before you go on"),
            params={"session": work_session.id},
        )


def create_session(
    session: Session,
    *,
    actor: Member,
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
    cleaned, problems = limits.check(
        limits.WORK_SESSION,
        {
            "title": title,
            "question": question,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": place,
            "online_url": online_url,
            "capacity": capacity,
            "group_size": group_size,
            "circle_id": circle_id,
        },
    )
    if any(p.field == "circle_id" for p in problems):  # never sent to the database: beyond its integer
        raise InputError(problems)
    require_host(session, actor, circle_id)
    wrong = {p.field for p in problems}
    title, question = cleaned["title"] or "", cleaned["question"] or ""
    place, online_url = cleaned["place"], cleaned["online_url"]
    starts_at, ends_at = cleaned["starts_at"], cleaned["ends_at"]
    if "title" not in wrong and not title.strip():
        problems.append(Problem(N_("a work session needs a title"), field="title"))
    if "question" not in wrong and not question.strip():
        problems.append(Problem(N_("a work session needs a central question"), field="question"))
    if ends_at is not None and starts_at is not None and ends_at <= starts_at:
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


def require_place(session: Session, work_session: WorkSession) -> None:
    """Refuses when every place is taken (active sign-ups, guests included, against the capacity). The caller
    holds the session's row lock, so two people asking for the last place take turns."""
    if work_session.capacity is None:
        return
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


def register(session: Session, work_session: WorkSession, *, actor: Member) -> Registration:
    """Sign the actor up; refused when the session is full, not open, or already in the past.

    The session's row lock comes first, so of many people taking the last place at once exactly one gets it
    and the others are told the session is full."""
    lock_session(session, work_session)
    if not lifecycle.takes_sign_ups(work_session.status):
        raise InputError(
            N_("session %(session)s is not open for sign-up (status %(status)s)"),
            params={"session": work_session.id, "status": work_session.status},
        )
    existing = session.get(Registration, (work_session.id, actor.id))
    if existing is not None and existing.cancelled_at is None:
        return existing
    # Counted under the session's lock (above): two sign-ups, or a host lowering the capacity, take turns.
    require_place(session, work_session)
    if existing is None:
        existing = Registration(session_id=work_session.id, member_id=actor.id)
        session.add(existing)
    else:
        existing.cancelled_at = None
        existing.registered_at = utcnow()
    session.flush()
    record(session, actor, "session.register", "work_session", work_session.id)
    return existing


def cancel_registration(session: Session, work_session: WorkSession, *, actor: Member) -> None:
    registration = session.get(Registration, (work_session.id, actor.id))
    if registration is None or registration.cancelled_at is not None:
        return
    registration.cancelled_at = utcnow()
    session.execute(delete(Seat).where(Seat.session_id == work_session.id, Seat.member_id == actor.id))
    record(session, actor, "session.cancel", "work_session", work_session.id)
    session_changed(session, work_session, "cancellation", member=actor.id)


def seat_groups(
    session: Session, work_session: WorkSession, groups: Sequence[Sequence[int]], *, actor: Actor
) -> list[BreakoutGroup]:
    """Replace the session's breakout groups with ``groups`` (lists of member ids), e.g. from the engine."""
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
    if work_session.status == Status.OPEN:
        work_session.status = Status.GROUPED
    session.flush()
    session.refresh(work_session)
    record(session, actor, "session.groups", "work_session", work_session.id, groups=len(made))
    session_changed(session, work_session, "groups")
    return made


def move_member(
    session: Session, work_session: WorkSession, member_id: int, number: int, *, actor: Member
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


def lock_groups(session: Session, work_session: WorkSession, locked: bool = True, *, actor: Member) -> None:
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
    work_session: WorkSession,
    text: str,
    *,
    actor: Member,
    group_number: int | None = None,
    is_proposal: bool = False,
    anonymous: bool = False,
) -> Contribution:
    """A participant adds input for their own group; a host may add input for any group."""
    text = limits.require(limits.CONTRIBUTION, {"text": text.strip(), "group": group_number})["text"]
    if not text:
        raise InputError(N_("the input is empty"))
    if not lifecycle.takes_input(work_session.status):  # the rule the page shows its form by
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
    closed = group is not None and not vote_queries.round_takes_input(session, work_session, group.round)
    if closed and group is not None and not is_session_host(session, actor, work_session):
        # The host closed this round's input; the host may still type up what a table wrote on paper.
        raise InputError(
            N_("the input of round %(round)s is closed; what you wrote was not added"),
            params={"round": group.round},
        )
    contribution = Contribution(
        session_id=work_session.id,
        group_id=group.id if group is not None else None,
        author_id=None if anonymous else actor.id,
        text=text,
        is_proposal=is_proposal,
    )
    session.add(contribution)
    if work_session.status == Status.GROUPED:  # the first input: the groups are at work
        work_session.status = Status.RUNNING
    session.flush()
    record(session, actor, "contribution.add", "work_session", work_session.id, contribution=contribution.id)
    contribution_added(session, work_session, contribution)
    return contribution


def rename_theme(
    session: Session, theme: Theme, label: str, summary: str | None = None, *, actor: Member
) -> None:
    """The host writes a theme's label (and summary line): the board's edit, so the theme is the host's."""
    from werkkring.actions import board

    work_session = get_session(session, theme.session_id)
    board.edit_theme(session, work_session, theme.id, label=label, summary=summary, version=None, actor=actor)


def publish(
    session: Session, work_session: WorkSession, summary: str = "", *, actor: Member, seen: str | None = None
) -> None:
    require_session_host(session, actor, work_session)
    limits.require(limits.WORK_SESSION, {"summary": summary})
    _take(session, work_session, seen)
    if work_session.status == Status.PUBLISHED:
        raise ConflictError(
            N_("the outcome of session %(session)s is already published"), params={"session": work_session.id}
        )
    if work_session.status != Status.SYNTHESISED:
        raise InputError(N_("run the synthesis before publishing the outcome"))
    work_session.status = Status.PUBLISHED
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
    session: Session, contribution: Contribution, owner: Member, title: str | None = None, *, actor: Member
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
        title,
        description=contribution.text,
        owner=owner,
        circle_id=work_session.circle_id,
        contribution=contribution,
        actor=actor,
    )


def form_groups(
    session: Session,
    work_session: WorkSession,
    *,
    actor: Actor,
    seed: int = 0,
    history_weight: float = 1.0,
    time_limit: float = 10.0,
    seen: str | None = None,
) -> list[BreakoutGroup]:
    """Form breakout groups that are each a good mix of the room (the grouping engine): tenure, age, region
    and home circle spread evenly, hosts spread, and as few people as possible seated again with someone
    they met in an earlier session. People the host moved by hand keep their group.

    ``seen`` is the :func:`state_token` the host's page showed: two hosts pressing "form groups" at once
    get one set of groups and, for the second, a :class:`ConflictError`."""
    require_session_host(session, actor, work_session)
    _take(session, work_session, seen)
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
    made = seat_groups(session, work_session, groups, actor=actor)
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
    session: Session, work_session: WorkSession, themes: Sequence[ThemeInput], *, actor: Actor
) -> list[Theme]:
    """Replace the session's themes (e.g. with the synthesis engine's result) and mark it synthesised.

    ``actor`` is the session's host, or :data:`SYSTEM` for a batch job or the demo."""
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
    if work_session.status in (Status.OPEN, Status.GROUPED, Status.RUNNING):
        work_session.status = Status.SYNTHESISED
    session.flush()
    record(session, actor, "session.themes", "work_session", work_session.id, themes=len(made))
    session_changed(session, work_session, "phase")
    return made


def run_synthesis(
    session: Session, work_session: WorkSession, *, actor: Member, seed: int = 0, seen: str | None = None
) -> list[Theme]:
    """Cluster the session's input into themes with the synthesis engine, link each contribution to its
    theme, and mark the session synthesised: the board's re-run (:func:`werkkring.actions.board.rerun`), so
    everything the host already decided on the board stays. Contributions that do not answer the session's
    question are set aside (no theme, never quoted) with the reason.

    ``seen`` as in :func:`form_groups`: a second press on "synthesise" from the same page is refused.

    In the caller's transaction, engine included (scripts, the demo, tests); the session page's Synthesise
    button goes through :func:`werkkring.actions.board.synthesise` instead, which computes with no
    transaction open (and runs a large input as the background job)."""
    from werkkring.actions import board

    require_session_host(session, actor, work_session)
    _take(session, work_session, seen)
    return board.rerun(session, work_session, version=None, seed=seed, actor=actor)
