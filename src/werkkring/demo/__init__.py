"""A believable demo network, deterministic for a seed and a day: circles across the Netherlands and a few
members abroad, people from their twenties to their sixties, old hands and newcomers, past sessions with
groups and input, initiatives, helix entries and introduction rounds. Everything goes through the actions."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from werkkring.actions import circles as circle_actions
from werkkring.actions import helix as helix_actions
from werkkring.actions import initiatives as initiative_actions
from werkkring.actions import sessions as session_actions
from werkkring.actions._audit import record
from werkkring.actions.accounts import hash_password
from werkkring.actions.members import create_member
from werkkring.actions.notifications import quietly
from werkkring.actions.permissions import SYSTEM
from werkkring.demo import _vocabulary as vocab
from werkkring.io.members_csv import MemberRow
from werkkring.store.models import Circle, Introduction, Member, Membership

DEMO_PASSWORD = "werkkring-demo"
DEMO_ADMIN_EMAIL = "admin@demo.werkkring.nl"
DEMO_HOST_EMAIL = "host@demo.werkkring.nl"
DEMO_MEMBER_EMAIL = "lid@demo.werkkring.nl"


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Member))


def build_demo_network(
    session: Session, *, members: int = 300, seed: int = 0, today: dt.date | None = None
) -> str:
    """Fill an empty database; returns a one-line summary. Same seed and same day, same network."""
    with quietly(session):  # demo people get no notification mails
        return _build(session, members=members, seed=seed, today=today)


def _build(session: Session, *, members: int, seed: int, today: dt.date | None) -> str:
    rng = random.Random(seed)
    today = today or dt.date.today()
    local, thematic = _circles(session)
    people = _members(session, rng, members, today, local, thematic)
    password = hash_password(DEMO_PASSWORD)
    for person in people[:3]:
        person.password_hash = password
    hosted = _hosts(session, people, local)
    for host, _circle in hosted:
        host.password_hash = password
    past = _past_sessions(session, rng, people, hosted, today, seed)
    upcoming = _upcoming_sessions(session, rng, people, hosted, today)
    initiatives = _initiatives(session, rng, people, past)
    entries = _helix(session, rng, people, today)
    introductions = _introductions(session, rng, people)
    record(session, None, "demo.build", "network", None, members=len(people), seed=seed)
    return (
        f"demo network: {len(people)} members, {len(local) + len(thematic)} circles, "
        f"{len(past)} past and {len(upcoming)} upcoming work sessions, {initiatives} initiatives, "
        f"{entries} helix entries, {introductions} introductions; sign in as {DEMO_ADMIN_EMAIL}, "
        f"{DEMO_HOST_EMAIL} or {DEMO_MEMBER_EMAIL} with password {DEMO_PASSWORD!r}"
    )


def _some(rng: random.Random, pool: list[Member], low: int, high: int) -> list[Member]:
    return rng.sample(pool, min(len(pool), rng.randint(low, high)))


def _circles(session: Session) -> tuple[list[Circle], list[Circle]]:
    local = [
        circle_actions.create_circle(
            session, name, slug=slug, kind="local", region=region, description=description, actor=SYSTEM
        )
        for slug, name, region, _town, description in vocab.LOCAL_CIRCLES
    ]
    thematic = [
        circle_actions.create_circle(
            session, name, slug=slug, kind="thematic", description=description, actor=SYSTEM
        )
        for slug, name, description in vocab.THEMATIC_CIRCLES
    ]
    return local, thematic


def _joined_on(rng: random.Random, today: dt.date) -> dt.date:
    # Many newcomers, a solid core of old hands: years ago drawn from a skewed distribution up to 13.
    years = min(13.0, rng.expovariate(1 / 3.5))
    return today - dt.timedelta(days=int(years * 365.25) + rng.randrange(0, 60))


def _members(
    session: Session,
    rng: random.Random,
    count: int,
    today: dt.date,
    local: list[Circle],
    thematic: list[Circle],
) -> list[Member]:
    people: list[Member] = []
    used: set[str] = set()
    circle_weights = [22, 18, 16, 12, 10, 12, 10]
    for index in range(count):
        first, last = rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
        if index == 0:
            first, last, email = "Anna", "de Beheerder", DEMO_ADMIN_EMAIL
        elif index == 1:
            first, last, email = "Joris", "Gastheer", DEMO_HOST_EMAIL
        elif index == 2:
            first, last, email = "Lieke", "Lid", DEMO_MEMBER_EMAIL
        else:
            base = f"{first}.{last}".casefold().replace(" ", "").replace("'", "")
            email = f"{base}@example.org"
            suffix = 2
            while email in used:
                email = f"{base}{suffix}@example.org"
                suffix += 1
        used.add(email)
        abroad = index > 2 and rng.random() < 0.06
        english = abroad or rng.random() < 0.12
        circle_slugs: list[str] = []
        if abroad:
            country, region, city = rng.choice(vocab.ABROAD)
            circle_slugs.append("international")
        else:
            home = rng.choices(local, weights=circle_weights)[0]
            country, region = "NL", home.region or ""
            city = next(town for slug, _n, _r, town, _d in vocab.LOCAL_CIRCLES if slug == home.slug)
            circle_slugs.append(home.slug)
            if english:
                circle_slugs.append("international")
        if rng.random() < 0.3:
            circle_slugs.append(rng.choice(thematic[:2]).slug)
        offers_pool = vocab.OFFERS_EN if english else vocab.OFFERS_NL
        needs_pool = vocab.NEEDS_EN if english else vocab.NEEDS_NL
        offers = rng.sample(offers_pool, rng.randint(1, 3))
        needs = rng.sample(needs_pool, rng.randint(1, 2))
        consent = rng.random() < 0.7
        complete = rng.random() < 0.92
        visibility: dict[str, str] = {}
        if rng.random() < 0.35:
            visibility["email"] = rng.choice(["circles", "private"])
        if rng.random() < 0.15:
            visibility["age_band"] = "private"
        if rng.random() < 0.1:
            visibility["needs"] = "circles"
        row = MemberRow(
            line=index + 2,
            name=f"{first} {last}",
            email=email,
            region=region,
            country=country,
            birth_year=today.year - rng.randint(23, 67),
            joined_on=_joined_on(rng, today),
            offers="\n".join(offers),
            needs="\n".join(needs),
            interests=";".join(rng.sample(vocab.INTERESTS, rng.randint(1, 4))),
            street=f"{rng.choice(vocab.STREETS)} {rng.randint(1, 180)}" if complete else None,
            postal_code=_postal_code(rng, country) if complete else None,
            city=city,
            postal_consent=consent,
            circles=circle_slugs,
            role="admin" if index == 0 else "member",
            language="en" if english else "nl",
            visibility=visibility,
        )
        member = create_member(session, row, audit=False, actor=SYSTEM)
        member.intro_opt_in = rng.random() < 0.75
        member.intro_frequency = rng.choice([1, 1, 2, 4])
        member.listener = rng.random() < 0.08
        people.append(member)
    session.flush()
    return people


def _postal_code(rng: random.Random, country: str) -> str:
    if country == "NL":
        letters = "ABCDEGHJKLMNPRSTVWXZ"
        return f"{rng.randint(1000, 9999)} {rng.choice(letters)}{rng.choice(letters)}"
    return str(rng.randint(1000, 9999))


def _hosts(session: Session, people: list[Member], local: list[Circle]) -> list[tuple[Member, Circle]]:
    """The demo host hosts the first circle; every other circle gets its longest-standing member as host.

    The demo host may already live in the first circle's region (and so be a member of it): then their
    membership becomes the host's, instead of a second membership of the same circle. A small network
    leaves some circles without a member and so without a host; each host goes with the circle they host,
    so every session is made by someone allowed to."""
    hosted = [(people[1], local[0])]
    people[1].role = "host"
    own = session.get(Membership, (people[1].id, local[0].id))
    if own is None:
        session.add(Membership(member_id=people[1].id, circle_id=local[0].id, role="host"))
    else:
        own.role = "host"
    session.flush()
    for circle in local[1:]:
        candidates = session.scalars(
            select(Member)
            .join(Membership)
            .where(Membership.circle_id == circle.id, Member.id > 3)
            .order_by(Member.joined_on, Member.id)
            .limit(1)
        ).all()
        for host in candidates:
            membership = session.get(Membership, (host.id, circle.id))
            assert membership is not None
            membership.role = "host"
            hosted.append((host, circle))
    return hosted


def _past_sessions(
    session: Session,
    rng: random.Random,
    people: list[Member],
    hosted: list[tuple[Member, Circle]],
    today: dt.date,
    seed: int,
) -> list[int]:
    made = []
    for index, (title, question, language, themes) in enumerate(vocab.PAST_SESSIONS):
        host, circle = hosted[index % len(hosted)]
        day = today - dt.timedelta(days=35 * (len(vocab.PAST_SESSIONS) - index) + 7)
        starts = dt.datetime.combine(day, dt.time(19, 30))
        work_session = session_actions.create_session(
            session,
            title=title,
            question=question,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            place=f"{circle.name.removeprefix('Werkkring ')}, De Werkplaats",
            capacity=24,
            group_size=4,
            circle_id=circle.id,
            language=language,
            actor=host,
        )
        attendees = _some(rng, people[3:], 10, 16)
        for person in [host, *attendees]:
            session_actions.register(session, work_session, actor=person)
        groups = session_actions.form_groups(session, work_session, seed=rng.randrange(1 << 30), actor=host)
        for group_index, group in enumerate(groups):
            seated = [seat.member for seat in group.seats]
            for theme_index, texts in enumerate(themes):
                # Every group raises the first theme (the undercurrent); the others depend on the table.
                if theme_index and (theme_index + group_index) % 3 == 0:
                    continue
                for text in rng.sample(list(texts), min(len(texts), rng.randint(1, 2))):
                    author = rng.choice(seated)
                    session_actions.add_contribution(session, work_session, text, actor=author)
        # The host synthesised the input and published the outcome, as after a real session.
        session_actions.run_synthesis(session, work_session, seed=seed, actor=host)
        session_actions.publish(session, work_session, actor=host)
        made.append(work_session.id)
    return made


def _upcoming_sessions(
    session: Session,
    rng: random.Random,
    people: list[Member],
    hosted: list[tuple[Member, Circle]],
    today: dt.date,
) -> list[int]:
    made = []
    for index, (title, question, language) in enumerate(vocab.UPCOMING_SESSIONS):
        host, circle = hosted[(index * 2) % len(hosted)]
        starts = dt.datetime.combine(today + dt.timedelta(days=14 + 21 * index), dt.time(19, 30))
        online = language == "en"
        work_session = session_actions.create_session(
            session,
            title=title,
            question=question,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            place=None if online else f"{circle.name.removeprefix('Werkkring ')}, Bibliotheek",
            online_url="https://meet.example.org/werksessie" if online else None,
            capacity=30,
            group_size=5,
            circle_id=None if online else circle.id,
            language=language,
            actor=host,
        )
        for person in _some(rng, people[3:], 6, 18):
            session_actions.register(session, work_session, actor=person)
        made.append(work_session.id)
    return made


def _initiatives(session: Session, rng: random.Random, people: list[Member], past: list[int]) -> int:
    for index, (title, description, looking_for, status, progress) in enumerate(vocab.INITIATIVES):
        owner = people[3 + rng.randrange(len(people) - 3)]
        initiative = initiative_actions.propose_initiative(
            session,
            title,
            description=description,
            looking_for=looking_for,
            session_id=past[index % len(past)] if past else None,
            actor=owner,
        )
        for joiner in _some(rng, people[3:], 1, 6):
            if joiner.id != owner.id:
                initiative_actions.join_initiative(
                    session, initiative, rng.choice(vocab.INITIATIVE_REASONS), actor=joiner
                )
        if progress:
            initiative_actions.post_update(
                session, initiative, "We zijn begonnen.", progress=progress, actor=owner
            )
        if status != "proposed":
            initiative_actions.set_status(session, initiative, status, actor=owner)
    return len(vocab.INITIATIVES)


def _helix(session: Session, rng: random.Random, people: list[Member], today: dt.date) -> int:
    count = 0
    for person in people:
        if rng.random() > 0.6:
            continue
        weights = [rng.random() + 0.2 for _ in range(3)]
        for week in range(26):
            for helix, weight in zip(("private", "society", "labour_market"), weights, strict=True):
                if rng.random() > 0.5:
                    continue
                hours = Decimal(str(round(rng.uniform(0.5, 5.0) * weight, 1) or 0.5)).max(Decimal("0.5"))
                day = today - dt.timedelta(days=7 * week + rng.randrange(7))
                helix_actions.log_hours(
                    session,
                    helix=helix,
                    hours=hours,
                    date=day,
                    note=rng.choice(vocab.HELIX_NOTES[helix]),
                    audit=False,
                    actor=person,
                )
                count += 1
    return count


def _introductions(session: Session, rng: random.Random, people: list[Member]) -> int:
    opted = [p for p in people if p.intro_opt_in]
    count = 0
    for round_no in (1, 2):
        pool = rng.sample(opted, min(len(opted), 40))
        for a, b in zip(pool[0::2], pool[1::2], strict=False):
            session.add(
                Introduction(
                    round_no=round_no,
                    member_a_id=a.id,
                    member_b_id=b.id,
                    status=rng.choice(["met", "met", "accepted", "declined"]),
                    reason="",
                )
            )
            count += 1
    session.flush()
    return count
